//! An `info_<seq>` znode's data (binary protobuf `mesos.MasterInfo`) through the wire reader
//! and the decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mesos_discovery::zk::{decode, MasterFormat, PROTOBUF_LABEL};

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = decode(Some(PROTOBUF_LABEL), data) {
        assert_eq!(info.format, MasterFormat::Protobuf);
        let ip = info.ip.as_deref().expect("MasterInfo always has an IP");
        assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{ip}");
    }
});
