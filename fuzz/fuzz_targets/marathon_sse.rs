//! Marathon's event stream: `SseParser` fed the same bytes whole, in arbitrary chunks and one
//! byte at a time must give the same events (or fail alike), and `affected_apps` on every
//! event names only configured apps.
#![no_main]

use fuzz_support::chunks;
use libfuzzer_sys::fuzz_target;
use mesos_discovery::watch::affected_apps;
use mesos_discovery::watch::sse::{SseEvent, SseParser};

/// Input layout (easy to write seeds for): 2 bytes cap (little-endian; small caps make the
/// line and event limits reachable), 1 byte `n`, `n` chunk sizes, then the stream.
struct Input<'a> {
    cap: usize,
    sizes: &'a [u8],
    stream: &'a [u8],
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Option<Input<'a>> {
        let (&[lo, hi, n], rest) = data.split_first_chunk::<3>()?;
        let n = usize::from(n).min(rest.len());
        Some(Input {
            cap: usize::from(u16::from_le_bytes([lo, hi])).max(1),
            sizes: &rest[..n],
            stream: &rest[n..],
        })
    }
}

fn feed_all<'a>(
    cap: usize,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<SseEvent>, ()> {
    let mut parser = SseParser::new(cap);
    let mut events = Vec::new();
    for piece in pieces {
        events.extend(parser.feed(piece).map_err(|_| ())?);
    }
    Ok(events)
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::read(data) else {
        return;
    };
    let cap = input.cap;
    let whole = feed_all(cap, [input.stream]);
    let chunked = feed_all(cap, chunks(input.stream, input.sizes));
    let bytewise = feed_all(cap, input.stream.chunks(1));
    assert_eq!(whole, chunked, "chunking changed the events");
    assert_eq!(whole, bytewise, "byte-at-a-time changed the events");
    // The cap bounds what one event can hold (memory), however its data is split in lines.
    for event in whole.iter().flatten() {
        assert!(
            event.data.len() <= cap,
            "event of {} bytes passed a {cap}-byte cap",
            event.data.len()
        );
    }

    let apps = [
        "/fuzz/app".to_string(),
        "/wso2/manager".to_string(),
        "/a".to_string(),
    ];
    let mut parser = SseParser::new(1 << 20);
    let Ok(events) = parser.feed(input.stream) else {
        return;
    };
    for event in &events {
        if let Some(hit) = affected_apps(event, &apps) {
            assert!(!hit.is_empty() || apps.is_empty());
            for app in &hit {
                assert!(apps.contains(app), "{app} is not a configured app");
            }
        }
        assert_eq!(
            affected_apps(event, &[]).unwrap_or_default(),
            Vec::<String>::new()
        );
    }
});
