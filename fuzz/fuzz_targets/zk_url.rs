//! `zk://[user:password@]host[:port][,…]/path` URLs (`ZkUrl::parse`). An accepted URL prints
//! back to one that parses to the same servers and path; its credentials never print.
//! `file://` URLs are skipped: they read the file system, which is not this parser's input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mesos_discovery::zk::ZkUrl;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.trim().starts_with("file://") {
        return;
    }
    let url = match ZkUrl::parse(text) {
        Ok(url) => url,
        Err(e) => {
            assert!(!e.message().is_empty());
            return;
        }
    };
    assert!(!url.servers().is_empty());
    assert!(url.path().starts_with('/') && url.path().len() > 1 && !url.path().ends_with('/'));
    for (host, port) in url.servers() {
        assert!(!host.is_empty() && *port != 0);
    }
    let shown = url.to_string();
    assert_eq!(format!("{url:?}"), format!("ZkUrl({shown})"));
    match url.username() {
        None => {
            let again = ZkUrl::parse(&shown).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
            assert_eq!(again, url, "{text:?} printed as {shown:?}");
        }
        Some(_) => {
            // Printed without the credentials: exactly the servers and path after `***@`.
            let expected = format!("zk://***@{}{}", url.connect_string(), url.path());
            assert_eq!(shown, expected);
        }
    }
});
