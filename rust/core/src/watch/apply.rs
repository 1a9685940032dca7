//! Applying a Marathon task status event at once (pure): whether the event alone decides the
//! task's membership, and if so, its member — through the same selection rules as a fetched
//! task (address mode, port index or name, health policy), against the app definition the
//! last fetch cached.
//!
//! - `TASK_KILLING` and terminal states remove a task we hold, whatever else the event says
//!   (or lacks).
//! - `TASK_STAGING`/`STARTING`/`RUNNING` decide only when the event's app version is one the
//!   cached definition stands for, and the event carries what selection needs (host, ports;
//!   IP addresses for container addresses, unless the cached task has them).
//! - Everything else (another state, an unknown version, a selection that cannot pick an
//!   address yet, e.g. container mode without the cached port mappings) is left to a refetch.

use crate::marathon::api::Task;
use crate::marathon::events::{is_leaving_state, is_marathon_time, StatusUpdate};
use crate::marathon::select::{self, is_member_state, SelectPolicy};
use crate::model::Member;

use super::AppLook;

/// What an event means for the member set.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// The event decides: the task as it now is (`None`: gone) and its member (`None`: not a
    /// member).
    Decided {
        task: Option<Box<Task>>,
        member: Option<Member>,
    },
    /// Nothing to change (a task we do not hold left).
    Nothing,
    /// The event cannot decide alone; why, for the debug log.
    Refetch(String),
}

/// When the cached definition's configuration last changed (Marathon's
/// `versionInfo.lastConfigChangeAt`), when known and a Marathon time.
pub(crate) fn last_config_change(look: &AppLook) -> Option<&str> {
    look.definition
        .as_ref()?
        .app
        .version_info
        .as_ref()?
        .last_config_change_at
        .as_deref()
        .filter(|t| is_marathon_time(t))
}

/// Whether a task launched at `version` runs the configuration of `look`'s cached definition:
/// the definition's own version, one a scale-only deployment announced since the look, or
/// any version since its last configuration change up to the definition's own or the newest
/// scale-only deployment's (only scales happened in between).
pub(crate) fn version_matches(version: &str, look: &AppLook) -> bool {
    let Some(definition) = &look.definition else {
        return false;
    };
    if look.stale {
        return false;
    }
    let current = definition.app.version.as_deref();
    if current == Some(version) || look.scaled_to.contains(version) {
        return true;
    }
    let (Some(since), Some(current)) = (last_config_change(look), current) else {
        return false;
    };
    if !is_marathon_time(current) || !is_marathon_time(version) {
        return false;
    }
    let through = match look.scaled_through.as_deref() {
        Some(scaled) if scaled > current => scaled,
        _ => current,
    };
    since <= version && version <= through
}

/// Whether `look` holds the task (as a member, or as a task its fetch listed).
fn holds(look: &AppLook, task_id: &str) -> bool {
    look.found.members.iter().any(|m| m.task_id == task_id)
        || look
            .definition
            .as_ref()
            .is_some_and(|d| d.task(task_id).is_some())
}

pub(crate) fn decide(
    update: &StatusUpdate,
    look: Option<&AppLook>,
    policy: &SelectPolicy,
) -> Verdict {
    if is_leaving_state(&update.state) {
        return match look {
            Some(look) if holds(look, &update.task_id) => Verdict::Decided {
                task: None,
                member: None,
            },
            _ => Verdict::Nothing,
        };
    }
    if !is_member_state(&update.state) {
        return Verdict::Refetch(format!("state {} is left to a refetch", update.state));
    }
    let Some(look) = look else {
        return Verdict::Refetch("the app was not looked at yet".into());
    };
    let Some(definition) = &look.definition else {
        return Verdict::Refetch("no cached app definition".into());
    };
    let Some(version) = update.version.as_deref() else {
        return Verdict::Refetch("the event has no app version".into());
    };
    if !version_matches(version, look) {
        return Verdict::Refetch(format!(
            "app version {version} is not the cached definition's ({})",
            definition.app.version.as_deref().unwrap_or("unknown")
        ));
    }
    let (Some(host), Some(ports)) = (&update.host, &update.ports) else {
        return Verdict::Refetch("the event has no host or ports".into());
    };
    let mut task = definition
        .task(&update.task_id)
        .cloned()
        .unwrap_or_else(|| Task {
            id: update.task_id.clone(),
            app_id: update.app_id.clone(),
            host: String::new(),
            state: String::new(),
            ports: Vec::new(),
            ip_addresses: Vec::new(),
            health: Vec::new(),
        });
    task.state = update.state.clone();
    task.host = host.clone();
    task.ports = ports.clone();
    if let Some(ips) = &update.ip_addresses {
        task.ip_addresses = ips.clone();
    }
    let (members, warnings) = select::select(&definition.app, std::slice::from_ref(&task), policy);
    match (members.into_iter().next(), warnings.into_iter().next()) {
        (Some(member), _) => Verdict::Decided {
            task: Some(Box::new(task)),
            member: Some(member),
        },
        // No address (no port yet, no container IP or port mappings): a refetch says more.
        (None, Some(warning)) => Verdict::Refetch(warning.message),
        // Selected out without doubt (unhealthy under the healthy-only policy).
        (None, None) => Verdict::Decided {
            task: Some(Box::new(task)),
            member: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AddressMode, PortSelector};
    use crate::marathon::events::status_update;
    use crate::marathon::look_at_app_body;

    const HOST_APP: &str = r#"{"app":{"id":"/w","version":"2024-01-01T00:00:05.000Z",
        "versionInfo":{"lastConfigChangeAt":"2024-01-01T00:00:01.000Z"},
        "portDefinitions":[{"port":0,"name":"http"},{"port":0,"name":"hazelcast"}],
        "tasks":[{"id":"w.1","appId":"/w","host":"h1","state":"TASK_RUNNING","ports":[31001,31002],
                  "healthCheckResults":[{"alive":false}],"version":"2024-01-01T00:00:01.000Z"}]}}"#;

    const CONTAINER_APP: &str = r#"{"app":{"id":"/c","version":"2024-01-01T00:00:05.000Z",
        "networks":[{"mode":"container","name":"dcos"}],
        "container":{"type":"DOCKER","portMappings":[{"containerPort":5701,"name":"hazelcast"}]},
        "tasks":[]}}"#;

    fn policy(port: PortSelector, healthy_only: bool) -> SelectPolicy {
        SelectPolicy {
            address_mode: AddressMode::Auto,
            port,
            healthy_only,
        }
    }

    fn look(body: &str, policy: &SelectPolicy) -> AppLook {
        let (found, definition) = look_at_app_body("/x", body.as_bytes(), policy).unwrap();
        AppLook {
            found,
            definition: Some(definition),
            ..AppLook::default()
        }
    }

    fn update(app: &str, task: &str, state: &str, extra: &str) -> StatusUpdate {
        status_update(&format!(
            r#"{{"taskId":"{task}","appId":"{app}","taskStatus":"{state}"{extra}}}"#
        ))
        .unwrap()
    }

    const NEW_TASK: &str =
        r#","host":"h2","ports":[31005,31006],"version":"2024-01-01T00:00:03.000Z""#;

    #[test]
    fn a_new_task_is_selected_like_a_fetched_one() {
        let p = policy(PortSelector::Name("hazelcast".into()), false);
        let l = look(HOST_APP, &p);
        let Verdict::Decided {
            member: Some(m), ..
        } = decide(&update("/w", "w.2", "TASK_STAGING", NEW_TASK), Some(&l), &p)
        else {
            panic!("decided")
        };
        assert_eq!((m.host.as_str(), m.port, m.healthy), ("h2", 31006, None));
        let p = policy(PortSelector::Index(0), false);
        let l = look(HOST_APP, &p);
        let v = decide(&update("/w", "w.2", "TASK_RUNNING", NEW_TASK), Some(&l), &p);
        assert!(matches!(
            v,
            Verdict::Decided {
                member: Some(Member { port: 31005, .. }),
                ..
            }
        ));
    }

    #[test]
    fn a_known_task_keeps_its_health() {
        let p = policy(PortSelector::Index(1), true);
        let l = look(HOST_APP, &p);
        assert!(l.found.members.is_empty(), "unhealthy, healthy-only");
        let extra = r#","host":"h1","ports":[31001,31002],"version":"2024-01-01T00:00:01.000Z""#;
        let v = decide(&update("/w", "w.1", "TASK_RUNNING", extra), Some(&l), &p);
        assert!(
            matches!(
                v,
                Verdict::Decided {
                    task: Some(_),
                    member: None
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn leaving_states_remove_only_held_tasks_whatever_else_is_missing() {
        let p = policy(PortSelector::Index(0), false);
        let l = look(HOST_APP, &p);
        for state in ["TASK_KILLING", "TASK_KILLED", "TASK_LOST"] {
            assert_eq!(
                decide(&update("/w", "w.1", state, ""), Some(&l), &p),
                Verdict::Decided {
                    task: None,
                    member: None
                }
            );
        }
        assert_eq!(
            decide(&update("/w", "w.9", "TASK_KILLED", ""), Some(&l), &p),
            Verdict::Nothing
        );
    }

    #[test]
    fn undecidable_events_are_refetched() {
        let p = policy(PortSelector::Index(0), false);
        let l = look(HOST_APP, &p);
        let cases = [
            update("/w", "w.2", "TASK_UNREACHABLE", NEW_TASK),
            update("/w", "w.2", "TASK_WHATEVER", NEW_TASK),
            // Newer than the cached definition: its configuration may differ.
            update(
                "/w",
                "w.2",
                "TASK_RUNNING",
                r#","host":"h2","ports":[1,2],"version":"2024-01-01T00:00:09.000Z""#,
            ),
            // Older than the last configuration change.
            update(
                "/w",
                "w.2",
                "TASK_RUNNING",
                r#","host":"h2","ports":[1,2],"version":"2023-01-01T00:00:00.000Z""#,
            ),
            update("/w", "w.2", "TASK_RUNNING", r#","host":"h2","ports":[1,2]"#),
            update(
                "/w",
                "w.2",
                "TASK_RUNNING",
                r#","ports":[1,2],"version":"2024-01-01T00:00:05.000Z""#,
            ),
            // No port at the index yet.
            update(
                "/w",
                "w.2",
                "TASK_STAGING",
                r#","host":"h2","ports":[],"version":"2024-01-01T00:00:05.000Z""#,
            ),
        ];
        for u in cases {
            assert!(
                matches!(decide(&u, Some(&l), &p), Verdict::Refetch(_)),
                "{u:?}"
            );
        }
        assert!(matches!(
            decide(&update("/w", "w.2", "TASK_RUNNING", NEW_TASK), None, &p),
            Verdict::Refetch(_)
        ));
        let mut stale = look(HOST_APP, &p);
        stale.stale = true;
        assert!(matches!(
            decide(
                &update("/w", "w.2", "TASK_RUNNING", NEW_TASK),
                Some(&stale),
                &p
            ),
            Verdict::Refetch(_)
        ));
    }

    #[test]
    fn container_addresses_need_the_event_ip_and_cached_mappings() {
        let p = policy(PortSelector::Index(0), false);
        let l = look(CONTAINER_APP, &p);
        let v = "2024-01-01T00:00:05.000Z";
        let with_ip = format!(
            r#","host":"a1","ports":[],"version":"{v}","ipAddresses":[{{"ipAddress":"9.0.1.2","protocol":"IPv4"}}]"#
        );
        let Verdict::Decided {
            member: Some(m), ..
        } = decide(&update("/c", "c.1", "TASK_RUNNING", &with_ip), Some(&l), &p)
        else {
            panic!("decided")
        };
        assert_eq!((m.host.as_str(), m.port), ("9.0.1.2", 5701));
        let without_ip = format!(r#","host":"a1","ports":[],"version":"{v}""#);
        assert!(matches!(
            decide(
                &update("/c", "c.1", "TASK_RUNNING", &without_ip),
                Some(&l),
                &p
            ),
            Verdict::Refetch(_)
        ));
        let no_mappings = CONTAINER_APP.replace(
            r#""portMappings":[{"containerPort":5701,"name":"hazelcast"}]"#,
            r#""portMappings":[]"#,
        );
        let l = look(&no_mappings, &p);
        assert!(matches!(
            decide(&update("/c", "c.1", "TASK_RUNNING", &with_ip), Some(&l), &p),
            Verdict::Refetch(_)
        ));
    }

    #[test]
    fn scale_only_deployments_extend_the_matching_versions() {
        let p = policy(PortSelector::Index(0), false);
        let mut l = look(HOST_APP, &p);
        let later = r#","host":"h2","ports":[1,2],"version":"2024-01-01T00:00:09.000Z""#;
        let u = update("/w", "w.2", "TASK_RUNNING", later);
        assert!(matches!(decide(&u, Some(&l), &p), Verdict::Refetch(_)));
        l.scaled_to.insert("2024-01-01T00:00:09.000Z".into());
        assert!(matches!(decide(&u, Some(&l), &p), Verdict::Decided { .. }));
    }
}
