//! Blocking calls with a caller's timeout, driven on the core's shared runtime.

use std::future::Future;
use std::time::Duration;

use core_api::{runtime, Error, ErrorKind, Result};

/// Runs `future` on the shared runtime, blocking this thread for at most `timeout_ms`
/// (`0`: no bound beyond the future's own). Refused (core `Internal` error) on a runtime thread,
/// which is where library callbacks run.
pub(crate) fn run<T>(timeout_ms: u32, future: impl Future<Output = Result<T>>) -> Result<T> {
    if timeout_ms == 0 {
        return runtime::block_on(future)?;
    }
    let limit = Duration::from_millis(u64::from(timeout_ms));
    runtime::block_on(async move {
        tokio::time::timeout(limit, future)
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no answer within the call's timeout of {timeout_ms} ms"),
                ))
            })
    })?
}
