//! Mesos-DNS bodies: go-restful bytes, record names, what is (not) published.

mod common;

use std::path::PathBuf;

use common::{get, start_file, start_json};
use serde_json::Value;

/// The saved upstream file, when the shared folder sits beside the repository.
fn upstream(name: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/upstream-api/mesos-dns")
        .join(name);
    std::fs::read(path).ok()
}

const EMPTY_SERVICE: &str = "[\n  {\n   \"service\": \"\",\n   \"host\": \"\",\n   \"ip\": \"\",\n   \"port\": \"\"\n  }\n ]";
const EMPTY_HOST: &str = "[\n  {\n   \"host\": \"\",\n   \"ip\": \"\"\n  }\n ]";

#[test]
fn unknown_names_get_one_empty_record_exact_bytes() {
    let wb = start_file("carbon.json");
    let r = get(&wb, "/v1/services/_nothing._tcp.marathon.mesos.");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.text(), EMPTY_SERVICE);
    if let Some(saved) = upstream("v1_services_EMPTY.go-restful-bytes.json") {
        assert_eq!(r.body, saved);
    }
    let r = get(&wb, "/v1/hosts/nothing.mesos");
    assert_eq!(r.text(), EMPTY_HOST);
    if let Some(saved) = upstream("v1_hosts_EMPTY.go-restful-bytes.json") {
        assert_eq!(r.body, saved);
    }
}

#[test]
fn version_bytes_match_upstream() {
    let wb = start_file("carbon.json");
    let r = get(&wb, "/v1/version");
    assert_eq!(
        r.text(),
        "{\n  \"Service\": \"Mesos-DNS\",\n  \"URL\": \"https://github.com/mesosphere/mesos-dns\",\n  \"Version\": \"0.1.1\"\n }"
    );
    if let Some(saved) = upstream("v1_version.from_test.go-restful-bytes.json") {
        assert_eq!(r.body, saved);
    }
    let config = get(&wb, "/v1/config").json();
    assert_eq!(config["Domain"], "mesos");
    assert_eq!(
        config["IPSources"],
        serde_json::json!(["netinfo", "mesos", "host"])
    );
}

fn records(wb: &mesos_discovery_workbench::Workbench, name: &str) -> Vec<Value> {
    get(wb, &format!("/v1/services/{name}"))
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn overlay_tasks_publish_container_ip_and_port_under_every_name() {
    let wb = start_file("carbon.json");
    let tasks = wb.admin().tasks("/wso2/manager");
    for name in [
        "_manager-wso2._tcp.marathon.mesos.",
        "_hazelcast._manager-wso2._tcp.marathon.mesos.",
        "_manager.wso2._tcp.marathon.mesos.", // legacy raw DiscoveryInfo name
        "_hazelcast._manager.wso2._tcp.marathon.mesos",
    ] {
        let found = records(&wb, name);
        let hazelcast: Vec<&Value> = found.iter().filter(|r| r["port"] == "4000").collect();
        assert_eq!(hazelcast.len(), 2, "{name}: {found:?}");
        for (record, task) in hazelcast.iter().zip(&tasks) {
            assert_eq!(record["service"], name, "echoed as given");
            assert_eq!(record["ip"], task.ip_addresses[0]);
            let host = record["host"].as_str().unwrap();
            assert!(
                host.ends_with(".marathon.mesos.") && host.contains("-s"),
                "{host}"
            );
        }
    }
    // Named form only carries that port.
    assert!(
        records(&wb, "_hazelcast._manager-wso2._tcp.marathon.mesos.")
            .iter()
            .all(|r| r["port"] == "4000")
    );
    // No host ports on the overlay: nothing under .slave.
    assert_eq!(
        records(&wb, "_manager-wso2._tcp.marathon.slave.mesos.")[0]["host"],
        ""
    );
}

#[test]
fn host_tasks_publish_agent_ip_and_host_ports_running_only() {
    let wb = start_file("carbon.json");
    let tasks = wb.admin().tasks("/wso2/worker");
    let running: Vec<_> = tasks.iter().filter(|t| t.state == "TASK_RUNNING").collect();
    assert_eq!(running.len(), 2);
    let found = records(&wb, "_hazelcast._worker-wso2._tcp.marathon.mesos.");
    let ports: Vec<String> = found
        .iter()
        .map(|r| r["port"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = running.iter().map(|t| t.ports[0].to_string()).collect();
    assert_eq!(ports, expected, "staging tasks are not published");
    for (record, task) in found.iter().zip(&running) {
        assert_eq!(record["ip"], task.agent_ip);
    }
    let slave = records(&wb, "_worker-wso2._udp.marathon.slave.mesos.");
    assert_eq!(
        slave.len(),
        4,
        "both host ports of both running tasks: {slave:?}"
    );
    assert!(slave[0]["host"]
        .as_str()
        .unwrap()
        .ends_with(".marathon.slave.mesos."));
}

#[test]
fn case_wildcards_and_unhealthy_tasks() {
    let wb = start_file("task-states.json");
    // Running tasks only, health ignored: 3 running (healthy, unhealthy, unknown).
    assert_eq!(records(&wb, "_node-carbon._tcp.marathon.mesos.").len(), 3);
    assert_eq!(records(&wb, "_NODE-carbon._TCP.marathon.mesos").len(), 3);
    assert_eq!(records(&wb, "_node-carbon._tcp.marathon.*.mesos").len(), 3);
    let hosts = get(&wb, "/v1/hosts/NODE-carbon.marathon.mesos").json();
    let hosts = hosts.as_array().unwrap();
    assert_eq!(hosts.len(), 3, "{hosts:?}");
    assert_eq!(hosts[0]["host"], "node-carbon.marathon.mesos.");
}

#[test]
fn scaling_and_killing_change_the_records() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    admin.scale("/wso2/manager", 3).unwrap();
    assert_eq!(
        records(&wb, "_hazelcast._manager-wso2._tcp.marathon.mesos.").len(),
        3
    );
    let victim = admin.task_ids("/wso2/manager")[0].clone();
    admin.set_task_state(&victim, "killing").unwrap();
    assert_eq!(
        records(&wb, "_hazelcast._manager-wso2._tcp.marathon.mesos.").len(),
        2
    );
    admin.kill_task(&victim, true).unwrap();
    assert_eq!(admin.tasks("/wso2/manager").len(), 2);
    admin.delete_app("/wso2/manager").unwrap();
    assert_eq!(
        get(
            &wb,
            "/v1/services/_hazelcast._manager-wso2._tcp.marathon.mesos."
        )
        .text(),
        EMPTY_SERVICE
    );
}

#[test]
fn enumerate_lists_each_record_once_in_generation_order() {
    let wb = start_json(
        r#"{"seed": 1, "agents": [{"hostname": "10.10.0.93"}],
            "apps": [{"id": "/nginx", "instances": 1, "ports": [{"name": "nginx"}]}]}"#,
    );
    let body = get(&wb, "/v1/enumerate").json();
    let framework = &body["frameworks"][0];
    assert_eq!(framework["name"], "marathon");
    let task = &framework["tasks"][0];
    assert_eq!(task["name"], "nginx");
    let records: Vec<(String, String)> = task["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["rtype"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let canonical = records[1]
        .0
        .trim_end_matches(".marathon.mesos.")
        .to_string();
    // The same eight records, in the same order, as upstream's v1_enumerate.json.
    let expected = [
        ("nginx.marathon.mesos.".to_string(), "A"),
        (format!("{canonical}.marathon.mesos."), "A"),
        ("nginx.marathon.slave.mesos.".to_string(), "A"),
        (format!("{canonical}.marathon.slave.mesos."), "A"),
        ("_nginx._tcp.marathon.slave.mesos.".to_string(), "SRV"),
        ("_nginx._udp.marathon.slave.mesos.".to_string(), "SRV"),
        ("_nginx._tcp.marathon.mesos.".to_string(), "SRV"),
        ("_nginx._nginx._tcp.marathon.mesos.".to_string(), "SRV"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, t)| (n.clone(), t.to_string()))
        .collect();
    assert_eq!(records, expected);
    assert!(
        canonical.starts_with("nginx-") && canonical.ends_with("-s0"),
        "{canonical}"
    );
    // Indentation is go-restful's.
    assert!(get(&wb, "/v1/enumerate")
        .text()
        .starts_with("{\n  \"frameworks\": [\n   {\n    \"tasks\": ["));
}

#[test]
fn ip_sources_and_rfc952() {
    let wb = start_json(
        r#"{"mesos_dns": {"ip_sources": ["host", "netinfo"], "enforce_rfc952": true},
            "apps": [{"id": "/carbon/a-very-long-application-name", "instances": 1,
                      "network": "container", "ports": [{"name": "hazelcast", "container_port": 4000}]}]}"#,
    );
    let task = &wb.admin().tasks("/carbon/a-very-long-application-name")[0];
    let found = records(
        &wb,
        "_hazelcast._a-very-long-application._tcp.marathon.mesos.",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["ip"], task.agent_ip, "host first: the agent IP");
    assert_eq!(found[0]["port"], "4000");
}

#[test]
fn dcos_prefix_serves_mesos_dns() {
    let wb = start_file("carbon.json");
    assert_eq!(
        get(
            &wb,
            "/mesos_dns/v1/services/_worker-wso2._tcp.marathon.mesos."
        )
        .body,
        get(&wb, "/v1/services/_worker-wso2._tcp.marathon.mesos.").body
    );
}

#[test]
fn ipv6_task_addresses_become_aaaa_records() {
    let wb = start_json(
        r#"{"apps": [{"id": "/v6", "instances": 1, "network": "container",
                      "ports": [{"name": "hazelcast", "container_port": 5701}],
                      "tasks": [{"ip_addresses": ["fd00::12"]}]}]}"#,
    );
    let found = records(&wb, "_hazelcast._v6._tcp.marathon.mesos.");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["ip"], "fd00::12");
    let task = &get(&wb, "/v2/apps/v6").json()["app"]["tasks"][0];
    assert_eq!(task["ipAddresses"][0]["protocol"], "IPv6");
    let hosts = get(&wb, "/v1/hosts/v6.marathon.mesos").json();
    assert_eq!(hosts[0]["ip"], "fd00::12");
}
