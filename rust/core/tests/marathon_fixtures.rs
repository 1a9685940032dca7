//! Marathon selection against the upstream bodies in ../shared/upstream-api/marathon (Marathon
//! 1.1, 1.4, 1.5 and 1.10 shapes), read in place. Pure: no network.

mod shared_bodies;

use mesos_discovery::config::{AddressMode, PortSelector};
use mesos_discovery::marathon::members_of_app_body;
use mesos_discovery::marathon::select::SelectPolicy;
use serde_json::{json, Value};
use shared_bodies::Shared;

const MARATHON: &str = "upstream-api/marathon";

fn policy() -> SelectPolicy {
    SelectPolicy {
        address_mode: AddressMode::Auto,
        port: PortSelector::Index(0),
        healthy_only: false,
    }
}

/// Each app of a `{"apps": [...]}` list as the `{"app": ...}` body of `GET /v2/apps/{id}`.
fn app_bodies(list: &str) -> Vec<(String, Vec<u8>)> {
    let v: Value = serde_json::from_str(list).unwrap();
    v["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|app| {
            (
                app["id"].as_str().unwrap().to_string(),
                serde_json::to_vec(&json!({ "app": app })).unwrap(),
            )
        })
        .collect()
}

fn addresses(app_id: &str, body: &[u8], policy: &SelectPolicy) -> Vec<String> {
    let found = members_of_app_body(app_id, body, policy).unwrap();
    found.members.iter().map(|m| m.host_port()).collect()
}

#[test]
fn marathon_1_5_bridge_uses_agent_host_and_host_port_not_bridge_ip() {
    let Some(mut bodies) = Shared::open(
        "marathon_1_5_bridge_uses_agent_host_and_host_port_not_bridge_ip",
        MARATHON,
    ) else {
        return;
    };
    let apps = app_bodies(&bodies.text("v2_apps_embed_tasks_marathon15_bridge.json"));
    let (id, body) = &apps[0];
    assert_eq!(addresses(id, body, &policy()), vec!["10.0.2.148:1565"]);
    let found = members_of_app_body(id, body, &policy()).unwrap();
    assert_eq!(
        found.members[0].task_id,
        "pywebserver.8cad6a69-6ca8-11e7-beb2-0e2beceebfcc"
    );
    assert_eq!(
        found.members[0].healthy, None,
        "no healthCheckResults key: unknown"
    );
    // Port name from container.portMappings[].name works in bridge mode too.
    let named = SelectPolicy {
        port: PortSelector::Name("test".into()),
        ..policy()
    };
    assert_eq!(addresses(id, body, &named), vec!["10.0.2.148:1565"]);
}

#[test]
fn marathon_1_5_health_results() {
    let Some(mut bodies) = Shared::open("marathon_1_5_health_results", MARATHON) else {
        return;
    };
    let apps = app_bodies(&bodies.text("v2_apps_embed_tasks_marathon15_healthCheckResults.json"));
    let (id, body) = &apps[0];
    let found = members_of_app_body(id, body, &policy()).unwrap();
    assert_eq!(found.members.len(), 3);
    assert!(found
        .members
        .iter()
        .all(|m| m.healthy == Some(true) && m.host == "10.0.6.25"));
    let mut ports: Vec<u16> = found.members.iter().map(|m| m.port).collect();
    ports.sort();
    assert_eq!(ports, vec![16916, 23336, 31184]);
}

#[test]
fn pre_1_5_docker_bridge_tasks_without_state() {
    let Some(mut bodies) = Shared::open("pre_1_5_docker_bridge_tasks_without_state", MARATHON)
    else {
        return;
    };
    let apps = app_bodies(&bodies.text("v2_apps_embed_tasks_pre15_zdd.json"));
    let mut all = Vec::new();
    for (id, body) in &apps {
        let found = members_of_app_body(id, body, &policy()).unwrap();
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        assert!(
            found.members.iter().all(|m| m.state == "TASK_RUNNING"),
            "startedAt → running"
        );
        all.extend(
            found
                .members
                .iter()
                .map(|m| (m.app_id.clone(), m.host_port())),
        );
    }
    assert!(
        all.contains(&("/nginx-green".into(), "10.0.6.25:16916".into())),
        "{all:?}"
    );
    assert!(
        all.contains(&("/nginx-blue".into(), "10.0.1.147:25724".into())),
        "{all:?}"
    );
    assert!(
        all.iter().all(|(_, a)| !a.starts_with("172.17.")),
        "bridge IPs are never members"
    );
}

#[test]
fn marathon_1_4_app_page_with_comments() {
    let Some(mut bodies) = Shared::open("marathon_1_4_app_page_with_comments", MARATHON) else {
        return;
    };
    let page = bodies.text("v2_apps_appId.marathon1.4.with_comments.http.txt");
    let json_start = page.find('{').unwrap();
    // Strip the doc's `// ...` comments (outside strings) to get the JSON Marathon sent.
    let body: String = page[json_start..]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let found = members_of_app_body("/toggle", body.as_bytes(), &policy()).unwrap();
    assert_eq!(found.members.len(), 2, "{found:?}");
    for m in &found.members {
        assert_eq!(
            (m.app_id.as_str(), m.host.as_str(), m.state.as_str()),
            ("/toggle", "10.141.141.10", "TASK_RUNNING")
        );
        assert!(m.healthy.is_some());
    }
}

fn task_1_10(bodies: &mut Shared, template: &str, state: &str) -> Value {
    let text = bodies
        .text(template)
        .replace("${f.runSpecId}", "/carbon/overlay")
        .replace(
            "${f.taskWithMultipleIPs.task.taskId.idString}",
            "carbon_overlay.instance-1._app.1",
        )
        .replace(
            "${f.taskWithoutIp.task.taskId.idString}",
            "carbon_overlay.instance-2._app.1",
        );
    let mut v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{template}: {e}\n{text}"));
    v["state"] = json!(state);
    v
}

#[test]
fn marathon_1_10_ip_per_task_uses_first_ipv4_and_container_port() {
    let Some(mut bodies) = Shared::open(
        "marathon_1_10_ip_per_task_uses_first_ipv4_and_container_port",
        MARATHON,
    ) else {
        return;
    };
    let app = json!({"app": {
    "id": "/carbon/overlay",
    "networks": [{"mode": "container", "name": "dcos"}],
    "container": {"type": "MESOS", "portMappings": [
        {"containerPort": 4000, "name": "hazelcast", "protocol": "tcp", "servicePort": 10400},
        {"containerPort": 9443, "name": "https", "protocol": "tcp", "servicePort": 10443}]},
    "tasks": [
        task_1_10(&mut bodies, "task_json.marathon1.10.unit_test.with_multiple_ips.json.tmpl", "TASK_RUNNING"),
        task_1_10(&mut bodies, "task_json.marathon1.10.unit_test.without_ip.json.tmpl", "TASK_STAGING"),
    ]}});
    let body = serde_json::to_vec(&app).unwrap();
    let found = members_of_app_body("/carbon/overlay", &body, &policy()).unwrap();
    assert_eq!(
        found
            .members
            .iter()
            .map(|m| m.host_port())
            .collect::<Vec<_>>(),
        vec!["123.123.123.123:4000"]
    );
    assert_eq!(
        found.warnings.len(),
        1,
        "the task without an IP is skipped with a warning"
    );
    assert!(
        found.warnings[0].message.contains("no container IP"),
        "{:?}",
        found.warnings
    );
    let https = SelectPolicy {
        port: PortSelector::Name("https".into()),
        ..policy()
    };
    assert_eq!(
        addresses("/carbon/overlay", &body, &https),
        vec!["123.123.123.123:9443"]
    );
    // Forcing host mode: these tasks have no host ports, so nothing is a member.
    let host = SelectPolicy {
        address_mode: AddressMode::Host,
        ..policy()
    };
    let found = members_of_app_body("/carbon/overlay", &body, &host).unwrap();
    assert!(found.members.is_empty());
    assert_eq!(found.warnings.len(), 2);
}

#[test]
fn legacy_ip_address_discovery_ports() {
    let Some(mut bodies) = Shared::open("legacy_ip_address_discovery_ports", MARATHON) else {
        return;
    };
    let mut def: Value = serde_json::from_str(
        &bodies.text("app_definition_ipAddress_discovery_ports_networkName.json"),
    )
    .unwrap();
    def["tasks"] = json!([{ "id": "pinger.1", "appId": def["id"], "host": "10.0.0.5", "state": "TASK_RUNNING",
        "ports": [], "ipAddresses": [{"ipAddress": "fd00::5", "protocol": "IPv6"}, {"ipAddress": "9.0.1.5", "protocol": "IPv4"}] }]);
    let id = def["id"].as_str().unwrap().to_string();
    let body = serde_json::to_vec(&json!({ "app": def })).unwrap();
    assert_eq!(addresses(&id, &body, &policy()), vec!["9.0.1.5:7777"]);
}

#[test]
fn task_lists_from_other_endpoints_decode() {
    let Some(mut bodies) = Shared::open("task_lists_from_other_endpoints_decode", MARATHON) else {
        return;
    };
    // /v2/tasks and /v2/apps/{id}/tasks bodies share the task shape; every task decodes.
    for (file, app) in [
        ("v2_tasks.json", "/x"),
        ("v2_apps_appId_tasks.json", "/minecraft/survival-world"),
        ("v2_apps_appId_tasks.marathon1.1.json", "/my-app"),
        (
            "v2_tasks.marathon1.1.healthCheckResults.json",
            "/bridged-webapp",
        ),
    ] {
        let v: Value = serde_json::from_str(&bodies.text(file)).unwrap();
        let tasks = v["tasks"].as_array().unwrap();
        assert!(!tasks.is_empty());
        for t in tasks {
            let task = mesos_discovery::marathon::api::Task::from_value(t.clone(), app)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!task.ports.is_empty(), "{file}");
        }
    }
}
