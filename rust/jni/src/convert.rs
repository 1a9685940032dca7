//! Java ↔ Rust value conversion. Every object built here is made inside a local frame or has
//! its local references deleted, so long member lists never overflow the JVM's local
//! reference table (and `-Xcheck:jni` stays quiet).

use jni::objects::{JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::jsize;
use jni::JNIEnv;
use mesos_discovery::publish::Next;
use mesos_discovery::zk::LeaderState;
use mesos_discovery::{Discovery, Member, MembershipChange, MembershipState};
use serde_json::Value;

use crate::boundary::{invalid, Failure, NativeResult};
use crate::classes::{self, Classes};

fn cached() -> NativeResult<&'static Classes> {
    classes::get().ok_or_else(|| {
        Failure::Core(mesos_discovery::Error::internal(
            "the JNI bridge was not initialised (JNI_OnLoad did not run)",
        ))
    })
}

/// A non-null Java string argument as a Rust string; `what` names it in the error.
pub fn string_arg(env: &mut JNIEnv, value: &JString, what: &str) -> NativeResult<String> {
    if value.is_null() {
        return Err(invalid(format!("{what} must not be null")));
    }
    Ok(env.get_string(value)?.into())
}

/// Two parallel `String[]` arrays (keys, values) as pairs. Null values are empty strings
/// (which the configuration treats as "not set").
pub fn string_pairs(
    env: &mut JNIEnv,
    keys: &JObjectArray,
    values: &JObjectArray,
) -> NativeResult<Vec<(String, String)>> {
    if keys.is_null() || values.is_null() {
        return Err(invalid("configuration keys and values must not be null"));
    }
    let n = env.get_array_length(keys)?;
    if n != env.get_array_length(values)? {
        return Err(invalid("configuration keys and values differ in length"));
    }
    let mut pairs = Vec::with_capacity(n as usize);
    for i in 0..n {
        let key = JString::from(env.get_object_array_element(keys, i)?);
        let value = JString::from(env.get_object_array_element(values, i)?);
        let k = string_arg(env, &key, "a configuration key")?;
        let v = if value.is_null() {
            String::new()
        } else {
            env.get_string(&value)?.into()
        };
        env.delete_local_ref(key)?;
        env.delete_local_ref(value)?;
        pairs.push((k, v));
    }
    Ok(pairs)
}

fn opt_string<'local>(
    env: &mut JNIEnv<'local>,
    value: Option<&str>,
) -> NativeResult<JObject<'local>> {
    Ok(match value {
        Some(s) => env.new_string(s)?.into(),
        None => JObject::null(),
    })
}

/// A `String[]` of `items`.
pub fn string_array<'local, S: AsRef<str>>(
    env: &mut JNIEnv<'local>,
    items: &[S],
) -> NativeResult<JObjectArray<'local>> {
    let class = classes::as_class(&cached()?.string);
    let array = env.new_object_array(items.len() as jsize, class, JObject::null())?;
    for (i, item) in items.iter().enumerate() {
        let s = env.new_string(item.as_ref())?;
        env.set_object_array_element(&array, i as jsize, &s)?;
        env.delete_local_ref(s)?;
    }
    Ok(array)
}

fn member<'local>(env: &mut JNIEnv<'local>, m: &Member) -> NativeResult<JObject<'local>> {
    let class = classes::as_class(&cached()?.member);
    let host = env.new_string(&m.host)?;
    let app = env.new_string(&m.app_id)?;
    let task = env.new_string(&m.task_id)?;
    let state = env.new_string(&m.state)?;
    let healthy = match m.healthy {
        None => -1,
        Some(false) => 0,
        Some(true) => 1,
    };
    let object = env.new_object(
        class,
        "(Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;I)V",
        &[
            JValue::Object(&host),
            JValue::Int(i32::from(m.port)),
            JValue::Object(&app),
            JValue::Object(&task),
            JValue::Object(&state),
            JValue::Int(healthy),
        ],
    )?;
    for local in [host, app, task, state] {
        env.delete_local_ref(local)?;
    }
    Ok(object)
}

/// A `MesosMember[]`.
fn member_array<'local>(
    env: &mut JNIEnv<'local>,
    items: &[Member],
) -> NativeResult<JObjectArray<'local>> {
    let class = classes::as_class(&cached()?.member);
    let array = env.new_object_array(items.len() as jsize, class, JObject::null())?;
    for (i, m) in items.iter().enumerate() {
        let object = member(env, m)?;
        env.set_object_array_element(&array, i as jsize, &object)?;
        env.delete_local_ref(object)?;
    }
    Ok(array)
}

/// A `DiscoveryResult(MesosMember[] members, String[] warnings)`.
pub fn discovery<'local>(env: &mut JNIEnv<'local>, d: &Discovery) -> NativeResult<JObject<'local>> {
    let c = cached()?;
    let members = member_array(env, &d.members)?;
    let warnings: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
    let warnings = string_array(env, &warnings)?;
    let result = env.new_object(
        classes::as_class(&c.discovery_result),
        "([Lorg/wso2/carbon/clustering/mesos/MesosMember;[Ljava/lang/String;)V",
        &[JValue::Object(&members), JValue::Object(&warnings)],
    )?;
    env.delete_local_ref(members)?;
    env.delete_local_ref(warnings)?;
    Ok(result)
}

/// The fields of a master as the Java constructor takes them, read from the core's JSON
/// shape (so the Java side sees exactly what the CLI and C print).
#[derive(Debug, PartialEq, Eq)]
pub struct MasterFields {
    pub id: String,
    pub hostname: Option<String>,
    pub ip: String,
    pub port: i32,
    pub pid: Option<String>,
    pub version: Option<String>,
    pub region: Option<String>,
    pub zone: Option<String>,
    pub capabilities: Vec<String>,
    pub znode: String,
    pub sequence: i64,
    pub format: String,
    pub leader: bool,
    pub json: String,
}

fn text(value: Option<&Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

impl MasterFields {
    pub fn from_json(json: Value) -> MasterFields {
        let get = |k: &str| json.get(k);
        MasterFields {
            id: text(get("id")).unwrap_or_default(),
            hostname: text(get("hostname")),
            ip: text(get("ip")).unwrap_or_default(),
            port: get("port").and_then(Value::as_i64).unwrap_or(0) as i32,
            pid: text(get("pid")),
            version: text(get("version")),
            region: text(get("domain").and_then(|d| d.get("region"))),
            zone: text(get("domain").and_then(|d| d.get("zone"))),
            capabilities: match get("capabilities") {
                Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
                _ => Vec::new(),
            },
            znode: text(get("znode")).unwrap_or_default(),
            sequence: get("sequence").and_then(Value::as_i64).unwrap_or(-1),
            format: text(get("format")).unwrap_or_default(),
            leader: get("leader").and_then(Value::as_bool).unwrap_or(false),
            json: json.to_string(),
        }
    }
}

/// A `MesosMaster`, from anything serialising to the core's master JSON.
pub fn master<'local, M: serde::Serialize>(
    env: &mut JNIEnv<'local>,
    m: &M,
) -> NativeResult<JObject<'local>> {
    let json = serde_json::to_value(m)
        .map_err(|e| mesos_discovery::Error::internal(format!("cannot serialise a master: {e}")))?;
    let f = MasterFields::from_json(json);
    let class = classes::as_class(&cached()?.master);
    env.with_local_frame_returning_local(16, |env| new_master(env, class, &f))
}

fn new_master<'a>(
    env: &mut JNIEnv<'a>,
    class: &JClass,
    f: &MasterFields,
) -> NativeResult<JObject<'a>> {
    let id = env.new_string(&f.id)?;
    let hostname = opt_string(env, f.hostname.as_deref())?;
    let ip = env.new_string(&f.ip)?;
    let pid = opt_string(env, f.pid.as_deref())?;
    let version = opt_string(env, f.version.as_deref())?;
    let region = opt_string(env, f.region.as_deref())?;
    let zone = opt_string(env, f.zone.as_deref())?;
    let capabilities = string_array(env, &f.capabilities)?;
    let znode = env.new_string(&f.znode)?;
    let format = env.new_string(&f.format)?;
    let json = env.new_string(&f.json)?;
    Ok(env.new_object(
        class,
        "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;JLjava/lang/String;ZLjava/lang/String;)V",
        &[
            JValue::Object(&id),
            JValue::Object(&hostname),
            JValue::Object(&ip),
            JValue::Int(f.port),
            JValue::Object(&pid),
            JValue::Object(&version),
            JValue::Object(&region),
            JValue::Object(&zone),
            JValue::Object(&capabilities),
            JValue::Object(&znode),
            JValue::Long(f.sequence),
            JValue::Object(&format),
            JValue::Bool(u8::from(f.leader)),
            JValue::Object(&json),
        ],
    )?)
}

/// A `MesosMaster[]`.
pub fn masters<'local, M: serde::Serialize>(
    env: &mut JNIEnv<'local>,
    items: &[M],
) -> NativeResult<JObjectArray<'local>> {
    let class = classes::as_class(&cached()?.master);
    let array = env.new_object_array(items.len() as jsize, class, JObject::null())?;
    for (i, m) in items.iter().enumerate() {
        let object = master(env, m)?;
        env.set_object_array_element(&array, i as jsize, &object)?;
        env.delete_local_ref(object)?;
    }
    Ok(array)
}

/// A `LeaderState(long generation, MesosMaster leader, String errorKind, String errorMessage)`.
pub fn leader_state<'local>(
    env: &mut JNIEnv<'local>,
    state: &LeaderState,
) -> NativeResult<JObject<'local>> {
    let class = classes::as_class(&cached()?.leader_state);
    env.with_local_frame_returning_local(8, |env| new_leader_state(env, class, state))
}

fn new_leader_state<'a>(
    env: &mut JNIEnv<'a>,
    class: &JClass,
    state: &LeaderState,
) -> NativeResult<JObject<'a>> {
    let master = match &state.leader {
        Some(m) => master(env, m)?,
        None => JObject::null(),
    };
    let kind = opt_string(env, state.error.as_ref().map(|e| e.kind().as_str()))?;
    let message = opt_string(env, state.error.as_ref().map(|e| e.message()))?;
    Ok(env.new_object(
        class,
        "(JLorg/wso2/carbon/clustering/mesos/MesosMaster;Ljava/lang/String;Ljava/lang/String;)V",
        &[
            JValue::Long(state.generation as i64),
            JValue::Object(&master),
            JValue::Object(&kind),
            JValue::Object(&message),
        ],
    )?)
}

/// A `MembershipSnapshot(long generation, MesosMember[] members, String[] warnings,
/// String errorKind, String errorMessage)`.
pub fn membership_snapshot<'local>(
    env: &mut JNIEnv<'local>,
    state: &MembershipState,
) -> NativeResult<JObject<'local>> {
    let class = classes::as_class(&cached()?.membership_snapshot);
    env.with_local_frame_returning_local(8, |env| new_membership_snapshot(env, class, state))
}

fn new_membership_snapshot<'a>(
    env: &mut JNIEnv<'a>,
    class: &JClass,
    state: &MembershipState,
) -> NativeResult<JObject<'a>> {
    let members = member_array(env, &state.members)?;
    let warnings: Vec<String> = state.warnings.iter().map(ToString::to_string).collect();
    let warnings = string_array(env, &warnings)?;
    let kind = opt_string(env, state.error.as_ref().map(|e| e.kind().as_str()))?;
    let message = opt_string(env, state.error.as_ref().map(|e| e.message()))?;
    Ok(env.new_object(
        class,
        "(J[Lorg/wso2/carbon/clustering/mesos/MesosMember;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V",
        &[
            JValue::Long(state.generation as i64),
            JValue::Object(&members),
            JValue::Object(&warnings),
            JValue::Object(&kind),
            JValue::Object(&message),
        ],
    )?)
}

/// A `MembershipChange(long generation, MesosMember[] added, MesosMember[] removed,
/// MesosMember[] members, boolean resync)`: the core's change, or — when the caller fell behind
/// the core's log of changes — the current set with `resync` and no added/removed.
pub fn membership_change<'local>(
    env: &mut JNIEnv<'local>,
    next: &Next<MembershipState, MembershipChange>,
) -> NativeResult<JObject<'local>> {
    let class = classes::as_class(&cached()?.membership_change);
    env.with_local_frame_returning_local(8, |env| {
        let (generation, added, removed, members, resync) = match next {
            Next::Change(c) => (c.generation, &c.added[..], &c.removed[..], &c.members[..], false),
            Next::Behind(state) => (state.generation, &[][..], &[][..], &state.members[..], true),
        };
        let added = member_array(env, added)?;
        let removed = member_array(env, removed)?;
        let members = member_array(env, members)?;
        Ok(env.new_object(
            class,
            "(J[Lorg/wso2/carbon/clustering/mesos/MesosMember;[Lorg/wso2/carbon/clustering/mesos/MesosMember;[Lorg/wso2/carbon/clustering/mesos/MesosMember;Z)V",
            &[
                JValue::Long(generation as i64),
                JValue::Object(&added),
                JValue::Object(&removed),
                JValue::Object(&members),
                JValue::Bool(u8::from(resync)),
            ],
        )?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_fields_from_core_json() {
        let json = serde_json::json!({
            "id": "m1", "hostname": null, "ip": "10.0.0.5", "port": 5050,
            "pid": "master@10.0.0.5:5050", "version": "1.10.0",
            "domain": {"region": "eu", "zone": null},
            "capabilities": ["AGENT_UPDATE"], "znode": "/mesos/json.info_0000000003",
            "sequence": 3, "format": "json", "leader": true
        });
        let f = MasterFields::from_json(json);
        assert_eq!(f.id, "m1");
        assert_eq!(f.hostname, None);
        assert_eq!(f.port, 5050);
        assert_eq!(f.region.as_deref(), Some("eu"));
        assert_eq!(f.zone, None);
        assert_eq!(f.capabilities, vec!["AGENT_UPDATE"]);
        assert_eq!(f.sequence, 3);
        assert_eq!(f.format, "json");
        assert!(f.leader);
        assert!(f.json.contains("\"znode\":\"/mesos/json.info_0000000003\""));
    }
}
