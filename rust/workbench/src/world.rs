//! The emulated cluster's live state: agents, apps and their tasks, the Marathon leader, and
//! the mutations the admin API performs. Every mutation returns the Marathon events it causes,
//! which the server then publishes on `/v2/events`.
//!
//! Everything generated (ids, ports, IPs, timestamps) comes from the seed and a logical clock,
//! so the same description and the same mutations give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use crate::clock::{Clock, Millis, DEFAULT_BASE};
use crate::cluster::{
    normalize_app_id, AgentSpec, AppSpec, AuthSpec, Cluster, ContainerKind, HealthCheckSpec,
    HealthSpec, LeaderSpec, MarathonSpec, MesosDnsSpec, NetworkMode, TaskSpec, TaskState,
    MAX_INSTANCES,
};
use crate::events::{self, Event};
use crate::ids::{self, IdSource};

#[derive(Clone, Debug)]
pub struct Agent {
    pub hostname: String,
    pub ip: String,
    /// Mesos agent id (`<uuid>-S<n>`), reported as the task's `slaveId`.
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct Port {
    pub name: Option<String>,
    pub container_port: Option<u16>,
    /// `None`: no host port (container network without mapping). `Some(0)`: dynamic.
    pub host_port: Option<u16>,
    pub service_port: u16,
    pub protocol: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HealthRecord {
    pub alive: bool,
    pub consecutive_failures: u32,
    pub first_success: Option<Millis>,
    pub last_success: Option<Millis>,
    pub last_failure: Option<Millis>,
    pub last_failure_cause: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub id: String,
    pub instance_id: String,
    pub agent: usize,
    pub state: TaskState,
    pub host_ports: Vec<u16>,
    pub ip_addresses: Vec<String>,
    /// `None`: no health result yet (or no health checks).
    pub health: Option<HealthRecord>,
    pub staged_at: Millis,
    pub started_at: Option<Millis>,
    pub version: Millis,
}

#[derive(Clone, Debug)]
pub struct TaskFailure {
    pub task_id: String,
    pub host: String,
    pub slave_id: String,
    pub state: TaskState,
    pub message: String,
    pub timestamp: Millis,
    pub version: Millis,
}

#[derive(Clone, Debug)]
pub struct App {
    pub id: String,
    pub instances: u32,
    pub network: NetworkMode,
    pub network_name: String,
    pub container: Option<ContainerKind>,
    pub image: Option<String>,
    pub cmd: Option<String>,
    pub cpus: f64,
    pub mem: f64,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<Port>,
    pub health_checks: Vec<HealthCheckSpec>,
    pub version: Millis,
    pub last_scaling_at: Millis,
    pub last_config_change_at: Millis,
    pub tasks: Vec<Task>,
    pub last_task_failure: Option<TaskFailure>,
}

impl App {
    /// How many host ports each task of this app gets.
    pub fn host_port_count(&self) -> usize {
        match self.network {
            NetworkMode::Host => self.ports.len(),
            _ => self.ports.iter().filter(|p| p.host_port.is_some()).count(),
        }
    }

    pub fn task(&self, task_id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == task_id)
    }
}

/// The live cluster.
#[derive(Debug)]
pub struct World {
    pub marathon: MarathonSpec,
    pub mesos_dns: MesosDnsSpec,
    pub auth: AuthSpec,
    /// Strict mode's IAM service, when `auth.acs` is set.
    pub acs: Option<crate::acs::Acs>,
    pub framework_id: String,
    pub agents: Vec<Agent>,
    pub apps: Vec<App>,
    pub leader: LeaderSpec,
    pub clock: Clock,
    ids: IdSource,
    agent_cursor: usize,
    next_host_port: Vec<u16>,
    /// Host ports handed out per agent: Mesos never gives one port of an agent to two tasks.
    used_host_ports: Vec<BTreeSet<u16>>,
    next_ip: Vec<u32>,
    used_service_ports: BTreeSet<u16>,
}

/// Why a mutation was refused; the admin endpoint answers 404 or 400 accordingly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    NotFound(String),
    Invalid(String),
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::NotFound(m) | WorldError::Invalid(m) => f.write_str(m),
        }
    }
}

type Outcome = Result<Vec<Event>, WorldError>;

/// Upper bound on apps, so that bodies stay bounded whatever the admin API is sent.
pub const MAX_APPS: usize = 1_000;

const DEFAULT_AGENTS: [&str; 3] = ["10.0.1.11", "10.0.1.12", "10.0.1.13"];

impl World {
    pub fn build(cluster: &Cluster) -> Result<World, String> {
        cluster.validate()?;
        let mut ids = IdSource::new(cluster.seed);
        let base = DEFAULT_BASE + (cluster.seed % 86_400_000) as Millis;
        let framework_id = format!("{}-0000", ids.uuid_v4());
        let mut world = World {
            marathon: cluster.marathon.clone(),
            mesos_dns: cluster.mesos_dns.clone(),
            auth: cluster.auth.clone(),
            acs: cluster
                .auth
                .acs
                .as_ref()
                .map(crate::acs::Acs::new)
                .transpose()?,
            framework_id,
            agents: Vec::new(),
            apps: Vec::new(),
            leader: cluster.marathon.leader.clone(),
            clock: Clock::new(base),
            agent_cursor: 0,
            next_host_port: Vec::new(),
            used_host_ports: Vec::new(),
            next_ip: Vec::new(),
            used_service_ports: BTreeSet::new(),
            ids,
        };
        let agent_prefix = world.ids.uuid_v4();
        let specs: Vec<AgentSpec> = if cluster.agents.is_empty() {
            DEFAULT_AGENTS
                .iter()
                .map(|ip| AgentSpec {
                    hostname: ip.to_string(),
                    ip: None,
                })
                .collect()
        } else {
            cluster.agents.clone()
        };
        world.agent_prefix_init(&agent_prefix, &specs);
        for app in &cluster.apps {
            for port in &app.ports {
                if let Some(sp) = port.service_port {
                    world.used_service_ports.insert(sp);
                }
            }
        }
        for spec in &cluster.apps {
            world
                .insert_app(spec, false)
                .map_err(|e| format!("app {}: {e}", spec.id))?;
        }
        Ok(world)
    }

    fn agent_prefix_init(&mut self, prefix: &str, specs: &[AgentSpec]) {
        for spec in specs {
            self.add_agent(prefix, &spec.hostname, spec.ip.clone());
        }
    }

    fn add_agent(&mut self, prefix: &str, hostname: &str, ip: Option<String>) -> usize {
        let n = self.agents.len();
        let ip = ip.unwrap_or_else(|| {
            if hostname.parse::<std::net::IpAddr>().is_ok() {
                hostname.to_string()
            } else {
                format!("10.0.0.{}", 100 + n % 150)
            }
        });
        let start = 31_000 + (self.ids.next_u64() % 1_000) as u16;
        self.agents.push(Agent {
            hostname: hostname.to_string(),
            ip,
            id: format!("{prefix}-S{n}"),
        });
        self.next_host_port.push(start);
        self.used_host_ports.push(BTreeSet::new());
        self.next_ip.push(0);
        n
    }

    fn agent_prefix(&self) -> String {
        // Every agent id shares the master's uuid prefix, as in a real cluster.
        self.agents
            .first()
            .and_then(|a| a.id.rsplit_once("-S").map(|(p, _)| p.to_string()))
            .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".into())
    }

    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    fn app_mut(&mut self, id: &str) -> Result<&mut App, WorldError> {
        let id = normalize_app_id(id).map_err(WorldError::Invalid)?;
        self.apps
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| WorldError::NotFound(format!("App '{id}' does not exist")))
    }

    /// The app index and task index of `task_id`.
    fn locate_task(&self, task_id: &str) -> Result<(usize, usize), WorldError> {
        for (a, app) in self.apps.iter().enumerate() {
            if let Some(t) = app
                .tasks
                .iter()
                .position(|t| t.id == task_id || t.instance_id == task_id)
            {
                return Ok((a, t));
            }
        }
        Err(WorldError::NotFound(format!(
            "Task '{task_id}' does not exist"
        )))
    }

    fn allocate_service_port(&mut self) -> u16 {
        let mut candidate = 10_000u16;
        while self.used_service_ports.contains(&candidate) {
            candidate = candidate.saturating_add(1);
        }
        self.used_service_ports.insert(candidate);
        candidate
    }

    fn allocate_host_port(&mut self, agent: usize) -> u16 {
        // Mesos' default agent range is 31000-32000 (1001 ports); wrap inside it and skip
        // ports already given out. Past 1001 tasks' ports on one agent (more than a real agent
        // offers) ports are reused.
        let mut port = self.next_host_port[agent];
        for _ in 0..=1_000 {
            if !self.used_host_ports[agent].contains(&port) {
                break;
            }
            port = if port >= 32_000 { 31_000 } else { port + 1 };
        }
        self.used_host_ports[agent].insert(port);
        let step = 1 + (self.ids.next_u64() % 13) as u16;
        self.next_host_port[agent] = if port > 32_000 - step {
            31_000
        } else {
            port + step
        };
        port
    }

    fn allocate_task_ip(&mut self, agent: usize, network: NetworkMode) -> Option<String> {
        let k = self.next_ip[agent];
        self.next_ip[agent] += 1;
        match network {
            NetworkMode::Host => None,
            // Docker's bridge: per agent, the same 172.17.0.0/16 range (not routable).
            NetworkMode::Bridge => Some(format!("172.17.{}.{}", k / 250, 2 + k % 250)),
            // DC/OS overlay: 9.0.0.0/8, one /24 per agent.
            NetworkMode::Container => Some(format!("9.0.{}.{}", agent % 250 + 1, 2 + k % 250)),
        }
    }

    fn pick_agent(&mut self, wanted: Option<&str>) -> usize {
        match wanted {
            Some(name) => match self
                .agents
                .iter()
                .position(|a| a.hostname == name || a.ip == name)
            {
                Some(i) => i,
                None => {
                    let prefix = self.agent_prefix();
                    self.add_agent(&prefix, name, None)
                }
            },
            None => {
                let i = self.agent_cursor % self.agents.len().max(1);
                self.agent_cursor += 1;
                if self.agents.is_empty() {
                    let prefix = self.agent_prefix();
                    return self.add_agent(&prefix, DEFAULT_AGENTS[0], None);
                }
                i
            }
        }
    }

    /// Adds an app built from `spec`; with `announce`, returns the events Marathon emits for a
    /// new app (group change, deployment, task launches).
    fn insert_app(&mut self, spec: &AppSpec, announce: bool) -> Outcome {
        spec.validate().map_err(WorldError::Invalid)?;
        let id = normalize_app_id(&spec.id).map_err(WorldError::Invalid)?;
        if self.app(&id).is_some() {
            return Err(WorldError::Invalid(format!("App '{id}' already exists")));
        }
        if self.apps.len() >= MAX_APPS {
            return Err(WorldError::Invalid(format!("at most {MAX_APPS} apps")));
        }
        let version = self.clock.tick();
        let mut ports = Vec::new();
        for p in &spec.ports {
            let service_port = match p.service_port {
                Some(sp) => {
                    self.used_service_ports.insert(sp);
                    sp
                }
                None => self.allocate_service_port(),
            };
            let host_port = match spec.network {
                NetworkMode::Host => None,
                NetworkMode::Bridge => Some(p.host_port.unwrap_or(0)),
                NetworkMode::Container => p.host_port,
            };
            ports.push(Port {
                name: p.name.clone(),
                container_port: p.container_port,
                host_port,
                service_port,
                protocol: p.protocol.clone(),
                labels: p.labels.clone(),
            });
        }
        let container = spec.container.or(match spec.network {
            NetworkMode::Host => None,
            _ => Some(ContainerKind::Docker),
        });
        let app = App {
            id: id.clone(),
            instances: spec.instances.unwrap_or(spec.tasks.len() as u32),
            network: spec.network,
            network_name: spec.network_name.clone().unwrap_or_else(|| "dcos".into()),
            container,
            image: spec.image.clone(),
            cmd: spec.cmd.clone(),
            cpus: spec.cpus.unwrap_or(1.0),
            mem: spec.mem.unwrap_or(1024.0),
            labels: spec.labels.clone(),
            ports,
            health_checks: spec.health_checks.clone(),
            version,
            last_scaling_at: version,
            last_config_change_at: version,
            tasks: Vec::new(),
            last_task_failure: None,
        };
        let wanted = app.instances as usize;
        self.apps.push(app);
        let app_index = self.apps.len() - 1;
        let mut events = Vec::new();
        if announce {
            events.push(events::group_change_success(self, "/"));
        }
        let mut new_tasks = Vec::new();
        for i in 0..wanted {
            let task_spec = spec.tasks.get(i).cloned().unwrap_or_default();
            let task = self
                .launch_task(app_index, &task_spec)
                .map_err(|e| WorldError::Invalid(format!("task {i}: {e}")))?;
            new_tasks.push(task.id.clone());
            self.apps[app_index].tasks.push(task);
        }
        if announce {
            events.extend(self.deployment_events(&id, "StartApplication", &new_tasks));
        }
        Ok(events)
    }

    /// Builds one task of app `app_index` (not yet added to the app).
    fn launch_task(&mut self, app_index: usize, spec: &TaskSpec) -> Result<Task, String> {
        let state = TaskState::parse(if spec.state.is_empty() {
            "TASK_RUNNING"
        } else {
            &spec.state
        })?;
        let agent = self.pick_agent(spec.agent.as_deref());
        let app = &self.apps[app_index];
        let (network, port_count, app_id, has_checks) = (
            app.network,
            app.host_port_count(),
            app.id.clone(),
            !app.health_checks.is_empty(),
        );
        let fixed: Vec<Option<u16>> = match network {
            NetworkMode::Host => vec![None; port_count],
            _ => app
                .ports
                .iter()
                .filter_map(|p| p.host_port)
                .map(|hp| (hp != 0).then_some(hp))
                .collect(),
        };
        let host_ports = match &spec.ports {
            Some(ports) if ports.len() != port_count => {
                return Err(format!(
                    "{} ports given but the app's networking allocates {port_count} host ports",
                    ports.len()
                ))
            }
            Some(ports) => ports.clone(),
            None => {
                let mut ports = Vec::with_capacity(port_count);
                for fixed_port in fixed {
                    let port = match fixed_port {
                        Some(p) => p,
                        None => self.allocate_host_port(agent),
                    };
                    ports.push(port);
                }
                ports
            }
        };
        let ip_addresses = if !spec.ip_addresses.is_empty() {
            spec.ip_addresses.clone()
        } else if state.has_started() {
            self.allocate_task_ip(agent, network).into_iter().collect()
        } else {
            Vec::new()
        };
        let uuid = self.ids.uuid_v1();
        let (id, instance_id) = ids::task_ids(self.marathon.version, &app_id, &uuid);
        let staged_at = self.clock.tick();
        let started_at = state.has_started().then(|| staged_at + 2_345);
        let health = match spec.health {
            HealthSpec::Healthy => Some(true),
            HealthSpec::Unhealthy => Some(false),
            HealthSpec::Unknown => None,
            HealthSpec::Default => (has_checks && state == TaskState::Running).then_some(true),
        }
        .map(|alive| health_record(alive, started_at.unwrap_or(staged_at) + 5_000));
        let version = self.apps[app_index].version;
        Ok(Task {
            id,
            instance_id,
            agent,
            state,
            host_ports,
            ip_addresses,
            health,
            staged_at,
            started_at,
            version,
        })
    }

    /// Marathon's deployment events around a change to `app_id`.
    fn deployment_events(&mut self, app_id: &str, action: &str, launched: &[String]) -> Vec<Event> {
        let plan_id = self.ids.uuid_v4();
        // The plan's version is the target's: the app's new version (a stopped app's plan is
        // versioned by the group change, now).
        let version = self
            .app(app_id)
            .filter(|_| action != "StopApplication")
            .map_or_else(|| self.clock.now(), |app| app.version);
        let mut out = vec![events::deployment_info(
            self, &plan_id, app_id, action, version,
        )];
        for task_id in launched {
            if let Ok((a, t)) = self.locate_task(task_id) {
                out.extend(events::task_changed(self, a, t, ""));
            }
        }
        out.push(events::deployment_step_success(
            self, &plan_id, app_id, action, version,
        ));
        out.push(events::deployment_success(
            self, &plan_id, app_id, action, version,
        ));
        out
    }

    // ---- mutations (the admin API) ----

    pub fn add_app(&mut self, spec: &AppSpec) -> Outcome {
        self.insert_app(spec, true)
    }

    pub fn delete_app(&mut self, app_id: &str) -> Outcome {
        let id = self.app_mut(app_id)?.id.clone();
        let index = self.apps.iter().position(|a| a.id == id).unwrap_or(0);
        let mut out = Vec::new();
        let task_ids: Vec<String> = self.apps[index]
            .tasks
            .iter()
            .map(|t| t.id.clone())
            .collect();
        for task_id in task_ids {
            out.extend(self.set_state_inner(&task_id, TaskState::Killed, "")?);
        }
        self.clock.tick();
        out.extend(self.deployment_events(&id, "StopApplication", &[]));
        out.push(events::app_terminated(self, &id));
        self.apps.retain(|a| a.id != id);
        Ok(out)
    }

    /// Sets the desired instance count: launches tasks (running, round-robin agents) or kills
    /// the youngest ones (Marathon's default `killSelection: YOUNGEST_FIRST`).
    pub fn scale(&mut self, app_id: &str, instances: u32, new_task: &TaskSpec) -> Outcome {
        if instances > MAX_INSTANCES {
            return Err(WorldError::Invalid(format!(
                "instances {instances} exceeds {MAX_INSTANCES}"
            )));
        }
        let id = self.app_mut(app_id)?.id.clone();
        let index = self.apps.iter().position(|a| a.id == id).unwrap_or(0);
        let now = self.clock.tick();
        self.apps[index].instances = instances;
        self.apps[index].last_scaling_at = now;
        self.apps[index].version = now;
        let mut out = Vec::new();
        let current = self.apps[index].tasks.len() as u32;
        let mut launched = Vec::new();
        for _ in current..instances {
            let task = self
                .launch_task(index, new_task)
                .map_err(WorldError::Invalid)?;
            launched.push(task.id.clone());
            self.apps[index].tasks.push(task);
        }
        if instances < current {
            let mut victims: Vec<(Millis, String)> = self.apps[index]
                .tasks
                .iter()
                .map(|t| (t.staged_at, t.id.clone()))
                .collect();
            victims.sort_by(|a, b| b.cmp(a));
            for (_, task_id) in victims.into_iter().take((current - instances) as usize) {
                out.extend(self.set_state_inner(&task_id, TaskState::Killed, "")?);
            }
        }
        out.extend(self.deployment_events(&id, "ScaleApplication", &launched));
        Ok(out)
    }

    /// Adds one task to an app (instances grows by one), e.g. a staging one.
    pub fn add_task(
        &mut self,
        app_id: &str,
        spec: &TaskSpec,
    ) -> Result<(String, Vec<Event>), WorldError> {
        let id = self.app_mut(app_id)?.id.clone();
        let index = self.apps.iter().position(|a| a.id == id).unwrap_or(0);
        if self.apps[index].tasks.len() as u32 >= MAX_INSTANCES {
            return Err(WorldError::Invalid(format!(
                "app {id} has {MAX_INSTANCES} tasks"
            )));
        }
        if spec.health != HealthSpec::Default
            && spec.health != HealthSpec::Unknown
            && self.apps[index].health_checks.is_empty()
        {
            return Err(WorldError::Invalid(format!(
                "app {id} has no health checks"
            )));
        }
        for ip in &spec.ip_addresses {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(WorldError::Invalid(format!("{ip:?} is not an IP address")));
            }
        }
        let task = self.launch_task(index, spec).map_err(WorldError::Invalid)?;
        let task_id = task.id.clone();
        self.apps[index].tasks.push(task);
        self.apps[index].instances += 1;
        let t = self.apps[index].tasks.len() - 1;
        let events = events::task_changed(self, index, t, "");
        Ok((task_id, events))
    }

    /// Kills a task: it reports TASK_KILLED and disappears (Marathon expunges terminal
    /// instances). With `scale`, the app's instance count drops by one; otherwise the app is
    /// left one short (no replacement is launched: the test decides).
    pub fn kill_task(&mut self, task_id: &str, scale: bool) -> Outcome {
        let (a, _) = self.locate_task(task_id)?;
        let out = self.set_state_inner(task_id, TaskState::Killed, "")?;
        if scale {
            let app = &mut self.apps[a];
            app.instances = app.instances.saturating_sub(1);
        }
        Ok(out)
    }

    /// Moves a task to `state` (it stays listed, in the shape its condition implies), with
    /// the status update and instance change events.
    pub fn set_task_state(&mut self, task_id: &str, state: TaskState, message: &str) -> Outcome {
        let (a, t) = self.locate_task(task_id)?;
        let now = self.clock.tick();
        let task_version = self.apps[a].tasks[t].version;
        let network = self.apps[a].network;
        let agent = self.apps[a].tasks[t].agent;
        let needs_ip = state.has_started() && self.apps[a].tasks[t].ip_addresses.is_empty();
        let ip = if needs_ip {
            self.allocate_task_ip(agent, network)
        } else {
            None
        };
        let task = &mut self.apps[a].tasks[t];
        task.state = state;
        if state.has_started() && task.started_at.is_none() {
            task.started_at = Some(now);
        }
        task.ip_addresses.extend(ip);
        if matches!(
            state,
            TaskState::Failed | TaskState::Error | TaskState::Lost | TaskState::Gone
        ) {
            let failure = TaskFailure {
                task_id: task.id.clone(),
                host: self.agents[agent].hostname.clone(),
                slave_id: self.agents[agent].id.clone(),
                state,
                message: message.to_string(),
                timestamp: now,
                version: task_version,
            };
            self.apps[a].last_task_failure = Some(failure);
        }
        Ok(events::task_changed(self, a, t, message))
    }

    /// Like [`World::set_task_state`], but terminal states remove the task afterwards.
    fn set_state_inner(&mut self, task_id: &str, state: TaskState, message: &str) -> Outcome {
        let out = self.set_task_state(task_id, state, message)?;
        if !state.is_active() {
            let (a, t) = self.locate_task(task_id)?;
            let gone = self.apps[a].tasks.remove(t);
            // Mesos offers a finished task's ports again (else a long run of launches and
            // kills reuses a live task's port once the range is spent).
            for port in &gone.host_ports {
                self.used_host_ports[gone.agent].remove(port);
            }
        }
        Ok(out)
    }

    /// Sets a task's health: `Some(alive)` records a check result, `None` clears the results
    /// (as during the grace period).
    pub fn set_health(&mut self, task_id: &str, alive: Option<bool>) -> Outcome {
        let (a, t) = self.locate_task(task_id)?;
        if self.apps[a].health_checks.is_empty() && alive.is_some() {
            return Err(WorldError::Invalid(format!(
                "app {} has no health checks",
                self.apps[a].id
            )));
        }
        let now = self.clock.tick();
        let task = &mut self.apps[a].tasks[t];
        let before = task.health.as_ref().map(|h| h.alive);
        task.health = match (alive, task.health.take()) {
            (None, _) => None,
            (Some(alive), None) => Some(health_record(alive, now)),
            (Some(true), Some(mut h)) => {
                h.alive = true;
                h.consecutive_failures = 0;
                h.first_success.get_or_insert(now);
                h.last_success = Some(now);
                Some(h)
            }
            (Some(false), Some(mut h)) => {
                h.alive = false;
                h.consecutive_failures += 1;
                h.last_failure = Some(now);
                h.last_failure_cause = Some(UNHEALTHY_CAUSE.into());
                Some(h)
            }
        };
        match alive {
            Some(alive) if before != Some(alive) => Ok(events::health_changed(self, a, t, alive)),
            Some(false) => Ok(events::failed_health_check(self, a, t)
                .into_iter()
                .collect()),
            _ => Ok(Vec::new()),
        }
    }

    pub fn set_leader(&mut self, leader: LeaderSpec) {
        self.leader = leader;
    }

    /// Tasks Mesos-DNS publishes: TASK_RUNNING only (health is ignored).
    pub fn running_tasks(&self) -> impl Iterator<Item = (&App, &Task)> {
        self.apps.iter().flat_map(|app| {
            app.tasks
                .iter()
                .filter(|t| t.state == TaskState::Running)
                .map(move |t| (app, t))
        })
    }
}

/// The failure cause recorded for an unhealthy check (as in Marathon's kill events).
pub const UNHEALTHY_CAUSE: &str = "500 Internal Server Error";

fn health_record(alive: bool, at: Millis) -> HealthRecord {
    if alive {
        HealthRecord {
            alive: true,
            consecutive_failures: 0,
            first_success: Some(at),
            last_success: Some(at),
            last_failure: None,
            last_failure_cause: None,
        }
    } else {
        HealthRecord {
            alive: false,
            consecutive_failures: 1,
            first_success: None,
            last_success: None,
            last_failure: Some(at),
            last_failure_cause: Some(UNHEALTHY_CAUSE.into()),
        }
    }
}
