//! Masters as C structs: one (`mesos_discovery_master`) or a list (`mesos_discovery_masters`),
//! each owning its strings, and JSON.

use std::ffi::c_char;

use core_api::zk::Master;
use core_api::Result;

use crate::handles::release;
use crate::panic;
use crate::strings::Arena;

/// One registered Mesos master. Strings marked "or NULL" are optional; the others are never
/// NULL. Valid until its owner is freed.
#[repr(C)]
pub struct mesos_discovery_master {
    /// `MasterInfo.id`; for a master that registered a raw UPID, the UPID.
    pub id: *const c_char,
    /// Host name, or NULL.
    pub hostname: *const c_char,
    /// IPv4 or IPv6 address (no brackets).
    pub ip: *const c_char,
    pub port: u16,
    /// libprocess PID (`master@ip:port`), or NULL.
    pub pid: *const c_char,
    /// Mesos version, or NULL.
    pub version: *const c_char,
    /// Fault domain region, or NULL.
    pub domain_region: *const c_char,
    /// Fault domain zone, or NULL.
    pub domain_zone: *const c_char,
    /// Capability names (`AGENT_UPDATE`, …): `capabilities_len` non-NULL strings.
    pub capabilities: *const *const c_char,
    pub capabilities_len: usize,
    /// Full znode path, e.g. `/mesos/json.info_0000000003`.
    pub znode: *const c_char,
    /// The znode's sequence number; the smallest leads.
    pub sequence: u64,
    /// How the znode was encoded: `"json"`, `"protobuf"` or `"upid"`.
    pub format: *const c_char,
    /// Whether this master is the leader.
    pub leader: bool,
}

/// Every registered master, leader first, then by sequence. Free with
/// `mesos_discovery_masters_free`.
#[repr(C)]
pub struct mesos_discovery_masters {
    pub masters: *const mesos_discovery_master,
    pub len: usize,
}

/// Storage shared by the structs of one answer.
#[derive(Default)]
pub(crate) struct MasterStorage {
    strings: Arena,
    capabilities: Vec<Vec<*const c_char>>,
}

impl MasterStorage {
    pub(crate) fn master(&mut self, m: &Master) -> Result<mesos_discovery_master> {
        let s = &mut self.strings;
        let caps = m
            .capabilities
            .iter()
            .map(|c| s.add(c, "a master's capability"))
            .collect::<Result<Vec<_>>>()?;
        let domain = m.domain.as_ref();
        let out = mesos_discovery_master {
            id: s.add(&m.id, "a master's id")?,
            hostname: s.add_opt(m.hostname.as_deref(), "a master's hostname")?,
            ip: s.add(&m.ip, "a master's ip")?,
            port: m.port,
            pid: s.add_opt(m.pid.as_deref(), "a master's pid")?,
            version: s.add_opt(m.version.as_deref(), "a master's version")?,
            domain_region: s.add_opt(
                domain.and_then(|d| d.region.as_deref()),
                "a master's region",
            )?,
            domain_zone: s.add_opt(domain.and_then(|d| d.zone.as_deref()), "a master's zone")?,
            // The inner vector's buffer does not move when it is pushed into the outer one.
            capabilities: caps.as_ptr(),
            capabilities_len: caps.len(),
            znode: s.add(&m.znode, "a master's znode")?,
            sequence: m.sequence,
            format: s.add(m.format.as_str(), "a master's format")?,
            leader: m.leader,
        };
        self.capabilities.push(caps);
        Ok(out)
    }
}

/// What a `mesos_discovery_master *` really points to.
#[repr(C)]
pub(crate) struct MasterBox {
    public: mesos_discovery_master,
    _storage: MasterStorage,
}

/// What a `mesos_discovery_masters *` really points to.
#[repr(C)]
struct MastersBox {
    public: mesos_discovery_masters,
    masters: Vec<mesos_discovery_master>,
    _storage: MasterStorage,
}

/// One master for C: free with `mesos_discovery_master_free`.
pub(crate) fn master_box(m: &Master) -> Result<*mut mesos_discovery_master> {
    let mut storage = MasterStorage::default();
    let public = storage.master(m)?;
    let boxed = Box::new(MasterBox {
        public,
        _storage: storage,
    });
    Ok(Box::into_raw(boxed).cast())
}

/// `None` → NULL; otherwise [`master_box`].
pub(crate) fn optional_master_box(m: Option<&Master>) -> Result<*mut mesos_discovery_master> {
    m.map_or(Ok(std::ptr::null_mut()), master_box)
}

/// A list of masters for C: free with `mesos_discovery_masters_free`.
pub(crate) fn masters_box(all: &[Master]) -> Result<*mut mesos_discovery_masters> {
    let mut storage = MasterStorage::default();
    let masters = all
        .iter()
        .map(|m| storage.master(m))
        .collect::<Result<Vec<_>>>()?;
    let boxed = Box::new(MastersBox {
        public: mesos_discovery_masters {
            masters: masters.as_ptr(),
            len: masters.len(),
        },
        masters,
        _storage: storage,
    });
    Ok(Box::into_raw(boxed).cast())
}

/// Frees one master returned by this library. NULL is ignored.
///
/// # Safety
/// `master` is NULL or a master returned by `mesos_discovery_detector_leader` or
/// `mesos_discovery_detector_wait`, not freed yet. (The master a callback receives is not
/// owned by the callback: never free it.)
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_master_free(master: *mut mesos_discovery_master) {
    panic::void(|| drop(release(master.cast::<MasterBox>())))
}

/// Frees a list of masters with everything in it. NULL is ignored.
///
/// # Safety
/// `masters` is NULL or a list returned by `mesos_discovery_detector_masters`, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_masters_free(masters: *mut mesos_discovery_masters) {
    panic::void(|| drop(release(masters.cast::<MastersBox>())))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use core_api::zk::{MasterDomain, MasterFormat};
    use std::ffi::CStr;

    pub(crate) fn sample(sequence: u64, leader: bool) -> Master {
        Master {
            id: format!("id-{sequence}"),
            hostname: Some("m1.example".into()),
            ip: "127.0.0.1".into(),
            port: 5050,
            pid: Some("master@127.0.0.1:5050".into()),
            version: None,
            domain: Some(MasterDomain {
                region: Some("eu".into()),
                zone: None,
            }),
            capabilities: vec!["AGENT_UPDATE".into(), "QUOTA_V2".into()],
            znode: format!("/mesos/json.info_{sequence:010}"),
            sequence,
            format: MasterFormat::Json,
            leader,
        }
    }

    fn s(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string())
    }

    #[test]
    fn every_field_crosses() {
        let raw = master_box(&sample(3, true)).unwrap();
        let m = unsafe { &*raw };
        assert_eq!(s(m.id).unwrap(), "id-3");
        assert_eq!(s(m.hostname).unwrap(), "m1.example");
        assert_eq!((s(m.ip).unwrap(), m.port), ("127.0.0.1".into(), 5050));
        assert_eq!(s(m.pid).unwrap(), "master@127.0.0.1:5050");
        assert_eq!(s(m.version), None);
        assert_eq!(
            (s(m.domain_region), s(m.domain_zone)),
            (Some("eu".into()), None)
        );
        let caps = unsafe { std::slice::from_raw_parts(m.capabilities, m.capabilities_len) };
        let caps: Vec<_> = caps.iter().map(|p| s(*p).unwrap()).collect();
        assert_eq!(caps, ["AGENT_UPDATE", "QUOTA_V2"]);
        assert_eq!(s(m.znode).unwrap(), "/mesos/json.info_0000000003");
        assert_eq!(
            (m.sequence, s(m.format).unwrap(), m.leader),
            (3, "json".into(), true)
        );
        unsafe { mesos_discovery_master_free(raw) };
        unsafe { mesos_discovery_master_free(std::ptr::null_mut()) };
    }

    #[test]
    fn lists_keep_order_and_free_cleanly() {
        let raw = masters_box(&[sample(1, true), sample(2, false)]).unwrap();
        let list = unsafe { &*raw };
        let all = unsafe { std::slice::from_raw_parts(list.masters, list.len) };
        assert_eq!(
            all.iter()
                .map(|m| (m.sequence, m.leader))
                .collect::<Vec<_>>(),
            [(1, true), (2, false)]
        );
        assert_eq!(s(all[1].id).unwrap(), "id-2");
        unsafe { mesos_discovery_masters_free(raw) };
        unsafe { mesos_discovery_masters_free(std::ptr::null_mut()) };
        assert!(optional_master_box(None).unwrap().is_null());
    }
}
