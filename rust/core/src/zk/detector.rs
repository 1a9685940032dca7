//! Reading the masters' group once over an open session: list the children, pick contenders,
//! read and decode their data. Shared by the one-shot calls and the watcher.

use std::net::IpAddr;
use std::time::Duration;

use futures_util::future::join_all;
use zookeeper_client as zkc;

use super::contenders::{self, Contender};
use super::master_info::{self, Master};
use super::session;
use crate::error::{Error, ErrorKind, Result};

/// A leader znode that vanishes between list and read makes us re-list; a group churning
/// faster than we can read it is reported instead of looping forever.
const MAX_RELISTS: usize = 32;
/// Bound on resolving the host name of a master that registered a raw `master@host:port`.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Every contender that could be read, in sequence order, and what went wrong with the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MasterList {
    /// Masters by sequence; the first is the leader (`leader: true`) unless the leading
    /// contender's data could not be read, in which case none is flagged.
    pub masters: Vec<Master>,
    /// One error per contender left out, naming its znode.
    pub problems: Vec<Error>,
}

/// The children of `path`, or `None` when `path` does not exist.
pub(crate) async fn list(client: &zkc::Client, path: &str) -> Result<Option<Vec<String>>> {
    match client.list_children(path).await {
        Ok(children) => Ok(Some(children)),
        Err(zkc::Error::NoNode) => Ok(None),
        Err(e) => Err(session::map_error(e, &format!("listing {path}"))),
    }
}

/// Reads and decodes one contender; `Ok(None)` when its znode vanished meanwhile.
pub(crate) async fn read_master(
    client: &zkc::Client,
    path: &str,
    contender: &Contender,
    leader: bool,
) -> Result<Option<Master>> {
    let znode = contenders::child_path(path, &contender.name);
    match client.get_data(&znode).await {
        Ok((data, _stat)) => decode_master(&znode, contender, &data, leader)
            .await
            .map(Some),
        Err(zkc::Error::NoNode) => Ok(None),
        Err(e) => Err(session::map_error(e, &format!("reading {znode}"))),
    }
}

/// Decodes `data` read from `znode` into a [`Master`], resolving a UPID host name if needed.
pub(crate) async fn decode_master(
    znode: &str,
    contender: &Contender,
    data: &[u8],
    leader: bool,
) -> Result<Master> {
    let info = master_info::decode(contender.label.as_deref(), data)
        .map_err(|e| e.context(format_args!("znode {znode}")))?;
    let ip = match &info.ip {
        Some(ip) => ip.clone(),
        None => resolve(info.hostname.as_deref().unwrap_or_default(), info.port)
            .await
            .map_err(|e| e.context(format_args!("znode {znode}")))?,
    };
    Ok(info.into_master(ip, znode.to_string(), contender.sequence, leader))
}

/// libprocess resolves a UPID's host name; so do we (IPv4 first, as libprocess does).
async fn resolve(host: &str, port: u16) -> Result<String> {
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)));
    let addresses: Vec<IpAddr> = match lookup.await {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        Ok(Err(e)) => {
            return Err(Error::new(
                ErrorKind::Network,
                format!("could not resolve master host {host:?}: {e}"),
            ))
        }
        Err(_) => {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!("resolving master host {host:?} took longer than {RESOLVE_TIMEOUT:?}"),
            ))
        }
    };
    addresses
        .iter()
        .find(|ip| ip.is_ipv4())
        .or(addresses.first())
        .map(IpAddr::to_string)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Network,
                format!("master host {host:?} has no address"),
            )
        })
}

/// The current leader, or `None` when no master is registered (or `path` does not exist).
pub(crate) async fn leader(client: &zkc::Client, path: &str) -> Result<Option<Master>> {
    for _ in 0..MAX_RELISTS {
        let Some(children) = list(client, path).await? else {
            log::warn!(
                "ZooKeeper path {path} does not exist: no Mesos master has registered there"
            );
            return Ok(None);
        };
        let Some(first) = contenders::leader(&children) else {
            return Ok(None);
        };
        if let Some(master) = read_master(client, path, &first, true).await? {
            return Ok(Some(master));
        }
        log::debug!(
            "leader znode {path}/{} vanished before it was read; re-listing",
            first.name
        );
    }
    Err(churning(path))
}

/// Every master, leader first, and the contenders that could not be read.
pub(crate) async fn masters(client: &zkc::Client, path: &str) -> Result<MasterList> {
    'relist: for _ in 0..MAX_RELISTS {
        let Some(children) = list(client, path).await? else {
            log::warn!(
                "ZooKeeper path {path} does not exist: no Mesos master has registered there"
            );
            return Ok(MasterList::default());
        };
        let all = contenders::contenders(&children);
        let reads = join_all(
            all.iter()
                .enumerate()
                .map(|(i, c)| read_master(client, path, c, i == 0)),
        )
        .await;
        let mut list = MasterList::default();
        for (index, read) in reads.into_iter().enumerate() {
            match read {
                Ok(Some(master)) => list.masters.push(master),
                // The leader vanished: who leads now is only known after a re-list. A
                // follower that vanished is simply gone.
                Ok(None) if index == 0 => continue 'relist,
                Ok(None) => {}
                Err(e) => list.problems.push(e),
            }
        }
        return Ok(list);
    }
    Err(churning(path))
}

fn churning(path: &str) -> Error {
    Error::new(
        ErrorKind::ZooKeeper,
        format!("the masters' znodes under {path} changed {MAX_RELISTS} times while being read"),
    )
}
