//! Authentication, fault injection and request counting.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{get, get_with, parse, raw_request, start_file};
use mesos_discovery_workbench::{encode_base64, Fault, FaultRule, Side};

#[test]
fn basic_auth_challenges_with_jetty_page() {
    let wb = start_file("auth-basic.json");
    let r = get(&wb, "/v2/apps/wso2/node");
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("WWW-Authenticate"),
        Some("basic realm=\"Mesosphere\"")
    );
    assert_eq!(
        r.header("Content-Type"),
        Some("text/html;charset=ISO-8859-1")
    );
    assert!(r.text().contains("<h2>HTTP ERROR: 401</h2>"));
    // /ping too: Jetty's constraint covers every path.
    assert_eq!(get(&wb, "/ping").status, 401);
    let good = format!("Basic {}", encode_base64(b"carbon:s3cret pass"));
    assert_eq!(
        get_with(&wb, "/v2/apps/wso2/node", &[("Authorization", &good)]).status,
        200
    );
    let bad = format!("Basic {}", encode_base64(b"carbon:wrong"));
    assert_eq!(
        get_with(&wb, "/v2/apps/wso2/node", &[("Authorization", &bad)]).status,
        401
    );
    assert_eq!(
        get_with(&wb, "/v2/apps/wso2/node", &[("Authorization", "Basic !!!")]).status,
        401
    );
    // Mesos-DNS is not behind Marathon's auth unless configured.
    assert_eq!(
        get(&wb, "/v1/services/_node-wso2._tcp.marathon.mesos.").status,
        200
    );
}

#[test]
fn token_auth_covers_mesos_dns_when_configured() {
    let wb = start_file("auth-token.json");
    let token = "token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl";
    let r = get(&wb, "/v2/apps/wso2/node");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("WWW-Authenticate"), Some("acsjwt"));
    assert_eq!(
        r.text(),
        "{ \"message\": \"Invalid username or password.\" }"
    );
    assert_eq!(
        get_with(&wb, "/v2/apps/wso2/node", &[("Authorization", token)]).status,
        200
    );
    assert_eq!(
        get_with(&wb, "/v2/apps/wso2/node", &[("Authorization", "Bearer x")]).status,
        401
    );
    assert_eq!(get(&wb, "/v1/version").status, 401);
    assert_eq!(
        get_with(&wb, "/v1/version", &[("Authorization", token)]).status,
        200
    );
}

#[test]
fn status_faults_count_down_and_match_by_side_and_path() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    let rule = FaultRule {
        times: Some(2),
        ..FaultRule::once(
            Side::Marathon,
            Fault::Status {
                status: 503,
                body: None,
                content_type: None,
            },
        )
    }
    .on_path("/v2/apps");
    admin.add_fault(rule).unwrap();
    assert_eq!(get(&wb, "/v1/version").status, 200, "other side untouched");
    assert_eq!(get(&wb, "/v2/tasks").status, 200, "other path untouched");
    let r = get(&wb, "/v2/apps/wso2/manager");
    assert_eq!(r.status, 503);
    assert!(r.text().contains("HTTP ERROR: 503"));
    assert_eq!(get(&wb, "/v2/apps/wso2/manager").status, 503);
    assert_eq!(get(&wb, "/v2/apps/wso2/manager").status, 200, "used up");

    let id = admin
        .add_fault(FaultRule::always(
            Side::MesosDns,
            Fault::Status {
                status: 500,
                body: Some("{\"oops\":1}".into()),
                content_type: None,
            },
        ))
        .unwrap();
    for _ in 0..3 {
        let r = get(&wb, "/v1/services/x");
        assert_eq!((r.status, r.text().as_str()), (500, "{\"oops\":1}"));
    }
    assert!(admin.remove_fault(id));
    assert_eq!(get(&wb, "/v1/services/x").status, 200);
}

#[test]
fn close_and_hang() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    admin
        .add_fault(FaultRule::once(Side::Marathon, Fault::Close))
        .unwrap();
    let raw = raw_request(&wb, "GET", "/v2/apps/wso2/manager", &[], "").unwrap_or_default();
    assert!(
        raw.is_empty(),
        "closed without a response: {:?}",
        String::from_utf8_lossy(&raw)
    );

    admin
        .add_fault(FaultRule::once(Side::Marathon, Fault::Hang))
        .unwrap();
    let mut stream = TcpStream::connect(wb.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    stream
        .write_all(b"GET /v2/apps HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 16];
    let err = stream.read(&mut buf).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    // Other requests are still served meanwhile.
    assert_eq!(get(&wb, "/v2/apps").status, 200);
}

#[test]
fn truncated_body_promises_more_than_it_sends() {
    let wb = start_file("carbon.json");
    wb.admin()
        .add_fault(FaultRule::once(Side::Marathon, Fault::Truncate))
        .unwrap();
    let raw = raw_request(&wb, "GET", "/v2/apps/wso2/manager", &[], "").unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    let sent = raw.len() - end - 4;
    assert!(sent < declared, "sent {sent} of {declared}");
    assert!(sent > 0);
}

#[test]
fn invalid_utf8_deep_nesting_oversized() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    admin
        .add_fault(FaultRule::once(Side::Marathon, Fault::InvalidUtf8))
        .unwrap();
    let r = get(&wb, "/v2/apps/wso2/manager");
    assert_eq!(r.status, 200);
    assert!(std::str::from_utf8(&r.body).is_err());

    admin
        .add_fault(FaultRule::once(
            Side::MesosDns,
            Fault::DeepNesting { depth: 5000 },
        ))
        .unwrap();
    let r = get(&wb, "/v1/services/x");
    assert_eq!(r.body.len(), 10_000);
    assert!(r.body.starts_with(b"[[[[") && r.body.ends_with(b"]]]]"));

    for chunked in [true, false] {
        admin
            .add_fault(FaultRule::once(
                Side::Marathon,
                Fault::Oversized {
                    bytes: 300_000,
                    chunked,
                },
            ))
            .unwrap();
        let r = get(&wb, "/v2/apps/wso2/manager");
        assert_eq!(r.body.len(), 300_000);
        assert_eq!(r.header("Content-Length").is_some(), !chunked);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["apps"], serde_json::json!([]));
    }
}

#[test]
fn redirects_and_delay() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    admin
        .add_fault(FaultRule::once(
            Side::Marathon,
            Fault::Redirect {
                location: "http://127.0.0.1:1/v2/apps".into(),
            },
        ))
        .unwrap();
    let r = get(&wb, "/v2/apps");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location"), Some("http://127.0.0.1:1/v2/apps"));

    let id = admin
        .add_fault(FaultRule::always(Side::Marathon, Fault::RedirectLoop))
        .unwrap();
    for _ in 0..3 {
        let r = get(&wb, "/v2/apps?embed=apps.tasks");
        assert_eq!(r.status, 302);
        assert_eq!(
            r.header("Location"),
            Some(format!("{}/v2/apps?embed=apps.tasks", wb.url()).as_str())
        );
    }
    admin.remove_fault(id);

    admin
        .add_fault(FaultRule::once(Side::Marathon, Fault::Delay { ms: 300 }))
        .unwrap();
    let started = Instant::now();
    assert_eq!(get(&wb, "/v2/apps").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn request_counts_per_path() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    for _ in 0..3 {
        get(&wb, "/v2/apps/wso2/manager");
    }
    get(&wb, "/v1/services/_x._tcp.marathon.mesos.");
    assert_eq!(admin.requests("/v2/apps/wso2/manager"), 3);
    assert_eq!(admin.total_requests(), 4);
    let stats = get(&wb, "/_workbench/stats").json();
    assert_eq!(stats["requests"]["/v2/apps/wso2/manager"], 3);
    assert_eq!(stats["total"], 4, "admin requests are not counted");
    admin.reset_stats();
    assert_eq!(admin.total_requests(), 0);
}

#[test]
fn keep_alive_connections_serve_several_requests() {
    let wb = start_file("carbon.json");
    let mut stream = TcpStream::connect(wb.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/leader HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    let second = text.rfind("HTTP/1.1").unwrap();
    assert!(parse(&raw[second..]).unwrap().text().contains("leader"));
}
