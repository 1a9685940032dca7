//! One-shot leader and all-masters detection against a real ZooKeeper, with znodes written
//! exactly as Mesos masters write them.

mod zk_support;

use std::time::{Duration, Instant};

use mesos_discovery::zk::{self, DetectOptions, MasterDomain, MasterFormat, ZkUrl};
use mesos_discovery::ErrorKind;
use mesos_discovery_testkit::master::AclMode;
use zk_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_is_smallest_sequence_across_labels() {
    let server = zk();
    let path = "/mesos";
    create_persistent(&server, "/mesos/log_replicas").await;
    // log_replicas (the replicated log's node next to the masters) is not a contender.
    let a = register(&server, path, Format::Json, &fake("a", "10.0.0.1", 5050)).await;
    let b = register(
        &server,
        path,
        Format::Protobuf,
        &fake("b", "10.0.0.2", 5050),
    )
    .await;
    let c = register(&server, path, Format::Upid, &fake("c", "10.0.0.3", 5050)).await;
    let url = url(&server, path);

    let leader = zk::leader(&url, &opts()).await.unwrap().expect("a leader");
    assert_eq!(
        (leader.id.as_str(), leader.format),
        ("a", MasterFormat::Json)
    );
    assert!(leader.leader);
    assert_eq!(leader.znode, a.znode);

    // A string minimum would take the UPID znode ("00000000xx" < "info_" < "json.info_").
    a.leave().await;
    let leader = zk::leader(&url, &opts()).await.unwrap().unwrap();
    assert_eq!(
        (leader.id.as_str(), leader.format),
        ("b", MasterFormat::Protobuf)
    );

    // Not "JSON first": a newer JSON master does not beat the older UPID one.
    let d = register(&server, path, Format::Json, &fake("d", "10.0.0.4", 5050)).await;
    b.leave().await;
    let leader = zk::leader(&url, &opts()).await.unwrap().unwrap();
    assert_eq!(leader.format, MasterFormat::Upid);
    assert_eq!(leader.id, "master@10.0.0.3:5050");
    assert_eq!(leader.znode, c.znode);

    let all = zk::masters(&url, &opts()).await.unwrap();
    let ids: Vec<(&str, bool)> = all.iter().map(|m| (m.znode.as_str(), m.leader)).collect();
    assert_eq!(ids, [(c.znode.as_str(), true), (d.znode.as_str(), false)]);
    c.leave().await;
    d.leave().await;
    assert_eq!(zk::leader(&url, &opts()).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequences_compare_as_numbers() {
    let server = zk();
    let path = "/numbers";
    // Burn sequences 0..=8 so the masters get 9 and 10 (and 11, unlabelled).
    for _ in 0..9 {
        register(&server, path, Format::Json, &fake("burn", "10.9.9.9", 1))
            .await
            .leave()
            .await;
    }
    let nine = register(
        &server,
        path,
        Format::Protobuf,
        &fake("nine", "10.0.0.9", 5050),
    )
    .await;
    let ten = register(&server, path, Format::Json, &fake("ten", "10.0.0.10", 5050)).await;
    assert!(nine.znode.ends_with("info_0000000009"), "{}", nine.znode);
    assert!(ten.znode.ends_with("json.info_0000000010"), "{}", ten.znode);
    let url = url(&server, path);
    let leader = zk::leader(&url, &opts()).await.unwrap().unwrap();
    assert_eq!((leader.id.as_str(), leader.sequence), ("nine", 9));
    let all = zk::masters(&url, &opts()).await.unwrap();
    assert_eq!(all.iter().map(|m| m.sequence).collect::<Vec<_>>(), [9, 10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_decodes_fully() {
    let server = zk();
    let mut full = fake("full", "10.1.1.9", 5051);
    full.hostname = Some("m1.example.com".into());
    full.version = Some("1.11.0".into());
    full.region = Some("us-east".into());
    full.zone = Some("us-east-1a".into());
    full.capabilities = vec![
        "AGENT_UPDATE".into(),
        "AGENT_DRAINING".into(),
        "QUOTA_V2".into(),
    ];
    for format in [Format::Json, Format::Protobuf] {
        let path = format!("/formats/{format:?}");
        let _m = register(&server, &path, format, &full).await;
        let m = zk::leader(&url(&server, &path), &opts())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.id, "full");
        assert_eq!(m.ip, "10.1.1.9");
        assert_eq!(m.port, 5051);
        assert_eq!(m.hostname.as_deref(), Some("m1.example.com"));
        assert_eq!(m.pid.as_deref(), Some("master@10.1.1.9:5051"));
        assert_eq!(m.version.as_deref(), Some("1.11.0"));
        assert_eq!(
            m.domain,
            Some(MasterDomain {
                region: Some("us-east".into()),
                zone: Some("us-east-1a".into())
            })
        );
        assert_eq!(
            m.capabilities,
            ["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"]
        );
        assert_eq!(m.sequence, 0);
        let expected = if format == Format::Json {
            MasterFormat::Json
        } else {
            MasterFormat::Protobuf
        };
        assert_eq!(m.format, expected);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json["format"],
            if format == Format::Json {
                "json"
            } else {
                "protobuf"
            }
        );
    }
    let _u = register(&server, "/formats/upid", Format::Upid, &full).await;
    let m = zk::leader(&url(&server, "/formats/upid"), &opts())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.ip.as_str(), m.port, m.format),
        ("10.1.1.9", 5051, MasterFormat::Upid)
    );
    assert_eq!(m.pid.as_deref(), Some("master@10.1.1.9:5051"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mesos_1201_integer_ip_and_upid_host_names() {
    let server = zk();
    let mut legacy = fake("legacy", "10.1.1.9", 5050);
    legacy.legacy_ip_only = true;
    for format in [Format::Json, Format::Protobuf] {
        let path = format!("/legacy/{format:?}");
        let _m = register(&server, &path, format, &legacy).await;
        let m = zk::leader(&url(&server, &path), &opts())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            m.ip, "10.1.1.9",
            "{format:?}: 151060746 read the MESOS-1201 way"
        );
        assert_eq!(m.pid, None);
    }
    // A UPID with a host name: resolved, as libprocess does.
    let _h = register_with(
        &server,
        "/legacy/named",
        "",
        b"master@localhost:5050",
        None,
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await;
    let m = zk::leader(&url(&server, "/legacy/named"), &opts())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.hostname.as_deref(), Some("localhost"));
    assert!(m.ip == "127.0.0.1" || m.ip == "::1", "{}", m.ip);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_znodes_are_named_and_others_still_listed() {
    let server = zk();
    let path = "/broken";
    let junk = register_with(
        &server,
        path,
        "json.info_",
        b"{not json",
        None,
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await;
    let good = register(
        &server,
        path,
        Format::Protobuf,
        &fake("good", "10.0.0.2", 5050),
    )
    .await;
    let odd = register_with(
        &server,
        path,
        "foo_",
        b"whatever",
        None,
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await;
    let url = url(&server, path);

    let e = zk::leader(&url, &opts()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.message().contains(&junk.znode), "{e}");

    let report = zk::masters_report(&url, &opts()).await.unwrap();
    assert_eq!(report.masters.len(), 1);
    assert_eq!(report.masters[0].id, "good");
    assert!(
        !report.masters[0].leader,
        "the leading contender is the broken one"
    );
    assert_eq!(report.problems.len(), 2);
    assert!(report.problems[0].message().contains(&junk.znode));
    assert!(report.problems[1].message().contains(&odd.znode));
    assert!(report.problems[1]
        .message()
        .contains("unknown label \"foo\""));

    junk.leave().await;
    let leader = zk::leader(&url, &opts()).await.unwrap().unwrap();
    assert_eq!(leader.znode, good.znode);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_master_is_an_answer() {
    let server = zk();
    create_persistent(&server, "/empty/log_replicas").await;
    assert_eq!(
        zk::leader(&url(&server, "/empty"), &opts()).await.unwrap(),
        None
    );
    assert!(zk::masters(&url(&server, "/empty"), &opts())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        zk::leader(&url(&server, "/does/not/exist"), &opts())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_auth_and_acls() {
    let server = zk();
    let locked = register_with(
        &server,
        "/locked/mesos",
        "json.info_",
        &fake("secret-master", "10.0.0.5", 5050).json(),
        Some("mesos:s3cr3t-pw"),
        AclMode::CreatorAll,
        Duration::from_secs(30),
    )
    .await;
    let with = ZkUrl::parse(&format!(
        "zk://mesos:s3cr3t-pw@{}/locked/mesos",
        server.address()
    ))
    .unwrap();
    let m = zk::leader(&with, &opts()).await.unwrap().unwrap();
    assert_eq!(
        (m.id.as_str(), m.znode.as_str()),
        ("secret-master", locked.znode.as_str())
    );

    for wrong in [
        format!("zk://{}/locked/mesos", server.address()),
        format!("zk://mesos:wrong-pw@{}/locked/mesos", server.address()),
    ] {
        let e = zk::leader(&ZkUrl::parse(&wrong).unwrap(), &opts())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
        assert!(e.message().contains("/locked/mesos"), "{e}");
        assert!(!e.message().contains("pw"), "{e}");
    }

    // Mesos' own ACL lets anyone read: no credentials needed to detect.
    let _open = register_with(
        &server,
        "/mesos-acl",
        "json.info_",
        &fake("m", "10.0.0.6", 5050).json(),
        Some("mesos:pw"),
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await;
    let anon = ZkUrl::parse(&format!("zk://{}/mesos-acl", server.address())).unwrap();
    assert_eq!(zk::leader(&anon, &opts()).await.unwrap().unwrap().id, "m");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chroot_paths_are_separate_groups() {
    let server = zk();
    let _a = register(
        &server,
        "/dcos/cluster-a/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let _b = register(
        &server,
        "/dcos/cluster-b/mesos",
        Format::Json,
        &fake("b", "10.0.0.2", 5050),
    )
    .await;
    let a = zk::leader(&url(&server, "/dcos/cluster-a/mesos/"), &opts())
        .await
        .unwrap()
        .unwrap();
    let b = zk::leader(&url(&server, "/dcos/cluster-b/mesos"), &opts())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.id.as_str(), b.id.as_str()), ("a", "b"));
    assert_eq!(
        zk::leader(&url(&server, "/dcos"), &opts()).await.unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_zookeeper_times_out_without_leaking_the_password() {
    let port = mesos_discovery_testkit::free_port().unwrap();
    let url = ZkUrl::parse(&format!("zk://user:hunter2-pw@127.0.0.1:{port}/mesos")).unwrap();
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(1),
    };
    let started = Instant::now();
    let e = zk::leader(&url, &opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(e.message().contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(!format!("{e} {e:?} {url} {url:?}").contains("hunter2"));
}

#[test]
fn blocking_calls_use_the_shared_runtime() {
    let server = zk();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let m = rt.block_on(register(
        &server,
        "/blocking",
        Format::Json,
        &fake("b", "10.0.0.1", 5050),
    ));
    let url = url(&server, "/blocking");
    let leader = zk::leader_blocking(&url, &opts()).unwrap().unwrap();
    assert_eq!(leader.id, "b");
    assert_eq!(zk::masters_blocking(&url, &opts()).unwrap().len(), 1);
    // From inside a runtime, the blocking call is an error, not a panic or a deadlock.
    let inside = rt.block_on(async { zk::leader_blocking(&url, &opts()) });
    assert_eq!(inside.unwrap_err().kind(), ErrorKind::Internal);
    rt.block_on(m.leave());
}
