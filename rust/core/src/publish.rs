//! A value that changes over time and is served to every kind of caller: read without I/O,
//! waited on from blocking code (C, Python, Java threads) or async code, and pushed to
//! callbacks. Watchers (membership; the ZooKeeper leader) own one and publish into it.
//!
//! Callbacks run one at a time, in order, on one dedicated thread per publisher — never on a
//! caller's thread and never on the runtime, so a slow callback delays other callbacks but not
//! detection. A panicking callback is caught and logged. Calling the publisher from a callback
//! (even `close` or `unsubscribe`) is safe.
//!
//! Recent events are also kept in a bounded log, so a consumer that pulls instead of being
//! called (a JNI thread) gets every event after the generation it saw, in order, with
//! [`Publisher::next_change`]; one that fell further behind than the log reaches is told so
//! ([`Next::Behind`]) and gets the current state.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::error::{Error, ErrorKind, Result};

/// States and events are numbered: a state by the last change it includes, an event by the
/// change it announces. Waiters compare generations, never contents.
pub trait Generation {
    fn generation(&self) -> u64;

    /// What keeping this event in the log costs, in units of [`LOG_WEIGHT`] (e.g. members
    /// carried); 1 unless the event says otherwise.
    fn weight(&self) -> usize {
        1
    }
}

/// Most events the log keeps.
pub const LOG_EVENTS: usize = 1024;
/// Most total [`Generation::weight`] the log keeps (the newest event is always kept).
pub const LOG_WEIGHT: usize = 65_536;

/// What [`Publisher::next_change`] found after the generation the caller saw.
#[derive(Debug)]
pub enum Next<S, E> {
    /// The first event after it.
    Change(Arc<E>),
    /// The events after it are no longer in the log (the caller fell behind, or asked with a
    /// generation never published): the current state instead, for a resync.
    Behind(S),
}

type Callback<E> = Arc<dyn Fn(&E) + Send + Sync>;

pub struct Publisher<S, E> {
    shared: Arc<Shared<S, E>>,
}

impl<S, E> Clone for Publisher<S, E> {
    fn clone(&self) -> Self {
        Publisher {
            shared: self.shared.clone(),
        }
    }
}

struct Shared<S, E> {
    inner: Mutex<Inner<S, E>>,
    changed: Condvar,
    wake: watch::Sender<u64>,
    shutdown: watch::Sender<bool>,
    /// Each callback with the generation it was welcomed at (it gets only later events).
    callbacks: Mutex<BTreeMap<u64, (u64, Callback<E>)>>,
    next_callback_id: AtomicU64,
    /// The event a new subscriber gets first (the full current picture), if any yet.
    welcome: fn(&S) -> Option<E>,
    name: &'static str,
    thread_name: &'static str,
}

struct Inner<S, E> {
    state: S,
    closed: bool,
    dispatch: Option<mpsc::Sender<Dispatch<E>>>,
    log: EventLog<E>,
}

enum Dispatch<E> {
    Event(Arc<E>),
    Welcome(u64, E),
}

/// The recent events, oldest first, in generation order.
struct EventLog<E> {
    events: VecDeque<Arc<E>>,
    weight: usize,
}

impl<E: Generation> EventLog<E> {
    fn push(&mut self, event: Arc<E>) {
        self.weight += event.weight();
        self.events.push_back(event);
        while self.events.len() > 1 && (self.events.len() > LOG_EVENTS || self.weight > LOG_WEIGHT)
        {
            if let Some(dropped) = self.events.pop_front() {
                self.weight -= dropped.weight();
            }
        }
    }

    /// The first event after `after` given the state's generation `current`: `None` when
    /// there is nothing newer, `Some(None)` when the events right after it are not in the log
    /// (dropped, published without an event, or `after` was never published).
    fn after(&self, after: u64, current: u64) -> Option<Option<Arc<E>>> {
        if current == after {
            return None;
        }
        let index = self.events.partition_point(|e| e.generation() <= after);
        match self.events.get(index) {
            // Generations are consecutive: an event with an older one before it follows
            // `after` directly.
            Some(event) if index > 0 || event.generation() == after.wrapping_add(1) => {
                Some(Some(event.clone()))
            }
            _ => Some(None),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Callbacks run outside every lock and panics are caught: poisoning means a bug elsewhere.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<S, E> Publisher<S, E>
where
    S: Generation + Clone + Send + 'static,
    E: Generation + Send + Sync + 'static,
{
    /// `name` appears in errors ("the membership watcher was closed"); `thread_name` names the
    /// callback thread (callers see it in their callbacks, debuggers in thread lists).
    pub fn new(
        initial: S,
        welcome: fn(&S) -> Option<E>,
        name: &'static str,
        thread_name: &'static str,
    ) -> Self {
        let (wake, _) = watch::channel(0);
        let (shutdown, _) = watch::channel(false);
        Publisher {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    state: initial,
                    closed: false,
                    dispatch: None,
                    log: EventLog {
                        events: VecDeque::new(),
                        weight: 0,
                    },
                }),
                changed: Condvar::new(),
                wake,
                shutdown,
                callbacks: Mutex::new(BTreeMap::new()),
                next_callback_id: AtomicU64::new(1),
                welcome,
                name,
                thread_name,
            }),
        }
    }

    /// The latest state; no I/O.
    pub fn current(&self) -> S {
        lock(&self.shared.inner).state.clone()
    }

    /// Replaces the state and announces `event` (when given) to callbacks and waiters.
    /// Ignored once closed.
    pub fn publish(&self, state: S, event: Option<E>) {
        let mut inner = lock(&self.shared.inner);
        if inner.closed {
            return;
        }
        let generation = state.generation();
        inner.state = state;
        if let Some(event) = event {
            let event = Arc::new(event);
            if let Some(dispatch) = &inner.dispatch {
                let _ = dispatch.send(Dispatch::Event(event.clone()));
            }
            inner.log.push(event);
        }
        drop(inner);
        self.shared.changed.notify_all();
        self.shared.wake.send_replace(generation);
    }

    /// Changes the state in place without announcing a new generation (e.g. a refreshed error).
    pub fn amend(&self, change: impl FnOnce(&mut S)) {
        let mut inner = lock(&self.shared.inner);
        if !inner.closed {
            change(&mut inner.state);
        }
    }

    /// Blocks until the state's generation differs from `known_generation`; `Ok(None)` when
    /// `timeout` passes first; a `Closed` error once closed. Not for async code.
    pub fn wait_for_change(&self, known_generation: u64, timeout: Duration) -> Result<Option<S>> {
        self.block_until(timeout, |inner| self.changed_in(inner, known_generation))
    }

    /// Blocks on the condition variable until `ready` answers something (or an error), or
    /// `timeout` passes (`Ok(None)`). Every wait of the blocking front ends goes through here.
    fn block_until<T>(
        &self,
        timeout: Duration,
        mut ready: impl FnMut(&Inner<S, E>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let deadline = Instant::now().checked_add(timeout);
        let mut inner = lock(&self.shared.inner);
        loop {
            if let Some(found) = ready(&inner)? {
                return Ok(Some(found));
            }
            let wait = match deadline {
                None => Duration::from_secs(3600),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return Ok(None),
                },
            };
            inner = self
                .shared
                .changed
                .wait_timeout(inner, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Async twin of [`block_until`](Self::block_until), without a timeout.
    async fn wake_until<T>(
        &self,
        mut ready: impl FnMut(&Inner<S, E>) -> Result<Option<T>>,
    ) -> Result<T> {
        let mut wake = self.shared.wake.subscribe();
        loop {
            if let Some(found) = ready(&lock(&self.shared.inner))? {
                return Ok(found);
            }
            if wake.changed().await.is_err() {
                return Err(self.closed_error());
            }
        }
    }

    fn changed_in(&self, inner: &Inner<S, E>, known_generation: u64) -> Result<Option<S>> {
        if inner.closed {
            return Err(self.closed_error());
        }
        Ok((inner.state.generation() != known_generation).then(|| inner.state.clone()))
    }

    /// Async: waits until the generation differs from `known_generation`.
    pub async fn changed(&self, known_generation: u64) -> Result<S> {
        self.wake_until(|inner| self.changed_in(inner, known_generation))
            .await
    }

    /// Blocks until there is an event after generation `after` and returns the first one (so a
    /// caller that passes each answer's generation back sees every event, in order, none
    /// twice); `Ok(None)` once `timeout` passes; a `Closed` error at once when closed, also
    /// while waiting. [`Next::Behind`] when the log no longer reaches back to `after`.
    /// Not for async code (use [`next_change_async`](Self::next_change_async)).
    pub fn next_change(&self, after: u64, timeout: Duration) -> Result<Option<Next<S, E>>> {
        self.block_until(timeout, |inner| self.next_in(inner, after))
    }

    /// Async [`next_change`](Self::next_change), without a timeout.
    pub async fn next_change_async(&self, after: u64) -> Result<Next<S, E>> {
        self.wake_until(|inner| self.next_in(inner, after)).await
    }

    fn next_in(&self, inner: &Inner<S, E>, after: u64) -> Result<Option<Next<S, E>>> {
        if inner.closed {
            return Err(self.closed_error());
        }
        Ok(match inner.log.after(after, inner.state.generation()) {
            None => None,
            Some(Some(event)) => Some(Next::Change(event)),
            Some(None) => Some(Next::Behind(inner.state.clone())),
        })
    }

    /// Calls `callback` first with the welcome event of the current state (when there is
    /// one), then with every later event, in order, on the publisher's callback thread.
    pub fn subscribe(&self, callback: Box<dyn Fn(&E) + Send + Sync>) -> u64 {
        let id = self.shared.next_callback_id.fetch_add(1, Ordering::Relaxed);
        let mut inner = lock(&self.shared.inner);
        if inner.closed {
            return id;
        }
        let since = inner.state.generation();
        lock(&self.shared.callbacks).insert(id, (since, Arc::from(callback)));
        if inner.dispatch.is_none() {
            inner.dispatch = self.spawn_dispatcher();
        }
        if let (Some(dispatch), Some(welcome)) =
            (&inner.dispatch, (self.shared.welcome)(&inner.state))
        {
            let _ = dispatch.send(Dispatch::Welcome(id, welcome));
        }
        id
    }

    /// Stops calling `id`; `false` if it was not subscribed. A call already running finishes.
    pub fn unsubscribe(&self, id: u64) -> bool {
        lock(&self.shared.callbacks).remove(&id).is_some()
    }

    /// Closes: waiters get a `Closed` error, callbacks stop, the owner's task is told to end
    /// (see [`shutdown_signal`](Self::shutdown_signal)). Idempotent, never blocks.
    pub fn close(&self) {
        let mut inner = lock(&self.shared.inner);
        if inner.closed {
            return;
        }
        inner.closed = true;
        inner.dispatch = None; // the callback thread drains what is queued and ends
        drop(inner);
        lock(&self.shared.callbacks).clear();
        self.shared.changed.notify_all();
        self.shared.wake.send_modify(|g| *g = g.wrapping_add(1));
        self.shared.shutdown.send_replace(true);
    }

    pub fn is_closed(&self) -> bool {
        lock(&self.shared.inner).closed
    }

    /// Resolves once [`close`](Self::close) was called: the background task selects on it.
    pub fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown_receiver();
        async move {
            let _ = rx.wait_for(|closed| *closed).await;
        }
    }

    /// `true` once [`close`](Self::close) was called, for tasks that wait on it in many places.
    pub fn shutdown_receiver(&self) -> watch::Receiver<bool> {
        self.shared.shutdown.subscribe()
    }

    pub fn closed_error(&self) -> Error {
        Error::new(
            ErrorKind::Closed,
            format!("the {} was closed", self.shared.name),
        )
    }

    fn spawn_dispatcher(&self) -> Option<mpsc::Sender<Dispatch<E>>> {
        let (tx, rx) = mpsc::channel::<Dispatch<E>>();
        // The thread holds only a weak link: it must not keep a dropped publisher alive.
        let shared = Arc::downgrade(&self.shared);
        let name = self.shared.name;
        let spawned = std::thread::Builder::new()
            .name(self.shared.thread_name.to_string())
            .spawn(move || {
                for message in rx {
                    let Some(shared) = shared.upgrade() else {
                        break;
                    };
                    let (event, only) = match &message {
                        Dispatch::Event(e) => (&**e, None),
                        Dispatch::Welcome(id, e) => (e, Some(*id)),
                    };
                    let targets: Vec<(u64, Callback<E>)> = lock(&shared.callbacks)
                        .iter()
                        .filter(|(id, (since, _))| match only {
                            Some(only) => **id == only,
                            None => event.generation() > *since,
                        })
                        .map(|(id, (_, cb))| (*id, cb.clone()))
                        .collect();
                    drop(shared);
                    for (id, callback) in targets {
                        if catch_unwind(AssertUnwindSafe(|| callback(event))).is_err() {
                            log::error!("{name}: callback {id} panicked; the panic was contained");
                        }
                    }
                }
            });
        match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                log::error!("{name}: cannot start the callback thread: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct S(u64);
    impl Generation for S {
        fn generation(&self) -> u64 {
            self.0
        }
    }

    fn welcome(s: &S) -> Option<S> {
        (s.0 > 0).then(|| s.clone())
    }

    #[test]
    fn waits_callbacks_and_close() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        assert_eq!(
            p.wait_for_change(0, Duration::from_millis(20)).unwrap(),
            None
        );
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        p.subscribe(Box::new(move |e: &S| tx.lock().unwrap().send(e.0).unwrap()));
        let p2 = p.clone();
        let t = std::thread::spawn(move || p2.wait_for_change(0, Duration::from_secs(5)).unwrap());
        p.publish(S(1), Some(S(1)));
        assert_eq!(t.join().unwrap(), Some(S(1)));
        p.publish(S(2), Some(S(2)));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 1);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 2);
        // A late subscriber gets the current state first, then only newer events.
        let (tx2, rx2) = mpsc::channel();
        let tx2 = Mutex::new(tx2);
        p.subscribe(Box::new(move |e: &S| {
            tx2.lock().unwrap().send(e.0).unwrap()
        }));
        p.publish(S(3), Some(S(3)));
        assert_eq!(rx2.recv_timeout(Duration::from_secs(5)).unwrap(), 2);
        assert_eq!(rx2.recv_timeout(Duration::from_secs(5)).unwrap(), 3);
        p.close();
        p.close();
        assert_eq!(
            p.wait_for_change(3, Duration::from_secs(1))
                .unwrap_err()
                .kind(),
            ErrorKind::Closed
        );
    }

    #[test]
    fn a_panicking_callback_does_not_stop_the_others() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        p.subscribe(Box::new(|_: &S| panic!("boom")));
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        p.subscribe(Box::new(move |e: &S| tx.lock().unwrap().send(e.0).unwrap()));
        p.publish(S(1), Some(S(1)));
        p.publish(S(2), Some(S(2)));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 1);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 2);
    }

    #[test]
    fn callbacks_may_close_the_publisher() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        let inner = p.clone();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        p.subscribe(Box::new(move |_: &S| {
            inner.close();
            tx.lock().unwrap().send(()).unwrap();
        }));
        p.publish(S(1), Some(S(1)));
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(p.is_closed());
    }

    fn change(next: Option<Next<S, S>>) -> u64 {
        match next {
            Some(Next::Change(e)) => e.0,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn next_change_walks_every_event_in_order_and_reports_falling_behind() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        let short = Duration::from_millis(20);
        assert!(p.next_change(0, short).unwrap().is_none());
        for g in 1..=3 {
            p.publish(S(g), Some(S(g)));
        }
        assert_eq!(change(p.next_change(0, short).unwrap()), 1);
        assert_eq!(change(p.next_change(1, short).unwrap()), 2);
        assert_eq!(change(p.next_change(2, short).unwrap()), 3);
        assert!(p.next_change(3, short).unwrap().is_none());
        // A generation never published (ahead of the state) gets the state back.
        match p.next_change(u64::MAX, short).unwrap() {
            Some(Next::Behind(state)) => assert_eq!(state, S(3)),
            other => panic!("{other:?}"),
        }
        // Past the log's reach: the oldest events are gone, a caller that far back resyncs.
        for g in 4..=(LOG_EVENTS as u64 + 10) {
            p.publish(S(g), Some(S(g)));
        }
        match p.next_change(1, short).unwrap() {
            Some(Next::Behind(state)) => assert_eq!(state.0, LOG_EVENTS as u64 + 10),
            other => panic!("{other:?}"),
        }
        assert_eq!(change(p.next_change(20, short).unwrap()), 21);
    }

    #[derive(Clone, Debug, PartialEq)]
    struct Heavy(u64);
    impl Generation for Heavy {
        fn generation(&self) -> u64 {
            self.0
        }
        fn weight(&self) -> usize {
            LOG_WEIGHT / 2
        }
    }

    #[test]
    fn the_log_is_bounded_by_weight_and_keeps_the_newest_event() {
        let p: Publisher<Heavy, Heavy> =
            Publisher::new(Heavy(0), |_| None, "test publisher", "test-callbacks");
        for g in 1..=5 {
            p.publish(Heavy(g), Some(Heavy(g)));
        }
        let short = Duration::from_millis(20);
        assert!(matches!(p.next_change(2, short), Ok(Some(Next::Behind(_)))));
        assert!(matches!(p.next_change(3, short), Ok(Some(Next::Change(e))) if e.0 == 4));
        assert!(matches!(p.next_change(4, short), Ok(Some(Next::Change(e))) if e.0 == 5));
    }

    #[test]
    fn a_blocked_next_change_wakes_at_once_on_a_change_and_on_close() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        let waiter = p.clone();
        let t = std::thread::spawn(move || waiter.next_change(0, Duration::from_secs(600)));
        std::thread::sleep(Duration::from_millis(50));
        p.publish(S(1), Some(S(1)));
        assert_eq!(change(t.join().unwrap().unwrap()), 1);

        let waiter = p.clone();
        let started = Instant::now();
        let t = std::thread::spawn(move || waiter.next_change(1, Duration::from_secs(600)));
        std::thread::sleep(Duration::from_millis(50));
        p.close();
        let err = t.join().unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Closed);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "woken by close, not a timeout"
        );
    }

    #[test]
    fn next_change_async_returns_events_and_ends_on_close() {
        let p: Publisher<S, S> = Publisher::new(S(0), welcome, "test publisher", "test-callbacks");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let waiter = p.clone();
        let publisher = p.clone();
        let got = rt.block_on(async move {
            let wait = tokio::spawn(async move { waiter.next_change_async(0).await });
            tokio::task::yield_now().await;
            publisher.publish(S(1), Some(S(1)));
            wait.await.unwrap()
        });
        assert!(matches!(got, Ok(Next::Change(e)) if e.0 == 1));
        let waiter = p.clone();
        let got = rt.block_on(async move {
            let wait = tokio::spawn(async move { waiter.next_change_async(1).await });
            tokio::task::yield_now().await;
            p.close();
            wait.await.unwrap()
        });
        assert_eq!(got.unwrap_err().kind(), ErrorKind::Closed);
    }
}
