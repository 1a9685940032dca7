//! Member discovery through Marathon's REST API: `GET /v2/apps/{id}` per app (it always embeds
//! the app's tasks and its container/port definitions), apps fetched in parallel with bounded
//! concurrency, each answer decoded and selected by pure code.

pub mod api;
pub mod select;

use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Fetched, HttpClient};
use crate::model::{Discovery, Warning};

use self::api::Task;
use self::select::SelectPolicy;

const SERVICE: &str = "Marathon";

/// What one app contributed.
pub(crate) enum AppOutcome {
    Found(Discovery),
    Missing(Warning),
}

/// Decodes an app body and selects its members (pure; also used by the watcher).
pub fn members_of_app_body(app_id: &str, body: &[u8], policy: &SelectPolicy) -> Result<Discovery> {
    let app = api::parse_app(body).map_err(|e| e.context(format!("{SERVICE} app {app_id}")))?;
    let mut found = Discovery::default();
    let mut tasks = Vec::new();
    for value in app.tasks.clone().unwrap_or_default() {
        match Task::from_value(value, app.id.as_deref().unwrap_or(app_id)) {
            Ok(task) => tasks.push(task),
            Err(why) => found.warnings.push(Warning::app(app_id, why)),
        }
    }
    let (members, warnings) = select::select(&app, &tasks, policy);
    found.members = members;
    found.warnings.extend(warnings);
    Ok(found)
}

async fn fetch_app(
    http: &HttpClient,
    config: &Config,
    app_id: &str,
    policy: &SelectPolicy,
) -> Result<AppOutcome> {
    // App ids are validated to `[a-z0-9.-]` segments, so they need no escaping.
    let path = format!("/v2/apps{app_id}");
    match http.get(SERVICE, &config.marathon_endpoints, &path).await? {
        Fetched::Body { body, from } => members_of_app_body(app_id, &body, policy)
            .map(AppOutcome::Found)
            .map_err(|e| e.context(from)),
        Fetched::NotFound { body, .. } => {
            let said = api::error_message(&body)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            Ok(AppOutcome::Missing(Warning::app(
                app_id,
                format!("Marathon has no such app{said}"),
            )))
        }
    }
}

/// Fetches `apps` in parallel (bounded), in the given order; any non-404 failure fails all.
pub(crate) async fn fetch_apps(
    http: &HttpClient,
    config: &Config,
    apps: &[String],
) -> Result<Vec<AppOutcome>> {
    let policy = SelectPolicy::from_config(config);
    // Futures built up front (not in a stream's `map` closure): keeps the whole future `Send`
    // for spawning, which a closure over borrowed arguments defeats.
    let fetches: Vec<_> = apps
        .iter()
        .map(|app| fetch_app(http, config, app, &policy))
        .collect();
    stream::iter(fetches)
        .buffered(http.limits().concurrency)
        .try_collect()
        .await
}

/// All apps' outcomes as one discovery, plus the ids of the apps Marathon does not have.
pub(crate) fn merge(outcomes: Vec<AppOutcome>) -> (Discovery, Vec<String>) {
    let mut found = Discovery::default();
    let mut missing = Vec::new();
    for outcome in outcomes {
        match outcome {
            AppOutcome::Found(d) => {
                found.members.extend(d.members);
                found.warnings.extend(d.warnings);
            }
            AppOutcome::Missing(w) => {
                missing.push(w.app_id.clone().unwrap_or_default());
                found.warnings.push(w);
            }
        }
    }
    (found, missing)
}

pub async fn discover(http: &HttpClient, config: &Config) -> Result<Discovery> {
    let (found, missing) = merge(fetch_apps(http, config, &config.apps).await?);
    if missing.len() == config.apps.len() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "Marathon has none of the configured apps: {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(found)
}
