//! The CLI in DC/OS strict mode and with Marathon found through ZooKeeper: `members` with
//! `DCOS_SERVICE_ACCOUNT_CREDENTIAL` in the environment, `--watch` across token expiries, and
//! `--marathon zk://…` against a real ZooKeeper. Output at `--log-level trace` never shows a
//! JWT (login token or auth token) nor the private key.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use mesos_discovery_testkit::dcos::{credential_json, KeyPair};
use mesos_discovery_testkit::marathon_leader::{self, Layout};
use mesos_discovery_testkit::{master, ZkServer};
use mesos_discovery_workbench::{AcsSpec, Cluster, ServiceAccountSpec, Workbench, ACS_LOGIN_PATH};
use serde_json::Value;

const UID: &str = "carbon-cli";

fn carbon() -> Cluster {
    let path = format!(
        "{}/../../tests/clusters/carbon.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Cluster::from_file(path).unwrap()
}

fn strict(keys: &KeyPair, lifetime_secs: u64) -> Workbench {
    let mut cluster = carbon();
    cluster.auth.acs = Some(AcsSpec {
        service_accounts: vec![ServiceAccountSpec {
            uid: UID.into(),
            public_key: keys.public_pem.clone(),
        }],
        token_lifetime_secs: lifetime_secs,
    });
    Workbench::start(cluster).unwrap()
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mesos-discovery"));
    cmd.args(["--log-level", "trace", "members"]).args(args);
    for key in mesos_discovery::config::KNOWN_KEYS {
        cmd.env_remove(key);
    }
    cmd.env_remove("MESOS_DISCOVERY_LOG")
        .env("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1")
        .env("MESOS_DISCOVERY_DEADLINE", "10");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Neither a JWT (`eyJ…`, base64 of `{"`) nor a line of the private key's PEM body.
fn assert_no_secrets(text: &str, keys: &KeyPair) {
    assert!(!text.contains("eyJ"), "a JWT was shown:\n{text}");
    for line in keys.private_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line), "the private key was shown:\n{text}");
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn members_logs_in_with_the_credential_from_the_environment() {
    let keys = KeyPair::generate(false).unwrap();
    let wb = strict(&keys, 3600);
    let credential = credential_json(
        UID,
        &keys.private_pem,
        &format!("{}{ACS_LOGIN_PATH}", wb.url()),
    );
    let out = command(
        &[
            "--marathon",
            &wb.url(),
            "--apps",
            "/wso2/manager,/wso2/worker",
        ],
        &[("DCOS_SERVICE_ACCOUNT_CREDENTIAL", &credential)],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let members: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 1);
    assert_no_secrets(&text(&out), &keys);

    // A refused login: exit 1, the login endpoint named, nothing secret shown.
    let other = KeyPair::generate(false).unwrap();
    let login = format!("{}{ACS_LOGIN_PATH}", wb.url());
    let credential = credential_json(UID, &other.private_pem, &login);
    let out = command(
        &["--marathon", &wb.url(), "--apps", "/wso2/manager"],
        &[("DCOS_SERVICE_ACCOUNT_CREDENTIAL", &credential)],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&login), "{}", text(&out));
    assert_no_secrets(&text(&out), &other);

    // A malformed credential: exit 2, the field named.
    let out = command(
        &["--marathon", &wb.url(), "--apps", "/wso2/manager"],
        &[(
            "DCOS_SERVICE_ACCOUNT_CREDENTIAL",
            r#"{"uid": "x", "login_endpoint": "https://leader.mesos/acs/api/v1/auth/login"}"#,
        )],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("\"private_key\" is missing"),
        "{}",
        text(&out)
    );
}

#[test]
fn watch_survives_token_expiry() {
    let keys = KeyPair::generate(true).unwrap();
    let wb = strict(&keys, 3);
    let credential = credential_json(
        UID,
        &keys.private_pem,
        &format!("{}{ACS_LOGIN_PATH}", wb.url()),
    );
    let mut child = command(
        &["--watch", "--marathon", &wb.url(), "--apps", "/wso2/worker"],
        &[("DCOS_SERVICE_ACCOUNT_CREDENTIAL", &credential)],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["added"].as_array().unwrap().len(), 3);
    // Two token lifetimes later, a kill still arrives.
    std::thread::sleep(Duration::from_secs(7));
    let victim = first["added"][0]["task_id"].as_str().unwrap().to_string();
    wb.admin().kill_task(&victim, true).unwrap();
    let next: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(next["removed"][0]["task_id"], victim.as_str());
    // The change may come from the event itself; the refetch confirming it needs a new token.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while wb.admin().requests(ACS_LOGIN_PATH) < 2 {
        assert!(std::time::Instant::now() < deadline, "no renewed login");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(wb.admin().token_refusals(), 0);
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_no_secrets(&String::from_utf8_lossy(&out.stderr), &keys);
}

#[test]
fn marathon_from_zookeeper() {
    let server = ZkServer::start().expect("ZooKeeper (apt-get install zookeeper)");
    let wb = Workbench::start(carbon()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _registration = runtime.block_on(async {
        let client = master::connect(&server.address(), None, Duration::from_secs(30))
            .await
            .unwrap();
        let host_port = format!("127.0.0.1:{}", wb.addr().port());
        marathon_leader::register(&client, "/marathon", Layout::Curator, &host_port, false)
            .await
            .unwrap();
        client
    });
    let out = command(
        &[
            "--marathon",
            &server.url("/marathon"),
            "--apps",
            "/wso2/manager,/wso2/worker",
            "--format",
            "hostport",
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);

    // Nobody registered under another path: exit 1 with a clear message after the deadline.
    let out = command(
        &[
            "--marathon",
            &server.url("/other"),
            "--apps",
            "/wso2/manager",
        ],
        &[("MESOS_DISCOVERY_DEADLINE", "2")],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no Marathon leader"), "{}", text(&out));
}
