//! [`LeaderWatcher`]: a long-lived leader detector driven by ZooKeeper watches.
//!
//! Semantics (those of the Mesos detector):
//! - After each (re)sync the watcher sets a child watch on the masters' znode and re-reads the
//!   group only when it fires; it never polls.
//! - Disconnected (same session, the client reconnects by itself): the cached leader stays
//!   valid for one session timeout, then it is dropped ("no leader", with an error saying
//!   why), as Mesos forces local expiry. On reconnection the group is re-read.
//! - Session expired: "no leader" is reported, a brand new session is built (immediately,
//!   then with backoff 2 s doubling to 60 s while attempts fail) and the group re-read.
//! - Every change of leader is reported once, in order, with a new `generation`.

use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use zookeeper_client as zkc;

use super::contenders::{self, child_path};
use super::detector::decode_master;
use super::master_info::Master;
use super::session::{self, seconds};
use super::url::ZkUrl;
use super::DetectOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::publish::{Generation, Publisher};

/// What the watcher knows about the leader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderState {
    /// 0 until the first answer; then bumped by one on every reported change of leader
    /// (including to and from "no leader"). The first answer is always generation 1, even
    /// when it is "no leader".
    pub generation: u64,
    /// The leading master, `None` when there is none or it cannot be known right now.
    pub leader: Option<Master>,
    /// Why the leader is unknown, when `leader` is `None` for another reason than "no master
    /// registered" (session expired, ZooKeeper unreachable, undecodable leader znode, no
    /// read permission). Refreshed in place: a new error alone does not bump `generation`.
    pub error: Option<Error>,
}

/// A change callback; see [`LeaderWatcher::subscribe`].
pub type LeaderCallback = Box<dyn Fn(&LeaderState) + Send + Sync>;

const BACKOFF_START: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Follows the leading Mesos master. `Send + Sync`; share it with an `Arc`. Dropping it (or
/// [`close`](Self::close)) ends the session and the background task.
///
/// The detection runs as a task on the shared runtime ([`crate::runtime::handle`]);
/// callbacks run on a dedicated thread per watcher, never on a caller's thread.
pub struct LeaderWatcher {
    shared: Arc<Shared>,
}

struct Shared {
    /// State, waiters and callbacks (see [`crate::publish`]); callbacks get the new state.
    publisher: Publisher<LeaderState, LeaderState>,
    /// The live session, for the test hook that expires it from the server side.
    session: Mutex<Option<zkc::SessionInfo>>,
    url: ZkUrl,
    opts: DetectOptions,
}

impl Generation for LeaderState {
    fn generation(&self) -> u64 {
        self.generation
    }
}

/// A new subscriber first gets the current state, once there is an answer.
fn welcome(state: &LeaderState) -> Option<LeaderState> {
    (state.generation > 0).then(|| state.clone())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl LeaderWatcher {
    /// Starts watching; returns at once. The first answer arrives as generation 1.
    pub fn start(url: ZkUrl, opts: DetectOptions) -> Result<LeaderWatcher> {
        let handle = crate::runtime::handle()?;
        let publisher = Publisher::new(
            LeaderState::default(),
            welcome,
            "leader watcher",
            "mesos-discovery-zk-callbacks",
        );
        let shutdown = publisher.shutdown_receiver();
        let shared = Arc::new(Shared {
            publisher,
            session: Mutex::new(None),
            url,
            opts,
        });
        handle.spawn(run(shared.clone(), shutdown));
        Ok(LeaderWatcher { shared })
    }

    /// The latest state; no I/O.
    pub fn current(&self) -> LeaderState {
        self.shared.publisher.current()
    }

    /// Blocks until the generation differs from `known_generation` and returns the new
    /// state; `Ok(None)` when `timeout` passes first; a `Closed` error once closed. Returns at
    /// once when the generation already differs. Do not call from async code (use
    /// [`changed`](Self::changed)).
    pub fn wait_for_change(
        &self,
        known_generation: u64,
        timeout: Duration,
    ) -> Result<Option<LeaderState>> {
        self.shared
            .publisher
            .wait_for_change(known_generation, timeout)
    }

    /// Blocks until the leader is not `known` (compared by id and znode, so a refreshed
    /// state with the same leader does not count), or `timeout` passes (`Ok(None)`).
    pub fn wait_for_leader_change(
        &self,
        known: Option<&Master>,
        timeout: Duration,
    ) -> Result<Option<LeaderState>> {
        let deadline = Instant::now().checked_add(timeout);
        let mut generation = u64::MAX; // anything but a real one: look at the current state
        loop {
            let left = match deadline {
                None => Duration::from_secs(3600),
                Some(d) => d.saturating_duration_since(Instant::now()),
            };
            let Some(state) = self.wait_for_change(generation, left)? else {
                return Ok(None);
            };
            let same = match (&state.leader, known) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same_registration(b),
                _ => false,
            };
            // Generation 0 means "not known yet", which differs from nothing.
            if !same && state.generation > 0 {
                return Ok(Some(state));
            }
            generation = state.generation;
        }
    }

    /// Waits (async) until the generation differs from `known_generation`; a `Closed` error
    /// once closed.
    pub async fn changed(&self, known_generation: u64) -> Result<LeaderState> {
        self.shared.publisher.changed(known_generation).await
    }

    /// Calls `callback` with the current state (when one is known) and then with every
    /// change, in order, on this watcher's callback thread. Returns an id for
    /// [`unsubscribe`](Self::unsubscribe).
    ///
    /// Rules: callbacks run one at a time on one thread, never on the caller's thread; a slow
    /// callback delays the next ones but not detection; a panic in a callback is caught and
    /// logged (the watcher and other callbacks go on). Calling any method of the watcher from
    /// a callback is safe, including `close` and `unsubscribe`.
    pub fn subscribe(&self, callback: LeaderCallback) -> u64 {
        self.shared.publisher.subscribe(callback)
    }

    /// Stops calling the callback `id`; `false` if it was not subscribed. A call already
    /// running finishes; no new one starts.
    pub fn unsubscribe(&self, id: u64) -> bool {
        self.shared.publisher.unsubscribe(id)
    }

    /// Ends the watch: the session is closed, waiters get a `Closed` error, callbacks stop.
    /// Idempotent, thread-safe, never blocks.
    pub fn close(&self) {
        self.shared.publisher.close()
    }

    pub fn is_closed(&self) -> bool {
        self.shared.publisher.is_closed()
    }

    /// The URL being watched (credentials redacted when printed).
    pub fn url(&self) -> &ZkUrl {
        &self.shared.url
    }

    /// Test hook: makes the server expire the watcher's current session, the way Curator's
    /// `KillSession` does (another client attaches to the session and closes it). Returns
    /// once the server has closed it.
    #[doc(hidden)]
    pub async fn expire_session_for_test(&self) -> Result<()> {
        let info = lock(&self.shared.session)
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::ZooKeeper, "the watcher has no session"))?;
        session::expire(info, &self.shared.url, &self.shared.opts).await
    }
}

impl Drop for LeaderWatcher {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for LeaderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaderWatcher")
            .field("url", &self.shared.url)
            .field("state", &self.current())
            .finish()
    }
}

impl Shared {
    /// Reports the result of reading the group. The first answer always counts as a change.
    fn publish_answer(&self, leader: Option<Master>, error: Option<Error>) {
        let current = self.publisher.current();
        if current.generation > 0 && current.leader == leader {
            self.publisher.amend(|s| s.error = error);
            return;
        }
        if let Some(e) = &error {
            log::warn!("leader of {}: unknown: {e}", self.url);
        }
        self.announce(LeaderState {
            generation: current.generation + 1,
            leader,
            error,
        });
    }

    /// The leader can no longer be known (session gone, out of contact too long). Not an
    /// answer: before the first answer this only records the error.
    fn lose_leader(&self, error: Error) {
        let current = self.publisher.current();
        if current.leader.is_none() {
            self.publisher.amend(|s| s.error = Some(error));
            return;
        }
        log::warn!("leader of {}: unknown: {error}", self.url);
        self.announce(LeaderState {
            generation: current.generation + 1,
            leader: None,
            error: Some(error),
        });
    }

    fn announce(&self, state: LeaderState) {
        log::info!(
            "leader of {} (generation {}): {}",
            self.url,
            state.generation,
            state
                .leader
                .as_ref()
                .map_or("none".to_string(), |m| format!(
                    "{} at {}",
                    m.id,
                    m.address()
                ))
        );
        self.publisher.publish(state.clone(), Some(state));
    }
}

/// Why one session's follow loop ended.
enum SessionEnd {
    Shutdown,
    /// The session is over (expired, auth failed, closed); `answered` when it produced at
    /// least one answer (then the next session is tried at once).
    Ended {
        answered: bool,
        error: Error,
    },
}

async fn run(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut backoff = Backoff::default();
    loop {
        let connected = tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => return,
            connected = session::connect(&shared.url, &shared.opts) => connected,
        };
        let delay = match connected {
            Ok(client) => {
                *lock(&shared.session) = Some(client.session().clone());
                let end = follow(&shared, &client, &mut shutdown).await;
                session::close(client).await;
                match end {
                    SessionEnd::Shutdown => return,
                    SessionEnd::Ended { answered, error } => {
                        shared.lose_leader(error);
                        if answered {
                            backoff = Backoff::default();
                            Duration::ZERO
                        } else {
                            backoff.next_delay()
                        }
                    }
                }
            }
            Err(e) => {
                let delay = backoff.next_delay();
                log::warn!("{e}; retrying in {}", seconds(delay));
                shared.lose_leader(e);
                delay
            }
        };
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => return,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

#[derive(Default)]
struct Backoff {
    last: Option<Duration>,
}

impl Backoff {
    fn next_delay(&mut self) -> Duration {
        let next = match self.last {
            None => BACKOFF_START,
            Some(last) => (last * 2).min(BACKOFF_MAX),
        };
        self.last = Some(next);
        next
    }
}

/// One read of the group over a live session.
struct Synced {
    leader: Option<Master>,
    error: Option<Error>,
    /// Fires when the group changes; `None` when no watch could be set (then retry on a timer).
    watch: Option<zkc::OneshotWatcher>,
}

/// Why a sync did not complete.
enum Interrupted {
    /// Connection lost; the client is reconnecting the same session.
    Disconnected,
    /// The session is over.
    SessionOver(Error),
}

/// Classifies a failed request: the session is over, the connection is lost, or `error`
/// (a real answer, e.g. no permission) stands.
fn interrupted_or(
    client: &zkc::Client,
    cause: &zkc::Error,
    error: Error,
) -> std::result::Result<Error, Interrupted> {
    if session::is_session_gone(cause) {
        let state = match cause {
            zkc::Error::AuthFailed => zkc::SessionState::AuthFailed,
            zkc::Error::ClientClosed => zkc::SessionState::Closed,
            _ => zkc::SessionState::Expired,
        };
        return Err(Interrupted::SessionOver(session_over(state)));
    }
    if *cause == zkc::Error::ConnectionLoss {
        return Err(Interrupted::Disconnected);
    }
    match client.state() {
        zkc::SessionState::Disconnected => Err(Interrupted::Disconnected),
        state if state.is_terminated() => Err(Interrupted::SessionOver(session_over(state))),
        _ => Ok(error),
    }
}

fn session_over(state: zkc::SessionState) -> Error {
    match state {
        zkc::SessionState::AuthFailed => Error::new(
            ErrorKind::Auth,
            "ZooKeeper refused the credentials of the zk:// URL; reconnecting",
        ),
        zkc::SessionState::Closed => Error::new(
            ErrorKind::ZooKeeper,
            "the ZooKeeper session was closed; reconnecting",
        ),
        _ => Error::new(
            ErrorKind::ZooKeeper,
            "the ZooKeeper session expired; reconnecting",
        ),
    }
}

async fn sync(
    client: &zkc::Client,
    path: &str,
    cached: &mut Option<Master>,
) -> std::result::Result<Synced, Interrupted> {
    for _ in 0..32 {
        let (children, watch) = match client.list_and_watch_children(path).await {
            Ok(listed) => listed,
            Err(zkc::Error::NoNode) => match client.check_and_watch_stat(path).await {
                Ok((Some(_), _)) => continue, // created meanwhile
                Ok((None, watch)) => {
                    log::warn!("ZooKeeper path {path} does not exist (yet): no master registered");
                    return Ok(Synced {
                        leader: None,
                        error: None,
                        watch: Some(watch),
                    });
                }
                Err(e) => {
                    let error = session::map_error(e.clone(), &format!("watching {path}"));
                    let error = interrupted_or(client, &e, error)?;
                    return Ok(Synced {
                        leader: None,
                        error: Some(error),
                        watch: None,
                    });
                }
            },
            Err(e) => {
                let error = session::map_error(e.clone(), &format!("listing {path}"));
                let error = interrupted_or(client, &e, error)?;
                return Ok(Synced {
                    leader: None,
                    error: Some(error),
                    watch: None,
                });
            }
        };
        let Some(first) = contenders::leader(&children) else {
            return Ok(Synced {
                leader: None,
                error: None,
                watch: Some(watch),
            });
        };
        // Mesos never rewrites a master's znode, so a known znode needs no new read.
        if let Some(known) = cached
            .as_ref()
            .filter(|m| m.znode == child_path(path, &first.name))
        {
            return Ok(Synced {
                leader: Some(known.clone()),
                error: None,
                watch: Some(watch),
            });
        }
        let znode = child_path(path, &first.name);
        let data = match client.get_data(&znode).await {
            Ok((data, _stat)) => data,
            Err(zkc::Error::NoNode) => continue, // vanished between list and read: re-list
            Err(e) => {
                let error = session::map_error(e.clone(), &format!("reading {znode}"));
                let error = interrupted_or(client, &e, error)?;
                return Ok(Synced {
                    leader: None,
                    error: Some(error),
                    watch: Some(watch),
                });
            }
        };
        return Ok(match decode_master(&znode, &first, &data, true).await {
            Ok(master) => {
                *cached = Some(master.clone());
                Synced {
                    leader: Some(master),
                    error: None,
                    watch: Some(watch),
                }
            }
            Err(error) => Synced {
                leader: None,
                error: Some(error),
                watch: Some(watch),
            },
        });
    }
    let error = Error::new(
        ErrorKind::ZooKeeper,
        format!("the masters' znodes under {path} kept changing while being read"),
    );
    Ok(Synced {
        leader: None,
        error: Some(error),
        watch: None,
    })
}

/// Follows the group over one session until it ends or the watcher closes.
async fn follow(
    shared: &Shared,
    client: &zkc::Client,
    shutdown: &mut watch::Receiver<bool>,
) -> SessionEnd {
    let path = shared.url.path();
    let mut states = client.state_watcher();
    let session_timeout = client.session_timeout();
    let mut answered = false;
    let mut cached: Option<Master> = None;
    let mut retry = Backoff::default();
    // When disconnected: the moment the cached leader stops being trusted.
    let mut distrust_at: Option<tokio::time::Instant> = None;
    let mut connected = true;
    loop {
        let mut watch = None;
        let mut retry_after = None;
        if connected {
            match sync(client, path, &mut cached).await {
                Ok(synced) => {
                    if synced.watch.is_none() {
                        retry_after = Some(retry.next_delay());
                    } else {
                        retry = Backoff::default();
                    }
                    shared.publish_answer(synced.leader, synced.error);
                    answered = true;
                    watch = synced.watch;
                }
                Err(Interrupted::SessionOver(error)) => {
                    return SessionEnd::Ended { answered, error }
                }
                Err(Interrupted::Disconnected) => {}
            }
        }
        let mut group_changed = pin!(async move {
            match watch {
                Some(watch) => watch.changed().await,
                None => std::future::pending().await,
            }
        });
        // Wait for something that calls for a re-read (or ends the session).
        loop {
            let distrust = async {
                match distrust_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let retry_timer = async {
                match retry_after {
                    Some(delay) => tokio::time::sleep(delay).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = shutdown.wait_for(|stop| *stop) => return SessionEnd::Shutdown,
                state = states.changed() => match state {
                    zkc::SessionState::Disconnected => {
                        connected = false;
                        distrust_at = Some(tokio::time::Instant::now() + session_timeout);
                        log::info!("disconnected from ZooKeeper ({}); reconnecting", shared.url);
                    }
                    zkc::SessionState::SyncConnected | zkc::SessionState::ConnectedReadOnly => {
                        connected = true;
                        distrust_at = None;
                        break; // events may have been missed: re-read
                    }
                    terminal => {
                        return SessionEnd::Ended { answered, error: session_over(terminal) }
                    }
                },
                event = &mut group_changed => {
                    if event.event_type == zkc::EventType::Session
                        && event.session_state.is_terminated()
                    {
                        return SessionEnd::Ended { answered, error: session_over(event.session_state) };
                    }
                    break;
                }
                _ = distrust => {
                    distrust_at = None;
                    shared.lose_leader(Error::new(
                        ErrorKind::ZooKeeper,
                        format!(
                            "no contact with ZooKeeper for {} (the session timeout); the leader is unknown until it is back",
                            seconds(session_timeout)
                        ),
                    ));
                }
                _ = retry_timer => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute() {
        let mut b = Backoff::default();
        let delays: Vec<u64> = (0..8).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn watcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LeaderWatcher>();
        assert_send_sync::<LeaderState>();
    }

    #[test]
    fn closed_watcher_answers_closed_and_never_calls_back() {
        // An unroutable port: the watcher keeps retrying in the background.
        let url = ZkUrl::parse("zk://127.0.0.1:1/mesos").unwrap();
        let opts = DetectOptions {
            session_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_millis(300),
        };
        let watcher = LeaderWatcher::start(url, opts).unwrap();
        assert_eq!(watcher.current().generation, 0);
        assert_eq!(
            watcher
                .wait_for_change(0, Duration::from_millis(50))
                .unwrap(),
            None
        );
        let id = watcher.subscribe(Box::new(|_| panic!("no state yet")));
        assert!(watcher.unsubscribe(id));
        assert!(!watcher.unsubscribe(id));
        watcher.close();
        watcher.close();
        assert!(watcher.is_closed());
        let e = watcher
            .wait_for_change(0, Duration::from_secs(5))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Closed);
        let e = crate::runtime::block_on(watcher.changed(0))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Closed);
    }
}
