//! The admin API: the same operations as an HTTP endpoint (`/_workbench/…`, JSON in and out,
//! for the CLI workbench and non-Rust tests) and as the Rust [`Admin`] handle.
//!
//! | method & path | body | effect |
//! |---|---|---|
//! | GET `/_workbench/state` | | apps, tasks (ids, states, addresses), leader |
//! | GET `/_workbench/stats` | | `{"total": n, "connections": n, "requests": {"/v2/apps/x": n}}` |
//! | POST `/_workbench/stats/reset` | | zero the counters |
//! | POST `/_workbench/apps` | an app as in the cluster file | add an app (events) |
//! | POST `/_workbench/apps/delete` | `{"app": "/x"}` | delete it (events) |
//! | POST `/_workbench/scale` | `{"app", "instances", "task"?}` | launch or kill tasks |
//! | POST `/_workbench/tasks` | `{"app", "task"?}` | add one task → `{"task_id"}` |
//! | POST `/_workbench/tasks/kill` | `{"task_id", "scale"?: true}` | kill (task disappears) |
//! | POST `/_workbench/tasks/state` | `{"task_id", "state", "message"?}` | set the Mesos state |
//! | POST `/_workbench/tasks/health` | `{"task_id", "healthy": true/false/null}` | health result |
//! | POST `/_workbench/leader` | `{"leader": "self" / "none" / null / URL}` | leadership |
//! | GET/POST `/_workbench/faults` | a fault rule | list / add → `{"id"}` |
//! | POST `/_workbench/faults/clear` | | remove every rule |
//! | DELETE `/_workbench/faults/{id}` | | remove one rule |
//! | GET `/_workbench/events` | | `{"open_streams": n}` |
//! | POST `/_workbench/events/drop` | | abort every `/v2/events` stream |
//! | POST `/_workbench/events/stall` | `{"stalled": bool}` | stop/resume sending |
//! | POST `/_workbench/events/mute` | `{"muted": bool}` | changes happen without events (lost) |
//! | POST `/_workbench/events/emit` | `{"event_type", "data": {…}}` | publish a raw event |
//! | POST `/_workbench/acs/revoke` | | strict mode: every token issued so far is refused |
//! | POST `/_workbench/acs/lifetime` | `{"seconds": n}` | strict mode: lifetime of new tokens |
//!
//! Errors: 400 (bad JSON, invalid request) or 404 (unknown app/task), body `{"error": "…"}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::clock::iso;
use crate::cluster::{AppSpec, LeaderSpec, TaskSpec, TaskState};
use crate::events::Event;
use crate::faults::FaultRule;
use crate::http::{Reply, Request};
use crate::json::J;
use crate::server::{lock, Shared};
use crate::world::{World, WorldError};

/// A task as the admin API reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    pub id: String,
    pub instance_id: String,
    pub app_id: String,
    pub state: String,
    pub host: String,
    pub agent_ip: String,
    pub ports: Vec<u16>,
    pub ip_addresses: Vec<String>,
    /// `None`: no health result.
    pub healthy: Option<bool>,
}

/// Handle on a running workbench's state. Cheap to clone; every method takes effect at once
/// and publishes the Marathon events the change causes.
#[derive(Clone, Debug)]
pub struct Admin {
    pub(crate) shared: Arc<Shared>,
}

impl Admin {
    fn mutate(
        &self,
        change: impl FnOnce(&mut World) -> Result<Vec<Event>, WorldError>,
    ) -> Result<(), String> {
        let events = {
            let mut world = lock(&self.shared.world);
            change(&mut world).map_err(|e| e.to_string())?
        };
        self.shared.hub.publish(events);
        Ok(())
    }

    /// Sets an app's instance count (new tasks: running, healthy if it has health checks).
    pub fn scale(&self, app_id: &str, instances: u32) -> Result<(), String> {
        self.scale_with(app_id, instances, &TaskSpec::default())
    }

    /// [`Admin::scale`], new tasks built from `template` (state, health, agent…).
    pub fn scale_with(
        &self,
        app_id: &str,
        instances: u32,
        template: &TaskSpec,
    ) -> Result<(), String> {
        self.mutate(|w| w.scale(app_id, instances, &normalized(template)))
    }

    pub fn add_app(&self, spec: &AppSpec) -> Result<(), String> {
        self.mutate(|w| w.add_app(spec))
    }

    /// Adds an app given as JSON (one entry of the cluster file's `apps`).
    pub fn add_app_json(&self, json: &str) -> Result<(), String> {
        let spec: AppSpec = serde_json::from_str(json).map_err(|e| format!("app: {e}"))?;
        self.add_app(&spec)
    }

    pub fn delete_app(&self, app_id: &str) -> Result<(), String> {
        self.mutate(|w| w.delete_app(app_id))
    }

    /// Adds one task to an app; returns its id.
    pub fn add_task(&self, app_id: &str, spec: &TaskSpec) -> Result<String, String> {
        let (task_id, events) = {
            let mut world = lock(&self.shared.world);
            world
                .add_task(app_id, &normalized(spec))
                .map_err(|e| e.to_string())?
        };
        self.shared.hub.publish(events);
        Ok(task_id)
    }

    /// Kills a task (TASK_KILLED, then it is gone); `scale` also lowers `instances`.
    pub fn kill_task(&self, task_id: &str, scale: bool) -> Result<(), String> {
        self.mutate(|w| w.kill_task(task_id, scale))
    }

    /// Sets a task's Mesos state (`TASK_STAGING`, `running`, `killing`, …); it stays listed.
    pub fn set_task_state(&self, task_id: &str, state: &str) -> Result<(), String> {
        let state = TaskState::parse(state)?;
        self.mutate(|w| w.set_task_state(task_id, state, ""))
    }

    /// Records a health check result (`Some(alive)`) or clears results (`None`).
    pub fn set_health(&self, task_id: &str, healthy: Option<bool>) -> Result<(), String> {
        self.mutate(|w| w.set_health(task_id, healthy))
    }

    /// This server leads again.
    pub fn set_leader_self(&self) {
        self.set_leader(LeaderSpec::SelfLeader);
    }

    /// No leader: 502 (1.10) / 503 (older) "Could not determine the current leader".
    pub fn set_no_leader(&self) {
        self.set_leader(LeaderSpec::None);
    }

    /// A standby whose leader is `url` (`http://host:port`).
    pub fn set_leader_url(&self, url: &str) {
        self.set_leader(LeaderSpec::Url(url.trim_end_matches('/').to_string()));
    }

    pub fn set_leader(&self, leader: LeaderSpec) {
        let losing = leader != LeaderSpec::SelfLeader;
        lock(&self.shared.world).set_leader(leader);
        if losing {
            // A Marathon that stops leading closes its event streams.
            self.shared.hub.drop_streams();
        }
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> Result<u64, String> {
        lock(&self.shared.faults).add(rule)
    }

    pub fn remove_fault(&self, id: u64) -> bool {
        lock(&self.shared.faults).remove(id)
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Aborts every open `/v2/events` stream.
    pub fn drop_event_streams(&self) {
        self.shared.hub.drop_streams();
    }

    /// Stalls (or resumes) every stream: open, but nothing sent, not even heartbeats.
    pub fn stall_event_streams(&self, stalled: bool) {
        self.shared.hub.set_stalled(stalled);
    }

    /// Mutes (or unmutes) events: while muted, changes publish no events at all, as when
    /// Marathon's event bus loses them; only a fetch sees such a change.
    pub fn mute_events(&self, muted: bool) {
        self.shared.hub.set_muted(muted);
    }

    pub fn open_event_streams(&self) -> usize {
        self.shared.hub.open_streams()
    }

    /// Publishes a raw event (e.g. one the client should ignore). `eventType` and `timestamp`
    /// are appended unless `data` has them.
    pub fn emit_event(&self, event_type: &str, data: &serde_json::Value) -> Result<(), String> {
        let mut json = J::from_value(data);
        if !matches!(json, J::Obj(_)) {
            return Err("event data must be a JSON object".into());
        }
        if json.get("eventType").is_none() {
            json.push("eventType", J::str(event_type));
        }
        if json.get("timestamp").is_none() {
            let now = lock(&self.shared.world).clock.now();
            json.push("timestamp", J::str(iso(now)));
        }
        self.shared.hub.publish(vec![Event {
            event_type: event_type.to_string(),
            data: json,
        }]);
        Ok(())
    }

    /// Requests served on `path` (exactly as sent, without the query) since the last reset.
    /// Admin requests are not counted.
    /// Strict mode: every token issued so far stops working (as a revocation in DC/OS).
    pub fn revoke_tokens(&self) -> Result<(), String> {
        let mut world = lock(&self.shared.world);
        let acs = world
            .acs
            .as_mut()
            .ok_or("the cluster is not in strict mode (auth.acs)")?;
        acs.revoke_all();
        Ok(())
    }

    /// Strict mode: the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, seconds: u64) -> Result<(), String> {
        let mut world = lock(&self.shared.world);
        let acs = world
            .acs
            .as_mut()
            .ok_or("the cluster is not in strict mode (auth.acs)")?;
        acs.set_lifetime(seconds);
        Ok(())
    }

    /// Strict mode: tokens issued so far (one per successful login).
    pub fn tokens_issued(&self) -> usize {
        lock(&self.shared.world)
            .acs
            .as_ref()
            .map_or(0, |acs| acs.tokens_issued())
    }

    /// Strict mode: requests refused for a missing, invalid, expired or revoked token.
    pub fn token_refusals(&self) -> u64 {
        lock(&self.shared.world)
            .acs
            .as_ref()
            .map_or(0, |acs| acs.requests_refused())
    }

    pub fn requests(&self, path: &str) -> u64 {
        lock(&self.shared.stats).get(path).copied().unwrap_or(0)
    }

    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.shared.stats).clone()
    }

    pub fn total_requests(&self) -> u64 {
        lock(&self.shared.stats).values().sum()
    }

    /// Clears the request counters and the connection count.
    pub fn reset_stats(&self) {
        lock(&self.shared.stats).clear();
        self.shared
            .connections
            .store(0, std::sync::atomic::Ordering::SeqCst);
    }

    /// TCP connections accepted (admin requests included) since start or the last reset.
    pub fn connections_accepted(&self) -> u64 {
        self.shared
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The tasks of `app_id`, in listing order (empty if no such app).
    pub fn tasks(&self, app_id: &str) -> Vec<TaskInfo> {
        let world = lock(&self.shared.world);
        let Ok(id) = crate::cluster::normalize_app_id(app_id) else {
            return Vec::new();
        };
        world.app(&id).map_or_else(Vec::new, |app| {
            app.tasks
                .iter()
                .map(|t| TaskInfo {
                    id: t.id.clone(),
                    instance_id: t.instance_id.clone(),
                    app_id: app.id.clone(),
                    state: t.state.mesos_name().to_string(),
                    host: world.agents[t.agent].hostname.clone(),
                    agent_ip: world.agents[t.agent].ip.clone(),
                    ports: t.host_ports.clone(),
                    ip_addresses: t.ip_addresses.clone(),
                    healthy: t.health.as_ref().map(|h| h.alive),
                })
                .collect()
        })
    }

    pub fn task_ids(&self, app_id: &str) -> Vec<String> {
        self.tasks(app_id).into_iter().map(|t| t.id).collect()
    }

    fn state_json(&self) -> J {
        let world = lock(&self.shared.world);
        let leader = match &world.leader {
            LeaderSpec::SelfLeader => J::str("self"),
            LeaderSpec::None => J::Null,
            LeaderSpec::Url(u) => J::str(u),
        };
        let app_ids: Vec<String> = world.apps.iter().map(|a| a.id.clone()).collect();
        drop(world);
        let apps = app_ids.iter().map(|id| {
            let tasks = self.tasks(id).into_iter().map(|t| {
                J::obj()
                    .with("id", J::str(t.id))
                    .with("instance_id", J::str(t.instance_id))
                    .with("state", J::str(t.state))
                    .with("host", J::str(t.host))
                    .with("agent_ip", J::str(t.agent_ip))
                    .with("ports", J::ints(t.ports))
                    .with("ip_addresses", J::strs(t.ip_addresses))
                    .with("healthy", t.healthy.map_or(J::Null, J::Bool))
            });
            J::obj().with("id", J::str(id)).with("tasks", J::arr(tasks))
        });
        J::obj()
            .with("url", J::str(&self.shared.base_url))
            .with("leader", leader)
            .with("apps", J::arr(apps))
    }
}

/// An empty state means the default (running).
fn normalized(spec: &TaskSpec) -> TaskSpec {
    let mut spec = spec.clone();
    if spec.state.is_empty() {
        spec.state = "TASK_RUNNING".into();
    }
    spec
}

impl J {
    /// From serde_json (object keys in serde_json's order).
    pub fn from_value(v: &serde_json::Value) -> J {
        use serde_json::Value;
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Num(n.to_string()),
            Value::String(s) => J::Str(s.clone()),
            Value::Array(items) => J::Arr(items.iter().map(J::from_value).collect()),
            Value::Object(map) => J::Obj(
                map.iter()
                    .map(|(k, v)| (k.clone(), J::from_value(v)))
                    .collect(),
            ),
        }
    }
}

// ---- HTTP ----

fn ok(body: J) -> Reply {
    Reply::bytes(200, "application/json", body.to_compact())
}

fn error(status: u16, message: &str) -> Reply {
    Reply::bytes(
        status,
        "application/json",
        J::obj().with("error", J::str(message)).to_compact(),
    )
}

fn done(result: Result<(), String>) -> Reply {
    match result {
        Ok(()) => ok(J::obj().with("ok", J::Bool(true))),
        Err(message) if message.contains("does not exist") => error(404, &message),
        Err(message) => error(400, &message),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(req: &Request) -> Result<T, Reply> {
    let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(body).map_err(|e| error(400, &format!("invalid request body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppRef {
    app: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleBody {
    app: String,
    instances: u32,
    #[serde(default)]
    task: TaskSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddTaskBody {
    app: String,
    #[serde(default)]
    task: TaskSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KillBody {
    task_id: String,
    #[serde(default = "yes")]
    scale: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateBody {
    task_id: String,
    state: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthBody {
    task_id: String,
    healthy: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeaderBody {
    leader: LeaderSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StallBody {
    stalled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MuteBody {
    muted: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmitBody {
    event_type: String,
    data: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LifetimeBody {
    seconds: u64,
}

/// Answers one admin request.
pub fn handle_http(shared: &Arc<Shared>, req: &Request) -> Reply {
    let admin = Admin {
        shared: shared.clone(),
    };
    let route = req.path.trim_end_matches('/');
    let result: Result<Reply, Reply> = (|| {
        Ok(match (req.method.as_str(), route) {
            ("GET", "/_workbench/state") => ok(admin.state_json()),
            ("GET", "/_workbench/stats") => {
                let counts = admin.request_counts();
                ok(J::obj()
                    .with("total", J::int(counts.values().sum::<u64>() as i64))
                    .with("connections", J::int(admin.connections_accepted() as i64))
                    .with(
                        "requests",
                        J::Obj(
                            counts
                                .into_iter()
                                .map(|(k, v)| (k, J::int(v as i64)))
                                .collect(),
                        ),
                    ))
            }
            ("POST", "/_workbench/stats/reset") => {
                admin.reset_stats();
                done(Ok(()))
            }
            ("POST", "/_workbench/apps") => done(admin.add_app(&parse::<AppSpec>(req)?)),
            ("POST", "/_workbench/apps/delete") => {
                done(admin.delete_app(&parse::<AppRef>(req)?.app))
            }
            ("POST", "/_workbench/scale") => {
                let body: ScaleBody = parse(req)?;
                done(admin.scale_with(&body.app, body.instances, &body.task))
            }
            ("POST", "/_workbench/tasks") => {
                let body: AddTaskBody = parse(req)?;
                match admin.add_task(&body.app, &body.task) {
                    Ok(id) => ok(J::obj().with("task_id", J::str(id))),
                    Err(e) => done(Err(e)),
                }
            }
            ("POST", "/_workbench/tasks/kill") => {
                let body: KillBody = parse(req)?;
                done(admin.kill_task(&body.task_id, body.scale))
            }
            ("POST", "/_workbench/tasks/state") => {
                let body: StateBody = parse(req)?;
                let state = TaskState::parse(&body.state).map_err(|e| error(400, &e))?;
                done(admin.mutate(|w| w.set_task_state(&body.task_id, state, &body.message)))
            }
            ("POST", "/_workbench/tasks/health") => {
                let body: HealthBody = parse(req)?;
                done(admin.set_health(&body.task_id, body.healthy))
            }
            ("POST", "/_workbench/acs/revoke") => done(admin.revoke_tokens()),
            ("POST", "/_workbench/acs/lifetime") => {
                let body: LifetimeBody = parse(req)?;
                done(admin.set_token_lifetime(body.seconds))
            }
            ("POST", "/_workbench/leader") => {
                let body: LeaderBody = parse(req)?;
                if let LeaderSpec::Url(u) = &body.leader {
                    if !(u.starts_with("http://") || u.starts_with("https://")) {
                        return Err(error(
                            400,
                            "leader: expected \"self\", \"none\", null or an http(s) URL",
                        ));
                    }
                }
                admin.set_leader(body.leader);
                done(Ok(()))
            }
            ("GET", "/_workbench/faults") => {
                let faults = lock(&shared.faults);
                let rules = faults.list().iter().map(|(id, rule)| {
                    let rule = serde_json::to_value(rule).unwrap_or_default();
                    J::obj()
                        .with("id", J::int(*id as i64))
                        .with("rule", J::from_value(&rule))
                });
                ok(J::obj().with("faults", J::arr(rules)))
            }
            ("POST", "/_workbench/faults") => match admin.add_fault(parse::<FaultRule>(req)?) {
                Ok(id) => ok(J::obj().with("id", J::int(id as i64))),
                Err(e) => error(400, &e),
            },
            ("POST", "/_workbench/faults/clear") => {
                admin.clear_faults();
                done(Ok(()))
            }
            ("DELETE", path) if path.starts_with("/_workbench/faults/") => {
                let id = path["/_workbench/faults/".len()..]
                    .parse::<u64>()
                    .map_err(|_| error(400, "fault id must be a number"))?;
                if admin.remove_fault(id) {
                    done(Ok(()))
                } else {
                    error(404, &format!("no fault rule {id}"))
                }
            }
            ("GET", "/_workbench/events") => {
                ok(J::obj().with("open_streams", J::int(admin.open_event_streams() as i64)))
            }
            ("POST", "/_workbench/events/drop") => {
                admin.drop_event_streams();
                done(Ok(()))
            }
            ("POST", "/_workbench/events/stall") => {
                admin.stall_event_streams(parse::<StallBody>(req)?.stalled);
                done(Ok(()))
            }
            ("POST", "/_workbench/events/mute") => {
                admin.mute_events(parse::<MuteBody>(req)?.muted);
                done(Ok(()))
            }
            ("POST", "/_workbench/events/emit") => {
                let body: EmitBody = parse(req)?;
                done(admin.emit_event(&body.event_type, &body.data))
            }
            _ => error(404, &format!("no admin route {} {}", req.method, req.path)),
        })
    })();
    result.unwrap_or_else(|reply| reply)
}
