//! Every real Marathon and Mesos-DNS body of `../shared` (other projects' docs and test suites,
//! read in place) through the parsers: each body parses, each task that could be a member
//! yields a member or a warning naming it, nothing panics. `../shared/real-corpus/manifest.json`
//! says what each body is (a `/v2/apps` list, one app, a bare app, a Mesos-DNS answer).

mod shared_bodies;

use std::collections::BTreeSet;

use mesos_discovery::config::{AddressMode, PortSelector};
use mesos_discovery::marathon::select::{is_member_state, SelectPolicy};
use mesos_discovery::marathon::{look_at_app_body, members_of_app_body};
use mesos_discovery::mesos_dns::records::{members, parse_services};
use serde_json::{json, Value};
use shared_bodies::Shared;

/// Every address mode × port choice × health policy; the first is the default one.
fn policies() -> Vec<SelectPolicy> {
    let mut all = Vec::new();
    for address_mode in [AddressMode::Auto, AddressMode::Host, AddressMode::Container] {
        for port in [
            PortSelector::Index(0),
            PortSelector::Index(1),
            PortSelector::Name("http".into()),
        ] {
            for healthy_only in [false, true] {
                all.push(SelectPolicy {
                    address_mode,
                    port: port.clone(),
                    healthy_only,
                });
            }
        }
    }
    all
}

/// Whether Marathon would call this raw task running or about to run: a member state, or no
/// state at all (≤ 1.4, or malformed). Tasks leaving (`TASK_KILLING`, …) are dropped silently.
fn could_be_member(task: &Value) -> bool {
    match task.get("state").and_then(Value::as_str) {
        Some(state) if !state.is_empty() => is_member_state(state),
        _ => true,
    }
}

fn is_healthy_only_drop(task: &Value, policy: &SelectPolicy) -> bool {
    policy.healthy_only
        && task["healthCheckResults"]
            .as_array()
            .is_some_and(|r| r.iter().any(|h| h["alive"] == json!(false)))
}

/// Checks one `{"app": …}` body under every policy; the number of members under the first,
/// the default policy (auto, first port, every health).
fn check_app(file: &str, app_id: &str, body: &[u8]) -> usize {
    let raw: Value = serde_json::from_slice(body).unwrap();
    let tasks = raw["app"]["tasks"].as_array().cloned().unwrap_or_default();
    let mut default_members = None;
    for policy in policies() {
        let found = members_of_app_body(app_id, body, &policy)
            .unwrap_or_else(|e| panic!("{file} {app_id}: {e}"));
        // A look that keeps the definition (members copy their tasks' strings) and one that
        // does not (members take them) select alike.
        let (kept, _) = look_at_app_body(app_id, body, &policy).unwrap();
        assert_eq!(kept, found, "{file} {app_id} under {policy:?}");
        for task in tasks.iter().filter(|t| could_be_member(t)) {
            if is_healthy_only_drop(task, &policy) {
                continue;
            }
            let id = task["id"].as_str().unwrap_or("");
            let member = found.members.iter().any(|m| m.task_id == id);
            // A task without an id is named by no warning: any warning about the app counts.
            let warned = found.warnings.iter().any(|w| match id {
                "" => w.task_id.is_none(),
                id => w.task_id.as_deref() == Some(id) || w.message.contains(id),
            });
            assert!(
                member || warned,
                "{file} {app_id} task {id:?} under {policy:?}: neither a member nor a warning: {found:?}"
            );
        }
        for m in &found.members {
            assert!(
                !m.host.is_empty() && m.port != 0 && !m.task_id.is_empty(),
                "{file}: {m:?}"
            );
        }
        default_members.get_or_insert(found.members.len());
    }
    default_members.unwrap_or_default()
}

/// The `{"app": …}` bodies in one corpus file, by the kind the manifest gives it.
fn app_bodies(file: &str, kind: &str, text: &[u8]) -> Vec<(String, Vec<u8>)> {
    let v: Value = serde_json::from_slice(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    let apps: Vec<Value> = match kind {
        "v2/apps" => v["apps"].as_array().cloned().unwrap_or_default(),
        "v2/apps/{id}" => vec![v["app"].clone()],
        "app (bare)" => vec![v],
        other => panic!("{file}: unknown kind {other:?} in manifest.json"),
    };
    apps.into_iter()
        .map(|app| {
            let id = app["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: app without id"));
            (
                id.to_string(),
                serde_json::to_vec(&json!({ "app": app })).unwrap(),
            )
        })
        .collect()
}

/// Every SRV target of an answer is a member or a warning naming it.
fn check_mesos_dns(file: &str, app_id: &str, body: &[u8]) -> usize {
    let records = parse_services(body).unwrap_or_else(|e| panic!("{file}: {e}"));
    let (found, warnings) = members(app_id, &records);
    let targets: BTreeSet<String> = records
        .iter()
        .map(|r| r.host.clone().unwrap_or_default())
        .collect();
    for target in &targets {
        let name = target.trim().trim_end_matches('.');
        let member = found.iter().any(|m| m.task_id == name);
        let warned = warnings
            .iter()
            .any(|w| w.task_id.as_deref() == Some(name) || w.message.contains(target.as_str()));
        assert!(
            member || warned,
            "{file}: target {target:?} is neither a member nor a warning"
        );
    }
    found.len()
}

#[test]
fn real_corpus_bodies_parse_and_account_for_every_task() {
    let Some(mut corpus) = Shared::open(
        "real_corpus_bodies_parse_and_account_for_every_task",
        "real-corpus",
    ) else {
        return;
    };
    let manifest: Value = serde_json::from_slice(&corpus.file("manifest.json")).unwrap();
    let entries = manifest.as_array().expect("manifest.json is a list");
    assert!(!entries.is_empty());
    // (queries, queries with members) per scheme.
    let (mut marathon, mut mesos_dns) = ((0, 0), (0, 0));
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let kind = entry["kind"].as_str().unwrap();
        let queried: Vec<&str> = entry["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let body = corpus.bytes(&format!("bodies/{file}"));
        if kind == "v1/services" {
            for app in &queried {
                mesos_dns.0 += 1;
                mesos_dns.1 += usize::from(check_mesos_dns(file, app, &body) > 0);
            }
            continue;
        }
        let apps = app_bodies(file, kind, &body);
        for app in &queried {
            assert!(
                apps.iter().any(|(id, _)| id == app),
                "{file}: manifest names {app}, which the body does not hold"
            );
        }
        for (id, app_body) in &apps {
            let members = check_app(file, id, app_body);
            if queried.contains(&id.as_str()) {
                marathon.0 += 1;
                marathon.1 += usize::from(members > 0);
            }
        }
    }
    // ../shared/real-corpus/INDEX.md: "18 Marathon app queries with members, 4 with none
    // (tasks malformed or absent), 1 Mesos-DNS query", as its expect.py computes them from the
    // README's rules (auto mode, first port).
    assert_eq!(
        marathon,
        (18 + 4, 18),
        "Marathon app queries, those with members"
    );
    assert_eq!(mesos_dns, (1, 1), "Mesos-DNS queries, those with members");
}

#[test]
fn upstream_marathon_app_bodies_parse() {
    let Some(mut bodies) = Shared::open(
        "upstream_marathon_app_bodies_parse",
        "upstream-api/marathon",
    ) else {
        return;
    };
    let mut apps = 0;
    for name in bodies.names_ending(".json") {
        let v: Value = serde_json::from_slice(&bodies.bytes(&name))
            .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let listed = match (&v["apps"], &v["app"]) {
            (Value::Array(list), _) => list.clone(),
            (_, Value::Object(_)) => vec![v["app"].clone()],
            // App definitions (requests) are apps without tasks.
            _ if name.starts_with("app_definition_") => vec![v.clone()],
            _ => continue,
        };
        for app in listed {
            let id = app["id"].as_str().unwrap_or("/unnamed").to_string();
            check_app(
                &name,
                &id,
                &serde_json::to_vec(&json!({ "app": app })).unwrap(),
            );
            apps += 1;
        }
    }
    assert!(apps > 0, "no app bodies in {}", bodies.dir().display());
}

#[test]
fn upstream_mesos_dns_service_answers_parse() {
    let Some(mut bodies) = Shared::open(
        "upstream_mesos_dns_service_answers_parse",
        "upstream-api/mesos-dns",
    ) else {
        return;
    };
    let mut answers = 0;
    for name in bodies.names_ending(".json") {
        if !name.starts_with("v1_services_") {
            continue;
        }
        check_mesos_dns(&name, "/app", &bodies.bytes(&name));
        answers += 1;
    }
    assert!(
        answers > 0,
        "no services answers in {}",
        bodies.dir().display()
    );
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn git(args: &[&str], stdin: &str) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut child = Command::new("git")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(stdin.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

#[test]
fn no_tracked_file_is_a_copy_of_a_shared_file() {
    let Some(mut shared) = Shared::open("no_tracked_file_is_a_copy_of_a_shared_file", "") else {
        return;
    };
    let Some(tracked) = git(&["ls-files", "-s"], "") else {
        shared_bodies::say("no_tracked_file_is_a_copy_of_a_shared_file: skipped: git ls-files failed (not a git checkout?)");
        return;
    };
    let mut files = Vec::new();
    files_under(shared.dir(), &mut files);
    files.retain(|f| !f.starts_with(shared.dir().join("hooks")));
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let hashes = git(
        &["hash-object", "--stdin-paths"],
        &(paths.join("\n") + "\n"),
    )
    .expect("git hash-object");
    shared.count(paths.len());
    let shared_blobs: std::collections::BTreeMap<&str, &str> = hashes
        .lines()
        .zip(paths.iter().map(String::as_str))
        .collect();
    // `git ls-files -s`: "<mode> <blob> <stage>\t<path>".
    let copies: Vec<String> = tracked
        .lines()
        .filter_map(|line| {
            let (meta, path) = line.split_once('\t')?;
            let blob = meta.split_whitespace().nth(1)?;
            let original = shared_blobs.get(blob)?;
            Some(format!("{path} = {original}"))
        })
        .collect();
    assert!(
        copies.is_empty(),
        "tracked copies of ../shared files (read them in place instead):\n{}",
        copies.join("\n")
    );
}
