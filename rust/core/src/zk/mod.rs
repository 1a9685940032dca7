//! Mesos master leader detection through ZooKeeper, with the semantics of libmesos
//! (`src/zookeeper/group.cpp`, `src/master/detector/zookeeper.cpp`).
//!
//! Mesos masters register under a znode (e.g. `/mesos`) as ephemeral sequential children:
//! `json.info_<seq>` (JSON MasterInfo, Mesos ≥ 0.24), `info_<seq>` (protobuf MasterInfo) or a
//! bare `<seq>` (a raw UPID, older masters). The leader is the contender with the smallest
//! sequence over all labels, compared as numbers.
//!
//! # API
//!
//! - [`ZkUrl::parse`]: `zk://[user:password@]host:port[,host:port…]/path` or `file:///path`,
//!   parsed like Mesos; credentials become ZooKeeper `digest` auth and never print.
//! - One-shot: [`leader`] / [`masters`] (async) and [`leader_blocking`] /
//!   [`masters_blocking`] (on the shared runtime, [`crate::runtime`]). Each opens a session,
//!   reads, and closes it. "No master" is `Ok(None)` / an empty list, not an error.
//!   [`masters_report`] also returns the contenders whose data could not be decoded.
//! - Watch: [`LeaderWatcher`] keeps a session, uses ZooKeeper watches (no polling) and reports
//!   every leader change, including "no leader", with a generation counter. See its docs for
//!   expiry, reconnection and callback rules.
//!
//! # Errors
//!
//! Every failure is an [`Error`](crate::Error): `Config` for a bad URL, `Timeout` when
//! ZooKeeper cannot be reached in time, `Auth` when the credentials do not allow reading,
//! `Protocol` for undecodable data (naming the znode), `ZooKeeper` for other session trouble.
//! Nothing panics, and no message contains a password.
//!
//! # Layout
//!
//! `url` (grammar) and `master_info` + `protobuf` (decoding) and `contenders` (leader choice)
//! are pure; `session` (client), `detector` (one read of the group) and `watcher` do the I/O.

mod contenders;
mod detector;
pub mod marathon_leader;
mod master_info;
mod protobuf;
mod session;
mod url;
mod watcher;

use std::time::Duration;

pub use contenders::{parse_child, Contender};
pub use detector::MasterList;
pub use marathon_leader::{
    curator_leader, leader_url, legacy_leader, resolve as resolve_marathon_leader, LeaderFollower,
    MarathonZk,
};
pub use master_info::{
    decode, ip_from_mesos_1201, parse_upid, Master, MasterDomain, MasterFormat, MasterInfo,
    JSON_LABEL, PROTOBUF_LABEL,
};
pub use url::{ZkUrl, DEFAULT_ZK_PORT};
pub use watcher::{LeaderCallback, LeaderState, LeaderWatcher};

use crate::error::Result;

/// Timeouts for talking to ZooKeeper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectOptions {
    /// ZooKeeper session timeout asked of the server (Mesos' default: 10 s). A watcher that
    /// has been disconnected this long stops trusting its cached leader.
    pub session_timeout: Duration,
    /// How long to keep trying to open a session before giving up (one-shot calls; a
    /// watcher retries forever with backoff).
    pub connect_timeout: Duration,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            session_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// The leading master, or `None` when no master is registered.
///
/// Errors: the leader's data cannot be decoded (a `Protocol` error naming its znode), the
/// session cannot be opened in time, or reading is not authorized.
pub async fn leader(url: &ZkUrl, opts: &DetectOptions) -> Result<Option<Master>> {
    let client = session::connect(url, opts).await?;
    let found = detector::leader(&client, url.path()).await;
    session::close(client).await;
    found
}

/// Every registered master, leader first, then by sequence. Masters whose data cannot be
/// decoded are left out with a warning in the log; see [`masters_report`] to get them.
pub async fn masters(url: &ZkUrl, opts: &DetectOptions) -> Result<Vec<Master>> {
    let report = masters_report(url, opts).await?;
    for problem in &report.problems {
        log::warn!("{problem}");
    }
    Ok(report.masters)
}

/// Like [`masters`], returning the contenders that could not be read too.
pub async fn masters_report(url: &ZkUrl, opts: &DetectOptions) -> Result<MasterList> {
    let client = session::connect(url, opts).await?;
    let found = detector::masters(&client, url.path()).await;
    session::close(client).await;
    found
}

/// [`leader`] on the shared runtime, blocking the calling thread.
pub fn leader_blocking(url: &ZkUrl, opts: &DetectOptions) -> Result<Option<Master>> {
    crate::runtime::block_on(leader(url, opts))?
}

/// [`masters`] on the shared runtime, blocking the calling thread.
pub fn masters_blocking(url: &ZkUrl, opts: &DetectOptions) -> Result<Vec<Master>> {
    crate::runtime::block_on(masters(url, opts))?
}

/// [`masters_report`] on the shared runtime, blocking the calling thread.
pub fn masters_report_blocking(url: &ZkUrl, opts: &DetectOptions) -> Result<MasterList> {
    crate::runtime::block_on(masters_report(url, opts))?
}
