//! The leader detector: a handle over a `zk://` URL for one-shot reads (leader, masters) and,
//! from the first watch call on, one `LeaderWatcher` shared by waiters and subscribers.
//!
//! Callbacks go through a `Gate` (see `subscription.rs`): once
//! `mesos_discovery_detector_unsubscribe` (or `_close`, `_free`) returns, the callback is not
//! running and never runs again, so the caller may release `userdata`.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;
use std::time::Duration;

use core_api::zk::{self, DetectOptions, LeaderState, LeaderWatcher, Master, ZkUrl};
use core_api::{Error, Result};
use serde::Serialize;

use crate::error::{code_of, mesos_discovery_result};
use crate::handles::{borrow, into_handle, release, Out};
use crate::json::{self, ErrorJson};
use crate::masters::{
    masters_box, mesos_discovery_master, mesos_discovery_masters, optional_master_box,
    MasterStorage,
};
use crate::strings::{arg_str, c_string, into_raw};
use crate::subscription::{Registration, Watching};
use crate::{blocking, panic};

/// Mesos master detection for one `zk://` URL (opaque). Create with
/// `mesos_discovery_detector_new`, free with `mesos_discovery_detector_free`. Usable from many
/// threads at once.
pub struct mesos_discovery_detector {
    url: ZkUrl,
    opts: DetectOptions,
    /// The watcher (started by the first wait or subscribe) and the callbacks on it.
    watching: Watching<LeaderWatcher, LeaderCallback>,
}

/// What the detector knows about the leader at one point in time.
#[repr(C)]
pub struct mesos_discovery_leader_state {
    /// 0 before the first answer, 1 for the first answer (even "no leader"), then one more per
    /// change of leader.
    pub generation: u64,
    /// The leading master, or NULL when there is none or it cannot be known right now.
    pub leader: *const mesos_discovery_master,
    /// `MESOS_DISCOVERY_OK`, or why the leader is unknown (e.g. `MESOS_DISCOVERY_ZOOKEEPER`
    /// after the session expired, `MESOS_DISCOVERY_TIMEOUT` while ZooKeeper is unreachable).
    pub error_code: mesos_discovery_result,
    /// The message for `error_code`, or NULL when it is `MESOS_DISCOVERY_OK`.
    pub error: *const c_char,
}

/// Called on every change of the leader state, starting with the current one if known.
/// `state` (and everything it points to) is valid during the call only; never free it.
pub type mesos_discovery_leader_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, state: *const mesos_discovery_leader_state)>;

/// What a `mesos_discovery_leader_state *` really points to.
#[repr(C)]
struct StateBox {
    public: mesos_discovery_leader_state,
    leader: Option<mesos_discovery_master>,
    _storage: MasterStorage,
    _error: Option<CString>,
}

fn state_box(state: &LeaderState) -> Result<Box<StateBox>> {
    let mut storage = MasterStorage::default();
    let leader = state
        .leader
        .as_ref()
        .map(|m| storage.master(m))
        .transpose()?;
    let error = state
        .error
        .as_ref()
        .map(|e| c_string(e.message(), "the watcher's error"))
        .transpose()?;
    let mut boxed = Box::new(StateBox {
        public: mesos_discovery_leader_state {
            generation: state.generation,
            leader: std::ptr::null(),
            error_code: state
                .error
                .as_ref()
                .map_or(mesos_discovery_result::MESOS_DISCOVERY_OK, |e| {
                    code_of(e.kind())
                }),
            error: error.as_ref().map_or(std::ptr::null(), |e| e.as_ptr()),
        },
        leader,
        _storage: storage,
        _error: error,
    });
    // Point at the master inside the box, now that the box has its final address.
    boxed.public.leader = boxed
        .leader
        .as_ref()
        .map_or(std::ptr::null(), |m| m as *const _);
    Ok(boxed)
}

/// `{"generation":N,"leader":{…}|null,"error":{"kind":…,"message":…}|null}`.
#[derive(Serialize)]
struct StateJson<'a> {
    generation: u64,
    leader: Option<&'a Master>,
    error: Option<ErrorJson<'a>>,
}

fn state_json(state: &LeaderState) -> Result<String> {
    json::to_string(&StateJson {
        generation: state.generation,
        leader: state.leader.as_ref(),
        error: ErrorJson::of(state.error.as_ref()),
    })
}

/// One C leader-change registration.
type Subscription = Registration<LeaderCallback>;
type LeaderCallback = unsafe extern "C" fn(*mut c_void, *const mesos_discovery_leader_state);

impl Subscription {
    fn deliver(&self, state: &LeaderState) {
        self.gate.run(|| {
            let boxed = match state_box(state) {
                Ok(boxed) => boxed,
                // A NUL byte in the leader's data: tell the subscriber rather than skip the change.
                Err(e) => {
                    let unknown = LeaderState {
                        generation: state.generation,
                        leader: None,
                        error: Some(e),
                    };
                    match state_box(&unknown) {
                        Ok(boxed) => boxed,
                        Err(_) => return,
                    }
                }
            };
            // SAFETY: registered together by the subscriber for exactly this.
            unsafe { (self.callback)(self.userdata, &boxed.public) };
        })
    }
}

impl mesos_discovery_detector {
    fn watcher(&self) -> Result<Arc<LeaderWatcher>> {
        self.watching.get_or_start(|| {
            Ok(Arc::new(LeaderWatcher::start(
                self.url.clone(),
                self.opts.clone(),
            )?))
        })
    }

    fn wait(&self, known_generation: u64, timeout_ms: u32) -> Result<Option<LeaderState>> {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        self.watcher()?.wait_for_change(known_generation, timeout)
    }

    /// Ends watching: subscriptions end, the watcher stops and wakes its waiters.
    fn close(&self) {
        self.watching.close();
    }
}

impl Drop for mesos_discovery_detector {
    fn drop(&mut self) {
        self.close();
    }
}

fn millis_or(ms: u32, default: Duration) -> Duration {
    if ms == 0 {
        default
    } else {
        Duration::from_millis(u64::from(ms))
    }
}

/// Creates a detector for `zk_url` (`zk://[user:password@]host:port[,host:port…]/path`, as
/// Mesos takes it). `session_timeout_ms` and `connect_timeout_ms`: `0` for the defaults
/// (10 s each). Does no I/O. On success writes the handle to `*out`.
///
/// Errors: `INVALID_ARGUMENT` (NULL, not UTF-8), `CONFIG` (bad URL; the message never shows a
/// password).
///
/// # Safety
/// `zk_url` is NULL or a NUL-terminated string; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_new(
    zk_url: *const c_char,
    session_timeout_ms: u32,
    connect_timeout_ms: u32,
    out: *mut *mut mesos_discovery_detector,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let url = ZkUrl::parse(arg_str(zk_url, "zk_url")?)?;
        let defaults = DetectOptions::default();
        let opts = DetectOptions {
            session_timeout: millis_or(session_timeout_ms, defaults.session_timeout),
            connect_timeout: millis_or(connect_timeout_ms, defaults.connect_timeout),
        };
        out.write(into_handle(mesos_discovery_detector {
            url,
            opts,
            watching: Watching::new("detector"),
        }));
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Frees a detector: its watcher stops, and every callback is unsubscribed (when this returns,
/// none is running or will run again). NULL is ignored. No other thread may still be using
/// it. It may be called from one of its own callbacks.
///
/// # Safety
/// `detector` is NULL or a live detector.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_free(detector: *mut mesos_discovery_detector) {
    panic::void(|| drop(release(detector)))
}

/// Stops the detector's watching without freeing it, so other threads can be woken: calls
/// blocked in `mesos_discovery_detector_wait` return `MESOS_DISCOVERY_CLOSED`, every
/// subscription ends (as with `_unsubscribe`), and later waits and subscribes fail with
/// `MESOS_DISCOVERY_CLOSED`. One-shot reads keep working. Idempotent; the handle must still be
/// freed (after the woken threads are done with it).
///
/// # Safety
/// `detector` is NULL or a live detector.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_close(
    detector: *const mesos_discovery_detector,
) -> mesos_discovery_result {
    panic::result(|| {
        borrow(detector, "detector")?.close();
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Reads the leading master once (opens a ZooKeeper session, reads, closes it), blocking for at
/// most `timeout_ms` (`0`: the connect timeout bounds it). On success writes the leader to
/// `*out`, or NULL when no master is registered; free it with `mesos_discovery_master_free`.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_leader(
    detector: *const mesos_discovery_detector,
    timeout_ms: u32,
    out: *mut *mut mesos_discovery_master,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        let leader = blocking::run(timeout_ms, zk::leader(&d.url, &d.opts))?;
        out.write(optional_master_box(leader.as_ref())?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_detector_leader`, but writes JSON to `*out`: the master object (the
/// CLI's `leader --format json`) or `null`. Free it with `mesos_discovery_string_free`.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_leader_json(
    detector: *const mesos_discovery_detector,
    timeout_ms: u32,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        let leader = blocking::run(timeout_ms, zk::leader(&d.url, &d.opts))?;
        out.write(into_raw(json::to_string(&leader)?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Reads every registered master once, leader first, then by sequence (masters whose data
/// cannot be decoded are left out and logged). On success writes the list to `*out` (possibly
/// empty); free it with `mesos_discovery_masters_free`.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_masters(
    detector: *const mesos_discovery_detector,
    timeout_ms: u32,
    out: *mut *mut mesos_discovery_masters,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        let all = blocking::run(timeout_ms, zk::masters(&d.url, &d.opts))?;
        out.write(masters_box(&all)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_detector_masters`, but writes a JSON array of masters to `*out`.
/// Free it with `mesos_discovery_string_free`.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_masters_json(
    detector: *const mesos_discovery_detector,
    timeout_ms: u32,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        let all = blocking::run(timeout_ms, zk::masters(&d.url, &d.opts))?;
        out.write(into_raw(json::to_string(&all)?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Blocks until the detector's leader state has a generation other than `known_generation`
/// (0 the first time; then the last generation seen), or `timeout_ms` passes (`0`: do not
/// block). On a change writes the new state to `*out`; free it with
/// `mesos_discovery_leader_state_free`. On timeout returns `MESOS_DISCOVERY_UNCHANGED` and
/// writes nothing. The first watch call starts the detector's watcher (one ZooKeeper session
/// for all waiters and subscribers). Pass `UINT64_MAX` to get the current state at once.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_wait(
    detector: *const mesos_discovery_detector,
    known_generation: u64,
    timeout_ms: u32,
    out: *mut *mut mesos_discovery_leader_state,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        match d.wait(known_generation, timeout_ms)? {
            None => Ok(mesos_discovery_result::MESOS_DISCOVERY_UNCHANGED),
            Some(state) => {
                out.write(Box::into_raw(state_box(&state)?).cast());
                Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
            }
        }
    })
}

/// Like `mesos_discovery_detector_wait`, but writes the state as JSON to `*out`:
/// `{"generation":N,"leader":{…}|null,"error":{"kind":…,"message":…}|null}`. Free it with
/// `mesos_discovery_string_free`.
///
/// # Safety
/// `detector` is NULL or a live detector; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_wait_json(
    detector: *const mesos_discovery_detector,
    known_generation: u64,
    timeout_ms: u32,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let d = borrow(detector, "detector")?;
        match d.wait(known_generation, timeout_ms)? {
            None => Ok(mesos_discovery_result::MESOS_DISCOVERY_UNCHANGED),
            Some(state) => {
                out.write(into_raw(state_json(&state)?)?);
                Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
            }
        }
    })
}

/// Frees a state returned by `mesos_discovery_detector_wait`. NULL is ignored. (The state a
/// callback receives is not the callback's: never free it.)
///
/// # Safety
/// `state` is NULL or a state returned by `mesos_discovery_detector_wait`, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_leader_state_free(
    state: *mut mesos_discovery_leader_state,
) {
    panic::void(|| drop(release(state.cast::<StateBox>())))
}

/// Calls `callback(userdata, state)` with the current leader state (when one is known) and then
/// on every change, starting the detector's watcher if needed. On success writes the
/// subscription id to `*out_id`; the first call comes after that write.
///
/// The callback runs on the detector's callback thread, never on the caller's; calls are made
/// one at a time, in generation order. It may call any function of this library, including
/// `mesos_discovery_detector_unsubscribe` and `mesos_discovery_detector_free` for its own
/// detector, but should return quickly (it delays the next notifications). It must not unwind.
///
/// # Safety
/// `detector` is NULL or a live detector; `callback` may be called from another thread with
/// `userdata` until unsubscribed; `out_id` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_subscribe(
    detector: *const mesos_discovery_detector,
    callback: mesos_discovery_leader_callback,
    userdata: *mut c_void,
    out_id: *mut u64,
) -> mesos_discovery_result {
    panic::result(|| {
        let out_id = Out::new(out_id, "out_id")?;
        let d = borrow(detector, "detector")?;
        let callback = callback.ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        let sub = Subscription::new(callback, userdata);
        let watcher = d.watcher()?;
        d.watching.subscribe(
            &watcher,
            sub,
            |w, sub| w.subscribe(Box::new(move |state| sub.deliver(state))),
            |id| out_id.write(id),
        )?;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Ends a subscription. When this returns, its callback is not running and will not be called
/// again, so `userdata` may be released (called from inside a callback, it cannot wait for that
/// callback itself: the guarantee then starts when the callback returns). Errors: `NOT_FOUND`
/// for an id this detector does not know (already unsubscribed).
///
/// # Safety
/// `detector` is NULL or a live detector.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_detector_unsubscribe(
    detector: *const mesos_discovery_detector,
    id: u64,
) -> mesos_discovery_result {
    panic::result(|| {
        let d = borrow(detector, "detector")?;
        d.watching.unsubscribe(id)?;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::mesos_discovery_result as R;
    use core_api::ErrorKind;
    use std::ffi::CStr;

    fn new(url: &CStr) -> (R, *mut mesos_discovery_detector) {
        let mut out = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_detector_new(url.as_ptr(), 0, 0, &mut out) };
        (rc, out)
    }

    #[test]
    fn bad_urls_are_config_errors_and_never_show_the_password() {
        let (rc, out) = new(c"http://127.0.0.1:2181/mesos");
        assert_eq!(rc, R::MESOS_DISCOVERY_CONFIG);
        assert!(out.is_null());
        let (rc, _) = new(c"zk://user:hunter2@127.0.0.1:notaport/mesos");
        assert_eq!(rc, R::MESOS_DISCOVERY_CONFIG);
        let msg = unsafe { CStr::from_ptr(crate::error::mesos_discovery_last_error()) };
        assert!(!msg.to_str().unwrap().contains("hunter2"), "{msg:?}");
        let rc = unsafe {
            mesos_discovery_detector_new(std::ptr::null(), 0, 0, &mut std::ptr::null_mut())
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
    }

    #[test]
    fn unreachable_zookeeper_times_out_and_waits_report_unchanged() {
        let (rc, d) = new(c"zk://127.0.0.1:1/mesos");
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        let mut master = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_detector_leader(d, 200, &mut master) };
        assert!(
            matches!(rc, R::MESOS_DISCOVERY_TIMEOUT | R::MESOS_DISCOVERY_NETWORK),
            "{rc:?}"
        );
        assert!(master.is_null());
        let mut state = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_detector_wait(d, 0, 50, &mut state) };
        assert_eq!(rc, R::MESOS_DISCOVERY_UNCHANGED);
        assert!(state.is_null());
        let rc = unsafe { mesos_discovery_detector_wait(d, u64::MAX, 0, &mut state) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        assert_eq!(unsafe { (*state).generation }, 0);
        unsafe { mesos_discovery_leader_state_free(state) };
        assert_eq!(
            unsafe { mesos_discovery_detector_unsubscribe(d, 99) },
            R::MESOS_DISCOVERY_NOT_FOUND
        );
        unsafe { mesos_discovery_detector_free(d) };
        unsafe { mesos_discovery_detector_free(std::ptr::null_mut()) };
    }

    #[test]
    fn states_convert_with_leader_and_error() {
        let state = LeaderState {
            generation: 4,
            leader: Some(crate::masters::tests::sample(7, true)),
            error: None,
        };
        let boxed = state_box(&state).unwrap();
        assert_eq!(boxed.public.generation, 4);
        assert_eq!(unsafe { (*boxed.public.leader).sequence }, 7);
        assert_eq!(boxed.public.error_code, R::MESOS_DISCOVERY_OK);
        assert!(boxed.public.error.is_null());
        let lost = LeaderState {
            generation: 5,
            leader: None,
            error: Some(Error::new(ErrorKind::ZooKeeper, "session expired")),
        };
        let boxed = state_box(&lost).unwrap();
        assert!(boxed.public.leader.is_null());
        assert_eq!(boxed.public.error_code, R::MESOS_DISCOVERY_ZOOKEEPER);
        let msg = unsafe { CStr::from_ptr(boxed.public.error) };
        assert_eq!(msg.to_str().unwrap(), "session expired");
        let j: serde_json::Value = serde_json::from_str(&state_json(&lost).unwrap()).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"generation":5,"leader":null,"error":{"kind":"zookeeper","message":"session expired"}})
        );
    }
}
