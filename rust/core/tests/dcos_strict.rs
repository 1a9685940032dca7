//! DC/OS strict mode against the workbench's ACS emulation: service-account login with a
//! PKCS#8 or PKCS#1 key (credential as JSON or as a file), the token sent to Marathon and
//! Mesos-DNS, renewal before expiry (no request ever refused), one fresh login after a
//! revocation, a token refused even after a fresh login (an auth error, not a loop), one
//! login shared by concurrent requests, a refused login, a login answered 403 or 5xx,
//! malformed credentials, and a live
//! watcher that keeps following its stream across token expiries.

mod support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mesos_discovery::membership::Membership;
use mesos_discovery::watch::MembershipWatcher;
use mesos_discovery::ErrorKind;
use mesos_discovery_testkit::dcos::{credential_json, KeyPair};
use mesos_discovery_workbench::{
    AcsSpec, Cluster, Fault, FaultRule, ServiceAccountSpec, Side, Workbench, ACS_LOGIN_PATH,
};
use support::*;

const UID: &str = "carbon-node";
const WAIT: Duration = Duration::from_secs(20);

fn keys(pkcs1: bool) -> &'static KeyPair {
    static PKCS8: OnceLock<KeyPair> = OnceLock::new();
    static PKCS1: OnceLock<KeyPair> = OnceLock::new();
    let slot = if pkcs1 { &PKCS1 } else { &PKCS8 };
    slot.get_or_init(|| KeyPair::generate(pkcs1).expect("openssl makes an RSA key"))
}

fn strict(lifetime_secs: u64) -> Workbench {
    let mut cluster: Cluster = cluster_file("carbon.json");
    cluster.auth.acs = Some(AcsSpec {
        service_accounts: vec![ServiceAccountSpec {
            uid: UID.into(),
            public_key: keys(false).public_pem.clone(),
        }],
        token_lifetime_secs: lifetime_secs,
    });
    start(cluster)
}

fn login_url(wb: &Workbench) -> String {
    format!("{}{ACS_LOGIN_PATH}", wb.url())
}

fn credential(wb: &Workbench) -> String {
    credential_json(UID, &keys(false).private_pem, &login_url(wb))
}

fn pairs<'a>(wb_url: &'a str, credential: &'a str, scheme: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MESOS_MEMBER_DISCOVERY_SCHEME", scheme),
        ("MARATHON_ENDPOINT", wb_url),
        ("MESOS_DNS_ENDPOINT", wb_url),
        ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
        ("DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential),
    ]
}

#[test]
fn login_then_marathon_and_mesos_dns_with_the_token() {
    let wb = strict(3600);
    let credential = credential(&wb);
    let found = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap();
    assert_eq!(found.members.len(), 5, "{found:?}");
    // Mesos-DNS publishes only the running tasks (4 of the 5).
    let found = discover(&pairs(&wb.url(), &credential, "MesosDNS")).unwrap();
    assert_eq!(found.members.len(), 4, "{found:?}");
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 2);
    assert_eq!(wb.admin().token_refusals(), 0);
    // Without the credential, strict mode refuses.
    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/manager"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
}

#[test]
fn pkcs1_keys_and_credential_files_work_and_the_login_endpoint_is_used_as_given() {
    let mut cluster = cluster_file("carbon.json");
    cluster.auth.acs = Some(AcsSpec {
        service_accounts: vec![ServiceAccountSpec {
            uid: UID.into(),
            public_key: keys(true).public_pem.clone(),
        }],
        token_lifetime_secs: 3600,
    });
    let wb = start(cluster);
    // The login endpoint on another host name than Marathon (as on DC/OS: leader.mesos).
    let login = format!("http://localhost:{}{ACS_LOGIN_PATH}", wb.addr().port());
    let dir = std::env::temp_dir().join(format!("md-dcos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credential.json");
    std::fs::write(&file, credential_json(UID, &keys(true).private_pem, &login)).unwrap();
    let found = discover(&pairs(&wb.url(), file.to_str().unwrap(), "Marathon")).unwrap();
    assert_eq!(found.members.len(), 5);
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tokens_are_renewed_before_they_expire() {
    // Tokens live 3 s; one handle keeps discovering for 7 s: it must log in again before each
    // expiry, so the workbench never refuses a request.
    let wb = strict(3);
    let credential = credential(&wb);
    let membership =
        Membership::open(config(&pairs(&wb.url(), &credential, "Marathon")).unwrap()).unwrap();
    let until = Instant::now() + Duration::from_secs(7);
    let mut rounds = 0;
    while Instant::now() < until {
        assert_eq!(membership.refresh_blocking().unwrap().members.len(), 5);
        rounds += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    let logins = wb.admin().requests(ACS_LOGIN_PATH);
    assert!(
        (3..rounds).contains(&logins),
        "{logins} logins for {rounds} rounds"
    );
    assert_eq!(
        wb.admin().token_refusals(),
        0,
        "a request carried an expired token"
    );
}

#[test]
fn a_revoked_token_earns_one_fresh_login() {
    let wb = strict(3600);
    let credential = credential(&wb);
    let membership =
        Membership::open(config(&pairs(&wb.url(), &credential, "Marathon")).unwrap()).unwrap();
    membership.refresh_blocking().unwrap();
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 1);
    wb.admin().revoke_tokens().unwrap();
    assert_eq!(membership.refresh_blocking().unwrap().members.len(), 5);
    // Two apps were fetched at once with the revoked token: both were refused, one login.
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 2);
    assert!(wb.admin().token_refusals() >= 1);
}

#[test]
fn a_token_refused_after_a_fresh_login_is_an_auth_error() {
    let wb = strict(3600);
    wb.admin().set_token_lifetime(0).unwrap(); // every token is born expired
    let credential = credential(&wb);
    let started = Instant::now();
    let e = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.message().contains("refused"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // One retry per request, not a loop.
    assert!(wb.admin().requests(ACS_LOGIN_PATH) <= 4);
}

#[test]
fn concurrent_requests_share_one_login() {
    let wb = strict(3600);
    let credential = credential(&wb);
    let apps: Vec<String> = (0..16).map(|i| format!("/load/app{i}")).collect();
    for app in &apps {
        wb.admin()
            .add_app_json(&format!(
                r#"{{"id": "{app}", "instances": 1, "network": "host", "ports": [{{"name": "hazelcast"}}]}}"#
            ))
            .unwrap();
    }
    let list = apps.join(",");
    let url = wb.url();
    let mut p = pairs(&url, &credential, "Marathon");
    p.retain(|(k, _)| *k != "MARATHON_APPLICATIONS");
    p.push(("MARATHON_APPLICATIONS", &list));
    p.push(("MESOS_DISCOVERY_CONCURRENCY", "16"));
    assert_eq!(discover(&p).unwrap().members.len(), 16);
    assert_eq!(wb.admin().requests(ACS_LOGIN_PATH), 1);
}

#[test]
fn a_refused_login_is_an_auth_error_naming_the_login_endpoint() {
    let wb = strict(3600);
    let other = KeyPair::generate(false).unwrap();
    let credential = credential_json(UID, &other.private_pem, &login_url(&wb));
    let started = Instant::now();
    let e = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.message().contains(&login_url(&wb)), "{e}");
    assert!(e.message().contains("ERR_INVALID_CREDENTIALS"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // An unknown account is refused the same way.
    let credential = credential_json("nobody", &keys(false).private_pem, &login_url(&wb));
    let e = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    // A login endpoint nobody serves: a network error naming it, within the deadline.
    let dead = format!("{}{ACS_LOGIN_PATH}", dead_url());
    let credential = credential_json(UID, &keys(false).private_pem, &dead);
    let e = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap_err();
    assert!(e.message().contains(&dead), "{e}");
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn a_login_answered_403_or_5xx_is_an_error_naming_the_login_endpoint_and_no_secret() {
    // Admin Router answers 403 for an account without permission and 502/503 while IAM is
    // down: the first is an auth error (never retried: it only locks accounts), the others
    // say the login cannot be done now, so a caller retries later.
    let wb = strict(3600);
    let credential = credential(&wb);
    let key_line = keys(false)
        .private_pem
        .lines()
        .nth(1)
        .expect("a PEM body line")
        .to_string();
    for (status, kind) in [
        (403, ErrorKind::Auth),
        (502, ErrorKind::Unavailable),
        (503, ErrorKind::Unavailable),
    ] {
        let rule = wb
            .admin()
            .add_fault(
                FaultRule::always(
                    Side::Any,
                    Fault::Status {
                        status,
                        body: Some(format!(
                            r#"{{"code": "ERR_{status}", "key": "{key_line}"}}"#
                        )),
                        content_type: Some("application/json".into()),
                    },
                )
                .on_path(ACS_LOGIN_PATH),
            )
            .unwrap();
        let before = wb.admin().requests(ACS_LOGIN_PATH);
        let e = discover(&pairs(&wb.url(), &credential, "Marathon")).unwrap_err();
        assert_eq!(e.kind(), kind, "{status}: {e}");
        // A refusal is final: one login, never retried (it only locks accounts). A 5xx is
        // retried with backoff: 1 + MESOS_DISCOVERY_RETRIES (3) rounds, each of the two
        // apps' requests logging in at most once per round.
        let logins = wb.admin().requests(ACS_LOGIN_PATH) - before;
        let bounds = if status == 403 { 1..=1 } else { 4..=8 };
        assert!(bounds.contains(&logins), "{status}: {logins} logins");
        assert_eq!(
            e.message().matches(&login_url(&wb)).count(),
            1,
            "the endpoint named once: {e}"
        );
        assert!(e.message().contains(&login_url(&wb)), "{e}");
        assert!(e.message().contains(&status.to_string()), "{e}");
        assert!(!e.message().contains(&key_line), "a key line in: {e}");
        assert!(wb.admin().remove_fault(rule));
    }
    // Once the endpoint answers again, logging in works.
    assert_eq!(
        discover(&pairs(&wb.url(), &credential, "Marathon"))
            .unwrap()
            .members
            .len(),
        5
    );
}

#[test]
fn malformed_credentials_are_config_errors_naming_the_field_never_the_value() {
    let key = keys(false).private_pem.clone();
    let good = |field: &str, value: serde_json::Value| {
        let mut v = serde_json::json!({
            "uid": UID, "private_key": key, "login_endpoint": "https://leader.mesos/acs/api/v1/auth/login", "scheme": "RS256"
        });
        if value.is_null() {
            v.as_object_mut().unwrap().remove(field);
        } else {
            v[field] = value;
        }
        v.to_string()
    };
    let secret_part = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
    let cases = vec![
        ("not JSON", format!("{{not json {secret_part}"), "not JSON"),
        (
            "missing private_key",
            good("private_key", serde_json::Value::Null),
            "\"private_key\" is missing",
        ),
        (
            "missing uid",
            good("uid", serde_json::Value::Null),
            "\"uid\" is missing",
        ),
        (
            "missing login_endpoint",
            good("login_endpoint", serde_json::Value::Null),
            "\"login_endpoint\" is missing",
        ),
        (
            "not a PEM",
            good(
                "private_key",
                format!("-----BEGIN PRIVATE KEY-----\n{secret_part}\n-----END PRIVATE KEY-----")
                    .into(),
            ),
            "\"private_key\"",
        ),
        (
            "not RSA",
            good("private_key", "hunter2-not-a-key".into()),
            "\"private_key\"",
        ),
        (
            "scheme",
            good("scheme", "HS256".into()),
            "\"scheme\" must be \"RS256\"",
        ),
        (
            "bad endpoint",
            good("login_endpoint", "ftp://x".into()),
            "\"login_endpoint\"",
        ),
        (
            "missing file",
            "/nonexistent/credential.json".to_string(),
            "cannot be read",
        ),
    ];
    for (what, value, says) in cases {
        let e = config(&[
            ("MARATHON_APPLICATIONS", "/a"),
            ("DCOS_SERVICE_ACCOUNT_CREDENTIAL", &value),
        ])
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{what}: {e}");
        assert!(
            e.message().starts_with("DCOS_SERVICE_ACCOUNT_CREDENTIAL"),
            "{what}: {e}"
        );
        assert!(e.message().contains(says), "{what}: {e}");
        for secret in [secret_part, "hunter2", &key[40..80]] {
            assert!(!e.message().contains(secret), "{what}: {e}");
            assert!(!format!("{e:?}").contains(secret), "{what}: {e:?}");
        }
    }
    let e = config(&[
        ("MARATHON_APPLICATIONS", "/a"),
        ("DCOS_SERVICE_ACCOUNT_CREDENTIAL", &good("uid", UID.into())),
        ("MARATHON_AUTH_TOKEN", "t"),
    ])
    .unwrap_err();
    assert!(e.message().contains("choose one"), "{e}");
}

#[test]
fn the_watcher_follows_its_stream_across_token_expiries() {
    let wb = strict(3);
    let credential = credential(&wb);
    let w = MembershipWatcher::start(config(&pairs(&wb.url(), &credential, "Marathon")).unwrap())
        .unwrap();
    let s = w.wait_for_change(0, WAIT).unwrap().expect("first look");
    assert_eq!(s.members.len(), 5);
    let deadline = Instant::now() + WAIT;
    while wb.admin().open_event_streams() == 0 {
        assert!(
            Instant::now() < deadline,
            "the event stream was not opened with the token"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Outlive two tokens, then change the cluster: the event arrives on the stream opened
    // long ago, and the refetch it causes carries a renewed token.
    std::thread::sleep(Duration::from_secs(7));
    wb.admin().scale("/wso2/worker", 4).unwrap();
    let mut state = s;
    let deadline = Instant::now() + WAIT;
    while state.members.len() != 6 {
        let left = deadline.saturating_duration_since(Instant::now());
        state = w
            .wait_for_change(state.generation, left)
            .unwrap()
            .unwrap_or_else(|| panic!("scale-up not seen; {state:?}"));
    }
    assert_eq!(state.error, None);
    // The change may come from the event itself; the refetch confirming it needs a new token.
    let deadline = Instant::now() + WAIT;
    while wb.admin().requests(ACS_LOGIN_PATH) < 2 {
        assert!(Instant::now() < deadline, "no renewed login");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(wb.admin().token_refusals(), 0);
    assert_eq!(wb.admin().open_event_streams(), 1, "the stream was kept");
}
