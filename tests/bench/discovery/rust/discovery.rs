//! `discovery-bench URL APPS ROUNDS [SCHEME]`: discovers APPS (comma-separated) from the
//! workbench at URL ROUNDS times in one process (one membership, so connections are reused, as a
//! long-lived caller would), after one warm-up, and prints one JSON line:
//! `{"members": N, "seconds": [...]}`.

use std::time::Instant;

use mesos_discovery::{Config, Membership};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: discovery-bench URL APPS ROUNDS [Marathon|MesosDNS]");
        std::process::exit(2);
    }
    let scheme = args.get(4).map(String::as_str).unwrap_or("Marathon");
    let config = Config::from_map([
        ("MESOS_MEMBER_DISCOVERY_SCHEME", scheme),
        ("MARATHON_ENDPOINT", args[1].as_str()),
        ("MESOS_DNS_ENDPOINT", args[1].as_str()),
        ("MARATHON_APPLICATIONS", args[2].as_str()),
    ])
    .unwrap_or_else(|e| {
        eprintln!("discovery-bench: {e}");
        std::process::exit(2)
    });
    let rounds: usize = args[3].parse().expect("ROUNDS is a number");
    let membership = Membership::open(config).expect("client");
    let warm = membership.refresh_blocking().expect("warm-up discovery");
    let mut seconds = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let found = membership.refresh_blocking().expect("discovery");
        seconds.push(started.elapsed().as_secs_f64());
        assert_eq!(found.members.len(), warm.members.len());
    }
    println!(
        "{}",
        serde_json::json!({"members": warm.members.len(), "seconds": seconds})
    );
}
