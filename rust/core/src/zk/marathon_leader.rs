//! The Marathon leader, read from ZooKeeper as Marathon registers it (`MARATHON_ENDPOINT=
//! zk://[user:pass@]host:port[,host:port…]/path`, Marathon's own `--zk`):
//!
//! - Marathon ≥ 1.2 (Curator `LeaderLatch`): children `_c_<uuid>-latch-<seq>` of
//!   `<path>/leader-curator`, each holding its participant id `host:port`; the leader is the
//!   smallest number after the last `latch-`. When that znode exists, it alone decides (the
//!   twitter-commons "tombstones" Marathon 1.2–1.4 also write under `<path>/leader` outlive a
//!   lost leadership).
//! - Marathon ≤ 1.1 (twitter-commons `Group`): else the `member_<seq>` children of
//!   `<path>/leader`, lowest in string order (never parsed as signed numbers: the tombstone
//!   `member_-00000000` must sort first).
//!
//! The value is `host:port` (`--hostname`, then `--http_port`, or `--https_port` with
//! `--disable_http`; the scheme is not stored), so the leader is reached at `http://host:port`
//! unless `MESOS_DISCOVERY_MARATHON_ZK_HTTPS` says `https`. Digest credentials come from the URL,
//! as for the Mesos URL (Marathon locks its nodes to them when it has credentials).
//!
//! One-shot discovery calls [`resolve`] once; the live watcher keeps a [`LeaderFollower`],
//! whose ZooKeeper watches report a new leader at once (a deposed Marathon often still
//! answers, so waiting for its connection to break is no way to notice).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use zookeeper_client as zkc;

use super::contenders::child_path;
use super::session::{self, seconds};
use super::url::ZkUrl;
use super::DetectOptions;
use crate::error::{Error, ErrorKind, Result};

pub const CURATOR_NODE: &str = "leader-curator";
pub const LEGACY_NODE: &str = "leader";
const LATCH_MARK: &str = "latch-";
const LEGACY_PREFIX: &str = "member_";
/// The leader's value is a short `host:port`; anything larger is not one.
const MAX_VALUE_BYTES: usize = 1024;
const RETRY_START: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// `MARATHON_ENDPOINT=zk://…`: where Marathon registers, and how to reach the leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarathonZk {
    pub url: ZkUrl,
    /// Reach the leader at `https://host:port` (Marathon run with `--disable_http`).
    pub https: bool,
}

/// The leading latch among `<path>/leader-curator`'s children: the smallest number after
/// the last `latch-`. Children without one are not latches (pure).
pub fn curator_leader<S: AsRef<str>>(children: &[S]) -> Option<&str> {
    children
        .iter()
        .map(AsRef::as_ref)
        .filter_map(|name| {
            let (_, digits) = name.rsplit_once(LATCH_MARK)?;
            let seq = digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| digits.parse::<u64>().ok())??;
            Some((seq, name))
        })
        .min()
        .map(|(_, name)| name)
}

/// The lowest `member_` child of `<path>/leader` in string order (pure).
pub fn legacy_leader<S: AsRef<str>>(children: &[S]) -> Option<&str> {
    children
        .iter()
        .map(AsRef::as_ref)
        .filter(|name| name.starts_with(LEGACY_PREFIX))
        .min()
}

/// `http(s)://host:port` from a leader znode's value; a protocol error naming the znode when
/// the value is not `host:port` (pure).
pub fn leader_url(znode: &str, data: &[u8], https: bool) -> Result<url::Url> {
    let garbage = |why: &str| {
        Error::protocol(format!(
            "Marathon leader znode {znode}: {why} (expected \"host:port\" as Marathon writes it)"
        ))
    };
    if data.len() > MAX_VALUE_BYTES {
        return Err(garbage(&format!("{} bytes of data", data.len())));
    }
    let text = std::str::from_utf8(data).map_err(|_| garbage("not UTF-8"))?;
    let text = text.trim();
    let (host, port) = text.rsplit_once(':').ok_or_else(|| garbage("no port"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| garbage("not a port number"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let valid_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
    if !valid_host {
        return Err(garbage("not a host name or IP address"));
    }
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let scheme = if https { "https" } else { "http" };
    url::Url::parse(&format!("{scheme}://{host}:{port}"))
        .map_err(|_| garbage("not a host name or IP address"))
}

/// One read of the registration, with the watches that fire when it changes.
struct Reading {
    leader: Result<Option<url::Url>>,
    watches: Vec<zkc::OneshotWatcher>,
}

/// Lists `parent`'s children with a watch; `None` (with an existence watch) when it is absent.
async fn children(
    client: &zkc::Client,
    parent: &str,
    watches: &mut Vec<zkc::OneshotWatcher>,
) -> std::result::Result<Option<Vec<String>>, zkc::Error> {
    for _ in 0..8 {
        match client.list_and_watch_children(parent).await {
            Ok((children, watch)) => {
                watches.push(watch);
                return Ok(Some(children));
            }
            Err(zkc::Error::NoNode) => match client.check_and_watch_stat(parent).await? {
                (None, watch) => {
                    watches.push(watch);
                    return Ok(None);
                }
                (Some(_), _) => continue, // created meanwhile: list again
            },
            Err(e) => return Err(e),
        }
    }
    Err(zkc::Error::ConnectionLoss)
}

/// Reads who leads under `zk`'s path, setting watches on what was read.
async fn read(client: &zkc::Client, zk: &MarathonZk) -> std::result::Result<Reading, zkc::Error> {
    let path = zk.url.path();
    let mut watches = Vec::new();
    for _ in 0..8 {
        watches.clear();
        let curator = child_path(path, CURATOR_NODE);
        let chosen = match children(client, &curator, &mut watches).await? {
            Some(latches) => curator_leader(&latches).map(|name| child_path(&curator, name)),
            None => {
                let legacy = child_path(path, LEGACY_NODE);
                children(client, &legacy, &mut watches)
                    .await?
                    .and_then(|members| legacy_leader(&members).map(|n| child_path(&legacy, n)))
            }
        };
        let Some(znode) = chosen else {
            return Ok(Reading {
                leader: Ok(None),
                watches,
            });
        };
        match client.get_data(&znode).await {
            Ok((data, _)) => {
                return Ok(Reading {
                    leader: leader_url(&znode, &data, zk.https).map(Some),
                    watches,
                })
            }
            Err(zkc::Error::NoNode) => continue, // the leader left between list and read
            Err(e) => return Err(e),
        }
    }
    Err(zkc::Error::ConnectionLoss)
}

fn describe(zk: &MarathonZk) -> String {
    let path = zk.url.path();
    format!(
        "{} (looked at {} and {})",
        zk.url,
        child_path(path, CURATOR_NODE),
        child_path(path, LEGACY_NODE)
    )
}

/// The Marathon leader's URL, read once; waits for a leader (through watches) until
/// `deadline` passes, then an `Unavailable` error. Every failure happens within `deadline`.
pub async fn resolve(zk: &MarathonZk, deadline: Duration) -> Result<url::Url> {
    let give_up = tokio::time::Instant::now() + deadline;
    let opts = DetectOptions {
        session_timeout: DetectOptions::default().session_timeout,
        connect_timeout: deadline,
    };
    let client = session::connect(&zk.url, &opts).await?;
    let outcome = tokio::time::timeout_at(give_up, async {
        loop {
            let reading = read(&client, zk).await.map_err(|e| {
                session::map_error(e, &format!("reading the Marathon leader of {}", zk.url))
            })?;
            if let Some(url) = reading.leader? {
                return Ok(url);
            }
            log::debug!(
                "no Marathon leader registered in {} yet; waiting",
                describe(zk)
            );
            futures_util::future::select_all(
                reading.watches.into_iter().map(|w| Box::pin(w.changed())),
            )
            .await;
        }
    })
    .await;
    session::close(client).await;
    outcome.unwrap_or_else(|_| Err(no_leader_error(zk, deadline)))
}

/// Follows the Marathon leader over a ZooKeeper session of its own: every change arrives on
/// [`leader`](Self::leader) as soon as a watch fires. An expired session is replaced at once
/// (then with backoff while ZooKeeper is unreachable) and the registration re-read; while
/// disconnected the last leader is kept. Dropping the follower ends it.
pub struct LeaderFollower {
    receiver: watch::Receiver<Option<url::Url>>,
    session: Arc<Mutex<Option<zkc::SessionInfo>>>,
    zk: MarathonZk,
    opts: DetectOptions,
    task: tokio::task::JoinHandle<()>,
}

impl LeaderFollower {
    /// Starts following on the current tokio runtime; returns at once (the leader is `None`
    /// until the first read).
    pub fn start(zk: MarathonZk, opts: DetectOptions) -> LeaderFollower {
        let (sender, receiver) = watch::channel(None);
        let session = Arc::new(Mutex::new(None));
        let task = tokio::spawn(follow(zk.clone(), opts.clone(), sender, session.clone()));
        LeaderFollower {
            receiver,
            session,
            zk,
            opts,
            task,
        }
    }

    /// The leader's URL as last read (`None`: none registered, or not read yet); `changed()`
    /// on it wakes on every change.
    pub fn leader(&self) -> watch::Receiver<Option<url::Url>> {
        self.receiver.clone()
    }

    pub fn zk(&self) -> &MarathonZk {
        &self.zk
    }

    /// Test hook: makes the server expire the follower's session (as Curator's `KillSession`).
    #[doc(hidden)]
    pub async fn expire_session_for_test(&self) -> Result<()> {
        let info = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::ZooKeeper, "the follower has no session"))?;
        session::expire(info, &self.zk.url, &self.opts).await
    }
}

impl Drop for LeaderFollower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for LeaderFollower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaderFollower")
            .field("zk", &self.zk)
            .field(
                "leader",
                &self.receiver.borrow().as_ref().map(url::Url::as_str),
            )
            .finish()
    }
}

async fn follow(
    zk: MarathonZk,
    opts: DetectOptions,
    sender: watch::Sender<Option<url::Url>>,
    session_slot: Arc<Mutex<Option<zkc::SessionInfo>>>,
) {
    let mut pause = RETRY_START;
    loop {
        let client = match session::connect(&zk.url, &opts).await {
            Ok(client) => client,
            Err(e) => {
                log::warn!("Marathon leader: {e}; retrying in {}", seconds(pause));
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(RETRY_MAX);
                continue;
            }
        };
        pause = RETRY_START;
        *session_slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.session().clone());
        follow_session(&zk, &client, &sender).await;
        session::close(client).await;
        if sender.is_closed() {
            return;
        }
        log::info!(
            "Marathon leader: the ZooKeeper session of {} ended; opening a new one",
            zk.url
        );
    }
}

/// Follows over one session until it is over (expired, closed, auth failed).
async fn follow_session(
    zk: &MarathonZk,
    client: &zkc::Client,
    sender: &watch::Sender<Option<url::Url>>,
) {
    let mut states = client.state_watcher();
    let mut retry = RETRY_START;
    loop {
        let watches = match read(client, zk).await {
            Ok(reading) => {
                match reading.leader {
                    Ok(leader) => {
                        retry = RETRY_START;
                        sender.send_if_modified(|known| {
                            if *known == leader {
                                return false;
                            }
                            log::info!(
                                "Marathon leader in {}: {}",
                                zk.url,
                                leader.as_ref().map_or("none", url::Url::as_str)
                            );
                            *known = leader;
                            true
                        });
                    }
                    // Undecodable data: say so, keep the last leader, wait for a change.
                    Err(e) => log::warn!("{e}"),
                }
                reading.watches
            }
            Err(e) if session::is_session_gone(&e) => return,
            Err(e) => {
                log::debug!("Marathon leader: reading {} failed ({e}); retrying", zk.url);
                Vec::new()
            }
        };
        let pause = retry;
        let changed = async move {
            if watches.is_empty() {
                tokio::time::sleep(pause).await;
            } else {
                futures_util::future::select_all(
                    watches.into_iter().map(|w| Box::pin(w.changed())),
                )
                .await;
            }
        };
        tokio::pin!(changed);
        loop {
            tokio::select! {
                _ = sender.closed() => return,
                _ = &mut changed => break,
                state = states.changed() => match state {
                    zkc::SessionState::SyncConnected | zkc::SessionState::ConnectedReadOnly => break,
                    zkc::SessionState::Disconnected => {}
                    _ => return,
                },
            }
        }
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// A follower for `config`'s Marathon, when it is found through ZooKeeper (on the current
/// runtime).
pub fn follower_for(config: &crate::config::Config) -> Option<LeaderFollower> {
    config.marathon_zk.clone().map(|zk| {
        LeaderFollower::start(
            zk,
            DetectOptions {
                session_timeout: DetectOptions::default().session_timeout,
                connect_timeout: config.http.deadline,
            },
        )
    })
}

/// The leader `leader` names now; waits for one up to the discovery deadline (then an
/// `Unavailable` error). `None` once the follower is gone.
pub async fn wait_for_leader(
    config: &crate::config::Config,
    leader: &mut watch::Receiver<Option<url::Url>>,
) -> Option<Result<url::Url>> {
    let known = tokio::time::timeout(config.http.deadline, leader.wait_for(Option::is_some)).await;
    match known {
        Ok(Ok(url)) => url.clone().map(Ok),
        Ok(Err(_)) => None,
        Err(_) => Some(Err(no_leader_error(
            config.marathon_zk.as_ref()?,
            config.http.deadline,
        ))),
    }
}

fn no_leader_error(zk: &MarathonZk, waited: Duration) -> Error {
    Error::new(
        ErrorKind::Unavailable,
        format!(
            "no Marathon leader registered in ZooKeeper {} within {}",
            describe(zk),
            seconds(waited)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curator_leader_is_the_smallest_latch_number() {
        let children = [
            "_c_0f6a3d9e-7b1c-4b5e-9f3c-1e2d3c4b5a69-latch-0000000012",
            "_c_9a8b7c6d-0000-4b5e-9f3c-1e2d3c4b5a69-latch-0000000009",
            "_c_latch-in-uuid-latch-0000000010",
            "not-a-latch",
            "_c_x-latch-",
        ];
        assert_eq!(
            curator_leader(&children),
            Some("_c_9a8b7c6d-0000-4b5e-9f3c-1e2d3c4b5a69-latch-0000000009")
        );
        // Numbers, not strings: 100 > 99.
        assert_eq!(
            curator_leader(&["_c_a-latch-100", "_c_b-latch-99"]),
            Some("_c_b-latch-99")
        );
        assert_eq!(curator_leader::<&str>(&[]), None);
    }

    #[test]
    fn legacy_leader_is_the_lowest_member_in_string_order() {
        let children = [
            "member_0000000003",
            "member_-00000000",
            "member_0000000001",
            "other",
        ];
        assert_eq!(legacy_leader(&children), Some("member_-00000000"));
        assert_eq!(
            legacy_leader(&["member_0000000002", "member_0000000001"]),
            Some("member_0000000001")
        );
        assert_eq!(legacy_leader(&["other"]), None);
    }

    #[test]
    fn leader_urls_and_garbage() {
        let z = "/marathon/leader-curator/_c_x-latch-0000000001";
        assert_eq!(
            leader_url(z, b"marathon-1.example:8080", false)
                .unwrap()
                .as_str(),
            "http://marathon-1.example:8080/"
        );
        assert_eq!(
            leader_url(z, b"10.0.0.5:8443", true).unwrap().as_str(),
            "https://10.0.0.5:8443/"
        );
        assert_eq!(
            leader_url(z, b"fe80::1:8080", false).unwrap().as_str(),
            "http://[fe80::1]:8080/"
        );
        for garbage in [
            &b"\xff\xfe"[..],
            b"",
            b"host",
            b"host:port",
            b"host:0",
            b"a b:80",
            b"{\"x\":1}",
        ] {
            let e = leader_url(z, garbage, false).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol);
            assert!(e.message().contains(z), "{e}");
        }
    }
}
