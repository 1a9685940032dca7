//! Result codes and the per-thread last-error message.
//!
//! The numbers are part of the ABI: never renumber or reuse one. Codes 1–11 are the core's
//! `ErrorKind`s, one to one (the match in [`code_of`] is exhaustive over the kinds we know and
//! maps anything newer to `Internal` until it gets its own number here).

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};

use core_api::{Error, ErrorKind};

/// What a call did. Every fallible function returns one; out-parameters are written only with
/// `MESOS_DISCOVERY_OK`. Values are fixed forever and never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum mesos_discovery_result {
    /// Success; out-parameters written.
    MESOS_DISCOVERY_OK = 0,
    /// NULL where a value is required, bad UTF-8, bad enum value.
    MESOS_DISCOVERY_INVALID_ARGUMENT = 1,
    /// A configuration key or value is wrong (unknown key, bad number, bad URL, bad zk:// URL).
    MESOS_DISCOVERY_CONFIG = 2,
    /// An endpoint could not be reached (refused, reset, DNS, TLS).
    MESOS_DISCOVERY_NETWORK = 3,
    /// The call's timeout or the configured deadline passed before an answer.
    MESOS_DISCOVERY_TIMEOUT = 4,
    /// Credentials refused (HTTP 401/403, ZooKeeper auth).
    MESOS_DISCOVERY_AUTH = 5,
    /// What was asked for does not exist (apps, ZooKeeper path, subscription id).
    MESOS_DISCOVERY_NOT_FOUND = 6,
    /// An answer could not be understood (bad JSON/protobuf, too large, NUL in a string).
    MESOS_DISCOVERY_PROTOCOL = 7,
    /// The service cannot serve now (HTTP 5xx, no Marathon leader).
    MESOS_DISCOVERY_UNAVAILABLE = 8,
    /// Other ZooKeeper failure (session expired, connection loss).
    MESOS_DISCOVERY_ZOOKEEPER = 9,
    /// The operation's owner was closed.
    MESOS_DISCOVERY_CLOSED = 10,
    /// A bug in the library, reported instead of crashing.
    MESOS_DISCOVERY_INTERNAL = 11,
    /// A Rust panic was caught at the boundary.
    MESOS_DISCOVERY_PANIC = 12,
    /// Not a failure: a `_wait` call's timeout passed with nothing changed.
    MESOS_DISCOVERY_UNCHANGED = 13,
}

use mesos_discovery_result as R;

/// Every code with its stable name, in numeric order (index == value).
const NAMES: [(R, &CStr); 14] = [
    (R::MESOS_DISCOVERY_OK, c"ok"),
    (R::MESOS_DISCOVERY_INVALID_ARGUMENT, c"invalid_argument"),
    (R::MESOS_DISCOVERY_CONFIG, c"config"),
    (R::MESOS_DISCOVERY_NETWORK, c"network"),
    (R::MESOS_DISCOVERY_TIMEOUT, c"timeout"),
    (R::MESOS_DISCOVERY_AUTH, c"auth"),
    (R::MESOS_DISCOVERY_NOT_FOUND, c"not_found"),
    (R::MESOS_DISCOVERY_PROTOCOL, c"protocol"),
    (R::MESOS_DISCOVERY_UNAVAILABLE, c"unavailable"),
    (R::MESOS_DISCOVERY_ZOOKEEPER, c"zookeeper"),
    (R::MESOS_DISCOVERY_CLOSED, c"closed"),
    (R::MESOS_DISCOVERY_INTERNAL, c"internal"),
    (R::MESOS_DISCOVERY_PANIC, c"panic"),
    (R::MESOS_DISCOVERY_UNCHANGED, c"unchanged"),
];

/// The result code for a core error kind.
pub(crate) fn code_of(kind: ErrorKind) -> R {
    match kind {
        ErrorKind::InvalidArgument => R::MESOS_DISCOVERY_INVALID_ARGUMENT,
        ErrorKind::Config => R::MESOS_DISCOVERY_CONFIG,
        ErrorKind::Network => R::MESOS_DISCOVERY_NETWORK,
        ErrorKind::Timeout => R::MESOS_DISCOVERY_TIMEOUT,
        ErrorKind::Auth => R::MESOS_DISCOVERY_AUTH,
        ErrorKind::NotFound => R::MESOS_DISCOVERY_NOT_FOUND,
        ErrorKind::Protocol => R::MESOS_DISCOVERY_PROTOCOL,
        ErrorKind::Unavailable => R::MESOS_DISCOVERY_UNAVAILABLE,
        ErrorKind::ZooKeeper => R::MESOS_DISCOVERY_ZOOKEEPER,
        ErrorKind::Closed => R::MESOS_DISCOVERY_CLOSED,
        ErrorKind::Internal => R::MESOS_DISCOVERY_INTERNAL,
        // `ErrorKind` is non-exhaustive: a kind added to the core without a code here is
        // still reported (as internal) until it gets its own number.
        #[allow(unreachable_patterns)]
        _ => R::MESOS_DISCOVERY_INTERNAL,
    }
}

/// The stable lowercase name of a code (`"ok"`, `"invalid_argument"`, …), or `"unknown"`.
/// Static: never free it.
#[no_mangle]
pub extern "C" fn mesos_discovery_result_name(code: i32) -> *const c_char {
    crate::panic::value(c"unknown".as_ptr(), || {
        usize::try_from(code)
            .ok()
            .and_then(|i| NAMES.get(i))
            .map_or(c"unknown", |(_, name)| *name)
            .as_ptr()
    })
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records the outcome of a fallible call for `mesos_discovery_last_error`.
pub(crate) fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // `try_with`: during thread teardown the slot may be gone; nothing to record then.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = text;
        }
    });
}

/// Clears the message after a successful call.
pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if !slot.as_bytes().is_empty() {
                *slot = CString::default();
            }
        }
    });
}

/// Reports `error`: records its message, returns its code.
pub(crate) fn fail(error: &Error) -> R {
    set_last_error(error.message());
    code_of(error.kind())
}

/// The message of the most recent call on this thread that returned a result code: the error
/// text after a failure, `""` after a success. Valid until the next such call on this thread;
/// do not free it.
#[no_mangle]
pub extern "C" fn mesos_discovery_last_error() -> *const c_char {
    crate::panic::value(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| match slot.try_borrow() {
                // The CString's heap buffer does not move while it stays in the slot.
                Ok(text) => text.as_ptr(),
                Err(_) => c"".as_ptr(),
            })
            .unwrap_or(c"".as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_indexed_by_value() {
        for (i, (code, name)) in NAMES.iter().enumerate() {
            assert_eq!(*code as i32, i as i32);
            let got = unsafe { CStr::from_ptr(mesos_discovery_result_name(i as i32)) };
            assert_eq!(got, *name);
        }
        for bad in [-1, 14, i32::MAX] {
            let got = unsafe { CStr::from_ptr(mesos_discovery_result_name(bad)) };
            assert_eq!(got, c"unknown");
        }
    }

    #[test]
    fn kinds_map_to_codes_with_the_same_name() {
        let kinds = [
            ErrorKind::InvalidArgument,
            ErrorKind::Config,
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::Auth,
            ErrorKind::NotFound,
            ErrorKind::Protocol,
            ErrorKind::Unavailable,
            ErrorKind::ZooKeeper,
            ErrorKind::Closed,
            ErrorKind::Internal,
        ];
        let mut seen = std::collections::HashSet::new();
        for kind in kinds {
            let code = code_of(kind);
            assert!(seen.insert(code as i32), "{kind:?} shares a code");
            let name = unsafe { CStr::from_ptr(mesos_discovery_result_name(code as i32)) };
            assert_eq!(name.to_str().unwrap(), kind.as_str());
        }
    }

    #[test]
    fn last_error_is_per_thread_and_cleared_by_success() {
        fail(&Error::config("KEY=\"x\": bad"));
        let here = unsafe { CStr::from_ptr(mesos_discovery_last_error()) };
        assert_eq!(here.to_str().unwrap(), "KEY=\"x\": bad");
        std::thread::spawn(|| {
            let there = unsafe { CStr::from_ptr(mesos_discovery_last_error()) };
            assert_eq!(there.to_bytes(), b"");
        })
        .join()
        .unwrap();
        clear_last_error();
        let here = unsafe { CStr::from_ptr(mesos_discovery_last_error()) };
        assert_eq!(here.to_bytes(), b"");
    }
}
