//! The panic boundary: every exported function runs its body through [`result`], [`value`]
//! or [`void`], so a Rust panic never unwinds into C.
//!
//! The first entry also replaces the panic hook of this library's copy of std (private to the
//! shared library) with one that sends the message to the log callback instead of stderr:
//! the library prints nothing by itself.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use core_api::Error;

use crate::error::{clear_last_error, fail, mesos_discovery_result, set_last_error};

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log::error!(target: "mesos_discovery::panic", "{info}");
        }));
    });
}

fn describe(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("internal error: a panic was caught at the C boundary: {what}")
}

/// What a fallible body reports besides an error: plain success, or "nothing changed".
pub(crate) type Outcome = Result<mesos_discovery_result, Error>;

/// Runs a fallible body: `Ok(code)` clears the thread's last error and returns `code`; an error
/// records its message and returns its code; a panic returns `MESOS_DISCOVERY_PANIC`.
pub(crate) fn result(body: impl FnOnce() -> Outcome) -> mesos_discovery_result {
    install_hook();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) => {
            clear_last_error();
            code
        }
        Ok(Err(error)) => fail(&error),
        Err(payload) => {
            // Dropping the payload could itself panic (a panicking Drop): contain that too.
            let message = describe(&*payload);
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            set_last_error(&message);
            mesos_discovery_result::MESOS_DISCOVERY_PANIC
        }
    }
}

/// Runs an infallible body returning a value; a panic returns `fallback`.
pub(crate) fn value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    install_hook();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(payload) => {
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            fallback
        }
    }
}

/// Runs a body returning nothing (the `_free` functions); a panic is swallowed (and logged).
pub(crate) fn void(body: impl FnOnce()) {
    value((), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesos_discovery_result as R;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_the_panic_code_and_a_message() {
        let code = result(|| panic!("boom {}", 42));
        assert_eq!(code, R::MESOS_DISCOVERY_PANIC);
        let msg = unsafe { CStr::from_ptr(crate::error::mesos_discovery_last_error()) };
        assert!(msg.to_str().unwrap().ends_with("boom 42"), "{msg:?}");
        assert_eq!(value(7, || panic!("static str")), 7);
        void(|| panic!("in free"));
    }

    #[test]
    fn errors_and_success_pass_through() {
        let code = result(|| Err(Error::config("K: bad")));
        assert_eq!(code, R::MESOS_DISCOVERY_CONFIG);
        let code = result(|| Ok(R::MESOS_DISCOVERY_UNCHANGED));
        assert_eq!(code, R::MESOS_DISCOVERY_UNCHANGED);
        let msg = unsafe { CStr::from_ptr(crate::error::mesos_discovery_last_error()) };
        assert_eq!(msg.to_bytes(), b"");
    }
}
