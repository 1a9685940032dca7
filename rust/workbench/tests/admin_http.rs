//! The admin endpoint (`/_workbench/…`), as non-Rust tests drive it.

mod common;

use common::{get, post, request, start_file};

#[test]
fn bad_requests_are_400_and_unknown_things_404() {
    let wb = start_file("carbon.json");
    for (path, body) in [
        ("/_workbench/scale", "{not json"),
        ("/_workbench/scale", r#"{"app": "/wso2/manager"}"#),
        (
            "/_workbench/scale",
            r#"{"app": "/wso2/manager", "instances": -1}"#,
        ),
        (
            "/_workbench/scale",
            r#"{"app": "/wso2/manager", "instances": 1, "bogus": 1}"#,
        ),
        (
            "/_workbench/tasks/state",
            r#"{"task_id": "x", "state": "TASK_BOGUS"}"#,
        ),
        ("/_workbench/apps", r#"{"id": "/UPPER"}"#),
        ("/_workbench/apps", r#"{"id": "/wso2/manager"}"#),
        (
            "/_workbench/faults",
            r#"{"fault": {"kind": "status", "status": 42}}"#,
        ),
        ("/_workbench/leader", r#"{"leader": "ftp://x"}"#),
        (
            "/_workbench/events/emit",
            r#"{"event_type": "x", "data": [1]}"#,
        ),
    ] {
        let r = post(&wb, path, body);
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text());
        assert!(r.json()["error"].is_string());
    }
    for (path, body) in [
        ("/_workbench/scale", r#"{"app": "/nope", "instances": 1}"#),
        ("/_workbench/tasks/kill", r#"{"task_id": "nope"}"#),
        (
            "/_workbench/tasks/health",
            r#"{"task_id": "nope", "healthy": true}"#,
        ),
        ("/_workbench/apps/delete", r#"{"app": "/nope"}"#),
        ("/_workbench/nothing", "{}"),
    ] {
        assert_eq!(post(&wb, path, body).status, 404, "{path}");
    }
    assert_eq!(
        request(&wb, "DELETE", "/_workbench/faults/77", &[], "").status,
        404
    );
    assert_eq!(
        get(&wb, "/v2/apps/wso2/manager").status,
        200,
        "still serving"
    );
}

#[test]
fn drive_a_cluster_over_http() {
    let wb = start_file("carbon.json");
    let state = get(&wb, "/_workbench/state").json();
    assert_eq!(state["url"], wb.url());
    assert_eq!(state["apps"][0]["tasks"].as_array().unwrap().len(), 2);

    let r = post(
        &wb,
        "/_workbench/scale",
        r#"{"app": "/wso2/manager", "instances": 4, "task": {"state": "staging"}}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let tasks = get(&wb, "/v2/apps/wso2/manager/tasks").json();
    let states: Vec<&str> = tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "TASK_RUNNING",
            "TASK_RUNNING",
            "TASK_STAGING",
            "TASK_STAGING"
        ]
    );

    let r = post(
        &wb,
        "/_workbench/tasks",
        r#"{"app": "wso2/manager", "task": {"agent": "10.0.9.9", "ip_addresses": ["9.0.9.9"]}}"#,
    );
    let task_id = r.json()["task_id"].as_str().unwrap().to_string();
    let task = get(&wb, "/v2/tasks").json()["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(task["host"], "10.0.9.9");
    assert_eq!(task["ipAddresses"][0]["ipAddress"], "9.0.9.9");

    assert_eq!(
        post(
            &wb,
            "/_workbench/tasks/health",
            &format!(r#"{{"task_id": "{task_id}", "healthy": false}}"#)
        )
        .status,
        200
    );
    assert_eq!(
        get(&wb, "/v2/apps/wso2/manager").json()["app"]["tasksUnhealthy"],
        1
    );
    assert_eq!(
        post(
            &wb,
            "/_workbench/tasks/health",
            &format!(r#"{{"task_id": "{task_id}", "healthy": null}}"#)
        )
        .status,
        200
    );
    assert_eq!(
        get(&wb, "/v2/apps/wso2/manager").json()["app"]["tasksUnhealthy"],
        0
    );

    assert_eq!(
        post(
            &wb,
            "/_workbench/tasks/state",
            &format!(r#"{{"task_id": "{task_id}", "state": "TASK_FAILED", "message": "boom"}}"#)
        )
        .status,
        200
    );
    let app = get(&wb, "/v2/apps/wso2/manager").json();
    assert_eq!(app["app"]["lastTaskFailure"]["taskId"], task_id.as_str());
    assert_eq!(app["app"]["lastTaskFailure"]["message"], "boom");

    assert_eq!(
        post(
            &wb,
            "/_workbench/tasks/kill",
            &format!(r#"{{"task_id": "{task_id}"}}"#)
        )
        .status,
        200
    );
    assert_eq!(
        get(&wb, "/v2/apps/wso2/manager").json()["app"]["instances"],
        4
    );

    let r = post(
        &wb,
        "/_workbench/apps",
        r#"{"id": "/wso2/analytics", "instances": 1, "network": "bridge", "ports": [{"name": "hazelcast", "container_port": 5701}]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(&wb, "/v2/apps/wso2/analytics").status, 200);
    assert_eq!(
        post(
            &wb,
            "/_workbench/apps/delete",
            r#"{"app": "/wso2/analytics"}"#
        )
        .status,
        200
    );
    assert_eq!(get(&wb, "/v2/apps/wso2/analytics").status, 404);

    assert_eq!(
        post(&wb, "/_workbench/leader", r#"{"leader": "none"}"#).status,
        200
    );
    assert_eq!(get(&wb, "/v2/apps").status, 502);
    assert_eq!(
        post(&wb, "/_workbench/leader", r#"{"leader": "self"}"#).status,
        200
    );
    assert_eq!(get(&wb, "/v2/apps").status, 200);
}

#[test]
fn faults_over_http() {
    let wb = start_file("carbon.json");
    let r = post(
        &wb,
        "/_workbench/faults",
        r#"{"side": "mesos_dns", "path_prefix": "/v1/services", "fault": {"kind": "status", "status": 503}}"#,
    );
    let id = r.json()["id"].as_u64().unwrap();
    let listed = get(&wb, "/_workbench/faults").json();
    assert_eq!(listed["faults"][0]["rule"]["fault"]["status"], 503);
    assert_eq!(get(&wb, "/v1/services/x").status, 503);
    assert_eq!(get(&wb, "/v1/services/x").status, 503, "persistent");
    assert_eq!(
        request(&wb, "DELETE", &format!("/_workbench/faults/{id}"), &[], "").status,
        200
    );
    assert_eq!(get(&wb, "/v1/services/x").status, 200);
    post(
        &wb,
        "/_workbench/faults",
        r#"{"times": 1, "fault": {"kind": "close"}}"#,
    );
    post(&wb, "/_workbench/faults/clear", "");
    assert_eq!(get(&wb, "/ping").status, 200);
    assert_eq!(get(&wb, "/_workbench/events").json()["open_streams"], 0);
}
