//! `/v2/events`: SSE framing, filters, the events admin changes emit, drop and stall.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{get, start_file, start_json};
use mesos_discovery_workbench::Workbench;

/// An open event stream read incrementally.
struct Stream {
    socket: TcpStream,
    buffer: Vec<u8>,
}

impl Stream {
    fn open(wb: &Workbench, query: &str) -> Stream {
        let mut socket = TcpStream::connect(wb.addr()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        write!(
            socket,
            "GET /v2/events{query} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Stream {
            socket,
            buffer: Vec::new(),
        }
    }

    /// Reads until `pattern` has appeared `count` times in the stream so far, or `wait` passes.
    /// Returns whether it did, and whether the server closed the connection.
    fn read_until(&mut self, pattern: &str, count: usize, wait: Duration) -> (bool, bool) {
        let deadline = Instant::now() + wait;
        loop {
            if self.text().matches(pattern).count() >= count {
                return (true, false);
            }
            if Instant::now() > deadline {
                return (false, false);
            }
            let mut chunk = [0u8; 4096];
            match self.socket.read(&mut chunk) {
                Ok(0) | Err(_) if self.closed_now() => return (false, true),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(_) => {}
            }
        }
    }

    fn closed_now(&self) -> bool {
        let mut probe = [0u8; 1];
        match self.socket.peek(&mut probe) {
            Ok(0) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            Ok(_) => false,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer).into_owned()
    }

    /// The `data:` JSON of every frame of `event_type`, in order.
    fn data_of(&self, event_type: &str) -> Vec<serde_json::Value> {
        let text = self.text();
        let marker = format!("event: {event_type}\r\ndata: ");
        text.match_indices(&marker)
            .map(|(i, _)| {
                let rest = &text[i + marker.len()..];
                let line = &rest[..rest.find("\r\n").unwrap()];
                serde_json::from_str(line).unwrap()
            })
            .collect()
    }
}

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn requires_accept_event_stream() {
    let wb = start_file("carbon.json");
    let r = get(&wb, "/v2/events");
    assert_eq!(r.status, 405);
    let expected = "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error 405 </title>\n</head>\n<body>\n<h2>HTTP ERROR: 405</h2>\n<p>Problem accessing /v2/events. Reason:\n<pre>    HTTP method GET is not supported by this URL</pre></p>\n<hr /><a href=\"http://eclipse.org/jetty\">Powered by Jetty:// 9.3.z-SNAPSHOT</a><hr/>\n</body>\n</html>\n";
    assert_eq!(r.text(), expected);
}

#[test]
fn attached_first_then_framed_events_with_marathon_field_order() {
    let wb = start_file("carbon.json");
    let mut stream = Stream::open(&wb, "");
    assert!(stream.read_until("event_stream_attached", 1, WAIT).0);
    let head = stream.text();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Type: text/event-stream;charset=UTF-8\r\n"));
    let body_start = head.find("\r\n\r\n").unwrap() + 4;
    let body = &head[body_start..];
    // Chunked framing: the first chunk carries the first frame.
    let frame_start = body.find("event: ").unwrap();
    assert!(body[frame_start..].starts_with(
        "event: event_stream_attached\r\ndata: {\"remoteAddress\":\"127.0.0.1\",\"eventType\":\"event_stream_attached\",\"timestamp\":\""
    ));

    let admin = wb.admin();
    admin.scale("/wso2/worker", 4).unwrap();
    assert!(stream.read_until("event: deployment_success", 1, WAIT).0);
    let updates = stream.data_of("status_update_event");
    assert_eq!(updates.len(), 1);
    let raw = stream.text();
    let data_line = raw
        .lines()
        .find(|l| l.starts_with("data: {\"slaveId\""))
        .unwrap();
    let keys: Vec<&str> = [
        "slaveId",
        "taskId",
        "taskStatus",
        "message",
        "appId",
        "host",
        "ipAddresses",
        "ports",
        "version",
        "eventType",
        "timestamp",
    ]
    .to_vec();
    let mut last = 0;
    for key in &keys {
        let at = data_line
            .find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} in {data_line}"));
        assert!(at >= last, "{key} out of order in {data_line}");
        last = at;
    }
    assert_eq!(updates[0]["taskStatus"], "TASK_RUNNING");
    assert_eq!(updates[0]["appId"], "/wso2/worker");
    let changed = stream.data_of("instance_changed_event");
    assert_eq!(changed[0]["condition"], "Running");
    assert_eq!(changed[0]["runSpecId"], "/wso2/worker");
    for kind in [
        "deployment_info",
        "deployment_step_success",
        "deployment_success",
    ] {
        assert_eq!(stream.data_of(kind).len(), 1, "{kind}");
    }
}

#[test]
fn filters_kills_health_and_deletes() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    let mut stream = Stream::open(
        &wb,
        "?event_type=status_update_event&event_type=health_status_changed_event&event_type=app_terminated_event",
    );
    assert!(stream.read_until("\r\n", 1, WAIT).0);
    let task = admin.task_ids("/wso2/manager")[0].clone();
    admin.set_health(&task, Some(false)).unwrap();
    admin.kill_task(&task, true).unwrap();
    admin.delete_app("/wso2/worker").unwrap();
    assert!(stream.read_until("event: app_terminated_event", 1, WAIT).0);
    assert!(
        !stream.text().contains("event_stream_attached"),
        "filtered out"
    );
    assert!(
        !stream.text().contains("instance_changed_event"),
        "filtered out"
    );
    let health = stream.data_of("health_status_changed_event");
    assert_eq!(health.len(), 1);
    assert_eq!(health[0]["alive"], false);
    assert_eq!(health[0]["appId"], "/wso2/manager");
    let updates = stream.data_of("status_update_event");
    assert_eq!(updates[0]["taskId"], task.as_str());
    assert_eq!(updates[0]["taskStatus"], "TASK_KILLED");
    assert_eq!(updates[0]["ports"], serde_json::json!([]));
    // The worker's 3 tasks were killed with it.
    assert_eq!(updates.len(), 4);
    assert_eq!(
        stream.data_of("app_terminated_event")[0]["appId"],
        "/wso2/worker"
    );
}

#[test]
fn heartbeats_drop_and_stall() {
    let wb = start_json(
        r#"{"marathon": {"event_heartbeat_ms": 100}, "apps": [{"id": "/a", "instances": 1}]}"#,
    );
    let admin = wb.admin();
    let mut stream = Stream::open(&wb, "");
    assert!(stream.read_until("event_stream_attached", 1, WAIT).0);
    // Bare CRLF heartbeats (each in its own chunk: "2\r\n\r\n\r\n").
    assert!(
        stream.read_until("2\r\n\r\n\r\n", 3, WAIT).0,
        "{:?}",
        stream.text()
    );
    assert_eq!(admin.open_event_streams(), 1);

    admin.stall_event_streams(true);
    // Drain whatever was already in flight when the stall began.
    stream.read_until("never", 1, Duration::from_millis(300));
    let before = stream.buffer.len();
    admin.scale("/a", 2).unwrap();
    let (got, closed) = stream.read_until("status_update_event", 1, Duration::from_millis(500));
    assert!(!got && !closed, "stalled: open, silent");
    assert_eq!(
        stream.buffer.len(),
        before,
        "not even heartbeats while stalled"
    );
    admin.stall_event_streams(false);
    assert!(
        stream.read_until("status_update_event", 1, WAIT).0,
        "resumes with the backlog"
    );

    admin.drop_event_streams();
    let (_, closed) = stream.read_until("never", 1, WAIT);
    assert!(closed, "dropped");
    let started = Instant::now();
    while admin.open_event_streams() != 0 && started.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(admin.open_event_streams(), 0);
}

#[test]
fn losing_leadership_closes_streams_and_raw_events_pass_through() {
    let wb = start_file("carbon.json");
    let admin = wb.admin();
    let mut stream = Stream::open(&wb, "");
    assert!(stream.read_until("event_stream_attached", 1, WAIT).0);
    admin
        .emit_event("unknown_future_event", &serde_json::json!({"x": 1}))
        .unwrap();
    assert!(stream.read_until("event: unknown_future_event\r\ndata: {\"x\":1,\"eventType\":\"unknown_future_event\",\"timestamp\":", 1, WAIT).0);
    admin.set_no_leader();
    let (_, closed) = stream.read_until("never", 1, WAIT);
    assert!(closed);
}
