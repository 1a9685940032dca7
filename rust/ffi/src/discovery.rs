//! The discovery client: a handle over the core's `Discoverer` (one-shot discovery) and, from
//! the first wait on, its `MembershipWatcher`; members as C structs or JSON.

use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use core_api::discovery::Discoverer;
use core_api::watch::{MembershipState, MembershipWatcher};
use core_api::{Config, Discovery, EnvOverlay, Error, ErrorKind, Member, Result};
use serde::Serialize;

use crate::error::mesos_discovery_result;
use crate::handles::{borrow, into_handle, lock, release, Out};
use crate::json::{self, ErrorJson};
use crate::strings::{arg_str, into_raw, Arena};
use crate::{blocking, panic};

/// Member discovery for one configuration (opaque). Create with `mesos_discovery_client_new`,
/// free with `mesos_discovery_client_free`. Usable from many threads at once; it keeps its
/// HTTP connections between calls.
pub struct mesos_discovery_client {
    discoverer: Discoverer,
    /// Started by the first wait; lives until the handle is closed or freed.
    watcher: Mutex<Option<Arc<MembershipWatcher>>>,
    /// Set (under the `watcher` lock) by `mesos_discovery_client_close`.
    closed: AtomicBool,
}

impl mesos_discovery_client {
    fn watcher(&self) -> Result<Arc<MembershipWatcher>> {
        let mut slot = lock(&self.watcher);
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Closed,
                "the client was closed (mesos_discovery_client_close)",
            ));
        }
        if let Some(watcher) = slot.as_ref() {
            return Ok(watcher.clone());
        }
        let config = self.discoverer.config().clone();
        let watcher = Arc::new(MembershipWatcher::start(config)?);
        *slot = Some(watcher.clone());
        Ok(watcher)
    }

    fn wait(&self, known_generation: u64, timeout_ms: u32) -> Result<Option<MembershipState>> {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        self.watcher()?.wait_for_change(known_generation, timeout)
    }

    fn close(&self) {
        let slot = lock(&self.watcher);
        self.closed.store(true, Ordering::SeqCst);
        if let Some(watcher) = slot.as_ref() {
            watcher.close();
        }
    }
}

impl Drop for mesos_discovery_client {
    fn drop(&mut self) {
        self.close();
    }
}

/// One configuration entry: a key of the flat vocabulary (`MARATHON_ENDPOINT`, …) and its value.
/// An empty value means "not set".
#[repr(C)]
pub struct mesos_discovery_kv {
    pub key: *const c_char,
    pub value: *const c_char,
}

/// `env_overlay`: ignore the process environment.
pub const MESOS_DISCOVERY_ENV_IGNORE: u32 = 0;
/// `env_overlay`: environment variables with the same names win over the entries (the Carbon
/// scheme's order).
pub const MESOS_DISCOVERY_ENV_WINS: u32 = 1;
/// `env_overlay`: the entries win; the environment fills in keys they lack (the CLI's order).
pub const MESOS_DISCOVERY_ENV_FILLS: u32 = 2;

/// `healthy`: no health check result (none configured, none yet, or Mesos-DNS).
pub const MESOS_DISCOVERY_HEALTH_UNKNOWN: i8 = -1;
/// `healthy`: at least one health check says the task is not alive.
pub const MESOS_DISCOVERY_HEALTH_FAILING: i8 = 0;
/// `healthy`: every health check says the task is alive.
pub const MESOS_DISCOVERY_HEALTH_PASSING: i8 = 1;

/// One cluster member. Every string is non-NULL.
#[repr(C)]
pub struct mesos_discovery_member {
    /// Address Hazelcast joins (IP or host name; IPv6 without brackets).
    pub host: *const c_char,
    pub port: u16,
    /// Absolute Marathon app id (`/group/app`).
    pub app_id: *const c_char,
    /// Marathon task id; for Mesos-DNS the SRV target name.
    pub task_id: *const c_char,
    /// Mesos task state (`TASK_RUNNING`, …).
    pub state: *const c_char,
    /// `MESOS_DISCOVERY_HEALTH_PASSING`, `_FAILING` or `_UNKNOWN`.
    pub healthy: i8,
}

/// Something skipped or missing that did not stop discovery.
#[repr(C)]
pub struct mesos_discovery_warning {
    /// The app concerned, or NULL.
    pub app_id: *const c_char,
    /// The task concerned, or NULL.
    pub task_id: *const c_char,
    /// Never NULL.
    pub message: *const c_char,
}

/// The answer of one discovery: members sorted by (host, port, app, task), one per host:port,
/// and warnings. Owned by the caller; free with `mesos_discovery_members_free` (one call frees
/// every array and string in it).
#[repr(C)]
pub struct mesos_discovery_members {
    pub members: *const mesos_discovery_member,
    pub len: usize,
    pub warnings: *const mesos_discovery_warning,
    pub warnings_len: usize,
}

/// What a `mesos_discovery_members *` really points to: the public part first, then its storage.
#[repr(C)]
struct MembersBox {
    public: mesos_discovery_members,
    members: Vec<mesos_discovery_member>,
    warnings: Vec<mesos_discovery_warning>,
    _strings: Arena,
}

fn members_box(found: &Discovery) -> Result<*mut mesos_discovery_members> {
    let mut strings = Arena::default();
    let members = found
        .members
        .iter()
        .map(|m| {
            Ok(mesos_discovery_member {
                host: strings.add(&m.host, "a member's host")?,
                port: m.port,
                app_id: strings.add(&m.app_id, "a member's app id")?,
                task_id: strings.add(&m.task_id, "a member's task id")?,
                state: strings.add(&m.state, "a member's state")?,
                healthy: match m.healthy {
                    None => MESOS_DISCOVERY_HEALTH_UNKNOWN,
                    Some(false) => MESOS_DISCOVERY_HEALTH_FAILING,
                    Some(true) => MESOS_DISCOVERY_HEALTH_PASSING,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let warnings = found
        .warnings
        .iter()
        .map(|w| {
            Ok(mesos_discovery_warning {
                app_id: strings.add_opt(w.app_id.as_deref(), "a warning's app id")?,
                task_id: strings.add_opt(w.task_id.as_deref(), "a warning's task id")?,
                message: strings.add(&w.message, "a warning")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut owned = Box::new(MembersBox {
        public: mesos_discovery_members {
            members: members.as_ptr(),
            len: members.len(),
            warnings: warnings.as_ptr(),
            warnings_len: warnings.len(),
        },
        members,
        warnings,
        _strings: strings,
    });
    // The vectors' buffers did not move with the box; re-read them anyway for clarity.
    owned.public.members = owned.members.as_ptr();
    owned.public.warnings = owned.warnings.as_ptr();
    Ok(Box::into_raw(owned).cast())
}

/// `{"generation":N,"members":[…],"warnings":[…],"error":{"kind":…,"message":…}|null}`.
#[derive(Serialize)]
struct StateJson<'a> {
    generation: u64,
    members: &'a [Member],
    warnings: &'a [core_api::Warning],
    error: Option<ErrorJson<'a>>,
}

/// Creates a discovery client from `len` configuration entries (the keys of the flat
/// vocabulary; an unknown key is an error). `env_overlay` is `MESOS_DISCOVERY_ENV_IGNORE`,
/// `_ENV_WINS` or `_ENV_FILLS`. Does no I/O. On success writes the handle to `*out`.
///
/// Errors: `INVALID_ARGUMENT` (NULL `out`, NULL `config` with `len > 0`, NULL or non-UTF-8 key
/// or value, bad `env_overlay`), `CONFIG` (the message names the key; secrets are never shown).
///
/// # Safety
/// `config` points to `len` entries whose strings are valid during the call; `out` is valid
/// for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_new(
    config: *const mesos_discovery_kv,
    len: usize,
    env_overlay: u32,
    out: *mut *mut mesos_discovery_client,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let overlay = match env_overlay {
            MESOS_DISCOVERY_ENV_IGNORE => EnvOverlay::Ignore,
            MESOS_DISCOVERY_ENV_WINS => EnvOverlay::EnvWins,
            MESOS_DISCOVERY_ENV_FILLS => EnvOverlay::MapWins,
            other => {
                return Err(Error::invalid_argument(format!(
                    "env_overlay {other} is not MESOS_DISCOVERY_ENV_IGNORE (0), _ENV_WINS (1) or _ENV_FILLS (2)"
                )))
            }
        };
        let entries: &[mesos_discovery_kv] = match (config.is_null(), len) {
            (_, 0) => &[],
            (true, _) => {
                return Err(Error::invalid_argument(format!(
                    "config is NULL but len is {len}"
                )))
            }
            (false, _) => std::slice::from_raw_parts(config, len),
        };
        let mut pairs = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let key = arg_str(entry.key, &format!("config[{i}].key"))?;
            // Name the key, never the value: it may be a password.
            let value = arg_str(entry.value, &format!("the value of {key} (config[{i}])"))?;
            pairs.push((key, value));
        }
        let config = Config::from_map_with_env(pairs, overlay)?;
        let discoverer = Discoverer::new(config)?;
        out.write(into_handle(mesos_discovery_client {
            discoverer,
            watcher: Mutex::new(None),
            closed: AtomicBool::new(false),
        }));
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Frees a client. NULL is ignored. No other thread may still be using it.
///
/// # Safety
/// `client` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_free(client: *mut mesos_discovery_client) {
    panic::void(|| drop(release(client)))
}

unsafe fn discover(client: *const mesos_discovery_client, timeout_ms: u32) -> Result<Discovery> {
    let client = borrow(client, "client")?;
    blocking::run(timeout_ms, client.discoverer.discover())
}

/// Discovers the members once, blocking for at most `timeout_ms` (`0`: the configuration's
/// `MESOS_DISCOVERY_DEADLINE`). On success writes the answer to `*out`; free it with
/// `mesos_discovery_members_free`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_members(
    client: *const mesos_discovery_client,
    timeout_ms: u32,
    out: *mut *mut mesos_discovery_members,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let found = discover(client, timeout_ms)?;
        out.write(members_box(&found)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_client_members`, but writes the members as a JSON array to `*out`, the
/// document `mesos-discovery members --format json` prints (there pretty-printed; warnings go
/// to the log, as the CLI's go to stderr). Free it with `mesos_discovery_string_free`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_members_json(
    client: *const mesos_discovery_client,
    timeout_ms: u32,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let found = discover(client, timeout_ms)?;
        out.write(into_raw(json::to_string(&found.members)?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Blocks until the client's member set has a generation other than `known_generation` (0 the
/// first time, then the last one seen) or `timeout_ms` passes (`0`: do not block). On a change
/// writes the generation to `*out_generation` and the whole member set (with warnings) to
/// `*out`; free it with `mesos_discovery_members_free`. On timeout returns
/// `MESOS_DISCOVERY_UNCHANGED` and writes nothing. The first wait starts the client's watcher
/// (Marathon's event stream with resyncs, or Mesos-DNS polling every
/// `MESOS_DISCOVERY_POLL_INTERVAL`), shared by every later wait. A change is a member appearing
/// or going (by host, port, app and task); a new state or health alone is not. Pass
/// `UINT64_MAX` to read the current set at once.
///
/// # Safety
/// `client` is NULL or a live client; the out-parameters are valid for writes.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_wait(
    client: *const mesos_discovery_client,
    known_generation: u64,
    timeout_ms: u32,
    out_generation: *mut u64,
    out: *mut *mut mesos_discovery_members,
) -> mesos_discovery_result {
    panic::result(|| {
        let out_generation = Out::new(out_generation, "out_generation")?;
        let out = Out::new(out, "out")?;
        let client = borrow(client, "client")?;
        let Some(state) = client.wait(known_generation, timeout_ms)? else {
            return Ok(mesos_discovery_result::MESOS_DISCOVERY_UNCHANGED);
        };
        let found = Discovery {
            members: state.members,
            warnings: state.warnings,
        };
        out.write(members_box(&found)?);
        out_generation.write(state.generation);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_client_wait`, but writes the state as JSON to `*out`:
/// `{"generation":N,"members":[…],"warnings":[…],"error":{"kind":…,"message":…}|null}`, where
/// `error` says why the watcher cannot refresh right now (the members are then those of its
/// last successful look). Free it with `mesos_discovery_string_free`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_wait_json(
    client: *const mesos_discovery_client,
    known_generation: u64,
    timeout_ms: u32,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let client = borrow(client, "client")?;
        let Some(state) = client.wait(known_generation, timeout_ms)? else {
            return Ok(mesos_discovery_result::MESOS_DISCOVERY_UNCHANGED);
        };
        out.write(into_raw(json::to_string(&StateJson {
            generation: state.generation,
            members: &state.members,
            warnings: &state.warnings,
            error: ErrorJson::of(state.error.as_ref()),
        })?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Stops the client's watching without freeing it: calls blocked in
/// `mesos_discovery_client_wait` return `MESOS_DISCOVERY_CLOSED`, and so do later waits.
/// One-shot discovery keeps working. Idempotent; the handle must still be freed.
///
/// # Safety
/// `client` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_close(
    client: *const mesos_discovery_client,
) -> mesos_discovery_result {
    panic::result(|| {
        borrow(client, "client")?.close();
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Frees an answer of `mesos_discovery_client_members` with everything in it. NULL is ignored.
///
/// # Safety
/// `members` is NULL or an answer not freed yet.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_members_free(members: *mut mesos_discovery_members) {
    panic::void(|| drop(release(members.cast::<MembersBox>())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::mesos_discovery_result as R;
    use core_api::{Member, Warning};
    use std::ffi::CStr;

    fn kv(key: &'static CStr, value: &'static CStr) -> mesos_discovery_kv {
        mesos_discovery_kv {
            key: key.as_ptr(),
            value: value.as_ptr(),
        }
    }

    fn last_error() -> String {
        unsafe { CStr::from_ptr(crate::error::mesos_discovery_last_error()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn structs_carry_every_field_and_free_cleanly() {
        let found = Discovery {
            members: vec![Member {
                host: "10.0.0.1".into(),
                port: 5701,
                app_id: "/wso2/am".into(),
                task_id: "wso2_am.1".into(),
                state: "TASK_RUNNING".into(),
                healthy: Some(true),
            }],
            warnings: vec![Warning::app("/wso2/x", "app not found")],
        };
        let raw = members_box(&found).unwrap();
        let view = unsafe { &*raw };
        assert_eq!(view.len, 1);
        let m = unsafe { &*view.members };
        let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
        assert_eq!(
            (
                s(m.host),
                m.port,
                s(m.app_id),
                s(m.task_id),
                s(m.state),
                m.healthy
            ),
            (
                "10.0.0.1".into(),
                5701,
                "/wso2/am".into(),
                "wso2_am.1".into(),
                "TASK_RUNNING".into(),
                MESOS_DISCOVERY_HEALTH_PASSING
            )
        );
        let w = unsafe { &*view.warnings };
        assert_eq!(view.warnings_len, 1);
        assert_eq!(s(w.app_id), "/wso2/x");
        assert!(w.task_id.is_null());
        assert_eq!(s(w.message), "app not found");
        unsafe { mesos_discovery_members_free(raw) };
        unsafe { mesos_discovery_members_free(std::ptr::null_mut()) };
    }

    #[test]
    fn new_checks_arguments_and_names_bad_keys() {
        let mut out: *mut mesos_discovery_client = std::ptr::null_mut();
        let entries = [kv(c"MARATHON_APPLICATIONS", c"/a"), kv(c"NOPE", c"x")];
        let rc = unsafe { mesos_discovery_client_new(entries.as_ptr(), 2, 0, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_CONFIG);
        assert!(last_error().contains("\"NOPE\""), "{}", last_error());
        assert!(out.is_null(), "out written on failure");

        let rc = unsafe { mesos_discovery_client_new(std::ptr::null(), 1, 0, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc = unsafe { mesos_discovery_client_new(entries.as_ptr(), 1, 9, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc =
            unsafe { mesos_discovery_client_new(entries.as_ptr(), 1, 0, std::ptr::null_mut()) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let null_value = [mesos_discovery_kv {
            key: c"MARATHON_PASSWORD".as_ptr(),
            value: std::ptr::null(),
        }];
        let rc = unsafe { mesos_discovery_client_new(null_value.as_ptr(), 1, 0, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        assert!(
            last_error().contains("MARATHON_PASSWORD"),
            "{}",
            last_error()
        );

        let rc = unsafe { mesos_discovery_client_new(entries.as_ptr(), 1, 0, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK, "{}", last_error());
        assert_eq!(last_error(), "");
        assert!(!out.is_null());
        unsafe { mesos_discovery_client_free(out) };
        unsafe { mesos_discovery_client_free(std::ptr::null_mut()) };
    }

    #[test]
    fn secrets_never_reach_the_error_message() {
        let mut out: *mut mesos_discovery_client = std::ptr::null_mut();
        let entries = [
            kv(c"MARATHON_APPLICATIONS", c"/a"),
            kv(c"MARATHON_AUTH_TOKEN", c"tok\x01secret"),
        ];
        let rc = unsafe { mesos_discovery_client_new(entries.as_ptr(), 2, 0, &mut out) };
        assert_eq!(rc, R::MESOS_DISCOVERY_CONFIG);
        assert!(!last_error().contains("secret"), "{}", last_error());
    }

    #[test]
    fn calls_on_null_handles_are_invalid_arguments() {
        let mut members: *mut mesos_discovery_members = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_client_members(std::ptr::null(), 10, &mut members) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        assert_eq!(last_error(), "client is NULL");
        let mut json: *mut c_char = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_client_members_json(std::ptr::null(), 10, &mut json) };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        assert!(members.is_null() && json.is_null());
    }
}
