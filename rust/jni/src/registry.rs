//! Native objects owned by Java live here, keyed by an id Java holds in a `long`.
//!
//! Raw pointers in Java fields crash the JVM on a double close, a use after close, or a close
//! racing a call on another thread. Ids do not: a call looks its object up (cloning the `Arc`,
//! so a concurrent close only drops the registry's share), and an unknown id is an error.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use mesos_discovery::{Error, ErrorKind, Result};

/// Shared by every registry so an id of one kind is never valid as another.
static NEXT_ID: AtomicI64 = AtomicI64::new(1);

pub struct Registry<T> {
    what: &'static str,
    entries: Mutex<BTreeMap<i64, Arc<T>>>,
}

impl<T> Registry<T> {
    pub const fn new(what: &'static str) -> Self {
        Registry {
            what,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<i64, Arc<T>>> {
        // A panic while holding this lock cannot leave the map half-updated (each operation
        // is one insert/remove/get), so a poisoned lock is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `value` and returns its id (always positive).
    pub fn insert(&self, value: T) -> i64 {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::new(value));
        id
    }

    /// The object behind `id`, or a `Closed` error naming what it was.
    pub fn get(&self, id: i64) -> Result<Arc<T>> {
        self.lock().get(&id).cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::Closed,
                format!("this {} is closed (or was never opened)", self.what),
            )
        })
    }

    /// Takes `id` out; `None` if it was already removed (closing twice is fine).
    pub fn remove(&self, id: i64) -> Option<Arc<T>> {
        self.lock().remove(&id)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_close_is_idempotent() {
        static R: Registry<String> = Registry::new("thing");
        let a = R.insert("a".into());
        let b = R.insert("b".into());
        assert!(a > 0 && b > 0 && a != b);
        assert_eq!(*R.get(a).unwrap(), "a");
        let held = R.get(b).unwrap();
        assert!(R.remove(b).is_some());
        assert!(R.remove(b).is_none());
        assert_eq!(*held, "b", "a caller inside a call keeps its object");
        let e = R.get(b).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Closed);
        assert!(e.message().contains("thing"), "{e}");
        assert_eq!(R.get(0).unwrap_err().kind(), ErrorKind::Closed);
        assert_eq!(R.get(-7).unwrap_err().kind(), ErrorKind::Closed);
        assert_eq!(R.len(), 1);
    }
}
