//! The `leader` CLI contract against a real ZooKeeper: output shapes, `--all`, `--watch`,
//! exit codes (0 answered, 1 not reached, 2 bad URL), no password in any output.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use mesos_discovery_testkit::master::{self, AclMode};
use mesos_discovery_testkit::{FakeMaster, Format, ZkServer};
use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mesos-discovery"))
        .arg("leader")
        .args(args)
        .env_remove("MESOS_DISCOVERY_LOG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Registers a fake master like Mesos does and keeps its session until dropped/closed.
fn register(
    rt: &tokio::runtime::Runtime,
    zk: &ZkServer,
    format: Format,
    id: &str,
    ip: &str,
) -> mesos_discovery_testkit::zookeeper_client::Client {
    rt.block_on(async {
        let client = master::connect(&zk.address(), None, Duration::from_secs(30))
            .await
            .unwrap();
        let fake = FakeMaster::new(id, ip.parse().unwrap(), 5050);
        master::join(
            &client,
            "/mesos",
            format.prefix(),
            &fake.encode(format),
            false,
            AclMode::Mesos,
        )
        .await
        .unwrap();
        client
    })
}

#[test]
fn bad_urls_exit_2_without_echoing_passwords() {
    for url in [
        "http://h/mesos",
        "zk://h:2181/",
        "zk://user:@h/mesos",
        "zk://u:topsecret@h:x/mesos",
    ] {
        let out = cli(&["--zk", url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(
            !text(&out.stderr).contains("topsecret"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = cli(&["--zk", "zk://h/mesos", "--all", "--watch"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cli(&["--zk", "zk://h/mesos", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_zookeeper_exits_1() {
    let port = mesos_discovery_testkit::free_port().unwrap();
    let url = format!("zk://u:topsecret@127.0.0.1:{port}/mesos");
    for extra in [&[][..], &["--all"], &["--watch"]] {
        let mut args = vec!["--zk", url.as_str(), "--timeout", "1"];
        args.extend_from_slice(extra);
        let out = cli(&args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        assert!(
            text(&out.stderr).contains(&format!("127.0.0.1:{port}")),
            "{}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("topsecret"));
    }
}

#[test]
fn leader_all_and_no_leader() {
    let zk = ZkServer::start().expect("ZooKeeper (apt-get install zookeeper)");
    let url = zk.url("/mesos");

    let out = cli(&["--zk", &url]);
    assert_eq!(
        (out.status.code(), text(&out.stdout).as_str()),
        (Some(0), "null\n")
    );
    let out = cli(&["--zk", &url, "--all"]);
    assert_eq!(
        (out.status.code(), text(&out.stdout).as_str()),
        (Some(0), "[]\n")
    );

    let rt = runtime();
    let a = register(&rt, &zk, Format::Json, "a", "10.0.0.1");
    let _b = register(&rt, &zk, Format::Protobuf, "b", "10.0.0.2");
    let _c = register(&rt, &zk, Format::Upid, "c", "10.0.0.3");

    let out = cli(&["--zk", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let leader: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(leader["id"], "a");
    assert_eq!(leader["ip"], "10.0.0.1");
    assert_eq!(leader["port"], 5050);
    assert_eq!(leader["format"], "json");
    assert_eq!(leader["leader"], true);
    assert_eq!(leader["znode"], "/mesos/json.info_0000000000");
    assert_eq!(leader["sequence"], 0);
    for key in ["hostname", "pid", "version", "domain", "capabilities"] {
        assert!(leader.get(key).is_some(), "{key} missing in {leader}");
    }

    let out = cli(&["--zk", &url, "--all"]);
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let shape: Vec<(String, bool)> = all
        .iter()
        .map(|m| {
            (
                m["format"].as_str().unwrap().to_string(),
                m["leader"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("json".into(), true),
            ("protobuf".into(), false),
            ("upid".into(), false)
        ]
    );

    rt.block_on(master::close(a));
    let out = cli(&["--zk", &url]);
    let leader: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(leader["id"], "b");
}

#[test]
fn watch_prints_one_line_per_change() {
    let zk = ZkServer::start().expect("ZooKeeper (apt-get install zookeeper)");
    let rt = runtime();
    let a = register(&rt, &zk, Format::Json, "a", "10.0.0.1");
    let b = register(&rt, &zk, Format::Json, "b", "10.0.0.2");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mesos-discovery"))
        .args([
            "leader",
            "--zk",
            &zk.url("/mesos"),
            "--watch",
            "--timeout",
            "30",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || -> Value { serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap() };
    assert_eq!(next()["id"], "a");
    rt.block_on(master::close(a));
    assert_eq!(next()["id"], "b");
    rt.block_on(master::close(b));
    assert_eq!(next(), Value::Null);
    let _c = register(&rt, &zk, Format::Protobuf, "c", "10.0.0.3");
    assert_eq!(next()["id"], "c");
    child.kill().unwrap();
    child.wait().unwrap();
}
