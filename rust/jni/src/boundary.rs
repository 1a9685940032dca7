//! The panic and error boundary every `Java_…` function goes through.

use std::panic::{self, AssertUnwindSafe};

use jni::JNIEnv;
use mesos_discovery::{Error, ErrorKind};

use crate::{classes, errors};

/// Why a native call failed.
#[derive(Debug)]
pub enum Failure {
    /// A core error: thrown as the kind's exception with the core's message.
    Core(Error),
    /// A JNI call failed. If it left a Java exception pending (`JavaException`), that one
    /// propagates untouched; anything else is a bridge bug, thrown as an internal error.
    Jni(jni::errors::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<jni::errors::Error> for Failure {
    fn from(e: jni::errors::Error) -> Self {
        Failure::Jni(e)
    }
}

pub type NativeResult<T> = Result<T, Failure>;

/// Runs `body`, turning its error or panic into a Java exception and returning `fallback`
/// (which Java never sees, since the exception is pending on return).
pub fn run<'local, T>(
    env: &mut JNIEnv<'local>,
    fallback: T,
    body: impl FnOnce(&mut JNIEnv<'local>) -> NativeResult<T>,
) -> T {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(env)));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(Failure::Core(e))) => e,
        Ok(Err(Failure::Jni(jni::errors::Error::JavaException))) => {
            // A Java exception (OutOfMemoryError, …) is already pending: let it through.
            return fallback;
        }
        Ok(Err(Failure::Jni(e))) => Error::internal(format!("JNI bridge: {e}")),
        Err(payload) => Error::internal(format!(
            "mesos-discovery native code panicked: {}",
            panic_message(payload.as_ref())
        )),
    };
    throw(env, &error);
    fallback
}

/// The text of a panic payload (`&str` or `String`, as `panic!` makes them).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Throws `error` as its kind's Java exception, unless an exception is already pending.
pub fn throw(env: &mut JNIEnv, error: &Error) {
    if env.exception_check().unwrap_or(true) {
        return;
    }
    let index = errors::exception_index(error.kind());
    let thrown = match classes::get() {
        Some(cached) => env.throw_new(
            classes::as_class(&cached.exceptions[index]),
            error.message(),
        ),
        None => env.throw_new(
            format!("{}/{}", classes::PACKAGE, errors::EXCEPTION_CLASSES[index]),
            error.message(),
        ),
    };
    if thrown.is_err() && !env.exception_check().unwrap_or(true) {
        let _ = env.throw_new("java/lang/IllegalStateException", error.message());
    }
}

/// An `InvalidArgument` failure.
pub fn invalid(message: impl Into<String>) -> Failure {
    Failure::Core(Error::new(ErrorKind::InvalidArgument, message))
}
