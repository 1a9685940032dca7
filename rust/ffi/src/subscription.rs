//! What C callbacks need on top of the core's publisher, shared by the detector's leader
//! callbacks and the client's member-change callbacks.
//!
//! The core calls subscribers on a watcher's own callback thread and lets a call in flight
//! finish after `unsubscribe`. A [`Gate`] adds the C guarantee: once `_unsubscribe`, `_close`
//! or `_free` returns, the callback is not running and never runs again, so the caller may
//! release `userdata`; and the first call waits until `_subscribe` has written the id.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

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
