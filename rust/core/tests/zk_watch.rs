//! The leader watcher against a real ZooKeeper: failover, server restart, forced session
//! expiry, long disconnection, callbacks. Every wait is bounded.

mod zk_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mesos_discovery::zk::{DetectOptions, LeaderState, LeaderWatcher};
use mesos_discovery::ErrorKind;
use zk_support::*;

const WAIT: Duration = Duration::from_secs(30);

/// What a callback saw: (generation, leader id).
type Seen = Arc<Mutex<Vec<(u64, Option<String>)>>>;

/// Waits (blocking, on a helper thread) for the next generation after `known`.
async fn next(watcher: &Arc<LeaderWatcher>, known: u64) -> LeaderState {
    let w = watcher.clone();
    tokio::task::spawn_blocking(move || w.wait_for_change(known, WAIT))
        .await
        .unwrap()
        .unwrap()
        .unwrap_or_else(|| panic!("no change after generation {known} within {WAIT:?}"))
}

fn leader_id(state: &LeaderState) -> Option<&str> {
    state.leader.as_ref().map(|m| m.id.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_is_reported_in_order_without_polling() {
    let server = zk();
    let a = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let b = register(
        &server,
        "/mesos",
        Format::Protobuf,
        &fake("b", "10.0.0.2", 5050),
    )
    .await;
    let watcher = Arc::new(LeaderWatcher::start(url(&server, "/mesos"), opts()).unwrap());

    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let callback_thread = Arc::new(Mutex::new(None));
    let thread_sink = callback_thread.clone();
    watcher.subscribe(Box::new(move |state| {
        *thread_sink.lock().unwrap() = std::thread::current().name().map(str::to_string);
        sink.lock().unwrap().push((
            state.generation,
            state.leader.as_ref().map(|m| m.id.clone()),
        ));
    }));
    // A panicking callback must not stop the watcher or the other callbacks.
    watcher.subscribe(Box::new(|_| panic!("callback bug")));

    let first = next(&watcher, 0).await;
    assert_eq!((first.generation, leader_id(&first)), (1, Some("a")));
    assert!(first.leader.as_ref().unwrap().leader);

    let started = Instant::now();
    a.leave().await;
    let second = next(&watcher, 1).await;
    eprintln!("failover reported after {:?}", started.elapsed());
    assert_eq!((second.generation, leader_id(&second)), (2, Some("b")));
    assert_eq!(second.leader.as_ref().unwrap().znode, b.znode);

    b.leave().await;
    let third = next(&watcher, 2).await;
    assert_eq!((third.generation, third.leader.clone()), (3, None));
    assert_eq!(third.error, None, "no master is an answer, not an error");

    let c = register(
        &server,
        "/mesos",
        Format::Upid,
        &fake("c", "10.0.0.3", 5050),
    )
    .await;
    let fourth = watcher.changed(3).await.unwrap();
    assert_eq!(fourth.leader.as_ref().unwrap().ip, "10.0.0.3");

    // Unrelated churn (a follower joining and leaving) changes nothing.
    let d = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("d", "10.0.0.4", 5050),
    )
    .await;
    d.leave().await;
    assert_eq!(
        watcher
            .wait_for_change(4, Duration::from_millis(500))
            .unwrap(),
        None
    );

    // Callbacks saw every generation, in order, on the watcher's own thread.
    let deadline = Instant::now() + WAIT;
    while seen.lock().unwrap().len() < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (1, Some("a".into())),
            (2, Some("b".into())),
            (3, None),
            (4, Some("master@10.0.0.3:5050".into()))
        ]
    );
    assert_eq!(
        callback_thread.lock().unwrap().as_deref(),
        Some("mesos-discovery-zk-callbacks")
    );

    watcher.close();
    assert_eq!(
        watcher.changed(4).await.unwrap_err().kind(),
        ErrorKind::Closed
    );
    c.leave().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_identity_helper_and_late_subscribers() {
    let server = zk();
    let a = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let _b = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("b", "10.0.0.2", 5050),
    )
    .await;
    let watcher = Arc::new(LeaderWatcher::start(url(&server, "/mesos"), opts()).unwrap());
    let first = next(&watcher, 0).await;
    let a_master = first.leader.clone().unwrap();

    // A late subscriber first gets the current state.
    let (tx, rx) = std::sync::mpsc::channel();
    watcher.subscribe(Box::new(move |s| {
        let _ = tx.send(s.generation);
    }));
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), 1);

    let w = watcher.clone();
    let known = a_master.clone();
    let waiter = tokio::task::spawn_blocking(move || w.wait_for_leader_change(Some(&known), WAIT));
    a.leave().await;
    let changed = waiter.await.unwrap().unwrap().unwrap();
    assert_eq!(leader_id(&changed), Some("b"));
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), 2);
    // Asking about a leader that is already not the current one returns at once.
    let now = watcher
        .wait_for_leader_change(Some(&a_master), Duration::ZERO)
        .unwrap()
        .unwrap();
    assert_eq!(leader_id(&now), Some("b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_server_restart() {
    let mut server = zk();
    let a = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let b = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("b", "10.0.0.2", 5050),
    )
    .await;
    let watcher = Arc::new(LeaderWatcher::start(url(&server, "/mesos"), opts()).unwrap());
    assert_eq!(leader_id(&next(&watcher, 0).await), Some("a"));

    // Crash and restart within the session timeout: the sessions (and a's znode) survive.
    tokio::task::block_in_place(|| {
        server.kill();
        server.restart().unwrap();
    });
    // The watch is re-established: a's leaving is still seen.
    a.leave().await;
    let state = next(&watcher, 1).await;
    assert_eq!(leader_id(&state), Some("b"), "{state:?}");
    b.leave().await;
    assert_eq!(next(&watcher, 2).await.leader, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_session_expiry_reports_none_then_recovers() {
    let server = zk();
    let _a = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(4),
        connect_timeout: Duration::from_secs(10),
    };
    let watcher = Arc::new(LeaderWatcher::start(url(&server, "/mesos"), opts).unwrap());
    assert_eq!(leader_id(&next(&watcher, 0).await), Some("a"));

    // Every state, as callbacks see them (a blocking waiter may only see the latest).
    let (tx, rx) = std::sync::mpsc::channel::<LeaderState>();
    watcher.subscribe(Box::new(move |s| {
        let _ = tx.send(s.clone());
    }));
    assert_eq!(rx.recv_timeout(WAIT).unwrap().generation, 1);

    watcher.expire_session_for_test().await.unwrap();
    let lost = tokio::task::block_in_place(|| rx.recv_timeout(WAIT)).unwrap();
    assert_eq!((lost.generation, lost.leader.clone()), (2, None));
    let error = lost.error.expect("why the leader is unknown");
    assert!(error.message().contains("expired"), "{error}");

    let back = tokio::task::block_in_place(|| rx.recv_timeout(WAIT)).unwrap();
    assert_eq!((back.generation, leader_id(&back)), (3, Some("a")));
    assert_eq!(back.error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_disconnection_stops_trusting_the_leader() {
    let server = zk();
    // The master's session outlives the pause; the watcher's does not.
    let _a = register(
        &server,
        "/mesos",
        Format::Json,
        &fake("a", "10.0.0.1", 5050),
    )
    .await;
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
    };
    let watcher = Arc::new(LeaderWatcher::start(url(&server, "/mesos"), opts).unwrap());
    assert_eq!(leader_id(&next(&watcher, 0).await), Some("a"));

    server.pause();
    let started = Instant::now();
    let lost = next(&watcher, 1).await;
    let after = started.elapsed();
    assert_eq!(lost.leader, None);
    assert!(lost.error.is_some());
    // Not before the session timeout (2 s) has passed without contact; not much later.
    assert!(
        after >= Duration::from_millis(1500) && after < Duration::from_secs(15),
        "{after:?}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.resume();

    let back = next(&watcher, 2).await;
    assert_eq!(leader_id(&back), Some("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_at_start_is_not_an_answer_then_connects() {
    // Nothing listens yet: generation stays 0 (unknown), with the reason recorded.
    let port = mesos_discovery_testkit::free_port().unwrap();
    let url = mesos_discovery::zk::ZkUrl::parse(&format!("zk://127.0.0.1:{port}/mesos")).unwrap();
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(4),
        connect_timeout: Duration::from_millis(500),
    };
    let watcher = LeaderWatcher::start(url, opts).unwrap();
    assert_eq!(
        watcher.wait_for_change(0, Duration::from_secs(2)).unwrap(),
        None
    );
    let state = watcher.current();
    assert_eq!(state.generation, 0);
    assert_eq!(state.error.map(|e| e.kind()), Some(ErrorKind::Timeout));
    drop(watcher);
}
