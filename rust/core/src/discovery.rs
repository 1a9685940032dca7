//! One-shot discovery: a [`Config`] in, a [`Discovery`] out. A one-shot discovery is a
//! [`Membership`]'s first refresh; these functions are that, for callers that ask once.

use crate::config::Config;
use crate::error::Result;
use crate::membership::Membership;
use crate::model::Discovery;
use crate::runtime;

/// The former one-shot handle: a [`Membership`] that is only ever refreshed. Front ends that
/// also watch should hold the [`Membership`] itself (one HTTP client for both).
#[derive(Debug)]
pub struct Discoverer {
    membership: Membership,
}

impl Discoverer {
    /// Validates TLS and auth settings and builds the HTTP client; does no I/O.
    pub fn new(config: Config) -> Result<Discoverer> {
        Ok(Discoverer {
            membership: Membership::open(config)?,
        })
    }

    pub fn config(&self) -> &Config {
        self.membership.config()
    }

    /// The membership behind it.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// One full discovery: members sorted and de-duplicated, plus warnings.
    pub async fn discover(&self) -> Result<Discovery> {
        self.membership.refresh().await
    }

    /// [`Discoverer::discover`] on the shared runtime, blocking this thread.
    pub fn discover_blocking(&self) -> Result<Discovery> {
        self.membership.refresh_blocking()
    }
}

/// One discovery with a fresh client.
pub async fn discover(config: &Config) -> Result<Discovery> {
    Membership::open(config.clone())?.refresh().await
}

/// [`discover`] on the shared runtime, blocking this thread.
pub fn discover_blocking(config: &Config) -> Result<Discovery> {
    runtime::block_on(discover(config))?
}
