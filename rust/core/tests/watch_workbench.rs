//! Live membership against the workbench's event stream: scale up/down, kill, delete, health
//! flips, a stream dropped while an app scales, streams dropped again and again, idle streams,
//! endpoint failover, Mesos-DNS polling, debouncing, and one HTTP client for a
//! discover-then-watch.

mod support;

use std::sync::{mpsc, Mutex};
use std::time::Duration;

use mesos_discovery::watch::MembershipState;
use mesos_discovery::Membership;
use support::*;

const WAIT: Duration = Duration::from_secs(15);

fn open(pairs: &[(&str, &str)]) -> Membership {
    Membership::open(config(pairs).unwrap()).unwrap()
}

fn watcher(pairs: &[(&str, &str)]) -> Membership {
    let membership = open(pairs);
    membership.watch().unwrap();
    membership
}

/// Waits for the first full look.
fn first(w: &Membership) -> MembershipState {
    w.wait_for_change(0, WAIT)
        .unwrap()
        .expect("first discovery in time")
}

/// Waits until `pred` holds (changes may arrive as several generations).
fn until(
    w: &Membership,
    mut state: MembershipState,
    pred: impl Fn(&MembershipState) -> bool,
) -> MembershipState {
    let deadline = std::time::Instant::now() + WAIT;
    while !pred(&state) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        state = w
            .wait_for_change(state.generation, left)
            .unwrap()
            .unwrap_or_else(|| panic!("condition not reached in time; last state {state:?}"));
    }
    state
}

fn count(state: &MembershipState, app: &str) -> usize {
    state.members.iter().filter(|m| m.app_id == app).count()
}

#[test]
fn scale_kill_delete_are_seen() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
    ]);
    let s = first(&w);
    assert_eq!(
        (count(&s, "/wso2/manager"), count(&s, "/wso2/worker")),
        (2, 3)
    );
    assert_eq!(s.generation, 1);

    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    w.subscribe(Box::new(move |c| {
        tx.lock().unwrap().send(c.clone()).unwrap()
    }));
    let welcome = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(welcome.added.len(), 5, "the full set first");
    assert!(welcome.removed.is_empty());

    wb.admin().scale("/wso2/worker", 5).unwrap();
    let s = until(&w, s, |s| count(s, "/wso2/worker") == 5);
    let mut added = 0;
    while added < 2 {
        let c = rx.recv_timeout(WAIT).unwrap();
        assert!(c.removed.is_empty(), "{c:?}");
        added += c.added.len();
        assert!(c.added.iter().all(|m| m.app_id == "/wso2/worker"));
    }

    wb.admin().scale("/wso2/worker", 2).unwrap();
    let s = until(&w, s, |s| count(s, "/wso2/worker") == 2);

    let victim = wb.admin().task_ids("/wso2/manager")[0].clone();
    wb.admin().kill_task(&victim, true).unwrap();
    let s = until(&w, s, |s| count(s, "/wso2/manager") == 1);
    assert!(s.members.iter().all(|m| m.task_id != victim));

    wb.admin().delete_app("/wso2/manager").unwrap();
    let s = until(&w, s, |s| count(s, "/wso2/manager") == 0);
    assert_eq!(count(&s, "/wso2/worker"), 2);
    // The kills are applied at once; the refetch that confirms them finds the app gone and
    // says so (a warning, no new generation).
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let s = w.snapshot();
        if s.warnings
            .iter()
            .any(|w| w.app_id.as_deref() == Some("/wso2/manager"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no warning about the deleted app: {:?}",
            s.warnings
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    w.close();
    assert!(w.wait_for_change(s.generation, WAIT).is_err(), "closed");
}

#[test]
fn health_flip_with_healthy_only() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager"),
        ("MESOS_DISCOVERY_HEALTHY_ONLY", "true"),
    ]);
    let s = first(&w);
    assert_eq!(s.members.len(), 2);
    let task = s.members[0].task_id.clone();
    wb.admin().set_health(&task, Some(false)).unwrap();
    let s = until(&w, s, |s| s.members.len() == 1);
    wb.admin().set_health(&task, Some(true)).unwrap();
    until(&w, s, |s| s.members.len() == 2);
}

#[test]
fn a_dropped_stream_resyncs_what_it_missed() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    let s = first(&w);
    wait_for_stream(&wb);
    // Events stop flowing, the app scales, then the stream drops: only a resync can see it.
    wb.admin().stall_event_streams(true);
    wb.admin().scale("/wso2/worker", 4).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(w.snapshot().members.len(), 3, "stalled: nothing seen yet");
    wb.admin().drop_event_streams();
    wb.admin().stall_event_streams(false);
    until(&w, s, |s| s.members.len() == 4);
}

#[test]
fn a_silent_stream_is_reopened() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_STREAM_IDLE_TIMEOUT", "0.5"),
    ]);
    let s = first(&w);
    wait_for_stream(&wb);
    wb.admin().stall_event_streams(true);
    wb.admin().scale("/wso2/worker", 4).unwrap();
    // No drop this time: the watcher notices the silence, reconnects and resyncs.
    std::thread::sleep(Duration::from_millis(1500));
    wb.admin().stall_event_streams(false);
    until(&w, s, |s| s.members.len() == 4);
    assert!(
        wb.admin().requests("/v2/events") >= 2,
        "{:?}",
        wb.admin().request_counts()
    );
}

#[test]
fn endpoint_failover_during_a_watch() {
    let first_wb = start(cluster_file("carbon.json"));
    let second_wb = start(cluster_file("carbon.json"));
    let endpoints = format!("{},{}", first_wb.url(), second_wb.url());
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &endpoints),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    let s = first(&w);
    wait_for_stream(&first_wb);
    drop(first_wb); // the first Marathon goes away
    wait_for_stream(&second_wb);
    second_wb.admin().scale("/wso2/worker", 5).unwrap();
    until(&w, s, |s| s.members.len() == 5);
}

#[test]
fn debounce_fetches_once_for_a_burst() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    let s = first(&w);
    wait_for_stream(&wb);
    wb.admin().reset_stats();
    wb.admin().scale("/wso2/worker", 40).unwrap();
    until(&w, s, |s| s.members.len() == 40);
    let fetches = wb.admin().requests("/v2/apps/wso2/worker");
    assert!(
        fetches <= 3,
        "a burst of 37 launches cost {fetches} fetches"
    );
}

#[test]
fn mesos_dns_is_polled() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_POLL_INTERVAL", "0.2"),
    ]);
    let s = first(&w);
    assert_eq!(s.members.len(), 2, "running workers only");
    // 3 instances (one staging) → 5: two more running tasks.
    wb.admin().scale("/wso2/worker", 5).unwrap();
    let s = until(&w, s, |s| s.members.len() == 4);
    wb.admin().scale("/wso2/worker", 1).unwrap();
    until(&w, s, |s| s.members.len() <= 1);
}

/// Waits until the watcher's event stream is attached to `wb`.
fn wait_for_stream(wb: &mesos_discovery_workbench::Workbench) {
    let deadline = std::time::Instant::now() + WAIT;
    while wb.admin().open_event_streams() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no event stream opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_standby_redirects_the_stream_to_the_leader_and_5xx_is_retried() {
    let leader = start(cluster_file("carbon.json"));
    let standby = start(cluster_file("carbon.json"));
    standby.admin().set_leader_url(&leader.url());
    standby
        .admin()
        .add_fault(
            mesos_discovery_workbench::FaultRule::once(
                mesos_discovery_workbench::Side::Marathon,
                mesos_discovery_workbench::Fault::Status {
                    status: 503,
                    body: None,
                    content_type: None,
                },
            )
            .on_path("/v2/events"),
        )
        .unwrap();
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &standby.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    first(&w);
    wait_for_stream(&leader);
    assert_eq!(standby.admin().open_event_streams(), 0);
    assert!(
        standby.admin().requests("/v2/events") >= 2,
        "503 first, then the redirect: {:?}",
        standby.admin().request_counts()
    );
}

#[test]
fn discover_then_watch_uses_one_http_client() {
    let wb = start(cluster_file("carbon.json"));
    let membership = open(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    let found = membership.refresh_blocking().unwrap();
    assert_eq!(found.members.len(), 3);
    let s = membership.snapshot();
    assert_eq!((s.generation, s.members.to_vec()), (1, found.members));
    membership.watch().unwrap();
    wait_for_stream(&wb);
    wb.admin().scale("/wso2/worker", 4).unwrap();
    let s = until(&membership, membership.snapshot(), |s| {
        count(s, "/wso2/worker") == 4
    });
    assert_eq!(
        s.generation, 2,
        "the watch's own first look changed nothing"
    );
    // One app, so one fetch at a time. One pool: the discovery's connection carries the
    // stream, one more serves the fetches (two clients would need three).
    assert_eq!(
        wb.admin().connections_accepted(),
        2,
        "{:?}",
        wb.admin().request_counts()
    );
}

#[test]
fn streams_dropped_a_second_apart_are_followed_closely() {
    let wb = start(cluster_file("carbon.json"));
    let w = watcher(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ]);
    let mut s = first(&w);
    let mut instances = s.members.len();
    for round in 0..8 {
        wait_for_stream(&wb);
        let dropped = std::time::Instant::now();
        wb.admin().drop_event_streams();
        instances += 1;
        wb.admin().scale("/wso2/worker", instances as u32).unwrap();
        // Each reconnect succeeded, so the next pause is short again: the change is seen by
        // the reconnect's resync well within a second, every time.
        let deadline = dropped + Duration::from_secs(1);
        while s.members.len() != instances {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            s = w
                .wait_for_change(s.generation, left)
                .unwrap()
                .unwrap_or_else(|| {
                    panic!("round {round}: {instances} workers not seen within 1 s of the drop")
                });
        }
        std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
    }
}

/// A one-shot refresh moves each app's members into its answer while no watch runs (the watch
/// starts with its own full look); a refresh made during a watch keeps every app's members, so
/// a later change of one app leaves the others in place.
#[test]
fn refreshes_before_and_during_a_watch_keep_every_apps_members() {
    let wb = start(cluster_file("carbon.json"));
    let membership = open(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
    ]);
    let found = membership.refresh_blocking().unwrap();
    assert_eq!(found.members.len(), 5);
    membership.watch().unwrap();
    wait_for_stream(&wb);
    let again = membership.refresh_blocking().unwrap();
    assert_eq!(again.members, found.members, "a refresh during the watch");
    wb.admin().scale("/wso2/worker", 4).unwrap();
    let s = until(&membership, membership.snapshot(), |s| {
        count(s, "/wso2/worker") == 4
    });
    assert_eq!(count(&s, "/wso2/manager"), 2, "{s:?}");
    // The confirming refetch of the worker app (and the periodic resync) keep the manager.
    std::thread::sleep(Duration::from_millis(800));
    let s = membership.snapshot();
    assert_eq!(
        (count(&s, "/wso2/manager"), count(&s, "/wso2/worker")),
        (2, 4),
        "{s:?}"
    );
    membership.close();
}
