//! Pre-0.24 masters' unlabelled znodes (a raw libprocess UPID `master@ip:port`), the child
//! names the detector splits into label and sequence, and labels it does not know.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mesos_discovery::zk::{decode, parse_child, parse_upid, MasterFormat};

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = decode(None, data) {
        assert_eq!(info.format, MasterFormat::Upid);
        // Either an IP literal, or a host name for the caller to resolve.
        match (&info.ip, &info.hostname) {
            (Some(ip), None) => assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{ip}"),
            (None, Some(host)) => assert!(!host.is_empty()),
            other => panic!("UPID decoded to ip/hostname {other:?}"),
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((id, host, port)) = parse_upid(text) {
            assert!(!id.is_empty() && !host.is_empty());
            let after = text.rsplit(':').next().unwrap_or("");
            assert_eq!(after.parse::<u16>().ok(), Some(port), "{text:?}");
        }
        if let Some(c) = parse_child(text) {
            assert_eq!(c.name, text);
            let digits = text.rsplit('_').next().unwrap_or(text);
            assert_eq!(digits.parse::<u64>().ok(), Some(c.sequence));
        }
        // Any label but the two Mesos writes is an error.
        assert!(decode(Some(text), data).is_err() || text == "json.info" || text == "info");
    }
});
