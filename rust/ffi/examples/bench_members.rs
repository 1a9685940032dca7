//! The Rust side of the boundary benchmark (tests/bench/ffi/run): the same discovery the C and
//! Python programs make, through the core directly, timed the same way.
//!
//! `bench_members ENDPOINT APPS ITERATIONS` prints `rust <mean µs per call> <members>`.

use std::time::Instant;

use core_api::membership::Membership;
use core_api::Config;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, endpoint, apps, iterations] = args.as_slice() else {
        eprintln!("usage: bench_members ENDPOINT APPS ITERATIONS");
        std::process::exit(2);
    };
    let iterations: u32 = iterations.parse().expect("ITERATIONS is a number");
    let config = Config::from_map([
        ("MARATHON_ENDPOINT", endpoint.as_str()),
        ("MARATHON_APPLICATIONS", apps.as_str()),
    ])
    .expect("valid configuration");
    let membership = Membership::open(config).expect("client");
    // Warm up: connection pool, runtime threads.
    let members = membership
        .refresh_blocking()
        .expect("discovery")
        .members
        .len();
    let start = Instant::now();
    for _ in 0..iterations {
        let found = membership.refresh_blocking().expect("discovery");
        assert_eq!(found.members.len(), members);
    }
    let mean_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("rust {mean_us:.1} {members}");
}
