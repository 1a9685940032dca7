//! Global references to the Java classes the bridge instantiates or throws, looked up once in
//! `JNI_OnLoad` through the class loader that loaded the library (inside OSGi, the bundle's).

use std::sync::OnceLock;

use jni::objects::{GlobalRef, JClass};
use jni::JNIEnv;

use crate::errors::EXCEPTION_CLASSES;

pub const PACKAGE: &str = "org/wso2/carbon/clustering/mesos";

pub struct Classes {
    pub string: GlobalRef,
    pub member: GlobalRef,
    pub discovery_result: GlobalRef,
    pub master: GlobalRef,
    pub leader_state: GlobalRef,
    pub membership_snapshot: GlobalRef,
    pub membership_change: GlobalRef,
    /// Same order as [`EXCEPTION_CLASSES`].
    pub exceptions: Vec<GlobalRef>,
}

static CLASSES: OnceLock<Classes> = OnceLock::new();

fn global(env: &mut JNIEnv, name: &str) -> jni::errors::Result<GlobalRef> {
    let class = env.find_class(name)?;
    let global = env.new_global_ref(&class)?;
    env.delete_local_ref(class)?;
    Ok(global)
}

pub fn init(env: &mut JNIEnv) -> jni::errors::Result<()> {
    if CLASSES.get().is_some() {
        return Ok(());
    }
    let mut exceptions = Vec::with_capacity(EXCEPTION_CLASSES.len());
    for name in EXCEPTION_CLASSES {
        exceptions.push(global(env, &format!("{PACKAGE}/{name}"))?);
    }
    let classes = Classes {
        string: global(env, "java/lang/String")?,
        member: global(env, &format!("{PACKAGE}/MesosMember"))?,
        discovery_result: global(env, &format!("{PACKAGE}/DiscoveryResult"))?,
        master: global(env, &format!("{PACKAGE}/MesosMaster"))?,
        leader_state: global(env, &format!("{PACKAGE}/LeaderState"))?,
        membership_snapshot: global(env, &format!("{PACKAGE}/MembershipSnapshot"))?,
        membership_change: global(env, &format!("{PACKAGE}/MembershipChange"))?,
        exceptions,
    };
    let _ = CLASSES.set(classes);
    Ok(())
}

/// The cached classes; `None` only if `JNI_OnLoad` did not run (which the JVM guarantees).
pub fn get() -> Option<&'static Classes> {
    CLASSES.get()
}

/// A cached global class reference viewed as a `JClass`.
pub fn as_class(global: &GlobalRef) -> &JClass<'static> {
    <&JClass>::from(global.as_obj())
}
