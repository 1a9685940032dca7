//! Registering fake Mesos masters in ZooKeeper exactly as libmesos' `zookeeper::Group::join`
//! does: the group znode is created (with parents) if missing, then an ephemeral sequential
//! child `<path>/json.info_` (JSON MasterInfo), `<path>/info_` (protobuf MasterInfo) or
//! `<path>/` (a raw UPID, unlabelled) holding the data. With credentials the session adds
//! `digest` auth and, like Mesos, uses the ACL "anyone reads, creator has all"
//! ([`AclMode::Mesos`]); [`AclMode::CreatorAll`] locks reads too.

use std::net::Ipv4Addr;
use std::time::Duration;

use zookeeper_client as zkc;

/// How the master's data is encoded (and labelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `json.info_<seq>`, JSON MasterInfo (Mesos ≥ 0.24).
    Json,
    /// `info_<seq>`, binary protobuf MasterInfo.
    Protobuf,
    /// `<seq>`, the raw UPID `master@ip:port` (Mesos < 0.24).
    Upid,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "protobuf" | "info" => Some(Format::Protobuf),
            "upid" => Some(Format::Upid),
            _ => None,
        }
    }

    /// The child name prefix: `json.info_`, `info_` or empty.
    pub fn prefix(self) -> &'static str {
        match self {
            Format::Json => "json.info_",
            Format::Protobuf => "info_",
            Format::Upid => "",
        }
    }
}

/// ACLs for the group and master znodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclMode {
    /// What Mesos uses: open without credentials; "anyone reads, creator all" with them.
    Mesos,
    /// Only the creator (same digest credentials) can read or write.
    CreatorAll,
}

/// What a fake master says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeMaster {
    pub id: String,
    pub ip: Ipv4Addr,
    pub port: u16,
    pub hostname: Option<String>,
    pub version: Option<String>,
    pub region: Option<String>,
    pub zone: Option<String>,
    /// Capability names (`AGENT_UPDATE`, `AGENT_DRAINING`, `QUOTA_V2`).
    pub capabilities: Vec<String>,
    /// Write only the legacy `ip` integer (MESOS-1201 byte order), no `address` and no `pid`,
    /// as masters before `address` existed did.
    pub legacy_ip_only: bool,
}

impl FakeMaster {
    pub fn new(id: &str, ip: Ipv4Addr, port: u16) -> FakeMaster {
        FakeMaster {
            id: id.to_string(),
            ip,
            port,
            hostname: None,
            version: Some("1.11.0".into()),
            region: None,
            zone: None,
            capabilities: vec!["AGENT_UPDATE".into()],
            legacy_ip_only: false,
        }
    }

    pub fn pid(&self) -> String {
        format!("master@{}:{}", self.ip, self.port)
    }

    /// The `ip` field as Mesos writes it: the `in_addr` bytes read as a little-endian integer.
    pub fn legacy_ip(&self) -> u32 {
        u32::from_le_bytes(self.ip.octets())
    }

    pub fn encode(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Json => self.json(),
            Format::Protobuf => self.protobuf(),
            Format::Upid => self.pid().into_bytes(),
        }
    }

    /// JSON MasterInfo, shaped like Mesos' `JSON::protobuf(MasterInfo)`.
    pub fn json(&self) -> Vec<u8> {
        let mut info = serde_json::json!({
            "id": self.id,
            "ip": self.legacy_ip(),
            "port": self.port,
        });
        if !self.legacy_ip_only {
            info["pid"] = self.pid().into();
            let mut address = serde_json::json!({"ip": self.ip.to_string(), "port": self.port});
            if let Some(h) = &self.hostname {
                address["hostname"] = h.clone().into();
            }
            info["address"] = address;
        }
        if let Some(h) = &self.hostname {
            info["hostname"] = h.clone().into();
        }
        if let Some(v) = &self.version {
            info["version"] = v.clone().into();
        }
        if let (Some(region), Some(zone)) = (&self.region, &self.zone) {
            info["domain"] = serde_json::json!({
                "fault_domain": {"region": {"name": region}, "zone": {"name": zone}}
            });
        }
        if !self.capabilities.is_empty() {
            info["capabilities"] = self
                .capabilities
                .iter()
                .map(|c| serde_json::json!({"type": c}))
                .collect();
        }
        info.to_string().into_bytes()
    }

    /// Binary protobuf MasterInfo (field numbers of `mesos.proto`).
    pub fn protobuf(&self) -> Vec<u8> {
        let mut m = Vec::new();
        put_bytes(1, self.id.as_bytes(), &mut m);
        put_uint(2, u64::from(self.legacy_ip()), &mut m);
        put_uint(3, u64::from(self.port), &mut m);
        if !self.legacy_ip_only {
            put_bytes(4, self.pid().as_bytes(), &mut m);
        }
        if let Some(h) = &self.hostname {
            put_bytes(5, h.as_bytes(), &mut m);
        }
        if let Some(v) = &self.version {
            put_bytes(6, v.as_bytes(), &mut m);
        }
        if !self.legacy_ip_only {
            let mut address = Vec::new();
            if let Some(h) = &self.hostname {
                put_bytes(1, h.as_bytes(), &mut address);
            }
            put_bytes(2, self.ip.to_string().as_bytes(), &mut address);
            put_uint(3, u64::from(self.port), &mut address);
            put_bytes(7, &address, &mut m);
        }
        if let (Some(region), Some(zone)) = (&self.region, &self.zone) {
            let (mut r, mut z, mut fault, mut domain) = (vec![], vec![], vec![], vec![]);
            put_bytes(1, region.as_bytes(), &mut r);
            put_bytes(1, zone.as_bytes(), &mut z);
            put_bytes(1, &r, &mut fault);
            put_bytes(2, &z, &mut fault);
            put_bytes(1, &fault, &mut domain);
            put_bytes(8, &domain, &mut m);
        }
        for capability in &self.capabilities {
            let number = match capability.as_str() {
                "AGENT_UPDATE" => 1,
                "AGENT_DRAINING" => 2,
                "QUOTA_V2" => 3,
                _ => 0,
            };
            let mut c = Vec::new();
            put_uint(1, number, &mut c);
            put_bytes(9, &c, &mut m);
        }
        m
    }
}

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_uint(number: u64, v: u64, out: &mut Vec<u8>) {
    put_varint(number << 3, out);
    put_varint(v, out);
}

fn put_bytes(number: u64, data: &[u8], out: &mut Vec<u8>) {
    put_varint(number << 3 | 2, out);
    put_varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

/// Opens a session the way a Mesos master does (digest auth when `credentials` is
/// `Some("user:password")`).
pub async fn connect(
    servers: &str,
    credentials: Option<&str>,
    session_timeout: Duration,
) -> Result<zkc::Client, zkc::Error> {
    let mut connector = zkc::Client::connector().with_session_timeout(session_timeout);
    if let Some(credentials) = credentials {
        connector = connector.with_auth("digest", credentials.as_bytes());
    }
    connector.connect(servers).await
}

fn acls(authenticated: bool, mode: AclMode) -> zkc::Acls<'static> {
    static MESOS_AUTHED: std::sync::OnceLock<Vec<zkc::Acl>> = std::sync::OnceLock::new();
    match (authenticated, mode) {
        (false, AclMode::Mesos) => zkc::Acls::anyone_all(),
        (_, AclMode::CreatorAll) => zkc::Acls::creator_all(),
        (true, AclMode::Mesos) => zkc::Acls::new(MESOS_AUTHED.get_or_init(|| {
            vec![
                zkc::Acl::new(zkc::Permission::READ, zkc::AuthId::anyone()),
                zkc::Acl::new(zkc::Permission::ALL, zkc::AuthId::authed()),
            ]
        })),
    }
}

/// Creates `path` (and parents) if missing, as `Group::join` does.
pub async fn ensure_group(
    client: &zkc::Client,
    path: &str,
    authenticated: bool,
    mode: AclMode,
) -> Result<(), zkc::Error> {
    let options = zkc::CreateMode::Persistent.with_acls(acls(authenticated, mode));
    match client.mkdir(path, &options).await {
        Ok(()) | Err(zkc::Error::NodeExists) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Joins the group: an ephemeral sequential child named `prefix` + sequence holding `data`.
/// Returns the created znode's full path.
pub async fn join(
    client: &zkc::Client,
    path: &str,
    prefix: &str,
    data: &[u8],
    authenticated: bool,
    mode: AclMode,
) -> Result<String, zkc::Error> {
    ensure_group(client, path, authenticated, mode).await?;
    let options = zkc::CreateMode::EphemeralSequential.with_acls(acls(authenticated, mode));
    let base = format!("{}/{prefix}", path.trim_end_matches('/'));
    let (_stat, sequence) = client.create(&base, data, &options).await?;
    Ok(format!("{base}{sequence}"))
}

/// Closes a session and waits until the server confirmed it (ephemerals gone).
pub async fn close(client: zkc::Client) {
    let mut states = client.state_watcher();
    drop(client);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while !states.peek_state().is_terminated() {
            states.changed().await;
        }
    })
    .await;
}

/// Splits `zk://[user:password@]servers/path` (the simulator's own tiny parser, so the test
/// kit does not depend on the crate it tests). Returns (servers, path, credentials).
pub fn split_zk_url(url: &str) -> Result<(String, String, Option<String>), String> {
    let rest = url
        .trim()
        .strip_prefix("zk://")
        .ok_or_else(|| "expected zk://[user:password@]host:port/path".to_string())?;
    let (authority, path) = rest
        .find('/')
        .map(|i| (&rest[..i], &rest[i..]))
        .ok_or_else(|| "the zk:// URL has no path".to_string())?;
    let (credentials, servers) = match authority.rfind('@') {
        Some(at) => (Some(authority[..at].to_string()), &authority[at + 1..]),
        None => (None, authority),
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() || servers.is_empty() {
        return Err("the zk:// URL needs servers and a path other than /".into());
    }
    Ok((servers.to_string(), path.to_string(), credentials))
}
