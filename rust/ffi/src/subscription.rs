//! What C callbacks need on top of the core's publisher, shared by the detector's leader
//! callbacks and the client's member-change callbacks.
//!
//! The core calls subscribers on a watcher's own callback thread and lets a call in flight
//! finish after `unsubscribe`. A [`Gate`] adds the C guarantee: once `_unsubscribe`, `_close`
//! or `_free` returns, the callback is not running and never runs again, so the caller may
//! release `userdata`; and the first call waits until `_subscribe` has written the id.

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use core_api::{Error, ErrorKind, Result};

use crate::handles::lock;

thread_local! {
    /// How many of this library's callbacks this thread is running (0: none).
    static IN_CALLBACK: Cell<usize> = const { Cell::new(0) };
}

/// One registration's on/off switch, held while its callback runs.
pub(crate) struct Gate {
    active: AtomicBool,
    /// Held while the callback runs, so deactivation can wait for it.
    running: Mutex<()>,
}

/// Leaves the "inside a callback" mark even if the callback panicked through us.
struct Mark;

impl Mark {
    fn enter() -> Mark {
        let _ = IN_CALLBACK.try_with(|c| c.set(c.get() + 1));
        Mark
    }
}

impl Drop for Mark {
    fn drop(&mut self) {
        let _ = IN_CALLBACK.try_with(|c| c.set(c.get().saturating_sub(1)));
    }
}

impl Gate {
    pub(crate) fn new() -> Gate {
        Gate {
            active: AtomicBool::new(true),
            running: Mutex::new(()),
        }
    }

    /// Holds back the first call (taken by `_subscribe` until it has written the id).
    pub(crate) fn hold(&self) -> MutexGuard<'_, ()> {
        lock(&self.running)
    }

    /// Runs `call` unless deactivated, marked as "inside a callback" for this thread.
    pub(crate) fn run(&self, call: impl FnOnce()) {
        let _running = lock(&self.running);
        if !self.active.load(Ordering::SeqCst) {
            return;
        }
        let _mark = Mark::enter();
        call();
    }

    /// After this returns the callback is not running and will not be called again — unless
    /// this thread is itself inside one of the library's callbacks: it cannot wait for itself
    /// (nor, without risking a deadlock, for another callback thread), so the guarantee then
    /// starts when that callback returns.
    pub(crate) fn deactivate(&self) {
        self.active.store(false, Ordering::SeqCst);
        if IN_CALLBACK.try_with(Cell::get).unwrap_or(0) == 0 {
            drop(lock(&self.running));
        }
    }
}

/// The parts of a core watcher a handle needs to manage C subscriptions on it.
pub(crate) trait CoreWatcher: Send + Sync {
    fn unsubscribe(&self, id: u64) -> bool;
    fn close(&self);
}

impl CoreWatcher for core_api::zk::LeaderWatcher {
    fn unsubscribe(&self, id: u64) -> bool {
        self.unsubscribe(id)
    }
    fn close(&self) {
        self.close()
    }
}

impl CoreWatcher for core_api::Membership {
    fn unsubscribe(&self, id: u64) -> bool {
        self.unsubscribe(id)
    }
    fn close(&self) {
        self.close()
    }
}

/// One C callback registration: the callback (`C`, a function pointer or an enum of them),
/// the caller's `userdata`, and the [`Gate`] that switches it off.
pub(crate) struct Registration<C> {
    pub(crate) callback: C,
    pub(crate) userdata: *mut c_void,
    pub(crate) gate: Gate,
}

// SAFETY: the subscriber promises the callback may run on the library's callback thread with
// this userdata (the documented contract); the library never touches userdata itself.
unsafe impl<C: Send> Send for Registration<C> {}
unsafe impl<C: Sync> Sync for Registration<C> {}

impl<C> Registration<C> {
    pub(crate) fn new(callback: C, userdata: *mut c_void) -> Arc<Self> {
        Arc::new(Registration {
            callback,
            userdata,
            gate: Gate::new(),
        })
    }
}

/// A handle's watcher (started on first use, lives until the handle is closed or freed) and the
/// C subscriptions on it — the same for the detector (leader) and the client (members).
pub(crate) struct Watching<W, C> {
    watcher: Mutex<Option<Arc<W>>>,
    subscriptions: Mutex<HashMap<u64, Arc<Registration<C>>>>,
    /// Set under the `watcher` lock by `close`, so no watcher starts after it.
    closed: AtomicBool,
    /// `client` or `detector`, for messages.
    handle: &'static str,
}

impl<W: CoreWatcher, C> Watching<W, C> {
    pub(crate) fn new(handle: &'static str) -> Self {
        Watching {
            watcher: Mutex::new(None),
            subscriptions: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            handle,
        }
    }

    fn closed_error(&self) -> Error {
        Error::new(
            ErrorKind::Closed,
            format!(
                "the {h} was closed (mesos_discovery_{h}_close)",
                h = self.handle
            ),
        )
    }

    /// The watcher, started by `start` on first use.
    pub(crate) fn get_or_start(&self, start: impl FnOnce() -> Result<Arc<W>>) -> Result<Arc<W>> {
        let mut slot = lock(&self.watcher);
        if self.closed.load(Ordering::SeqCst) {
            return Err(self.closed_error());
        }
        if let Some(watcher) = slot.as_ref() {
            return Ok(watcher.clone());
        }
        let watcher = start()?;
        *slot = Some(watcher.clone());
        Ok(watcher)
    }

    /// The watcher if one runs (never starts one).
    pub(crate) fn current(&self) -> Option<Arc<W>> {
        lock(&self.watcher).clone()
    }

    /// Registers `sub` with the core (through `core_subscribe`) and hands its id to `write_id`
    /// before the first call can run, so a callback always runs after its subscriber knows
    /// the id (and can unsubscribe from inside it).
    pub(crate) fn subscribe(
        &self,
        watcher: &W,
        sub: Arc<Registration<C>>,
        core_subscribe: impl FnOnce(&W, Arc<Registration<C>>) -> u64,
        write_id: impl FnOnce(u64),
    ) -> Result<()> {
        // Hold the map while subscribing, so an unsubscribe cannot look for the id too early;
        // `close` drains the map under the same lock, so check it again here.
        let mut subs = lock(&self.subscriptions);
        if self.closed.load(Ordering::SeqCst) {
            return Err(self.closed_error());
        }
        let gate = sub.gate.hold();
        let id = core_subscribe(watcher, sub.clone());
        subs.insert(id, sub.clone());
        drop(subs);
        write_id(id);
        drop(gate);
        Ok(())
    }

    /// Ends subscription `id`: once this returns its callback is not running and never runs
    /// again (see [`Gate::deactivate`]).
    pub(crate) fn unsubscribe(&self, id: u64) -> Result<()> {
        let sub = lock(&self.subscriptions).remove(&id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("no subscription {id} on this {}", self.handle),
            )
        })?;
        if let Some(watcher) = self.current() {
            watcher.unsubscribe(id);
        }
        sub.gate.deactivate();
        Ok(())
    }

    /// Ends watching: subscriptions end, the watcher stops and wakes its waiters with a
    /// `Closed` error. Idempotent.
    pub(crate) fn close(&self) {
        {
            let slot = lock(&self.watcher);
            self.closed.store(true, Ordering::SeqCst);
            if let Some(watcher) = slot.as_ref() {
                watcher.close();
            }
        }
        let subs: Vec<_> = lock(&self.subscriptions).drain().map(|(_, s)| s).collect();
        for sub in subs {
            sub.gate.deactivate();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn deactivate_waits_for_a_running_call_and_stops_later_ones() {
        let gate = Arc::new(Gate::new());
        let calls = Arc::new(AtomicUsize::new(0));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let runner = {
            let (gate, calls) = (gate.clone(), calls.clone());
            std::thread::spawn(move || {
                gate.run(|| {
                    started_tx.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(200));
                    calls.fetch_add(1, Ordering::SeqCst);
                })
            })
        };
        started_rx.recv().unwrap();
        gate.deactivate();
        // The running call finished before deactivate returned.
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        gate.run(|| {
            calls.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        runner.join().unwrap();
    }

    #[test]
    fn deactivating_from_inside_a_callback_does_not_deadlock() {
        let gate = Gate::new();
        let mut ran = false;
        gate.run(|| {
            gate.deactivate();
            ran = true;
        });
        assert!(ran);
        assert_eq!(IN_CALLBACK.with(Cell::get), 0);
        let mut again = false;
        gate.run(|| again = true);
        assert!(!again);
    }
}
