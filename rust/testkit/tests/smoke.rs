//! The kit itself: a server starts, serves, restarts and a fake master registers and leaves.

use std::time::{Duration, Instant};

use mesos_discovery_testkit::{master, FakeMaster, Format, ZkServer};

#[test]
fn server_starts_restarts_and_masters_register() {
    let started = Instant::now();
    let mut zk =
        ZkServer::start().expect("ZooKeeper must be installed (apt-get install zookeeper)");
    eprintln!("ZooKeeper served after {:?}", started.elapsed());
    assert!(zk.is_serving());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = master::connect(&zk.address(), None, Duration::from_secs(5))
            .await
            .unwrap();
        let fake = FakeMaster::new("m1", "10.0.0.1".parse().unwrap(), 5050);
        let json = master::join(
            &client,
            "/a/mesos",
            "json.info_",
            &fake.json(),
            false,
            master::AclMode::Mesos,
        )
        .await
        .unwrap();
        let upid = master::join(
            &client,
            "/a/mesos",
            "",
            &fake.encode(Format::Upid),
            false,
            master::AclMode::Mesos,
        )
        .await
        .unwrap();
        assert_eq!(json, "/a/mesos/json.info_0000000000");
        assert_eq!(upid, "/a/mesos/0000000001");
        let children = client.list_children("/a/mesos").await.unwrap();
        assert_eq!(children.len(), 2);
        master::close(client).await;
        let other = master::connect(&zk.address(), None, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(
            other.list_children("/a/mesos").await.unwrap().is_empty(),
            "ephemerals gone at once"
        );
        master::close(other).await;
    });
    zk.kill();
    assert!(!zk.is_serving());
    zk.restart().unwrap();
    assert!(zk.is_serving());
}
