//! The records Mesos-DNS generates for the running Marathon tasks (records/generator.go
//! `taskRecord`/`taskContextRecord`, records/chains.go), built fresh from the world on each
//! request — Mesos-DNS's refresh, without the delay.
//!
//! Per task, twice (the raw DiscoveryInfo name — legacy — and its sanitized label):
//! - A `<task>.<fw>.<domain>.` and `<canonical>.<fw>.<domain>.` → task IPs (per IPSources);
//! - A `<task>.<fw>.slave.<domain>.` and `<canonical>.<fw>.slave.<domain>.` → agent IP;
//! - SRV `_<task>._tcp|_udp.<fw>.slave.<domain>.` → `<canonical>.<fw>.slave.<domain>.:<host port>`
//!   per host port;
//! - SRV `_<task>._<proto>.<fw>.<domain>.` → `<canonical>.<fw>.<domain>.:<DI port>` per
//!   DiscoveryInfo port, plus `_<portname>._<task>._<proto>…` when the port is named.
//!
//! where canonical = `<task>-<zbase32(sha1(task id))[..5]>-<agent id tail>`.

use std::collections::HashMap;

use crate::cluster::NetworkMode;
use crate::mesos_dns::naming::{marathon_task_name, slave_id_tail, task_hash, LabelRule};
use crate::world::{Agent, App, Task, World};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
    Srv,
}

impl RecordType {
    pub fn name(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Srv => "SRV",
        }
    }
}

/// One `/v1/enumerate` task entry.
#[derive(Clone, Debug)]
pub struct EnumeratedTask {
    pub name: String,
    pub id: String,
    /// (name, host or `target:port`, type)
    pub records: Vec<(String, String, RecordType)>,
}

/// All records, in generation order per name (Go map order is random; insertion order is
/// one of the orders Mesos-DNS may produce, and it is stable for tests).
#[derive(Debug, Default)]
pub struct RecordSet {
    a: HashMap<String, Vec<String>>,
    aaaa: HashMap<String, Vec<String>>,
    srv: HashMap<String, Vec<String>>,
    pub framework: String,
    pub tasks: Vec<EnumeratedTask>,
}

/// A DiscoveryInfo port, as Marathon fills it in (one per protocol).
struct DiscoveryPort {
    number: u16,
    name: Option<String>,
    protocol: String,
}

fn discovery_ports(app: &App, task: &Task) -> Vec<DiscoveryPort> {
    let mut out = Vec::new();
    let mut host_ports = task.host_ports.iter();
    for port in &app.ports {
        let number = match app.network {
            NetworkMode::Host => host_ports.next().copied(),
            _ if port.host_port.is_some() => host_ports.next().copied(),
            _ => port.container_port,
        };
        let Some(number) = number else { continue };
        for protocol in port.protocol.split(',') {
            out.push(DiscoveryPort {
                number,
                name: port.name.clone(),
                protocol: protocol.trim().to_string(),
            });
        }
    }
    out
}

impl RecordSet {
    pub fn build(world: &World) -> RecordSet {
        let rule = if world.mesos_dns.enforce_rfc952 {
            LabelRule::Rfc952
        } else {
            LabelRule::Rfc1123
        };
        let mut set = RecordSet {
            framework: world.marathon.framework_name.clone(),
            ..RecordSet::default()
        };
        for agent in &world.agents {
            set.insert(
                &format!("slave.{}.", world.mesos_dns.domain),
                &agent.ip,
                None,
            );
        }
        for (app, task) in world.running_tasks() {
            set.add_task(world, rule, app, task);
        }
        set
    }

    /// Inserts a record; returns whether it was new (only new ones are enumerated).
    fn insert(&mut self, name: &str, value: &str, task: Option<usize>) -> bool {
        let rtype = match value.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => RecordType::A,
            Ok(std::net::IpAddr::V6(_)) => RecordType::Aaaa,
            Err(_) => RecordType::Srv,
        };
        let map = match rtype {
            RecordType::A => &mut self.a,
            RecordType::Aaaa => &mut self.aaaa,
            RecordType::Srv => &mut self.srv,
        };
        let values = map.entry(name.to_string()).or_default();
        if values.iter().any(|v| v == value) {
            return false;
        }
        values.push(value.to_string());
        if let Some(t) = task {
            self.tasks[t]
                .records
                .push((name.to_string(), value.to_string(), rtype));
        }
        true
    }

    fn add_task(&mut self, world: &World, rule: LabelRule, app: &App, task: &Task) {
        let raw_name = marathon_task_name(&app.id);
        self.tasks.push(EnumeratedTask {
            name: raw_name.clone(),
            id: task.id.clone(),
            records: Vec::new(),
        });
        let index = self.tasks.len() - 1;
        let agent = &world.agents[task.agent];
        let task_ips = task_ips(world, task, agent);
        // LEGACY raw DiscoveryInfo name first, then the sanitized one (generator.go).
        for name in [raw_name.clone(), rule.label(&raw_name)] {
            self.add_context(world, rule, index, &name, app, task, agent, &task_ips);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_context(
        &mut self,
        world: &World,
        rule: LabelRule,
        index: usize,
        task_name: &str,
        app: &App,
        task: &Task,
        agent: &Agent,
        task_ips: &[String],
    ) {
        let fw = rule.domain_frag(&world.marathon.framework_name);
        let tail = format!(".{}.", world.mesos_dns.domain);
        let canonical = format!(
            "{task_name}-{}-{}.{fw}",
            task_hash(&task.id),
            slave_id_tail(&agent.id)
        );
        let arec = format!("{task_name}.{fw}");
        for ip in task_ips {
            self.insert(&format!("{arec}{tail}"), ip, Some(index));
            self.insert(&format!("{canonical}{tail}"), ip, Some(index));
        }
        self.insert(&format!("{arec}.slave{tail}"), &agent.ip, Some(index));
        self.insert(&format!("{canonical}.slave{tail}"), &agent.ip, Some(index));

        // Marathon tasks always carry DiscoveryInfo, so host-port SRVs only get ".slave".
        let slave_host = format!("{canonical}.slave{tail}");
        for port in &task.host_ports {
            for proto in ["_tcp", "_udp"] {
                self.insert(
                    &format!("_{task_name}.{proto}.{fw}.slave{tail}"),
                    &format!("{slave_host}:{port}"),
                    Some(index),
                );
            }
        }
        for port in discovery_ports(app, task) {
            let target = format!("{canonical}{tail}:{}", port.number);
            let service = format!("_{task_name}._{}.{fw}{tail}", port.protocol);
            self.insert(&service, &target, Some(index));
            let port_label = port
                .name
                .as_deref()
                .map(|n| rule.label(n))
                .unwrap_or_default();
            if !port_label.is_empty() {
                self.insert(&format!("_{port_label}.{service}"), &target, Some(index));
            }
        }
    }

    pub fn a(&self, name: &str) -> &[String] {
        self.a.get(name).map_or(&[], |v| v.as_slice())
    }

    pub fn aaaa(&self, name: &str) -> &[String] {
        self.aaaa.get(name).map_or(&[], |v| v.as_slice())
    }

    pub fn srv(&self, name: &str) -> &[String] {
        self.srv.get(name).map_or(&[], |v| v.as_slice())
    }
}

/// The task's A/AAAA values: the first IPSource that yields any address.
fn task_ips(world: &World, task: &Task, agent: &Agent) -> Vec<String> {
    for source in &world.mesos_dns.ip_sources {
        let ips = match source.as_str() {
            "netinfo" => task.ip_addresses.clone(),
            "host" => vec![agent.ip.clone()],
            // "mesos" and "docker" read task labels the workbench does not model.
            _ => Vec::new(),
        };
        if !ips.is_empty() {
            return ips;
        }
    }
    Vec::new()
}
