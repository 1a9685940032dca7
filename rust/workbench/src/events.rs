//! Marathon event bodies (`/v2/events`), field order as Marathon's writers emit them
//! (Formats.scala; NOTES "Marathon event stream"): payload fields first, then `eventType` and
//! `timestamp`. Version-dependent: instances (and their events) exist from 1.4 on.

use crate::clock::{iso, Millis};
use crate::cluster::MarathonVersion;
use crate::json::J;
use crate::marathon::render;
use crate::world::World;

/// One event: its type (the SSE `event:` line) and its JSON (the `data:` line).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub event_type: String,
    pub data: J,
}

impl Event {
    fn new(event_type: &str, data: J, at: Millis) -> Event {
        Event {
            event_type: event_type.to_string(),
            data: data
                .with("eventType", J::str(event_type))
                .with("timestamp", J::str(iso(at))),
        }
    }

    /// The SSE frame Jetty's EventSourceServlet writes (CRLF line ends).
    pub fn frame(&self) -> String {
        format!(
            "event: {}\r\ndata: {}\r\n\r\n",
            self.event_type,
            self.data.to_compact()
        )
    }
}

fn ip_addresses(ips: &[String]) -> J {
    J::arr(ips.iter().map(|ip| {
        J::obj()
            .with("ipAddress", J::str(ip))
            .with("protocol", J::str(render::ip_protocol(ip)))
    }))
}

/// `event_stream_attached`, the first event of every stream.
pub fn stream_attached(remote_address: &str, at: Millis) -> Event {
    Event::new(
        "event_stream_attached",
        J::obj().with("remoteAddress", J::str(remote_address)),
        at,
    )
}

/// A task's state change: `status_update_event`, and from 1.4 `instance_changed_event`.
pub fn task_changed(world: &World, app: usize, task: usize, message: &str) -> Vec<Event> {
    let app = &world.apps[app];
    let task = &app.tasks[task];
    let agent = &world.agents[task.agent];
    let at = world.clock.now();
    let ports = if task.state.is_active() {
        task.host_ports.clone()
    } else {
        Vec::new()
    };
    let mut out = vec![Event::new(
        "status_update_event",
        J::obj()
            .with("slaveId", J::str(&agent.id))
            .with("taskId", J::str(&task.id))
            .with("taskStatus", J::str(task.state.mesos_name()))
            .with("message", J::str(message))
            .with("appId", J::str(&app.id))
            .with("host", J::str(&agent.hostname))
            .with("ipAddresses", ip_addresses(&task.ip_addresses))
            .with("ports", J::ints(ports))
            // The version of the app the task was launched with (its run spec version).
            .with("version", J::str(iso(task.version))),
        at,
    )];
    if world.marathon.version >= MarathonVersion::V1_4 {
        out.push(Event::new(
            "instance_changed_event",
            J::obj()
                .with("instanceId", J::str(&task.instance_id))
                .with("condition", J::str(task.state.condition()))
                .with("runSpecId", J::str(&app.id))
                .with("agentId", J::str(&agent.id))
                .with("host", J::str(&agent.hostname))
                .with("runSpecVersion", J::str(iso(task.version))),
            at,
        ));
    }
    out
}

/// A health flip: `health_status_changed_event` (+ `instance_health_changed_event` from 1.4,
/// + `failed_health_check_event` when it turned dead).
pub fn health_changed(
    world: &World,
    app_index: usize,
    task_index: usize,
    alive: bool,
) -> Vec<Event> {
    let app = &world.apps[app_index];
    let task = &app.tasks[task_index];
    let at = world.clock.now();
    let legacy = world.marathon.version < MarathonVersion::V1_4;
    let mut out = Vec::new();
    if !alive {
        out.extend(failed_health_check(world, app_index, task_index));
    }
    out.push(Event::new(
        "health_status_changed_event",
        J::obj()
            .with("appId", J::str(&app.id))
            .with(
                if legacy { "taskId" } else { "instanceId" },
                J::str(if legacy { &task.id } else { &task.instance_id }),
            )
            .with("version", J::str(iso(task.version)))
            .with("alive", J::Bool(alive)),
        at,
    ));
    if !legacy {
        out.push(Event::new(
            "instance_health_changed_event",
            J::obj()
                .with("instanceId", J::str(&task.instance_id))
                .with("runSpecId", J::str(&app.id))
                .with("healthy", J::Bool(alive))
                .with("runSpecVersion", J::str(iso(task.version))),
            at,
        ));
    }
    out
}

/// `failed_health_check_event` for the app's first health check.
pub fn failed_health_check(world: &World, app_index: usize, task_index: usize) -> Option<Event> {
    let app = &world.apps[app_index];
    let task = &app.tasks[task_index];
    let check = app.health_checks.first()?;
    Some(Event::new(
        "failed_health_check_event",
        J::obj()
            .with("appId", J::str(&app.id))
            .with("taskId", J::str(&task.id))
            .with(
                "healthCheck",
                render::health_check(check, world.marathon.version),
            ),
        world.clock.now(),
    ))
}

pub fn group_change_success(world: &World, group_id: &str) -> Event {
    Event::new(
        "group_change_success",
        J::obj()
            .with("groupId", J::str(group_id))
            .with("version", J::str(iso(world.clock.now()))),
        world.clock.now(),
    )
}

/// The light plan (the only form from 1.8 on): `{id, steps, version}`.
fn plan(plan_id: &str, app_id: &str, action: &str, version: Millis) -> J {
    J::obj()
        .with("id", J::str(plan_id))
        .with(
            "steps",
            J::arr([J::obj()
                .with("action", J::str(action))
                .with("app", J::str(app_id))]),
        )
        .with("version", J::str(iso(version)))
}

fn current_step(app_id: &str, action: &str) -> J {
    J::obj().with(
        "actions",
        J::arr([J::obj()
            .with("type", J::str(action))
            .with("app", J::str(app_id))]),
    )
}

pub fn deployment_info(
    world: &World,
    plan_id: &str,
    app_id: &str,
    action: &str,
    version: Millis,
) -> Event {
    Event::new(
        "deployment_info",
        J::obj()
            .with("plan", plan(plan_id, app_id, action, version))
            .with("currentStep", current_step(app_id, action)),
        world.clock.now(),
    )
}

pub fn deployment_step_success(
    world: &World,
    plan_id: &str,
    app_id: &str,
    action: &str,
    version: Millis,
) -> Event {
    Event::new(
        "deployment_step_success",
        J::obj()
            .with("plan", plan(plan_id, app_id, action, version))
            .with("currentStep", current_step(app_id, action)),
        world.clock.now(),
    )
}

pub fn deployment_success(
    world: &World,
    plan_id: &str,
    app_id: &str,
    action: &str,
    version: Millis,
) -> Event {
    Event::new(
        "deployment_success",
        J::obj()
            .with("id", J::str(plan_id))
            .with("plan", plan(plan_id, app_id, action, version)),
        world.clock.now(),
    )
}

pub fn app_terminated(world: &World, app_id: &str) -> Event {
    Event::new(
        "app_terminated_event",
        J::obj().with("appId", J::str(app_id)),
        world.clock.now(),
    )
}
