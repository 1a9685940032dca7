//! Decoding a master's znode data into a [`Master`], by the znode's label, exactly as the Mesos
//! detector does (`src/master/detector/zookeeper.cpp`):
//!
//! - `json.info`: JSON `mesos.MasterInfo` (unknown fields ignored, enums by name);
//! - `info`: binary protobuf `mesos.MasterInfo`;
//! - no label: a raw libprocess UPID `master@ip:port` (masters before Mesos 0.24);
//! - any other label: an error, as in Mesos.
//!
//! Pure functions: bytes in, [`MasterInfo`] or an error out; never a panic.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use super::protobuf::{Fields, Value, WireError};
use crate::error::{Error, Result};

/// The label Mesos ≥ 0.24 masters write JSON under (`master::MASTER_INFO_JSON_LABEL`).
pub const JSON_LABEL: &str = "json.info";
/// The label of binary protobuf data (`master::MASTER_INFO_LABEL`).
pub const PROTOBUF_LABEL: &str = "info";

/// How a master's znode data was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MasterFormat {
    Json,
    Protobuf,
    Upid,
}

impl MasterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            MasterFormat::Json => "json",
            MasterFormat::Protobuf => "protobuf",
            MasterFormat::Upid => "upid",
        }
    }
}

/// A master's fault domain (`MasterInfo.domain.fault_domain`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MasterDomain {
    pub region: Option<String>,
    pub zone: Option<String>,
}

/// One registered Mesos master, as the CLI prints it and the C, Python and Java layers return it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Master {
    /// `MasterInfo.id`; for a raw UPID, the UPID itself.
    pub id: String,
    pub hostname: Option<String>,
    /// Dotted IPv4 (or IPv6) address.
    pub ip: String,
    pub port: u16,
    /// libprocess PID, `master@ip:port`.
    pub pid: Option<String>,
    /// Mesos version of the master, when it wrote one.
    pub version: Option<String>,
    pub domain: Option<MasterDomain>,
    /// `MasterInfo.capabilities[].type` names, e.g. `AGENT_UPDATE`.
    pub capabilities: Vec<String>,
    /// Full znode path, e.g. `/mesos/json.info_0000000003`.
    pub znode: String,
    /// The znode's sequence number; the smallest one leads.
    pub sequence: u64,
    pub format: MasterFormat,
    /// Whether this master is the leader (the smallest sequence of all contenders).
    pub leader: bool,
}

impl Master {
    /// `ip:port`, bracketing IPv6 addresses.
    pub fn address(&self) -> String {
        if self.ip.contains(':') {
            format!("[{}]:{}", self.ip, self.port)
        } else {
            format!("{}:{}", self.ip, self.port)
        }
    }

    /// Whether `other` is the same registration of the same master (same id, same znode),
    /// whatever else was refreshed.
    pub fn same_registration(&self, other: &Master) -> bool {
        self.id == other.id && self.znode == other.znode
    }
}

/// What one znode's data says about a master, before its place in the group is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterInfo {
    pub id: String,
    pub hostname: Option<String>,
    /// `None` only for a UPID whose host is a name, which the caller resolves (as libprocess
    /// does); `hostname` then holds that name.
    pub ip: Option<String>,
    pub port: u16,
    pub pid: Option<String>,
    pub version: Option<String>,
    pub domain: Option<MasterDomain>,
    pub capabilities: Vec<String>,
    pub format: MasterFormat,
}

impl MasterInfo {
    /// The [`Master`] for this data at `znode` (with its `sequence`), given its resolved IP.
    pub fn into_master(self, ip: String, znode: String, sequence: u64, leader: bool) -> Master {
        Master {
            id: self.id,
            hostname: self.hostname,
            ip,
            port: self.port,
            pid: self.pid,
            version: self.version,
            domain: self.domain,
            capabilities: self.capabilities,
            znode,
            sequence,
            format: self.format,
            leader,
        }
    }
}

/// Decodes a znode's data by its label (`None` for an unlabelled, raw-UPID znode).
/// Errors are `Protocol` errors that say what is wrong, without the znode (callers add it).
pub fn decode(label: Option<&str>, data: &[u8]) -> Result<MasterInfo> {
    match label {
        None => decode_upid(data),
        Some(JSON_LABEL) => decode_json(data),
        Some(PROTOBUF_LABEL) => decode_protobuf(data),
        Some(other) => Err(Error::protocol(format!(
            "unknown label {other:?} (expected {JSON_LABEL:?} or {PROTOBUF_LABEL:?})"
        ))),
    }
}

/// MESOS-1201: masters stored the `in_addr` bytes (network order) in `ip` as if they were a
/// host-order (little-endian) integer, so 10.1.1.9 is stored as 151060746 (0x0901010A).
pub fn ip_from_mesos_1201(ip: u32) -> Ipv4Addr {
    Ipv4Addr::from(ip.to_le_bytes())
}

/// Splits a libprocess UPID `id@host:port`; the host may be an IP, a name, or `[v6]`.
pub fn parse_upid(upid: &str) -> std::result::Result<(&str, &str, u16), String> {
    let (id, address) = upid
        .split_once('@')
        .ok_or_else(|| format!("UPID {upid:?} has no '@' (expected id@host:port)"))?;
    let (host, port) = address
        .rsplit_once(':')
        .ok_or_else(|| format!("UPID {upid:?} has no ':port'"))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|_| port.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("UPID {upid:?} has a port that is not a number from 0 to 65535"))?;
    if id.is_empty()
        || host.is_empty()
        || host.contains(['@', '/'])
        || host.contains(char::is_whitespace)
    {
        return Err(format!("UPID {upid:?} is not id@host:port"));
    }
    Ok((id, host, port))
}

fn ip_literal(text: &str) -> Option<String> {
    text.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

fn upid_ip(pid: &str) -> Option<String> {
    parse_upid(pid)
        .ok()
        .and_then(|(_, host, _)| ip_literal(host))
}

fn decode_upid(data: &[u8]) -> Result<MasterInfo> {
    let text = std::str::from_utf8(data)
        .map_err(|_| Error::protocol("unlabelled data is not a UTF-8 UPID"))?
        .trim();
    let (_, host, port) = parse_upid(text).map_err(Error::protocol)?;
    let ip = ip_literal(host);
    Ok(MasterInfo {
        id: text.to_string(),
        hostname: if ip.is_none() {
            Some(host.to_string())
        } else {
            None
        },
        ip,
        port,
        pid: Some(text.to_string()),
        version: None,
        domain: None,
        capabilities: Vec::new(),
        format: MasterFormat::Upid,
    })
}

/// The fields MasterInfo shares across encodings, before the IP is chosen.
#[derive(Default)]
struct CollectedFields {
    id: Option<String>,
    ip: Option<u32>,
    port: Option<u64>,
    pid: Option<String>,
    hostname: Option<String>,
    version: Option<String>,
    address_ip: Option<String>,
    address_hostname: Option<String>,
    domain: Option<MasterDomain>,
    capabilities: Vec<String>,
}

impl CollectedFields {
    fn finish(self, format: MasterFormat) -> Result<MasterInfo> {
        // proto2 `required` fields: Mesos refuses MasterInfo without them, so do we.
        let missing =
            |name: &str| Error::protocol(format!("MasterInfo has no {name:?} (a required field)"));
        let id = self.id.ok_or_else(|| missing("id"))?;
        let raw_ip = self.ip.ok_or_else(|| missing("ip"))?;
        let port = self.port.ok_or_else(|| missing("port"))?;
        let port = u16::try_from(port)
            .map_err(|_| Error::protocol(format!("MasterInfo port {port} is not a TCP port")))?;
        let ip = self
            .address_ip
            .as_deref()
            .and_then(ip_literal)
            .or_else(|| self.pid.as_deref().and_then(upid_ip))
            .unwrap_or_else(|| ip_from_mesos_1201(raw_ip).to_string());
        Ok(MasterInfo {
            id,
            hostname: self.hostname.or(self.address_hostname),
            ip: Some(ip),
            port,
            pid: self.pid,
            version: self.version,
            domain: self
                .domain
                .filter(|d| d.region.is_some() || d.zone.is_some()),
            capabilities: self.capabilities,
            format,
        })
    }
}

/// `mesos.MasterInfo.Capability.Type`, by number. Unknown numbers read as `UNKNOWN`, as proto2
/// does with enum values it does not know.
fn capability_name(number: u64) -> &'static str {
    match number {
        1 => "AGENT_UPDATE",
        2 => "AGENT_DRAINING",
        3 => "QUOTA_V2",
        _ => "UNKNOWN",
    }
}

// ---- JSON ----

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonNumber {
    Number(u64),
    Text(String),
}

impl JsonNumber {
    fn value(&self, field: &str) -> Result<u64> {
        match self {
            JsonNumber::Number(n) => Ok(*n),
            JsonNumber::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| Error::protocol(format!("MasterInfo {field} {t:?} is not a number"))),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonEnum {
    Number(u64),
    Name(String),
}

#[derive(Deserialize)]
struct JsonMasterInfo {
    id: Option<String>,
    ip: Option<JsonNumber>,
    port: Option<JsonNumber>,
    pid: Option<String>,
    hostname: Option<String>,
    version: Option<String>,
    address: Option<JsonAddress>,
    domain: Option<JsonDomain>,
    capabilities: Option<Vec<JsonCapability>>,
}

#[derive(Deserialize)]
struct JsonAddress {
    hostname: Option<String>,
    ip: Option<String>,
}

#[derive(Deserialize)]
struct JsonDomain {
    fault_domain: Option<JsonFaultDomain>,
}

#[derive(Deserialize)]
struct JsonFaultDomain {
    region: Option<JsonNamed>,
    zone: Option<JsonNamed>,
}

#[derive(Deserialize)]
struct JsonNamed {
    name: Option<String>,
}

#[derive(Deserialize)]
struct JsonCapability {
    #[serde(rename = "type")]
    kind: Option<JsonEnum>,
}

fn decode_json(data: &[u8]) -> Result<MasterInfo> {
    let info: JsonMasterInfo = serde_json::from_slice(data)
        .map_err(|e| Error::protocol(format!("not JSON MasterInfo: {e}")))?;
    let ip = match &info.ip {
        None => None,
        Some(n) => {
            let v = n.value("ip")?;
            Some(u32::try_from(v).map_err(|_| {
                Error::protocol(format!("MasterInfo ip {v} does not fit in 32 bits"))
            })?)
        }
    };
    let port = info.port.as_ref().map(|p| p.value("port")).transpose()?;
    let domain = info
        .domain
        .and_then(|d| d.fault_domain)
        .map(|f| MasterDomain {
            region: f.region.and_then(|r| r.name),
            zone: f.zone.and_then(|z| z.name),
        });
    let capabilities = info
        .capabilities
        .unwrap_or_default()
        .into_iter()
        .map(|c| match c.kind {
            Some(JsonEnum::Name(name)) => name,
            Some(JsonEnum::Number(n)) => capability_name(n).to_string(),
            None => "UNKNOWN".to_string(),
        })
        .collect();
    let (address_ip, address_hostname) = match info.address {
        Some(a) => (a.ip, a.hostname),
        None => (None, None),
    };
    CollectedFields {
        id: info.id,
        ip,
        port,
        pid: info.pid,
        hostname: info.hostname,
        version: info.version,
        address_ip,
        address_hostname,
        domain,
        capabilities,
    }
    .finish(MasterFormat::Json)
}

// ---- protobuf ----

fn wire(e: WireError) -> Error {
    Error::protocol(format!("not protobuf MasterInfo: {e}"))
}

fn wrong_type(message: &str, number: u64, value: &Value<'_>) -> Error {
    Error::protocol(format!(
        "not protobuf MasterInfo: {message} field {number} has wire type {}",
        value.wire_type_name()
    ))
}

fn utf8(message: &str, number: u64, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::protocol(format!(
            "not protobuf MasterInfo: {message} field {number} is not UTF-8"
        ))
    })
}

/// A string field, or an error naming the message and field when the wire type is wrong.
fn string_field(message: &str, number: u64, value: &Value<'_>) -> Result<String> {
    match value {
        Value::Bytes(bytes) => utf8(message, number, bytes),
        other => Err(wrong_type(message, number, other)),
    }
}

fn varint_field(message: &str, number: u64, value: &Value<'_>) -> Result<u64> {
    match value {
        Value::Varint(v) => Ok(*v),
        other => Err(wrong_type(message, number, other)),
    }
}

fn bytes_field<'a>(message: &str, number: u64, value: &Value<'a>) -> Result<&'a [u8]> {
    match value {
        Value::Bytes(bytes) => Ok(bytes),
        other => Err(wrong_type(message, number, other)),
    }
}

/// A message whose only field we read is string field 1 (`RegionInfo`, `ZoneInfo`).
fn decode_named(message: &str, data: &[u8]) -> Result<Option<String>> {
    let mut name = None;
    for field in Fields::new(data) {
        let (number, value) = field.map_err(wire)?;
        if number == 1 {
            name = Some(string_field(message, number, &value)?);
        }
    }
    Ok(name)
}

fn decode_fault_domain(data: &[u8], domain: &mut MasterDomain) -> Result<()> {
    for field in Fields::new(data) {
        let (number, value) = field.map_err(wire)?;
        match number {
            1 => {
                domain.region = decode_named("RegionInfo", bytes_field("FaultDomain", 1, &value)?)?
            }
            2 => domain.zone = decode_named("ZoneInfo", bytes_field("FaultDomain", 2, &value)?)?,
            _ => {}
        }
    }
    Ok(())
}

fn decode_protobuf(data: &[u8]) -> Result<MasterInfo> {
    const M: &str = "MasterInfo";
    let mut fields = CollectedFields::default();
    for field in Fields::new(data) {
        let (number, value) = field.map_err(wire)?;
        match number {
            1 => fields.id = Some(string_field(M, 1, &value)?),
            // uint32 fields: protobuf keeps the low 32 bits of a wider varint.
            2 => fields.ip = Some(varint_field(M, 2, &value)? as u32),
            3 => fields.port = Some(u64::from(varint_field(M, 3, &value)? as u32)),
            4 => fields.pid = Some(string_field(M, 4, &value)?),
            5 => fields.hostname = Some(string_field(M, 5, &value)?),
            6 => fields.version = Some(string_field(M, 6, &value)?),
            7 => {
                // Address: 1 hostname, 2 ip, 3 port (unused: MasterInfo.port is required).
                for field in Fields::new(bytes_field(M, 7, &value)?) {
                    let (number, value) = field.map_err(wire)?;
                    match number {
                        1 => fields.address_hostname = Some(string_field("Address", 1, &value)?),
                        2 => fields.address_ip = Some(string_field("Address", 2, &value)?),
                        _ => {}
                    }
                }
            }
            8 => {
                let domain = fields.domain.get_or_insert_with(MasterDomain::default);
                for field in Fields::new(bytes_field(M, 8, &value)?) {
                    let (number, value) = field.map_err(wire)?;
                    if number == 1 {
                        decode_fault_domain(bytes_field("DomainInfo", 1, &value)?, domain)?;
                    }
                }
            }
            9 => {
                let mut kind = None;
                for field in Fields::new(bytes_field(M, 9, &value)?) {
                    let (number, value) = field.map_err(wire)?;
                    if number == 1 {
                        kind = Some(varint_field("Capability", 1, &value)?);
                    }
                }
                fields
                    .capabilities
                    .push(capability_name(kind.unwrap_or(0)).to_string());
            }
            _ => {} // unknown fields are skipped, as protobuf does
        }
    }
    fields.finish(MasterFormat::Protobuf)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny protobuf writer for tests (and the master simulator's twin in the testkit).
    pub(crate) fn varint(mut v: u64, out: &mut Vec<u8>) {
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

    fn key(number: u64, wire_type: u64, out: &mut Vec<u8>) {
        varint(number << 3 | wire_type, out);
    }

    fn bytes(number: u64, data: &[u8], out: &mut Vec<u8>) {
        key(number, 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    fn uint(number: u64, v: u64, out: &mut Vec<u8>) {
        key(number, 0, out);
        varint(v, out);
    }

    fn full_protobuf() -> Vec<u8> {
        let mut m = Vec::new();
        bytes(1, b"master-id-1", &mut m);
        uint(2, 151_060_746, &mut m);
        uint(3, 5050, &mut m);
        bytes(4, b"master@10.1.1.9:5050", &mut m);
        bytes(5, b"m1.example.com", &mut m);
        bytes(6, b"1.11.0", &mut m);
        let mut address = Vec::new();
        bytes(1, b"m1.example.com", &mut address);
        bytes(2, b"10.1.1.9", &mut address);
        uint(3, 5050, &mut address);
        bytes(7, &address, &mut m);
        let (mut region, mut zone, mut fault, mut domain) = (vec![], vec![], vec![], vec![]);
        bytes(1, b"us-east", &mut region);
        bytes(1, b"us-east-1a", &mut zone);
        bytes(1, &region, &mut fault);
        bytes(2, &zone, &mut fault);
        bytes(1, &fault, &mut domain);
        bytes(8, &domain, &mut m);
        for t in [1, 3, 42] {
            let mut cap = Vec::new();
            uint(1, t, &mut cap);
            bytes(9, &cap, &mut m);
        }
        // An unknown field of every wire type, which must be skipped.
        uint(100, 7, &mut m);
        bytes(101, b"future", &mut m);
        key(102, 5, &mut m);
        m.extend_from_slice(&[1, 2, 3, 4]);
        key(103, 1, &mut m);
        m.extend_from_slice(&[0; 8]);
        m
    }

    #[test]
    fn protobuf_with_every_field_and_unknown_ones() {
        let info = decode(Some("info"), &full_protobuf()).unwrap();
        assert_eq!(
            info,
            MasterInfo {
                id: "master-id-1".into(),
                hostname: Some("m1.example.com".into()),
                ip: Some("10.1.1.9".into()),
                port: 5050,
                pid: Some("master@10.1.1.9:5050".into()),
                version: Some("1.11.0".into()),
                domain: Some(MasterDomain {
                    region: Some("us-east".into()),
                    zone: Some("us-east-1a".into())
                }),
                capabilities: vec!["AGENT_UPDATE".into(), "QUOTA_V2".into(), "UNKNOWN".into()],
                format: MasterFormat::Protobuf,
            }
        );
    }

    #[test]
    fn mesos_1201_ip_fallback() {
        assert_eq!(ip_from_mesos_1201(151_060_746), Ipv4Addr::new(10, 1, 1, 9));
        assert_eq!(ip_from_mesos_1201(16_777_343), Ipv4Addr::new(127, 0, 0, 1));
        // Only the required fields: the IP comes from the integer, the MESOS-1201 way.
        let mut m = Vec::new();
        bytes(1, b"id", &mut m);
        uint(2, 151_060_746, &mut m);
        uint(3, 5051, &mut m);
        let info = decode(Some("info"), &m).unwrap();
        assert_eq!(info.ip.as_deref(), Some("10.1.1.9"));
        assert_eq!(info.port, 5051);
        assert_eq!(info.hostname, None);
        assert!(info.capabilities.is_empty());
    }

    #[test]
    fn ip_preference_address_then_pid_then_integer() {
        let json = |extra: &str| {
            decode(
                Some("json.info"),
                format!(r#"{{"id":"a","ip":151060746,"port":5050{extra}}}"#).as_bytes(),
            )
            .unwrap()
            .ip
            .unwrap()
        };
        assert_eq!(json(""), "10.1.1.9");
        assert_eq!(json(r#","pid":"master@10.2.2.2:5050""#), "10.2.2.2");
        assert_eq!(
            json(r#","pid":"master@10.2.2.2:5050","address":{"ip":"10.3.3.3","port":5050}"#),
            "10.3.3.3"
        );
        // A hostname in the pid is not an IP: fall through to the integer.
        assert_eq!(json(r#","pid":"master@m1.example.com:5050""#), "10.1.1.9");
        // An address without ip, or with a non-IP, falls through too.
        assert_eq!(json(r#","address":{"hostname":"h","port":1}"#), "10.1.1.9");
        assert_eq!(json(r#","address":{"ip":"not-an-ip"}"#), "10.1.1.9");
    }

    #[test]
    fn json_as_mesos_writes_it_with_unknown_fields() {
        let data = br#"{
            "address": {"hostname": "m2", "ip": "10.0.0.2", "port": 5050},
            "capabilities": [{"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {"type": 3}],
            "domain": {"fault_domain": {"region": {"name": "eu"}, "zone": {"name": "eu-1"}}},
            "hostname": "m2.example.com",
            "id": "8ee4d9b4-7c19-4c77-a4f1-4e0b0a8c3f60",
            "ip": 33554442,
            "pid": "master@10.0.0.2:5050",
            "port": 5050,
            "version": "1.9.0",
            "some_future_field": {"nested": [1, 2, 3]}
        }"#;
        let info = decode(Some("json.info"), data).unwrap();
        assert_eq!(info.id, "8ee4d9b4-7c19-4c77-a4f1-4e0b0a8c3f60");
        assert_eq!(info.ip.as_deref(), Some("10.0.0.2"));
        assert_eq!(info.hostname.as_deref(), Some("m2.example.com"));
        assert_eq!(info.version.as_deref(), Some("1.9.0"));
        assert_eq!(info.format, MasterFormat::Json);
        assert_eq!(
            info.capabilities,
            ["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"]
        );
        assert_eq!(
            info.domain,
            Some(MasterDomain {
                region: Some("eu".into()),
                zone: Some("eu-1".into())
            })
        );
    }

    #[test]
    fn hostname_falls_back_to_address_hostname() {
        let info = decode(
            Some("json.info"),
            br#"{"id":"a","ip":1,"port":1,"address":{"hostname":"from-address","ip":"10.9.9.9"}}"#,
        )
        .unwrap();
        assert_eq!(info.hostname.as_deref(), Some("from-address"));
    }

    #[test]
    fn json_errors() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "not JSON"),
            (b"{", "not JSON"),
            (b"[]", "not JSON"),
            (br#"{"ip":1,"port":1}"#, "\"id\""),
            (br#"{"id":"a","port":1}"#, "\"ip\""),
            (br#"{"id":"a","ip":1}"#, "\"port\""),
            (br#"{"id":"a","ip":1,"port":70000}"#, "not a TCP port"),
            (br#"{"id":"a","ip":4294967296,"port":1}"#, "32 bits"),
            (br#"{"id":"a","ip":-1,"port":1}"#, "not JSON"),
            (br#"{"id":7,"ip":1,"port":1}"#, "not JSON"),
            (br#"{"id":"a","ip":"x","port":1}"#, "not a number"),
        ];
        for (data, expected) in cases {
            let e = decode(Some("json.info"), data).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Protocol);
            assert!(
                e.message().contains(expected),
                "{:?}: {e}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn protobuf_errors() {
        let mut wrong_type = Vec::new();
        uint(1, 5, &mut wrong_type); // id as a varint
        let mut bad_utf8 = Vec::new();
        bytes(1, &[0xff, 0xfe], &mut bad_utf8);
        let mut big_port = Vec::new();
        bytes(1, b"a", &mut big_port);
        uint(2, 1, &mut big_port);
        uint(3, 65536, &mut big_port);
        let mut bad_nested = Vec::new();
        bytes(7, &[0x12, 0x05, b'x'], &mut bad_nested);
        let cases: &[(&[u8], &str)] = &[
            (&wrong_type, "field 1 has wire type varint"),
            (&bad_utf8, "not UTF-8"),
            (&big_port, "not a TCP port"),
            (&bad_nested, "truncated"),
            (&[0x0a, 0x05, b'a'], "truncated"),
            (&[0x10, 0xff], "truncated varint"),
            (&[], "\"id\""),
            (b"{\"id\":\"a\"}", "not protobuf"),
        ];
        for (data, expected) in cases {
            let e = decode(Some("info"), data).unwrap_err();
            assert!(e.message().contains(expected), "{data:?}: {e}");
        }
    }

    #[test]
    fn truncations_of_a_valid_message_never_panic() {
        let full = full_protobuf();
        for len in 0..full.len() {
            let _ = decode(Some("info"), &full[..len]);
        }
    }

    #[test]
    fn upid_data() {
        let info = decode(None, b"master@10.0.0.7:5050\n").unwrap();
        assert_eq!(info.id, "master@10.0.0.7:5050");
        assert_eq!(info.pid.as_deref(), Some("master@10.0.0.7:5050"));
        assert_eq!(info.ip.as_deref(), Some("10.0.0.7"));
        assert_eq!(info.port, 5050);
        assert_eq!(info.hostname, None);
        assert_eq!(info.format, MasterFormat::Upid);

        // A host name: kept as the hostname, the IP left for the caller to resolve.
        let info = decode(None, b"master@mesos-m1.example.com:5050").unwrap();
        assert_eq!(info.ip, None);
        assert_eq!(info.hostname.as_deref(), Some("mesos-m1.example.com"));

        let info = decode(None, b"master@[::1]:5050").unwrap();
        assert_eq!(info.ip.as_deref(), Some("::1"));

        for bad in [
            &b""[..],
            b"master",
            b"@h:1",
            b"master@:1",
            b"master@h",
            b"master@h:x",
            b"master@h:99999",
            b"\xff",
        ] {
            assert!(decode(None, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_label_is_an_error() {
        let e = decode(Some("foo"), b"{}").unwrap_err();
        assert!(e.message().contains("unknown label \"foo\""), "{e}");
    }

    #[test]
    fn master_serializes_with_lowercase_format() {
        let m = decode(None, b"master@10.0.0.7:5050").unwrap().into_master(
            "10.0.0.7".into(),
            "/mesos/0000000001".into(),
            1,
            true,
        );
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["format"], "upid");
        assert_eq!(v["leader"], true);
        assert_eq!(v["sequence"], 1);
        assert_eq!(m.address(), "10.0.0.7:5050");
    }
}
