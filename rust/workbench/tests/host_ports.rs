//! Mesos never gives one port of an agent to two tasks: neither may the workbench, even when
//! an agent runs hundreds of tasks.

use std::collections::BTreeSet;

use mesos_discovery_workbench::{Cluster, Workbench};

#[test]
fn host_ports_are_unique_per_agent() {
    let apps: Vec<String> = (0..20)
        .map(|i| format!(r#"{{"id": "/bench/app-{i:02}", "instances": 40, "network": "host", "ports": [{{}}, {{}}]}}"#))
        .collect();
    let cluster =
        Cluster::from_json_str(&format!(r#"{{"seed": 7, "apps": [{}]}}"#, apps.join(","))).unwrap();
    let wb = Workbench::start(cluster).unwrap();
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for i in 0..20 {
        for task in wb.admin().tasks(&format!("/bench/app-{i:02}")) {
            for port in &task.ports {
                total += 1;
                assert!(
                    seen.insert((task.agent_ip.clone(), *port)),
                    "{}:{port} given twice",
                    task.agent_ip
                );
            }
        }
    }
    assert_eq!(total, 20 * 40 * 2);
}
