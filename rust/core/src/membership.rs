//! The one core object per configuration: a [`Membership`] owns the configuration, the single
//! HTTP client (one connection pool, one TLS setup, one auth provider) and the publisher of
//! the member set. A one-shot discovery is its first [`refresh`](Membership::refresh); a watch
//! is the same object kept running ([`watch`](Membership::watch)). Every front end (CLI, C,
//! Python, JNI) holds one and reads the core's own snapshots and ordered
//! [`MembershipChange`]s: none of them diffs or re-derives member identity.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::auth::AuthProvider;
use crate::config::{Config, Scheme};
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpClient;
use crate::marathon::Keep;
use crate::model::Discovery;
use crate::publish::Publisher;
use crate::watch::{MembershipCallback, MembershipChange, MembershipState, Tracker};
use crate::{marathon, mesos_dns, runtime, watch};

/// What a membership's refreshes and its background task share.
pub(crate) struct Core {
    pub(crate) config: Config,
    pub(crate) http: HttpClient,
    tracker: Mutex<Tracker>,
    /// `MARATHON_ENDPOINT=zk://…`: the Marathon leader last read from ZooKeeper.
    marathon_leader: Mutex<Option<url::Url>>,
}

impl Core {
    /// The tracker, for one synchronous step (never held across an `await`).
    pub(crate) fn tracker(&self) -> MutexGuard<'_, Tracker> {
        self.tracker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Where Marathon is asked: the configured endpoints, or the leader ZooKeeper named.
    pub(crate) fn marathon_endpoints(&self) -> Vec<url::Url> {
        match &self.config.marathon_zk {
            None => self.config.marathon_endpoints.clone(),
            Some(_) => self
                .marathon_leader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .iter()
                .cloned()
                .collect(),
        }
    }

    /// Records the Marathon leader read from ZooKeeper.
    pub(crate) fn set_marathon_leader(&self, leader: Option<url::Url>) {
        *self
            .marathon_leader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = leader;
    }
}

/// Whether a refresh publishes what it found (a membership used once does not).
#[derive(Clone, Copy)]
enum Publish {
    Yes,
    No,
}

/// The member set of one configuration, looked up once or kept current.
///
/// `Send + Sync`: share it behind an `Arc`. Dropping it (or [`close`](Self::close)) stops the
/// background task. Callbacks run on the membership's own callback thread (see
/// [`crate::publish`]).
pub struct Membership {
    core: Arc<Core>,
    publisher: Publisher<MembershipState, MembershipChange>,
    watching: AtomicBool,
}

fn welcome(state: &MembershipState) -> Option<MembershipChange> {
    (state.generation > 0).then(|| MembershipChange {
        generation: state.generation,
        added: state.members.clone(),
        removed: Arc::from([]),
        members: state.members.clone(),
    })
}

impl Membership {
    /// Validates the TLS and auth settings and builds the HTTP client; no I/O, no thread.
    pub fn open(config: Config) -> Result<Membership> {
        let auth = crate::auth::from_config(&config.auth)?;
        Membership::open_with_auth(config, auth)
    }

    /// [`open`](Self::open) with an auth provider of the caller's choosing (e.g. a DC/OS
    /// login) instead of the one `config.auth` describes.
    pub fn open_with_auth(config: Config, auth: Arc<dyn AuthProvider>) -> Result<Membership> {
        let http = HttpClient::new(&config.http, &config.tls, auth)?;
        let publisher = Publisher::new(
            MembershipState::default(),
            welcome,
            "membership",
            "mesos-discovery-member-callbacks",
        );
        let tracker = Tracker::new(publisher.clone(), &config);
        Ok(Membership {
            core: Arc::new(Core {
                config,
                http,
                tracker: Mutex::new(tracker),
                marathon_leader: Mutex::new(None),
            }),
            publisher,
            watching: AtomicBool::new(false),
        })
    }

    pub fn config(&self) -> &Config {
        &self.core.config
    }

    /// One full look (a one-shot discovery): members sorted, one per `host:port`, plus
    /// warnings. The answer is also published (a new generation when the set changed), so a
    /// watch started afterwards continues from it.
    ///
    /// Errors as a one-shot discovery reports them: Marathon having none of the configured
    /// apps is `NotFound` (a watch treats it as an empty set to follow).
    pub async fn refresh(&self) -> Result<Discovery> {
        Self::refresh_core(&self.core, Publish::Yes).await
    }

    /// The answer of one refresh, for a membership used once (it is consumed): the same
    /// members, warnings and errors as [`refresh`](Self::refresh), without keeping a snapshot
    /// that nobody would read.
    pub async fn refresh_once(self) -> Result<Discovery> {
        Self::refresh_core(&self.core, Publish::No).await
    }

    /// [`refresh_once`](Self::refresh_once) on the shared runtime, blocking this thread.
    pub fn refresh_once_blocking(self) -> Result<Discovery> {
        self.refresh_on_runtime(Publish::No)
    }

    async fn refresh_core(core: &Core, publish: Publish) -> Result<Discovery> {
        // Until a watch follows the apps, nothing applies their events: their definitions
        // need not be kept (a watch begins with a full look of its own). A refresh that
        // overlaps the start of a watch leaves them out too; events then wait for a refetch.
        let keep = if core.tracker().is_followed() {
            Keep::Definition
        } else {
            Keep::MembersOnly
        };
        let looked = match core.config.scheme {
            Scheme::Marathon => {
                // `zk://` Marathon: its leader is read once per refresh, and the leader lookup
                // and the HTTP requests share the one discovery deadline.
                if let Some(zk) = &core.config.marathon_zk {
                    let deadline = core.config.http.deadline;
                    let give_up = tokio::time::Instant::now() + deadline;
                    let leader = match crate::zk::resolve_marathon_leader(zk, deadline).await {
                        Ok(leader) => leader,
                        Err(e) => {
                            core.tracker().failed(e.clone());
                            return Err(e);
                        }
                    };
                    core.set_marathon_leader(Some(leader.clone()));
                    let endpoints = [leader.clone()];
                    let look = marathon::look_all(&core.http, &core.config, &endpoints, keep);
                    tokio::time::timeout_at(give_up, look)
                        .await
                        .unwrap_or_else(|_| {
                            Err(Error::new(
                                ErrorKind::Timeout,
                                format!(
                                    "Marathon leader {leader} (read from ZooKeeper): no answer \
                                     within the {deadline:?} discovery deadline"
                                ),
                            ))
                        })
                } else {
                    marathon::look_all(&core.http, &core.config, &core.marathon_endpoints(), keep)
                        .await
                }
            }
            Scheme::MesosDns => mesos_dns::discover(&core.http, &core.config)
                .await
                .map(|found| Tracker::bucket(found, &core.config.apps)),
        };
        let looks = match looked {
            Ok(looks) => looks,
            Err(e) => {
                core.tracker().failed(e.clone());
                return Err(e);
            }
        };
        let missing: Vec<String> = looks
            .iter()
            .filter(|(_, look)| look.missing)
            .map(|(app, _)| app.clone())
            .collect();
        let found = match publish {
            Publish::Yes => core.tracker().replace_all(looks),
            Publish::No => {
                let mut looks = looks;
                let found = Tracker::merge(&mut looks);
                // As a publish logs warnings it had not seen: here every one is new.
                for w in &found.warnings {
                    log::warn!("{w}");
                }
                found
            }
        };
        if !missing.is_empty() && missing.len() == core.config.apps.len() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "{} has none of the configured apps: {}",
                    match core.config.scheme {
                        Scheme::Marathon => "Marathon",
                        Scheme::MesosDns => "Mesos-DNS",
                    },
                    missing.join(", ")
                ),
            ));
        }
        Ok(found)
    }

    /// [`refresh`](Self::refresh) on the shared runtime, blocking this thread.
    pub fn refresh_blocking(&self) -> Result<Discovery> {
        self.refresh_on_runtime(Publish::Yes)
    }

    fn refresh_on_runtime(&self, publish: Publish) -> Result<Discovery> {
        // Run on a runtime worker, beside the connections' own tasks: the responses are then
        // read and decoded without waking this thread for every chunk.
        let core = Arc::clone(&self.core);
        let refresh =
            runtime::handle()?.spawn(async move { Self::refresh_core(&core, publish).await });
        runtime::block_on(refresh)?
            .map_err(|e| Error::internal(format!("the refresh task failed: {e}")))?
    }

    /// Keeps the member set current from now on (Marathon's event stream, or Mesos-DNS
    /// polling); returns at once. Idempotent. The first look of the watch arrives as a new
    /// generation only if it differs from what an earlier [`refresh`](Self::refresh) published.
    pub fn watch(&self) -> Result<()> {
        if self.publisher.is_closed() {
            return Err(self.publisher.closed_error());
        }
        if self.watching.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let handle = runtime::handle()?;
        self.core.tracker().follow();
        let core = self.core.clone();
        let shutdown = self.publisher.shutdown_signal();
        handle.spawn(async move {
            let task = async move {
                match core.config.scheme {
                    Scheme::Marathon => watch::follow_marathon(core).await,
                    Scheme::MesosDns => watch::poll_mesos_dns(core).await,
                }
            };
            tokio::select! {
                _ = shutdown => {}
                _ = task => {}
            }
        });
        Ok(())
    }

    /// Whether [`watch`](Self::watch) was called.
    pub fn is_watching(&self) -> bool {
        self.watching.load(Ordering::SeqCst)
    }

    /// Publishes a discovery the caller already made (e.g. Carbon's synchronous `init()`) as
    /// the current set, as if a refresh had found it.
    pub fn seed(&self, found: Discovery) {
        let looks = Tracker::bucket(found, &self.core.config.apps);
        self.core.tracker().replace_all(looks);
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

    /// Calls `callback` with the full set (as `added`) once known, then with every change,
    /// in order, on the membership's callback thread; see [`crate::publish`] for the rules.
    pub fn subscribe(&self, callback: MembershipCallback) -> u64 {
        self.publisher.subscribe(callback)
    }

    pub fn unsubscribe(&self, id: u64) -> bool {
        self.publisher.unsubscribe(id)
    }

    /// The publisher of snapshots and changes, for front ends that wait on it in their own
    /// way (e.g. the JNI's blocking "next change after generation G").
    pub fn publisher(&self) -> &Publisher<MembershipState, MembershipChange> {
        &self.publisher
    }

    /// Stops watching; waiters get a `Closed` error. Idempotent, thread-safe, never blocks.
    pub fn close(&self) {
        self.publisher.close()
    }

    pub fn is_closed(&self) -> bool {
        self.publisher.is_closed()
    }

    /// Compatibility with the former watcher type: open and watch at once.
    pub fn start(config: Config) -> Result<Membership> {
        Membership::start_from(config, None)
    }

    /// Compatibility with the former watcher type: open, seed with `initial` (published at
    /// once as generation 1), and watch.
    pub fn start_from(config: Config, initial: Option<Discovery>) -> Result<Membership> {
        let membership = Membership::open(config)?;
        if let Some(initial) = initial {
            membership.seed(initial);
        }
        membership.watch()?;
        Ok(membership)
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for Membership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Membership")
            .field("config", &self.core.config)
            .field("watching", &self.is_watching())
            .field("state", &self.snapshot())
            .finish()
    }
}
