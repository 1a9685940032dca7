//! Server-Sent Events framing (the WHATWG `text/event-stream` rules), pure and incremental:
//! bytes in, whole events out. Lines end in CRLF, LF or CR (a CR at the end of one chunk and
//! an LF at the start of the next are one line end); `:` lines are comments; a blank line ends
//! an event; several `data:` lines join with `\n`; a blank line with no data (Jetty's CRLF
//! heartbeat) dispatches nothing. Lines are capped so a hostile stream cannot grow memory.

use crate::error::{Error, Result};

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when absent, as the spec says.
    pub event: String,
    pub data: String,
}

#[derive(Debug)]
pub struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    event: Option<String>,
    data: Vec<String>,
    data_bytes: usize,
    max_event_bytes: usize,
}

impl SseParser {
    /// `max_event_bytes` bounds one line and one event's data.
    pub fn new(max_event_bytes: usize) -> Self {
        SseParser {
            line: Vec::new(),
            after_cr: false,
            event: None,
            data: Vec::new(),
            data_bytes: 0,
            max_event_bytes,
        }
    }

    /// Feeds a chunk; returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>> {
        let mut out = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line)? {
                        out.push(event);
                    }
                }
                _ => {
                    self.after_cr = false;
                    if self.line.len() >= self.max_event_bytes {
                        return Err(Error::protocol(format!(
                            "event stream line longer than {} bytes",
                            self.max_event_bytes
                        )));
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    fn line_done(&mut self, line: &[u8]) -> Result<Option<SseEvent>> {
        if line.is_empty() {
            let event = self.event.take();
            if self.data.is_empty() {
                return Ok(None);
            }
            let data = std::mem::take(&mut self.data).join("\n");
            self.data_bytes = 0;
            return Ok(Some(SseEvent {
                event: event.unwrap_or_else(|| "message".to_string()),
                data,
            }));
        }
        if line[0] == b':' {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.find(':') {
            Some(i) => {
                let value = &text[i + 1..];
                (&text[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&text[..], ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                // Each line counts its joining `\n` too: many empty `data:` lines must hit the
                // cap as well (they cost memory and lengthen the joined data).
                self.data_bytes += value.len() + 1;
                if self.data_bytes > self.max_event_bytes {
                    return Err(Error::protocol(format!(
                        "event stream event larger than {} bytes",
                        self.max_event_bytes
                    )));
                }
                self.data.push(value.to_string());
            }
            _ => {} // id, retry and unknown fields: nothing we use
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new(1 << 16);
        chunks.iter().flat_map(|c| p.feed(c).unwrap()).collect()
    }

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn marathon_frames_with_crlf_and_heartbeats() {
        let stream = b"event: event_stream_attached\r\ndata: {\"remoteAddress\":\"127.0.0.1\"}\r\n\r\n\r\n\r\nevent: status_update_event\r\ndata: {\"appId\":\"/a\"}\r\n\r\n";
        assert_eq!(
            all(&[stream]),
            vec![
                ev("event_stream_attached", "{\"remoteAddress\":\"127.0.0.1\"}"),
                ev("status_update_event", "{\"appId\":\"/a\"}")
            ]
        );
    }

    #[test]
    fn split_anywhere_gives_the_same_events() {
        let stream: &[u8] =
            b"event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata:3\ndata:  4\n\n: comment\n\n";
        let whole = all(&[stream]);
        assert_eq!(
            whole,
            vec![ev("a", "1"), ev("b", "2"), ev("message", "3\n 4")]
        );
        for cut in 0..stream.len() {
            assert_eq!(
                all(&[&stream[..cut], &stream[cut..]]),
                whole,
                "cut at {cut}"
            );
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(all(&bytes), whole);
    }

    #[test]
    fn event_name_without_data_is_dropped_and_reset() {
        assert_eq!(all(&[b"event: x\n\ndata: y\n\n"]), vec![ev("message", "y")]);
    }

    #[test]
    fn oversized_lines_and_events_are_errors() {
        let mut p = SseParser::new(8);
        assert!(p.feed(b"data: 0123456789").is_err());
        let mut p = SseParser::new(8);
        assert!(p.feed(b"data: 12345\ndata: 12345\n").is_err());
    }
}
