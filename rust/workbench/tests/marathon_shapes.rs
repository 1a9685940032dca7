//! Marathon bodies per version shape: keys present/absent, order, ids, errors, leadership.

mod common;

use common::{get, get_with, start_file, start_json};
use serde_json::Value;

/// Key order as sent (serde_json sorts, so read it from the raw text).
fn key_order(raw: &str, object_start: &str) -> Vec<String> {
    let start = raw.find(object_start).expect("object present");
    let mut depth = 0;
    let mut out = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = start;
    let mut in_string = false;
    let mut token_start = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_string = false;
                if depth == 1 && bytes.get(i + 1) == Some(&b':') {
                    out.push(raw[token_start..i].to_string());
                }
            }
        } else {
            match c {
                b'"' => {
                    in_string = true;
                    token_start = i + 1;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    out
}

#[test]
fn v1_10_running_task_has_every_array_and_raml_order() {
    let wb = start_file("carbon.json");
    let r = get(&wb, "/v2/apps/wso2/manager");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("X-Marathon-Leader"), Some(wb.url().as_str()));
    let raw = r.text();
    let order = key_order(&raw, "{\"appId\"");
    assert_eq!(
        order,
        [
            "appId",
            "healthCheckResults",
            "host",
            "id",
            "ipAddresses",
            "ports",
            "servicePorts",
            "slaveId",
            "state",
            "stagedAt",
            "startedAt",
            "version",
            "localVolumes",
            "role"
        ]
    );
    let app = &r.json()["app"];
    assert_eq!(app["id"], "/wso2/manager");
    assert_eq!(
        app["networks"],
        serde_json::json!([{"name": "dcos", "mode": "container"}])
    );
    let mapping = &app["container"]["portMappings"][0];
    assert_eq!(mapping["containerPort"], 4000);
    assert!(
        mapping.get("hostPort").is_none(),
        "no host port on the overlay: {mapping}"
    );
    let task = &app["tasks"][0];
    assert_eq!(task["ports"], serde_json::json!([]));
    assert_eq!(task["ipAddresses"][0]["protocol"], "IPv4");
    assert!(task["ipAddresses"][0]["ipAddress"]
        .as_str()
        .unwrap()
        .starts_with("9.0."));
    let id = task["id"].as_str().unwrap();
    assert!(
        id.starts_with("wso2_manager.instance-") && id.ends_with("._app.1"),
        "{id}"
    );
    let health = &task["healthCheckResults"][0];
    assert_eq!(
        key_order(&raw, "{\"alive\""),
        [
            "alive",
            "consecutiveFailures",
            "firstSuccess",
            "instanceId",
            "lastSuccess"
        ]
    );
    assert_eq!(health["instanceId"], id.trim_end_matches("._app.1"));
}

#[test]
fn v1_10_staging_task_omits_started_at_and_has_empty_results() {
    let wb = start_file("carbon.json");
    let app = get(&wb, "/v2/apps/wso2/worker").json();
    let staging: Vec<&Value> = app["app"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "TASK_STAGING")
        .collect();
    assert_eq!(staging.len(), 1);
    let task = staging[0];
    assert!(task.get("startedAt").is_none());
    assert!(task.get("stagedAt").is_some());
    assert_eq!(task["healthCheckResults"], serde_json::json!([]));
    assert_eq!(task["ipAddresses"], serde_json::json!([]));
    assert_eq!(
        task["ports"].as_array().unwrap().len(),
        2,
        "host ports are allocated at staging"
    );
    assert_eq!(app["app"]["tasksStaged"], 1);
    assert_eq!(app["app"]["tasksRunning"], 2);
    assert_eq!(app["app"]["portDefinitions"][0]["name"], "hazelcast");
}

#[test]
fn inactive_tasks_have_no_ports_or_times_and_states_render() {
    let wb = start_file("task-states.json");
    let tasks = get(&wb, "/v2/apps/carbon/node/tasks").json();
    let tasks = tasks["tasks"].as_array().unwrap();
    let states: Vec<&str> = tasks.iter().map(|t| t["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        [
            "TASK_STAGING",
            "TASK_STARTING",
            "TASK_RUNNING",
            "TASK_RUNNING",
            "TASK_RUNNING",
            "TASK_KILLING",
            "TASK_UNREACHABLE",
            "TASK_FAILED"
        ]
    );
    let failed = &tasks[7];
    assert_eq!(failed["ports"], serde_json::json!([]));
    for key in ["stagedAt", "startedAt", "version"] {
        assert!(
            failed.get(key).is_none(),
            "{key} on a failed task: {failed}"
        );
    }
    let unhealthy = &tasks[3]["healthCheckResults"][0];
    assert_eq!(unhealthy["alive"], false);
    assert!(unhealthy["consecutiveFailures"].as_u64().unwrap() > 0);
    assert!(unhealthy.get("lastSuccess").is_none());
    assert_eq!(unhealthy["lastFailureCause"], "500 Internal Server Error");
    assert_eq!(tasks[4]["healthCheckResults"], serde_json::json!([]));
    let killing = &tasks[5];
    assert_eq!(killing["ports"].as_array().unwrap().len(), 1);
    assert!(killing.get("startedAt").is_some());
}

#[test]
fn v1_5_shape_nulls_and_omissions() {
    let wb = start_file("marathon-1.5-bridge.json");
    let r = get(&wb, "/v2/apps/nginx-green");
    let raw = r.text();
    let app = &r.json()["app"];
    assert_eq!(
        app["networks"],
        serde_json::json!([{"mode": "container/bridge"}])
    );
    assert!(app.get("portDefinitions").is_none());
    assert_eq!(app["container"]["portMappings"][0]["hostPort"], 0);
    assert_eq!(app["container"]["portMappings"][0]["servicePort"], 10000);
    let task = &app["tasks"][0];
    assert_eq!(
        key_order(&raw, "{\"ipAddresses\""),
        [
            "ipAddresses",
            "stagedAt",
            "state",
            "ports",
            "startedAt",
            "version",
            "id",
            "appId",
            "slaveId",
            "host",
            "healthCheckResults"
        ]
    );
    assert!(task.get("servicePorts").is_none());
    let bridge_ip = task["ipAddresses"][0]["ipAddress"].as_str().unwrap();
    assert!(bridge_ip.starts_with("172.17."), "{bridge_ip}");
    assert_eq!(task["ports"].as_array().unwrap().len(), 1);
    let health = &task["healthCheckResults"][0];
    assert_eq!(
        key_order(&raw, "{\"alive\""),
        [
            "alive",
            "consecutiveFailures",
            "firstSuccess",
            "lastFailure",
            "lastSuccess",
            "lastFailureCause",
            "instanceId"
        ]
    );
    assert!(health["lastFailure"].is_null());
    assert!(health["lastFailureCause"].is_null());
    let id = task["id"].as_str().unwrap();
    let uuid = id.strip_prefix("nginx-green.").unwrap();
    assert_eq!(health["instanceId"], format!("nginx-green.marathon-{uuid}"));
    // No result yet: the key is absent in 1.5.
    assert!(app["tasks"][2].get("healthCheckResults").is_none());
    // Container network with and without host ports.
    let overlay = &get(&wb, "/v2/apps/carbon/overlay").json()["app"];
    let mappings = overlay["container"]["portMappings"].as_array().unwrap();
    assert!(mappings[0].get("hostPort").is_none());
    assert_eq!(mappings[1]["hostPort"], 0);
    assert_eq!(overlay["tasks"][0]["ports"].as_array().unwrap().len(), 1);
}

#[test]
fn v1_4_legacy_networking_and_task_id_health() {
    let wb = start_file("legacy-1.4.json");
    let host = &get(&wb, "/v2/apps/carbon/host").json()["app"];
    assert!(host.get("networks").is_none());
    assert!(host["container"].is_null());
    assert!(host["ipAddress"].is_null());
    assert_eq!(host["portDefinitions"].as_array().unwrap().len(), 2);
    let task = &host["tasks"][0];
    assert_eq!(task["state"], "TASK_RUNNING");
    assert_eq!(task["host"], "agent-1.example.com");
    let health = &task["healthCheckResults"][0];
    assert_eq!(health["taskId"], task["id"]);
    assert!(health.get("instanceId").is_none());
    assert!(health["lastFailure"].is_null());
    assert_eq!(host["tasks"][1]["healthCheckResults"][0]["alive"], false);

    let bridge = &get(&wb, "/v2/apps/carbon/bridge").json()["app"];
    assert_eq!(bridge["container"]["docker"]["network"], "BRIDGE");
    assert_eq!(
        bridge["container"]["docker"]["portMappings"][0]["containerPort"],
        5701
    );
    assert!(bridge["container"].get("portMappings").is_none());
    assert!(
        bridge["tasks"][1]["startedAt"].is_null(),
        "staging: startedAt null in ≤1.5"
    );

    let overlay = &get(&wb, "/v2/apps/carbon/overlay-docker").json()["app"];
    assert_eq!(overlay["container"]["docker"]["network"], "USER");
    assert_eq!(overlay["ipAddress"]["networkName"], "dcos");
    assert_eq!(
        overlay["ipAddress"]["discovery"]["ports"],
        serde_json::json!([])
    );
    assert_eq!(overlay["tasks"][0]["ports"], serde_json::json!([]));

    let mesos = &get(&wb, "/v2/apps/carbon/overlay-mesos").json()["app"];
    assert_eq!(mesos["container"]["type"], "MESOS");
    assert_eq!(
        mesos["ipAddress"]["discovery"]["ports"],
        serde_json::json!([{"number": 5701, "name": "hazelcast", "protocol": "tcp"}])
    );
    let id = mesos["tasks"][0]["id"].as_str().unwrap();
    assert!(
        id.starts_with("carbon_overlay-mesos.") && !id.contains("instance-"),
        "{id}"
    );
}

#[test]
fn v1_1_tasks_have_no_state() {
    let wb = start_file("marathon-1.1.json");
    let tasks = get(&wb, "/v2/tasks").json();
    let task = &tasks["tasks"][0];
    assert!(task.get("state").is_none());
    assert_eq!(task["servicePorts"], serde_json::json!([9000]));
    assert!(task["healthCheckResults"][0]
        .get("lastFailureCause")
        .is_none());
    assert!(task["healthCheckResults"][0].get("taskId").is_some());
    let app = &get(&wb, "/v2/apps/bridged-webapp").json()["app"];
    assert_eq!(app["ports"], serde_json::json!([9000]));
}

#[test]
fn unknown_app_and_group_errors() {
    let wb = start_file("nested-groups.json");
    let r = get(&wb, "/v2/apps/not_existent");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        r#"{"message":"App '/not_existent' does not exist"}"#
    );
    let r = get(&wb, "/v2/apps/nope/tasks");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "App '/nope' does not exist");
    let r = get(&wb, "/v2/apps/nope/*");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "Group '/nope' does not exist");
    // Encoded and trailing-slash forms name the same app.
    assert_eq!(get(&wb, "/v2/apps/%2Fprod%2Fother").status, 200);
    assert_eq!(get(&wb, "/v2/apps/prod/other/").status, 200);
}

#[test]
fn group_listing_and_filters() {
    let wb = start_file("nested-groups.json");
    let group = get(&wb, "/v2/apps/prod/carbon/*").json();
    let ids: Vec<&str> = group["*"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["/prod/carbon/manager", "/prod/carbon/worker"]);
    assert!(group["*"][0]["tasks"].is_array());

    let all = get(&wb, "/v2/apps").json();
    assert_eq!(all["apps"].as_array().unwrap().len(), 4);
    assert!(
        all["apps"][0].get("tasks").is_none(),
        "tasks only with embed"
    );
    assert!(
        all["apps"][0].get("tasksRunning").is_some(),
        "counts always"
    );
    assert!(all["apps"][0].get("deployments").is_some());
    for embed in ["apps.tasks", "tasks", "app.tasks", "group.apps.tasks"] {
        let r = get(&wb, &format!("/v2/apps?embed={embed}")).json();
        assert!(r["apps"][1]["tasks"].is_array(), "embed={embed}");
    }
    let filtered = get(&wb, "/v2/apps?id=carbon/manager&embed=apps.tasks").json();
    assert_eq!(filtered["apps"].as_array().unwrap().len(), 2);
}

#[test]
fn tasks_status_filter() {
    let wb = start_file("task-states.json");
    let count = |path: &str| get(&wb, path).json()["tasks"].as_array().unwrap().len();
    assert_eq!(count("/v2/tasks"), 8);
    assert_eq!(count("/v2/tasks?status=running"), 3);
    assert_eq!(count("/v2/tasks?status=staging"), 1);
    assert_eq!(count("/v2/tasks?status[]=running&status[]=staging"), 4);
}

#[test]
fn ping_leader_info() {
    let wb = start_file("carbon.json");
    let r = get(&wb, "/ping");
    assert_eq!((r.status, r.text().as_str()), (200, "pong"));
    assert_eq!(
        r.header("Content-Type"),
        Some("text/plain;charset=ISO-8859-1")
    );
    let r = get_with(&wb, "/ping", &[("Accept", "application/json")]);
    assert_eq!((r.status, r.text().as_str()), (200, "\"pong\""));
    let r = get_with(&wb, "/ping", &[("Accept", "image/png")]);
    assert_eq!(r.status, 204);
    let leader = get(&wb, "/v2/leader").json();
    assert_eq!(leader["leader"], wb.addr().to_string());
    let info = get(&wb, "/v2/info").json();
    assert_eq!(info["version"], "1.10.17");
    assert_eq!(info["elected"], true);
    assert_eq!(info["leader"], wb.addr().to_string());
}

#[test]
fn no_leader_is_502_on_1_10_and_503_before() {
    for (file, status) in [("carbon.json", 502), ("legacy-1.4.json", 503)] {
        let wb = start_file(file);
        wb.admin().set_no_leader();
        let r = get(&wb, "/v2/apps");
        assert_eq!(r.status, status, "{file}");
        assert_eq!(
            r.header("Content-Type"),
            Some("text/html;charset=ISO-8859-1")
        );
        assert!(r
            .text()
            .contains("<pre>    Could not determine the current leader</pre>"));
        assert!(r.header("X-Marathon-Leader").is_none());
        let r = get(&wb, "/v2/leader");
        assert_eq!(r.status, 404);
        assert_eq!(r.json()["message"], "There is no leader");
        wb.admin().set_leader_self();
        assert_eq!(get(&wb, "/v2/apps").status, 200);
    }
}

#[test]
fn standby_names_the_leader_and_redirects_events() {
    let wb = start_file("carbon.json");
    wb.admin().set_leader_url("http://10.0.0.2:8080");
    let r = get(&wb, "/v2/apps/wso2/manager");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Marathon-Leader"), Some("http://10.0.0.2:8080"));
    assert!(r.header("X-Marathon-Via").is_some());
    assert_eq!(get(&wb, "/v2/leader").json()["leader"], "10.0.0.2:8080");
    let r = get_with(
        &wb,
        "/v2/events?event_type=status_update_event",
        &[("Accept", "text/event-stream")],
    );
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("Location"),
        Some("http://10.0.0.2:8080/v2/events?event_type=status_update_event")
    );
}

#[test]
fn same_seed_same_bytes_and_dcos_prefix() {
    let a = start_file("carbon.json");
    let b = start_file("carbon.json");
    for path in ["/v2/apps?embed=apps.tasks", "/v2/tasks", "/v1/enumerate"] {
        assert_eq!(get(&a, path).body, get(&b, path).body, "{path}");
    }
    assert_eq!(
        get(&a, "/service/marathon/v2/apps/wso2/worker").body,
        get(&a, "/v2/apps/wso2/worker").body
    );
    let other_seed =
        start_json(r#"{"seed": 99, "apps": [{"id": "/wso2/worker", "instances": 1}]}"#);
    let x = get(&other_seed, "/v2/tasks").json();
    assert_ne!(
        x["tasks"][0]["id"],
        get(&a, "/v2/tasks").json()["tasks"][0]["id"]
    );
}

#[test]
fn hostile_paths_never_break_the_server() {
    let wb = start_file("carbon.json");
    for path in [
        "/v2/apps/%",
        "/v2/apps/%ff%fe",
        "/v2/apps/..",
        "/v2/apps//",
        "/v2/apps/*",
        "/v2/apps/a/b/../c",
        "/v2/apps/x%00y",
        "/v1/services/%",
        "/v1/services/",
        "/v1/hosts/%zz",
        "/v1/hosts/a/ports",
        "/v2/tasks?status=%%",
        "/v2/apps?label=((((",
        "/v2/apps?label=a in (b,c),d!=e",
        "/nothing",
        "/_workbench/nothing",
        "/v2/events?event_type=%ff",
    ] {
        let r = get(&wb, path);
        assert!(r.status >= 200 && r.status < 600, "{path}");
    }
    assert_eq!(get(&wb, "/v2/apps/wso2/manager").status, 200);
}
