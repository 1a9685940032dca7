//! Following Marathon's event stream.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::{sleep_until, Instant};

use super::sse::{SseEvent, SseParser};
use super::{reconnect_pause, Applied, Tracker};
use crate::config::{normalize_app_id, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::http::Service;
use crate::marathon::events::Deployment;
use crate::marathon::{self, fetch_apps, Keep};
use crate::membership::Core;

const SERVICE: Service = Service {
    name: "Marathon event stream",
    hint: crate::marathon::api::error_hint,
};
/// Events that can change which tasks are members, or their health.
pub const EVENT_TYPES: &[&str] = &[
    "status_update_event",
    "deployment_info",
    "instance_changed_event",
    "health_status_changed_event",
    "instance_health_changed_event",
    "app_terminated_event",
    "deployment_success",
    "deployment_failed",
];
/// The largest event we accept (Marathon's are a few KiB; light deployment plans are small).
const MAX_EVENT_BYTES: usize = 4 << 20;

pub fn events_path() -> String {
    let filters: Vec<String> = EVENT_TYPES
        .iter()
        .map(|t| format!("event_type={t}"))
        .collect();
    format!("/v2/events?{}", filters.join("&"))
}

/// The configured apps an event concerns; `None` when it concerns none of them. An event whose
/// app cannot be read (malformed data, a deployment without a readable plan) concerns them
/// all: it leads to a refetch, never to a change by itself.
pub fn affected_apps(event: &SseEvent, apps: &[String]) -> Option<Vec<String>> {
    if !EVENT_TYPES.contains(&event.event.as_str()) || apps.is_empty() {
        return None;
    }
    let ours = |named: Vec<String>| {
        let hit: Vec<String> = named.into_iter().filter(|a| apps.contains(a)).collect();
        (!hit.is_empty()).then_some(hit)
    };
    if event.event.starts_with("deployment_") {
        return match marathon::events::deployment(&event.data) {
            Some(deployment) => ours(deployment.apps()),
            // Marathon's older deployment_success carries only the plan id.
            None => Some(apps.to_vec()),
        };
    }
    let Ok(data) = serde_json::from_str::<serde_json::Value>(&event.data) else {
        return Some(apps.to_vec());
    };
    let Some(app) = data
        .get("appId")
        .or_else(|| data.get("runSpecId"))
        .and_then(|a| a.as_str())
    else {
        return Some(apps.to_vec());
    };
    let app = normalize_app_id(app).ok()?;
    ours(vec![app])
}

async fn full_resync(core: &Core) -> Result<()> {
    // Unlike a one-shot discovery, no app at all is a state to follow, not an error.
    let looks = marathon::look_all(
        &core.http,
        &core.config,
        &core.marathon_endpoints(),
        Keep::Definition,
    )
    .await?;
    core.tracker().replace_all(looks);
    Ok(())
}

async fn refresh(core: &Core, apps: Vec<String>) -> Result<()> {
    let looks = fetch_apps(
        &core.http,
        &core.config,
        &core.marathon_endpoints(),
        &apps,
        Keep::Definition,
    )
    .await?;
    core.tracker().replace_apps(looks);
    Ok(())
}

/// Why a stream ended: dropped, failed or idle. The caller reconnects (with a full resync).
struct Ended(Error);

/// When each app is next refetched: the earliest any event asked for.
#[derive(Default)]
pub(super) struct Due(BTreeMap<String, Instant>);

impl Due {
    /// The apps due for a refetch, now or later.
    pub(super) fn apps(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    fn ask(&mut self, app: &str, within: Duration) {
        let at = Instant::now() + within;
        let due = self.0.entry(app.to_string()).or_insert(at);
        *due = (*due).min(at);
    }

    pub(super) fn forget(&mut self, app: &str) {
        self.0.remove(app);
    }

    fn next(&self) -> Option<Instant> {
        self.0.values().min().copied()
    }

    /// The apps due now, forgotten (their refetch is about to start).
    fn take_due(&mut self) -> Vec<String> {
        let now = Instant::now();
        let apps: Vec<String> = self
            .0
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(app, _)| app.clone())
            .collect();
        for app in &apps {
            self.0.remove(app);
        }
        apps
    }
}

/// Handles one event: applies a status update at once when it decides alone, notes a
/// deployment's versions, and asks for the refetches that confirm or replace that. Returns
/// whether anything was applied (the caller publishes once per batch).
pub(super) fn handle_event(
    config: &Config,
    tracker: &mut Tracker,
    event: &SseEvent,
    due: &mut Due,
) -> bool {
    let name = SERVICE.name;
    let Some(apps) = affected_apps(event, &config.apps) else {
        return false;
    };
    log::debug!("{name}: {} concerns {apps:?}", event.event);
    match event.event.as_str() {
        "status_update_event" if config.apply_events => {
            let outcome = match marathon::events::status_update(&event.data) {
                Ok(update) => tracker.apply_status(&update),
                Err(why) => Applied::Refetch(why),
            };
            match outcome {
                Applied::Changed => {
                    for app in &apps {
                        due.ask(app, config.confirm_delay);
                    }
                    return true;
                }
                Applied::Unchanged => {}
                Applied::Refetch(why) => {
                    log::debug!("{name}: {why}; refetching {apps:?}");
                    for app in &apps {
                        due.ask(app, config.event_debounce);
                    }
                }
            }
        }
        // A deployment starting changes no task yet; it says which versions its tasks run.
        "deployment_info" => {
            let deployment =
                marathon::events::deployment(&event.data).unwrap_or_else(|| Deployment {
                    version: None,
                    actions: apps.iter().map(|a| (a.clone(), String::new())).collect(),
                });
            tracker.note_deployment(&deployment);
        }
        _ => {
            for app in &apps {
                due.ask(app, config.event_debounce);
            }
        }
    }
    false
}

async fn read_stream(core: &Core, response: reqwest::Response) -> Ended {
    let config = &core.config;
    let name = SERVICE.name;
    let mut body = response.bytes_stream();
    let mut parser = SseParser::new(MAX_EVENT_BYTES);
    let mut due = Due::default();
    let mut resync_at = Instant::now() + config.resync_interval;
    let far = || Instant::now() + Duration::from_secs(86_400);
    loop {
        let idle_at = Instant::now() + config.stream_idle_timeout;
        let next_due = due.next();
        tokio::select! {
            chunk = body.next() => match chunk {
                Some(Ok(bytes)) => match parser.feed(&bytes) {
                    Ok(events) => {
                        let mut tracker = core.tracker();
                        let mut applied = false;
                        for event in &events {
                            applied |= handle_event(config, &mut tracker, event, &mut due);
                        }
                        if applied {
                            tracker.publish();
                        }
                    }
                    Err(e) => return Ended(e.context(name)),
                },
                Some(Err(e)) => return Ended(Error::new(ErrorKind::Network, format!("{name}: the stream broke ({})", e.without_url()))),
                None => return Ended(Error::new(ErrorKind::Network, format!("{name}: Marathon closed the stream"))),
            },
            _ = sleep_until(idle_at) => {
                return Ended(Error::new(ErrorKind::Timeout, format!("{name}: nothing received for {:?} (not even a heartbeat)", config.stream_idle_timeout)));
            }
            _ = sleep_until(next_due.unwrap_or_else(far)), if next_due.is_some() => {
                let apps = due.take_due();
                if !apps.is_empty() {
                    if let Err(e) = refresh(core, apps).await {
                        return Ended(e);
                    }
                }
            }
            _ = sleep_until(resync_at) => {
                resync_at = Instant::now() + config.resync_interval;
                due = Due::default();
                if let Err(e) = full_resync(core).await {
                    return Ended(e);
                }
            }
        }
    }
}

/// Follows the stream forever: open it, resync, read until it ends, reconnect.
///
/// A reconnect whose stream opened and whose resync finished is a success: the pause before
/// the next one starts short again. Only consecutive failures (to open, or to resync) make
/// the pause grow, so a Marathon that drops streams now and then is followed closely, while
/// one that is down is not hammered.
pub(crate) async fn follow(core: Arc<Core>) {
    let path = events_path();
    let mut failures: u32 = 0;
    let mut first = true;
    // `MARATHON_ENDPOINT=zk://…`: the stream follows the leader ZooKeeper names.
    let follower = crate::zk::marathon_leader::follower_for(&core.config);
    let mut leader = follower.as_ref().map(|f| f.leader());
    loop {
        if !first {
            tokio::time::sleep(reconnect_pause(failures)).await;
        }
        first = false;
        if let Some(leader) = &mut leader {
            match crate::zk::marathon_leader::wait_for_leader(&core.config, leader).await {
                Some(Ok(url)) => core.set_marathon_leader(Some(url)),
                Some(Err(e)) => {
                    core.tracker().failed(e);
                    first = true; // keep waiting for a leader, without a pause
                    continue;
                }
                None => return, // the follower is gone: the membership is closing
            }
        }
        // Open the stream first, then resync: whatever changes after the resync's reads is
        // then on the stream, so nothing falls between the two.
        let response = match core
            .http
            .open_stream(
                &SERVICE,
                &core.marathon_endpoints(),
                &path,
                "text/event-stream",
            )
            .await
        {
            Ok(response) => response,
            Err(e) => {
                core.tracker().failed(e);
                failures = failures.saturating_add(1);
                continue;
            }
        };
        if let Err(e) = full_resync(&core).await {
            core.tracker().failed(e);
            failures = failures.saturating_add(1);
            continue;
        }
        failures = 0;
        let reading = read_stream(&core, response);
        let Ended(why) = match &mut leader {
            None => reading.await,
            Some(leader) => tokio::select! {
                ended = reading => ended,
                _ = leader.changed() => {
                    first = true; // a new leader is no failure: reconnect at once
                    Ended(Error::new(ErrorKind::Unavailable, format!(
                        "{}: the Marathon leader changed (now {})",
                        SERVICE.name,
                        leader.borrow().as_ref().map_or("none", |u| u.as_str())
                    )))
                }
            },
        };
        core.tracker().failed(why);
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
            Some(apps.clone()),
            "malformed: refetch every app"
        );
        assert_eq!(
            affected_apps(
                &ev(
                    "deployment_info",
                    r#"{"plan":{"steps":[{"action":"ScaleApplication","app":"/wso2/b"}]}}"#
                ),
                &apps
            ),
            Some(vec!["/wso2/b".into()])
        );
        assert_eq!(
            affected_apps(
                &ev(
                    "deployment_success",
                    r#"{"plan":{"steps":[{"action":"ScaleApplication","app":"/other"}]}}"#
                ),
                &apps
            ),
            None
        );
        assert_eq!(
            affected_apps(&ev("status_update_event", r#"{"appId":"/wso2/a"}"#), &[]),
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
