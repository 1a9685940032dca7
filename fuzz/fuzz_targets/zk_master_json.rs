//! A `json.info_<seq>` znode's data (JSON `mesos.MasterInfo`) through the decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mesos_discovery::zk::{decode, MasterFormat, JSON_LABEL};

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = decode(Some(JSON_LABEL), data) {
        assert_eq!(info.format, MasterFormat::Json);
        let ip = info.ip.as_deref().expect("MasterInfo always has an IP");
        assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{ip}");
    }
});
