//! The one configuration vocabulary. Every front end (CLI, C, Python, Java/Carbon) speaks the
//! same flat `KEY -> value` map whose keys are the original Carbon scheme's axis2 parameter
//! names plus a few new ones; [`Config::from_map`] turns it into one typed, validated value.
//!
//! Rules shared by every key:
//! - an empty value means "not set" (axis2.xml often carries blank parameters);
//! - an unknown key is an error (a typo must not silently fall back to a default);
//! - an error names the key and the offending value, except for secrets, which are never echoed.
//!
//! Environment variables with the same names can be overlaid ([`EnvOverlay`]): the Carbon
//! scheme lets the environment win (the original's order), the CLI lets its flags win.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::secret::{redact_url, Secret};

pub const MESOS_MEMBER_DISCOVERY_SCHEME: &str = "MESOS_MEMBER_DISCOVERY_SCHEME";
pub const MARATHON_ENDPOINT: &str = "MARATHON_ENDPOINT";
pub const MESOS_DNS_ENDPOINT: &str = "MESOS_DNS_ENDPOINT";
pub const MARATHON_APPLICATIONS: &str = "MARATHON_APPLICATIONS";
pub const MARATHON_APP_ID: &str = "MARATHON_APP_ID";
pub const ENABLE_MARATHON_BASIC_AUTH: &str = "ENABLE_MARATHON_BASIC_AUTH";
pub const MARATHON_USERNAME: &str = "MARATHON_USERNAME";
pub const MARATHON_PASSWORD: &str = "MARATHON_PASSWORD";
pub const DNS_UPDATE_TIMEOUT: &str = "DNS_UPDATE_TIMEOUT";
pub const IS_OVERLAY_NETWORK_AND_DOCKER: &str = "IS_OVERLAY_NETWORK_AND_DOCKER";
pub const MARATHON_AUTH_TOKEN: &str = "MARATHON_AUTH_TOKEN";
pub const TLS_CA_BUNDLE: &str = "MESOS_DISCOVERY_CA_BUNDLE";
pub const TLS_SKIP_VERIFY: &str = "MESOS_DISCOVERY_TLS_SKIP_VERIFY";
pub const CONNECT_TIMEOUT: &str = "MESOS_DISCOVERY_CONNECT_TIMEOUT";
pub const REQUEST_TIMEOUT: &str = "MESOS_DISCOVERY_REQUEST_TIMEOUT";
pub const DEADLINE: &str = "MESOS_DISCOVERY_DEADLINE";
pub const RETRIES: &str = "MESOS_DISCOVERY_RETRIES";
pub const CONCURRENCY: &str = "MESOS_DISCOVERY_CONCURRENCY";
pub const PORT_INDEX: &str = "HAZELCAST_PORT_INDEX";
pub const PORT_NAME: &str = "HAZELCAST_PORT_NAME";
pub const ADDRESS_MODE: &str = "MESOS_DISCOVERY_ADDRESS_MODE";
pub const HEALTHY_ONLY: &str = "MESOS_DISCOVERY_HEALTHY_ONLY";
pub const MAX_RESPONSE_BYTES: &str = "MESOS_DISCOVERY_MAX_RESPONSE_BYTES";
pub const RESYNC_INTERVAL: &str = "MESOS_DISCOVERY_RESYNC_INTERVAL";
pub const POLL_INTERVAL: &str = "MESOS_DISCOVERY_POLL_INTERVAL";
pub const STREAM_IDLE_TIMEOUT: &str = "MESOS_DISCOVERY_STREAM_IDLE_TIMEOUT";
pub const EVENT_DEBOUNCE: &str = "MESOS_DISCOVERY_EVENT_DEBOUNCE";
pub const CONFIRM_DELAY: &str = "MESOS_DISCOVERY_CONFIRM_DELAY";
pub const APPLY_EVENTS: &str = "MESOS_DISCOVERY_APPLY_EVENTS";

/// Every key the vocabulary knows, in documentation order.
pub const KNOWN_KEYS: &[&str] = &[
    MESOS_MEMBER_DISCOVERY_SCHEME,
    MARATHON_ENDPOINT,
    MESOS_DNS_ENDPOINT,
    MARATHON_APPLICATIONS,
    MARATHON_APP_ID,
    ENABLE_MARATHON_BASIC_AUTH,
    MARATHON_USERNAME,
    MARATHON_PASSWORD,
    DNS_UPDATE_TIMEOUT,
    IS_OVERLAY_NETWORK_AND_DOCKER,
    MARATHON_AUTH_TOKEN,
    TLS_CA_BUNDLE,
    TLS_SKIP_VERIFY,
    CONNECT_TIMEOUT,
    REQUEST_TIMEOUT,
    DEADLINE,
    RETRIES,
    CONCURRENCY,
    PORT_INDEX,
    PORT_NAME,
    ADDRESS_MODE,
    HEALTHY_ONLY,
    MAX_RESPONSE_BYTES,
    RESYNC_INTERVAL,
    POLL_INTERVAL,
    STREAM_IDLE_TIMEOUT,
    EVENT_DEBOUNCE,
    CONFIRM_DELAY,
    APPLY_EVENTS,
];

const SECRET_KEYS: &[&str] = &[MARATHON_PASSWORD, MARATHON_AUTH_TOKEN];

/// Whether `key` belongs to the vocabulary (front ends that receive foreign keys, like
/// Carbon's axis2 parameters, use this to pick ours out).
pub fn is_known_key(key: &str) -> bool {
    KNOWN_KEYS.contains(&key)
}

pub const DEFAULT_MARATHON_ENDPOINT: &str = "http://marathon.mesos:8080";
pub const DEFAULT_MESOS_DNS_ENDPOINT: &str = "http://marathon.mesos:8123";
pub const DEFAULT_EVENT_DEBOUNCE: Duration = Duration::from_millis(100);
pub const DEFAULT_CONFIRM_DELAY: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Marathon,
    MesosDns,
}

/// How a task's address is chosen (see the README's "Address" rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressMode {
    /// Container IP + container port on IP-per-task networks, else agent host + host port.
    Auto,
    /// Always agent host + host port.
    Host,
    /// Always container IP + container port.
    Container,
}

/// Which of a task's ports is Hazelcast's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSelector {
    Index(usize),
    Name(String),
}

/// How Marathon requests authenticate. The secret parts never print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: Secret,
    },
    /// DC/OS: `Authorization: token=<token>`.
    Token(Secret),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// Extra PEM roots, added to the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Accept any certificate. Explicit, and warned about on every client build.
    pub skip_verify: bool,
    /// Load the system's trusted roots: some configured URL is `https`. Without one, a
    /// one-shot lookup skips reading the system certificate store (a few ms of CPU).
    pub system_roots: bool,
}

/// Limits for every HTTP exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    pub connect_timeout: Duration,
    /// One request, headers to last byte.
    pub request_timeout: Duration,
    /// One whole discovery, all retries and endpoints included.
    pub deadline: Duration,
    /// Extra rounds over the endpoint list after the first one fails.
    pub retries: u32,
    pub max_response_bytes: u64,
    /// Apps fetched at once.
    pub concurrency: usize,
}

/// The validated configuration. `Debug` is safe to log: secrets print as `***`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub scheme: Scheme,
    pub marathon_endpoints: Vec<url::Url>,
    pub mesos_dns_endpoints: Vec<url::Url>,
    /// Absolute app ids (`/group/app`), own app included, duplicates removed, in given order.
    pub apps: Vec<String>,
    pub auth: Auth,
    pub tls: TlsConfig,
    pub http: HttpLimits,
    pub dns_update_timeout: Duration,
    pub address_mode: AddressMode,
    pub port: PortSelector,
    pub healthy_only: bool,
    /// Live membership: full resync period while following Marathon's event stream.
    pub resync_interval: Duration,
    /// Live membership: polling period for Mesos-DNS.
    pub poll_interval: Duration,
    /// Live membership: an event stream silent this long (no event, no heartbeat) is
    /// reopened. Marathon's Jetty sends a heartbeat about every 10 s.
    pub stream_idle_timeout: Duration,
    /// Live membership: events about one app within this window cost one refetch of it.
    pub event_debounce: Duration,
    /// Live membership: an event applied at once is confirmed by a refetch of its app this
    /// long after it (sooner if another refetch of the app happens first).
    pub confirm_delay: Duration,
    /// Live membership: apply task status events at once (`false`: every event only leads to
    /// a debounced refetch, the behaviour before events were applied).
    pub apply_events: bool,
}

/// Where environment variables stand relative to the explicit map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvOverlay {
    /// Ignore the environment.
    Ignore,
    /// The environment wins over the map (the Carbon scheme's order).
    EnvWins,
    /// The map wins; the environment fills in keys the map lacks (the CLI's order).
    MapWins,
}

impl Config {
    /// Builds a config from the flat map alone.
    pub fn from_map<K: AsRef<str>, V: AsRef<str>>(
        map: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Config> {
        Config::from_map_with_env(map, EnvOverlay::Ignore)
    }

    /// Builds a config from the map overlaid with this process's environment.
    pub fn from_map_with_env<K: AsRef<str>, V: AsRef<str>>(
        map: impl IntoIterator<Item = (K, V)>,
        overlay: EnvOverlay,
    ) -> Result<Config> {
        let merged = merge_env(map, overlay, |k| std::env::var(k).ok())?;
        Config::from_resolved(&merged)
    }

    /// Builds a config from three layers, per key: the environment (placed as `overlay` says),
    /// the Java system properties, then the explicit map. Carbon passes its axis2 parameters
    /// as `map`, `System.getProperties()` as `system_properties` and [`EnvOverlay::EnvWins`]:
    /// environment > system property > axis2 parameter, the original scheme's order.
    ///
    /// Only keys of the vocabulary are read from `system_properties` (a JVM carries hundreds of
    /// foreign ones); the map's keys are checked as in [`Config::from_map`]. A blank value in
    /// any layer counts as unset, so a lower layer shows through.
    pub fn from_layers<K: AsRef<str>, V: AsRef<str>, PK: AsRef<str>, PV: AsRef<str>>(
        map: impl IntoIterator<Item = (K, V)>,
        system_properties: impl IntoIterator<Item = (PK, PV)>,
        overlay: EnvOverlay,
    ) -> Result<Config> {
        let merged = merge_layers(map, system_properties, overlay, |k| std::env::var(k).ok())?;
        Config::from_resolved(&merged)
    }

    fn from_resolved(map: &BTreeMap<String, String>) -> Result<Config> {
        let get = |key: &str| map.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());

        let scheme = match get(MESOS_MEMBER_DISCOVERY_SCHEME) {
            None => Scheme::Marathon,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "marathon" => Scheme::Marathon,
                "mesosdns" | "mesos-dns" | "mesos_dns" => Scheme::MesosDns,
                _ => {
                    return Err(bad(
                        MESOS_MEMBER_DISCOVERY_SCHEME,
                        v,
                        "expected Marathon or MesosDNS",
                    ))
                }
            },
        };

        let marathon_endpoints = parse_endpoints(
            MARATHON_ENDPOINT,
            get(MARATHON_ENDPOINT).unwrap_or(DEFAULT_MARATHON_ENDPOINT),
        )?;
        let mesos_dns_endpoints = parse_endpoints(
            MESOS_DNS_ENDPOINT,
            get(MESOS_DNS_ENDPOINT).unwrap_or(DEFAULT_MESOS_DNS_ENDPOINT),
        )?;

        let mut apps: Vec<String> = Vec::new();
        let own = get(MARATHON_APP_ID);
        for (key, raw) in own
            .map(|v| (MARATHON_APP_ID, v))
            .into_iter()
            .chain(get(MARATHON_APPLICATIONS).map(|v| (MARATHON_APPLICATIONS, v)))
        {
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let id = normalize_app_id(part).map_err(|why| bad(key, part, &why))?;
                if !apps.contains(&id) {
                    apps.push(id);
                }
            }
        }
        if apps.is_empty() {
            return Err(Error::config(format!(
                "no applications to look up: set {MARATHON_APPLICATIONS} (comma-separated Marathon app ids) or {MARATHON_APP_ID}"
            )));
        }

        let basic = parse_bool(map, ENABLE_MARATHON_BASIC_AUTH)?.unwrap_or(false);
        let token = get(MARATHON_AUTH_TOKEN);
        let auth = match (basic, token) {
            (true, Some(_)) => {
                return Err(Error::config(format!(
                    "{ENABLE_MARATHON_BASIC_AUTH}=true and {MARATHON_AUTH_TOKEN} are both set: choose one"
                )))
            }
            (true, None) => {
                let username = get(MARATHON_USERNAME).ok_or_else(|| {
                    Error::config(format!(
                        "{ENABLE_MARATHON_BASIC_AUTH}=true but {MARATHON_USERNAME} is not set"
                    ))
                })?;
                if username.contains(':') {
                    // Not echoed: `user:password` in this key is a common mistake.
                    return Err(Error::config(format!(
                        "{MARATHON_USERNAME}: HTTP basic user names cannot contain ':' \
                         (value not shown: it may hold a password)"
                    )));
                }
                // The password is used verbatim (not trimmed): spaces may be part of it.
                let password = map
                    .get(MARATHON_PASSWORD)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        Error::config(format!(
                            "{ENABLE_MARATHON_BASIC_AUTH}=true but {MARATHON_PASSWORD} is not set"
                        ))
                    })?;
                Auth::Basic {
                    username: username.to_string(),
                    password: Secret::new(password.clone()),
                }
            }
            (false, Some(token)) => {
                if token.bytes().any(|b| b.is_ascii_control()) {
                    return Err(Error::config(format!(
                        "{MARATHON_AUTH_TOKEN} contains control characters (value not shown)"
                    )));
                }
                Auth::Token(Secret::new(token))
            }
            (false, None) => Auth::None,
        };

        let tls = TlsConfig {
            ca_bundle: get(TLS_CA_BUNDLE).map(PathBuf::from),
            skip_verify: parse_bool(map, TLS_SKIP_VERIFY)?.unwrap_or(false),
            system_roots: marathon_endpoints
                .iter()
                .chain(&mesos_dns_endpoints)
                .any(|u| u.scheme() == "https"),
        };
        if let Some(path) = &tls.ca_bundle {
            if !path.is_file() {
                return Err(bad(
                    TLS_CA_BUNDLE,
                    &path.display().to_string(),
                    "no such file",
                ));
            }
        }

        let http = HttpLimits {
            connect_timeout: parse_seconds(map, CONNECT_TIMEOUT)?.unwrap_or(Duration::from_secs(3)),
            request_timeout: parse_seconds(map, REQUEST_TIMEOUT)?
                .unwrap_or(Duration::from_secs(10)),
            deadline: parse_seconds(map, DEADLINE)?.unwrap_or(Duration::from_secs(30)),
            retries: parse_int(map, RETRIES, 0, 100)?.unwrap_or(3) as u32,
            max_response_bytes: parse_int(map, MAX_RESPONSE_BYTES, 1024, 1 << 34)?
                .unwrap_or(64 << 20),
            concurrency: parse_int(map, CONCURRENCY, 1, 256)?.unwrap_or(8) as usize,
        };

        let overlay = parse_bool(map, IS_OVERLAY_NETWORK_AND_DOCKER)?.unwrap_or(false);
        let address_mode = match get(ADDRESS_MODE) {
            None => {
                if overlay {
                    AddressMode::Container
                } else {
                    AddressMode::Auto
                }
            }
            Some(v) => {
                let mode = match v.to_ascii_lowercase().as_str() {
                    "auto" => AddressMode::Auto,
                    "host" => AddressMode::Host,
                    "container" => AddressMode::Container,
                    _ => return Err(bad(ADDRESS_MODE, v, "expected auto, host or container")),
                };
                if overlay && mode != AddressMode::Container {
                    return Err(Error::config(format!(
                        "{IS_OVERLAY_NETWORK_AND_DOCKER}=true means container addresses, but {ADDRESS_MODE}={v}"
                    )));
                }
                mode
            }
        };

        let port = match (get(PORT_NAME), parse_int(map, PORT_INDEX, 0, 1023)?) {
            (Some(_), Some(_)) => {
                return Err(Error::config(format!(
                    "{PORT_INDEX} and {PORT_NAME} are both set: choose one"
                )))
            }
            (Some(name), None) => PortSelector::Name(name.to_string()),
            (None, index) => PortSelector::Index(index.unwrap_or(0) as usize),
        };

        Ok(Config {
            scheme,
            marathon_endpoints,
            mesos_dns_endpoints,
            apps,
            auth,
            tls,
            http,
            dns_update_timeout: parse_seconds(map, DNS_UPDATE_TIMEOUT)?
                .unwrap_or(Duration::from_secs(10)),
            address_mode,
            port,
            healthy_only: parse_bool(map, HEALTHY_ONLY)?.unwrap_or(false),
            resync_interval: parse_seconds(map, RESYNC_INTERVAL)?
                .unwrap_or(Duration::from_secs(60)),
            poll_interval: parse_seconds(map, POLL_INTERVAL)?.unwrap_or(Duration::from_secs(5)),
            stream_idle_timeout: parse_seconds(map, STREAM_IDLE_TIMEOUT)?
                .unwrap_or(Duration::from_secs(60)),
            event_debounce: parse_seconds(map, EVENT_DEBOUNCE)?.unwrap_or(DEFAULT_EVENT_DEBOUNCE),
            confirm_delay: parse_seconds(map, CONFIRM_DELAY)?.unwrap_or(DEFAULT_CONFIRM_DELAY),
            apply_events: parse_bool(map, APPLY_EVENTS)?.unwrap_or(true),
        })
    }
}

/// Checks the keys and merges the environment in, as [`EnvOverlay`] says. `env` looks up one
/// variable (injected so tests do not touch the process environment).
pub fn merge_env<K: AsRef<str>, V: AsRef<str>>(
    map: impl IntoIterator<Item = (K, V)>,
    overlay: EnvOverlay,
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>> {
    let mut merged = BTreeMap::new();
    for (k, v) in map {
        let (k, v) = (k.as_ref(), v.as_ref());
        if !is_known_key(k) {
            return Err(Error::config(format!(
                "unknown configuration key {k:?} (known keys: {})",
                KNOWN_KEYS.join(", ")
            )));
        }
        merged.insert(k.to_string(), v.to_string());
    }
    if overlay != EnvOverlay::Ignore {
        for key in KNOWN_KEYS {
            let Some(value) = env(key).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let map_has = merged.get(*key).is_some_and(|v| !v.trim().is_empty());
            if overlay == EnvOverlay::EnvWins || !map_has {
                merged.insert(key.to_string(), value);
            }
        }
    }
    Ok(merged)
}

/// [`merge_env`] with a system-property layer between the environment and the map (see
/// [`Config::from_layers`]): a non-blank property of a known key overrides the map; the
/// environment then goes above both (`EnvWins`) or fills in what neither has (`MapWins`).
pub fn merge_layers<K: AsRef<str>, V: AsRef<str>, PK: AsRef<str>, PV: AsRef<str>>(
    map: impl IntoIterator<Item = (K, V)>,
    system_properties: impl IntoIterator<Item = (PK, PV)>,
    overlay: EnvOverlay,
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>> {
    let mut merged = merge_env(map, EnvOverlay::Ignore, |_| None)?;
    for (k, v) in system_properties {
        let (k, v) = (k.as_ref(), v.as_ref());
        if is_known_key(k) && !v.trim().is_empty() {
            merged.insert(k.to_string(), v.to_string());
        }
    }
    merge_env(merged, overlay, env)
}

/// `app`, `/app`, `group/app/` → `/group/app`. Marathon ids are path segments of
/// lowercase letters, digits, `-` and `.` (`..` and `.` segments are Marathon's relative forms,
/// which a member list has no use for).
pub fn normalize_app_id(raw: &str) -> std::result::Result<String, String> {
    let segments: Vec<&str> = raw.trim().split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err("an app id needs at least one path segment".into());
    }
    for seg in &segments {
        if *seg == "." || *seg == ".." {
            return Err("relative segments ('.' or '..') are not allowed".into());
        }
        if let Some(c) = seg
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
        {
            return Err(format!(
                "character {c:?} is not allowed in Marathon app ids (lowercase letters, digits, '-', '.')"
            ));
        }
    }
    Ok(format!("/{}", segments.join("/")))
}

fn bad(key: &str, value: &str, why: &str) -> Error {
    if SECRET_KEYS.contains(&key) {
        Error::config(format!("{key}: {why} (value not shown)"))
    } else {
        Error::config(format!("{key}={value:?}: {why}"))
    }
}

fn raw<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    map.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn parse_bool(map: &BTreeMap<String, String>, key: &str) -> Result<Option<bool>> {
    raw(map, key)
        .map(|v| match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(bad(key, v, "expected true or false")),
        })
        .transpose()
}

fn parse_int(map: &BTreeMap<String, String>, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
    raw(map, key)
        .map(|v| match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(bad(
                key,
                v,
                &format!("expected a number from {min} to {max}"),
            )),
            Err(_) => Err(bad(key, v, "expected a whole number")),
        })
        .transpose()
}

/// Seconds, fractions allowed (`0.5`), at most a day, more than zero.
fn parse_seconds(map: &BTreeMap<String, String>, key: &str) -> Result<Option<Duration>> {
    raw(map, key)
        .map(|v| match v.parse::<f64>() {
            // Less than a nanosecond rounds to a zero duration: "more than 0" refuses it too.
            Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Some(Duration::from_secs_f64(s))
                .filter(|d| !d.is_zero())
                .ok_or_else(|| bad(key, v, "expected seconds, more than 0 and at most 86400")),
            _ => Err(bad(
                key,
                v,
                "expected seconds, more than 0 and at most 86400",
            )),
        })
        .transpose()
}

fn parse_endpoints(key: &str, value: &str) -> Result<Vec<url::Url>> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let shown = redact_url(part);
        let url =
            url::Url::parse(part).map_err(|e| bad(key, &shown, &format!("not a URL: {e}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(bad(
                key,
                &shown,
                "only http:// and https:// URLs are supported",
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad(key, &shown, "the URL has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                key,
                &shown,
                "put credentials in MARATHON_USERNAME/MARATHON_PASSWORD, not in the URL",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad(
                key,
                &shown,
                "the URL must not have a query or fragment",
            ));
        }
        out.push(url);
    }
    if out.is_empty() {
        return Err(bad(key, value, "no URL given"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config> {
        Config::from_map(pairs.iter().copied())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[(MARATHON_APPLICATIONS, "app")]).unwrap();
        assert_eq!(c.scheme, Scheme::Marathon);
        assert_eq!(
            c.marathon_endpoints[0].as_str(),
            "http://marathon.mesos:8080/"
        );
        assert_eq!(
            c.mesos_dns_endpoints[0].as_str(),
            "http://marathon.mesos:8123/"
        );
        assert_eq!(c.apps, vec!["/app"]);
        assert_eq!(c.auth, Auth::None);
        assert_eq!(c.dns_update_timeout, Duration::from_secs(10));
        assert_eq!(c.address_mode, AddressMode::Auto);
        assert_eq!(c.port, PortSelector::Index(0));
        assert!(!c.healthy_only);
    }

    #[test]
    fn scheme_is_case_insensitive() {
        for v in ["MesosDNS", "mesosdns", "MESOS-DNS", "mesos_dns"] {
            let c = cfg(&[
                (MESOS_MEMBER_DISCOVERY_SCHEME, v),
                (MARATHON_APPLICATIONS, "a"),
            ])
            .unwrap();
            assert_eq!(c.scheme, Scheme::MesosDns, "{v}");
        }
        let c = cfg(&[
            (MESOS_MEMBER_DISCOVERY_SCHEME, "MARATHON"),
            (MARATHON_APPLICATIONS, "a"),
        ])
        .unwrap();
        assert_eq!(c.scheme, Scheme::Marathon);
        let e = cfg(&[
            (MESOS_MEMBER_DISCOVERY_SCHEME, "consul"),
            (MARATHON_APPLICATIONS, "a"),
        ])
        .unwrap_err();
        assert!(
            e.message()
                .contains("MESOS_MEMBER_DISCOVERY_SCHEME=\"consul\""),
            "{e}"
        );
    }

    #[test]
    fn apps_normalise_and_include_own_app_first() {
        let c = cfg(&[
            (
                MARATHON_APPLICATIONS,
                " /wso2/manager, wso2/worker/ ,,/wso2/manager",
            ),
            (MARATHON_APP_ID, "/wso2/worker"),
        ])
        .unwrap();
        assert_eq!(c.apps, vec!["/wso2/worker", "/wso2/manager"]);
        let e = cfg(&[(MARATHON_APPLICATIONS, "Bad_App")]).unwrap_err();
        assert!(
            e.message().contains("MARATHON_APPLICATIONS=\"Bad_App\""),
            "{e}"
        );
        assert!(cfg(&[])
            .unwrap_err()
            .message()
            .contains(MARATHON_APPLICATIONS));
    }

    #[test]
    fn endpoint_lists_and_bad_urls() {
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (
                MARATHON_ENDPOINT,
                "http://m1:8080, https://m2:8443/marathon",
            ),
        ])
        .unwrap();
        assert_eq!(c.marathon_endpoints.len(), 2);
        for bad in ["m1:8080", "ftp://m1", "http://", "http://u:pw@m1:8080"] {
            let e = cfg(&[(MARATHON_APPLICATIONS, "a"), (MARATHON_ENDPOINT, bad)]).unwrap_err();
            assert!(e.message().starts_with("MARATHON_ENDPOINT="), "{bad}: {e}");
            assert!(!e.message().contains("pw"), "{e}");
        }
    }

    #[test]
    fn unknown_key_is_named() {
        let e = cfg(&[(MARATHON_APPLICATIONS, "a"), ("MARATHON_ENDPIONT", "x")]).unwrap_err();
        assert!(e.message().contains("\"MARATHON_ENDPIONT\""), "{e}");
    }

    #[test]
    fn basic_auth_needs_both_and_never_echoes_password() {
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (ENABLE_MARATHON_BASIC_AUTH, "TRUE"),
            (MARATHON_USERNAME, "admin"),
            (MARATHON_PASSWORD, "s3cr3t-pw"),
        ])
        .unwrap();
        assert!(
            matches!(&c.auth, Auth::Basic { username, password } if username == "admin" && password.expose() == "s3cr3t-pw")
        );
        assert!(!format!("{c:?}").contains("s3cr3t-pw"));
        let e = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (ENABLE_MARATHON_BASIC_AUTH, "true"),
            (MARATHON_USERNAME, "u"),
        ])
        .unwrap_err();
        assert!(e.message().contains(MARATHON_PASSWORD));
        // Basic auth off: username/password are ignored, as in the original scheme.
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (MARATHON_USERNAME, "u"),
            (MARATHON_PASSWORD, "p"),
        ])
        .unwrap();
        assert_eq!(c.auth, Auth::None);
    }

    #[test]
    fn token_auth_never_echoes_token() {
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (MARATHON_AUTH_TOKEN, "eyJtok"),
        ])
        .unwrap();
        assert!(matches!(&c.auth, Auth::Token(t) if t.expose() == "eyJtok"));
        assert!(!format!("{c:?}").contains("eyJtok"));
        let e = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (MARATHON_AUTH_TOKEN, "ab\ncd"),
        ])
        .unwrap_err();
        assert!(!e.message().contains("ab"), "{e}");
    }

    #[test]
    fn numbers_and_booleans_name_key_and_value() {
        let cases = [
            (DNS_UPDATE_TIMEOUT, "ten"),
            (DNS_UPDATE_TIMEOUT, "-1"),
            (RETRIES, "1.5"),
            (PORT_INDEX, "x"),
            (HEALTHY_ONLY, "maybe"),
            (CONCURRENCY, "0"),
        ];
        for (key, value) in cases {
            let e = cfg(&[(MARATHON_APPLICATIONS, "a"), (key, value)]).unwrap_err();
            assert!(
                e.message().starts_with(&format!("{key}=\"{value}\"")),
                "{e}"
            );
        }
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (DNS_UPDATE_TIMEOUT, "0.5"),
            (HEALTHY_ONLY, "yes"),
        ])
        .unwrap();
        assert_eq!(c.dns_update_timeout, Duration::from_millis(500));
        assert!(c.healthy_only);
    }

    #[test]
    fn overlay_network_means_container_mode() {
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (IS_OVERLAY_NETWORK_AND_DOCKER, "true"),
        ])
        .unwrap();
        assert_eq!(c.address_mode, AddressMode::Container);
        assert!(cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (IS_OVERLAY_NETWORK_AND_DOCKER, "true"),
            (ADDRESS_MODE, "host")
        ])
        .is_err());
        let c = cfg(&[(MARATHON_APPLICATIONS, "a"), (ADDRESS_MODE, "HOST")]).unwrap();
        assert_eq!(c.address_mode, AddressMode::Host);
    }

    #[test]
    fn port_name_or_index() {
        let c = cfg(&[(MARATHON_APPLICATIONS, "a"), (PORT_NAME, "hazelcast")]).unwrap();
        assert_eq!(c.port, PortSelector::Name("hazelcast".into()));
        assert!(cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (PORT_NAME, "h"),
            (PORT_INDEX, "1")
        ])
        .is_err());
    }

    #[test]
    fn env_overlay_orders() {
        let env = |k: &str| match k {
            MARATHON_ENDPOINT => Some("http://from-env:8080".to_string()),
            MARATHON_APP_ID => Some("/own".to_string()),
            _ => None,
        };
        let map = [(MARATHON_ENDPOINT, "http://from-map:8080")];
        let m = merge_env(map, EnvOverlay::EnvWins, env).unwrap();
        assert_eq!(m[MARATHON_ENDPOINT], "http://from-env:8080");
        assert_eq!(m[MARATHON_APP_ID], "/own");
        let m = merge_env(map, EnvOverlay::MapWins, env).unwrap();
        assert_eq!(m[MARATHON_ENDPOINT], "http://from-map:8080");
        assert_eq!(m[MARATHON_APP_ID], "/own");
        let m = merge_env(map, EnvOverlay::Ignore, env).unwrap();
        assert!(!m.contains_key(MARATHON_APP_ID));
    }

    #[test]
    fn carbon_layers_env_then_property_then_parameter() {
        let env = |k: &str| match k {
            MARATHON_ENDPOINT => Some("http://from-env:8080".to_string()),
            HEALTHY_ONLY => Some("  ".to_string()),
            _ => None,
        };
        let parameters = [
            (MARATHON_ENDPOINT, "http://from-axis2:8080"),
            (MARATHON_APPLICATIONS, "/from-axis2"),
            (PORT_INDEX, "1"),
            (HEALTHY_ONLY, "true"),
        ];
        let properties = [
            (MARATHON_ENDPOINT, "http://from-property:8080"),
            (MARATHON_APPLICATIONS, "/from-property"),
            (PORT_INDEX, " "),
            ("java.version", "21"),
        ];
        let m = merge_layers(parameters, properties, EnvOverlay::EnvWins, env).unwrap();
        assert_eq!(m[MARATHON_ENDPOINT], "http://from-env:8080");
        assert_eq!(m[MARATHON_APPLICATIONS], "/from-property");
        assert_eq!(m[PORT_INDEX], "1", "a blank property shows the parameter");
        assert_eq!(
            m[HEALTHY_ONLY], "true",
            "a blank variable shows the parameter"
        );
        assert!(
            !m.contains_key("java.version"),
            "foreign properties are not read"
        );
        let m = merge_layers(parameters, properties, EnvOverlay::Ignore, env).unwrap();
        assert_eq!(m[MARATHON_ENDPOINT], "http://from-property:8080");
        // Unknown keys in the explicit map are still errors.
        let e = merge_layers(
            [("MARATHON_ENDPIONT", "x")],
            properties,
            EnvOverlay::EnvWins,
            env,
        )
        .unwrap_err();
        assert!(e.message().contains("MARATHON_ENDPIONT"), "{e}");
    }

    #[test]
    fn live_membership_timers_and_fast_path() {
        let c = cfg(&[(MARATHON_APPLICATIONS, "a")]).unwrap();
        assert_eq!(
            (c.event_debounce, c.confirm_delay, c.apply_events),
            (DEFAULT_EVENT_DEBOUNCE, DEFAULT_CONFIRM_DELAY, true)
        );
        let c = cfg(&[
            (MARATHON_APPLICATIONS, "a"),
            (EVENT_DEBOUNCE, "0.05"),
            (CONFIRM_DELAY, "2"),
            (APPLY_EVENTS, "false"),
        ])
        .unwrap();
        assert_eq!(
            (c.event_debounce, c.confirm_delay, c.apply_events),
            (Duration::from_millis(50), Duration::from_secs(2), false)
        );
    }
}
