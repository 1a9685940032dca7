//! ZooKeeper sessions: connecting with the URL's digest credentials, mapping client errors onto
//! [`Error`], and closing cleanly.
//!
//! Client: `zookeeper-client` (async, maintained, pure Rust) with its `tokio` feature; without
//! it the client has no spawner and panics. An expired session is terminal for that client:
//! a new one must be built (the watcher does).

use std::time::Duration;

use zookeeper_client as zkc;

use super::url::ZkUrl;
use super::DetectOptions;
use crate::error::{Error, ErrorKind, Result};

/// How long a clean close may take before we give up waiting (the session then simply
/// expires on the server).
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Opens a session to `url`'s servers, authenticated when the URL has credentials.
pub async fn connect(url: &ZkUrl, opts: &DetectOptions) -> Result<zkc::Client> {
    let mut connector = zkc::Client::connector().with_session_timeout(opts.session_timeout);
    if let Some(auth) = url.digest_auth() {
        connector = connector.with_auth("digest", auth.expose().as_bytes());
    }
    let servers = url.connect_string();
    let deadline = tokio::time::Instant::now() + opts.connect_timeout;
    // The client gives up after one session timeout; keep trying until *our* deadline.
    loop {
        let attempt = tokio::time::timeout_at(deadline, connector.clone().connect(&servers)).await;
        match attempt {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(e)) if !is_retryable_connect_error(&e) => {
                return Err(map_error(
                    e,
                    &format!("connecting to ZooKeeper at {servers}"),
                ))
            }
            Ok(Err(_)) if tokio::time::Instant::now() + RETRY_PAUSE < deadline => {
                tokio::time::sleep(RETRY_PAUSE).await
            }
            Ok(Err(_)) | Err(_) => {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "could not connect to ZooKeeper at {servers} within {}",
                        seconds(opts.connect_timeout)
                    ),
                ))
            }
        }
    }
}

const RETRY_PAUSE: Duration = Duration::from_millis(200);

fn is_retryable_connect_error(e: &zkc::Error) -> bool {
    matches!(
        e,
        zkc::Error::Timeout | zkc::Error::NoHosts | zkc::Error::ConnectionLoss
    )
}

/// `1.5s`, `10s`: durations as operators write them.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

/// Closes the session and waits (briefly) until the server has acknowledged it, so that
/// ephemeral nodes disappear at once and no session lingers until it times out.
pub async fn close(client: zkc::Client) {
    let mut states = client.state_watcher();
    drop(client);
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while !states.peek_state().is_terminated() {
            states.changed().await;
        }
    })
    .await;
}

/// An [`Error`] for a failed ZooKeeper operation; `what` says what was being done (it names
/// the znode, never credentials).
pub fn map_error(e: zkc::Error, what: &str) -> Error {
    let kind = match e {
        zkc::Error::NoAuth | zkc::Error::AuthFailed => ErrorKind::Auth,
        zkc::Error::NoNode => ErrorKind::NotFound,
        zkc::Error::Timeout => ErrorKind::Timeout,
        zkc::Error::NoHosts => ErrorKind::Network,
        _ => ErrorKind::ZooKeeper,
    };
    let hint = match e {
        zkc::Error::NoAuth => " (check the user:password in the zk:// URL)",
        zkc::Error::AuthFailed => " (ZooKeeper refused the credentials in the zk:// URL)",
        _ => "",
    };
    Error::new(kind, format!("{what}: {e}{hint}"))
}

/// Whether `e` means the session is gone for good (a new client is needed). The server
/// answers `UNKNOWNSESSION` (-12) to requests racing with the session's close.
pub fn is_session_gone(e: &zkc::Error) -> bool {
    matches!(
        e,
        zkc::Error::SessionExpired
            | zkc::Error::SessionMoved
            | zkc::Error::ClientClosed
            | zkc::Error::AuthFailed
            | zkc::Error::UnexpectedErrorCode(-12)
    )
}

/// Makes the server expire the session `info`, the way Curator's `KillSession` does (another
/// client attaches to the session and closes it); returns once the server has closed it.
/// Test hooks of the watchers use it.
pub async fn expire(info: zkc::SessionInfo, url: &ZkUrl, opts: &DetectOptions) -> Result<()> {
    let mut connector = zkc::Client::connector()
        .with_session(info)
        .with_session_timeout(opts.session_timeout);
    if let Some(auth) = url.digest_auth() {
        connector = connector.with_auth("digest", auth.expose().as_bytes());
    }
    // A reconnecting session gives up at once when its first attempt fails; retry.
    let mut last = None;
    for _ in 0..40 {
        match connector.clone().connect(&url.connect_string()).await {
            Ok(client) => {
                close(client).await;
                return Ok(());
            }
            Err(zkc::Error::SessionExpired) => return Ok(()),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(map_error(
        last.unwrap_or(zkc::Error::Timeout),
        "attaching to the watcher's session",
    ))
}
