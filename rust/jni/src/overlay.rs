//! The native method of `org.wso2.carbon.clustering.mesos.internal.NativeEnvironment`: the
//! core's environment overlay ([`merge_env`]) for Java front ends that resolve their
//! configuration before opening a discoverer or watcher (the Hazelcast Discovery SPI plugin),
//! so the order of precedence is decided in the core only.

use jni::objects::{JClass, JObjectArray};
use jni::sys::{jboolean, jobjectArray, JNI_FALSE};
use jni::JNIEnv;
use mesos_discovery::config::{merge_env, EnvOverlay};

use crate::boundary::run;
use crate::convert;

/// `keys`/`values` overlaid with this process's environment, as a flat `String[]` (key, value,
/// key, value, …). `environmentWins` picks the Carbon order, otherwise the map wins and the
/// environment fills in the keys it lacks (the CLI's order). An unknown key is a config error.
#[no_mangle]
pub extern "system" fn Java_org_wso2_carbon_clustering_mesos_internal_NativeEnvironment_overlay<
    'l,
>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
    environment_wins: jboolean,
) -> jobjectArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let pairs = convert::string_pairs(env, &keys, &values)?;
        let overlay = if environment_wins == JNI_FALSE {
            EnvOverlay::MapWins
        } else {
            EnvOverlay::EnvWins
        };
        let merged = merge_env(pairs, overlay, |key| std::env::var(key).ok())?;
        let flat: Vec<&str> = merged
            .iter()
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        Ok(convert::string_array(env, &flat)?.into_raw())
    })
}
