//! ZooKeeper faults not covered elsewhere: garbage in the leader's znode while watching (the
//! watcher must say "no leader" with the znode named, never keep a stale leader), and znodes
//! vanishing between list and read under churn (one-shot detection must re-list, never fail
//! or report a master that is gone).

mod zk_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mesos_discovery::zk::{self, LeaderState, LeaderWatcher};
use mesos_discovery_testkit::master::AclMode;
use zk_support::*;

const WAIT: Duration = Duration::from_secs(30);

async fn next(watcher: &Arc<LeaderWatcher>, known: u64) -> LeaderState {
    tokio::time::timeout(WAIT, watcher.changed(known))
        .await
        .expect("a change in time")
        .expect("watcher open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_in_the_leader_znode_is_no_leader_with_the_znode_named() {
    let server = zk();
    let path = "/mesos";
    let good = register(&server, path, Format::Json, &fake("good", "10.0.0.1", 5050)).await;
    let watcher = Arc::new(LeaderWatcher::start(url(&server, path), opts()).unwrap());
    let first = next(&watcher, 0).await;
    assert_eq!(first.leader.as_ref().map(|m| m.id.as_str()), Some("good"));

    // A garbage contender joins (a follower): nothing changes.
    let garbage = register_with(
        &server,
        path,
        "json.info_",
        b"{not json at all",
        None,
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await;
    assert!(watcher
        .wait_for_change(first.generation, Duration::from_millis(500))
        .unwrap()
        .is_none());

    // The good leader leaves: the garbage node is now the leader by sequence. The watcher
    // must not keep "good" (stale) nor invent a leader: none, with the znode named.
    good.leave().await;
    let second = next(&watcher, first.generation).await;
    assert_eq!(second.leader, None);
    let error = second.error.clone().expect("why there is no leader");
    assert!(error.message().contains(&garbage.znode), "{error}");

    // A healthy master arrives later, but the garbage node still leads: Mesos followers
    // would not elect it either way; the answer stays "unknown" rather than a guess.
    let late = register(
        &server,
        path,
        Format::Protobuf,
        &fake("late", "10.0.0.2", 5050),
    )
    .await;
    // When the garbage node goes, the next contender leads.
    garbage.leave().await;
    let mut state = next(&watcher, second.generation).await;
    let deadline = Instant::now() + WAIT;
    while state.leader.as_ref().map(|m| m.id.as_str()) != Some("late") {
        assert!(Instant::now() < deadline, "{state:?}");
        state = next(&watcher, state.generation).await;
    }
    assert_eq!(state.leader.as_ref().unwrap().znode, late.znode);
    late.leave().await;
    watcher.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_between_list_and_read_never_fails_detection() {
    let server = zk();
    let path = "/mesos";
    let stable = register(
        &server,
        path,
        Format::Json,
        &fake("stable", "10.0.0.1", 5050),
    )
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    // Followers join and leave as fast as they can while we detect.
    let churn = {
        let stop = stop.clone();
        let address = server.address();
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let client = mesos_discovery_testkit::master::connect(
                    &address,
                    None,
                    Duration::from_secs(10),
                )
                .await
                .unwrap();
                let data = fake(&format!("f{n}"), "10.0.0.9", 5050).encode(Format::Json);
                mesos_discovery_testkit::master::join(
                    &client,
                    path,
                    "json.info_",
                    &data,
                    false,
                    AclMode::Mesos,
                )
                .await
                .unwrap();
                mesos_discovery_testkit::master::close(client).await;
                n += 1;
            }
            n
        })
    };
    let url = url(&server, path);
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(4) {
        let all = zk::masters(&url, &opts())
            .await
            .expect("detection never fails under churn");
        assert_eq!(all[0].id, "stable", "the oldest master leads: {all:?}");
        assert!(all[0].leader && all[1..].iter().all(|m| !m.leader));
        rounds += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let churned = churn.await.unwrap();
    assert!(
        rounds > 5 && churned > 5,
        "rounds {rounds}, churned {churned}"
    );
    stable.leave().await;
}
