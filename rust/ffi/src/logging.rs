//! The library's log lines, delivered to a C callback. Off until `mesos_discovery_set_logger`;
//! the library never writes to stdout or stderr itself.
//!
//! The core logs through the `log` facade; the first `set_logger` installs [`Forwarder`] as
//! the facade's logger (our copy of `log` is private to the shared library) and `max_level`
//! gates records before they are formatted.

use std::cell::Cell;
use std::ffi::{c_char, c_void, CString};
use std::sync::{Once, RwLock};

use core_api::Error;
use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::error::mesos_discovery_result;
use crate::panic;

/// Receives one log line: `level` is `MESOS_DISCOVERY_LOG_ERROR` … `_TRACE`; `target` (the
/// Rust module, e.g. `mesos_discovery::marathon`) and `message` are NUL-terminated UTF-8 valid
/// during the call only. Runs on whichever thread logged, possibly on several at once.
pub type mesos_discovery_log_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        level: u32,
        target: *const c_char,
        message: *const c_char,
    ),
>;

/// Log level: nothing.
pub const MESOS_DISCOVERY_LOG_OFF: u32 = 0;
pub const MESOS_DISCOVERY_LOG_ERROR: u32 = 1;
pub const MESOS_DISCOVERY_LOG_WARN: u32 = 2;
pub const MESOS_DISCOVERY_LOG_INFO: u32 = 3;
pub const MESOS_DISCOVERY_LOG_DEBUG: u32 = 4;
pub const MESOS_DISCOVERY_LOG_TRACE: u32 = 5;

struct Sink {
    callback: unsafe extern "C" fn(*mut c_void, u32, *const c_char, *const c_char),
    userdata: *mut c_void,
}

// SAFETY: the caller of `mesos_discovery_set_logger` promises the callback may be called from
// any thread with this userdata (documented contract).
unsafe impl Send for Sink {}
unsafe impl Sync for Sink {}

static SINK: RwLock<Option<Sink>> = RwLock::new(None);
static INSTALL: Once = Once::new();

thread_local! {
    /// Set while this thread runs the log callback: nested log lines are dropped and
    /// `set_logger` is refused (it would wait for itself).
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

struct Forwarder;

fn level_number(level: Level) -> u32 {
    match level {
        Level::Error => MESOS_DISCOVERY_LOG_ERROR,
        Level::Warn => MESOS_DISCOVERY_LOG_WARN,
        Level::Info => MESOS_DISCOVERY_LOG_INFO,
        Level::Debug => MESOS_DISCOVERY_LOG_DEBUG,
        Level::Trace => MESOS_DISCOVERY_LOG_TRACE,
    }
}

fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

impl Log for Forwarder {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) || IN_CALLBACK.with(Cell::get) {
            return;
        }
        let sink = SINK.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(sink) = sink.as_ref() else { return };
        let target = c_text(record.target());
        let message = c_text(&record.args().to_string());
        IN_CALLBACK.with(|flag| flag.set(true));
        // SAFETY: the callback and userdata were registered together for calls like this one.
        unsafe {
            (sink.callback)(
                sink.userdata,
                level_number(record.level()),
                target.as_ptr(),
                message.as_ptr(),
            )
        };
        IN_CALLBACK.with(|flag| flag.set(false));
    }

    fn flush(&self) {}
}

static FORWARDER: Forwarder = Forwarder;

/// Sends the library's log lines up to `max_level` (`MESOS_DISCOVERY_LOG_ERROR` …
/// `_TRACE`) to `callback` with `userdata`; `callback == NULL` or `MESOS_DISCOVERY_LOG_OFF`
/// turns logging off. When this returns, the previous callback is not running and will not be
/// called again. Errors: `INVALID_ARGUMENT` for a level above `_TRACE`, or when called from
/// inside the log callback; `INTERNAL` if the log facade could not be claimed.
///
/// # Safety
/// `callback` is NULL or a function that may be called from any thread, at the same time on
/// several, with `userdata`, until logging is turned off or replaced; it must not unwind.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_set_logger(
    callback: mesos_discovery_log_callback,
    userdata: *mut c_void,
    max_level: u32,
) -> mesos_discovery_result {
    panic::result(|| {
        if IN_CALLBACK.with(Cell::get) {
            return Err(Error::invalid_argument(
                "mesos_discovery_set_logger was called from inside the log callback",
            ));
        }
        let filter = match max_level {
            MESOS_DISCOVERY_LOG_OFF => LevelFilter::Off,
            MESOS_DISCOVERY_LOG_ERROR => LevelFilter::Error,
            MESOS_DISCOVERY_LOG_WARN => LevelFilter::Warn,
            MESOS_DISCOVERY_LOG_INFO => LevelFilter::Info,
            MESOS_DISCOVERY_LOG_DEBUG => LevelFilter::Debug,
            MESOS_DISCOVERY_LOG_TRACE => LevelFilter::Trace,
            other => {
                return Err(Error::invalid_argument(format!(
                    "max_level {other} is not a MESOS_DISCOVERY_LOG_* level (0 to 5)"
                )))
            }
        };
        let mut claimed = Ok(());
        INSTALL.call_once(|| claimed = log::set_logger(&FORWARDER));
        claimed.map_err(|e| Error::internal(format!("could not install the logger: {e}")))?;
        let sink = callback.map(|callback| Sink { callback, userdata });
        let filter = if sink.is_some() {
            filter
        } else {
            LevelFilter::Off
        };
        // Taking the write lock waits for every callback in flight.
        let mut slot = SINK
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        log::set_max_level(filter);
        *slot = sink;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::mesos_discovery_result as R;
    use std::ffi::CStr;
    use std::sync::Mutex;

    static LINES: Mutex<Vec<(u32, String, String)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn collect(
        _userdata: *mut c_void,
        level: u32,
        target: *const c_char,
        message: *const c_char,
    ) {
        let target = CStr::from_ptr(target).to_string_lossy().into_owned();
        let message = CStr::from_ptr(message).to_string_lossy().into_owned();
        // Nested lines are dropped, and re-configuring from here is refused.
        log::error!("nested");
        let rc = mesos_discovery_set_logger(None, std::ptr::null_mut(), 0);
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        LINES.lock().unwrap().push((level, target, message));
    }

    /// One test owns the process-wide logger, start to end.
    #[test]
    fn lines_reach_the_callback_up_to_the_level_and_stop_when_off() {
        log::warn!(target: "t", "before any logger");
        let rc = unsafe { mesos_discovery_set_logger(Some(collect), std::ptr::null_mut(), 3) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        log::info!(target: "t", "info {}", 1);
        log::debug!(target: "t", "debug is above the level");
        let rc = unsafe { mesos_discovery_set_logger(Some(collect), std::ptr::null_mut(), 6) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc = unsafe { mesos_discovery_set_logger(None, std::ptr::null_mut(), 5) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        log::error!(target: "t", "after off");
        // Other tests in this binary may log concurrently (target "mesos_discovery::panic").
        let lines: Vec<_> = LINES
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.1 == "t")
            .cloned()
            .collect();
        assert_eq!(lines, vec![(3, "t".to_string(), "info 1".to_string())]);
    }
}
