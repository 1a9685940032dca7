//! Marathon app id → the name Mesos-DNS publishes, as Marathon and Mesos-DNS compute it:
//! Marathon names the task after the app path reversed and dot-joined (`/group/app` →
//! `app.group`); Mesos-DNS turns that into one RFC 1123 label (lower-case; `.`, `_`, `-` → `-`;
//! other characters dropped; dashes trimmed; at most 63 characters) → `app-group`.

const MAX_LABEL: usize = 63;

/// The DNS label of a Marathon app (`/group/app` → `app-group`).
pub fn task_label(app_id: &str) -> String {
    let reversed: Vec<&str> = app_id.split('/').filter(|s| !s.is_empty()).rev().collect();
    let mut label: String = reversed
        .join(".")
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            '.' | '_' | '-' => Some('-'),
            _ => None,
        })
        .collect();
    label = label.trim_matches('-').to_string();
    label.truncate(MAX_LABEL);
    label.trim_end_matches('-').to_string()
}

/// The SRV name to query. With a port name, the named record Mesos-DNS adds for named
/// ports; with `agent`, the `.slave` record that always carries the agent IP and host ports.
pub fn srv_name(app_id: &str, port_name: Option<&str>, agent: bool) -> String {
    let task = task_label(app_id);
    let zone = if agent {
        "marathon.slave.mesos."
    } else {
        "marathon.mesos."
    };
    match port_name {
        Some(port) => format!("_{}._{task}._tcp.{zone}", task_label(port)),
        None => format!("_{task}._tcp.{zone}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_marathon_and_mesos_dns() {
        assert_eq!(task_label("/group/app"), "app-group");
        assert_eq!(task_label("/a/b/c"), "c-b-a");
        assert_eq!(task_label("/nginx"), "nginx");
        assert_eq!(task_label("/wso2/is.km_node"), "is-km-node-wso2");
        assert_eq!(task_label("/-x-/y"), "y--x");
        let long = format!("/{}", "a".repeat(70));
        assert_eq!(task_label(&long).len(), 63);
        // Cut at 63, then a dash left at the end is trimmed.
        assert_eq!(
            task_label(&format!("/{}-b", "a".repeat(62))),
            "a".repeat(62)
        );
    }

    #[test]
    fn srv_names() {
        assert_eq!(
            srv_name("/wso2/manager", None, false),
            "_manager-wso2._tcp.marathon.mesos."
        );
        assert_eq!(
            srv_name("/wso2/manager", Some("hazelcast"), false),
            "_hazelcast._manager-wso2._tcp.marathon.mesos."
        );
        assert_eq!(
            srv_name("/nginx", None, true),
            "_nginx._tcp.marathon.slave.mesos."
        );
    }
}
