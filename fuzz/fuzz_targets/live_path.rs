//! The live path: an app body (the first fetch), an event stream handled exactly as the watch
//! handles it (events applied at once or made due for a refetch), then a second app body (the
//! refetch). Invariants:
//! - an event never changes the member set without making its app due for a refetch (so
//!   every applied event is confirmed), and after the due refetch the folded set equals the
//!   refetch's members — the set always converges to what Marathon says;
//! - one event removes at most the one task it names, and only with a leaving state or by
//!   moving it (onto an address another task holds: folded, with a warning naming it);
//!   malformed events never remove anything else;
//! - every member the fast path produces is a usable member; generations only grow.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use fuzz_support::{check_member, Policy};
use libfuzzer_sys::fuzz_target;
use mesos_discovery::marathon::events::{is_leaving_state, status_update};
use mesos_discovery::marathon::members_of_app_body;
use mesos_discovery::watch::sse::SseParser;
use mesos_discovery::watch::Replay;
use mesos_discovery::{Config, Member};

const APP: &str = "/fuzz/app";
const SEPARATOR: &[u8] = b"\n----\n";

/// Input layout (easy to write seeds for): four parts separated by `\n----\n`: bytes for the
/// selection policy, the first app body, the event stream, the refetched app body.
struct Input<'a> {
    policy: &'a [u8],
    first: &'a [u8],
    stream: &'a [u8],
    refetch: &'a [u8],
}

fn split<'a>(data: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR)?;
    Some((&data[..at], &data[at + SEPARATOR.len()..]))
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Option<Input<'a>> {
        let (policy, rest) = split(data)?;
        let (first, rest) = split(rest)?;
        let (stream, refetch) = split(rest)?;
        Some(Input {
            policy,
            first,
            stream,
            refetch,
        })
    }
}

fn identities(members: &[Member]) -> BTreeSet<(String, u16, String, String)> {
    members
        .iter()
        .map(|m| (m.host.clone(), m.port, m.app_id.clone(), m.task_id.clone()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::read(data) else {
        return;
    };
    let Ok(Policy(policy)) = Policy::arbitrary(&mut Unstructured::new(input.policy)) else {
        return;
    };
    let Ok(mut config) = Config::from_map([("MARATHON_APPLICATIONS", APP)]) else {
        return;
    };
    config.address_mode = policy.address_mode;
    config.port = policy.port.clone();
    config.healthy_only = policy.healthy_only;
    let mut replay = Replay::new(config);
    if replay.look(APP, input.first).is_err() {
        return;
    }
    let mut parser = SseParser::new(1 << 16);
    let Ok(events) = parser.feed(input.stream) else {
        return;
    };
    let first = identities(&replay.members());
    for event in &events {
        let before = replay.members();
        let generation = replay.generation();
        let applied = replay.event(event);
        let after = replay.members();
        assert!(replay.generation() >= generation, "generation went back");
        for m in &after {
            check_member(m);
        }
        let (old, new) = (identities(&before), identities(&after));
        if old != new {
            assert!(applied, "{event:?} changed the set without being applied");
        }
        if applied {
            assert!(
                replay.due().contains(APP),
                "{event:?} was applied but its app is not due for a confirming refetch"
            );
        }
        let removed: Vec<_> = old.difference(&new).collect();
        if !removed.is_empty() {
            let update = status_update(&event.data);
            let named = update.as_ref().ok();
            for (_, _, _, task) in &removed {
                let by_name = named.is_some_and(|u| &u.task_id == task);
                let leaving = named.is_some_and(|u| is_leaving_state(&u.state));
                let (host, port) = removed
                    .iter()
                    .find(|r| &r.3 == task)
                    .map(|r| (&r.0, r.1))
                    .unwrap();
                // A task moved to a new address is the one task named, too; a task whose
                // address another (named) task now claims is folded into it (one member per
                // address), and so is the named task when it moves onto an address another
                // task holds: the warning names it.
                let moved = new.iter().any(|n| &n.3 == task);
                let shadowed = new.iter().any(|n| &n.0 == host && n.1 == port);
                let folded = replay.warnings().iter().any(|w| {
                    w.task_id.as_deref() == Some(task.as_str()) && w.message.contains("same address")
                });
                assert!(
                    (by_name && (leaving || moved || folded)) || shadowed,
                    "{event:?} removed {task}"
                );
            }
        }
    }
    // Apps no event made due are exactly as first fetched.
    if !replay.due().contains(APP) {
        assert_eq!(identities(&replay.members()), first, "changed without a refetch due");
        return;
    }
    // The due refetch wins: the folded set is the refetch's.
    let Ok(fetched) = members_of_app_body(APP, input.refetch, &policy) else {
        return;
    };
    replay.look(APP, input.refetch).unwrap();
    let mut want = fetched;
    want.normalize();
    assert_eq!(identities(&replay.members()), identities(&want.members));
    assert!(replay.due().is_empty());
});
