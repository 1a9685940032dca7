//! Mesos-DNS discovery over real HTTP against the workbench: naming, one member per task,
//! named ports, the `.slave` zone for host mode, the wait loop and its timeout.

mod support;

use std::time::{Duration, Instant};

use mesos_discovery::ErrorKind;
use mesos_discovery_workbench::{Fault, FaultRule, Side};
use support::*;

fn running(
    wb: &mesos_discovery_workbench::Workbench,
    app: &str,
) -> Vec<mesos_discovery_workbench::TaskInfo> {
    wb.admin()
        .tasks(app)
        .into_iter()
        .filter(|t| t.state == "TASK_RUNNING")
        .collect()
}

#[test]
fn carbon_cluster_one_member_per_running_task() {
    let wb = start(cluster_file("carbon.json"));
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
    ])
    .unwrap();
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    // Mesos-DNS publishes running tasks only: the staging worker is not there.
    let workers: Vec<_> = found
        .members
        .iter()
        .filter(|m| m.app_id == "/wso2/worker")
        .collect();
    let mut want: Vec<String> = running(&wb, "/wso2/worker")
        .iter()
        .map(|t| format!("{}:{}", t.agent_ip, t.ports.iter().min().unwrap()))
        .collect();
    want.sort();
    let mut got: Vec<String> = workers.iter().map(|m| m.host_port()).collect();
    got.sort();
    assert_eq!(got, want, "lowest port of each task, at the agent IP");
    // The overlay manager: the task's container IP and container port (the lowest, 4000).
    let managers: Vec<_> = found
        .members
        .iter()
        .filter(|m| m.app_id == "/wso2/manager")
        .collect();
    assert_eq!(managers.len(), 2);
    let ips: Vec<String> = running(&wb, "/wso2/manager")
        .iter()
        .map(|t| t.ip_addresses[0].clone())
        .collect();
    for m in managers {
        assert!(ips.contains(&m.host), "{m:?} not in {ips:?}");
        assert_eq!(m.port, 4000);
        assert_eq!(m.healthy, None);
        assert!(m.task_id.ends_with(".marathon.mesos"), "{m:?}");
    }
}

#[test]
fn two_tasks_on_one_agent_are_two_members() {
    let wb = start(cluster(
        r#"{"apps": [{"id": "/wso2/node", "network": "host",
        "ports": [{"name": "hazelcast"}, {"name": "https"}],
        "tasks": [{"agent": "10.0.1.11"}, {"agent": "10.0.1.11"}, {"agent": "10.0.1.12"}]}]}"#,
    ));
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "mesosdns"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "wso2/node"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 3, "{:?}", found.members);
    let on_11 = found
        .members
        .iter()
        .filter(|m| m.host == "10.0.1.11")
        .count();
    assert_eq!(
        on_11, 2,
        "the original kept one member per app; we keep one per task"
    );
}

#[test]
fn named_port_queries_the_named_record() {
    let wb = start(cluster_file("carbon.json"));
    wb.admin().reset_stats();
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager"),
        ("HAZELCAST_PORT_NAME", "https"),
    ])
    .unwrap();
    assert_eq!(found.members.len(), 2);
    assert!(
        found.members.iter().all(|m| m.port == 9443),
        "{:?}",
        found.members
    );
    assert_eq!(
        wb.admin()
            .requests("/v1/services/_https._manager-wso2._tcp.marathon.mesos."),
        1,
        "{:?}",
        wb.admin().request_counts()
    );
}

#[test]
fn host_mode_uses_the_agent_zone() {
    let wb = start(cluster_file("marathon-1.5-bridge.json"));
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/nginx-green"),
        ("MESOS_DISCOVERY_ADDRESS_MODE", "host"),
    ])
    .unwrap();
    let mut want: Vec<String> = running(&wb, "/nginx-green")
        .iter()
        .map(|t| format!("{}:{}", t.agent_ip, t.ports[0]))
        .collect();
    want.sort();
    let mut got = host_ports(&found);
    got.sort();
    assert_eq!(got, want);
    assert!(got.iter().all(|a| !a.starts_with("172.17.")));
}

#[test]
fn waits_for_records_then_gives_up_with_a_warning() {
    let wb = start(cluster(
        r#"{"apps": [
        {"id": "/wso2/a", "network": "host", "ports": [{}], "tasks": [{}]},
        {"id": "/wso2/b", "network": "host", "ports": [{}], "tasks": [{"state": "TASK_STAGING"}]}]}"#,
    ));
    let url = wb.url();
    // b never runs: after DNS_UPDATE_TIMEOUT, a's member and a warning for b.
    let started = Instant::now();
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/a,/wso2/b"),
        ("DNS_UPDATE_TIMEOUT", "1"),
    ])
    .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(found.members.len(), 1);
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0]
            .message
            .contains("_b-wso2._tcp.marathon.mesos."),
        "{:?}",
        found.warnings
    );

    // b starts running while we wait: it is found before the timeout.
    let admin = wb.admin();
    let task = admin.task_ids("/wso2/b")[0].clone();
    let flip = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        admin.set_task_state(&task, "TASK_RUNNING").unwrap();
    });
    let found = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &url),
        ("MARATHON_APPLICATIONS", "/wso2/a,/wso2/b"),
        ("DNS_UPDATE_TIMEOUT", "8"),
    ])
    .unwrap();
    flip.join().unwrap();
    assert_eq!(found.members.len(), 2, "{:?}", found.warnings);
    assert!(found.warnings.is_empty());
}

#[test]
fn not_mesos_dns_and_failures() {
    let wb = start(cluster_file("carbon.json"));
    wb.admin()
        .add_fault(FaultRule::always(
            Side::MesosDns,
            Fault::Status {
                status: 404,
                body: Some("404 page not found".into()),
                content_type: Some("text/plain".into()),
            },
        ))
        .unwrap();
    let e = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.message().contains("really Mesos-DNS"), "{e}");

    let e = discover(&[
        ("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"),
        ("MESOS_DNS_ENDPOINT", &dead_url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(e.message().starts_with("Mesos-DNS "), "{e}");
}
