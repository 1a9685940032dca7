//! The HTTP server: hyper HTTP/1.1 on one loopback listener, serving Marathon (`/v2/…`,
//! `/ping`, DC/OS `/service/marathon/…`), Mesos-DNS (`/v1/…`, DC/OS `/mesos_dns/v1/…`) and the
//! admin API (`/_workbench/…`). Faults are applied here, before authentication (they stand for
//! the network or a proxy in front of the server).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::events;
use crate::faults::{corrupt_utf8, Fault, FaultBook, Side, MAX_HOLD_MS};
use crate::http::{jetty_error_page, parse_query, reason, Reply, ReplyBody, Request};
use crate::hub::{Chunk, EventHub};
use crate::world::World;
use crate::{admin, auth, marathon, mesos_dns};

/// Largest request body accepted (admin JSON); larger ones get 413.
const MAX_REQUEST_BODY: usize = 4 << 20;
/// Connections served at once; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 1024;

pub type Body = BoxBody<Bytes, std::io::Error>;

/// State shared by every connection and the admin handle.
#[derive(Debug)]
pub struct Shared {
    pub world: Mutex<World>,
    pub hub: EventHub,
    pub faults: Mutex<FaultBook>,
    pub stats: Mutex<BTreeMap<String, u64>>,
    /// TCP connections accepted since start (or the last stats reset).
    pub connections: AtomicU64,
    pub base_url: String,
}

/// Locks, recovering from a poisoned lock (a panic elsewhere must not take the server down).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(world: World, base_url: String) -> Shared {
        Shared {
            world: Mutex::new(world),
            hub: EventHub::default(),
            faults: Mutex::new(FaultBook::default()),
            stats: Mutex::new(BTreeMap::new()),
            connections: AtomicU64::new(0),
            base_url,
        }
    }
}

/// Accepts until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => return,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, remote)) = accepted else {
            // EMFILE and friends: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(shared.clone(), req, remote));
            let _ = http1::Builder::new()
                .title_case_headers(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn from_channel(rx: mpsc::Receiver<Chunk>) -> Body {
    let chunks = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk.map(Frame::data), rx))
    });
    BodyExt::boxed(StreamBody::new(chunks))
}

/// Which emulated server a path belongs to, and the path that server sees.
fn side_of(path: &str) -> (Side, &str) {
    if path == crate::acs::LOGIN_PATH {
        return (Side::Acs, path);
    }
    if let Some(rest) = path.strip_prefix("/service/marathon") {
        if rest.starts_with('/') {
            return (Side::Marathon, rest);
        }
    }
    if let Some(rest) = path.strip_prefix("/mesos_dns") {
        if rest.starts_with('/') {
            return (Side::MesosDns, rest);
        }
    }
    if path.starts_with("/v1/") {
        (Side::MesosDns, path)
    } else {
        (Side::Marathon, path)
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
    remote: SocketAddr,
) -> Result<hyper::Response<Body>, std::io::Error> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            return Ok(to_response(
                Reply::bytes(413, "text/plain", "request body too large or unreadable"),
                &shared,
                remote,
            ));
        }
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        remote,
    };
    if request.path == "/_workbench" || request.path.starts_with("/_workbench/") {
        let reply = admin::handle_http(&shared, &request);
        return Ok(to_response(reply, &shared, remote));
    }
    {
        let mut stats = lock(&shared.stats);
        if stats.len() < 100_000 || stats.contains_key(&request.path) {
            *stats.entry(request.path.clone()).or_default() += 1;
        }
    }
    let (side, path) = side_of(&request.path);
    let fault = lock(&shared.faults).take(side, path);
    match fault {
        None => Ok(to_response(
            answer(&shared, &request, side, path),
            &shared,
            remote,
        )),
        Some(fault) => apply_fault(&shared, &request, side, path, fault).await,
    }
}

/// The normal answer: authentication, then the emulated server (the ACS login needs none).
fn answer(shared: &Shared, req: &Request, side: Side, path: &str) -> Reply {
    let mut world = lock(&shared.world);
    if side == Side::Acs {
        return match world.acs.as_mut() {
            Some(acs) => acs.login(req),
            None => Reply::jetty_error(404, &req.path, "Not Found"),
        };
    }
    if let Some(refusal) = auth::refuse(&mut world, req, path, side == Side::MesosDns) {
        return refusal;
    }
    match side {
        Side::MesosDns => mesos_dns::api::respond(&world, req, path),
        _ => marathon::api::respond(&world, req, path, &shared.base_url),
    }
}

async fn apply_fault(
    shared: &Arc<Shared>,
    req: &Request,
    side: Side,
    path: &str,
    fault: Fault,
) -> Result<hyper::Response<Body>, std::io::Error> {
    let remote = req.remote;
    let reply = match fault {
        Fault::Hang => {
            tokio::time::sleep(Duration::from_millis(MAX_HOLD_MS)).await;
            return Err(std::io::Error::other("fault: hang expired"));
        }
        Fault::Close => return Err(std::io::Error::other("fault: close")),
        Fault::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms.min(MAX_HOLD_MS))).await;
            answer(shared, req, side, path)
        }
        Fault::Status {
            status,
            body,
            content_type,
        } => match body {
            Some(body) => Reply::bytes(
                status,
                content_type.as_deref().unwrap_or("application/json"),
                body,
            ),
            None => Reply::bytes(
                status,
                content_type
                    .as_deref()
                    .unwrap_or("text/html;charset=ISO-8859-1"),
                jetty_error_page(status, path, reason(status)),
            ),
        },
        Fault::Redirect { location } => {
            Reply::bytes(302, "text/plain", "").with_header("Location", location)
        }
        Fault::RedirectLoop => {
            let query = full_query(req);
            Reply::bytes(302, "text/plain", "").with_header(
                "Location",
                format!("{}{}{query}", shared.base_url, req.path),
            )
        }
        Fault::InvalidUtf8 => {
            let mut reply = answer(shared, req, side, path);
            if let ReplyBody::Bytes(body) = &reply.body {
                reply.body = ReplyBody::Bytes(corrupt_utf8(body));
            }
            reply
        }
        Fault::DeepNesting { depth } => {
            let depth = depth as usize;
            let mut body = Vec::with_capacity(depth * 2);
            body.resize(depth, b'[');
            body.resize(depth * 2, b']');
            Reply::bytes(200, "application/json", body)
        }
        Fault::Truncate => {
            let reply = answer(shared, req, side, path);
            return Ok(truncated(reply));
        }
        Fault::Oversized { bytes, chunked } => return Ok(oversized(bytes, chunked)),
    };
    Ok(to_response(reply, shared, remote))
}

fn full_query(req: &Request) -> String {
    if req.query.is_empty() {
        String::new()
    } else {
        let pairs: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", pairs.join("&"))
    }
}

fn builder(reply: &Reply) -> hyper::http::response::Builder {
    let mut builder = hyper::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
}

fn internal_error() -> hyper::Response<Body> {
    let mut response = hyper::Response::new(full("workbench: could not build the response"));
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// Sends half of the body after promising all of it, then aborts the connection.
fn truncated(reply: Reply) -> hyper::Response<Body> {
    let body = reply.body_bytes().to_vec();
    let half = Bytes::from(body[..body.len() / 2].to_vec());
    // Stages: the half body, then the error, then nothing.
    let chunks = stream::unfold((0u8, half), |(stage, half)| async move {
        match stage {
            0 => Some((Ok(Frame::data(half)), (1, Bytes::new()))),
            1 => {
                // Pending for a moment lets hyper flush what was sent before the abort.
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Err(std::io::Error::other("fault: truncated body")),
                    (2, half),
                ))
            }
            _ => None,
        }
    });
    builder(&reply)
        .header("Content-Length", body.len().to_string())
        .body(BodyExt::boxed(StreamBody::new(chunks)))
        .unwrap_or_else(|_| internal_error())
}

/// A valid JSON document of `bytes` bytes: `{"apps":[` + spaces + `]}`, streamed.
fn oversized(bytes: u64, chunked: bool) -> hyper::Response<Body> {
    const HEAD: &[u8] = b"{\"apps\":[";
    const TAIL: &[u8] = b"]}";
    let total = bytes.max((HEAD.len() + TAIL.len()) as u64);
    let padding = total - (HEAD.len() + TAIL.len()) as u64;
    let block = Bytes::from(vec![b' '; 64 * 1024]);
    let chunks = stream::unfold((0u8, padding), move |(stage, left)| {
        let block = block.clone();
        async move {
            match stage {
                0 => Some((Ok(Frame::data(Bytes::from_static(HEAD))), (1, left))),
                1 if left > 0 => {
                    let n = left.min(block.len() as u64) as usize;
                    Some((Ok(Frame::data(block.slice(..n))), (1, left - n as u64)))
                }
                1 => Some((Ok(Frame::data(Bytes::from_static(TAIL))), (2, 0))),
                _ => None,
            }
        }
    });
    let mut response = hyper::Response::builder()
        .status(200)
        .header("Content-Type", "application/json");
    if !chunked {
        response = response.header("Content-Length", total.to_string());
    }
    response
        .body(BodyExt::boxed(StreamBody::new(chunks)))
        .unwrap_or_else(|_| internal_error())
}

fn to_response(reply: Reply, shared: &Shared, remote: SocketAddr) -> hyper::Response<Body> {
    let body = match reply.body {
        ReplyBody::Bytes(ref bytes) => full(bytes.clone()),
        ReplyBody::EventStream { ref event_types } => {
            let (attached, heartbeat) = {
                let world = lock(&shared.world);
                (
                    events::stream_attached(&remote.ip().to_string(), world.clock.now()),
                    Duration::from_millis(world.marathon.event_heartbeat_ms),
                )
            };
            match shared
                .hub
                .subscribe(attached, event_types.clone(), heartbeat)
            {
                Some(rx) => from_channel(rx),
                None => {
                    return to_response(
                        Reply::jetty_error(503, "/v2/events", "Too many concurrent requests"),
                        shared,
                        remote,
                    )
                }
            }
        }
    };
    builder(&reply)
        .body(body)
        .unwrap_or_else(|_| internal_error())
}
