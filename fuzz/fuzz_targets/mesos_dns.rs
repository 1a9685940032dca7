//! Mesos-DNS `/v1/services/{name}` answers through `parse_services` and `members`: one member
//! per SRV target (none for a target of "." or empty), at an IP literal, with a non-zero port
//! that one of its records carries, the lowest of them.
#![no_main]

use fuzz_support::check_member;
use libfuzzer_sys::fuzz_target;
use mesos_discovery::mesos_dns::records::{members, parse_services};

fuzz_target!(|data: &[u8]| {
    let Ok(records) = parse_services(data) else {
        return;
    };
    let (found, warnings) = members("/fuzz/app", &records);
    assert!(found.len() + warnings.len() <= records.len());
    let mut targets: Vec<&str> = found.iter().map(|m| m.task_id.as_str()).collect();
    targets.dedup();
    assert_eq!(targets.len(), found.len(), "two members for one SRV target");
    for m in &found {
        check_member(m);
        assert!(m.host.parse::<std::net::IpAddr>().is_ok(), "{m:?}");
        // Its port is the lowest usable port among the records of its target.
        let ports: Vec<u16> = records
            .iter()
            .filter(|r| {
                let ip = r.ip.as_deref().unwrap_or("").trim();
                r.target() == Some(m.task_id.as_str()) && ip.parse::<std::net::IpAddr>().is_ok()
            })
            .filter_map(|r| r.port.as_deref()?.trim().parse::<u16>().ok())
            .filter(|p| *p != 0)
            .collect();
        assert_eq!(ports.iter().min(), Some(&m.port), "{m:?} from {records:?}");
    }
});
