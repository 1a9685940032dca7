//! The live path without I/O, for fuzz targets and tests: app bodies in as fetches, stream
//! events in as the watch handles them (the same code), the member set and the apps due for
//! a refetch out.

use std::collections::BTreeSet;

use super::marathon::{handle_event, Due};
use super::sse::SseEvent;
use super::{AppLook, MembershipChange, MembershipState, Tracker};
use crate::config::Config;
use crate::error::Result;
use crate::marathon::look_at_app_body;
use crate::marathon::select::SelectPolicy;
use crate::model::Member;
use crate::publish::Publisher;

#[doc(hidden)]
pub struct Replay {
    config: Config,
    policy: SelectPolicy,
    tracker: Tracker,
    publisher: Publisher<MembershipState, MembershipChange>,
    due: Due,
}

impl Replay {
    pub fn new(config: Config) -> Replay {
        let publisher = Publisher::new(
            MembershipState::default(),
            |_| None,
            "replay",
            "mesos-discovery-replay",
        );
        Replay {
            policy: SelectPolicy::from_config(&config),
            tracker: Tracker::new(publisher.clone(), &config),
            config,
            publisher,
            due: Due::default(),
        }
    }

    /// A fetch of `app` answered `body` (a `GET /v2/apps/{id}` body): replaces what is known
    /// of the app, as a refetch does, and the app is no longer due.
    pub fn look(&mut self, app: &str, body: &[u8]) -> Result<()> {
        let (found, definition) = look_at_app_body(app, body, &self.policy)?;
        self.tracker.replace_apps(vec![(
            app.to_string(),
            AppLook {
                found,
                definition: Some(definition),
                ..AppLook::default()
            },
        )]);
        self.due.forget(app);
        Ok(())
    }

    /// One stream event, handled as the watch handles it; `true` if it was applied at once.
    pub fn event(&mut self, event: &SseEvent) -> bool {
        let applied = handle_event(&self.config, &mut self.tracker, event, &mut self.due);
        if applied {
            self.tracker.publish();
        }
        applied
    }

    /// Apps some event made due for a refetch (to confirm or to decide).
    pub fn due(&self) -> BTreeSet<String> {
        self.due.apps().cloned().collect()
    }

    /// The published member set.
    pub fn members(&self) -> Vec<Member> {
        self.publisher.current().members.to_vec()
    }

    /// The published warnings (skipped tasks, addresses two tasks claim, …).
    pub fn warnings(&self) -> Vec<crate::model::Warning> {
        self.publisher.current().warnings
    }

    pub fn generation(&self) -> u64 {
        self.publisher.current().generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "/w";
    const BODY: &str = r#"{"app":{"id":"/w","version":"2024-01-01T00:00:05.000Z",
        "versionInfo":{"lastConfigChangeAt":"2024-01-01T00:00:01.000Z"},
        "portDefinitions":[{"port":0,"name":"hazelcast"}],
        "tasks":[{"id":"w.1","appId":"/w","host":"h1","state":"TASK_RUNNING","ports":[31001],
                  "version":"2024-01-01T00:00:01.000Z"}]}}"#;

    fn replay(body: &str) -> Replay {
        let config = Config::from_map([("MARATHON_APPLICATIONS", APP)]).unwrap();
        let mut replay = Replay::new(config);
        replay.look(APP, body.as_bytes()).unwrap();
        replay
    }

    fn time(second: u32) -> String {
        format!(
            "2024-01-01T{:02}:{:02}:{:02}.000Z",
            second / 3600,
            second / 60 % 60,
            second % 60
        )
    }

    fn deployment(action: &str, version: &str) -> SseEvent {
        SseEvent {
            event: "deployment_info".into(),
            data: format!(
                r#"{{"plan":{{"id":"p","steps":[{{"actions":[{{"action":"{action}","app":"{APP}"}}]}}],"version":"{version}"}}}}"#
            ),
        }
    }

    fn status(task: &str, state: &str, version: &str) -> SseEvent {
        SseEvent {
            event: "status_update_event".into(),
            data: format!(
                r#"{{"taskId":"{task}","appId":"{APP}","taskStatus":"{state}","host":"h2","ports":[31002],"version":"{version}"}}"#
            ),
        }
    }

    /// Scales back to back outrun the confirming refetch (hundreds before it lands): every
    /// scale-up is still applied at once, not left to a refetch.
    #[test]
    fn scales_back_to_back_are_applied_however_many() {
        let mut r = replay(BODY);
        for round in 0..300u32 {
            let up = time(10 + 2 * round);
            assert!(!r.event(&deployment("ScaleApplication", &up)));
            let task = format!("w.up{round}");
            assert!(
                r.event(&status(&task, "TASK_RUNNING", &up)),
                "scale-up {round}"
            );
            assert_eq!(r.members().len(), 2, "round {round}");
            let down = time(11 + 2 * round);
            assert!(!r.event(&deployment("ScaleApplication", &down)));
            assert!(r.event(&status(&task, "TASK_KILLED", &up)), "kill {round}");
            assert_eq!(r.members().len(), 1);
        }
        assert_eq!(
            r.due(),
            BTreeSet::from([APP.to_string()]),
            "still confirmed"
        );
    }

    #[test]
    fn a_configuration_change_among_the_scales_stops_the_fast_path() {
        let mut r = replay(BODY);
        assert!(!r.event(&deployment("ScaleApplication", &time(10))));
        assert!(!r.event(&deployment("RestartApplication", &time(11))));
        assert!(!r.event(&deployment("ScaleApplication", &time(12))));
        for version in [time(10), time(11), time(12)] {
            assert!(
                !r.event(&status("w.2", "TASK_RUNNING", &version)),
                "{version}"
            );
        }
        assert_eq!(r.members().len(), 1, "left to the refetch");
    }

    /// Found by the long fuzz run (live_path): an event moves a held task onto the address
    /// another task already holds. One member per address, as a fetch would give: the moved
    /// task is folded into the other, with a warning naming it, and the refetch still wins.
    #[test]
    fn a_task_moved_onto_another_tasks_address_is_folded_with_a_warning() {
        let mut r = replay(BODY);
        let v = time(9);
        r.event(&deployment("ScaleApplication", &v));
        let at = |task: &str| SseEvent {
            event: "status_update_event".into(),
            data: format!(
                r#"{{"taskId":"{task}","appId":"{APP}","taskStatus":"TASK_RUNNING","host":"h9","ports":[31005],"version":"{v}"}}"#
            ),
        };
        assert!(r.event(&at("w.0")));
        assert!(r.event(&at("w.1")), "w.1 moved: applied");
        let members = r.members();
        assert_eq!(members.len(), 1, "{members:?}");
        assert_eq!(
            (members[0].host.as_str(), members[0].task_id.as_str()),
            ("h9", "w.0")
        );
        assert!(
            r.warnings()
                .iter()
                .any(|w| w.task_id.as_deref() == Some("w.1") && w.message.contains("same address")),
            "{:?}",
            r.warnings()
        );
        assert!(r.due().contains(APP), "confirmed by a refetch");
        r.look(APP, BODY.as_bytes()).unwrap();
        assert_eq!(r.members()[0].task_id, "w.1", "the refetch wins");
    }

    /// Without `versionInfo` only the versions announced match: a bounded number of them.
    #[test]
    fn without_version_info_scales_are_remembered_one_by_one_up_to_a_bound() {
        let body = BODY.replace(
            r#""versionInfo":{"lastConfigChangeAt":"2024-01-01T00:00:01.000Z"},"#,
            "",
        );
        let mut r = replay(&body);
        for i in 0..super::super::MAX_SCALED_TO as u32 {
            r.event(&deployment("ScaleApplication", &time(10 + i)));
        }
        assert!(r.event(&status("w.2", "TASK_RUNNING", &time(10))));
        assert!(
            !r.event(&status("w.3", "TASK_RUNNING", &time(9))),
            "before the scales"
        );
        r.event(&deployment("ScaleApplication", &time(5000)));
        assert!(
            !r.event(&status("w.4", "TASK_RUNNING", &time(11))),
            "one scale too many: stale until the next look"
        );
    }
}
