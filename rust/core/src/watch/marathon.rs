//! Following Marathon's event stream.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::{sleep_until, Instant};

use super::sse::{SseEvent, SseParser};
use super::{reconnect_pause, Tracker};
use crate::config::{normalize_app_id, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpClient;
use crate::marathon::{fetch_apps, merge, AppOutcome};
use crate::model::Discovery;

const SERVICE: &str = "Marathon event stream";
/// Events that can change which tasks are members, or their health.
pub const EVENT_TYPES: &[&str] = &[
    "status_update_event",
    "instance_changed_event",
    "health_status_changed_event",
    "instance_health_changed_event",
    "app_terminated_event",
    "deployment_success",
    "deployment_failed",
];
/// Events about one app close together are fetched once.
const DEBOUNCE: Duration = Duration::from_millis(100);
/// The largest event we accept (Marathon's are a few KiB; light deployment plans are small).
const MAX_EVENT_BYTES: usize = 4 << 20;
/// A stream that lived this long counts as healthy: the next reconnect starts from a short pause.
const STABLE_AFTER: Duration = Duration::from_secs(30);

pub fn events_path() -> String {
    let filters: Vec<String> = EVENT_TYPES
        .iter()
        .map(|t| format!("event_type={t}"))
        .collect();
    format!("/v2/events?{}", filters.join("&"))
}

/// The configured apps an event concerns; `None` when it concerns none of them.
pub fn affected_apps(event: &SseEvent, apps: &[String]) -> Option<Vec<String>> {
    if !EVENT_TYPES.contains(&event.event.as_str()) {
        return None;
    }
    if event.event.starts_with("deployment_") {
        // Light deployment events do not list their apps: look at all of ours.
        return Some(apps.to_vec());
    }
    let data: serde_json::Value = serde_json::from_str(&event.data).ok()?;
    let app = data
        .get("appId")
        .or_else(|| data.get("runSpecId"))?
        .as_str()?;
    let app = normalize_app_id(app).ok()?;
    apps.contains(&app).then(|| vec![app])
}

async fn full_resync(config: &Config, http: &HttpClient, tracker: &mut Tracker) -> Result<()> {
    // Unlike a one-shot discovery, no app at all is a state to follow, not an error.
    let (found, _missing) = merge(fetch_apps(http, config, &config.apps).await?);
    tracker.replace_all(found);
    Ok(())
}

async fn refresh(
    config: &Config,
    http: &HttpClient,
    tracker: &mut Tracker,
    apps: Vec<String>,
) -> Result<()> {
    let outcomes = fetch_apps(http, config, &apps).await?;
    let patched = apps
        .into_iter()
        .zip(outcomes)
        .map(|(app, outcome)| match outcome {
            AppOutcome::Found(d) => (app, d),
            AppOutcome::Missing(w) => (
                app,
                Discovery {
                    members: Vec::new(),
                    warnings: vec![w],
                },
            ),
        })
        .collect();
    tracker.replace_apps(patched);
    Ok(())
}

/// Why a stream ended.
enum Ended {
    /// Dropped, failed or idle: reconnect (with a full resync).
    Reconnect(Error),
}

async fn read_stream(
    config: &Config,
    http: &HttpClient,
    tracker: &mut Tracker,
    response: reqwest::Response,
) -> Ended {
    let mut body = response.bytes_stream();
    let mut parser = SseParser::new(MAX_EVENT_BYTES);
    let mut dirty: BTreeSet<String> = BTreeSet::new();
    let mut debounce: Option<Instant> = None;
    let mut resync_at = Instant::now() + config.resync_interval;
    let far = || Instant::now() + Duration::from_secs(86_400);
    loop {
        let idle_at = Instant::now() + config.stream_idle_timeout;
        tokio::select! {
            chunk = body.next() => match chunk {
                Some(Ok(bytes)) => match parser.feed(&bytes) {
                    Ok(events) => {
                        for event in events {
                            if let Some(apps) = affected_apps(&event, &config.apps) {
                                log::debug!("{SERVICE}: {} concerns {apps:?}", event.event);
                                dirty.extend(apps);
                                debounce.get_or_insert_with(|| Instant::now() + DEBOUNCE);
                            }
                        }
                    }
                    Err(e) => return Ended::Reconnect(e.context(SERVICE)),
                },
                Some(Err(e)) => return Ended::Reconnect(Error::new(ErrorKind::Network, format!("{SERVICE}: the stream broke ({})", e.without_url()))),
                None => return Ended::Reconnect(Error::new(ErrorKind::Network, format!("{SERVICE}: Marathon closed the stream"))),
            },
            _ = sleep_until(idle_at) => {
                return Ended::Reconnect(Error::new(ErrorKind::Timeout, format!("{SERVICE}: nothing received for {:?} (not even a heartbeat)", config.stream_idle_timeout)));
            }
            _ = sleep_until(debounce.unwrap_or_else(far)), if debounce.is_some() => {
                debounce = None;
                let apps: Vec<String> = std::mem::take(&mut dirty).into_iter().collect();
                if let Err(e) = refresh(config, http, tracker, apps).await {
                    return Ended::Reconnect(e);
                }
            }
            _ = sleep_until(resync_at) => {
                resync_at = Instant::now() + config.resync_interval;
                if let Err(e) = full_resync(config, http, tracker).await {
                    return Ended::Reconnect(e);
                }
            }
        }
    }
}

pub(super) async fn follow(config: Config, http: Arc<HttpClient>, mut tracker: Tracker) {
    let path = events_path();
    let mut attempt: u32 = 0;
    // `MARATHON_ENDPOINT=zk://…`: the stream follows the leader ZooKeeper names.
    let follower = crate::zk::marathon_leader::follower_for(&config);
    let mut leader = follower.as_ref().map(|f| f.leader());
    loop {
        if attempt > 0 {
            tokio::time::sleep(reconnect_pause(attempt - 1)).await;
        }
        attempt = attempt.saturating_add(1);
        let config = match &mut leader {
            None => std::borrow::Cow::Borrowed(&config),
            Some(leader) => {
                match crate::zk::marathon_leader::config_with_leader(&config, leader).await {
                    Some(Ok(at_leader)) => std::borrow::Cow::Owned(at_leader),
                    Some(Err(e)) => {
                        tracker.failed(e);
                        attempt = 0;
                        continue;
                    }
                    None => return, // the follower is gone: the watcher is closing
                }
            }
        };
        // Open the stream first, then resync: whatever changes after the resync's reads is
        // then on the stream, so nothing falls between the two.
        let response = match http
            .open_stream(
                SERVICE,
                &config.marathon_endpoints,
                &path,
                "text/event-stream",
            )
            .await
        {
            Ok(response) => response,
            Err(e) => {
                tracker.failed(e);
                continue;
            }
        };
        if let Err(e) = full_resync(&config, &http, &mut tracker).await {
            tracker.failed(e);
            continue;
        }
        let opened = Instant::now();
        let reading = read_stream(&config, &http, &mut tracker, response);
        let Ended::Reconnect(why) = match &mut leader {
            None => reading.await,
            Some(leader) => tokio::select! {
                ended = reading => ended,
                _ = leader.changed() => {
                    attempt = 0; // a new leader is no failure: reconnect at once
                    Ended::Reconnect(Error::new(ErrorKind::Unavailable, format!(
                        "{SERVICE}: the Marathon leader changed (now {})",
                        leader.borrow().as_ref().map_or("none", |u| u.as_str())
                    )))
                }
            },
        };
        tracker.failed(why);
        if opened.elapsed() >= STABLE_AFTER {
            attempt = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn events_map_to_configured_apps() {
        let apps = vec!["/wso2/a".to_string(), "/wso2/b".to_string()];
        assert_eq!(
            affected_apps(
                &ev(
                    "status_update_event",
                    r#"{"appId":"/wso2/a","taskStatus":"TASK_RUNNING"}"#
                ),
                &apps
            ),
            Some(vec!["/wso2/a".into()])
        );
        assert_eq!(
            affected_apps(
                &ev("instance_changed_event", r#"{"runSpecId":"/wso2/b"}"#),
                &apps
            ),
            Some(vec!["/wso2/b".into()])
        );
        assert_eq!(
            affected_apps(&ev("status_update_event", r#"{"appId":"/other"}"#), &apps),
            None
        );
        assert_eq!(
            affected_apps(&ev("deployment_success", r#"{"id":"x"}"#), &apps),
            Some(apps.clone())
        );
        assert_eq!(
            affected_apps(&ev("event_stream_attached", r#"{}"#), &apps),
            None
        );
        assert_eq!(
            affected_apps(&ev("status_update_event", "not json"), &apps),
            None
        );
        assert_eq!(
            affected_apps(&ev("pod_created_event", r#"{"appId":"/wso2/a"}"#), &apps),
            None
        );
    }

    #[test]
    fn path_filters_every_event_type() {
        let p = events_path();
        assert!(p.starts_with("/v2/events?event_type=status_update_event&"));
        assert_eq!(p.matches("event_type=").count(), EVENT_TYPES.len());
    }
}
