//! Registering fake Marathon instances in ZooKeeper exactly as Marathon does
//! (`../shared/upstream-api/marathon/ZK-LEADER.md`):
//!
//! - [`Layout::Curator`] (Marathon ≥ 1.2): Curator `LeaderLatch` with protection — an
//!   EPHEMERAL_SEQUENTIAL child `_c_<uuid>-latch-<seq>` of `<path>/leader-curator` holding the
//!   participant id `host:port`; Marathon 1.2–1.4 also leave the twitter-commons tombstone
//!   `<path>/leader/member_-00000000` ([`register_tombstone`]).
//! - [`Layout::Legacy`] (Marathon ≤ 1.1): twitter-commons `Group` — an EPHEMERAL_SEQUENTIAL
//!   child `member_<seq>` of `<path>/leader` holding `host:port`.
//!
//! ACLs as `ZookeeperConf`: creator-all when the session has digest credentials, else open.

use std::sync::atomic::{AtomicU64, Ordering};

use zookeeper_client as zkc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Curator,
    Legacy,
}

fn acls(authenticated: bool) -> zkc::Acls<'static> {
    if authenticated {
        zkc::Acls::creator_all()
    } else {
        zkc::Acls::anyone_all()
    }
}

async fn ensure(client: &zkc::Client, path: &str, authenticated: bool) -> Result<(), zkc::Error> {
    let options = zkc::CreateMode::Persistent.with_acls(acls(authenticated));
    match client.mkdir(path, &options).await {
        Ok(()) | Err(zkc::Error::NodeExists) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A fresh UUID-shaped id for Curator's protection prefix (unique per process and call).
fn protection_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let pid = std::process::id() as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        t as u32,
        (t >> 32) as u16,
        pid & 0xfff,
        n & 0xfff,
        t.wrapping_mul(0x9e37_79b9_7f4a_7c15) & 0xffff_ffff_ffff
    )
}

/// Registers a Marathon candidate `host_port` under `path` (e.g. `/marathon`) in `layout`;
/// returns the znode created. The node lives as long as `client`'s session.
pub async fn register(
    client: &zkc::Client,
    path: &str,
    layout: Layout,
    host_port: &str,
    authenticated: bool,
) -> Result<String, zkc::Error> {
    let path = path.trim_end_matches('/');
    let (parent, prefix) = match layout {
        Layout::Curator => (
            format!("{path}/leader-curator"),
            format!("_c_{}-latch-", protection_id()),
        ),
        Layout::Legacy => (format!("{path}/leader"), "member_".to_string()),
    };
    ensure(client, &parent, authenticated).await?;
    let options = zkc::CreateMode::EphemeralSequential.with_acls(acls(authenticated));
    let base = format!("{parent}/{prefix}");
    let (_stat, sequence) = client.create(&base, host_port.as_bytes(), &options).await?;
    Ok(format!("{base}{sequence}"))
}

/// The twitter-commons tombstone a Curator-elected Marathon 1.2–1.4 leader writes:
/// EPHEMERAL `<path>/leader/member_-00000000` holding `host_port`.
pub async fn register_tombstone(
    client: &zkc::Client,
    path: &str,
    host_port: &str,
    authenticated: bool,
) -> Result<String, zkc::Error> {
    let parent = format!("{}/leader", path.trim_end_matches('/'));
    ensure(client, &parent, authenticated).await?;
    let znode = format!("{parent}/member_-00000000");
    let options = zkc::CreateMode::Ephemeral.with_acls(acls(authenticated));
    client
        .create(&znode, host_port.as_bytes(), &options)
        .await?;
    Ok(znode)
}

/// Writes `data` into a znode (tests of undecodable leader values).
pub async fn overwrite(client: &zkc::Client, znode: &str, data: &[u8]) -> Result<(), zkc::Error> {
    client.set_data(znode, data, None).await.map(|_| ())
}
