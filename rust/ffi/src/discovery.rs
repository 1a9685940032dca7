//! The discovery client: a handle over one core `Membership` (one HTTP client): one-shot
//! discoveries are its refreshes; from the first wait or subscribe on it is also kept current
//! (waits, member-change callbacks); snapshots read what it knows. Members as C structs or JSON.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use core_api::watch::{MembershipChange, MembershipState};
use core_api::{Config, Discovery, EnvOverlay, Error, Member, Membership, Result, Warning};
use serde::Serialize;

use crate::error::mesos_discovery_result;
use crate::handles::{borrow, into_handle, release, Out};
use crate::json::{self, ErrorJson};
use crate::strings::{arg_str, into_raw, Arena};
use crate::subscription::{Registration, Watching};
use crate::{blocking, panic};

/// Member discovery for one configuration (opaque). Create with `mesos_discovery_client_new`,
/// free with `mesos_discovery_client_free`. Usable from many threads at once; it keeps its
/// HTTP connections between calls.
pub struct mesos_discovery_client {
    membership: Arc<Membership>,
    /// The same membership once watching (from the first wait or subscribe) and the callbacks
    /// on it.
    watching: Watching<Membership, MemberCallback>,
}

impl mesos_discovery_client {
    fn watcher(&self) -> Result<Arc<Membership>> {
        self.watching.get_or_start(|| {
            self.membership.watch()?;
            Ok(self.membership.clone())
        })
    }

    fn wait(&self, known_generation: u64, timeout_ms: u32) -> Result<Option<MembershipState>> {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        self.watcher()?.wait_for_change(known_generation, timeout)
    }

    /// What the membership knows now, without I/O: generation 0 and no members before its
    /// first discovery (one-shot or watch).
    fn snapshot(&self) -> MembershipState {
        self.membership.snapshot()
    }

    /// Ends watching: subscriptions end, the watcher stops and wakes its waiters.
    fn close(&self) {
        self.watching.close();
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

/// `members` as C structs whose strings live in `strings`.
fn member_structs(strings: &mut Arena, members: &[Member]) -> Result<Vec<mesos_discovery_member>> {
    members
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
        .collect()
}

fn members_box(found: &Discovery) -> Result<*mut mesos_discovery_members> {
    members_box_of(&found.members, &found.warnings)
}

fn members_box_of(
    members: &[Member],
    warnings: &[Warning],
) -> Result<*mut mesos_discovery_members> {
    let mut strings = Arena::default();
    let members = member_structs(&mut strings, members)?;
    let warnings = warnings
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

fn state_json(state: &MembershipState) -> Result<String> {
    json::to_string(&StateJson {
        generation: state.generation,
        members: &state.members,
        warnings: &state.warnings,
        error: ErrorJson::of(state.error.as_ref()),
    })
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
        out.write(into_handle(mesos_discovery_client {
            membership: Arc::new(Membership::open(config)?),
            watching: Watching::new("client"),
        }));
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Frees a client: its watcher stops and every subscription ends (when this returns, no callback
/// of this client is running or will run again). NULL is ignored. No other thread may still be
/// using it. It may be called from one of the client's own callbacks.
///
/// # Safety
/// `client` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_free(client: *mut mesos_discovery_client) {
    panic::void(|| drop(release(client)))
}

unsafe fn discover(client: *const mesos_discovery_client, timeout_ms: u32) -> Result<Discovery> {
    let client = borrow(client, "client")?;
    blocking::run(timeout_ms, client.membership.refresh())
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
        out.write(members_box_of(&state.members, &state.warnings)?);
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
        out.write(into_raw(state_json(&state)?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Stops the client's watching without freeing it: calls blocked in
/// `mesos_discovery_client_wait` return `MESOS_DISCOVERY_CLOSED`, and so do later waits and
/// subscribes; every subscription ends (as with `mesos_discovery_client_unsubscribe`: when this
/// returns, no callback of this client is running or will run again). Snapshots keep answering
/// with the last state; one-shot discovery keeps working. Idempotent; the handle must still be
/// freed. It may be called from one of the client's own callbacks.
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

/// One change of the member set, as a member-change callback receives it. Everything it
/// points to is valid during the callback only (copy what you keep; never free it).
#[repr(C)]
pub struct mesos_discovery_member_change {
    /// The member set's generation after this change (as `mesos_discovery_client_wait` reports
    /// it): 1 for the first answer, one more per change.
    pub generation: u64,
    /// Members that appeared (the whole set in the first call of a subscription).
    pub added: *const mesos_discovery_member,
    pub added_len: usize,
    /// Members that went.
    pub removed: *const mesos_discovery_member,
    pub removed_len: usize,
    /// The whole member set after the change, sorted by (host, port, app, task).
    pub members: *const mesos_discovery_member,
    pub members_len: usize,
}

/// Called with every change of a client's member set, starting with the whole set as `added`.
/// `change` (and everything it points to) is valid during the call only; never free it.
pub type mesos_discovery_member_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, change: *const mesos_discovery_member_change),
>;

/// The JSON form of `mesos_discovery_member_callback`: `json` is
/// `{"generation":N,"added":[…],"removed":[…],"members":[…]}` (members as
/// `mesos_discovery_client_members_json` writes them), valid during the call only; never free
/// it. `generation` repeats the document's.
pub type mesos_discovery_member_json_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, generation: u64, json: *const c_char)>;

/// `{"generation":N,"added":[…],"removed":[…],"members":[…]}`.
#[derive(Serialize)]
struct ChangeJson<'a> {
    generation: u64,
    added: &'a [Member],
    removed: &'a [Member],
    members: &'a [Member],
}

fn change_json(change: &MembershipChange) -> Result<String> {
    json::to_string(&ChangeJson {
        generation: change.generation,
        added: &change.added,
        removed: &change.removed,
        members: &change.members,
    })
}

/// A member-change struct and the storage it points into.
struct ChangeBox {
    public: mesos_discovery_member_change,
    _added: Vec<mesos_discovery_member>,
    _removed: Vec<mesos_discovery_member>,
    _members: Vec<mesos_discovery_member>,
    _strings: Arena,
}

/// A member whose strings a C string can carry: NUL bytes become U+FFFD. A callback has no
/// result code to report a `PROTOCOL` error with, and skipping the change would lose members.
fn without_nul(m: &Member) -> Member {
    let fix = |s: &str| s.replace('\0', "\u{fffd}");
    Member {
        host: fix(&m.host),
        app_id: fix(&m.app_id),
        task_id: fix(&m.task_id),
        state: fix(&m.state),
        ..m.clone()
    }
}

fn structs_lossy(strings: &mut Arena, members: &[Member]) -> Vec<mesos_discovery_member> {
    member_structs(strings, members).unwrap_or_else(|_| {
        log::warn!("a member's data contains a NUL byte; the C structs carry it as U+FFFD");
        let fixed: Vec<Member> = members.iter().map(without_nul).collect();
        member_structs(strings, &fixed).unwrap_or_default()
    })
}

fn change_box(change: &MembershipChange) -> ChangeBox {
    let mut strings = Arena::default();
    let added = structs_lossy(&mut strings, &change.added);
    let removed = structs_lossy(&mut strings, &change.removed);
    let members = structs_lossy(&mut strings, &change.members);
    ChangeBox {
        public: mesos_discovery_member_change {
            generation: change.generation,
            added: added.as_ptr(),
            added_len: added.len(),
            removed: removed.as_ptr(),
            removed_len: removed.len(),
            members: members.as_ptr(),
            members_len: members.len(),
        },
        // Moving a Vec does not move its buffer: the pointers above stay valid.
        _added: added,
        _removed: removed,
        _members: members,
        _strings: strings,
    }
}

enum MemberCallback {
    Structs(unsafe extern "C" fn(*mut c_void, *const mesos_discovery_member_change)),
    Json(unsafe extern "C" fn(*mut c_void, u64, *const c_char)),
}

/// One C member-change registration.
type MemberSubscription = Registration<MemberCallback>;

impl MemberSubscription {
    fn deliver(&self, change: &MembershipChange) {
        self.gate.run(|| match self.callback {
            MemberCallback::Structs(callback) => {
                let boxed = change_box(change);
                // SAFETY: registered together by the subscriber for exactly this.
                unsafe { callback(self.userdata, &boxed.public) };
            }
            MemberCallback::Json(callback) => {
                // JSON escapes a NUL byte, so the text never contains one.
                let text = change_json(change).and_then(|t| {
                    std::ffi::CString::new(t)
                        .map_err(|_| Error::internal("a JSON document contained a NUL byte"))
                });
                match text {
                    // SAFETY: as above.
                    Ok(text) => unsafe {
                        callback(self.userdata, change.generation, text.as_ptr())
                    },
                    Err(e) => log::error!("member change {}: {e}", change.generation),
                }
            }
        })
    }
}

unsafe fn subscribe(
    client: *const mesos_discovery_client,
    callback: MemberCallback,
    userdata: *mut c_void,
    out_id: Out<u64>,
) -> Result<()> {
    let client = borrow(client, "client")?;
    let sub = MemberSubscription::new(callback, userdata);
    let watcher = client.watcher()?;
    client.watching.subscribe(
        &watcher,
        sub,
        |w, sub| w.subscribe(Box::new(move |change| sub.deliver(change))),
        |id| out_id.write(id),
    )
}

/// Calls `callback(userdata, change)` on every change of the client's member set, starting with
/// the whole set as `added` (at once if the watcher already has it, else once its first
/// discovery completes), and starts the client's watcher if needed. On success writes the
/// subscription id to `*out_id`; the first call comes after that write. Later calls carry the
/// members that appeared and went (a change of state or health alone is not a change), in
/// generation order, never skipping one.
///
/// The callback runs on the client's callback thread (`mesos-discovery-member-callbacks`),
/// never on the caller's and never on the async runtime; calls are made one at a time. It may
/// call any function of this library, including `mesos_discovery_client_unsubscribe` (even for
/// itself), `_close` and `_free` for its own client, but should return quickly (it delays the
/// client's next notifications). It must not unwind (no C++ exception, no `longjmp` out of it).
///
/// Errors: `INVALID_ARGUMENT` (NULL client, callback or `out_id`), `CLOSED` (after
/// `mesos_discovery_client_close`), `CONFIG`/`INTERNAL` if the watcher cannot start.
///
/// # Safety
/// `client` is NULL or a live client; `callback` may be called from another thread with
/// `userdata` until unsubscribed; `out_id` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_subscribe(
    client: *const mesos_discovery_client,
    callback: mesos_discovery_member_callback,
    userdata: *mut c_void,
    out_id: *mut u64,
) -> mesos_discovery_result {
    panic::result(|| {
        let out_id = Out::new(out_id, "out_id")?;
        let callback = callback.ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        subscribe(client, MemberCallback::Structs(callback), userdata, out_id)?;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_client_subscribe`, but the callback receives each change as JSON:
/// `{"generation":N,"added":[…],"removed":[…],"members":[…]}`. Same thread, rules and
/// guarantees; ends with the same `mesos_discovery_client_unsubscribe`.
///
/// # Safety
/// As for `mesos_discovery_client_subscribe`.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_subscribe_json(
    client: *const mesos_discovery_client,
    callback: mesos_discovery_member_json_callback,
    userdata: *mut c_void,
    out_id: *mut u64,
) -> mesos_discovery_result {
    panic::result(|| {
        let out_id = Out::new(out_id, "out_id")?;
        let callback = callback.ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        subscribe(client, MemberCallback::Json(callback), userdata, out_id)?;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Ends a member-change subscription. When this returns, its callback is not running and will
/// not be called again, so `userdata` may be released (called from inside a callback of this
/// library, it cannot wait for that callback itself: the guarantee then starts when the
/// callback returns). Errors: `NOT_FOUND` for an id this client does not know (already
/// unsubscribed, or ended by `_close`).
///
/// # Safety
/// `client` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_unsubscribe(
    client: *const mesos_discovery_client,
    id: u64,
) -> mesos_discovery_result {
    panic::result(|| {
        let client = borrow(client, "client")?;
        client.watching.unsubscribe(id)?;
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Writes the member set the client knows now, without any I/O and without starting the
/// watcher: its generation to `*out_generation` and the members (with warnings) to `*out`
/// (free it with `mesos_discovery_members_free`). The client's one-shot discoveries and its
/// watcher feed the same set; before the first of them completes: generation 0 and no
/// members. After `mesos_discovery_client_close`: the last state known. Never blocks on the
/// network.
///
/// # Safety
/// `client` is NULL or a live client; the out-parameters are valid for writes.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_snapshot(
    client: *const mesos_discovery_client,
    out_generation: *mut u64,
    out: *mut *mut mesos_discovery_members,
) -> mesos_discovery_result {
    panic::result(|| {
        let out_generation = Out::new(out_generation, "out_generation")?;
        let out = Out::new(out, "out")?;
        let state = borrow(client, "client")?.snapshot();
        out.write(members_box_of(&state.members, &state.warnings)?);
        out_generation.write(state.generation);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Like `mesos_discovery_client_snapshot`, but writes the state as the JSON of
/// `mesos_discovery_client_wait_json` to `*out`:
/// `{"generation":N,"members":[…],"warnings":[…],"error":…}`. Free it with
/// `mesos_discovery_string_free`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_client_snapshot_json(
    client: *const mesos_discovery_client,
    out: *mut *mut c_char,
) -> mesos_discovery_result {
    panic::result(|| {
        let out = Out::new(out, "out")?;
        let state = borrow(client, "client")?.snapshot();
        out.write(into_raw(state_json(&state)?)?);
        Ok(mesos_discovery_result::MESOS_DISCOVERY_OK)
    })
}

/// Frees an answer of `mesos_discovery_client_members`, `_wait` or `_snapshot` with everything
/// in it. NULL is ignored.
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

    fn member(host: &str, port: u16) -> Member {
        Member {
            host: host.into(),
            port,
            app_id: "/wso2/am".into(),
            task_id: format!("wso2_am.{port}"),
            state: "TASK_RUNNING".into(),
            healthy: None,
        }
    }

    #[test]
    fn changes_convert_to_structs_and_json() {
        let change = MembershipChange {
            generation: 3,
            added: vec![member("10.0.0.2", 5701)].into(),
            removed: vec![member("10.0.0.3", 5701)].into(),
            members: vec![member("10.0.0.1", 5701), member("10.0.0.2", 5701)].into(),
        };
        let boxed = change_box(&change);
        let c = &boxed.public;
        assert_eq!(
            (c.generation, c.added_len, c.removed_len, c.members_len),
            (3, 1, 1, 2)
        );
        let host = |p: *const mesos_discovery_member, i: usize| {
            unsafe { CStr::from_ptr((*p.add(i)).host) }
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(host(c.added, 0), "10.0.0.2");
        assert_eq!(host(c.removed, 0), "10.0.0.3");
        assert_eq!(host(c.members, 1), "10.0.0.2");
        assert_eq!(
            unsafe { (*c.members).healthy },
            MESOS_DISCOVERY_HEALTH_UNKNOWN
        );
        let j: serde_json::Value = serde_json::from_str(&change_json(&change).unwrap()).unwrap();
        assert_eq!(j["generation"], 3);
        assert_eq!(j["added"][0]["host"], "10.0.0.2");
        assert_eq!(j["removed"][0]["task_id"], "wso2_am.5701");
        assert_eq!(j["members"].as_array().unwrap().len(), 2);
        assert_eq!(j["members"][0]["healthy"], serde_json::Value::Null);
    }

    #[test]
    fn a_nul_byte_reaches_a_struct_callback_as_a_replacement_character() {
        let change = MembershipChange {
            generation: 1,
            added: vec![member("bad\0host", 1)].into(),
            removed: Vec::new().into(),
            members: vec![member("bad\0host", 1)].into(),
        };
        let boxed = change_box(&change);
        assert_eq!(boxed.public.added_len, 1);
        let host = unsafe { CStr::from_ptr((*boxed.public.added).host) };
        assert_eq!(host.to_str().unwrap(), "bad\u{fffd}host");
        assert!(change_json(&change).unwrap().contains("bad\\u0000host"));
    }

    unsafe extern "C" fn never(_: *mut c_void, _: *const mesos_discovery_member_change) {
        panic!("never called");
    }

    #[test]
    fn snapshots_do_no_io_and_subscriptions_check_their_arguments() {
        // Nothing listens on port 1: a snapshot must not even try.
        let entries = [
            kv(c"MARATHON_ENDPOINT", c"http://127.0.0.1:1"),
            kv(c"MARATHON_APPLICATIONS", c"/a"),
        ];
        let mut client: *mut mesos_discovery_client = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_client_new(entries.as_ptr(), 2, 0, &mut client) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        let (mut generation, mut found) = (7u64, std::ptr::null_mut());
        let rc = unsafe { mesos_discovery_client_snapshot(client, &mut generation, &mut found) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        assert_eq!((generation, unsafe { (*found).len }), (0, 0));
        unsafe { mesos_discovery_members_free(found) };
        assert!(
            unsafe { &*client }.watching.current().is_none(),
            "a snapshot started the watcher"
        );
        let mut json: *mut c_char = std::ptr::null_mut();
        let rc = unsafe { mesos_discovery_client_snapshot_json(client, &mut json) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        let text = unsafe { CStr::from_ptr(json) }
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            text,
            r#"{"generation":0,"members":[],"warnings":[],"error":null}"#
        );
        unsafe { crate::strings::mesos_discovery_string_free(json) };

        let mut id = 42u64;
        let rc = unsafe {
            mesos_discovery_client_subscribe(client, None, std::ptr::null_mut(), &mut id)
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc = unsafe {
            mesos_discovery_client_subscribe(
                std::ptr::null(),
                Some(never),
                std::ptr::null_mut(),
                &mut id,
            )
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc = unsafe {
            mesos_discovery_client_subscribe(
                client,
                Some(never),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        let rc = unsafe {
            mesos_discovery_client_subscribe_json(client, None, std::ptr::null_mut(), &mut id)
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_INVALID_ARGUMENT);
        assert_eq!(id, 42, "out_id written on failure");
        assert_eq!(
            unsafe { mesos_discovery_client_unsubscribe(client, 42) },
            R::MESOS_DISCOVERY_NOT_FOUND
        );
        assert_eq!(
            unsafe { mesos_discovery_client_unsubscribe(std::ptr::null(), 42) },
            R::MESOS_DISCOVERY_INVALID_ARGUMENT
        );
        // A subscription against an unreachable Marathon: never called (no first answer), and
        // it ends with the client.
        let rc = unsafe {
            mesos_discovery_client_subscribe(client, Some(never), std::ptr::null_mut(), &mut id)
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK, "{}", last_error());
        assert_eq!(
            unsafe { mesos_discovery_client_close(client) },
            R::MESOS_DISCOVERY_OK
        );
        assert_eq!(
            unsafe { mesos_discovery_client_unsubscribe(client, id) },
            R::MESOS_DISCOVERY_NOT_FOUND
        );
        let rc = unsafe {
            mesos_discovery_client_subscribe(client, Some(never), std::ptr::null_mut(), &mut id)
        };
        assert_eq!(rc, R::MESOS_DISCOVERY_CLOSED);
        let rc = unsafe { mesos_discovery_client_snapshot(client, &mut generation, &mut found) };
        assert_eq!(rc, R::MESOS_DISCOVERY_OK);
        unsafe { mesos_discovery_members_free(found) };
        unsafe { mesos_discovery_client_free(client) };
    }
}
