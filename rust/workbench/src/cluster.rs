//! The cluster description: what a test or a user writes (JSON) to say which apps and tasks
//! the emulated Marathon and Mesos-DNS serve. Parsing checks names strictly (unknown keys are
//! errors, so a typo cannot silently change a fixture); the world builder (`World::build`) then
//! fills in everything left out (ids, ports, IPs, timestamps) deterministically from `seed`.
//!
//! The format is documented with examples in the README ("Workbench") and in `tests/clusters/`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// A parsed (not yet built) cluster description.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Seeds every generated id, port and address. Same seed, same bytes.
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub marathon: MarathonSpec,
    #[serde(default)]
    pub mesos_dns: MesosDnsSpec,
    #[serde(default)]
    pub auth: AuthSpec,
    /// Mesos agents. Tasks name one by hostname or IP; unnamed ones are added on first use.
    /// Empty: three agents 10.0.1.11–13 are assumed.
    #[serde(default)]
    pub agents: Vec<AgentSpec>,
    #[serde(default)]
    pub apps: Vec<AppSpec>,
}

impl Cluster {
    pub fn from_json_str(text: &str) -> Result<Cluster, String> {
        let cluster: Cluster =
            serde_json::from_str(text).map_err(|e| format!("cluster description: {e}"))?;
        cluster.validate()?;
        Ok(cluster)
    }

    pub fn from_file(path: impl AsRef<Path>) -> Result<Cluster, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Cluster::from_json_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Checks what serde cannot: ids, port shapes, health against health checks. The world
    /// builder re-checks what depends on allocation (explicit port counts).
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = Vec::new();
        for app in &self.apps {
            app.validate()?;
            let id = normalize_app_id(&app.id)?;
            if seen.contains(&id) {
                return Err(format!("app {id} is described twice"));
            }
            seen.push(id);
        }
        if let LeaderSpec::Url(url) = &self.marathon.leader {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "marathon.leader {url:?}: expected \"self\", \"none\" or an http(s) URL"
                ));
            }
        }
        Ok(())
    }
}

/// Which Marathon release's JSON shapes to reproduce (see NOTES in the README).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum MarathonVersion {
    /// Legacy: no task `state`, health results carry `taskId`, docker `network` form.
    #[serde(rename = "1.1")]
    V1_1,
    /// Legacy networking (`container.docker.network`, `ipAddress`), health `taskId`.
    #[serde(rename = "1.4")]
    V1_4,
    /// `networks` + `container.portMappings`; `null` for absent options; empty arrays omitted.
    #[serde(rename = "1.5")]
    V1_5,
    /// RAML-generated writers: arrays always present, absent options omitted.
    #[default]
    #[serde(rename = "1.10")]
    V1_10,
}

impl MarathonVersion {
    /// The release string `/v2/info` reports.
    pub fn release(self) -> &'static str {
        match self {
            MarathonVersion::V1_1 => "1.1.1",
            MarathonVersion::V1_4 => "1.4.13",
            MarathonVersion::V1_5 => "1.5.0",
            MarathonVersion::V1_10 => "1.10.17",
        }
    }

    /// 1.5 changed the networking API (and only outputs the new form from then on).
    pub fn has_networks_api(self) -> bool {
        self >= MarathonVersion::V1_5
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LeaderSpec {
    /// This server is the leader (the default).
    #[default]
    SelfLeader,
    /// No leader elected: 502/503 "Could not determine the current leader".
    None,
    /// A standby whose leader is elsewhere: `X-Marathon-Leader` names it, `/v2/events`
    /// redirects to it, other requests are answered as if proxied.
    Url(String),
}

impl<'de> Deserialize<'de> for LeaderSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: Option<String> = Option::deserialize(d)?;
        Ok(match raw.as_deref() {
            None | Some("none") => LeaderSpec::None,
            Some("self") => LeaderSpec::SelfLeader,
            Some(url) => LeaderSpec::Url(url.trim_end_matches('/').to_string()),
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarathonSpec {
    pub version: MarathonVersion,
    pub leader: LeaderSpec,
    /// Interval of the bare-CRLF heartbeats on `/v2/events` (Jetty's default is about 10 s).
    pub event_heartbeat_ms: u64,
    pub framework_name: String,
}

impl Default for MarathonSpec {
    fn default() -> Self {
        MarathonSpec {
            version: MarathonVersion::default(),
            leader: LeaderSpec::SelfLeader,
            event_heartbeat_ms: 10_000,
            framework_name: "marathon".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MesosDnsSpec {
    pub domain: String,
    /// Where a task's A record comes from, first non-empty wins: `netinfo` (the task's
    /// container IPs), `mesos`/`docker` (labels; not modelled, always empty), `host` (agent IP).
    pub ip_sources: Vec<String>,
    /// RFC 952 labels (24 chars, no leading digit) instead of RFC 1123 (63 chars).
    pub enforce_rfc952: bool,
    /// Serve `/v1/enumerate` (Mesos-DNS's `EnumerationOn`, default true).
    pub enumeration: bool,
    /// What `/v1/version` reports.
    pub version: String,
}

impl Default for MesosDnsSpec {
    fn default() -> Self {
        MesosDnsSpec {
            domain: "mesos".into(),
            ip_sources: vec!["netinfo".into(), "mesos".into(), "host".into()],
            enforce_rfc952: false,
            enumeration: true,
            version: "0.1.1".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSpec {
    /// Marathon `--http_credentials`: every Marathon path needs this HTTP basic login.
    pub basic: Option<BasicSpec>,
    /// Marathon `--http_realm`.
    pub realm: String,
    /// DC/OS: `Authorization: token=<token>` is required.
    pub token: Option<String>,
    /// Apply the token (and basic) check to Mesos-DNS too (DC/OS puts it behind Admin Router).
    pub mesos_dns: bool,
    /// DC/OS strict mode: service-account login at `/acs/api/v1/auth/login`; Marathon and
    /// Mesos-DNS then need a token it issued (see `acs`).
    pub acs: Option<AcsSpec>,
}

/// The emulated IAM service of a strict-mode cluster.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcsSpec {
    pub service_accounts: Vec<ServiceAccountSpec>,
    /// Lifetime of issued tokens (DC/OS: 5 days).
    #[serde(default = "five_days")]
    pub token_lifetime_secs: u64,
}

fn five_days() -> u64 {
    5 * 86_400
}

/// A service account: its id and the public half of its key pair (PEM).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountSpec {
    pub uid: String,
    pub public_key: String,
}

impl Default for AuthSpec {
    fn default() -> Self {
        AuthSpec {
            basic: None,
            realm: "Mesosphere".into(),
            token: None,
            mesos_dns: false,
            acs: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicSpec {
    pub username: String,
    pub password: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    pub hostname: String,
    /// Defaults to `hostname` when that is an IP literal, else to a generated 10.0.0.x address.
    pub ip: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// Host networking: `portDefinitions`, task ports are agent ports.
    #[default]
    Host,
    /// Docker/CNI bridge: port mappings with host ports; task IPs are not routable.
    Bridge,
    /// A named container (overlay) network: IP per task, container ports.
    Container,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerKind {
    Docker,
    Mesos,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Absolute or relative Marathon id (`/wso2/manager`, `wso2/manager`).
    pub id: String,
    /// Desired instances. Tasks not listed in `tasks` are generated (running, healthy if the
    /// app has health checks). Defaults to the number of listed tasks.
    pub instances: Option<u32>,
    #[serde(default)]
    pub network: NetworkMode,
    /// Container network name (container mode); default `dcos`.
    pub network_name: Option<String>,
    /// Default: docker for bridge/container networking, none for host.
    pub container: Option<ContainerKind>,
    pub image: Option<String>,
    pub cmd: Option<String>,
    pub cpus: Option<f64>,
    pub mem: Option<f64>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    #[serde(default)]
    pub health_checks: Vec<HealthCheckSpec>,
    #[serde(default)]
    pub tasks: Vec<TaskSpec>,
}

impl AppSpec {
    pub fn validate(&self) -> Result<(), String> {
        let id = normalize_app_id(&self.id)?;
        let what = |msg: String| format!("app {id}: {msg}");
        if let Some(n) = self.instances {
            if (n as usize) < self.tasks.len() {
                return Err(what(format!(
                    "instances is {n} but {} tasks are listed",
                    self.tasks.len()
                )));
            }
            if n > MAX_INSTANCES {
                return Err(what(format!("instances {n} exceeds {MAX_INSTANCES}")));
            }
        }
        if self.tasks.len() > MAX_INSTANCES as usize {
            return Err(what(format!("more than {MAX_INSTANCES} tasks")));
        }
        for (i, port) in self.ports.iter().enumerate() {
            match self.network {
                NetworkMode::Host if port.container_port.is_some() => {
                    return Err(what(format!(
                        "port {i}: container_port needs bridge or container networking"
                    )))
                }
                NetworkMode::Bridge | NetworkMode::Container if port.container_port.is_none() => {
                    return Err(what(format!(
                        "port {i}: container_port is required with {:?} networking",
                        self.network
                    )))
                }
                _ => {}
            }
            if !matches!(
                port.protocol.as_str(),
                "tcp" | "udp" | "udp,tcp" | "tcp,udp"
            ) {
                return Err(what(format!(
                    "port {i}: protocol {:?} (expected tcp, udp or udp,tcp)",
                    port.protocol
                )));
            }
        }
        for (i, hc) in self.health_checks.iter().enumerate() {
            if let Some(index) = hc.port_index {
                if index >= self.ports.len() {
                    return Err(what(format!(
                        "health check {i}: port_index {index} but {} ports",
                        self.ports.len()
                    )));
                }
            }
        }
        for (i, task) in self.tasks.iter().enumerate() {
            TaskState::parse(&task.state).map_err(|e| what(format!("task {i}: {e}")))?;
            if task.health != HealthSpec::Default
                && task.health != HealthSpec::Unknown
                && self.health_checks.is_empty()
            {
                return Err(what(format!(
                    "task {i}: health {:?} but the app has no health_checks",
                    task.health
                )));
            }
            for ip in &task.ip_addresses {
                ip.parse::<std::net::IpAddr>()
                    .map_err(|_| what(format!("task {i}: {ip:?} is not an IP address")))?;
            }
        }
        Ok(())
    }
}

/// Upper bound on tasks per app: the workbench is for tests, and bodies must stay bounded.
pub const MAX_INSTANCES: u32 = 10_000;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    pub name: Option<String>,
    /// Bridge/container networking: the port inside the container.
    pub container_port: Option<u16>,
    /// Bridge: 0 or absent = dynamic host port. Container: absent = no host port (IP-per-task);
    /// 0 = dynamic. Host networking: ignored (every port is a host port).
    pub host_port: Option<u16>,
    /// Marathon service port; generated (10000+) when absent.
    pub service_port: Option<u16>,
    #[serde(default = "tcp")]
    pub protocol: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

fn tcp() -> String {
    "tcp".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckSpec {
    /// HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS, MESOS_TCP.
    #[serde(default = "http")]
    pub protocol: String,
    pub path: Option<String>,
    pub port_index: Option<usize>,
    #[serde(default = "grace")]
    pub grace_period_seconds: u32,
    #[serde(default = "ten")]
    pub interval_seconds: u32,
    #[serde(default = "ten")]
    pub timeout_seconds: u32,
    #[serde(default = "three")]
    pub max_consecutive_failures: u32,
}

fn http() -> String {
    "HTTP".into()
}
fn grace() -> u32 {
    300
}
fn ten() -> u32 {
    10
}
fn three() -> u32 {
    3
}

/// What the task's health checks say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthSpec {
    /// Healthy when the app has health checks and the task is running; else unknown.
    #[default]
    Default,
    Healthy,
    Unhealthy,
    /// No result yet (grace period): `healthCheckResults` is empty.
    Unknown,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Agent hostname or IP; round-robin over the agents when absent.
    pub agent: Option<String>,
    /// Mesos state, `TASK_RUNNING` or `running`; default running.
    #[serde(default = "running")]
    pub state: String,
    /// Host ports; allocated (31000+) when absent.
    pub ports: Option<Vec<u16>>,
    /// Task IPs (Mesos NetworkInfo). Default: none for host networking, a bridge IP
    /// (172.17.0.x) or an overlay IP (9.0.x.y) once the task has run.
    #[serde(default)]
    pub ip_addresses: Vec<String>,
    #[serde(default)]
    pub health: HealthSpec,
}

fn running() -> String {
    "TASK_RUNNING".into()
}

/// A Mesos task state as Marathon reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Staging,
    Starting,
    Running,
    Killing,
    Killed,
    Failed,
    Finished,
    Error,
    Lost,
    Unreachable,
    Gone,
    Dropped,
    Unknown,
}

impl TaskState {
    pub const ALL: [TaskState; 13] = [
        TaskState::Staging,
        TaskState::Starting,
        TaskState::Running,
        TaskState::Killing,
        TaskState::Killed,
        TaskState::Failed,
        TaskState::Finished,
        TaskState::Error,
        TaskState::Lost,
        TaskState::Unreachable,
        TaskState::Gone,
        TaskState::Dropped,
        TaskState::Unknown,
    ];

    /// Accepts `TASK_RUNNING`, `running`, `Running`.
    pub fn parse(raw: &str) -> Result<TaskState, String> {
        let upper = raw.trim().to_ascii_uppercase();
        let name = upper.strip_prefix("TASK_").unwrap_or(&upper);
        TaskState::ALL
            .into_iter()
            .find(|s| &s.mesos_name()[5..] == name)
            .ok_or_else(|| format!("unknown task state {raw:?}"))
    }

    pub fn mesos_name(self) -> &'static str {
        match self {
            TaskState::Staging => "TASK_STAGING",
            TaskState::Starting => "TASK_STARTING",
            TaskState::Running => "TASK_RUNNING",
            TaskState::Killing => "TASK_KILLING",
            TaskState::Killed => "TASK_KILLED",
            TaskState::Failed => "TASK_FAILED",
            TaskState::Finished => "TASK_FINISHED",
            TaskState::Error => "TASK_ERROR",
            TaskState::Lost => "TASK_LOST",
            TaskState::Unreachable => "TASK_UNREACHABLE",
            TaskState::Gone => "TASK_GONE",
            TaskState::Dropped => "TASK_DROPPED",
            TaskState::Unknown => "TASK_UNKNOWN",
        }
    }

    /// Marathon's instance condition (`instance_changed_event.condition`).
    pub fn condition(self) -> &'static str {
        match self {
            TaskState::Staging => "Staging",
            TaskState::Starting => "Starting",
            TaskState::Running => "Running",
            TaskState::Killing => "Killing",
            TaskState::Killed => "Killed",
            TaskState::Failed => "Failed",
            TaskState::Finished => "Finished",
            TaskState::Error => "Error",
            TaskState::Lost | TaskState::Unreachable => "Unreachable",
            TaskState::Gone => "Gone",
            TaskState::Dropped => "Dropped",
            TaskState::Unknown => "Unknown",
        }
    }

    /// Active conditions carry ports, stagedAt and version (TaskConversion.scala).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TaskState::Staging
                | TaskState::Starting
                | TaskState::Running
                | TaskState::Killing
                | TaskState::Lost
                | TaskState::Unreachable
        )
    }

    /// Whether the task has reached TASK_RUNNING at some point (so it has startedAt and IPs).
    pub fn has_started(self) -> bool {
        !matches!(self, TaskState::Staging | TaskState::Starting)
    }

    /// `?status=` filter values of `/v2/tasks` (lowercase condition names).
    pub fn filter_name(self) -> String {
        self.condition().to_ascii_lowercase()
    }
}

/// `wso2/manager`, `/wso2/manager/` → `/wso2/manager`. Segments: lowercase letters, digits,
/// `-` and `.` (Marathon's id rule), no `.`/`..`.
pub fn normalize_app_id(raw: &str) -> Result<String, String> {
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err(format!("app id {raw:?} is empty"));
    }
    for s in &segments {
        let ok = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && *s != "."
            && *s != ".."
            && s.len() <= 255;
        if !ok {
            return Err(format!(
                "app id {raw:?}: segment {s:?} must be lowercase letters, digits, '-' or '.'"
            ));
        }
    }
    Ok(format!("/{}", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minimal_and_rejects_typos() {
        let c = Cluster::from_json_str(r#"{"apps":[{"id":"a","instances":2}]}"#).unwrap();
        assert_eq!(c.apps[0].instances, Some(2));
        let err = Cluster::from_json_str(r#"{"apps":[{"id":"a","instance":2}]}"#).unwrap_err();
        assert!(err.contains("instance"), "{err}");
    }

    #[test]
    fn validates_shapes() {
        let err = Cluster::from_json_str(
            r#"{"apps":[{"id":"/a","network":"container","ports":[{"name":"x"}]}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("container_port is required"), "{err}");
        let err =
            Cluster::from_json_str(r#"{"apps":[{"id":"/a","tasks":[{"health":"healthy"}]}]}"#)
                .unwrap_err();
        assert!(err.contains("no health_checks"), "{err}");
        let err = Cluster::from_json_str(r#"{"apps":[{"id":"/A"}]}"#).unwrap_err();
        assert!(err.contains("lowercase"), "{err}");
        let err = Cluster::from_json_str(r#"{"apps":[{"id":"/a"},{"id":"a/"}]}"#).unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn task_states_parse_both_spellings() {
        assert_eq!(TaskState::parse("running").unwrap(), TaskState::Running);
        assert_eq!(
            TaskState::parse("TASK_KILLING").unwrap(),
            TaskState::Killing
        );
        assert!(TaskState::parse("TASK_BOGUS").is_err());
    }

    #[test]
    fn leader_forms() {
        let c = Cluster::from_json_str(r#"{"marathon":{"leader":null}}"#).unwrap();
        assert_eq!(c.marathon.leader, LeaderSpec::None);
        let c =
            Cluster::from_json_str(r#"{"marathon":{"leader":"http://10.0.0.2:8080/"}}"#).unwrap();
        assert_eq!(
            c.marathon.leader,
            LeaderSpec::Url("http://10.0.0.2:8080".into())
        );
        assert!(Cluster::from_json_str(r#"{"marathon":{"leader":"bogus"}}"#).is_err());
    }
}
