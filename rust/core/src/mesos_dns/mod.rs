//! Member discovery through the Mesos-DNS HTTP API (`GET /v1/services/{srv-name}`).
//!
//! Mesos-DNS only learns about tasks on its refresh cycle, so a node that starts together with
//! its peers polls until every app has records or `DNS_UPDATE_TIMEOUT` passes, then returns
//! what exists with a warning for each app that had none.

pub mod naming;
pub mod records;

use std::time::Duration;

use futures_util::future::try_join_all;
use tokio::time::Instant;

use crate::config::{AddressMode, Config, PortSelector};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Service};
use crate::model::{Discovery, Member, Warning};

/// Mesos-DNS as the transport sees it: its errors are short plain-text lines.
const SERVICE: Service = Service {
    name: "Mesos-DNS",
    hint: plain_hint,
};

fn plain_hint(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.to_string())
}
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(2);

/// The SRV name queried for an app under this configuration.
pub fn query_name(config: &Config, app_id: &str) -> String {
    let port_name = match &config.port {
        PortSelector::Name(name) => Some(name.as_str()),
        PortSelector::Index(_) => None,
    };
    // Named records exist only in the DiscoveryInfo zone; `host` mode otherwise asks the
    // `.slave` zone, whose records always carry the agent IP and host port.
    let agent = config.address_mode == AddressMode::Host && port_name.is_none();
    naming::srv_name(app_id, port_name, agent)
}

async fn query(
    http: &HttpClient,
    config: &Config,
    app_id: &str,
) -> Result<(Vec<Member>, Vec<Warning>)> {
    let name = query_name(config, app_id);
    let path = format!("/v1/services/{name}");
    let reply = http
        .get(&SERVICE, &config.mesos_dns_endpoints, &path)
        .await?;
    match reply.status.as_u16() {
        200..=299 => {
            let records = records::parse_services(&reply.body)
                .map_err(|e| e.context(format!("{} {}", SERVICE.name, reply.from)))?;
            Ok(records::members(app_id, &records))
        }
        // Mesos-DNS answers 200 even for unknown names; a 404 means this is not Mesos-DNS.
        404 => Err(Error::protocol(format!(
            "{} {}: HTTP 404: is this really Mesos-DNS (its API is under /v1)?",
            SERVICE.name, reply.from
        ))),
        _ => Err(http.unexpected(&SERVICE, &reply)),
    }
}

/// One query per app, no waiting: (members, warnings) per app, in `config.apps` order.
pub(crate) async fn query_all(
    http: &HttpClient,
    config: &Config,
) -> Result<Vec<(Vec<Member>, Vec<Warning>)>> {
    try_join_all(config.apps.iter().map(|app| query(http, config, app))).await
}

pub async fn discover(http: &HttpClient, config: &Config) -> Result<Discovery> {
    let give_up = Instant::now() + config.dns_update_timeout;
    let mut pause = POLL_FIRST;
    loop {
        let answers = query_all(http, config).await?;
        let missing: Vec<&String> = config
            .apps
            .iter()
            .zip(&answers)
            .filter(|(_, (members, _))| members.is_empty())
            .map(|(app, _)| app)
            .collect();
        if missing.is_empty() || Instant::now() + pause > give_up {
            let mut found = Discovery::default();
            if config.healthy_only {
                found.warnings.push(Warning {
                    app_id: None,
                    task_id: None,
                    message: format!(
                        "{} has no effect with Mesos-DNS: it publishes every running task, healthy or not",
                        crate::config::HEALTHY_ONLY
                    ),
                });
            }
            for app in &missing {
                found.warnings.push(Warning::app(
                    app,
                    format!(
                        "no Mesos-DNS records for {} after {:?}",
                        query_name(config, app),
                        config.dns_update_timeout
                    ),
                ));
            }
            for (members, warnings) in answers {
                found.members.extend(members);
                found.warnings.extend(warnings);
            }
            return Ok(found);
        }
        log::debug!("Mesos-DNS has no records yet for {missing:?}; asking again in {pause:?}");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(POLL_MAX);
    }
}
