//! Handles and out-parameters: the only places raw pointers from C are turned into Rust
//! references or written through.

use std::sync::{Mutex, MutexGuard};

use core_api::{Error, Result};

/// Locks a handle's mutex. The data behind these mutexes is replaced whole, never left half
/// updated, so a poisoned one (a panic elsewhere while it was held) is still consistent: go on.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Borrows the object behind a handle. NULL is an invalid argument named `what`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by [`into_handle`].
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, what: &str) -> Result<&'a T> {
    ptr.as_ref()
        .ok_or_else(|| Error::invalid_argument(format!("{what} is NULL")))
}

/// Moves `value` to the heap and hands it to C.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes a handle back from C; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a handle made by [`into_handle`] with the same `T`, not yet released.
pub(crate) unsafe fn release<T>(ptr: *mut T) -> Option<Box<T>> {
    (!ptr.is_null()).then(|| Box::from_raw(ptr))
}

/// An out-parameter checked before any work is done and written only on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// NULL is an invalid argument named `what`.
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Out<T>> {
        if ptr.is_null() {
            Err(Error::invalid_argument(format!("{what} is NULL")))
        } else {
            Ok(Out(ptr))
        }
    }

    /// Writes the value (the caller has succeeded).
    ///
    /// # Safety
    /// The pointer given to [`Out::new`] is valid for writes of a `T`.
    pub(crate) unsafe fn write(self, value: T) {
        self.0.write(value)
    }
}
