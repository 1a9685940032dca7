//! Marathon's REST routes (GET), leadership behaviour and headers (NOTES "Marathon leader").

use crate::cluster::{normalize_app_id, LeaderSpec, MarathonVersion, TaskState};
use crate::http::{percent_decode, Reply, ReplyBody, Request};
use crate::json::J;
use crate::marathon::render::{self, Embed};
use crate::world::{App, World};

const NO_LEADER: &str = "Could not determine the current leader";

/// Answers one Marathon request. `path` has any DC/OS prefix (`/service/marathon`) removed;
/// `self_url` is this server's base URL (what `X-Marathon-Leader` says while leading).
pub fn respond(world: &World, req: &Request, path: &str, self_url: &str) -> Reply {
    let version = world.marathon.version;
    match &world.leader {
        LeaderSpec::None => {
            if path == "/v2/leader" {
                return Reply::marathon_message(404, "There is no leader");
            }
            // 1.8+ answers 502, 1.4–1.7 503 (LeaderProxyFilter, sendError => Jetty HTML).
            let status = if version >= MarathonVersion::V1_10 {
                502
            } else {
                503
            };
            Reply::jetty_error(status, path, NO_LEADER)
        }
        LeaderSpec::Url(leader) => {
            if path == "/v2/events" {
                // 1.8+: the standby redirects event stream clients to the leader.
                let query = raw_query(req);
                return Reply::bytes(302, "text/plain", "")
                    .with_header("Location", format!("{leader}{path}{query}"))
                    .with_header("X-Marathon-Leader", leader.clone());
            }
            route(world, req, path, leader)
                .with_header("X-Marathon-Leader", leader.clone())
                .with_header("X-Marathon-Via", format!("1.1 {}", host_port(self_url)))
        }
        LeaderSpec::SelfLeader => {
            route(world, req, path, self_url).with_header("X-Marathon-Leader", self_url.to_string())
        }
    }
}

fn raw_query(req: &Request) -> String {
    if req.query.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = req
        .query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", pairs.join("&"))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'[' | b']' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `http://host:port/` → `host:port` (how `/v2/leader` reports the leader).
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.trim_end_matches('/').to_string()
}

fn route(world: &World, req: &Request, path: &str, leader_url: &str) -> Reply {
    if req.method != "GET" && req.method != "HEAD" {
        return Reply::jetty_error(
            405,
            path,
            &format!("HTTP method {} is not supported by this URL", req.method),
        );
    }
    match path {
        "/ping" => ping(req),
        "/v2/info" => info(world, leader_url),
        "/v2/leader" => {
            Reply::marathon_json(200, &J::obj().with("leader", J::str(host_port(leader_url))))
        }
        "/v2/apps" | "/v2/apps/" => list_apps(world, req),
        "/v2/tasks" | "/v2/tasks/" => list_tasks(world, req),
        "/v2/events" => event_stream(req, path),
        _ => match path.strip_prefix("/v2/apps/") {
            Some(rest) => app_routes(world, rest),
            None => Reply::marathon_message(404, "HTTP 404 Not Found"),
        },
    }
}

/// `/ping`: "pong" as text/plain, `"pong"` as JSON, 204 when nothing acceptable.
fn ping(req: &Request) -> Reply {
    let accept = req.header("Accept").unwrap_or("*/*");
    let mut choice = None;
    for media in accept.split(',') {
        let media = media
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        choice = match media.as_str() {
            "*/*" | "text/*" | "text/plain" | "" => Some(false),
            "application/json" | "application/*" => Some(true),
            _ => None,
        };
        if choice.is_some() {
            break;
        }
    }
    let reply = match choice {
        Some(false) => Reply::bytes(200, "text/plain;charset=ISO-8859-1", "pong"),
        Some(true) => Reply::bytes(200, "application/json", "\"pong\""),
        None => Reply::bytes(204, "text/plain", ""),
    };
    reply
        .with_header("Cache-Control", "must-revalidate,no-cache,no-store")
        .with_header("Access-Control-Allow-Credentials", "true")
}

fn info(world: &World, leader_url: &str) -> Reply {
    let leader = host_port(leader_url);
    let port: i64 = leader
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(8080);
    let elected = world.leader == LeaderSpec::SelfLeader;
    let body = J::obj()
        .with("name", J::str("marathon"))
        .with("version", J::str(world.marathon.version.release()))
        .with("buildref", J::str("unknown"))
        .with("elected", J::Bool(elected))
        .with("leader", J::str(&leader))
        .with("frameworkId", J::str(&world.framework_id))
        .with(
            "marathon_config",
            J::obj()
                .with("checkpoint", J::Bool(true))
                .with("executor", J::str("//cmd"))
                .with("failover_timeout", J::int(604_800))
                .with("features", J::arr([]))
                .with("framework_name", J::str(&world.marathon.framework_name))
                .with("ha", J::Bool(true))
                .with(
                    "hostname",
                    J::str(leader.rsplit_once(':').map_or("localhost", |(h, _)| h)),
                )
                .with("local_port_max", J::int(20_000))
                .with("local_port_min", J::int(10_000))
                .with("master", J::str("zk://localhost:2181/mesos"))
                .with("mesos_role", J::str("*"))
                .with("mesos_user", J::str("root"))
                .with("webui_url", J::Null),
        )
        .with(
            "zookeeper_config",
            J::obj()
                .with("zk", J::str("zk://localhost:2181/marathon"))
                .with("zk_timeout", J::int(10_000))
                .with("zk_session_timeout", J::int(10_000)),
        )
        .with(
            "http_config",
            J::obj()
                .with("http_port", J::int(port))
                .with("https_port", J::int(8443)),
        );
    Reply::marathon_json(200, &body)
}

/// `/v2/events` without `Accept: text/event-stream` is a 405 Jetty page (events.raml).
fn event_stream(req: &Request, path: &str) -> Reply {
    let accepts_sse = req
        .header("Accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("text/event-stream"));
    if !accepts_sse {
        return Reply::jetty_error(405, path, "HTTP method GET is not supported by this URL");
    }
    let event_types = req.query_values("event_type").map(str::to_string).collect();
    Reply {
        status: 200,
        headers: vec![
            (
                "Content-Type".into(),
                "text/event-stream;charset=UTF-8".into(),
            ),
            (
                "Cache-Control".into(),
                "no-cache, no-store, must-revalidate".into(),
            ),
            ("Expires".into(), "0".into()),
            ("Pragma".into(), "no-cache".into()),
            ("Connection".into(), "close".into()),
        ],
        body: ReplyBody::EventStream { event_types },
    }
}

/// `/v2/apps/{id}`, `/v2/apps/{id}/tasks`, `/v2/apps/{group}/*`.
fn app_routes(world: &World, rest: &str) -> Reply {
    let Some(decoded) = percent_decode(rest, false) else {
        return Reply::marathon_message(404, "HTTP 404 Not Found");
    };
    if let Some(group) = decoded
        .strip_suffix("/*")
        .or((decoded == "*").then_some(""))
    {
        return group_apps(world, group);
    }
    if let Some(id) = decoded.strip_suffix("/tasks") {
        let id = path_id(id);
        return match world.app(&id) {
            Some(app) => Reply::marathon_json(
                200,
                &J::obj().with(
                    "tasks",
                    J::arr(app.tasks.iter().map(|t| render::task(world, app, t))),
                ),
            ),
            None => Reply::marathon_message(404, &format!("App '{id}' does not exist")),
        };
    }
    let id = path_id(&decoded);
    match world.app(&id) {
        Some(app) => Reply::marathon_json(
            200,
            &J::obj().with("app", render::app(world, app, Embed::ALL)),
        ),
        None => Reply::marathon_message(404, &format!("App '{id}' does not exist")),
    }
}

/// Marathon's PathId: segments joined under `/`, empty segments dropped.
fn path_id(raw: &str) -> String {
    normalize_app_id(raw).unwrap_or_else(|_| {
        let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
        format!("/{}", segments.join("/"))
    })
}

fn group_apps(world: &World, group: &str) -> Reply {
    let group = path_id(group);
    let prefix = if group == "/" {
        "/".to_string()
    } else {
        format!("{group}/")
    };
    let apps: Vec<&App> = world
        .apps
        .iter()
        .filter(|a| a.id.starts_with(&prefix))
        .collect();
    if apps.is_empty() && group != "/" {
        return Reply::marathon_message(404, &format!("Group '{group}' does not exist"));
    }
    Reply::marathon_json(
        200,
        &J::obj().with(
            "*",
            J::arr(apps.into_iter().map(|a| render::app(world, a, Embed::ALL))),
        ),
    )
}

/// `?embed=` values that embed tasks (NOTES: all prefixes are accepted).
fn embed_of(req: &Request) -> Embed {
    let mut embed = Embed {
        tasks: false,
        counts: true,
        deployments: true,
        last_task_failure: false,
    };
    for value in req.query_values("embed") {
        let leaf = value.rsplit('.').next().unwrap_or(value);
        match leaf {
            "tasks" => embed.tasks = true,
            "lastTaskFailure" => embed.last_task_failure = true,
            _ => {}
        }
    }
    embed
}

fn list_apps(world: &World, req: &Request) -> Reply {
    let embed = embed_of(req);
    let id_filter = req.query_value("id").filter(|s| !s.is_empty());
    let cmd_filter = req.query_value("cmd").filter(|s| !s.is_empty());
    let selector = match req.query_value("label").map(LabelSelector::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(message)) => return Reply::marathon_message(400, &message),
        None => None,
    };
    let apps = world.apps.iter().filter(|app| {
        id_filter.is_none_or(|f| app.id.contains(f))
            && cmd_filter.is_none_or(|f| app.cmd.as_deref().unwrap_or("").contains(f))
            && selector.as_ref().is_none_or(|s| s.matches(app))
    });
    Reply::marathon_json(
        200,
        &J::obj().with("apps", J::arr(apps.map(|a| render::app(world, a, embed)))),
    )
}

fn list_tasks(world: &World, req: &Request) -> Reply {
    let wanted: Vec<String> = req
        .query_values("status")
        .chain(req.query_values("status[]"))
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let matches = |state: TaskState| wanted.is_empty() || wanted.contains(&state.filter_name());
    let tasks = world.apps.iter().flat_map(|app| {
        app.tasks
            .iter()
            .filter(|t| matches(t.state))
            .map(move |t| render::task(world, app, t))
    });
    Reply::marathon_json(200, &J::obj().with("tasks", J::arr(tasks)))
}

/// Marathon's `?label=` selector: comma-separated `k`, `k==v`, `k!=v`, `k in (a,b)`,
/// `k notin (a,b)`.
struct LabelSelector {
    terms: Vec<(String, Op)>,
}

enum Op {
    Exists,
    In(Vec<String>),
    NotIn(Vec<String>),
}

impl LabelSelector {
    fn parse(raw: &str) -> Result<LabelSelector, String> {
        let mut terms = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, c) in raw.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&raw[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&raw[start..]);
        for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
            let set = |s: &str| -> Vec<String> {
                s.trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .collect()
            };
            let term = if let Some((k, v)) = part.split_once("==") {
                (k.trim().to_string(), Op::In(vec![v.trim().to_string()]))
            } else if let Some((k, v)) = part.split_once("!=") {
                (k.trim().to_string(), Op::NotIn(vec![v.trim().to_string()]))
            } else if let Some((k, v)) = part.split_once(" notin ") {
                (k.trim().to_string(), Op::NotIn(set(v)))
            } else if let Some((k, v)) = part.split_once(" in ") {
                (k.trim().to_string(), Op::In(set(v)))
            } else if part
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.".contains(c))
            {
                (part.to_string(), Op::Exists)
            } else {
                return Err(format!("Invalid label selector {raw}"));
            };
            terms.push(term);
        }
        Ok(LabelSelector { terms })
    }

    fn matches(&self, app: &App) -> bool {
        self.terms.iter().all(|(key, op)| {
            let value = app.labels.get(key);
            match op {
                Op::Exists => value.is_some(),
                Op::In(set) => value.is_some_and(|v| set.contains(v)),
                Op::NotIn(set) => value.is_none_or(|v| !set.contains(v)),
            }
        })
    }
}
