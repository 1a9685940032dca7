//! Every example cluster in tests/clusters loads and serves both APIs.

mod common;

use mesos_discovery_workbench::{Cluster, Workbench};

#[test]
fn every_example_cluster_serves() {
    let dir = common::cluster_file("");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        count += 1;
        let cluster = Cluster::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let apps: Vec<String> = cluster.apps.iter().map(|a| a.id.clone()).collect();
        let wb = Workbench::start(cluster).unwrap();
        let auth = [(
            "Authorization",
            "token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl",
        )];
        let basic = format!(
            "Basic {}",
            mesos_discovery_workbench::encode_base64(b"carbon:s3cret pass")
        );
        let headers: &[(&str, &str)] = if path.ends_with("auth-token.json") {
            &auth
        } else if path.ends_with("auth-basic.json") {
            &[("Authorization", basic.as_str())]
        } else {
            &[]
        };
        for app in &apps {
            let r = common::get_with(&wb, &format!("/v2/apps{app}"), headers);
            assert_eq!(r.status, 200, "{}: {app}", path.display());
            assert_eq!(r.json()["app"]["id"], app.as_str());
        }
        let r = common::get_with(&wb, "/v1/enumerate", headers);
        assert_eq!(r.status, 200, "{}", path.display());
        r.json();
    }
    assert!(
        count >= 5,
        "found {count} cluster files in {}",
        dir.display()
    );
}

#[test]
fn bad_descriptions_are_refused_with_a_reason() {
    for (json, reason) in [
        ("{", "cluster description"),
        (
            r#"{"apps": [{"id": "/a", "instances": 1, "ports": [{"name": "x", "protocol": "sctp"}]}]}"#,
            "protocol",
        ),
        (
            r#"{"apps": [{"id": "/a", "tasks": [{"state": "TASK_WHATEVER"}]}]}"#,
            "unknown task state",
        ),
        (
            r#"{"apps": [{"id": "/a", "tasks": [{"ip_addresses": ["nope"]}]}]}"#,
            "not an IP",
        ),
        (
            r#"{"apps": [{"id": "/a", "ports": [{"name": "x"}], "tasks": [{"ports": [1, 2]}]}]}"#,
            "ports given",
        ),
        (
            r#"{"apps": [{"id": "/a", "instances": 1, "tasks": [{}, {}]}]}"#,
            "tasks are listed",
        ),
        (
            r#"{"marathon": {"version": "2.0"}}"#,
            "expected one of `1.1`",
        ),
    ] {
        let err = Cluster::from_json_str(json)
            .and_then(Workbench::start)
            .map(|_| ())
            .unwrap_err();
        assert!(err.contains(reason), "{json}: {err}");
    }
}
