//! Member discovery through Marathon's REST API: `GET /v2/apps/{id}` per app (it always embeds
//! the app's tasks and its container/port definitions), apps fetched in parallel with bounded
//! concurrency, each answer decoded and selected by pure code.

pub mod api;
pub mod events;
pub mod select;

use futures_util::stream::{self, StreamExt, TryStreamExt};

use reqwest::StatusCode;

use crate::config::Config;
use crate::error::Result;
use crate::http::{HttpClient, Service};
use crate::model::{Discovery, Warning};
use crate::watch::AppLook;

use self::api::{App, Task};
use self::select::SelectPolicy;

/// Marathon as the transport sees it: its name and how its error bodies are quoted.
pub const SERVICE: Service = Service {
    name: "Marathon",
    hint: api::error_hint,
};

/// What a fetch of one app leaves for applying its events at once: the definition
/// (networking, ports, versions) and every task the fetch decoded, members or not.
#[derive(Debug, Default)]
pub struct Definition {
    /// The app, its `tasks` taken out.
    pub app: App,
    /// Sorted by id (a sorted vector: no key copies, cheap to build and to drop).
    tasks: Vec<Task>,
}

impl Definition {
    pub fn new(app: App, mut tasks: Vec<Task>) -> Definition {
        tasks.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Definition { app, tasks }
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.find(id).ok().map(|at| &self.tasks[at])
    }

    /// Records a task's new state (replacing the one with its id).
    pub fn put_task(&mut self, task: Task) {
        match self.find(&task.id) {
            Ok(at) => self.tasks[at] = task,
            Err(at) => self.tasks.insert(at, task),
        }
    }

    pub fn forget_task(&mut self, id: &str) {
        if let Ok(at) = self.find(id) {
            self.tasks.remove(at);
        }
    }

    fn find(&self, id: &str) -> std::result::Result<usize, usize> {
        self.tasks.binary_search_by(|t| t.id.as_str().cmp(id))
    }
}

/// What a look at an app keeps besides its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The definition and tasks too: a watch applies the app's events with them.
    Definition,
    /// Members only (nothing follows the app yet): members take their tasks' strings.
    MembersOnly,
}

/// Decodes an app body and selects its members (pure; also used by the watcher).
pub fn members_of_app_body(app_id: &str, body: &[u8], policy: &SelectPolicy) -> Result<Discovery> {
    let (app, tasks, mut found) = decode_app_body(app_id, body)?;
    let (members, warnings) = select::select_owned(&app, tasks, policy);
    found.members = members;
    found.warnings.extend(warnings);
    Ok(found)
}

/// The app, its decoded tasks, and a warning for each task skipped.
fn decode_app_body(app_id: &str, body: &[u8]) -> Result<(App, Vec<Task>, Discovery)> {
    let (app, outcomes) = api::parse_app(body, app_id)
        .map_err(|e| e.context(format!("{} app {app_id}", SERVICE.name)))?;
    let mut found = Discovery::default();
    let mut tasks = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(task) => tasks.push(task),
            Err(why) => found.warnings.push(Warning::app(app_id, why)),
        }
    }
    Ok((app, tasks, found))
}

/// [`members_of_app_body`], keeping the decoded definition and tasks.
pub fn look_at_app_body(
    app_id: &str,
    body: &[u8],
    policy: &SelectPolicy,
) -> Result<(Discovery, Definition)> {
    let (app, tasks, mut found) = decode_app_body(app_id, body)?;
    let (members, warnings) = select::select(&app, &tasks, policy);
    found.members = members;
    found.warnings.extend(warnings);
    Ok((found, Definition::new(app, tasks)))
}

async fn fetch_app(
    http: &HttpClient,
    endpoints: &[url::Url],
    app_id: &str,
    policy: &SelectPolicy,
    keep: Keep,
) -> Result<AppLook> {
    // App ids are validated to `[a-z0-9.-]` segments, so they need no escaping.
    let path = format!("/v2/apps{app_id}");
    let reply = http.get(&SERVICE, endpoints, &path).await?;
    match reply.status {
        s if s.is_success() => match keep {
            Keep::Definition => {
                look_at_app_body(app_id, &reply.body, policy).map(|(found, definition)| AppLook {
                    found,
                    definition: Some(definition),
                    ..AppLook::default()
                })
            }
            Keep::MembersOnly => {
                members_of_app_body(app_id, &reply.body, policy).map(AppLook::found)
            }
        }
        .map_err(|e| e.context(&reply.from)),
        // An authoritative "no such app" (Marathon answers it only for apps it does not
        // have; a standby redirects, a leaderless one answers 5xx), never retried.
        StatusCode::NOT_FOUND => {
            let said = api::error_message(&reply.body)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            Ok(AppLook {
                found: Discovery {
                    members: Vec::new(),
                    warnings: vec![Warning::app(
                        app_id,
                        format!("Marathon has no such app{said}"),
                    )],
                },
                missing: true,
                ..AppLook::default()
            })
        }
        _ => Err(http.unexpected(&SERVICE, &reply)),
    }
}

/// Fetches `apps` in parallel (bounded); the looks come back in the given order. Any
/// failure other than a missing app fails all.
/// `endpoints`: the configured ones, or the leader a `zk://` configuration found.
pub(crate) async fn fetch_apps(
    http: &HttpClient,
    config: &Config,
    endpoints: &[url::Url],
    apps: &[String],
    keep: Keep,
) -> Result<Vec<(String, AppLook)>> {
    let policy = SelectPolicy::from_config(config);
    // Futures built up front (not in a stream's `map` closure): keeps the whole future `Send`
    // for spawning, which a closure over borrowed arguments defeats.
    let fetches: Vec<_> = apps
        .iter()
        .map(|app| fetch_app(http, endpoints, app, &policy, keep))
        .collect();
    let looks: Vec<AppLook> = stream::iter(fetches)
        .buffered(http.limits().concurrency)
        .try_collect()
        .await?;
    Ok(apps.iter().cloned().zip(looks).collect())
}

/// Every configured app, looked at once.
pub(crate) async fn look_all(
    http: &HttpClient,
    config: &Config,
    endpoints: &[url::Url],
    keep: Keep,
) -> Result<Vec<(String, AppLook)>> {
    fetch_apps(http, config, endpoints, &config.apps, keep).await
}
