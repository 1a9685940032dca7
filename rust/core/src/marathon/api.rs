//! Serde types for the parts of Marathon's app and task JSON that discovery reads, across the
//! Marathon 1.1 … 1.10 shapes (see `shared/upstream-api/NOTES.md`). Everything is optional and
//! `null`-tolerant except a task's `id`, `appId`, `host` and `state`; unknown fields are
//! ignored. Tasks are parsed one by one so a single malformed task becomes a warning, not a
//! failed discovery.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::{Error, Result};

/// `GET /v2/apps/{id}` → `{"app": {...}}`, its tasks read as `T`.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct AppEnvelope<T> {
    app: Option<App<T>>,
}

/// An app definition. `T` is how its tasks are read while parsing (see [`parse_app`]); a
/// parsed app keeps none (`App<()>`, the tasks are decoded into [`Task`]s).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct App<T = ()> {
    pub id: Option<String>,
    #[serde(default)]
    pub tasks: Option<Vec<T>>,
    pub container: Option<Container>,
    /// Marathon 1.5+: `[{"mode": "host" | "container/bridge" | "container", "name"?}]`.
    pub networks: Option<Vec<Network>>,
    /// Host networking: the declared ports, whose names index into `task.ports`.
    pub port_definitions: Option<Vec<PortDefinition>>,
    /// Marathon ≤ 1.4 IP-per-task.
    pub ip_address: Option<IpAddressDefinition>,
    /// When this definition was written (any change, a scale included); tasks carry the
    /// version they were launched with.
    pub version: Option<String>,
    pub version_info: Option<VersionInfo>,
}

impl<T> App<T> {
    /// The app without its tasks.
    fn detach(self) -> App {
        let App {
            id,
            tasks: _,
            container,
            networks,
            port_definitions,
            ip_address,
            version,
            version_info,
        } = self;
        App {
            id,
            tasks: None,
            container,
            networks,
            port_definitions,
            ip_address,
            version,
            version_info,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// The last change other than a scale: every version since has this configuration.
    pub last_config_change_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub docker: Option<Docker>,
    /// Marathon 1.5+ form.
    pub port_mappings: Option<Vec<PortMapping>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Docker {
    /// Marathon ≤ 1.4: `HOST`, `BRIDGE`, `USER`, `NONE`.
    pub network: Option<String>,
    /// Marathon ≤ 1.4 form.
    pub port_mappings: Option<Vec<PortMapping>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    pub container_port: Option<u32>,
    /// Absent in container mode means "no host port" (no entry in `task.ports`).
    pub host_port: Option<u32>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Network {
    pub mode: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PortDefinition {
    pub port: Option<u32>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddressDefinition {
    pub network_name: Option<String>,
    pub discovery: Option<DiscoveryInfo>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DiscoveryInfo {
    pub ports: Option<Vec<DiscoveryPort>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DiscoveryPort {
    pub number: Option<u32>,
    pub name: Option<String>,
}

/// A task with its four required fields checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub app_id: String,
    pub host: String,
    pub state: String,
    pub ports: Vec<u32>,
    pub ip_addresses: Vec<IpAddress>,
    /// `alive` of each health check result (`null` results count as unknown).
    pub health: Vec<Option<bool>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddress {
    /// The family is read from the address itself (Marathon's `protocol` is not kept).
    pub ip_address: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTask {
    id: Option<String>,
    app_id: Option<String>,
    host: Option<String>,
    state: Option<String>,
    ports: Option<Vec<u32>>,
    ip_addresses: Option<Vec<IpAddress>>,
    health_check_results: Option<Vec<RawHealth>>,
    /// Only looked at for presence.
    staged_at: Option<NonEmpty>,
    started_at: Option<NonEmpty>,
}

/// Whether a string field is non-empty, read without copying the string (serde's `Cow`
/// copies whenever it sits inside an `Option`). Anything but a string is an error, as for a
/// `String` field.
#[derive(Debug)]
struct NonEmpty(bool);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = NonEmpty;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<NonEmpty, E> {
                Ok(NonEmpty(!v.is_empty()))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

#[derive(Deserialize)]
struct TaskId<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct RawHealth {
    alive: Option<bool>,
}

impl Task {
    /// Decodes one task of the app `enclosing_app_id`; the error names the task (by id when it
    /// has one) and the problem.
    ///
    /// Marathon ≤ 1.4 wrote no `state`: such a task is `TASK_RUNNING` once it has `startedAt`,
    /// else `TASK_STAGING` while it has `stagedAt` (those versions listed only launched tasks).
    /// Tasks embedded in an app without their own `appId` (seen in 1.1 task lists) belong to
    /// the enclosing app.
    pub fn from_value(
        value: serde_json::Value,
        enclosing_app_id: &str,
    ) -> std::result::Result<Task, String> {
        let id_hint = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
        let raw = RawTask::deserialize(&value).map_err(|e| match &id_hint {
            Some(id) => format!("task {id}: malformed: {e}"),
            None => format!("a task is malformed: {e}"),
        })?;
        Task::from_raw(raw, enclosing_app_id)
    }

    /// [`Task::from_value`] from the task's JSON text, in one pass.
    pub fn from_json(json: &str, enclosing_app_id: &str) -> std::result::Result<Task, String> {
        match serde_json::from_str::<RawTask>(json) {
            Ok(raw) => Task::from_raw(raw, enclosing_app_id),
            // Only a broken task pays for a second look, to name it (everything but `id` is
            // skipped unread, so what broke the task does not break this).
            Err(e) => Err(
                match serde_json::from_str::<TaskId>(json).ok().and_then(|t| t.id) {
                    Some(id) => format!("task {id}: malformed: {e}"),
                    None => format!("a task is malformed: {e}"),
                },
            ),
        }
    }

    fn from_raw(raw: RawTask, enclosing_app_id: &str) -> std::result::Result<Task, String> {
        let Some(id) = raw.id.filter(|v| !v.is_empty()) else {
            return Err("a task without id was skipped".to_string());
        };
        let required = |field: Option<String>, name: &str| {
            field
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("task {id} has no {name}; skipped"))
        };
        let present = |v: &Option<NonEmpty>| v.as_ref().is_some_and(|v| v.0);
        let state = match raw.state.filter(|s| !s.is_empty()) {
            Some(state) => Some(state),
            None if present(&raw.started_at) => Some("TASK_RUNNING".to_string()),
            None if present(&raw.staged_at) => Some("TASK_STAGING".to_string()),
            None => None,
        };
        let host = required(raw.host, "host")?;
        let state = required(state, "state (nor stagedAt/startedAt)")?;
        Ok(Task {
            id,
            app_id: raw
                .app_id
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| enclosing_app_id.to_string()),
            host,
            state,
            ports: raw.ports.unwrap_or_default(),
            ip_addresses: raw.ip_addresses.unwrap_or_default(),
            health: raw
                .health_check_results
                .unwrap_or_default()
                .into_iter()
                .map(|h| h.alive)
                .collect(),
        })
    }
}

/// A task of an app body: decoded, or why it was skipped (naming it when it has an id).
pub type TaskOutcome = std::result::Result<Task, String>;

/// Parses a `GET /v2/apps/{id}` body (`requested_id`: the app asked for, the tasks' app when
/// neither they nor the body say). Well-formed bodies are read in one pass; when a task is
/// malformed, each task's JSON is read alone, so that task costs only itself (a warning).
pub fn parse_app(body: &[u8], requested_id: &str) -> Result<(App, Vec<TaskOutcome>)> {
    // UTF-8 checked once for the whole body, not string by string.
    if let Ok(AppEnvelope { app: Some(app) }) = std::str::from_utf8(body)
        .map_err(|_| ())
        .and_then(|text| serde_json::from_str::<AppEnvelope<RawTask>>(text).map_err(|_| ()))
    {
        return Ok(split_tasks(app, requested_id, Task::from_raw));
    }
    let envelope: AppEnvelope<&serde_json::value::RawValue> = serde_json::from_slice(body)
        .map_err(|e| Error::protocol(format!("not a Marathon app response: {e}")))?;
    let app = envelope
        .app
        .ok_or_else(|| Error::protocol("not a Marathon app response: no \"app\" object"))?;
    Ok(split_tasks(app, requested_id, |json, enclosing| {
        Task::from_json(json.get(), enclosing)
    }))
}

/// The app without its tasks, and each task decoded (as belonging to the app's id, else to
/// `requested_id`, when it names no app of its own).
fn split_tasks<T>(
    mut app: App<T>,
    requested_id: &str,
    decode: impl Fn(T, &str) -> TaskOutcome,
) -> (App, Vec<TaskOutcome>) {
    let tasks = app.tasks.take().unwrap_or_default();
    let app = app.detach();
    let enclosing = app.id.as_deref().unwrap_or(requested_id);
    let tasks = tasks.into_iter().map(|t| decode(t, enclosing)).collect();
    (app, tasks)
}

/// What a Marathon (or Jetty in front of it) error body says, for error messages: the HTML
/// page's `<title>` ("Error 503 Could not determine the current leader") or the JSON
/// `message`.
pub fn error_hint(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    if let Some(start) = text.find("<title>") {
        return text[start + 7..]
            .split("</title>")
            .next()
            .map(str::to_string);
    }
    error_message(body)
}

/// Parses a Marathon error body (`{"message": "..."}`), for warnings.
pub fn error_message(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("message")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_requires_four_fields_and_tolerates_nulls() {
        let raw =
            r#"{"id": "a.9", "appId": "/a", "host": "h", "state": "TASK_RUNNING", "ports": [1]}"#;
        assert_eq!(
            Task::from_json(raw, "/a").unwrap(),
            Task::from_value(serde_json::from_str(raw).unwrap(), "/a").unwrap()
        );
        let e = Task::from_json(r#"{"id": "a.8", "ports": "x"}"#, "/a").unwrap_err();
        assert!(e.starts_with("task a.8: malformed"), "{e}");
        let t = Task::from_value(json!({
            "id": "a.1", "appId": "/a", "host": "h", "state": "TASK_RUNNING",
            "ports": null, "ipAddresses": null, "healthCheckResults": null, "startedAt": null, "extra": {"x": 1}
        }), "/a")
        .unwrap();
        assert!(t.ports.is_empty() && t.ip_addresses.is_empty() && t.health.is_empty());
        let e = Task::from_value(
            json!({"id": "a.2", "appId": "/a", "state": "TASK_RUNNING"}),
            "/a",
        )
        .unwrap_err();
        assert_eq!(e, "task a.2 has no host; skipped");
        let e = Task::from_value(
            json!({"appId": "/a", "host": "h", "state": "TASK_RUNNING"}),
            "/a",
        )
        .unwrap_err();
        assert_eq!(e, "a task without id was skipped");
        let e = Task::from_value(
            json!({"id": "a.3", "appId": "/a", "host": "h", "state": "TASK_RUNNING", "ports": "x"}),
            "/a",
        )
        .unwrap_err();
        assert!(e.starts_with("task a.3: malformed"), "{e}");
    }

    #[test]
    fn pre_1_5_tasks_without_state_or_app_id() {
        let running = json!({"id": "a.1", "host": "h", "stagedAt": "2014-04-04T06:26:30.355Z", "startedAt": "2014-04-04T06:26:30.860Z"});
        let t = Task::from_value(running, "/a").unwrap();
        assert_eq!(
            (t.state.as_str(), t.app_id.as_str()),
            ("TASK_RUNNING", "/a")
        );
        let staging = json!({"id": "a.2", "host": "h", "appId": "/b", "stagedAt": "2014-04-04T06:26:30.355Z", "startedAt": null});
        let t = Task::from_value(staging, "/a").unwrap();
        assert_eq!(
            (t.state.as_str(), t.app_id.as_str()),
            ("TASK_STAGING", "/b")
        );
        let e = Task::from_value(json!({"id": "a.3", "host": "h"}), "/a").unwrap_err();
        assert_eq!(e, "task a.3 has no state (nor stagedAt/startedAt); skipped");
    }

    /// `stagedAt` / `startedAt` are read for presence only: escaped strings count, empty
    /// strings and `null` do not, anything but a string makes the task malformed.
    #[test]
    fn launch_times_are_read_for_presence() {
        let state = |extra: &str| {
            let json = format!(r#"{{"id":"a.1","host":"h"{extra}}}"#);
            let one = Task::from_json(&json, "/a").map(|t| t.state);
            let value = serde_json::from_str(&json).unwrap();
            // The same answer either way (an error only says where, when read from text).
            let other = Task::from_value(value, "/a").map(|t| t.state);
            assert_eq!(one.as_ref().ok(), other.as_ref().ok(), "{json}");
            assert_eq!(
                one.as_ref()
                    .err()
                    .map(|e| e.split(" at line").next().unwrap()),
                other.as_ref().err().map(String::as_str),
                "{json}"
            );
            one
        };
        assert_eq!(state(r#","stagedAt":"\u0032014""#).unwrap(), "TASK_STAGING");
        assert_eq!(
            state(r#","stagedAt":"x","startedAt":"2014-04-04T06:26:30.860Z""#).unwrap(),
            "TASK_RUNNING"
        );
        assert_eq!(
            state(r#","stagedAt":"x","startedAt":"""#).unwrap(),
            "TASK_STAGING"
        );
        for absent in [r#","stagedAt":"""#, r#","stagedAt":null"#, ""] {
            assert!(
                state(absent).unwrap_err().contains("has no state"),
                "{absent}"
            );
        }
        for wrong in [r#","stagedAt":5"#, r#","startedAt":["x"]"#] {
            assert!(state(wrong).unwrap_err().contains("malformed"), "{wrong}");
        }
    }

    /// One pass for well-formed bodies, task by task when one is malformed: the same tasks
    /// either way, and a malformed task costs only itself.
    #[test]
    fn one_pass_and_task_by_task_agree() {
        let tasks = [
            r#"{"id":"a.1","host":"h1","state":"TASK_RUNNING","ports":[1]}"#,
            r#"{"id":"a.2","appId":"/b","host":"h2","stagedAt":"2014-04-04T06:26:30.355Z"}"#,
            r#"{"id":"a.3","host":"h3"}"#,
            r#"{"host":"h4","state":"TASK_RUNNING"}"#,
        ];
        let body =
            |tasks: &[&str]| format!(r#"{{"app":{{"id":"/a","tasks":[{}]}}}}"#, tasks.join(","));
        let by_task = |tasks: &[&str]| -> Vec<TaskOutcome> {
            tasks.iter().map(|t| Task::from_json(t, "/a")).collect()
        };
        let (app, outcomes) = parse_app(body(&tasks).as_bytes(), "/x").unwrap();
        assert_eq!((app.id.as_deref(), app.tasks), (Some("/a"), None));
        assert_eq!(outcomes, by_task(&tasks));
        let mut broken = tasks.to_vec();
        broken.insert(
            1,
            r#"{"id":"a.9","host":"h9","state":"TASK_RUNNING","ports":"x"}"#,
        );
        let (_, outcomes) = parse_app(body(&broken).as_bytes(), "/x").unwrap();
        assert_eq!(outcomes, by_task(&broken));
        assert!(outcomes[1]
            .as_ref()
            .unwrap_err()
            .starts_with("task a.9: malformed"));
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 2);
        // No app id in the body: the tasks belong to the app asked for.
        let (_, outcomes) = parse_app(
            br#"{"app":{"tasks":[{"id":"a.1","host":"h","state":"TASK_RUNNING"}]}}"#,
            "/x",
        )
        .unwrap();
        assert_eq!(outcomes[0].as_ref().unwrap().app_id, "/x");
    }

    #[test]
    fn hints_read_jetty_title_and_marathon_message() {
        let html = b"<html><head><title>Error 503 Could not determine the current leader</title></head></html>";
        assert_eq!(
            error_hint(html).as_deref(),
            Some("Error 503 Could not determine the current leader")
        );
        assert_eq!(
            error_hint(br#"{"message":"App '/x' does not exist"}"#).as_deref(),
            Some("App '/x' does not exist")
        );
        assert_eq!(error_hint(b"\xff\xfe"), None);
    }

    #[test]
    fn app_envelope_errors_are_protocol_errors() {
        assert!(parse_app(br#"{"app": {"id": "/a", "tasks": null}}"#, "/a").is_ok());
        assert!(parse_app(b"[]", "/a")
            .unwrap_err()
            .message()
            .contains("not a Marathon app response"));
        assert!(parse_app(b"{}", "/a")
            .unwrap_err()
            .message()
            .contains("no \"app\""));
        assert_eq!(
            error_message(br#"{"message":"App '/x' does not exist"}"#).as_deref(),
            Some("App '/x' does not exist")
        );
    }
}
