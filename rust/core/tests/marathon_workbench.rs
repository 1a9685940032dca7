//! Marathon discovery over real HTTP against the workbench: networking shapes per Marathon
//! version, task states, health, missing apps, auth, failover, redirects and deadlines.

mod support;

use std::time::{Duration, Instant};

use mesos_discovery::ErrorKind;
use mesos_discovery_workbench::{Fault, FaultRule, Side};
use support::*;

/// What a member list must be, computed independently from the workbench's own task table:
/// running/staging/starting tasks, agent host + first host port (host and bridge networking).
fn expected_host_members(wb: &mesos_discovery_workbench::Workbench, app: &str) -> Vec<String> {
    let mut want: Vec<String> = wb
        .admin()
        .tasks(app)
        .into_iter()
        .filter(|t| {
            matches!(
                t.state.as_str(),
                "TASK_RUNNING" | "TASK_STAGING" | "TASK_STARTING"
            )
        })
        .map(|t| format!("{}:{}", t.host, t.ports[0]))
        .collect();
    want.sort();
    want
}

#[test]
fn carbon_cluster_overlay_and_host_apps() {
    let wb = start(cluster_file("carbon.json"));
    let found = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager,wso2/worker"),
    ])
    .unwrap();
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let managers: Vec<_> = found
        .members
        .iter()
        .filter(|m| m.app_id == "/wso2/manager")
        .collect();
    let workers: Vec<_> = found
        .members
        .iter()
        .filter(|m| m.app_id == "/wso2/worker")
        .collect();
    assert_eq!(managers.len(), 2);
    for m in &managers {
        let task = wb
            .admin()
            .tasks("/wso2/manager")
            .into_iter()
            .find(|t| t.id == m.task_id)
            .unwrap();
        assert_eq!(
            m.host, task.ip_addresses[0],
            "overlay app: the container IP"
        );
        assert_eq!(
            m.port, 4000,
            "overlay app: the container port of the first mapping"
        );
    }
    let mut got: Vec<String> = workers.iter().map(|m| m.host_port()).collect();
    got.sort();
    assert_eq!(got, expected_host_members(&wb, "/wso2/worker"));
    assert_eq!(workers.len(), 3, "the staging worker is a member too");
    assert!(workers
        .iter()
        .any(|m| m.state == "TASK_STAGING" && m.healthy.is_none()));
    // Sorted, stable order.
    let mut sorted = found.members.clone();
    sorted.sort();
    assert_eq!(found.members, sorted);
}

#[test]
fn every_marathon_version_shape() {
    for file in [
        "marathon-1.1.json",
        "legacy-1.4.json",
        "marathon-1.5-bridge.json",
        "nested-groups.json",
        "carbon.json",
    ] {
        let wb = start(cluster_file(file));
        let apps: Vec<String> = app_ids(file);
        assert!(!apps.is_empty(), "{file}");
        let found = discover(&[
            ("MARATHON_ENDPOINT", &wb.url()),
            ("MARATHON_APPLICATIONS", &apps.join(",")),
        ])
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        for app in &apps {
            let tasks = wb.admin().tasks(app);
            let live = tasks.iter().filter(|t| {
                matches!(
                    t.state.as_str(),
                    "TASK_RUNNING" | "TASK_STAGING" | "TASK_STARTING"
                )
            });
            let got: Vec<_> = found.members.iter().filter(|m| &m.app_id == app).collect();
            // Each live task is a member unless a warning says why not.
            let warned = found
                .warnings
                .iter()
                .filter(|w| w.app_id.as_deref() == Some(app.as_str()))
                .count();
            assert_eq!(
                got.len() + warned,
                live.count(),
                "{file} {app}: {got:?} {:?}",
                found.warnings
            );
            for m in got {
                assert!(
                    !m.host.starts_with("172.17."),
                    "{file} {app}: bridge IP {m:?}"
                );
                let task = tasks
                    .iter()
                    .find(|t| t.id == m.task_id)
                    .unwrap_or_else(|| panic!("{file}: member {m:?} is no task"));
                if task.ports.is_empty() {
                    assert!(
                        task.ip_addresses.contains(&m.host),
                        "{file}: IP-per-task member {m:?} {task:?}"
                    );
                } else {
                    assert_eq!(
                        (m.host.as_str(), m.port),
                        (task.host.as_str(), task.ports[0]),
                        "{file}: {m:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn task_states_and_health() {
    let wb = start(cluster_file("task-states.json"));
    let url = wb.url();
    let found = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/carbon/node"),
    ])
    .unwrap();
    let mut states: Vec<&str> = found.members.iter().map(|m| m.state.as_str()).collect();
    states.sort();
    assert_eq!(
        states,
        vec![
            "TASK_RUNNING",
            "TASK_RUNNING",
            "TASK_RUNNING",
            "TASK_STAGING",
            "TASK_STARTING"
        ]
    );
    let health: Vec<Option<bool>> = found
        .members
        .iter()
        .filter(|m| m.state == "TASK_RUNNING")
        .map(|m| m.healthy)
        .collect();
    assert!(
        health.contains(&Some(true)) && health.contains(&Some(false)) && health.contains(&None),
        "{health:?}"
    );

    let healthy_only = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/carbon/node"),
        ("MESOS_DISCOVERY_HEALTHY_ONLY", "true"),
    ])
    .unwrap();
    assert_eq!(
        healthy_only.members.len(),
        4,
        "only the unhealthy one is dropped; unknown is kept"
    );
    assert!(healthy_only
        .members
        .iter()
        .all(|m| m.healthy != Some(false)));

    // Flip a healthy task to unhealthy over the admin API: it drops out with healthy-only.
    let victim = found
        .members
        .iter()
        .find(|m| m.healthy == Some(true))
        .unwrap()
        .task_id
        .clone();
    wb.admin().set_health(&victim, Some(false)).unwrap();
    let after = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/carbon/node"),
        ("MESOS_DISCOVERY_HEALTHY_ONLY", "true"),
    ])
    .unwrap();
    assert_eq!(after.members.len(), 3);
    assert!(after.members.iter().all(|m| m.task_id != victim));
}

#[test]
fn missing_app_is_a_warning_all_missing_is_an_error() {
    let wb = start(cluster_file("carbon.json"));
    let found = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker,/wso2/nope"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 3);
    assert_eq!(found.warnings.len(), 1);
    assert_eq!(found.warnings[0].app_id.as_deref(), Some("/wso2/nope"));
    assert!(
        found.warnings[0]
            .message
            .contains("App '/wso2/nope' does not exist"),
        "{:?}",
        found.warnings
    );

    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/nope,/gone"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        e.message().contains("/nope") && e.message().contains("/gone"),
        "{e}"
    );
}

#[test]
fn port_index_and_name() {
    let wb = start(cluster_file("carbon.json"));
    let url = wb.url();
    let by_name = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/manager"),
        ("HAZELCAST_PORT_NAME", "https"),
    ])
    .unwrap();
    assert!(
        by_name.members.iter().all(|m| m.port == 9443),
        "{:?}",
        by_name.members
    );
    let by_index = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("HAZELCAST_PORT_INDEX", "1"),
    ])
    .unwrap();
    for m in &by_index.members {
        let task = wb
            .admin()
            .tasks("/wso2/worker")
            .into_iter()
            .find(|t| t.id == m.task_id)
            .unwrap();
        assert_eq!(m.port, task.ports[1]);
    }
    let bad = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("HAZELCAST_PORT_NAME", "jmx"),
    ])
    .unwrap();
    assert!(bad.members.is_empty());
    assert_eq!(bad.warnings.len(), 3);
    assert!(
        bad.warnings[0]
            .message
            .contains("no port named \"jmx\" (named ports: hazelcast, https)"),
        "{:?}",
        bad.warnings
    );
}

#[test]
fn basic_and_token_auth() {
    let wb = start(cluster_file("auth-basic.json"));
    let url = wb.url();
    let ok = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", "carbon"),
        ("MARATHON_PASSWORD", "s3cret pass"),
    ])
    .unwrap();
    assert_eq!(ok.members.len(), 1);

    wb.admin().reset_stats();
    let started = Instant::now();
    let e = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", "carbon"),
        ("MARATHON_PASSWORD", "wrong-pw"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(
        e.message().contains("401") && !e.message().contains("wrong-pw"),
        "{e}"
    );
    assert_eq!(wb.admin().total_requests(), 1, "no retry storm on 401");
    assert!(started.elapsed() < Duration::from_secs(2));
    let e = discover(&[
        ("MARATHON_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/node"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);

    let wb = start(cluster_file("auth-token.json"));
    let apps = app_ids("auth-token.json").join(",");
    let token = mesos_discovery_workbench::Cluster::from_file(format!(
        "{}/../../tests/clusters/auth-token.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .auth
    .token
    .unwrap();
    let ok = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", &apps),
        ("MARATHON_AUTH_TOKEN", &token),
    ])
    .unwrap();
    assert!(!ok.members.is_empty());
    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", &apps),
        ("MARATHON_AUTH_TOKEN", "not-the-token"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(!e.message().contains("not-the-token"));
}

#[test]
fn failover_from_refused_and_5xx_endpoints() {
    let good = start(cluster_file("carbon.json"));
    let sick = start(cluster_file("carbon.json"));
    sick.admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::Status {
                status: 503,
                body: None,
                content_type: None,
            },
        ))
        .unwrap();
    let endpoints = format!("{},{},{}", dead_url(), sick.url(), good.url());
    let found = discover(&[
        ("MARATHON_ENDPOINT", &endpoints),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 3);
    assert!(
        sick.admin().total_requests() >= 1,
        "the sick endpoint was tried"
    );

    // Every endpoint failing: a clear error after the retries, naming the last failure.
    let e = discover(&[
        (
            "MARATHON_ENDPOINT",
            &format!("{},{}", dead_url(), sick.url()),
        ),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_RETRIES", "2"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
    assert!(e.message().contains("503"), "{e}");
    assert_eq!(
        sick.admin().total_requests(),
        1 + 3,
        "one round, then 2 retries"
    );

    let e = discover(&[
        ("MARATHON_ENDPOINT", &dead_url()),
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_RETRIES", "1"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(e.message().contains("cannot connect"), "{e}");
}

#[test]
fn no_leader_502_then_recovers_within_retries() {
    let wb = start(cluster_file("carbon.json"));
    wb.admin()
        .add_fault(FaultRule::once(
            Side::Marathon,
            Fault::Status {
                status: 502,
                body: None,
                content_type: None,
            },
        ))
        .unwrap();
    let found = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 3);
}

#[test]
fn redirects_are_followed_and_loops_stop() {
    let leader = start(cluster_file("carbon.json"));
    let standby = start(cluster_file("carbon.json"));
    standby
        .admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::Redirect {
                location: format!("{}/v2/apps/wso2/worker", leader.url()),
            },
        ))
        .unwrap();
    let found = discover(&[
        ("MARATHON_ENDPOINT", &standby.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 3);

    let looping = start(cluster_file("carbon.json"));
    looping
        .admin()
        .add_fault(FaultRule::always(Side::Marathon, Fault::RedirectLoop))
        .unwrap();
    let e = discover(&[
        ("MARATHON_ENDPOINT", &looping.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ])
    .unwrap_err();
    assert!(e.message().contains("redirect"), "{e}");
}

#[test]
fn hanging_server_hits_the_deadline() {
    let wb = start(cluster_file("carbon.json"));
    wb.admin()
        .add_fault(FaultRule::always(Side::Marathon, Fault::Hang))
        .unwrap();
    let started = Instant::now();
    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "0.5"),
        ("MESOS_DISCOVERY_DEADLINE", "1.5"),
    ])
    .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn broken_bodies_are_clear_errors() {
    let wb = start(cluster_file("carbon.json"));
    let url = wb.url();
    let base = [
        ("MARATHON_ENDPOINT", url.as_str()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ];

    wb.admin()
        .add_fault(FaultRule::always(Side::Marathon, Fault::Truncate))
        .unwrap();
    let e = discover(&base).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(
        e.message().contains("/v2/apps/wso2/worker")
            && (e.message().contains("broke off") || e.message().contains("closed")),
        "{e}"
    );
    wb.admin().clear_faults();

    wb.admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::Oversized {
                bytes: 3 << 20,
                chunked: true,
            },
        ))
        .unwrap();
    let mut capped = base.to_vec();
    capped.push(("MESOS_DISCOVERY_MAX_RESPONSE_BYTES", "1048576"));
    let e = discover(&capped).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.message().contains("larger than 1048576 bytes"), "{e}");
    wb.admin().clear_faults();

    wb.admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::DeepNesting { depth: 100_000 },
        ))
        .unwrap();
    let e = discover(&base).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    wb.admin().clear_faults();

    wb.admin()
        .add_fault(FaultRule::always(Side::Marathon, Fault::InvalidUtf8))
        .unwrap();
    let e = discover(&base).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.message().contains("/wso2/worker"), "{e}");
}

/// A membership used once (`refresh_once`, as the CLI and `discover` use it) answers as one
/// kept for later: the same members, warnings and errors; the kept one publishes them.
#[test]
fn a_membership_used_once_answers_as_one_kept() {
    let wb = start(cluster_file("carbon.json"));
    let url = wb.url();
    for apps in ["/wso2/manager,/wso2/worker,/wso2/nope", "/nope,/gone"] {
        let config = mesos_discovery::Config::from_map([
            ("MARATHON_ENDPOINT", url.as_str()),
            ("MARATHON_APPLICATIONS", apps),
        ])
        .unwrap();
        let kept = mesos_discovery::Membership::open(config.clone()).unwrap();
        let once = mesos_discovery::Membership::open(config).unwrap();
        match (kept.refresh_blocking(), once.refresh_once_blocking()) {
            (Ok(a), Ok(b)) => {
                assert!(!a.members.is_empty() && !a.warnings.is_empty(), "{a:?}");
                assert_eq!(a, b);
                assert_eq!(&kept.snapshot().members[..], &a.members[..]);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.kind(), ErrorKind::NotFound);
                assert_eq!((a.kind(), a.message()), (b.kind(), b.message()));
            }
            other => panic!("{apps}: {other:?}"),
        }
    }
}
