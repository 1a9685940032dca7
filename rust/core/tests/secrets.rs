//! Secrets audit: discovery with HTTP basic auth and with a DC/OS token through every fault
//! the workbench can inject, a refused endpoint, bad configuration next to a password, and a
//! ZooKeeper URL with credentials that cannot connect — with every log record of the process
//! captured at `trace` — must never show the password or the token: not in a log line, an
//! error message, nor the `Display`/`Debug` of `Config`, `Error`, the watchers or `ZkUrl`.
//! Their base64 forms (what an `Authorization: Basic` header carries) are looked for too.
//! DC/OS strict mode likewise: no JWT (login token or auth token) and no line of the service
//! account's private key, through faults, revocation, expiry, refused and failed logins, a
//! live watcher, and a `zk://` Marathon URL with credentials.

use std::sync::{Mutex, Once};
use std::time::Duration;

use log::{LevelFilter, Log, Metadata, Record};
use mesos_discovery::zk::{DetectOptions, LeaderWatcher, ZkUrl};
use mesos_discovery::{Config, MembershipWatcher};
use mesos_discovery_workbench::{encode_base64, Cluster, Fault, FaultRule, Side, Workbench};

const USER: &str = "carbon-user";
const PASSWORD: &str = "pw-9f3c1e7a";
const TOKEN: &str = "tok-51d2b8";

// ---- capturing every log record of the test process ----

struct Capture;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static INIT: Once = Once::new();

impl Log for Capture {
    fn enabled(&self, _: &Metadata) -> bool {
        true
    }
    fn log(&self, record: &Record) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        LINES.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
    fn flush(&self) {}
}

fn capture_logs() {
    INIT.call_once(|| {
        log::set_boxed_logger(Box::new(Capture)).unwrap();
        log::set_max_level(LevelFilter::Trace);
    });
}

fn logged() -> Vec<String> {
    LINES.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

// ---- what must never be shown ----

/// Every text that would reveal a secret: the secret itself and, for each of the three byte
/// alignments, the base64 characters that encode only the secret's bytes — whatever surrounds
/// it, the base64 of a text holding the secret contains one of them.
fn forbidden() -> Vec<String> {
    let mut out = vec![PASSWORD.to_string(), TOKEN.to_string()];
    for secret in [PASSWORD, TOKEN, &format!("{USER}:{PASSWORD}")] {
        for pad in 0..3usize {
            let data = [&b"xxx"[..pad], secret.as_bytes()].concat();
            let encoded = encode_base64(&data);
            let first = (8 * pad).div_ceil(6);
            let last = 8 * data.len() / 6;
            out.push(encoded[first..last].to_string());
        }
    }
    out.push(encode_base64(format!("{USER}:{PASSWORD}").as_bytes()));
    out
}

fn assert_clean(what: &str, text: &str) {
    for secret in forbidden() {
        assert!(
            !text.contains(&secret),
            "{what} shows a secret ({secret:?}): {text}"
        );
    }
}

fn assert_logs_clean() {
    let lines = logged();
    for line in &lines {
        assert_clean("log line", line);
    }
}

// ---- the clusters and configurations ----

fn cluster(auth: &str) -> Cluster {
    Cluster::from_json_str(&format!(
        r#"{{"auth": {auth},
            "apps": [{{"id": "/wso2/node", "instances": 2, "ports": [{{"name": "hazelcast"}}]}}]}}"#
    ))
    .unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Auth {
    Basic,
    Token,
}

impl Auth {
    fn cluster(self) -> Cluster {
        match self {
            Auth::Basic => cluster(&format!(
                r#"{{"basic": {{"username": "{USER}", "password": "{PASSWORD}"}}}}"#
            )),
            Auth::Token => cluster(&format!(r#"{{"token": "{TOKEN}", "mesos_dns": true}}"#)),
        }
    }

    fn keys(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Auth::Basic => vec![
                ("ENABLE_MARATHON_BASIC_AUTH", "true"),
                ("MARATHON_USERNAME", USER),
                ("MARATHON_PASSWORD", PASSWORD),
            ],
            Auth::Token => vec![("MARATHON_AUTH_TOKEN", TOKEN)],
        }
    }
}

/// A config with short limits so every fault ends in seconds.
fn config(auth: Auth, scheme: &str, endpoint: &str) -> Config {
    let mut pairs = auth.keys();
    pairs.extend([
        ("MESOS_MEMBER_DISCOVERY_SCHEME", scheme),
        ("MARATHON_ENDPOINT", endpoint),
        ("MESOS_DNS_ENDPOINT", endpoint),
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "0.5"),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "0.5"),
        ("MESOS_DISCOVERY_DEADLINE", "1.5"),
        ("MESOS_DISCOVERY_RETRIES", "1"),
        ("MESOS_DISCOVERY_MAX_RESPONSE_BYTES", "65536"),
        ("DNS_UPDATE_TIMEOUT", "0.5"),
    ]);
    let config = Config::from_map(pairs).unwrap();
    assert_clean("Config Debug", &format!("{config:?}"));
    config
}

fn faults(dead: &str) -> Vec<Fault> {
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
        Fault::Oversized {
            bytes: 200_000,
            chunked: false,
        },
        Fault::InvalidUtf8,
        Fault::DeepNesting { depth: 100_000 },
        Fault::Redirect {
            location: format!("{dead}/v2/apps/wso2/node"),
        },
        Fault::RedirectLoop,
        Fault::Close,
        Fault::Delay { ms: 100 },
    ]
}

/// A loopback URL nobody listens on.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn check_result(what: &str, result: &mesos_discovery::Result<mesos_discovery::Discovery>) {
    match result {
        Ok(found) => {
            assert_clean(what, &format!("{found:?}"));
            for w in &found.warnings {
                assert_clean(what, &w.message);
            }
        }
        Err(e) => {
            assert_clean(what, &e.to_string());
            assert_clean(what, &format!("{e:?}"));
        }
    }
}

#[test]
fn discovery_through_every_fault_never_shows_a_secret() {
    capture_logs();
    let dead = dead_url();
    for auth in [Auth::Basic, Auth::Token] {
        let wb = Workbench::start(auth.cluster()).unwrap();
        let schemes: &[&str] = match auth {
            // The basic-auth workbench guards Marathon only; the token one Mesos-DNS too.
            Auth::Basic => &["Marathon"],
            Auth::Token => &["Marathon", "MesosDNS"],
        };
        for scheme in schemes {
            let cfg = config(auth, scheme, &wb.url());
            // Healthy first: the credentials are right and the members come back.
            let found = mesos_discovery::discover_blocking(&cfg);
            assert!(
                found.as_ref().is_ok_and(|f| f.members.len() == 2),
                "{auth:?} {scheme}: {found:?}"
            );
            check_result("healthy discovery", &found);
            for fault in faults(&dead) {
                wb.admin().clear_faults();
                wb.admin()
                    .add_fault(FaultRule::always(Side::Any, fault.clone()))
                    .unwrap();
                let result = mesos_discovery::discover_blocking(&cfg);
                check_result(&format!("{auth:?} {scheme} {fault:?}"), &result);
            }
            wb.admin().clear_faults();
        }
        // Credentials the server refuses (ours are sent, and refused).
        let other = match auth {
            Auth::Basic => {
                cluster(r#"{"basic": {"username": "carbon-user", "password": "other"}}"#)
            }
            Auth::Token => cluster(r#"{"token": "other", "mesos_dns": true}"#),
        };
        let refusing = Workbench::start(other).unwrap();
        let result = mesos_discovery::discover_blocking(&config(auth, "Marathon", &refusing.url()));
        assert_eq!(
            result.as_ref().map_err(|e| e.kind()).err(),
            Some(mesos_discovery::ErrorKind::Auth),
            "{result:?}"
        );
        check_result("refused credentials", &result);
        // A refused endpoint (nobody listening), then a list with it first.
        for endpoint in [dead.clone(), format!("{dead},{}", wb.url())] {
            let result = mesos_discovery::discover_blocking(&config(auth, "Marathon", &endpoint));
            check_result("refused endpoint", &result);
        }
    }
    assert_logs_clean();
    assert!(
        logged()
            .iter()
            .any(|l| l.contains("trying the next endpoint")),
        "the capture saw the transport's debug lines"
    );
}

#[test]
fn membership_watcher_through_faults_never_shows_a_secret() {
    capture_logs();
    for auth in [Auth::Basic, Auth::Token] {
        let wb = Workbench::start(auth.cluster()).unwrap();
        let watcher = MembershipWatcher::start(config(auth, "Marathon", &wb.url())).unwrap();
        let first = watcher
            .wait_for_change(0, Duration::from_secs(10))
            .unwrap()
            .expect("a first answer");
        assert_eq!(first.members.len(), 2, "{first:?}");
        for fault in [
            Fault::Status {
                status: 401,
                body: None,
                content_type: None,
            },
            Fault::Status {
                status: 503,
                body: None,
                content_type: None,
            },
            Fault::Close,
            Fault::DeepNesting { depth: 100_000 },
        ] {
            wb.admin()
                .add_fault(FaultRule::always(Side::Any, fault))
                .unwrap();
            wb.admin().drop_event_streams();
            std::thread::sleep(Duration::from_millis(700));
            let state = watcher.snapshot();
            assert_clean("membership state", &format!("{state:?}"));
            assert_clean("membership watcher", &format!("{watcher:?}"));
            wb.admin().clear_faults();
        }
        watcher.close();
        assert_clean("closed membership watcher", &format!("{watcher:?}"));
    }
    assert_logs_clean();
}

#[test]
fn bad_configuration_next_to_a_password_never_shows_it() {
    capture_logs();
    let basic = [
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", USER),
        ("MARATHON_PASSWORD", PASSWORD),
    ];
    let token = [
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("MARATHON_AUTH_TOKEN", TOKEN),
    ];
    let password_url = format!("http://{USER}:{PASSWORD}@127.0.0.1:8080");
    let password_url_bad_port = format!("http://{USER}:{PASSWORD}@127.0.0.1:80x80");
    let token_url = format!("http://{TOKEN}@127.0.0.1:8080");
    // The user name field holding `user:password`, a common mistake.
    let user_with_password = format!("{USER}:{PASSWORD}");
    let token_with_newline = format!("{TOKEN}\nX-Other: 1");
    let mut cases: Vec<Vec<(&str, &str)>> = Vec::new();
    for base in [&basic[..], &token[..]] {
        for extra in [
            ("MARATHON_ENDPOINT", "not a url"),
            ("MARATHON_ENDPOINT", password_url.as_str()),
            ("MARATHON_ENDPOINT", password_url_bad_port.as_str()),
            ("MESOS_DNS_ENDPOINT", token_url.as_str()),
            ("MESOS_DISCOVERY_DEADLINE", "soon"),
            ("MESOS_DISCOVERY_RETRIES", "-1"),
            ("HAZELCAST_PORT_INDEX", "x"),
            ("MESOS_DISCOVERY_ADDRESS_MODE", "sideways"),
            ("MESOS_DISCOVERY_CA_BUNDLE", "/nonexistent/ca.pem"),
            ("MARATHON_PASSWORD_TYPO", PASSWORD),
            ("MESOS_MEMBER_DISCOVERY_SCHEME", "consul"),
        ] {
            let mut case = base.to_vec();
            case.push(extra);
            cases.push(case);
        }
    }
    cases.push(
        basic
            .iter()
            .copied()
            .chain([("MARATHON_AUTH_TOKEN", TOKEN)])
            .collect(),
    );
    cases.push(vec![
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", user_with_password.as_str()),
        ("MARATHON_PASSWORD", PASSWORD),
    ]);
    cases.push(vec![
        ("MARATHON_APPLICATIONS", "/wso2/node"),
        ("MARATHON_AUTH_TOKEN", token_with_newline.as_str()),
    ]);
    cases.push(vec![
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", USER),
        ("MARATHON_PASSWORD", PASSWORD),
    ]);
    for case in cases {
        // `MARATHON_PASSWORD_TYPO` holds the password under a key that is not secret: the
        // unknown key is named, never its value.
        let e = Config::from_map(case.iter().copied()).expect_err(&format!("{case:?}"));
        assert_eq!(e.kind(), mesos_discovery::ErrorKind::Config);
        assert_clean("config error", &format!("{e} {e:?}"));
    }
    assert_logs_clean();
}

#[test]
fn zookeeper_credentials_that_cannot_connect_never_show() {
    capture_logs();
    let port = dead_url().rsplit(':').next().unwrap().to_string();
    let text = format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}/mesos");
    let url = ZkUrl::parse(&text).unwrap();
    assert_clean("ZkUrl Display", &url.to_string());
    assert_clean("ZkUrl Debug", &format!("{url:?}"));
    assert_eq!(url.to_string(), format!("zk://***@127.0.0.1:{port}/mesos"));
    let opts = DetectOptions {
        session_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_millis(800),
    };
    let e = mesos_discovery::zk::leader_blocking(&url, &opts).unwrap_err();
    assert_clean("zk leader error", &format!("{e} {e:?}"));
    let e = mesos_discovery::zk::masters_blocking(&url, &opts).unwrap_err();
    assert_clean("zk masters error", &format!("{e} {e:?}"));

    let watcher = LeaderWatcher::start(url.clone(), opts.clone()).unwrap();
    // ZooKeeper never answers: the first state may take a while; whatever it is, it is clean.
    let state = watcher
        .wait_for_change(0, Duration::from_secs(3))
        .ok()
        .flatten()
        .unwrap_or_else(|| watcher.current());
    std::thread::sleep(Duration::from_millis(500));
    for shown in [
        format!("{state:?}"),
        format!("{:?}", watcher.current()),
        format!("{watcher:?}"),
        watcher.url().to_string(),
    ] {
        assert_clean("leader watcher", &shown);
    }
    watcher.close();

    // Malformed URLs holding the password: refused without echoing it.
    for bad in [
        format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}"),
        format!("zk://{USER}:{PASSWORD}@127.0.0.1:x/mesos"),
        format!("zk://{USER}:{PASSWORD}:extra@127.0.0.1/mesos"),
        format!("zk://{USER}:12/{PASSWORD}@127.0.0.1/mesos"),
        format!("zk://{USER}:12/{PASSWORD}@h//mesos"),
        format!("zk://{USER}:{PASSWORD}/x@127.0.0.1:{port}/mesos"),
        format!("http://{USER}:{PASSWORD}@127.0.0.1/mesos"),
    ] {
        let e = ZkUrl::parse(&bad).expect_err(&bad);
        assert_clean("zk URL error", &format!("{e} {e:?}"));
    }
    assert_logs_clean();
}

// ---- DC/OS strict mode ----

/// No JWT (`eyJ…`, the base64 of `{"` that starts every JWT part) and no line of the PEM body.
fn assert_strict_clean(what: &str, text: &str, private_pem: &str) {
    assert!(!text.contains("eyJ"), "{what} shows a JWT: {text}");
    for line in private_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line), "{what} shows the private key: {text}");
    }
    assert_clean(what, text);
}

#[test]
fn strict_mode_never_shows_a_jwt_or_the_private_key() {
    use mesos_discovery_testkit::dcos::{credential_json, KeyPair};
    use mesos_discovery_workbench::{AcsSpec, ServiceAccountSpec, ACS_LOGIN_PATH};
    capture_logs();
    let keys = KeyPair::generate(false).unwrap();
    let mut strict = cluster("{}");
    strict.auth.acs = Some(AcsSpec {
        service_accounts: vec![ServiceAccountSpec {
            uid: "carbon".into(),
            public_key: keys.public_pem.clone(),
        }],
        token_lifetime_secs: 2,
    });
    let wb = Workbench::start(strict).unwrap();
    let login = format!("{}{ACS_LOGIN_PATH}", wb.url());
    let dead = dead_url();
    let other = KeyPair::generate(true).unwrap();
    let check = |what: &str, text: &str| {
        assert_strict_clean(what, text, &keys.private_pem);
        assert_strict_clean(what, text, &other.private_pem);
    };
    let wb_url = wb.url();
    let strict_config = |credential: &str, scheme: &str, endpoint: &str| {
        let config = Config::from_map([
            ("DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential),
            ("MESOS_MEMBER_DISCOVERY_SCHEME", scheme),
            ("MARATHON_ENDPOINT", endpoint),
            ("MESOS_DNS_ENDPOINT", wb_url.as_str()),
            ("MARATHON_APPLICATIONS", "/wso2/node"),
            ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "0.5"),
            ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "0.5"),
            ("MESOS_DISCOVERY_DEADLINE", "1.5"),
            ("MESOS_DISCOVERY_RETRIES", "1"),
            ("DNS_UPDATE_TIMEOUT", "0.5"),
        ])
        .unwrap();
        check("Config Debug", &format!("{config:?}"));
        config
    };
    let outcome = |result: &mesos_discovery::Result<mesos_discovery::Discovery>| match result {
        Ok(found) => format!("{found:?}"),
        Err(e) => format!("{e} {e:?}"),
    };
    let good = credential_json("carbon", &keys.private_pem, &login);
    for scheme in ["Marathon", "MesosDNS"] {
        let cfg = strict_config(&good, scheme, &wb.url());
        let found = mesos_discovery::discover_blocking(&cfg);
        assert!(
            found.as_ref().is_ok_and(|f| f.members.len() == 2),
            "{found:?}"
        );
        for fault in faults(&dead) {
            wb.admin().clear_faults();
            wb.admin()
                .add_fault(FaultRule::always(Side::Any, fault.clone()))
                .unwrap();
            let result = mesos_discovery::discover_blocking(&cfg);
            check(&format!("strict {scheme} {fault:?}"), &outcome(&result));
        }
        wb.admin().clear_faults();
    }
    let cfg = strict_config(&good, "Marathon", &wb.url());
    // Revoked, then every token born expired (refused after a fresh login).
    wb.admin().revoke_tokens().unwrap();
    check(
        "revoked",
        &outcome(&mesos_discovery::discover_blocking(&cfg)),
    );
    wb.admin().set_token_lifetime(0).unwrap();
    let result = mesos_discovery::discover_blocking(&cfg);
    assert!(result.is_err());
    check("born expired", &outcome(&result));
    wb.admin().set_token_lifetime(2).unwrap();
    // A login refused (another key), a login endpoint nobody serves.
    for credential in [
        credential_json("carbon", &other.private_pem, &login),
        credential_json(
            "carbon",
            &keys.private_pem,
            &format!("{dead}{ACS_LOGIN_PATH}"),
        ),
    ] {
        let result =
            mesos_discovery::discover_blocking(&strict_config(&credential, "Marathon", &wb.url()));
        assert!(result.is_err());
        check("failed login", &outcome(&result));
    }
    // Malformed credentials holding the key.
    for bad in [
        good.replace("RS256", "HS256"),
        good.replace("\"uid\"", "\"user\""),
        good[..good.len() - 2].to_string(),
        good.replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY"),
    ] {
        let e = Config::from_map([
            ("MARATHON_APPLICATIONS", "/a"),
            ("DCOS_SERVICE_ACCOUNT_CREDENTIAL", bad.as_str()),
        ])
        .unwrap_err();
        check("credential error", &format!("{e} {e:?}"));
    }
    // A live watcher across token expiries and faults.
    let watcher = MembershipWatcher::start(strict_config(&good, "Marathon", &wb.url())).unwrap();
    let first = watcher
        .wait_for_change(0, Duration::from_secs(10))
        .unwrap()
        .expect("a first answer");
    assert_eq!(first.members.len(), 2);
    std::thread::sleep(Duration::from_secs(3));
    wb.admin().revoke_tokens().unwrap();
    wb.admin().drop_event_streams();
    std::thread::sleep(Duration::from_millis(700));
    check(
        "strict watcher",
        &format!("{watcher:?} {:?}", watcher.snapshot()),
    );
    watcher.close();
    // Marathon through ZooKeeper with digest credentials that cannot connect.
    let port = dead.rsplit(':').next().unwrap().to_string();
    let zk = format!("zk://{USER}:{PASSWORD}@127.0.0.1:{port}/marathon");
    let cfg = strict_config(&good, "Marathon", &zk);
    check(
        "zk Marathon",
        &outcome(&mesos_discovery::discover_blocking(&cfg)),
    );
    for line in logged() {
        check("log line", &line);
    }
    assert!(
        logged().iter().any(|l| l.contains("logged in as")),
        "the capture saw the login's log lines"
    );
}
