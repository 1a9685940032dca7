//! Convergence under chaos: hundreds of seeded random operations against the workbench —
//! scale-ups, kills, tasks set to TASK_KILLING, silent changes (their events lost), dropped
//! streams, 502 periods, Marathon losing and regaining leadership — while a membership
//! watches with events applied at once. At quiet checkpoints the set folded from the emitted
//! changes must equal the workbench's truth (computed here from its task list, independently
//! of the core's selection), and no change may ever add a member already present or remove an
//! absent one, or skip a generation.
//!
//! `CHAOS_SEED=<n>` replays one sequence of operations (the timing still varies).

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mesos_discovery::Membership;
use mesos_discovery_workbench::{Admin, Fault, FaultRule, Side};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::*;

const WORKER: &str = "/wso2/worker";
const MANAGER: &str = "/wso2/manager";
/// The manager's Hazelcast port inside its overlay-network container.
const MANAGER_CONTAINER_PORT: u16 = 4000;
const OPERATIONS: usize = 300;
const CHECKPOINT_EVERY: usize = 30;
/// How long a quiet checkpoint may take to converge (resyncs run every second).
const CONVERGE_WITHIN: Duration = Duration::from_secs(20);

type Identity = (String, u16, String, String);

/// The set folded from the emitted changes, and every rule a change broke.
#[derive(Default)]
struct Folded {
    members: BTreeSet<Identity>,
    generation: u64,
    changes: u64,
    violations: Vec<String>,
}

fn identity(m: &mesos_discovery::Member) -> Identity {
    (m.host.clone(), m.port, m.app_id.clone(), m.task_id.clone())
}

/// What the workbench says the members are: tasks in a member state, the worker at its agent
/// and first host port, the manager at its container IP and container port.
fn truth(admin: &Admin) -> BTreeSet<Identity> {
    let mut out = BTreeSet::new();
    for app in [WORKER, MANAGER] {
        for task in admin.tasks(app) {
            if !matches!(
                task.state.as_str(),
                "TASK_STAGING" | "TASK_STARTING" | "TASK_RUNNING"
            ) {
                continue;
            }
            let address = if app == WORKER {
                task.ports.first().map(|p| (task.host.clone(), *p))
            } else {
                task.ip_addresses
                    .first()
                    .map(|ip| (ip.clone(), MANAGER_CONTAINER_PORT))
            };
            if let Some((host, port)) = address {
                out.insert((host, port, app.to_string(), task.id.clone()));
            }
        }
    }
    out
}

/// One random operation; returns what it did, for the failure message.
fn operate(admin: &Admin, rng: &mut StdRng) -> String {
    let app = if rng.gen_bool(0.5) { WORKER } else { MANAGER };
    let tasks = admin.tasks(app);
    let count = tasks.len() as u32;
    match rng.gen_range(0..100) {
        0..=34 => {
            let to = (count + rng.gen_range(1..=2)).min(16);
            admin.scale(app, to).unwrap();
            format!("scale {app} {count} -> {to}")
        }
        35..=59 if count > 1 => {
            let victim = &tasks[rng.gen_range(0..tasks.len())];
            admin.kill_task(&victim.id, true).unwrap();
            format!("kill {}", victim.id)
        }
        60..=64 if count > 1 => {
            let victim = &tasks[rng.gen_range(0..tasks.len())];
            admin.set_task_state(&victim.id, "TASK_KILLING").unwrap();
            format!("killing {}", victim.id)
        }
        65..=76 => {
            // A silent change: it happens, its events are lost.
            admin.mute_events(true);
            let what = if count > 1 && rng.gen_bool(0.5) {
                let victim = &tasks[rng.gen_range(0..tasks.len())];
                admin.kill_task(&victim.id, true).unwrap();
                format!("silently kill {}", victim.id)
            } else {
                let to = (count + 1).min(16);
                admin.scale(app, to).unwrap();
                format!("silently scale {app} {count} -> {to}")
            };
            admin.mute_events(false);
            what
        }
        77..=84 => {
            admin.drop_event_streams();
            "drop streams".into()
        }
        85..=91 => {
            let id = admin
                .add_fault(FaultRule::always(
                    Side::Marathon,
                    Fault::Status {
                        status: 502,
                        body: None,
                        content_type: None,
                    },
                ))
                .unwrap();
            let period = rng.gen_range(30..150);
            std::thread::sleep(Duration::from_millis(period));
            admin.remove_fault(id);
            format!("502 for {period} ms")
        }
        92..=99 => {
            admin.set_no_leader();
            let period = rng.gen_range(30..150);
            std::thread::sleep(Duration::from_millis(period));
            admin.set_leader_self();
            format!("no leader for {period} ms")
        }
        _ => {
            let to = (count + 1).min(16);
            admin.scale(app, to).unwrap();
            format!("scale {app} {count} -> {to}")
        }
    }
}

#[test]
fn the_folded_changes_converge_to_the_truth() {
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_240_601);
    let mut rng = StdRng::seed_from_u64(seed);
    let wb = start(cluster_file("carbon.json"));
    let admin = wb.admin();
    let membership = Membership::open(
        config(&[
            ("MARATHON_ENDPOINT", &wb.url()),
            ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
            ("MESOS_DISCOVERY_RESYNC_INTERVAL", "1"),
            ("MESOS_DISCOVERY_RETRIES", "1"),
            ("MESOS_DISCOVERY_DEADLINE", "3"),
        ])
        .unwrap(),
    )
    .unwrap();
    let folded = Arc::new(Mutex::new(Folded::default()));
    let sink = folded.clone();
    membership.subscribe(Box::new(move |change| {
        let mut f = sink.lock().unwrap();
        if change.generation != f.generation + 1 {
            let message = format!(
                "generation {} after {} (a gap or a repeat)",
                change.generation, f.generation
            );
            f.violations.push(message);
        }
        f.generation = change.generation;
        f.changes += 1;
        for m in change.removed.iter() {
            if !f.members.remove(&identity(m)) {
                let message = format!("gen {}: removed an absent member {m:?}", change.generation);
                f.violations.push(message);
            }
        }
        for m in change.added.iter() {
            if !f.members.insert(identity(m)) {
                let message = format!("gen {}: added a present member {m:?}", change.generation);
                f.violations.push(message);
            }
        }
    }));
    membership.watch().unwrap();

    let mut log: Vec<String> = Vec::new();
    for round in 0..OPERATIONS / CHECKPOINT_EVERY {
        for _ in 0..CHECKPOINT_EVERY {
            log.push(operate(&admin, &mut rng));
            std::thread::sleep(Duration::from_millis(rng.gen_range(5..40)));
        }
        // Quiet checkpoint: no faults, a leader; the watch must converge on its own.
        admin.clear_faults();
        admin.set_leader_self();
        admin.mute_events(false);
        let want = truth(&admin);
        let deadline = Instant::now() + CONVERGE_WITHIN;
        loop {
            let (got, violations) = {
                let f = folded.lock().unwrap();
                (f.members.clone(), f.violations.clone())
            };
            assert!(
                violations.is_empty(),
                "seed {seed}, round {round}: {violations:#?}\noperations: {log:#?}"
            );
            if got == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "seed {seed}, round {round}: not converged in {CONVERGE_WITHIN:?}\n\
                 only folded: {:#?}\nonly truth: {:#?}\nsnapshot: {:?}\nlast operations: {:#?}",
                got.difference(&want).collect::<Vec<_>>(),
                want.difference(&got).collect::<Vec<_>>(),
                membership.snapshot(),
                &log[log.len().saturating_sub(CHECKPOINT_EVERY)..]
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let f = folded.lock().unwrap();
    assert!(f.violations.is_empty(), "{:#?}", f.violations);
    // Faults merge several operations into one change (a resync); many still come one by one.
    assert!(
        f.changes >= OPERATIONS as u64 / 6,
        "only {} changes: chaos too tame",
        f.changes
    );
    eprintln!(
        "chaos: seed {seed}, {OPERATIONS} operations, {} changes, {} members at the end",
        f.changes,
        f.members.len()
    );
}
