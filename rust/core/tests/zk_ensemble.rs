//! A three-server ZooKeeper ensemble: the watcher rides out the loss of one server, reports
//! "no leader" when the quorum is lost for longer than the session timeout, and recovers when
//! the quorum returns.

mod zk_support;

use std::sync::Arc;
use std::time::Duration;

use mesos_discovery::zk::{DetectOptions, LeaderState, LeaderWatcher, ZkUrl};
use mesos_discovery_testkit::master::{self, AclMode};
use mesos_discovery_testkit::{Ensemble, FakeMaster};

const WAIT: Duration = Duration::from_secs(60);

async fn next(watcher: &Arc<LeaderWatcher>, known: u64) -> LeaderState {
    let w = watcher.clone();
    tokio::task::spawn_blocking(move || w.wait_for_change(known, WAIT))
        .await
        .unwrap()
        .unwrap()
        .unwrap_or_else(|| panic!("no change after generation {known} within {WAIT:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quorum_loss_and_return() {
    let mut ensemble = tokio::task::block_in_place(|| Ensemble::start(3))
        .expect("a ZooKeeper ensemble (apt-get install zookeeper)");
    // The master's session outlives the outage; the watcher's (3 s) does not.
    let client = master::connect(&ensemble.connect_string(), None, Duration::from_secs(60))
        .await
        .unwrap();
    let fake = FakeMaster::new("a", "10.0.0.1".parse().unwrap(), 5050);
    master::join(
        &client,
        "/mesos",
        "json.info_",
        &fake.json(),
        false,
        AclMode::Mesos,
    )
    .await
    .unwrap();
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(3),
    };
    let url = ZkUrl::parse(&ensemble.url("/mesos")).unwrap();
    let watcher = Arc::new(LeaderWatcher::start(url, opts).unwrap());
    let first = next(&watcher, 0).await;
    assert_eq!(first.leader.as_ref().map(|m| m.id.as_str()), Some("a"));

    // One server down: the quorum holds, nothing to report.
    tokio::task::block_in_place(|| ensemble.servers[0].kill());
    assert_eq!(
        watcher.wait_for_change(1, Duration::from_secs(5)).unwrap(),
        None
    );

    // Two down: no quorum, the last server stops serving; the leader becomes unknown.
    tokio::task::block_in_place(|| ensemble.servers[1].kill());
    let lost = next(&watcher, 1).await;
    assert_eq!(lost.leader, None);
    assert!(lost.error.is_some());

    // Quorum back: the watcher finds the (still registered) master again.
    tokio::task::block_in_place(|| {
        ensemble.servers[0].restart_no_wait().unwrap();
        ensemble.servers[1].restart_no_wait().unwrap();
    });
    let back = next(&watcher, 2).await;
    assert_eq!(
        back.leader.as_ref().map(|m| m.id.as_str()),
        Some("a"),
        "{back:?}"
    );
    watcher.close();
    master::close(client).await;
}
