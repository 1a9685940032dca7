//! The tokio runtime that blocking front ends (CLI one-shots, C, Python, Java) drive.
//!
//! One lazily built, process-wide multi-thread runtime with two workers: front ends call
//! `block_on` from their own threads, and long-lived tasks (watchers) are spawned onto it, so
//! callbacks never run on a caller's thread. It is never shut down: it lives as long as the
//! process (or the loaded library), which is what a JVM or a C program that loads us expects.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::error::{Error, Result};

static SHARED: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

/// The shared runtime's handle, building the runtime on first use.
pub fn handle() -> Result<Handle> {
    SHARED
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("mesos-discovery")
                .enable_all()
                .build()
                .map_err(|e| format!("could not start the async runtime: {e}"))
        })
        .as_ref()
        .map(|rt| rt.handle().clone())
        .map_err(|e| Error::internal(e.clone()))
}

/// Runs `future` to completion on the shared runtime, blocking this thread.
///
/// Must not be called from inside the runtime itself (tokio forbids nested `block_on`);
/// that misuse is reported as an error instead of a panic.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(Error::internal(
            "a blocking mesos-discovery call was made from inside an async runtime; use the async API",
        ));
    }
    Ok(handle()?.block_on(future))
}
