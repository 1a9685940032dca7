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

mod apply;
mod marathon;
mod poll;
mod replay;
pub mod sse;

#[doc(hidden)]
pub use replay::Replay;

/// Which configured apps an event-stream event concerns (pure; public for the fuzz targets).
#[doc(hidden)]
pub use marathon::affected_apps;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::config::Config;
use crate::error::Error;
use crate::marathon::events::{is_marathon_time, Deployment, StatusUpdate};
use crate::marathon::select::SelectPolicy;
use crate::marathon::Definition;
use crate::model::{one_per_address, Discovery, Member, Warning};
use crate::publish::{Generation, Publisher};

/// What the watcher knows now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembershipState {
    /// 0 until the first discovery completes; then bumped on every change of the member set.
    pub generation: u64,
    /// Sorted, one per `host:port`, as from a one-shot discovery. Shared with the change
    /// that produced it (reading a snapshot clones the `Arc`, never the members).
    pub members: Arc<[Member]>,
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
    pub added: Arc<[Member]>,
    pub removed: Arc<[Member]>,
    /// The whole member set after the change (the state's own snapshot, shared).
    #[serde(skip)]
    pub members: Arc<[Member]>,
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

/// A change callback; see [`crate::Membership::subscribe`].
pub type MembershipCallback = Box<dyn Fn(&MembershipChange) + Send + Sync>;

/// The former name of the membership handle.
pub type MembershipWatcher = crate::membership::Membership;

pub(crate) use marathon::follow as follow_marathon;
pub(crate) use poll::follow as poll_mesos_dns;

/// Identity of a member across refreshes.
fn identity(m: &Member) -> (&str, u16, &str, &str) {
    (&m.host, m.port, &m.app_id, &m.task_id)
}

/// (added, removed) between two normalized member lists. Both are sorted by [`Member`]'s
/// order, whose first fields are the identity, and hold one member per address, so one linear
/// walk finds them.
fn diff(old: &[Member], new: &[Member]) -> (Vec<Member>, Vec<Member>) {
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        match identity(&old[i]).cmp(&identity(&new[j])) {
            std::cmp::Ordering::Less => {
                removed.push(old[i].clone());
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                added.push(new[j].clone());
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    removed.extend_from_slice(&old[i..]);
    added.extend_from_slice(&new[j..]);
    (added, removed)
}

/// What the last look at one app found, and what events changed since.
#[derive(Debug, Default)]
pub(crate) struct AppLook {
    pub found: Discovery,
    /// The service has no such app (its warning is in `found`).
    pub missing: bool,
    /// Marathon: the definition and tasks behind `found`, for applying events at once.
    pub definition: Option<Definition>,
    /// App versions announced since the look by scale-only deployments of this app (exact
    /// matches, for a definition without `versionInfo`; bounded by `MAX_SCALED_TO`).
    pub scaled_to: BTreeSet<String>,
    /// The newest of those versions: with the definition's `lastConfigChangeAt`, every
    /// version up to it runs the looked-at configuration (only scales happened since), however
    /// many scales there were.
    pub scaled_through: Option<String>,
    /// A deployment that changes more than the instance count began since the look: no
    /// event is applied at once until the next look.
    pub stale: bool,
    /// Events were applied to `found` since the look.
    pub applied: bool,
}

impl AppLook {
    pub fn found(found: Discovery) -> AppLook {
        AppLook {
            found,
            ..AppLook::default()
        }
    }
}

/// What applying one event did.
#[derive(Debug, PartialEq)]
pub(crate) enum Applied {
    /// The member set (or a member's state) may have changed: publish.
    Changed,
    /// Nothing to do.
    Unchanged,
    /// The event cannot decide alone (why): refetch its app.
    Refetch(String),
}

/// Scale-only versions remembered per app between looks; more means a look is overdue.
const MAX_SCALED_TO: usize = 64;

/// Per-app results, merged and diffed into the publisher. Shared by a membership's
/// refreshes and its background task (behind a mutex, one synchronous step at a time).
pub(crate) struct Tracker {
    publisher: Publisher<MembershipState, MembershipChange>,
    per_app: BTreeMap<String, AppLook>,
    policy: SelectPolicy,
    /// A watch keeps the per-app looks current (events, per-app refetches). Until one starts,
    /// nothing reads an app's members after they are merged: a full look moves them into the
    /// merged set instead of copying them (the watch begins with a full look of its own).
    followed: bool,
}

impl Tracker {
    pub fn new(publisher: Publisher<MembershipState, MembershipChange>, config: &Config) -> Self {
        Tracker {
            publisher,
            per_app: BTreeMap::new(),
            policy: SelectPolicy::from_config(config),
            followed: false,
        }
    }

    /// Applies a task status event at once when it decides the task's membership alone
    /// (see [`apply`]). Publishing is left to the caller ([`Tracker::publish`]), once per
    /// batch of events.
    pub fn apply_status(&mut self, update: &StatusUpdate) -> Applied {
        match apply::decide(update, self.per_app.get(&update.app_id), &self.policy) {
            apply::Verdict::Nothing => Applied::Unchanged,
            apply::Verdict::Refetch(why) => Applied::Refetch(why),
            apply::Verdict::Decided { task, member } => {
                let look = self.per_app.entry(update.app_id.clone()).or_default();
                let id = update.task_id.as_str();
                let before = look.found.members.iter().find(|m| m.task_id == id).cloned();
                let same = before == member;
                look.found.members.retain(|m| m.task_id != id);
                look.found
                    .warnings
                    .retain(|w| w.task_id.as_deref() != Some(id));
                look.found.members.extend(member);
                if let Some(definition) = look.definition.as_mut() {
                    match task {
                        Some(task) => {
                            definition.put_task(*task);
                        }
                        None => {
                            definition.forget_task(id);
                        }
                    }
                }
                if same {
                    return Applied::Unchanged;
                }
                look.applied = true;
                Applied::Changed
            }
        }
    }

    /// A deployment began: remember the versions a scale-only one stands for, and stop
    /// applying events of an app whose configuration changes until it is looked at again.
    pub fn note_deployment(&mut self, deployment: &Deployment) {
        for app in deployment.apps() {
            let Some(look) = self.per_app.get_mut(&app) else {
                continue;
            };
            let current = look
                .definition
                .as_ref()
                .and_then(|d| d.app.version.as_deref());
            let already_seen = match (deployment.version.as_deref(), current) {
                (Some(v), Some(c)) if is_marathon_time(v) && is_marathon_time(c) => v <= c,
                _ => false,
            };
            if already_seen {
                continue;
            }
            let Some(v) = deployment
                .version
                .as_ref()
                .filter(|_| deployment.only_scales(&app))
            else {
                log::debug!(
                    "{app}: a deployment changes more than its scale; events wait for a refetch"
                );
                look.stale = true;
                continue;
            };
            // Scales back to back outrun the confirming refetch: a range of versions keeps
            // them decidable where the definition says when its configuration last changed.
            let ranged = is_marathon_time(v) && apply::last_config_change(look).is_some();
            if ranged && look.scaled_through.as_ref().map_or(true, |t| t < v) {
                look.scaled_through = Some(v.clone());
            }
            if look.scaled_to.len() < MAX_SCALED_TO {
                look.scaled_to.insert(v.clone());
            } else if !ranged {
                log::debug!(
                    "{app}: {MAX_SCALED_TO} scales since the last look; events wait for a refetch"
                );
                look.stale = true;
            }
        }
    }

    /// Splits one discovery into per-app looks (the configured apps first, in order).
    pub fn bucket(found: Discovery, apps: &[String]) -> Vec<(String, AppLook)> {
        let mut looks: BTreeMap<String, AppLook> = apps
            .iter()
            .map(|app| (app.clone(), AppLook::default()))
            .collect();
        for m in found.members {
            looks
                .entry(m.app_id.clone())
                .or_default()
                .found
                .members
                .push(m);
        }
        for w in found.warnings {
            looks
                .entry(w.app_id.clone().unwrap_or_default())
                .or_default()
                .found
                .warnings
                .push(w);
        }
        looks.into_iter().collect()
    }

    /// A full look: replaces everything. Returns the merged set (as a one-shot discovery
    /// reports it).
    pub fn replace_all(&mut self, mut looks: Vec<(String, AppLook)>) -> Discovery {
        if self.followed {
            self.per_app = looks.into_iter().collect();
            return self.publish();
        }
        let merged = Tracker::merge(&mut looks);
        self.per_app = looks.into_iter().collect();
        self.publish_merged(merged)
    }

    /// The members of every look, moved out of them, and their warnings: the set a one-shot
    /// discovery reports (sorted, one per address).
    pub fn merge(looks: &mut [(String, AppLook)]) -> Discovery {
        let mut merged = Discovery::default();
        merged
            .members
            .reserve(looks.iter().map(|(_, l)| l.found.members.len()).sum());
        for (_, look) in looks.iter_mut() {
            merged.members.append(&mut look.found.members);
            merged.warnings.extend(look.found.warnings.iter().cloned());
        }
        merged.normalize();
        merged
    }

    /// From now on a watch keeps the per-app looks current (see `followed`).
    pub fn follow(&mut self) {
        self.followed = true;
    }

    pub fn is_followed(&self) -> bool {
        self.followed
    }

    /// A look at some apps: replaces what is known of them. Where events were applied since
    /// the last look, the look wins; a disagreement is logged (debug).
    pub fn replace_apps(&mut self, looks: Vec<(String, AppLook)>) {
        for (app, look) in looks {
            if let Some(before) = self.per_app.get(&app).filter(|b| b.applied) {
                let old: BTreeSet<_> = before.found.members.iter().map(identity).collect();
                let new: BTreeSet<_> = look.found.members.iter().map(identity).collect();
                if old != new {
                    log::debug!(
                        "{app}: the refetch disagrees with the events applied (only applied: {:?}; only fetched: {:?}); the refetch wins",
                        old.difference(&new).collect::<Vec<_>>(),
                        new.difference(&old).collect::<Vec<_>>()
                    );
                }
            }
            self.per_app.insert(app, look);
        }
        self.publish();
    }

    pub fn failed(&self, error: Error) {
        log::warn!("membership: {error}");
        self.publisher.amend(|s| s.error = Some(error));
    }

    /// Merges every app's members, diffs them against the published set and publishes a
    /// change when identities came or went (else updates the snapshot in place).
    pub fn publish(&self) -> Discovery {
        let mut warnings = Vec::new();
        let mut refs: Vec<&Member> =
            Vec::with_capacity(self.per_app.values().map(|l| l.found.members.len()).sum());
        for look in self.per_app.values() {
            refs.extend(look.found.members.iter());
            warnings.extend(look.found.warnings.iter().cloned());
        }
        one_per_address(&mut refs, &mut warnings);
        self.publish_merged(Discovery {
            members: refs.into_iter().cloned().collect(),
            warnings,
        })
    }

    /// Publishes an already merged and normalized set; returns it.
    fn publish_merged(&self, merged: Discovery) -> Discovery {
        let before = self.publisher.current();
        let members: Arc<[Member]> = Arc::from(merged.members.as_slice());
        let (added, removed): (Arc<[Member]>, Arc<[Member]>) = if before.members.is_empty() {
            // The first look (or the first members): everything is added, nothing copied.
            (members.clone(), Arc::from([]))
        } else {
            let (added, removed) = diff(&before.members, &merged.members);
            (added.into(), removed.into())
        };
        for w in &merged.warnings {
            if !before.warnings.contains(w) {
                log::warn!("{w}");
            }
        }
        if before.generation > 0 && added.is_empty() && removed.is_empty() {
            let warnings = merged.warnings.clone();
            self.publisher.amend(|s| {
                s.members = members;
                s.warnings = warnings;
                s.error = None;
            });
            return merged;
        }
        let generation = before.generation + 1;
        let change = MembershipChange {
            generation,
            added,
            removed,
            members: members.clone(),
        };
        let state = MembershipState {
            generation,
            members,
            warnings: merged.warnings.clone(),
            error: None,
        };
        self.publisher.publish(state, Some(change));
        merged
    }
}

/// The pause before reconnect `attempt` of an event stream: 250 ms doubling to 30 s, jittered.
fn reconnect_pause(attempt: u32) -> Duration {
    crate::http::jittered_backoff(attempt, Duration::from_millis(250), Duration::from_secs(30))
}
