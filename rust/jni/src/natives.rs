//! The native methods of `org.wso2.carbon.clustering.mesos.internal.Native`, one function
//! each, all through [`run`]. Timeouts arrive as milliseconds; zero or less means the core's
//! default.

use std::collections::BTreeMap;
use std::time::Duration;

use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong, jobject, jobjectArray, jstring, JNI_FALSE};
use jni::JNIEnv;
use mesos_discovery::config::{merge_layers, Config, EnvOverlay, KNOWN_KEYS};
use mesos_discovery::zk::{self, DetectOptions, LeaderWatcher, ZkUrl};
use mesos_discovery::{Error, ErrorKind, Membership};

use crate::boundary::{invalid, run, NativeResult};
use crate::registry::Registry;
use crate::{convert, errors, logging};

/// `MemberDiscoverer`s: memberships refreshed on demand, never watching.
static DISCOVERERS: Registry<Membership> = Registry::new("member discoverer");
static WATCHERS: Registry<LeaderWatcher> = Registry::new("leader watcher");
static MEMBER_WATCHERS: Registry<Membership> = Registry::new("membership watcher");

/// Longest single wait a Java watcher thread asks for, so it can notice its own close.
const MAX_WAIT: Duration = Duration::from_secs(60);

fn millis(ms: jlong) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms as u64))
}

fn detect_options(session_ms: jlong, connect_ms: jlong) -> DetectOptions {
    let mut options = DetectOptions::default();
    if let Some(d) = millis(session_ms) {
        options.session_timeout = d;
    }
    if let Some(d) = millis(connect_ms) {
        options.connect_timeout = d;
    }
    options
}

fn zk_url(env: &mut JNIEnv, url: &JString) -> NativeResult<ZkUrl> {
    let url = convert::string_arg(env, url, "the ZooKeeper URL")?;
    Ok(ZkUrl::parse(&url)?)
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_version<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jstring {
    run(&mut env, std::ptr::null_mut(), |env| {
        Ok(env.new_string(mesos_discovery::VERSION)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_knownKeys<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jobjectArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        Ok(convert::string_array(env, KNOWN_KEYS)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_setLogLevel<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    level: jint,
) {
    run(&mut env, (), |_| {
        logging::set_level(level);
        Ok(())
    })
}

/// Queued log records as a flat `String[]`: level, target, message, level, target, …
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_drainLog<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jobjectArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let mut flat = Vec::new();
        for entry in logging::drain() {
            flat.push(entry.level.as_str().to_string());
            flat.push(entry.target);
            flat.push(entry.message);
        }
        Ok(convert::string_array(env, &flat)?.into_raw())
    })
}

/// Validates the configuration and builds a discoverer (no I/O); returns its id.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_discovererOpen<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        let pairs = convert::string_pairs(env, &keys, &values)?;
        // Java already resolved the environment / system property / parameter order.
        let config = Config::from_map_with_env(pairs, EnvOverlay::Ignore)?;
        Ok(DISCOVERERS.insert(Membership::open(config)?))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_discovererDiscover<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let discoverer = DISCOVERERS.get(id)?;
        let found = discoverer.refresh_blocking()?;
        Ok(convert::discovery(env, &found)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_discovererClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) {
    run(&mut env, (), |_| {
        DISCOVERERS.remove(id);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_zkLeader<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    url: JString<'l>,
    session_ms: jlong,
    connect_ms: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let url = zk_url(env, &url)?;
        let leader = zk::leader_blocking(&url, &detect_options(session_ms, connect_ms))?;
        Ok(match leader {
            Some(m) => convert::master(env, &m)?.into_raw(),
            None => std::ptr::null_mut(),
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_zkMasters<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    url: JString<'l>,
    session_ms: jlong,
    connect_ms: jlong,
) -> jobjectArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let url = zk_url(env, &url)?;
        let masters = zk::masters_blocking(&url, &detect_options(session_ms, connect_ms))?;
        Ok(convert::masters(env, &masters)?.into_raw())
    })
}

/// Starts watching the leader; returns the watcher's id.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_watcherOpen<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    url: JString<'l>,
    session_ms: jlong,
    connect_ms: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let url = zk_url(env, &url)?;
        let watcher = LeaderWatcher::start(url, detect_options(session_ms, connect_ms))?;
        Ok(WATCHERS.insert(watcher))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_watcherCurrent<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let watcher = WATCHERS.get(id)?;
        let state = watcher.current();
        Ok(convert::leader_state(env, &state)?.into_raw())
    })
}

/// Blocks until the leader state's generation differs from `generation` (returning the new
/// state) or `timeout_ms` passes (returning null). Java's watcher threads loop on this.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_watcherWaitForChange<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
    generation: jlong,
    timeout_ms: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let watcher = WATCHERS.get(id)?;
        let timeout = millis(timeout_ms).unwrap_or(MAX_WAIT).min(MAX_WAIT);
        match watcher.wait_for_change(generation as u64, timeout)? {
            Some(state) => Ok(convert::leader_state(env, &state)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_watcherClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) {
    run(&mut env, (), |_| {
        if let Some(watcher) = WATCHERS.remove(id) {
            watcher.close();
        }
        Ok(())
    })
}

/// Validates the configuration and starts a membership watcher; returns its id. With
/// `discover_first`, the membership's first refresh (a full discovery) runs here (blocking,
/// its failure thrown) and the watch continues from it as generation 1 (what Carbon's
/// synchronous `init()` needs); otherwise it returns at once and the first discovery arrives
/// as generation 1. Either way one core membership, so one HTTP client, does it all.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherOpen<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
    discover_first: jboolean,
) -> jlong {
    run(&mut env, 0, |env| {
        let pairs = convert::string_pairs(env, &keys, &values)?;
        let config = Config::from_map_with_env(pairs, EnvOverlay::Ignore)?;
        open_membership(config, discover_first != JNI_FALSE)
    })
}

/// [`memberWatcherOpen`](Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherOpen)
/// for Carbon: the axis2 parameters (`keys`/`values`), the JVM's system properties and the
/// environment as layers, merged by the core (environment > system property > parameter).
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherOpenLayered<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
    property_keys: JObjectArray<'l>,
    property_values: JObjectArray<'l>,
    env_keys: JObjectArray<'l>,
    env_values: JObjectArray<'l>,
    discover_first: jboolean,
) -> jlong {
    run(&mut env, 0, |env| {
        let parameters = convert::string_pairs(env, &keys, &values)?;
        let properties = convert::string_pairs(env, &property_keys, &property_values)?;
        let environment: BTreeMap<String, String> =
            convert::string_pairs(env, &env_keys, &env_values)?
                .into_iter()
                .collect();
        let merged = merge_layers(parameters, properties, EnvOverlay::EnvWins, |key| {
            environment.get(key).cloned()
        })?;
        let config = Config::from_map_with_env(merged, EnvOverlay::Ignore)?;
        open_membership(config, discover_first != JNI_FALSE)
    })
}

fn open_membership(config: Config, discover_first: bool) -> NativeResult<jlong> {
    let membership = Membership::open(config)?;
    if discover_first {
        membership.refresh_blocking()?;
    }
    membership.watch()?;
    Ok(MEMBER_WATCHERS.insert(membership))
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherSnapshot<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let watcher = MEMBER_WATCHERS.get(id)?;
        if watcher.is_closed() {
            return Err(watcher_closed().into());
        }
        let state = watcher.snapshot();
        Ok(convert::membership_snapshot(env, &state)?.into_raw())
    })
}

/// Blocks until the member set's generation differs from `generation` (returning the new
/// snapshot) or `timeout_ms` passes (returning null). Java's listener threads loop on this.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherWaitForChange<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
    generation: jlong,
    timeout_ms: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let watcher = MEMBER_WATCHERS.get(id)?;
        let timeout = millis(timeout_ms).unwrap_or(MAX_WAIT).min(MAX_WAIT);
        match watcher.wait_for_change(generation as u64, timeout)? {
            Some(state) => Ok(convert::membership_snapshot(env, &state)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

/// Blocks until the member set has a change after generation `after` and returns it (the
/// first such change, so a caller passing each answer's generation back sees every change in
/// order), or null once `timeout_ms` passes. Closing the watcher wakes it at once with
/// `MesosClosedException`. A caller further behind than the core's log gets the current set
/// marked `resync`.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherNextChange<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
    after: jlong,
    timeout_ms: jlong,
) -> jobject {
    run(&mut env, std::ptr::null_mut(), |env| {
        let watcher = MEMBER_WATCHERS.get(id)?;
        let timeout = millis(timeout_ms).unwrap_or(MAX_WAIT).min(MAX_WAIT);
        match watcher.publisher().next_change(after as u64, timeout)? {
            Some(next) => Ok(convert::membership_change(env, &next)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_memberWatcherClose<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    id: jlong,
) {
    run(&mut env, (), |_| {
        if let Some(watcher) = MEMBER_WATCHERS.remove(id) {
            watcher.close();
        }
        Ok(())
    })
}

fn watcher_closed() -> Error {
    Error::new(ErrorKind::Closed, "this membership watcher is closed")
}

/// How many native objects are open (discoverers, leader and membership watchers); tests
/// check for leaks with it.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_openHandles<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jint {
    run(&mut env, 0, |_| {
        Ok((DISCOVERERS.len() + WATCHERS.len() + MEMBER_WATCHERS.len()) as jint)
    })
}

/// Test hook for the boundary: throws the exception of the kind named `kind`
/// (`ErrorKind::as_str`), or panics when `kind` is `"panic"`.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_Native_failForTest<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    kind: JString<'l>,
    message: JString<'l>,
) {
    run(&mut env, (), |env| {
        let kind = convert::string_arg(env, &kind, "kind")?;
        let message = convert::string_arg(env, &message, "message")?;
        if kind == "panic" {
            panic!("{message}");
        }
        let kind: ErrorKind = errors::kind_from_str(&kind)
            .ok_or_else(|| invalid(format!("no error kind {kind:?}")))?;
        Err(Error::new(kind, message).into())
    })
}
