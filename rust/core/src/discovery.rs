//! One-shot discovery: a [`Config`] in, a [`Discovery`] out. A one-shot discovery is a
//! [`Membership`]'s first refresh; these functions are that, for callers that ask once.

use crate::config::Config;
use crate::error::Result;
use crate::membership::Membership;
use crate::model::Discovery;
use crate::runtime;

/// One discovery with a fresh client.
pub async fn discover(config: &Config) -> Result<Discovery> {
    Membership::open(config.clone())?.refresh_once().await
}

/// [`discover`] on the shared runtime, blocking this thread.
pub fn discover_blocking(config: &Config) -> Result<Discovery> {
    runtime::block_on(discover(config))?
}
