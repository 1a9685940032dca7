//! The Rust side of `tests/bench/leader/run` (driven by `bench.py`):
//!
//! - `zk-leader-bench oneshot URL`: one one-shot detection (connect, read, close) per line
//!   read on stdin; answers each with the wall time in milliseconds and the leader's id (so
//!   the driver can interleave it with the other side's detections).
//! - `zk-leader-bench watch URL`: a `LeaderWatcher`; one line per change,
//!   `<unix time ns> <leader id or ->`, printed from its callback; ends at end of stdin.

use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mesos_discovery::zk::{self, DetectOptions, LeaderWatcher, ZkUrl};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: zk-leader-bench oneshot URL | watch URL";
    let (Some(mode), Some(url)) = (args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let url = ZkUrl::parse(url).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let opts = DetectOptions::default();
    match mode.as_str() {
        "oneshot" => {
            let stdin = std::io::stdin();
            let mut line = String::new();
            while stdin.read_line(&mut line).is_ok_and(|n| n > 0) {
                line.clear();
                let started = Instant::now();
                let leader = zk::leader_blocking(&url, &opts).unwrap_or_else(|e| {
                    eprintln!("{e}");
                    std::process::exit(1)
                });
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let id = leader.map_or("-".to_string(), |m| m.id);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{ms:.3} {id}");
                let _ = out.flush();
            }
        }
        "watch" => {
            let watcher = LeaderWatcher::start(url, opts).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
            watcher.subscribe(Box::new(|state| {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or(Duration::ZERO);
                let id = state.leader.as_ref().map_or("-", |m| m.id.as_str());
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{} {id}", now.as_nanos());
                let _ = out.flush();
            }));
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            watcher.close();
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
