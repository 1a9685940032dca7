//! The `members` CLI contract: flags, JSON fields, formats, exit codes, env precedence.

use std::process::{Command, Output};

use mesos_discovery_workbench::{Cluster, Workbench};
use serde_json::Value;

fn carbon() -> Workbench {
    let path = format!(
        "{}/../../tests/clusters/carbon.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Workbench::start(Cluster::from_file(path).unwrap()).unwrap()
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mesos-discovery"));
    cmd.arg("members").args(args);
    // A clean slate: no configuration keys inherited from the test runner's environment.
    for key in mesos_discovery::config::KNOWN_KEYS {
        cmd.env_remove(key);
    }
    cmd.env("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1")
        .env("MESOS_DISCOVERY_DEADLINE", "5");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn json_output_has_the_contract_fields_in_stable_order() {
    let wb = carbon();
    let out = run(
        &[
            "--marathon",
            &wb.url(),
            "--apps",
            "/wso2/manager,/wso2/worker",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let members: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(members.len(), 5);
    for m in &members {
        let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        for k in ["host", "port", "app_id", "task_id", "state", "healthy"] {
            assert!(keys.contains(&k), "{k} missing in {m}");
        }
        assert!(m["port"].is_u64() && m["host"].is_string());
        assert!(m["healthy"].is_boolean() || m["healthy"].is_null());
    }
    let again = run(
        &[
            "--marathon",
            &wb.url(),
            "--apps",
            "/wso2/worker,/wso2/manager",
        ],
        &[],
    );
    assert_eq!(
        stdout(&again),
        stdout(&out),
        "same members, same bytes, whatever the app order"
    );
}

#[test]
fn hostport_format_and_mesos_dns_scheme() {
    let wb = carbon();
    let out = run(
        &[
            "--scheme",
            "mesos-dns",
            "--mesos-dns",
            &wb.url(),
            "--apps",
            "wso2/worker",
            "--format",
            "hostport",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "two running workers: {lines:?}");
    for l in lines {
        let (host, port) = l.rsplit_once(':').unwrap();
        assert!(host.starts_with("10.0.1."), "{l}");
        port.parse::<u16>().unwrap();
    }
}

#[test]
fn warnings_go_to_stderr_and_exit_zero() {
    let wb = carbon();
    let out = run(
        &[
            "--marathon",
            &wb.url(),
            "--apps",
            "/wso2/worker,/wso2/missing",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("/wso2/missing"), "{}", stderr(&out));
    let members: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(members.len(), 3);
}

#[test]
fn set_takes_any_key_and_env_fills_in() {
    let wb = carbon();
    let url = wb.url();
    let out = run(
        &[
            "--set",
            &format!("MARATHON_ENDPOINT={url}"),
            "--set",
            "HAZELCAST_PORT_NAME=https",
            "--format",
            "hostport",
        ],
        &[("MARATHON_APPLICATIONS", "/wso2/manager")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().all(|l| l.ends_with(":9443")),
        "{}",
        stdout(&out)
    );
    // Flags win over the environment.
    let out = run(
        &["--marathon", &url, "--apps", "/wso2/worker"],
        &[
            ("MARATHON_ENDPOINT", "http://127.0.0.1:9"),
            ("MARATHON_APPLICATIONS", "/wso2/manager"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let members: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(members.iter().all(|m| m["app_id"] == "/wso2/worker"));
}

#[test]
fn usage_and_config_errors_exit_2_naming_the_cause() {
    for (args, needle) in [
        (
            vec!["--apps", "a", "--set", "MARATHON_ENDPIONT=http://x"],
            "MARATHON_ENDPIONT",
        ),
        (
            vec!["--apps", "a", "--marathon", "marathon:8080"],
            "MARATHON_ENDPOINT",
        ),
        (
            vec!["--apps", "a", "--set", "DNS_UPDATE_TIMEOUT=soon"],
            "DNS_UPDATE_TIMEOUT=\"soon\"",
        ),
        (vec!["--apps", "a", "--set", "noequals"], "KEY=VALUE"),
        (
            vec!["--apps", "a", "--set", "MARATHON_APPLICATIONS=b"],
            "given twice",
        ),
        (vec!["--format", "yaml", "--apps", "a"], "yaml"),
        (vec![], "MARATHON_APPLICATIONS"),
    ] {
        let out = run(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn password_is_never_echoed() {
    let out = run(
        &[
            "--apps",
            "a",
            "--set",
            "ENABLE_MARATHON_BASIC_AUTH=true",
            "--set",
            "MARATHON_PASSWORD=hunter2",
            "--set",
            "MARATHON_ENDPOINT=http://127.0.0.1:9",
            "--set",
            "MESOS_DISCOVERY_RETRIES=0",
            "--log-level",
            "trace",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "no username: a config error");
    assert!(!stderr(&out).contains("hunter2"));
    // A mistyped pair (':' for '=') must not be echoed back either.
    let out = run(&["--apps", "a", "--set", "MARATHON_PASSWORD:hunter2"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("KEY=VALUE") && !stderr(&out).contains("hunter2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreachable_marathon_exits_1() {
    let out = run(
        &[
            "--marathon",
            "http://127.0.0.1:9",
            "--apps",
            "a",
            "--set",
            "MESOS_DISCOVERY_RETRIES=0",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("http://127.0.0.1:9/v2/apps/a"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn watch_prints_the_full_set_then_changes() {
    use std::io::{BufRead, BufReader};
    let wb = carbon();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mesos-discovery"));
    for key in mesos_discovery::config::KNOWN_KEYS {
        cmd.env_remove(key);
    }
    let mut child = cmd
        .args([
            "members",
            "--watch",
            "--marathon",
            &wb.url(),
            "--apps",
            "/wso2/worker",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["added"].as_array().unwrap().len(), 3);
    assert_eq!(first["removed"].as_array().unwrap().len(), 0);
    assert_eq!(
        first.as_object().unwrap().len(),
        2,
        "exactly added and removed: {first}"
    );
    let victim = first["added"][0]["task_id"].as_str().unwrap().to_string();
    wb.admin().kill_task(&victim, true).unwrap();
    let next: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(next["removed"][0]["task_id"], victim.as_str());
    assert!(next["added"].as_array().unwrap().is_empty());
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A one-answer HTTP server on 127.0.0.1: every request gets `body` as JSON; the request lines
/// it saw come back through the receiver. For answers the workbench never gives (it publishes
/// only well-formed records).
fn serve_raw(body: &'static str) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (seen, requests) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            // The rest of the head; a GET has no body.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = seen.send(request_line.trim_end().to_string());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, requests)
}

#[test]
fn mesos_dns_srv_target_dot_is_no_member() {
    // Issue 16: an SRV target of "." (RFC 2782: not available) was printed as a member with an
    // empty task id.
    let (url, requests) = serve_raw(
        r#"[{"service": "_worker-wso2._tcp.marathon.mesos.", "host": ".", "ip": "10.0.1.11", "port": "31914"}]"#,
    );
    let out = run(
        &[
            "--scheme",
            "mesos-dns",
            "--mesos-dns",
            &url,
            "--apps",
            "/wso2/worker",
        ],
        &[("DNS_UPDATE_TIMEOUT", "1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let members: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(members.is_empty(), "{members:?}");
    let err = stderr(&out);
    assert!(
        err.contains("_worker-wso2._tcp.marathon.mesos.") && err.contains("no SRV target"),
        "a warning names the record: {err}"
    );
    assert_eq!(
        requests.recv().unwrap(),
        "GET /v1/services/_worker-wso2._tcp.marathon.mesos. HTTP/1.1"
    );
}
