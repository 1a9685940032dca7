//! Inputs the fuzz targets (`fuzz/`, run by `tests/fuzz/run`) found, kept as plain tests once
//! fixed, plus the hostile shapes every parser must turn into an error rather than a stack
//! overflow, a panic or a wrong answer: JSON nested far past serde_json's recursion limit,
//! numbers past every integer type, and sub-nanosecond or infinite durations.
//!
//! Found inputs live in `tests/fixtures/fuzz-regressions/<target>-<what>` as the fuzz target
//! read them; each test decodes them the way its target does.

use std::time::Duration;

use mesos_discovery::config::{AddressMode, PortSelector};
use mesos_discovery::marathon::api::{parse_app, Task};
use mesos_discovery::marathon::members_of_app_body;
use mesos_discovery::marathon::select::SelectPolicy;
use mesos_discovery::mesos_dns::records::{members, parse_services};
use mesos_discovery::watch::affected_apps;
use mesos_discovery::watch::sse::{SseEvent, SseParser};
use mesos_discovery::zk::{decode, parse_upid, ZkUrl, JSON_LABEL, PROTOBUF_LABEL};
use mesos_discovery::{Config, ErrorKind};

fn found(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/fuzz-regressions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn policy() -> SelectPolicy {
    SelectPolicy {
        address_mode: AddressMode::Auto,
        port: PortSelector::Index(0),
        healthy_only: false,
    }
}

/// `[[[[…1…]]]]` nested `depth` deep.
fn nested(depth: usize) -> Vec<u8> {
    let mut v = vec![b'['; depth];
    v.push(b'1');
    v.extend(vec![b']'; depth]);
    v
}

/// `{"a":{"a":…}}` nested `depth` deep.
fn nested_objects(depth: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..depth {
        v.extend_from_slice(b"{\"a\":");
    }
    v.push(b'1');
    v.extend(vec![b'}'; depth]);
    v
}

/// `body` with `hole` replaced by `value`.
fn with(body: &str, hole: &str, value: &[u8]) -> Vec<u8> {
    let (before, after) = body.split_once(hole).expect("hole");
    [before.as_bytes(), value, after.as_bytes()].concat()
}

const DEPTHS: [usize; 3] = [129, 10_000, 1_000_000];

// ---- Marathon event stream ----

/// The fuzz target's input layout: 2 bytes cap (LE), 1 byte n, n chunk sizes, the stream.
fn sse_input(data: &[u8]) -> (usize, &[u8]) {
    let cap = usize::from(u16::from_le_bytes([data[0], data[1]])).max(1);
    let n = usize::from(data[2]).min(data.len() - 3);
    (cap, &data[3 + n..])
}

fn feed(cap: usize, stream: &[u8]) -> mesos_discovery::Result<Vec<SseEvent>> {
    SseParser::new(cap).feed(stream)
}

#[test]
fn sse_empty_data_lines_count_toward_the_event_cap() {
    // Found by marathon_sse: lines of `data` with no value added nothing to the event's size,
    // so an event passed its cap (the joining newlines), and a stream of bare `data` lines
    // without a blank line grew memory without bound.
    let input = found("marathon_sse-empty-data-lines-pass-cap");
    let (cap, stream) = sse_input(&input);
    match feed(cap, stream) {
        Ok(events) => {
            for e in events {
                assert!(
                    e.data.len() <= cap,
                    "{} bytes through a {cap}-byte cap",
                    e.data.len()
                );
            }
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::Protocol),
    }
    // The unbounded case: 10 MB of `data\n` against a 1 MiB cap.
    let flood = b"data\n".repeat(2_000_000);
    let e = feed(1 << 20, &flood).unwrap_err();
    assert!(e.message().contains("larger than"), "{e}");
    // Each line costs its length plus its newline: ten empty lines fit a 10-byte cap, eleven
    // do not; the joined data always fits.
    let events = feed(10, &[b"data\n".repeat(10), b"\n".to_vec()].concat()).unwrap();
    assert_eq!(events[0].data, "\n".repeat(9));
    assert!(feed(10, &b"data\n".repeat(11)).is_err());
    let events = feed(10, b"data: 123\ndata: 12\n\n").unwrap();
    assert_eq!(events[0].data, "123\n12");
}

#[test]
fn sse_events_with_deep_or_huge_json_name_no_app_and_mean_a_refetch() {
    // An event whose app cannot be read is never applied; it only makes every configured app
    // due for a (debounced) refetch.
    let apps = ["/a".to_string()];
    for data in [nested(100_000), nested_objects(100_000)] {
        let event = SseEvent {
            event: "status_update_event".into(),
            data: String::from_utf8(data).unwrap(),
        };
        assert_eq!(affected_apps(&event, &apps), Some(apps.to_vec()));
    }
    for app_id in ["1e400", "18446744073709551616", "-1", "[\"/a\"]"] {
        let event = SseEvent {
            event: "status_update_event".into(),
            data: format!("{{\"appId\": {app_id}}}"),
        };
        assert_eq!(
            affected_apps(&event, &apps),
            Some(apps.to_vec()),
            "{app_id}"
        );
    }
}

// ---- Marathon apps and tasks ----

const APP: &str = r#"{"app": {"id": "/a", "tasks": [
    {"id": "a.1", "host": "h1", "state": "TASK_RUNNING", "ports": [31000]},
    {"id": "a.2", "host": "h2", "state": "TASK_RUNNING", "ports": HOLE}]}}"#;

#[test]
fn marathon_deep_nesting_is_a_protocol_error() {
    for depth in DEPTHS {
        for body in [nested(depth), nested_objects(depth)] {
            let e = parse_app(&body, "/a").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol);
            let e = members_of_app_body("/a", &body, &policy()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol);
        }
        // Deep inside a task: that task alone is skipped, named in a warning (tasks are read
        // one by one; skipping a value is iterative, so depth costs no stack).
        let body = with(APP, "HOLE", &nested(depth));
        let found = members_of_app_body("/a", &body, &policy()).unwrap();
        let hosts: Vec<&str> = found.members.iter().map(|m| m.host.as_str()).collect();
        assert_eq!(hosts, ["h1"]);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert!(
            found.warnings[0].message.starts_with("task a.2: malformed"),
            "{:?}",
            found.warnings
        );
    }
    // Within the limit, a deep value in a field Marathon does not define is ignored.
    let body = with(
        APP,
        "HOLE",
        b"[31001], \"extra\": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]",
    );
    let found = members_of_app_body("/a", &body, &policy()).unwrap();
    assert_eq!(found.members.len(), 2);
}

#[test]
fn marathon_huge_numbers_skip_the_task_with_a_warning() {
    for ports in [
        "[18446744073709551616]",
        "[4294967296]",
        "[1e400]",
        "[-1]",
        "[1.5]",
        "[70000]",
        "[0]",
    ] {
        let body = with(APP, "HOLE", ports.as_bytes());
        // Even 1e400 (out of range for serde_json's f64) costs only its own task.
        let found = members_of_app_body("/a", &body, &policy()).unwrap();
        let hosts: Vec<&str> = found.members.iter().map(|m| m.host.as_str()).collect();
        assert_eq!(hosts, ["h1"], "{ports}");
        assert_eq!(found.warnings.len(), 1, "{ports}: {:?}", found.warnings);
        let w = &found.warnings[0];
        assert!(
            w.message.contains("a.2") || w.task_id.as_deref() == Some("a.2"),
            "{ports}: {w:?}"
        );
    }
}

#[test]
fn marathon_task_with_huge_or_wrongly_typed_fields_is_refused() {
    for (field, value) in [
        ("ports", "[18446744073709551616]"),
        ("ports", "\"31000\""),
        ("id", "12"),
        ("host", "{}"),
        ("healthCheckResults", "[{\"alive\": 1}]"),
    ] {
        let text = format!(
            "{{\"id\": \"t.1\", \"host\": \"h\", \"state\": \"TASK_RUNNING\", \"{field}\": {value}}}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let e = Task::from_value(value, "/a").unwrap_err();
        assert!(e.contains("malformed"), "{text}: {e}");
    }
}

// ---- Mesos-DNS ----

#[test]
fn mesos_dns_deep_nesting_and_huge_ports() {
    for depth in DEPTHS {
        for body in [nested(depth), nested_objects(depth)] {
            assert_eq!(
                parse_services(&body).unwrap_err().kind(),
                ErrorKind::Protocol
            );
        }
    }
    // Mesos-DNS writes ports as strings; a number is not its answer.
    assert!(parse_services(br#"[{"host":"t.","ip":"10.0.0.1","port":31000}]"#).is_err());
    for port in [
        "65536",
        "18446744073709551616",
        "1e400",
        "-1",
        "0",
        "31000.0",
    ] {
        let body = format!(r#"[{{"host":"t.","ip":"10.0.0.1","port":"{port}"}}]"#);
        let records = parse_services(body.as_bytes()).unwrap();
        let (found, warnings) = members("/a", &records);
        assert!(found.is_empty(), "{port}");
        assert_eq!(warnings.len(), 1, "{port}");
    }
}

#[test]
fn mesos_dns_srv_target_dot_or_empty_is_no_member() {
    // Found by mesos_dns (long run): an SRV target of "." ("decidedly not available at this
    // domain", RFC 2782) became a member with an empty task id.
    let body = br#"[{"service": "_worker-wso2._tcp.marathon.mesos.", "host": ".", "ip": "10.0.1.11", "port": "31914"}]"#;
    let records = parse_services(body).unwrap();
    let (found, warnings) = members("/wso2/worker", &records);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0].message;
    assert!(
        w.contains("_worker-wso2._tcp.marathon.mesos.") && w.contains("\".\""),
        "the warning names the record: {w}"
    );
    // Any target that is empty once trimmed is skipped the same way; the other records of the
    // answer are still members.
    for host in ["", " ", "..", " . ", "\\t"] {
        let body = format!(
            r#"[{{"service": "_a._tcp.marathon.mesos.", "host": "{host}", "ip": "10.0.0.1", "port": "31000"}},
                {{"service": "_a._tcp.marathon.mesos.", "host": "a-1.marathon.mesos.", "ip": "10.0.0.2", "port": "31001"}}]"#
        );
        let records = parse_services(body.as_bytes()).unwrap();
        let (found, warnings) = members("/a", &records);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (m.host.as_str(), m.task_id.as_str()))
            .collect();
        assert_eq!(got, [("10.0.0.2", "a-1.marathon.mesos")], "{host:?}");
        assert_eq!(warnings.len(), 1, "{host:?}: {warnings:?}");
        assert!(
            warnings[0].message.contains("no SRV target"),
            "{warnings:?}"
        );
    }
}

// ---- ZooKeeper ----

#[test]
fn master_info_json_deep_nesting_and_huge_numbers() {
    for depth in DEPTHS {
        for body in [nested(depth), nested_objects(depth)] {
            let e = decode(Some(JSON_LABEL), &body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol);
        }
        let body = with(
            r#"{"id":"m","ip":16777343,"port":5050,"capabilities":HOLE}"#,
            "HOLE",
            &nested(depth),
        );
        assert!(decode(Some(JSON_LABEL), &body).is_err());
    }
    for (ip, port) in [
        ("4294967296", "5050"),
        ("18446744073709551616", "5050"),
        ("1e400", "5050"),
        ("-1", "5050"),
        ("16777343", "65536"),
        ("16777343", "\"99999999999999999999\""),
        ("16777343", "-5050"),
        ("16777343", "5050.5"),
    ] {
        let body = format!(r#"{{"id":"m","ip":{ip},"port":{port}}}"#);
        let e = decode(Some(JSON_LABEL), body.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{body}");
    }
    let ok = decode(
        Some(JSON_LABEL),
        br#"{"id":"m","ip":"16777343","port":"5050"}"#,
    )
    .unwrap();
    assert_eq!((ok.ip.as_deref(), ok.port), (Some("127.0.0.1"), 5050));
}

#[test]
fn master_info_protobuf_deep_groups_and_wide_varints() {
    // Groups nested 100 000 deep: bounded, not a stack overflow.
    let mut body = vec![0x0b; 100_000];
    body.extend(vec![0x0c; 100_000]);
    assert_eq!(
        decode(Some(PROTOBUF_LABEL), &body).unwrap_err().kind(),
        ErrorKind::Protocol
    );
    // A port varint of 2^64-1 keeps its low 32 bits (proto2 uint32), which is no TCP port.
    let mut m = vec![0x0a, 1, b'm', 0x10, 1, 0x18];
    m.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    let e = decode(Some(PROTOBUF_LABEL), &m).unwrap_err();
    assert!(e.message().contains("not a TCP port"), "{e}");
    // A length that does not fit in memory: truncated, not an allocation.
    let m = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    assert!(decode(Some(PROTOBUF_LABEL), &m).is_err());
}

#[test]
fn upid_ports_past_u16_are_refused() {
    for upid in [
        "master@10.0.0.1:65536",
        "master@10.0.0.1:18446744073709551616",
        "master@10.0.0.1:+5050",
        "master@10.0.0.1:-1",
    ] {
        assert!(parse_upid(upid).is_err(), "{upid}");
        assert!(decode(None, upid.as_bytes()).is_err(), "{upid}");
    }
}

#[test]
fn zk_url_trailing_space_in_the_path_is_refused() {
    // Found by zk_url: "…/zk/=   k:: /    " is trimmed, loses its '/', and kept a path ending
    // in a space, which printed back as a different URL (and is a typo in any case).
    let text = String::from_utf8(found("zk_url-trailing-space-in-path")).unwrap();
    let e = ZkUrl::parse(&text).unwrap_err();
    assert!(e.message().contains("whitespace"), "{e}");
    assert!(ZkUrl::parse("zk://h:2181/mesos /").is_err());
    assert!(ZkUrl::parse("zk://h:2181/ mesos").is_err());
    let ok = ZkUrl::parse("zk://h:2181/my mesos").unwrap();
    assert_eq!(ZkUrl::parse(&ok.to_string()).unwrap(), ok);
}

#[test]
fn zk_url_brackets_only_delimit_an_ipv6_host() {
    // Found by zk_url: "[[k]" gave the host "[k", which printed as "[k:2181" and did not parse.
    let text = String::from_utf8(found("zk_url-bracket-in-host")).unwrap();
    let e = ZkUrl::parse(&text).unwrap_err();
    assert!(e.message().contains("character hosts cannot have"), "{e}");
    for bad in ["zk://a]b/mesos", "zk://[a[b]/mesos", "zk://a[b:1/mesos"] {
        assert!(ZkUrl::parse(bad).is_err(), "{bad}");
    }
    let ok = ZkUrl::parse("zk://[fe80::1]:2190,[::1]/mesos").unwrap();
    assert_eq!(ZkUrl::parse(&ok.to_string()).unwrap(), ok);
}

#[test]
fn zk_url_huge_ports_are_refused() {
    for port in ["65536", "18446744073709551616", "+1", "0", "1e3"] {
        let url = format!("zk://h:{port}/mesos");
        assert_eq!(
            ZkUrl::parse(&url).unwrap_err().kind(),
            ErrorKind::Config,
            "{url}"
        );
    }
}

// ---- configuration ----

#[test]
fn config_numbers_past_their_types_and_tiny_durations_are_errors() {
    let base = ("MARATHON_APPLICATIONS", "/a");
    for (key, value) in [
        ("MESOS_DISCOVERY_RETRIES", "18446744073709551616"),
        ("MESOS_DISCOVERY_RETRIES", "4294967296"),
        ("MESOS_DISCOVERY_CONCURRENCY", "1e3"),
        (
            "MESOS_DISCOVERY_MAX_RESPONSE_BYTES",
            "99999999999999999999999",
        ),
        ("HAZELCAST_PORT_INDEX", "18446744073709551615"),
        ("MESOS_DISCOVERY_DEADLINE", "1e400"),
        ("MESOS_DISCOVERY_DEADLINE", "inf"),
        ("MESOS_DISCOVERY_DEADLINE", "NaN"),
        ("MESOS_DISCOVERY_DEADLINE", "-0"),
        ("MESOS_DISCOVERY_DEADLINE", "86400.000001"),
        // Positive, but less than a nanosecond: a zero timeout would fail every request.
        ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1e-10"),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "4.9e-324"),
        ("DNS_UPDATE_TIMEOUT", "0.0000000001"),
    ] {
        let e = Config::from_map([base, (key, value)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{key}={value}");
        assert!(e.message().starts_with(key), "{e}");
    }
    let c = Config::from_map([base, ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1e-9")]).unwrap();
    assert_eq!(c.http.connect_timeout, Duration::from_nanos(1));
}
