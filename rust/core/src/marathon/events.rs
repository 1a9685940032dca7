//! What Marathon's events say, read leniently (pure). Field names per Marathon's event
//! writers (`shared/upstream-api/NOTES.md`, "Marathon event stream"):
//!
//! - `status_update_event`: slaveId, taskId, taskStatus, message, appId, host,
//!   ipAddresses[{ipAddress, protocol}], ports, version (the version of the app the task was
//!   launched with);
//! - `deployment_info` / `deployment_step_*` / `deployment_success|failed`: a light plan
//!   `{id, steps, version}` whose steps name each app and its action.
//!
//! A field that is absent or of the wrong type reads as unknown (`None`): what can be
//! decided without it is, the rest falls back to a refetch.

use serde_json::Value;

use crate::config::normalize_app_id;
use crate::marathon::api::IpAddress;

/// A task status change, as far as it could be read.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusUpdate {
    pub task_id: String,
    /// Normalised (`/group/app`).
    pub app_id: String,
    pub state: String,
    pub host: Option<String>,
    pub ports: Option<Vec<u32>>,
    pub ip_addresses: Option<Vec<IpAddress>>,
    pub version: Option<String>,
}

/// Reads a `status_update_event`'s data. `Err` names what is missing when not even the task,
/// its app and its state can be read.
pub fn status_update(data: &str) -> Result<StatusUpdate, String> {
    let value: Value =
        serde_json::from_str(data).map_err(|e| format!("status update is not JSON: {e}"))?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let task_id = text("taskId").ok_or("status update without a taskId")?;
    let app_id = text("appId").ok_or("status update without an appId")?;
    let app_id = normalize_app_id(&app_id).map_err(|e| format!("status update appId: {e}"))?;
    let state = text("taskStatus").ok_or("status update without a taskStatus")?;
    let ports = value.get("ports").and_then(|p| {
        p.as_array()?
            .iter()
            .map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
            .collect::<Option<Vec<u32>>>()
    });
    let ip_addresses = value
        .get("ipAddresses")
        .and_then(|v| serde_json::from_value::<Vec<IpAddress>>(v.clone()).ok());
    Ok(StatusUpdate {
        task_id,
        app_id,
        state,
        host: text("host"),
        ports,
        ip_addresses,
        version: text("version"),
    })
}

/// Mesos task states in which a task leaves the cluster for good, or is being killed.
pub fn is_leaving_state(state: &str) -> bool {
    matches!(
        state,
        "TASK_KILLING"
            | "TASK_FINISHED"
            | "TASK_FAILED"
            | "TASK_KILLED"
            | "TASK_ERROR"
            | "TASK_LOST"
            | "TASK_DROPPED"
            | "TASK_GONE"
            | "TASK_GONE_BY_OPERATOR"
    )
}

/// A deployment as its event names it: the plan's version and each step's (app, action).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deployment {
    pub version: Option<String>,
    pub actions: Vec<(String, String)>,
}

impl Deployment {
    /// The apps the deployment touches (normalised, deduplicated, in order).
    pub fn apps(&self) -> Vec<String> {
        let mut apps: Vec<String> = Vec::new();
        for (app, _) in &self.actions {
            if !apps.contains(app) {
                apps.push(app.clone());
            }
        }
        apps
    }

    /// Whether every action on `app` only changes its instance count (Marathon plans a
    /// `ScaleApplication` only when nothing but `instances` changed), so tasks of the plan's
    /// version run the configuration the app had before.
    pub fn only_scales(&self, app: &str) -> bool {
        let mut on_app = self.actions.iter().filter(|(a, _)| a == app).peekable();
        on_app.peek().is_some() && on_app.all(|(_, action)| action == "ScaleApplication")
    }
}

/// Reads a deployment event's plan. Steps come as `{action, app}` (Marathon's event docs) or
/// as `{actions: [{action | type, app}]}`; `None` when no step names an app.
pub fn deployment(data: &str) -> Option<Deployment> {
    let value: Value = serde_json::from_str(data).ok()?;
    let plan = value.get("plan")?;
    let mut actions = Vec::new();
    let mut read_action = |a: &Value| {
        let app = a.get("app").and_then(Value::as_str);
        let action = a
            .get("action")
            .or_else(|| a.get("type"))
            .and_then(Value::as_str);
        if let (Some(app), Some(action)) = (app, action) {
            if let Ok(app) = normalize_app_id(app) {
                actions.push((app, action.to_string()));
            }
        }
    };
    for step in plan
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match step.get("actions").and_then(Value::as_array) {
            Some(inner) => inner.iter().for_each(&mut read_action),
            None => read_action(step),
        }
    }
    if actions.is_empty() {
        return None;
    }
    let version = plan
        .get("version")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some(Deployment { version, actions })
}

/// Whether `s` is a Marathon timestamp as Marathon writes versions
/// (`2014-03-01T23:29:30.158Z`): fixed width, so two of them compare as text.
pub fn is_marathon_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_status_update() {
        let data = r#"{"eventType":"status_update_event","timestamp":"2014-03-01T23:29:30.158Z","slaveId":"20140909-054127-177048842-5050-1494-0","taskId":"my-app_0-1396592784349","taskStatus":"TASK_RUNNING","appId":"/my-app","host":"slave-1234.acme.org","ports":[31372],"version":"2014-04-04T06:26:23.051Z"}"#;
        let u = status_update(data).unwrap();
        assert_eq!(u.task_id, "my-app_0-1396592784349");
        assert_eq!(u.app_id, "/my-app");
        assert_eq!(u.state, "TASK_RUNNING");
        assert_eq!(u.host.as_deref(), Some("slave-1234.acme.org"));
        assert_eq!(u.ports, Some(vec![31372]));
        assert_eq!(u.ip_addresses, None, "absent: unknown, not empty");
        assert_eq!(u.version.as_deref(), Some("2014-04-04T06:26:23.051Z"));
    }

    #[test]
    fn wrong_types_read_as_unknown_and_the_core_fields_are_required() {
        let u = status_update(
            r#"{"taskId":"t","appId":"a","taskStatus":"TASK_KILLED","ports":"x","host":7,"ipAddresses":{}}"#,
        )
        .unwrap();
        assert_eq!((u.ports, u.host, u.ip_addresses), (None, None, None));
        assert_eq!(u.app_id, "/a");
        for bad in [
            "nope",
            r#"{"appId":"/a","taskStatus":"TASK_RUNNING"}"#,
            r#"{"taskId":"t","taskStatus":"TASK_RUNNING"}"#,
            r#"{"taskId":"t","appId":"/a"}"#,
            r#"{"taskId":"t","appId":"/A B","taskStatus":"TASK_RUNNING"}"#,
        ] {
            assert!(status_update(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deployments_in_both_step_shapes() {
        let doc = r#"{"plan":{"id":"p","steps":[{"action":"ScaleApplication","app":"/my-app"}],"version":"2014-03-01T23:24:14.846Z"},"currentStep":{"actions":[{"type":"ScaleApplication","app":"/my-app"}]}}"#;
        let d = deployment(doc).unwrap();
        assert!(d.only_scales("/my-app"));
        assert!(!d.only_scales("/other"));
        assert_eq!(d.version.as_deref(), Some("2014-03-01T23:24:14.846Z"));
        let nested = r#"{"plan":{"steps":[{"actions":[{"action":"ScaleApplication","app":"a"}]},{"actions":[{"action":"RestartApplication","app":"/a"},{"action":"StartApplication","app":"/b"}]}]}}"#;
        let d = deployment(nested).unwrap();
        assert_eq!(d.apps(), vec!["/a".to_string(), "/b".to_string()]);
        assert!(!d.only_scales("/a"));
        assert_eq!(d.version, None);
        assert_eq!(deployment(r#"{"id":"x"}"#), None);
        assert_eq!(deployment("[]"), None);
    }

    #[test]
    fn marathon_times_are_fixed_width() {
        assert!(is_marathon_time("2014-03-01T23:24:14.846Z"));
        for bad in ["2014-03-01T23:24:14Z", "2014-03-01 23:24:14.846Z", "", "x"] {
            assert!(!is_marathon_time(bad), "{bad}");
        }
    }

    #[test]
    fn leaving_states() {
        assert!(is_leaving_state("TASK_KILLING") && is_leaving_state("TASK_GONE_BY_OPERATOR"));
        for state in [
            "TASK_RUNNING",
            "TASK_STAGING",
            "TASK_UNREACHABLE",
            "TASK_UNKNOWN",
            "x",
        ] {
            assert!(!is_leaving_state(state), "{state}");
        }
    }
}
