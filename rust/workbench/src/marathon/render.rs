//! App and task JSON as each Marathon version shape writes it (NOTES "Marathon tasks").
//!
//! | shape | task keys | health results | networking |
//! |---|---|---|---|
//! | 1.1  | no `state`; `servicePorts` if any | `taskId`, no `lastFailureCause` | `container.docker.network` |
//! | 1.4  | `state` | `taskId`, `lastFailureCause: null` | docker `network` + `ipAddress` |
//! | 1.5  | marathon-lb fixture order; absent options are `null`; empty arrays and `servicePorts` omitted | `instanceId`, nulls | `networks` + `container.portMappings` |
//! | 1.10 | RAML order; every array present; absent options omitted | `instanceId`, omitted | same as 1.5 |
//!
//! In every shape a task that is not active (killed, failed, …) has `ports: []`; 1.10 also
//! drops `stagedAt`/`startedAt`/`version` for it.

use crate::clock::iso;
use crate::cluster::{ContainerKind, HealthCheckSpec, MarathonVersion, NetworkMode, TaskState};
use crate::json::J;
use crate::world::{Agent, App, HealthRecord, Port, Task, World};

use MarathonVersion::{V1_1, V1_10, V1_4, V1_5};

pub fn ip_protocol(ip: &str) -> &'static str {
    if ip.contains(':') {
        "IPv6"
    } else {
        "IPv4"
    }
}

fn labels(map: &std::collections::BTreeMap<String, String>) -> J {
    J::Obj(map.iter().map(|(k, v)| (k.clone(), J::str(v))).collect())
}

/// `Some(ms)` as a timestamp; `None` as null (1.5 and older) or omitted (1.10).
fn opt_time(obj: J, key: &str, value: Option<i64>, version: MarathonVersion) -> J {
    match (value, version) {
        (Some(ms), _) => obj.with(key, J::str(iso(ms))),
        (None, V1_10) => obj,
        (None, _) => obj.with(key, J::Null),
    }
}

pub fn health_check(hc: &HealthCheckSpec, version: MarathonVersion) -> J {
    let path = hc.path.as_ref().map(J::str);
    let index = hc.port_index.map(|i| J::int(i as i64));
    if version.has_networks_api() {
        J::obj()
            .with("gracePeriodSeconds", J::int(hc.grace_period_seconds))
            .with("intervalSeconds", J::int(hc.interval_seconds))
            .with(
                "maxConsecutiveFailures",
                J::int(hc.max_consecutive_failures),
            )
            .with_opt("path", path)
            .with_opt("portIndex", index)
            .with("protocol", J::str(&hc.protocol))
            .with("timeoutSeconds", J::int(hc.timeout_seconds))
            .with("delaySeconds", J::int(15))
    } else {
        J::obj()
            .with_opt("path", path)
            .with("protocol", J::str(&hc.protocol))
            .with_opt("portIndex", index)
            .with("gracePeriodSeconds", J::int(hc.grace_period_seconds))
            .with("intervalSeconds", J::int(hc.interval_seconds))
            .with("timeoutSeconds", J::int(hc.timeout_seconds))
            .with(
                "maxConsecutiveFailures",
                J::int(hc.max_consecutive_failures),
            )
    }
}

fn health_result(h: &HealthRecord, task: &Task, version: MarathonVersion) -> J {
    let base = J::obj()
        .with("alive", J::Bool(h.alive))
        .with("consecutiveFailures", J::int(h.consecutive_failures));
    let cause = h.last_failure_cause.as_ref().map(J::str);
    match version {
        V1_10 => {
            let obj = opt_time(base, "firstSuccess", h.first_success, version)
                .with("instanceId", J::str(&task.instance_id));
            let obj = opt_time(obj, "lastSuccess", h.last_success, version);
            opt_time(obj, "lastFailure", h.last_failure, version)
                .with_opt("lastFailureCause", cause)
        }
        V1_5 => {
            let obj = opt_time(base, "firstSuccess", h.first_success, version);
            let obj = opt_time(obj, "lastFailure", h.last_failure, version);
            opt_time(obj, "lastSuccess", h.last_success, version)
                .with("lastFailureCause", cause.unwrap_or(J::Null))
                .with("instanceId", J::str(&task.instance_id))
        }
        V1_4 | V1_1 => {
            let obj = opt_time(base, "firstSuccess", h.first_success, version);
            let obj = opt_time(obj, "lastFailure", h.last_failure, version);
            let obj = opt_time(obj, "lastSuccess", h.last_success, version);
            let obj = if version == V1_4 {
                obj.with("lastFailureCause", cause.unwrap_or(J::Null))
            } else {
                obj
            };
            obj.with("taskId", J::str(&task.id))
        }
    }
}

fn health_results(app: &App, task: &Task, version: MarathonVersion) -> Vec<J> {
    match &task.health {
        Some(h) => app
            .health_checks
            .iter()
            .map(|_| health_result(h, task, version))
            .collect(),
        None => Vec::new(),
    }
}

fn ip_addresses(task: &Task) -> J {
    J::arr(task.ip_addresses.iter().map(|ip| {
        J::obj()
            .with("ipAddress", J::str(ip))
            .with("protocol", J::str(ip_protocol(ip)))
    }))
}

/// One task, as embedded in an app or listed by `/v2/tasks`.
pub fn task(world: &World, app: &App, task: &Task) -> J {
    let version = world.marathon.version;
    let agent: &Agent = &world.agents[task.agent];
    let active = task.state.is_active();
    let ports = if active {
        J::ints(task.host_ports.iter().copied())
    } else {
        J::arr([])
    };
    let service_ports: Vec<u16> = app.ports.iter().map(|p| p.service_port).collect();
    let health = health_results(app, task, version);
    let staged = active.then_some(task.staged_at);
    let started = if active { task.started_at } else { None };
    let task_version = active.then_some(task.version);
    match version {
        V1_10 => {
            let obj = J::obj()
                .with("appId", J::str(&app.id))
                .with("healthCheckResults", J::Arr(health))
                .with("host", J::str(&agent.hostname))
                .with("id", J::str(&task.id))
                .with("ipAddresses", ip_addresses(task))
                .with("ports", ports)
                .with("servicePorts", J::ints(service_ports))
                .with("slaveId", J::str(&agent.id))
                .with("state", J::str(task.state.mesos_name()));
            let obj = opt_time(obj, "stagedAt", staged, version);
            let obj = opt_time(obj, "startedAt", started, version);
            let obj = opt_time(obj, "version", task_version, version);
            obj.with("localVolumes", J::arr([]))
                .with("role", J::str("*"))
        }
        V1_5 => {
            let mut obj = J::obj();
            if !task.ip_addresses.is_empty() {
                obj.push("ipAddresses", ip_addresses(task));
            }
            let obj = opt_time(obj, "stagedAt", staged, version)
                .with("state", J::str(task.state.mesos_name()))
                .with("ports", ports);
            let obj = opt_time(obj, "startedAt", started, version);
            let mut obj = opt_time(obj, "version", task_version, version)
                .with("id", J::str(&task.id))
                .with("appId", J::str(&app.id))
                .with("slaveId", J::str(&agent.id))
                .with("host", J::str(&agent.hostname));
            if !health.is_empty() {
                obj.push("healthCheckResults", J::Arr(health));
            }
            obj
        }
        V1_4 | V1_1 => {
            let obj = J::obj()
                .with("id", J::str(&task.id))
                .with("host", J::str(&agent.hostname))
                .with("ipAddresses", ip_addresses(task))
                .with("ports", ports);
            let obj = opt_time(obj, "startedAt", started, version);
            let obj = opt_time(obj, "stagedAt", staged, version);
            let mut obj = opt_time(obj, "version", task_version, version)
                .with("slaveId", J::str(&agent.id))
                .with("appId", J::str(&app.id));
            if version == V1_4 {
                obj.push("state", J::str(task.state.mesos_name()));
            }
            if !service_ports.is_empty() {
                obj.push("servicePorts", J::ints(service_ports));
            }
            if !health.is_empty() {
                obj.push("healthCheckResults", J::Arr(health));
            }
            obj
        }
    }
}

/// What `/v2/apps` embeds besides the app definition.
#[derive(Clone, Copy, Debug, Default)]
pub struct Embed {
    pub tasks: bool,
    pub counts: bool,
    pub deployments: bool,
    pub last_task_failure: bool,
}

impl Embed {
    /// `GET /v2/apps/{id}` embeds everything (compatibility behaviour).
    pub const ALL: Embed = Embed {
        tasks: true,
        counts: true,
        deployments: true,
        last_task_failure: true,
    };
}

fn port_mapping(p: &Port, version: MarathonVersion) -> J {
    let host_port = p.host_port.map(J::int);
    let name = p.name.as_ref().map(J::str);
    if version.has_networks_api() {
        J::obj()
            .with_opt("containerPort", p.container_port.map(J::int))
            .with_opt("hostPort", host_port)
            .with("labels", labels(&p.labels))
            .with_opt("name", name)
            .with("protocol", J::str(&p.protocol))
            .with("servicePort", J::int(p.service_port))
    } else {
        J::obj()
            .with_opt("containerPort", p.container_port.map(J::int))
            .with_opt("hostPort", host_port)
            .with("servicePort", J::int(p.service_port))
            .with("protocol", J::str(&p.protocol))
            .with_opt("name", name)
            .with("labels", labels(&p.labels))
    }
}

fn port_definitions(app: &App) -> J {
    J::arr(app.ports.iter().map(|p| {
        J::obj()
            .with("port", J::int(p.service_port))
            .with("protocol", J::str(&p.protocol))
            .with_opt("name", p.name.as_ref().map(J::str))
            .with("labels", labels(&p.labels))
    }))
}

fn docker(app: &App, version: MarathonVersion) -> J {
    let image = J::str(app.image.as_deref().unwrap_or("wso2/wso2am:latest"));
    if version.has_networks_api() {
        J::obj()
            .with("forcePullImage", J::Bool(false))
            .with("image", image)
            .with("parameters", J::arr([]))
            .with("privileged", J::Bool(false))
    } else {
        let network = match app.network {
            NetworkMode::Host => "HOST",
            NetworkMode::Bridge => "BRIDGE",
            NetworkMode::Container => "USER",
        };
        let mappings = match app.network {
            NetworkMode::Host => J::Null,
            _ => J::arr(app.ports.iter().map(|p| port_mapping(p, version))),
        };
        J::obj()
            .with("image", image)
            .with("network", J::str(network))
            .with("portMappings", mappings)
            .with("privileged", J::Bool(false))
            .with("parameters", J::arr([]))
            .with("forcePullImage", J::Bool(false))
    }
}

fn container(app: &App, version: MarathonVersion) -> Option<J> {
    let kind = app.container?;
    let type_name = match kind {
        ContainerKind::Docker => "DOCKER",
        ContainerKind::Mesos => "MESOS",
    };
    let docker_part = match kind {
        ContainerKind::Docker => Some(docker(app, version)),
        ContainerKind::Mesos => app
            .image
            .as_ref()
            .map(|i| J::obj().with("image", J::str(i))),
    };
    if version.has_networks_api() {
        let mut obj = J::obj()
            .with("type", J::str(type_name))
            .with_opt("docker", docker_part)
            .with("volumes", J::arr([]));
        if app.network != NetworkMode::Host || version == V1_10 {
            let mappings = match app.network {
                NetworkMode::Host => Vec::new(),
                _ => app.ports.iter().map(|p| port_mapping(p, version)).collect(),
            };
            obj.push("portMappings", J::Arr(mappings));
        }
        Some(obj)
    } else {
        Some(
            J::obj()
                .with("type", J::str(type_name))
                .with("volumes", J::arr([]))
                .with_opt("docker", docker_part),
        )
    }
}

/// Legacy (≤1.4) IP-per-task: `ipAddress {groups, labels, discovery.ports, networkName}`.
fn legacy_ip_address(app: &App) -> J {
    if app.network != NetworkMode::Container {
        return J::Null;
    }
    // Docker apps declare their ports in docker.portMappings; others in discovery.ports.
    let discovery_ports = if app.container == Some(ContainerKind::Docker) {
        Vec::new()
    } else {
        app.ports
            .iter()
            .map(|p| {
                J::obj()
                    .with("number", J::int(p.container_port.unwrap_or(0)))
                    .with("name", J::str(p.name.as_deref().unwrap_or("")))
                    .with("protocol", J::str(&p.protocol))
            })
            .collect()
    };
    J::obj()
        .with("groups", J::arr([]))
        .with("labels", J::obj())
        .with("discovery", J::obj().with("ports", J::Arr(discovery_ports)))
        .with("networkName", J::str(&app.network_name))
}

fn networks(app: &App) -> J {
    J::arr([match app.network {
        NetworkMode::Host => J::obj().with("mode", J::str("host")),
        NetworkMode::Bridge => J::obj().with("mode", J::str("container/bridge")),
        NetworkMode::Container => J::obj()
            .with("name", J::str(&app.network_name))
            .with("mode", J::str("container")),
    }])
}

/// Marathon's task counts: staged (not yet running), running, healthy, unhealthy.
fn counts(app: &App) -> [(&'static str, J); 4] {
    let staged = app
        .tasks
        .iter()
        .filter(|t| matches!(t.state, TaskState::Staging | TaskState::Starting))
        .count();
    let running = app
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Running)
        .count();
    let healthy = app
        .tasks
        .iter()
        .filter(|t| t.health.as_ref().is_some_and(|h| h.alive))
        .count();
    let unhealthy = app
        .tasks
        .iter()
        .filter(|t| t.health.as_ref().is_some_and(|h| !h.alive))
        .count();
    [
        ("tasksStaged", J::int(staged as i64)),
        ("tasksRunning", J::int(running as i64)),
        ("tasksHealthy", J::int(healthy as i64)),
        ("tasksUnhealthy", J::int(unhealthy as i64)),
    ]
}

fn last_task_failure(app: &App, version: MarathonVersion) -> Option<J> {
    let f = app.last_task_failure.as_ref()?;
    let obj = J::obj()
        .with("appId", J::str(&app.id))
        .with("host", J::str(&f.host))
        .with("message", J::str(&f.message))
        .with("state", J::str(f.state.mesos_name()))
        .with("taskId", J::str(&f.task_id))
        .with("timestamp", J::str(iso(f.timestamp)))
        .with("version", J::str(iso(f.version)));
    Some(if version == V1_10 {
        obj.with("slaveId", J::str(&f.slave_id))
    } else {
        obj
    })
}

fn version_info(app: &App) -> J {
    J::obj()
        .with("lastScalingAt", J::str(iso(app.last_scaling_at)))
        .with("lastConfigChangeAt", J::str(iso(app.last_config_change_at)))
}

/// Appends the embedded parts (counts, deployments, tasks, lastTaskFailure).
fn embed_into(mut obj: J, world: &World, app: &App, embed: Embed) -> J {
    let version = world.marathon.version;
    if embed.counts {
        for (k, v) in counts(app) {
            obj.push(k, v);
        }
    }
    if embed.deployments {
        obj.push("deployments", J::arr([]));
    }
    if embed.tasks {
        obj.push(
            "tasks",
            J::arr(app.tasks.iter().map(|t| task(world, app, t))),
        );
    }
    if embed.last_task_failure {
        if let Some(f) = last_task_failure(app, version) {
            obj.push("lastTaskFailure", f);
        }
    }
    obj
}

/// One app definition with what `embed` asks for.
pub fn app(world: &World, app: &App, embed: Embed) -> J {
    let version = world.marathon.version;
    let obj = if version.has_networks_api() {
        modern_app(app, version)
    } else {
        legacy_app(app, version)
    };
    embed_into(obj, world, app, embed)
}

fn modern_app(app: &App, version: MarathonVersion) -> J {
    let all_arrays = version == V1_10;
    let mut obj = J::obj()
        .with("id", J::str(&app.id))
        .with("backoffFactor", J::float(1.15))
        .with("backoffSeconds", J::int(1))
        .with_opt("cmd", app.cmd.as_ref().map(J::str));
    if all_arrays {
        obj.push("constraints", J::arr([]));
    }
    let mut obj = obj
        .with_opt("container", container(app, version))
        .with("cpus", J::float(app.cpus));
    if all_arrays {
        obj.push("dependencies", J::arr([]));
    }
    obj.push("disk", J::int(0));
    if all_arrays {
        obj.push("env", J::obj());
    }
    obj.push("executor", J::str(""));
    if all_arrays {
        obj.push("fetch", J::arr([]));
    }
    if all_arrays || !app.health_checks.is_empty() {
        obj.push(
            "healthChecks",
            J::arr(app.health_checks.iter().map(|h| health_check(h, version))),
        );
    }
    let mut obj = obj
        .with("instances", J::int(app.instances))
        .with("labels", labels(&app.labels))
        .with("maxLaunchDelaySeconds", J::int(3600))
        .with("mem", J::float(app.mem))
        .with("gpus", J::int(0))
        .with("networks", networks(app));
    if app.network == NetworkMode::Host {
        obj.push("portDefinitions", port_definitions(app));
    } else if all_arrays {
        obj.push("portDefinitions", J::arr([]));
    }
    let mut obj = obj
        .with("requirePorts", J::Bool(false))
        .with(
            "upgradeStrategy",
            J::obj()
                .with("maximumOverCapacity", J::int(1))
                .with("minimumHealthCapacity", J::int(1)),
        )
        .with("version", J::str(iso(app.version)))
        .with("versionInfo", version_info(app))
        .with("killSelection", J::str("YOUNGEST_FIRST"))
        .with(
            "unreachableStrategy",
            J::obj()
                .with("inactiveAfterSeconds", J::int(300))
                .with("expungeAfterSeconds", J::int(600)),
        );
    if all_arrays {
        obj.push("role", J::str("*"));
    }
    obj
}

fn legacy_app(app: &App, version: MarathonVersion) -> J {
    let service_ports: Vec<u16> = app.ports.iter().map(|p| p.service_port).collect();
    let mut obj = J::obj()
        .with("id", J::str(&app.id))
        .with("cmd", app.cmd.as_ref().map_or(J::Null, J::str))
        .with("args", J::Null)
        .with("user", J::Null)
        .with("env", J::obj())
        .with("instances", J::int(app.instances))
        .with("cpus", J::float(app.cpus))
        .with("mem", J::float(app.mem))
        .with("disk", J::int(0))
        .with("executor", J::str(""))
        .with("constraints", J::arr([]))
        .with("uris", J::arr([]))
        .with("storeUrls", J::arr([]));
    if version == V1_1 {
        obj.push("ports", J::ints(service_ports));
    }
    let definitions = if app.network == NetworkMode::Container {
        J::arr([])
    } else {
        port_definitions(app)
    };
    obj.with("portDefinitions", definitions)
        .with("requirePorts", J::Bool(false))
        .with("backoffSeconds", J::int(1))
        .with("backoffFactor", J::float(1.15))
        .with("maxLaunchDelaySeconds", J::int(3600))
        .with("container", container(app, version).unwrap_or(J::Null))
        .with(
            "healthChecks",
            J::arr(app.health_checks.iter().map(|h| health_check(h, version))),
        )
        .with("dependencies", J::arr([]))
        .with(
            "upgradeStrategy",
            J::obj()
                .with("minimumHealthCapacity", J::int(1))
                .with("maximumOverCapacity", J::int(1)),
        )
        .with("labels", labels(&app.labels))
        .with("acceptedResourceRoles", J::Null)
        .with("ipAddress", legacy_ip_address(app))
        .with("version", J::str(iso(app.version)))
        .with("versionInfo", version_info(app))
}
