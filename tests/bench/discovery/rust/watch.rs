//! `watch-bench CHANGES [--no-apply-events]`: live membership through the Rust core against an
//! in-process workbench, events applied at once (or, with `--no-apply-events`, every change
//! waiting for its debounced refetch):
//! - scale-up → change callback and kill → change callback, CHANGES of each, each change
//!   paced until its confirming refetch is done, so the HTTP requests per change are honest;
//! - a burst of 40 tasks in one scale: the requests it cost and the time until the callback
//!   that completes the set.
//!
//! Requests are the workbench's app fetches (the event stream excluded). Prints one JSON line:
//! `{"scale_up": [s...], "kill": [s...], "requests_per_change": x, "burst": {"tasks": 40,
//! "requests": n, "seconds": s}}`.

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mesos_discovery::watch::MembershipChange;
use mesos_discovery::{Config, Membership};
use mesos_discovery_workbench::{Admin, Cluster, Workbench};

const APP: &str = "/wso2/worker";
const BURST: u32 = 40;
const WAIT: Duration = Duration::from_secs(30);

fn fetches(admin: &Admin) -> u64 {
    admin
        .request_counts()
        .iter()
        .filter(|(path, _)| !path.starts_with("/v2/events"))
        .map(|(_, n)| *n)
        .sum()
}

/// Waits until the app fetches reach `at_least`, or `limit` passes.
fn settle(admin: &Admin, at_least: u64, limit: Duration) {
    let deadline = Instant::now() + limit;
    while fetches(admin) < at_least && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The next change that touches the member set, and when it arrived.
fn next_change(rx: &mpsc::Receiver<(Instant, MembershipChange)>) -> (Instant, MembershipChange) {
    loop {
        let (at, change) = rx.recv_timeout(WAIT).expect("change callback in time");
        if !change.added.is_empty() || !change.removed.is_empty() {
            return (at, change);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let changes: u32 = args
        .get(1)
        .map(|a| a.parse().expect("CHANGES is a number"))
        .unwrap_or(200);
    let apply_events = !args.iter().any(|a| a == "--no-apply-events");
    let cluster = Cluster::from_json_str(
        r#"{"marathon": {"version": "1.10"}, "apps": [{"id": "/wso2/worker", "instances": 3, "network": "host", "ports": [{"name": "hazelcast"}]}]}"#,
    )
    .expect("cluster");
    let wb = Workbench::start(cluster).expect("workbench");
    let url = wb.url();
    let config = Config::from_map([
        ("MARATHON_ENDPOINT", url.as_str()),
        ("MARATHON_APPLICATIONS", APP),
        (
            "MESOS_DISCOVERY_APPLY_EVENTS",
            if apply_events { "true" } else { "false" },
        ),
    ])
    .expect("config");
    let membership = Membership::open(config).expect("membership");
    membership.watch().expect("watch");
    let (tx, rx) = mpsc::channel::<(Instant, MembershipChange)>();
    let tx = Mutex::new(tx);
    membership.subscribe(Box::new(move |change| {
        let _ = tx
            .lock()
            .map(|tx| tx.send((Instant::now(), change.clone())));
    }));
    rx.recv_timeout(WAIT).expect("the full set first");
    let admin = wb.admin();
    while admin.open_event_streams() == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Let the watch's own first look finish before counting.
    std::thread::sleep(Duration::from_millis(300));
    admin.reset_stats();

    let mut instances = admin.task_ids(APP).len() as u32;
    let mut scale_up = Vec::with_capacity(changes as usize);
    let mut kill = Vec::with_capacity(changes as usize);
    for _ in 0..changes {
        let before = fetches(&admin);
        let started = Instant::now();
        instances += 1;
        admin.scale(APP, instances).expect("scale");
        let (at, change) = next_change(&rx);
        assert_eq!(change.added.len(), 1, "{change:?}");
        scale_up.push(at.duration_since(started).as_secs_f64());
        // Paced: the change's refetch (confirming, or deciding) is done before the next one.
        settle(&admin, before + 1, Duration::from_secs(2));

        let before = fetches(&admin);
        let victim = admin.task_ids(APP).pop().expect("a task to kill");
        let started = Instant::now();
        admin.kill_task(&victim, true).expect("kill");
        instances -= 1;
        let (at, change) = next_change(&rx);
        assert_eq!(change.removed.len(), 1, "{change:?}");
        kill.push(at.duration_since(started).as_secs_f64());
        settle(&admin, before + 1, Duration::from_secs(2));
    }
    std::thread::sleep(Duration::from_millis(700));
    let requests = fetches(&admin);

    // A burst: 40 tasks launched by one scale.
    admin.reset_stats();
    let target = instances + BURST;
    let started = Instant::now();
    admin.scale(APP, target).expect("burst");
    let done = loop {
        let (at, change) = next_change(&rx);
        if change.members.len() == target as usize {
            break at;
        }
    };
    // Count the confirmations too.
    std::thread::sleep(Duration::from_millis(1500));
    let burst_requests = fetches(&admin);
    assert_eq!(membership.snapshot().members.len(), target as usize);

    println!(
        "{}",
        serde_json::json!({
            "apply_events": apply_events,
            "scale_up": scale_up,
            "kill": kill,
            "requests_per_change": requests as f64 / f64::from(2 * changes),
            "burst": {"tasks": BURST, "requests": burst_requests, "seconds": done.duration_since(started).as_secs_f64()},
        })
    );
    membership.close();
}
