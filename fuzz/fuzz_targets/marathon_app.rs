//! Marathon `GET /v2/apps/{id}` bodies through decoding and member selection, with every
//! address mode, port index/name and health policy. The answer must keep the invariants of a
//! member list: each member comes from a task of the body, in a member state, with a port.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use fuzz_support::{check_member, Policy};
use libfuzzer_sys::fuzz_target;
use mesos_discovery::marathon::members_of_app_body;
use serde::de::IgnoredAny;

/// Where the first JSON value of `data` ends (all of it when there is none).
fn first_value_end(data: &[u8]) -> usize {
    let mut values = serde_json::Deserializer::from_slice(data).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => values.byte_offset(),
        _ => data.len(),
    }
}

fuzz_target!(|data: &[u8]| {
    // The body is the first JSON value; bytes after it choose the policy (none: the
    // default one), so verbatim upstream bodies are seeds as they are.
    let end = first_value_end(data);
    let (body, tail) = data.split_at(end);
    let Ok(Policy(policy)) = Policy::arbitrary(&mut Unstructured::new(tail)) else {
        return;
    };
    let Ok(found) = members_of_app_body("/fuzz/app", body, &policy) else {
        return;
    };
    // Independent view of the same body: the ids of its tasks. (The typed decoder skips the
    // fields it does not read without checking their escapes, so a lone surrogate there is
    // accepted by it and not by `Value`: those bodies are only checked for not panicking.)
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let task_ids: Vec<&str> = value["app"]["tasks"]
        .as_array()
        .map(|tasks| tasks.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(found.members.len() <= task_ids.len());
    for m in &found.members {
        check_member(m);
        assert!(
            task_ids.contains(&m.task_id.as_str()),
            "member {m:?} is not a task of the body"
        );
        if policy.healthy_only {
            assert_ne!(m.healthy, Some(false), "unhealthy member kept: {m:?}");
        }
    }
});
