//! `watch-bench CHANGES`: time from a workbench scale-up to the membership watcher's change
//! callback, over CHANGES scale-ups, against an in-process workbench; also counts the HTTP
//! requests the watcher made per change (the event stream itself excluded). Prints one JSON
//! line: `{"seconds": [...], "requests_per_change": x}`.

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mesos_discovery::{Config, MembershipWatcher};
use mesos_discovery_workbench::{Cluster, Workbench};

const APP: &str = "/wso2/worker";

fn main() {
    let changes: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("CHANGES is a number"))
        .unwrap_or(200);
    let cluster = Cluster::from_json_str(
        r#"{"marathon": {"version": "1.10"}, "apps": [{"id": "/wso2/worker", "instances": 3, "network": "host", "ports": [{"name": "hazelcast"}]}]}"#,
    )
    .expect("cluster");
    let wb = Workbench::start(cluster).expect("workbench");
    let url = wb.url();
    let config = Config::from_map([
        ("MARATHON_ENDPOINT", url.as_str()),
        ("MARATHON_APPLICATIONS", APP),
    ])
    .expect("config");
    let watcher = MembershipWatcher::start(config).expect("watcher");
    let (tx, rx) = mpsc::channel::<(Instant, usize)>();
    let tx = Mutex::new(tx);
    watcher.subscribe(Box::new(move |change| {
        let _ = tx
            .lock()
            .map(|tx| tx.send((Instant::now(), change.added.len())));
    }));
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the full set first");
    while wb.admin().open_event_streams() == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let admin = wb.admin();
    admin.reset_stats();
    let mut seconds = Vec::with_capacity(changes as usize);
    for i in 0..changes {
        let started = Instant::now();
        admin.scale(APP, 4 + i).expect("scale");
        loop {
            let (at, added) = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("change callback in time");
            if added > 0 {
                seconds.push(at.duration_since(started).as_secs_f64());
                break;
            }
        }
    }
    let requests: u64 = admin
        .request_counts()
        .iter()
        .filter(|(path, _)| !path.starts_with("/v2/events"))
        .map(|(_, n)| *n)
        .sum();
    println!(
        "{}",
        serde_json::json!({"seconds": seconds, "requests_per_change": requests as f64 / f64::from(changes)})
    );
    watcher.close();
}
