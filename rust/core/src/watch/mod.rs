//! Live membership: a watcher that keeps a configuration's member set current and reports
//! what changed.
//!
//! - Marathon: one full discovery, then Marathon's event stream (`GET /v2/events`, filtered
//!   to the events that change membership). Each relevant event marks its app dirty; dirty apps
//!   are re-fetched after a short debounce (a deployment of 50 tasks costs one fetch, not 50).
//!   A dropped, failed, redirected or silent stream is reopened with capped, jittered backoff,
//!   and **every (re)connect starts with a full resync**, so nothing that happened while
//!   disconnected is lost. A periodic full resync is the safety net.
//! - Mesos-DNS has no stream: the watcher polls at `MESOS_DISCOVERY_POLL_INTERVAL`.
//!
//! The current snapshot is always readable without I/O. A member's identity is
//! (host, port, app, task): a change of state or health updates the snapshot in place without
//! a new generation; an identity appearing or going is a change (`added` / `removed`).

mod marathon;
mod poll;
pub mod sse;

/// Which configured apps an event-stream event concerns (pure; public for the fuzz targets).
#[doc(hidden)]
pub use marathon::affected_apps;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::config::{Config, Scheme};
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::model::{Discovery, Member, Warning};
use crate::publish::{Generation, Next, Publisher};

/// What the watcher knows now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembershipState {
    /// 0 until the first discovery completes; then bumped on every change of the member set.
    pub generation: u64,
    /// Sorted, one per `host:port`, as from a one-shot discovery.
    pub members: Vec<Member>,
    pub warnings: Vec<Warning>,
    /// The last failure, while the watcher cannot refresh (cleared by the next success). The
    /// members stay those of the last successful look.
    pub error: Option<Error>,
}

impl Generation for MembershipState {
    fn generation(&self) -> u64 {
        self.generation
    }
}

/// One change of the member set. Serialized as `{"added": [...], "removed": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MembershipChange {
    #[serde(skip)]
    pub generation: u64,
    pub added: Vec<Member>,
    pub removed: Vec<Member>,
    /// The whole member set after the change.
    #[serde(skip)]
    pub members: Vec<Member>,
}

impl Generation for MembershipChange {
    fn generation(&self) -> u64 {
        self.generation
    }

    /// Members carried: a log of changes of a large set is bounded by what it holds.
    fn weight(&self) -> usize {
        1 + self.added.len() + self.removed.len() + self.members.len()
    }
}

/// A change callback; see [`MembershipWatcher::subscribe`].
pub type MembershipCallback = Box<dyn Fn(&MembershipChange) + Send + Sync>;

fn welcome(state: &MembershipState) -> Option<MembershipChange> {
    (state.generation > 0).then(|| MembershipChange {
        generation: state.generation,
        added: state.members.clone(),
        removed: Vec::new(),
        members: state.members.clone(),
    })
}

/// Keeps a configuration's member set current. `Send + Sync`; dropping it (or
/// [`close`](Self::close)) stops the background task. The task runs on the shared runtime;
/// callbacks run on the watcher's own callback thread (see [`crate::publish`]).
pub struct MembershipWatcher {
    publisher: Publisher<MembershipState, MembershipChange>,
}

impl MembershipWatcher {
    /// Starts watching; returns at once. The first full discovery arrives as generation 1.
    pub fn start(config: Config) -> Result<MembershipWatcher> {
        MembershipWatcher::start_from(config, None)
    }

    /// Starts from a discovery the caller already made (e.g. Carbon's synchronous `init()`),
    /// published at once as generation 1; the watcher then follows changes from there.
    pub fn start_from(config: Config, initial: Option<Discovery>) -> Result<MembershipWatcher> {
        let handle = crate::runtime::handle()?;
        let http = Arc::new(HttpClient::new(&config)?);
        let publisher = Publisher::new(
            MembershipState::default(),
            welcome,
            "membership watcher",
            "mesos-discovery-member-callbacks",
        );
        let mut tracker = Tracker::new(publisher.clone());
        if let Some(initial) = initial {
            tracker.replace_all(initial);
        }
        let shutdown = publisher.shutdown_signal();
        let task = async move {
            match config.scheme {
                Scheme::Marathon => marathon::follow(config, http, tracker).await,
                Scheme::MesosDns => poll::follow(config, http, tracker).await,
            }
        };
        handle.spawn(async move {
            tokio::select! {
                _ = shutdown => {}
                _ = task => {}
            }
        });
        Ok(MembershipWatcher { publisher })
    }

    /// The current snapshot; no I/O.
    pub fn snapshot(&self) -> MembershipState {
        self.publisher.current()
    }

    /// Blocks until the generation differs from `known_generation`; `Ok(None)` on timeout; a
    /// `Closed` error once closed. Not for async code (use [`changed`](Self::changed)).
    pub fn wait_for_change(
        &self,
        known_generation: u64,
        timeout: Duration,
    ) -> Result<Option<MembershipState>> {
        self.publisher.wait_for_change(known_generation, timeout)
    }

    pub async fn changed(&self, known_generation: u64) -> Result<MembershipState> {
        self.publisher.changed(known_generation).await
    }

    /// Blocks until there is a change after generation `after` and returns the first one (see
    /// [`Publisher::next_change`]); a `Closed` error at once when closed, also while waiting.
    pub fn next_change(
        &self,
        after: u64,
        timeout: Duration,
    ) -> Result<Option<Next<MembershipState, MembershipChange>>> {
        self.publisher.next_change(after, timeout)
    }

    /// Calls `callback` with the full set (as `added`) once known, then with every change,
    /// in order, on the watcher's callback thread; see [`crate::publish`] for the rules.
    pub fn subscribe(&self, callback: MembershipCallback) -> u64 {
        self.publisher.subscribe(callback)
    }

    pub fn unsubscribe(&self, id: u64) -> bool {
        self.publisher.unsubscribe(id)
    }

    /// Stops watching. Idempotent, thread-safe, never blocks.
    pub fn close(&self) {
        self.publisher.close()
    }

    pub fn is_closed(&self) -> bool {
        self.publisher.is_closed()
    }
}

impl Drop for MembershipWatcher {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for MembershipWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MembershipWatcher")
            .field("state", &self.snapshot())
            .finish()
    }
}

/// Identity of a member across refreshes.
fn identity(m: &Member) -> (&str, u16, &str, &str) {
    (&m.host, m.port, &m.app_id, &m.task_id)
}

/// The background task's view: per-app results, merged and diffed into the publisher.
struct Tracker {
    publisher: Publisher<MembershipState, MembershipChange>,
    per_app: BTreeMap<String, Discovery>,
}

impl Tracker {
    fn new(publisher: Publisher<MembershipState, MembershipChange>) -> Self {
        Tracker {
            publisher,
            per_app: BTreeMap::new(),
        }
    }

    /// A full look: replaces everything.
    fn replace_all(&mut self, found: Discovery) {
        self.per_app.clear();
        for m in found.members {
            self.per_app
                .entry(m.app_id.clone())
                .or_default()
                .members
                .push(m);
        }
        for w in found.warnings {
            self.per_app
                .entry(w.app_id.clone().unwrap_or_default())
                .or_default()
                .warnings
                .push(w);
        }
        self.publish();
    }

    /// A look at some apps: replaces what is known of them.
    fn replace_apps(&mut self, apps: Vec<(String, Discovery)>) {
        for (app, found) in apps {
            self.per_app.insert(app, found);
        }
        self.publish();
    }

    fn failed(&self, error: Error) {
        log::warn!("membership watcher: {error}");
        self.publisher.amend(|s| s.error = Some(error));
    }

    fn publish(&self) {
        let mut merged = Discovery::default();
        for found in self.per_app.values() {
            merged.members.extend(found.members.iter().cloned());
            merged.warnings.extend(found.warnings.iter().cloned());
        }
        merged.normalize();
        let before = self.publisher.current();
        let old: BTreeSet<_> = before.members.iter().map(identity).collect();
        let new: BTreeSet<_> = merged.members.iter().map(identity).collect();
        let added: Vec<Member> = merged
            .members
            .iter()
            .filter(|m| !old.contains(&identity(m)))
            .cloned()
            .collect();
        let removed: Vec<Member> = before
            .members
            .iter()
            .filter(|m| !new.contains(&identity(m)))
            .cloned()
            .collect();
        if before.generation > 0 && added.is_empty() && removed.is_empty() {
            self.publisher.amend(|s| {
                s.members = merged.members;
                s.warnings = merged.warnings;
                s.error = None;
            });
            return;
        }
        let generation = before.generation + 1;
        for w in &merged.warnings {
            if !before.warnings.contains(w) {
                log::warn!("{w}");
            }
        }
        let change = MembershipChange {
            generation,
            added,
            removed,
            members: merged.members.clone(),
        };
        let state = MembershipState {
            generation,
            members: merged.members,
            warnings: merged.warnings,
            error: None,
        };
        self.publisher.publish(state, Some(change));
    }
}

/// The pause before reconnect `attempt` of an event stream: 250 ms doubling to 30 s, jittered.
fn reconnect_pause(attempt: u32) -> Duration {
    crate::http::jittered_backoff(attempt, Duration::from_millis(250), Duration::from_secs(30))
}
