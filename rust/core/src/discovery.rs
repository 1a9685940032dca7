//! Entry point: a [`Config`] in, a [`Discovery`] out, by the configured scheme.
//!
//! [`Discoverer`] owns the HTTP client (connection pool, TLS roots), so front ends that ask
//! repeatedly (a C handle, a Java scheme, a watcher) keep one and reuse its connections.

use crate::config::{Config, Scheme};
use crate::error::Result;
use crate::http::HttpClient;
use crate::model::Discovery;
use crate::{marathon, mesos_dns, runtime};

/// Discovers members for one configuration, reusing connections across calls.
#[derive(Debug)]
pub struct Discoverer {
    config: Config,
    http: HttpClient,
}

impl Discoverer {
    /// Validates TLS settings and builds the HTTP client; does no I/O.
    pub fn new(config: Config) -> Result<Discoverer> {
        let http = HttpClient::new(&config)?;
        Ok(Discoverer { config, http })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One full discovery: members sorted and de-duplicated, plus warnings.
    pub async fn discover(&self) -> Result<Discovery> {
        let mut found = match self.config.scheme {
            Scheme::Marathon => {
                // `zk://` Marathon: its leader is read once per discovery.
                let config = crate::zk::marathon_leader::resolve_config(&self.config).await?;
                marathon::discover(&self.http, &config).await?
            }
            Scheme::MesosDns => mesos_dns::discover(&self.http, &self.config).await?,
        };
        found.normalize();
        for warning in &found.warnings {
            log::warn!("{warning}");
        }
        Ok(found)
    }

    /// [`Discoverer::discover`] on the shared runtime, blocking this thread.
    pub fn discover_blocking(&self) -> Result<Discovery> {
        runtime::block_on(self.discover())?
    }
}

/// One discovery with a fresh client.
pub async fn discover(config: &Config) -> Result<Discovery> {
    Discoverer::new(config.clone())?.discover().await
}

/// [`discover`] on the shared runtime, blocking this thread.
pub fn discover_blocking(config: &Config) -> Result<Discovery> {
    runtime::block_on(discover(config))?
}
