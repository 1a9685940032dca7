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
        self.publisher.current().members
    }

    pub fn generation(&self) -> u64 {
        self.publisher.current().generation
    }
}
