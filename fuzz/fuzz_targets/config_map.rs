//! The flat configuration map (`Config::from_map`) from arbitrary key/value pairs: known keys
//! with interesting or arbitrary values, and junk keys. A config or an error, never a panic;
//! the password and the token never appear in an error or in the config's `Debug`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mesos_discovery::config::{self, Auth, KNOWN_KEYS};
use mesos_discovery::Config;

/// Values that reach the interesting branches (numbers at the edges, booleans, URLs, ids).
const VALUES: &[&str] = &[
    "",
    " ",
    "true",
    "FALSE",
    "yes",
    "off",
    "1",
    "0",
    "-1",
    "0.5",
    "1e400",
    "NaN",
    "inf",
    "86400",
    "86400.0001",
    "18446744073709551616",
    "17179869184",
    "1023",
    "1024",
    "256",
    "Marathon",
    "MesosDNS",
    "mesos-dns",
    "auto",
    "host",
    "container",
    "hazelcast",
    "http://127.0.0.1:8080",
    "https://m1:8443/marathon,http://m2",
    "http://u:p@h",
    "ftp://h",
    "http://h?q",
    "http://",
    "/wso2/manager,wso2/worker",
    "/a/../b",
    "Bad_App",
    ",,,",
    "/dev/null",
    "/",
    "admin",
    "ad:min",
    "1e-10",
    "4.9e-324",
    "zk://u:p@h1:2181,h2/marathon",
    "zk://h/",
    "{",
    "{\"uid\": \"x\", \"private_key\": \"k\", \"login_endpoint\": \"http://h/acs\"}",
];

#[derive(Arbitrary, Debug)]
enum Key<'a> {
    Known(u8),
    Junk(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Value<'a> {
    Listed(u8),
    Raw(&'a str),
    /// A distinctive secret, `pw-<hex>` and any text (it must never be echoed).
    Secret(u32, &'a str),
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    pairs: Vec<(Key<'a>, Value<'a>)>,
}

fuzz_target!(|input: Input<'_>| {
    let pairs: Vec<(String, String)> = input
        .pairs
        .iter()
        .map(|(k, v)| {
            let key = match k {
                Key::Known(i) => KNOWN_KEYS[usize::from(*i) % KNOWN_KEYS.len()].to_string(),
                Key::Junk(s) => s.to_string(),
            };
            let value = match v {
                Value::Listed(i) => VALUES[usize::from(*i) % VALUES.len()].to_string(),
                Value::Raw(s) => s.to_string(),
                Value::Secret(n, tail) => format!("pw-{n:08x}{tail}"),
            };
            (key, value)
        })
        .collect();

    // Secrets: the distinctive values given to the secret keys that nothing else in the
    // input carries (a value that is also a user name or a URL may be shown as that).
    let secret_keys = [
        config::MARATHON_PASSWORD,
        config::MARATHON_AUTH_TOKEN,
        config::DCOS_SERVICE_ACCOUNT_CREDENTIAL,
    ];
    let secrets: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| secret_keys.contains(&k.as_str()))
        .map(|(_, v)| v.trim())
        .filter(|v| v.starts_with("pw-") && v.len() >= 11)
        .filter(|v| {
            !pairs.iter().any(|(k, other)| {
                k.contains(v) || (!secret_keys.contains(&k.as_str()) && other.contains(v))
            }) && !KNOWN_KEYS.iter().any(|k| k.contains(v))
        })
        .collect();

    match Config::from_map(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(c) => {
            let shown = format!("{c:?}");
            for s in &secrets {
                assert!(!shown.contains(s), "secret {s:?} in {shown}");
            }
            assert!(!c.apps.is_empty());
            for app in &c.apps {
                assert!(app.starts_with('/') && !app.ends_with('/'), "{app}");
                assert_eq!(config::normalize_app_id(app).as_deref(), Ok(app.as_str()));
            }
            for url in c.marathon_endpoints.iter().chain(&c.mesos_dns_endpoints) {
                assert!(matches!(url.scheme(), "http" | "https"), "{url}");
                assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
                assert!(
                    url.username().is_empty() && url.password().is_none(),
                    "{url}"
                );
            }
            assert!(c.http.concurrency >= 1 && c.http.max_response_bytes >= 1024);
            for d in [
                c.http.connect_timeout,
                c.http.request_timeout,
                c.http.deadline,
                c.dns_update_timeout,
                c.resync_interval,
                c.poll_interval,
                c.stream_idle_timeout,
            ] {
                assert!(!d.is_zero() && d.as_secs() <= 86_400, "{d:?}");
            }
            if let Auth::Basic { username, password } = &c.auth {
                assert!(!username.is_empty() && !username.contains(':'));
                assert!(!password.is_empty());
            }
        }
        Err(e) => {
            let shown = format!("{e} {e:?}");
            for s in &secrets {
                assert!(!shown.contains(s), "secret {s:?} in {shown}");
            }
        }
    }
});
