//! Marathon events applied at once: a scale-up or a kill becomes a change before any refetch,
//! and a refetch then confirms it (or wins over it); events the fast path cannot decide, and
//! malformed ones, only lead to refetches; with the fast path off, every change waits for a
//! refetch.

mod support;

use std::sync::{mpsc, Mutex};
use std::time::Duration;

use mesos_discovery::watch::{MembershipChange, MembershipState};
use mesos_discovery::Membership;
use mesos_discovery_workbench::{Admin, Workbench};
use serde_json::json;
use support::*;

const WAIT: Duration = Duration::from_secs(15);
const WORKER: &str = "/wso2/worker";
const MANAGER: &str = "/wso2/manager";

/// A watch whose confirming refetches come late (2 s), so what arrives before them can only
/// have come from the events.
fn watch(wb: &Workbench, extra: &[(&str, &str)]) -> Membership {
    let url = wb.url();
    let mut pairs = vec![
        ("MARATHON_ENDPOINT", url.as_str()),
        ("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
        ("MESOS_DISCOVERY_EVENT_DEBOUNCE", "2"),
        ("MESOS_DISCOVERY_CONFIRM_DELAY", "2"),
    ];
    pairs.extend_from_slice(extra);
    let membership = Membership::open(config(&pairs).unwrap()).unwrap();
    membership.watch().unwrap();
    let first = membership.wait_for_change(0, WAIT).unwrap().unwrap();
    assert_eq!(first.members.len(), 5);
    wait_for_stream(wb);
    membership
}

fn wait_for_stream(wb: &Workbench) {
    let deadline = std::time::Instant::now() + WAIT;
    while wb.admin().open_event_streams() == 0 {
        assert!(std::time::Instant::now() < deadline, "no event stream");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every change, with the number of app fetches the workbench had served when it arrived.
fn changes(membership: &Membership, admin: Admin) -> mpsc::Receiver<(MembershipChange, u64)> {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    membership.subscribe(Box::new(move |change| {
        let fetches =
            admin.requests("/v2/apps/wso2/worker") + admin.requests("/v2/apps/wso2/manager");
        let _ = tx.lock().unwrap().send((change.clone(), fetches));
    }));
    let (welcome, _) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(welcome.added.len(), 5);
    rx
}

fn eventually(membership: &Membership, what: &str, pred: impl Fn(&MembershipState) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !pred(&membership.snapshot()) {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {:?}",
            membership.snapshot()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn fetches(admin: &Admin) -> u64 {
    admin.requests("/v2/apps/wso2/worker") + admin.requests("/v2/apps/wso2/manager")
}

#[test]
fn scale_ups_and_kills_are_changes_before_any_refetch_then_confirmed() {
    let wb = start(cluster_file("carbon.json"));
    let admin = wb.admin();
    let membership = watch(&wb, &[]);
    let rx = changes(&membership, admin.clone());
    admin.reset_stats();

    // Host networking (ports by index) and an overlay network (container IP + port).
    for (app, port_check) in [(WORKER, false), (MANAGER, true)] {
        let before = admin.task_ids(app);
        admin.scale(app, before.len() as u32 + 1).unwrap();
        let (change, fetched) = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(fetched, 0, "{app}: applied from the event, no fetch yet");
        assert_eq!(change.added.len(), 1, "{change:?}");
        assert!(change.removed.is_empty());
        let member = &change.added[0];
        assert!(!before.contains(&member.task_id));
        let task = admin
            .tasks(app)
            .into_iter()
            .find(|t| t.id == member.task_id)
            .unwrap();
        if port_check {
            assert_eq!(
                (member.host.as_str(), member.port),
                (task.ip_addresses[0].as_str(), 4000)
            );
        } else {
            assert_eq!(
                (member.host.as_str(), member.port),
                (task.host.as_str(), task.ports[0])
            );
        }
    }

    let victim = admin.task_ids(WORKER)[0].clone();
    admin.kill_task(&victim, true).unwrap();
    let (change, fetched) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(fetched, 0, "applied from the event, no fetch yet");
    assert_eq!(change.removed.len(), 1);
    assert_eq!(change.removed[0].task_id, victim);
    assert!(change.added.is_empty());

    // The confirming refetches agree: no further change, and they did happen.
    eventually(&membership, "confirmed", |_| fetches(&admin) >= 2);
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx.try_recv().is_err(), "the refetch agreed: no change");
    let s = membership.snapshot();
    assert_eq!(s.members.iter().filter(|m| m.app_id == WORKER).count(), 3);
    assert_eq!(s.members.iter().filter(|m| m.app_id == MANAGER).count(), 3);
}

#[test]
fn the_refetch_wins_over_an_applied_event() {
    let wb = start(cluster_file("carbon.json"));
    let admin = wb.admin();
    let membership = watch(&wb, &[("MESOS_DISCOVERY_CONFIRM_DELAY", "0.3")]);
    let rx = changes(&membership, admin.clone());
    // A status update for a task Marathon does not have, at the app's own version: the fast
    // path believes it, the confirming refetch does not.
    let real = &admin.tasks(WORKER)[0];
    let version = app_version(&wb, WORKER);
    admin
        .emit_event(
            "status_update_event",
            &json!({"taskId": "wso2_worker.phantom", "taskStatus": "TASK_RUNNING",
                    "appId": WORKER, "host": real.host, "ports": [39999, 39998],
                    "ipAddresses": [], "version": version}),
        )
        .unwrap();
    let (added, _) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(added.added.len(), 1);
    assert_eq!(added.added[0].task_id, "wso2_worker.phantom");
    let (removed, fetched) = rx.recv_timeout(WAIT).unwrap();
    assert!(fetched >= 1, "removed by the refetch");
    assert_eq!(removed.removed, added.added);
    assert_eq!(membership.snapshot().members.len(), 5);
}

#[test]
fn undecidable_and_malformed_events_only_lead_to_refetches() {
    let wb = start(cluster_file("carbon.json"));
    let admin = wb.admin();
    let membership = watch(&wb, &[("MESOS_DISCOVERY_EVENT_DEBOUNCE", "0.2")]);
    let rx = changes(&membership, admin.clone());
    let held = admin.tasks(WORKER)[0].clone();
    let version = app_version(&wb, WORKER);
    admin.reset_stats();
    let undecidable = [
        // Fields of the wrong type, no task id, an unknown state, an unknown version, no
        // ports: refetch.
        json!({"taskId": 17, "appId": WORKER, "taskStatus": ["TASK_KILLED"]}),
        json!({"appId": WORKER, "taskStatus": "TASK_RUNNING"}),
        json!({"taskId": held.id, "appId": WORKER, "taskStatus": "TASK_EXPLODED",
               "host": held.host, "ports": held.ports, "version": version}),
        json!({"taskId": "wso2_worker.new", "appId": WORKER, "taskStatus": "TASK_RUNNING",
               "host": "10.0.1.11", "ports": [31999, 31998], "version": "2001-01-01T00:00:00.000Z"}),
        json!({"taskId": "wso2_worker.new", "appId": WORKER, "taskStatus": "TASK_RUNNING",
               "host": "10.0.1.11", "version": version}),
        // A leaving state for a task we do not hold: nothing to remove.
        json!({"taskId": "wso2_worker.unknown", "appId": WORKER, "taskStatus": "TASK_KILLED"}),
        // Another app's event.
        json!({"taskId": "x.1", "appId": "/elsewhere", "taskStatus": "TASK_KILLED"}),
    ];
    for data in &undecidable {
        admin.emit_event("status_update_event", data).unwrap();
    }
    eventually(&membership, "refetched", |_| fetches(&admin) >= 1);
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx.try_recv().is_err(), "no change from undecidable events");
    assert_eq!(membership.snapshot().members.len(), 5);

    // A terminal state for a task we hold removes it, even with every other field missing.
    admin
        .emit_event(
            "status_update_event",
            &json!({"taskId": held.id, "appId": WORKER, "taskStatus": "TASK_FAILED"}),
        )
        .unwrap();
    let (change, _) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(change.removed.len(), 1);
    assert_eq!(change.removed[0].task_id, held.id);
    // Marathon still has it running: the refetch puts it back.
    let (change, _) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(change.added.len(), 1);
    assert_eq!(change.added[0].task_id, held.id);
}

#[test]
fn with_the_fast_path_off_every_change_waits_for_a_refetch() {
    let wb = start(cluster_file("carbon.json"));
    let admin = wb.admin();
    let membership = watch(
        &wb,
        &[
            ("MESOS_DISCOVERY_APPLY_EVENTS", "false"),
            ("MESOS_DISCOVERY_EVENT_DEBOUNCE", "0.1"),
        ],
    );
    let rx = changes(&membership, admin.clone());
    admin.reset_stats();
    admin.scale(WORKER, 4).unwrap();
    let (change, fetched) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(change.added.len(), 1);
    assert!(fetched >= 1, "seen through a refetch");
}

/// The app's current version, as Marathon reports it.
fn app_version(wb: &Workbench, app: &str) -> String {
    let url = format!("{}/v2/apps{app}", wb.url());
    let body: serde_json::Value = mesos_discovery::runtime::block_on(async move {
        reqwest::get(url).await.unwrap().json().await.unwrap()
    })
    .unwrap();
    body["app"]["version"].as_str().unwrap().to_string()
}
