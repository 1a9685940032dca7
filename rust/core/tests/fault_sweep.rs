//! Every fault the workbench can inject, on the Marathon and the Mesos-DNS side: alone, each
//! ends in a clear error within the configured deadline (never a hang, never a panic); with a
//! healthy second endpoint configured, each fails over to it and discovery succeeds.

mod support;

use std::time::{Duration, Instant};

use mesos_discovery::ErrorKind;
use mesos_discovery_workbench::{Fault, FaultRule, Side};
use support::*;

fn faults() -> Vec<(&'static str, Fault, &'static [ErrorKind])> {
    use ErrorKind::*;
    vec![
        (
            "502 Jetty page",
            Fault::Status {
                status: 502,
                body: None,
                content_type: None,
            },
            &[Unavailable],
        ),
        (
            "503 Jetty page",
            Fault::Status {
                status: 503,
                body: None,
                content_type: None,
            },
            &[Unavailable],
        ),
        (
            "401 HTML challenge",
            Fault::Status {
                status: 401,
                body: None,
                content_type: None,
            },
            &[Auth],
        ),
        ("hang", Fault::Hang, &[Timeout]),
        ("truncated body", Fault::Truncate, &[Network]),
        (
            "oversized body",
            Fault::Oversized {
                bytes: 8 << 20,
                chunked: true,
            },
            &[Protocol],
        ),
        (
            "oversized, announced",
            Fault::Oversized {
                bytes: 8 << 20,
                chunked: false,
            },
            &[Protocol],
        ),
        ("invalid UTF-8", Fault::InvalidUtf8, &[Protocol]),
        (
            "JSON bomb",
            Fault::DeepNesting { depth: 1_000_000 },
            &[Protocol],
        ),
        ("redirect loop", Fault::RedirectLoop, &[Network]),
        ("connection closed", Fault::Close, &[Network]),
    ]
}

fn scheme_pairs(side: Side, url: &str) -> Vec<(&'static str, String)> {
    match side {
        Side::MesosDns => vec![
            ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS".to_string()),
            ("MESOS_DNS_ENDPOINT", url.to_string()),
        ],
        _ => vec![("MARATHON_ENDPOINT", url.to_string())],
    }
}

fn run(side: Side, url: &str) -> mesos_discovery::Result<mesos_discovery::Discovery> {
    let mut pairs = scheme_pairs(side, url);
    pairs.extend([
        ("MARATHON_APPLICATIONS", "/wso2/worker".to_string()),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "1".to_string()),
        ("MESOS_DISCOVERY_DEADLINE", "3".to_string()),
        ("MESOS_DISCOVERY_RETRIES", "1".to_string()),
        ("MESOS_DISCOVERY_MAX_RESPONSE_BYTES", "4194304".to_string()),
    ]);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    discover(&borrowed)
}

#[test]
fn each_fault_alone_is_a_clear_error_within_the_deadline() {
    for side in [Side::Marathon, Side::MesosDns] {
        for (name, fault, kinds) in faults() {
            let wb = start(cluster_file("carbon.json"));
            wb.admin()
                .add_fault(FaultRule::always(side, fault))
                .unwrap();
            let started = Instant::now();
            let e = run(side, &wb.url()).expect_err(name);
            let took = started.elapsed();
            assert!(
                kinds.contains(&e.kind()),
                "{side:?} {name}: {:?}: {e}",
                e.kind()
            );
            assert!(
                took < Duration::from_secs(5),
                "{side:?} {name}: took {took:?}"
            );
            assert!(
                e.message().contains("127.0.0.1") || e.kind() == ErrorKind::Timeout,
                "{side:?} {name}: names the endpoint: {e}"
            );
        }
    }
}

#[test]
fn each_fault_fails_over_to_a_healthy_endpoint() {
    for side in [Side::Marathon, Side::MesosDns] {
        for (name, fault, kinds) in faults() {
            if kinds.contains(&ErrorKind::Auth) || kinds.contains(&ErrorKind::Protocol) {
                // Refused credentials and undecodable answers are not an endpoint being down:
                // they are reported at once rather than hidden by another endpoint.
                continue;
            }
            let sick = start(cluster_file("carbon.json"));
            let good = start(cluster_file("carbon.json"));
            sick.admin()
                .add_fault(FaultRule::always(side, fault))
                .unwrap();
            let started = Instant::now();
            let found = run(side, &format!("{},{}", sick.url(), good.url()))
                .unwrap_or_else(|e| panic!("{side:?} {name}: {e}"));
            assert!(!found.members.is_empty(), "{side:?} {name}");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{side:?} {name}: {:?}",
                started.elapsed()
            );
        }
    }
}
