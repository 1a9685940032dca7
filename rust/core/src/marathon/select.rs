//! Pure selection: one Marathon app and its tasks + the policy → members and warnings.
//! No I/O here, so every networking shape can be tested from fixtures alone.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::config::{AddressMode, Config, PortSelector};
use crate::marathon::api::{App, Task};
use crate::model::{Member, Warning};

/// The parts of the configuration that choose members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectPolicy {
    pub address_mode: AddressMode,
    pub port: PortSelector,
    pub healthy_only: bool,
}

impl SelectPolicy {
    pub fn from_config(config: &Config) -> Self {
        SelectPolicy {
            address_mode: config.address_mode,
            port: config.port.clone(),
            healthy_only: config.healthy_only,
        }
    }
}

/// States in which a task is (or is about to be) a cluster member. `TASK_KILLING` is out: it
/// is leaving, and Hazelcast should not wait on it.
pub fn is_member_state(state: &str) -> bool {
    matches!(state, "TASK_STAGING" | "TASK_STARTING" | "TASK_RUNNING")
}

/// `None` when no health result is known (no checks, or none reported yet).
pub fn health(task: &Task) -> Option<bool> {
    if task.health.is_empty() {
        return None;
    }
    if task.health.contains(&Some(false)) {
        return Some(false);
    }
    if task.health.iter().all(|h| *h == Some(true)) {
        Some(true)
    } else {
        None
    }
}

/// Where an app's tasks are reached.
#[derive(Debug, PartialEq, Eq)]
enum Reach {
    /// Agent host + `task.ports`; the names of those ports in order.
    HostPorts(Vec<Option<String>>),
    /// Task (container) IP + these container ports.
    ContainerPorts(Vec<(u32, Option<String>)>),
}

fn is_container_network(app: &App) -> bool {
    app.networks
        .iter()
        .flatten()
        .any(|n| n.mode.as_deref() == Some("container"))
}

fn docker_network(app: &App) -> Option<&str> {
    app.container.as_ref()?.docker.as_ref()?.network.as_deref()
}

fn mappings(app: &App) -> &[crate::marathon::api::PortMapping] {
    let container = match &app.container {
        Some(c) => c,
        None => return &[],
    };
    if let Some(m) = container.port_mappings.as_deref().filter(|m| !m.is_empty()) {
        return m;
    }
    container
        .docker
        .as_ref()
        .and_then(|d| d.port_mappings.as_deref())
        .unwrap_or(&[])
}

/// Marathon gives a container-mode mapping a host port only when `hostPort` is present;
/// in bridge mode (and ≤ 1.4) every mapping gets one (`0` = assigned at launch).
fn host_port_names(app: &App) -> Vec<Option<String>> {
    let container_mode = is_container_network(app);
    let maps = mappings(app);
    let bridged = !maps.is_empty()
        && (container_mode
            || app
                .networks
                .iter()
                .flatten()
                .any(|n| n.mode.as_deref() == Some("container/bridge"))
            || docker_network(app).is_some_and(|n| n.eq_ignore_ascii_case("BRIDGE")));
    if bridged {
        maps.iter()
            .filter(|m| !container_mode || m.host_port.is_some())
            .map(|m| m.name.clone())
            .collect()
    } else {
        app.port_definitions
            .iter()
            .flatten()
            .map(|p| p.name.clone())
            .collect()
    }
}

fn container_ports(app: &App) -> Vec<(u32, Option<String>)> {
    let discovery: Vec<_> = app
        .ip_address
        .as_ref()
        .and_then(|ip| ip.discovery.as_ref())
        .and_then(|d| d.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.number?, p.name.clone())))
        .collect();
    if !discovery.is_empty() {
        return discovery;
    }
    mappings(app)
        .iter()
        .filter_map(|m| Some((m.container_port?, m.name.clone())))
        .collect()
}

/// `auto`: IP-per-task (container network without host ports, or the ≤ 1.4 `ipAddress` /
/// `USER` network forms) uses the container address; host and bridge networking use the agent.
/// Bridge IPs (e.g. 172.17.0.2) are never used: they are not routable between agents.
fn reach(app: &App, mode: AddressMode) -> Reach {
    let ip_per_task = || {
        if is_container_network(app) {
            return !mappings(app).iter().any(|m| m.host_port.is_some());
        }
        if app.networks.as_ref().is_some_and(|n| !n.is_empty()) {
            return false;
        }
        match docker_network(app).map(str::to_ascii_uppercase).as_deref() {
            Some("USER") => true,
            Some("BRIDGE") | Some("HOST") => false,
            _ => app.ip_address.is_some(),
        }
    };
    let container = match mode {
        AddressMode::Host => false,
        AddressMode::Container => true,
        AddressMode::Auto => ip_per_task(),
    };
    if container {
        Reach::ContainerPorts(container_ports(app))
    } else {
        Reach::HostPorts(host_port_names(app))
    }
}

fn container_ip(task: &Task) -> Option<IpAddr> {
    let ips: Vec<IpAddr> = task
        .ip_addresses
        .iter()
        .filter_map(|a| a.ip_address.as_deref()?.trim().parse().ok())
        .collect();
    ips.iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| ips.first())
        .copied()
}

fn pick_port<T: Copy>(
    policy: &PortSelector,
    ports: &[T],
    names: &[Option<&str>],
) -> Result<T, String> {
    match policy {
        PortSelector::Index(i) => ports.get(*i).copied().ok_or_else(|| match ports.len() {
            0 => "has no ports yet; skipped".to_string(),
            n => format!("has {n} port(s), so port index {i} does not exist; skipped"),
        }),
        PortSelector::Name(name) => match names.iter().position(|n| *n == Some(name.as_str())) {
            Some(at) => ports.get(at).copied().ok_or_else(|| {
                format!("port {name:?} is declared but the task has no port for it yet; skipped")
            }),
            None => {
                let known: Vec<&str> = names.iter().flatten().copied().collect();
                Err(format!(
                    "no port named {name:?} (named ports: {}); skipped",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            }
        },
    }
}

/// Members of one app. `tasks` are the app's decoded tasks.
pub fn select(app: &App, tasks: &[Task], policy: &SelectPolicy) -> (Vec<Member>, Vec<Warning>) {
    select_from(app, tasks.iter().map(Cow::Borrowed), policy)
}

/// [`select`], taking the tasks: a member takes its task's strings instead of copying them
/// (for a look that keeps no definition).
pub fn select_owned(
    app: &App,
    tasks: Vec<Task>,
    policy: &SelectPolicy,
) -> (Vec<Member>, Vec<Warning>) {
    select_from(app, tasks.into_iter().map(Cow::Owned), policy)
}

/// The member a task makes: at `address` (the container's IP), else at the task's host.
fn member_of(
    task: Cow<'_, Task>,
    address: Option<String>,
    port: u16,
    healthy: Option<bool>,
) -> Member {
    match task {
        Cow::Borrowed(task) => Member {
            host: address.unwrap_or_else(|| task.host.clone()),
            port,
            app_id: task.app_id.clone(),
            task_id: task.id.clone(),
            state: task.state.clone(),
            healthy,
        },
        Cow::Owned(task) => Member {
            host: address.unwrap_or(task.host),
            port,
            app_id: task.app_id,
            task_id: task.id,
            state: task.state,
            healthy,
        },
    }
}

fn select_from<'t>(
    app: &App,
    tasks: impl Iterator<Item = Cow<'t, Task>>,
    policy: &SelectPolicy,
) -> (Vec<Member>, Vec<Warning>) {
    let mut members = Vec::with_capacity(tasks.size_hint().0);
    let mut warnings = Vec::new();
    let reach = reach(app, policy.address_mode);
    // The app's port names and container port numbers, read once for all its tasks.
    let names: Vec<Option<&str>> = match &reach {
        Reach::HostPorts(names) => names.iter().map(Option::as_deref).collect(),
        Reach::ContainerPorts(ports) => ports.iter().map(|p| p.1.as_deref()).collect(),
    };
    let container_numbers: Vec<u32> = match &reach {
        Reach::HostPorts(_) => Vec::new(),
        Reach::ContainerPorts(ports) => ports.iter().map(|p| p.0).collect(),
    };
    for task in tasks {
        if !is_member_state(&task.state) {
            log::debug!(
                "{} task {}: state {}; not a member",
                task.app_id,
                task.id,
                task.state
            );
            continue;
        }
        let healthy = health(&task);
        if policy.healthy_only && healthy == Some(false) {
            log::debug!(
                "{} task {}: unhealthy; not a member (healthy-only)",
                task.app_id,
                task.id
            );
            continue;
        }
        // `None`: the task's own host.
        let address = match &reach {
            Reach::HostPorts(_) => {
                pick_port(&policy.port, &task.ports, &names).map(|port| (None, port))
            }
            Reach::ContainerPorts(_) => match container_ip(&task) {
                None => Err("has no container IP address yet; skipped".to_string()),
                Some(ip) => pick_port(&policy.port, &container_numbers, &names)
                    .map(|port| (Some(ip.to_string()), port))
                    .map_err(|e| e.replace("the task has", "the app has")),
            },
        };
        match address {
            Ok((host, port)) => match u16::try_from(port).ok().filter(|p| *p != 0) {
                Some(port) => members.push(member_of(task, host, port, healthy)),
                None => warnings.push(Warning::task(
                    &task.app_id,
                    &task.id,
                    format!("port {port} is not a usable TCP port; skipped"),
                )),
            },
            Err(why) => warnings.push(Warning::task(&task.app_id, &task.id, why)),
        }
    }
    (members, warnings)
}
