//! Shared helpers for the core's integration tests against the workbench.
#![allow(dead_code)]

use std::collections::BTreeMap;

use mesos_discovery::{Config, Discovery, Result};
use mesos_discovery_workbench::{Cluster, Workbench};

pub fn cluster_file(name: &str) -> Cluster {
    let path = format!("{}/../../tests/clusters/{name}", env!("CARGO_MANIFEST_DIR"));
    Cluster::from_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn cluster(json: &str) -> Cluster {
    Cluster::from_json_str(json).unwrap()
}

pub fn start(cluster: Cluster) -> Workbench {
    Workbench::start(cluster).unwrap()
}

/// Config from pairs, with fast limits so failure tests stay short.
pub fn config(pairs: &[(&str, &str)]) -> Result<Config> {
    let mut map: BTreeMap<&str, &str> = [
        ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1"),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "2"),
        ("MESOS_DISCOVERY_DEADLINE", "10"),
        ("DNS_UPDATE_TIMEOUT", "1"),
    ]
    .into_iter()
    .collect();
    map.extend(pairs.iter().copied());
    Config::from_map(map)
}

pub fn discover(pairs: &[(&str, &str)]) -> Result<Discovery> {
    mesos_discovery::discover_blocking(&config(pairs)?)
}

pub fn host_ports(d: &Discovery) -> Vec<String> {
    d.members.iter().map(|m| m.host_port()).collect()
}

/// A loopback URL nobody listens on (bound, then released).
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// The absolute ids of a cluster file's apps.
pub fn app_ids(name: &str) -> Vec<String> {
    cluster_file(name)
        .apps
        .iter()
        .map(|a| format!("/{}", a.id.trim_matches('/')))
        .collect()
}
