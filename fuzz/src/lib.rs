//! Shared pieces of the fuzz targets: turning fuzzer bytes into the policies and app lists the
//! parsers are called with, and the invariants every answer must keep.

use arbitrary::{Arbitrary, Unstructured};
use mesos_discovery::config::{AddressMode, PortSelector};
use mesos_discovery::marathon::select::{is_member_state, SelectPolicy};
use mesos_discovery::Member;

/// Port names the seeds and the upstream fixtures use, so name lookups can hit.
pub const PORT_NAMES: &[&str] = &["hazelcast", "http", "https", "default", "", "web"];

/// A [`SelectPolicy`] from fuzzer input: every address mode, an index (small, or huge), or a
/// port name, healthy-only or not.
#[derive(Debug)]
pub struct Policy(pub SelectPolicy);

impl<'a> Arbitrary<'a> for Policy {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let address_mode =
            *u.choose(&[AddressMode::Auto, AddressMode::Host, AddressMode::Container])?;
        let port = match u.int_in_range(0u8..=5)? {
            0..=2 => PortSelector::Index(u.int_in_range(0usize..=3)?),
            3 => PortSelector::Index(usize::arbitrary(u)?),
            4 => PortSelector::Name(u.choose(PORT_NAMES)?.to_string()),
            _ => PortSelector::Name(String::arbitrary(u)?),
        };
        Ok(Policy(SelectPolicy {
            address_mode,
            port,
            healthy_only: bool::arbitrary(u)?,
        }))
    }
}

/// What every member of any scheme must look like: a usable address and a member state.
pub fn check_member(m: &Member) {
    assert_ne!(m.port, 0, "member with port 0: {m:?}");
    assert!(!m.host.is_empty(), "member without host: {m:?}");
    assert!(!m.task_id.is_empty(), "member without task id: {m:?}");
    assert!(
        is_member_state(&m.state),
        "member in state {}: {m:?}",
        m.state
    );
}

/// Splits `data` into chunks whose sizes come from `sizes` (cycled; 0 means 1), so one input
/// exercises a parser fed in arbitrary pieces.
pub fn chunks<'d>(data: &'d [u8], sizes: &[u8]) -> Vec<&'d [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let size = sizes
            .get(i % sizes.len().max(1))
            .copied()
            .unwrap_or(0)
            .max(1) as usize;
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(head);
        rest = tail;
        i += 1;
    }
    out
}
