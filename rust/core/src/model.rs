//! The answer every front end serves: members (and warnings about what was skipped).
//! The JSON shape here is the one the CLI prints and the C and Python layers return.

use serde::{Deserialize, Serialize};

/// One cluster member: an address Hazelcast can join, and the Marathon task behind it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Member {
    pub host: String,
    pub port: u16,
    /// Absolute Marathon app id (`/group/app`).
    pub app_id: String,
    /// Marathon task id; for Mesos-DNS, the SRV target host name (Mesos-DNS has no task ids).
    pub task_id: String,
    /// Mesos task state (`TASK_RUNNING`, …). Mesos-DNS only publishes running tasks.
    pub state: String,
    /// `Some(false)` if any health check says dead, `Some(true)` if all say alive,
    /// `None` when unknown (no health checks, no result yet, or Mesos-DNS).
    pub healthy: Option<bool>,
}

impl Member {
    /// `host:port`, bracketing IPv6 literals, as Hazelcast's `TcpIpConfig.addMember` takes it.
    pub fn host_port(&self) -> String {
        let mut out = String::with_capacity(self.host.len() + 8);
        self.push_host_port(&mut out);
        out
    }

    /// Appends [`Member::host_port`] to `out` (no allocation of its own: for long lists).
    pub fn push_host_port(&self, out: &mut String) {
        use std::fmt::Write;
        if self.host.contains(':') {
            let _ = write!(out, "[{}]:{}", self.host, self.port);
        } else {
            let _ = write!(out, "{}:{}", self.host, self.port);
        }
    }
}

/// Something skipped or missing that did not stop discovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn app(app_id: &str, message: impl Into<String>) -> Self {
        Warning {
            app_id: Some(app_id.to_string()),
            task_id: None,
            message: message.into(),
        }
    }

    pub fn task(app_id: &str, task_id: &str, message: impl Into<String>) -> Self {
        Warning {
            app_id: Some(app_id.to_string()),
            task_id: Some(task_id.to_string()),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.app_id, &self.task_id) {
            (Some(app), Some(task)) => write!(f, "{app} task {task}: {}", self.message),
            (Some(app), None) => write!(f, "{app}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The result of one discovery: members sorted by (host, port, app, task) with one member
/// per `host:port`, plus warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub members: Vec<Member>,
    pub warnings: Vec<Warning>,
}

impl Discovery {
    /// Sorts members and keeps the first of each `host:port`; a dropped duplicate that was a
    /// different task is reported, since two tasks cannot really share an address.
    pub fn normalize(&mut self) {
        one_per_address(&mut self.members, &mut self.warnings);
    }
}

/// Sorts `members` and keeps one per `host:port` (the first in order; a warning names each
/// task left out). Works on members or on references to them (sorting references moves
/// pointers, not members).
pub(crate) fn one_per_address<M>(members: &mut Vec<M>, warnings: &mut Vec<Warning>)
where
    M: std::borrow::Borrow<Member> + Ord,
{
    // Equal members are identical in every field, so an unstable sort loses nothing.
    members.sort_unstable();
    members.dedup_by(|later, kept| {
        let (later, kept): (&Member, &Member) = ((*later).borrow(), (*kept).borrow());
        let same_address = later.host == kept.host && later.port == kept.port;
        if same_address && (later.task_id != kept.task_id || later.app_id != kept.app_id) {
            warnings.push(Warning::task(
                &later.app_id,
                &later.task_id,
                format!(
                    "same address {} as task {} of {}; kept one member",
                    later.host_port(),
                    kept.task_id,
                    kept.app_id
                ),
            ));
        }
        same_address
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(host: &str, port: u16, task: &str) -> Member {
        Member {
            host: host.into(),
            port,
            app_id: "/a".into(),
            task_id: task.into(),
            state: "TASK_RUNNING".into(),
            healthy: None,
        }
    }

    #[test]
    fn normalize_sorts_and_dedupes_by_address() {
        let mut d = Discovery {
            members: vec![
                m("b", 1, "t2"),
                m("a", 2, "t1"),
                m("a", 2, "t1"),
                m("a", 2, "t3"),
            ],
            warnings: vec![],
        };
        d.normalize();
        assert_eq!(d.members, vec![m("a", 2, "t1"), m("b", 1, "t2")]);
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(d.warnings[0].message.contains("a:2"));
    }

    #[test]
    fn host_port_brackets_ipv6() {
        assert_eq!(m("fd00::1", 5701, "t").host_port(), "[fd00::1]:5701");
        assert_eq!(m("10.0.0.1", 5701, "t").host_port(), "10.0.0.1:5701");
    }

    #[test]
    fn json_shape() {
        let json = serde_json::to_value(m("h", 1, "t")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"host":"h","port":1,"app_id":"/a","task_id":"t","state":"TASK_RUNNING","healthy":null})
        );
    }
}
