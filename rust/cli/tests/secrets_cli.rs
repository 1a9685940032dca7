//! Secrets audit of the CLI: `--log-level trace` runs of `members` with basic auth and with a
//! DC/OS token through the workbench's faults, a refused endpoint and bad configuration, and of
//! `leader` with a ZooKeeper URL holding credentials that cannot connect. Neither the password
//! nor the token (nor their base64 forms) may appear on stdout or stderr. In DC/OS strict mode
//! (a service-account credential), no JWT and no line of the private key may appear either.

use std::process::{Command, Output};

use mesos_discovery_workbench::{encode_base64, Cluster, Fault, FaultRule, Side, Workbench};

const USER: &str = "carbon-user";
const PASSWORD: &str = "pw-9f3c1e7a";
const TOKEN: &str = "tok-51d2b8";

/// The secrets and, for each byte alignment, the base64 characters encoding only them.
fn forbidden() -> Vec<String> {
    let mut out = vec![PASSWORD.to_string(), TOKEN.to_string()];
    for secret in [PASSWORD, TOKEN, &format!("{USER}:{PASSWORD}")] {
        for pad in 0..3usize {
            let data = [&b"xxx"[..pad], secret.as_bytes()].concat();
            let encoded = encode_base64(&data);
            out.push(encoded[(8 * pad).div_ceil(6)..8 * data.len() / 6].to_string());
        }
    }
    out
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mesos-discovery"));
    cmd.args(["--log-level", "trace"]).args(args);
    for key in mesos_discovery::config::KNOWN_KEYS {
        cmd.env_remove(key);
    }
    cmd.env_remove("MESOS_DISCOVERY_LOG")
        .env("MESOS_DISCOVERY_CONNECT_TIMEOUT", "0.5")
        .env("MESOS_DISCOVERY_REQUEST_TIMEOUT", "0.5")
        .env("MESOS_DISCOVERY_DEADLINE", "1.5")
        .env("MESOS_DISCOVERY_RETRIES", "1")
        .env("MESOS_DISCOVERY_MAX_RESPONSE_BYTES", "65536");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn assert_clean(what: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in forbidden() {
        assert!(
            !stdout.contains(&secret) && !stderr.contains(&secret),
            "{what}: {secret:?} shown\nstdout: {stdout}\nstderr: {stderr}"
        );
    }
    stderr.into_owned()
}

fn basic_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", USER),
        ("MARATHON_PASSWORD", PASSWORD),
    ]
}

fn token_env() -> Vec<(&'static str, &'static str)> {
    vec![("MARATHON_AUTH_TOKEN", TOKEN)]
}

fn workbench(auth: &str) -> Workbench {
    let cluster = Cluster::from_json_str(&format!(
        r#"{{"auth": {auth},
            "apps": [{{"id": "/wso2/node", "instances": 2, "ports": [{{"name": "hazelcast"}}]}}]}}"#
    ))
    .unwrap();
    Workbench::start(cluster).unwrap()
}

fn faults() -> Vec<Fault> {
    let status = |status| Fault::Status {
        status,
        body: None,
        content_type: None,
    };
    vec![
        status(401),
        status(403),
        status(502),
        status(503),
        Fault::Hang,
        Fault::Truncate,
        Fault::Oversized {
            bytes: 200_000,
            chunked: true,
        },
        Fault::InvalidUtf8,
        Fault::DeepNesting { depth: 100_000 },
        Fault::RedirectLoop,
        Fault::Close,
        Fault::Delay { ms: 100 },
    ]
}

#[test]
fn members_with_basic_auth_or_token_never_prints_a_secret() {
    let basic = workbench(&format!(
        r#"{{"basic": {{"username": "{USER}", "password": "{PASSWORD}"}}}}"#
    ));
    let token = workbench(&format!(r#"{{"token": "{TOKEN}", "mesos_dns": true}}"#));
    for (name, wb, env, schemes) in [
        ("basic", &basic, basic_env(), &["marathon"][..]),
        ("token", &token, token_env(), &["marathon", "mesos-dns"][..]),
    ] {
        for scheme in schemes {
            let args = [
                "members",
                "--scheme",
                scheme,
                "--marathon",
                &wb.url(),
                "--mesos-dns",
                &wb.url(),
                "--apps",
                "/wso2/node",
            ];
            let out = run(&args, &env);
            let stderr = assert_clean(&format!("{name} {scheme} healthy"), &out);
            assert_eq!(out.status.code(), Some(0), "{stderr}");
            for fault in faults() {
                wb.admin().clear_faults();
                wb.admin()
                    .add_fault(FaultRule::always(Side::Any, fault.clone()))
                    .unwrap();
                let out = run(&args, &env);
                let stderr = assert_clean(&format!("{name} {scheme} {fault:?}"), &out);
                if matches!(fault, Fault::Status { status: 503, .. }) {
                    // The transport's debug lines are there: trace logging reached stderr.
                    assert!(stderr.contains("debug:"), "{stderr}");
                }
            }
            wb.admin().clear_faults();
        }
        // A refused endpoint.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let out = run(
            &["members", "--marathon", &dead, "--apps", "/wso2/node"],
            &env,
        );
        assert_eq!(out.status.code(), Some(1));
        assert_clean(&format!("{name} refused endpoint"), &out);
        // Secrets given with --set, next to a bad value.
        let mut args = vec![
            "members",
            "--marathon",
            "http://127.0.0.1:1",
            "--apps",
            "/wso2/node",
        ];
        let sets: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for set in &sets {
            args.extend(["--set", set]);
        }
        args.extend(["--set", "MESOS_DISCOVERY_RETRIES=many"]);
        let out = run(&args, &[]);
        assert_eq!(out.status.code(), Some(2));
        assert_clean(&format!("{name} bad config"), &out);
    }
    // The user name holding `user:password`, and the password inside the endpoint URL.
    let out = run(
        &["members", "--apps", "/wso2/node"],
        &[
            ("ENABLE_MARATHON_BASIC_AUTH", "true"),
            ("MARATHON_USERNAME", &format!("{USER}:{PASSWORD}")),
            ("MARATHON_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_clean("user:password as the user name", &out);
    let url = format!("http://{USER}:{PASSWORD}@127.0.0.1:8080");
    let out = run(
        &["members", "--marathon", &url, "--apps", "/wso2/node"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_clean("password in the endpoint URL", &out);
}

#[test]
fn leader_with_zk_credentials_that_cannot_connect_never_prints_them() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    for url in [
        format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}/mesos"),
        format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}"),
        format!("zk://{USER}:12/{PASSWORD}@127.0.0.1/mesos"),
    ] {
        let out = run(&["leader", "--zk", &url, "--timeout", "1"], &[]);
        assert_ne!(out.status.code(), Some(0), "{url}");
        let stderr = assert_clean(&url, &out);
        assert!(!stderr.is_empty(), "{url}: the failure is explained");
    }
    let url = format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}/mesos");
    let out = run(&["leader", "--all", "--zk", &url, "--timeout", "1"], &[]);
    assert_ne!(out.status.code(), Some(0));
    assert_clean("leader --all", &out);
}

#[test]
fn strict_mode_members_never_print_a_jwt_or_the_private_key() {
    use mesos_discovery_testkit::dcos::{credential_json, KeyPair};
    let keys = KeyPair::generate(false).unwrap();
    let auth = serde_json::json!({
        "acs": {"service_accounts": [{"uid": "carbon", "public_key": keys.public_pem}], "token_lifetime_secs": 60}
    });
    let wb = workbench(&auth.to_string());
    let login = format!("{}{}", wb.url(), mesos_discovery_workbench::ACS_LOGIN_PATH);
    let other = KeyPair::generate(true).unwrap();
    let check = |what: &str, out: &Output| {
        let text = assert_clean(what, out) + &String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("eyJ"), "{what}: a JWT was printed: {text}");
        for pem in [&keys.private_pem, &other.private_pem] {
            for line in pem.lines().filter(|l| !l.starts_with("-----")) {
                assert!(
                    !text.contains(line),
                    "{what}: the private key was printed: {text}"
                );
            }
        }
    };
    for (what, credential) in [
        ("good", credential_json("carbon", &keys.private_pem, &login)),
        (
            "refused",
            credential_json("carbon", &other.private_pem, &login),
        ),
        (
            "bad scheme",
            credential_json("carbon", &keys.private_pem, &login).replace("RS256", "none"),
        ),
    ] {
        for scheme in ["marathon", "mesos-dns"] {
            let args = [
                "members",
                "--scheme",
                scheme,
                "--marathon",
                &wb.url(),
                "--mesos-dns",
                &wb.url(),
                "--apps",
                "/wso2/node",
            ];
            let env = [("DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential.as_str())];
            let out = run(&args, &env);
            check(&format!("{what} {scheme}"), &out);
            if what == "good" {
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                for fault in faults() {
                    wb.admin().clear_faults();
                    wb.admin()
                        .add_fault(FaultRule::always(Side::Any, fault.clone()))
                        .unwrap();
                    check(&format!("{scheme} {fault:?}"), &run(&args, &env));
                }
                wb.admin().clear_faults();
            }
        }
    }
}
