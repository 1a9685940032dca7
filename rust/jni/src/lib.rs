//! JNI bridge of mesos-discovery: `Java_…` functions for the Java class
//! `org.wso2.carbon.clustering.mesos.internal.Native` ([`natives`]) and the environment overlay
//! of `internal.NativeEnvironment` ([`overlay`]), and nothing else. No discovery logic
//! lives here: every function converts Java arguments, calls the core, converts the answer.
//!
//! Rules every native function follows (see [`boundary::run`]):
//! - a panic never crosses into the JVM: it is caught and thrown as `MesosInternalException`;
//! - each core [`mesos_discovery::ErrorKind`] is thrown as its own Java exception
//!   ([`errors::exception_class`]);
//! - long-lived native objects (discoverers, leader and membership watchers) never cross as raw
//!   pointers: Java holds an id into a [`registry::Registry`], so a stale, doubled or forged id
//!   is an exception, never a crash, and closing while another thread is inside a call is safe;
//! - no native thread ever calls into Java. Log records of the core (which runs on the shared
//!   tokio runtime's threads) are queued ([`logging`]) and drained by Java on Java threads;
//!   leader and membership changes are delivered by Java threads that wait in native code
//!   ([`natives`]). So there is no thread attaching, no class-loader lookup from a foreign
//!   thread (which would fail inside OSGi), and no way to deadlock against a lock held by Java
//!   logging.

pub mod boundary;
pub mod classes;
pub mod convert;
pub mod errors;
pub mod logging;
pub mod natives;
pub mod overlay;
pub mod registry;

use std::ffi::c_void;

use jni::sys::{jint, JNI_ERR, JNI_VERSION_1_6};
use jni::JavaVM;

/// Called by the JVM when `System.load` loads this library. Caches the classes the bridge
/// builds or throws (through the loading class's class loader, the only one that sees them
/// inside OSGi) and installs the log queue.
///
/// # Safety
/// Called by the JVM with a valid `JavaVM` pointer.
#[no_mangle]
pub extern "system" fn JNI_OnLoad(vm: JavaVM, _reserved: *mut c_void) -> jint {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut env = vm.get_env().map_err(|e| e.to_string())?;
        classes::init(&mut env).map_err(|e| e.to_string())
    }));
    match outcome {
        Ok(Ok(())) => {
            logging::install();
            JNI_VERSION_1_6
        }
        Ok(Err(why)) => {
            eprintln!("mesos-discovery: cannot initialise the JNI bridge: {why}");
            JNI_ERR
        }
        Err(_) => JNI_ERR,
    }
}
