//! Injected faults: what a broken network, proxy or server does to a request.
//!
//! A [`FaultRule`] matches requests by side (Marathon, Mesos-DNS or any) and path prefix, and
//! fires `times` times (absent: until cleared). The first matching rule wins.

use serde::{Deserialize, Serialize};

/// Largest oversized body the workbench will stream (bounded, like everything else).
pub const MAX_OVERSIZED_BYTES: u64 = 4 << 30;
/// The longest a `hang` or `delay` holds a request.
pub const MAX_HOLD_MS: u64 = 600_000;
/// Deepest `deep_nesting` body.
pub const MAX_NESTING: u32 = 10_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer `status` with `body` (default: Jetty's HTML error page for that status).
    Status {
        status: u16,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        content_type: Option<String>,
    },
    /// Accept the request and never answer (until the workbench stops, at most 10 min).
    Hang,
    /// The normal answer, but `Content-Length` promises more bytes than are sent (half the
    /// body), then the connection closes.
    Truncate,
    /// 200 with a syntactically valid JSON body of `bytes` bytes (mostly whitespace);
    /// `chunked` (default true) omits Content-Length so only counting can catch it.
    Oversized {
        #[serde(default = "default_oversized")]
        bytes: u64,
        #[serde(default = "yes")]
        chunked: bool,
    },
    /// The normal answer with invalid UTF-8 bytes inside its first string value.
    InvalidUtf8,
    /// 200 with `[[[[…]]]]` nested `depth` deep.
    DeepNesting {
        #[serde(default = "default_depth")]
        depth: u32,
    },
    /// 302 to `location`.
    Redirect { location: String },
    /// 302 to the very same URL, every time it fires.
    RedirectLoop,
    /// Close the connection without answering.
    Close,
    /// Wait `ms`, then answer normally.
    Delay { ms: u64 },
}

fn default_oversized() -> u64 {
    72 << 20
}
fn yes() -> bool {
    true
}
fn default_depth() -> u32 {
    100_000
}

/// Which emulated server a rule applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Marathon,
    MesosDns,
    /// The DC/OS service-account login (`/acs/api/v1/auth/login`).
    Acs,
    #[default]
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub side: Side,
    /// Only requests whose path starts with this (e.g. `/v2/apps`); absent: every path.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// How many requests it hits; absent: every request until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    pub fault: Fault,
}

impl FaultRule {
    /// A rule for one request on `side`.
    pub fn once(side: Side, fault: Fault) -> FaultRule {
        FaultRule {
            side,
            path_prefix: None,
            times: Some(1),
            fault,
        }
    }

    /// A rule for every request on `side` until cleared.
    pub fn always(side: Side, fault: Fault) -> FaultRule {
        FaultRule {
            side,
            path_prefix: None,
            times: None,
            fault,
        }
    }

    pub fn on_path(mut self, prefix: &str) -> FaultRule {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    pub fn validate(&self) -> Result<(), String> {
        match &self.fault {
            Fault::Status { status, .. } if !(100..=599).contains(status) => {
                Err(format!("status {status} is not an HTTP status"))
            }
            Fault::Oversized { bytes, .. } if *bytes > MAX_OVERSIZED_BYTES => Err(format!(
                "oversized bytes {bytes} exceeds {MAX_OVERSIZED_BYTES}"
            )),
            Fault::DeepNesting { depth } if *depth > MAX_NESTING => {
                Err(format!("depth {depth} exceeds {MAX_NESTING}"))
            }
            Fault::Delay { ms } if *ms > MAX_HOLD_MS => {
                Err(format!("delay {ms} ms exceeds {MAX_HOLD_MS}"))
            }
            Fault::Redirect { location } if location.contains(['\r', '\n']) => {
                Err("redirect location contains a line break".into())
            }
            _ if self.times == Some(0) => Err("times must be at least 1".into()),
            _ => Ok(()),
        }
    }
}

/// The active rules, in order of addition.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Vec<(u64, FaultRule)>,
    next_id: u64,
}

/// At most this many rules at once.
pub const MAX_RULES: usize = 256;

impl FaultBook {
    pub fn add(&mut self, rule: FaultRule) -> Result<u64, String> {
        rule.validate()?;
        if self.rules.len() >= MAX_RULES {
            return Err(format!("at most {MAX_RULES} fault rules"));
        }
        self.next_id += 1;
        self.rules.push((self.next_id, rule));
        Ok(self.next_id)
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|(i, _)| *i != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn list(&self) -> &[(u64, FaultRule)] {
        &self.rules
    }

    /// The fault for this request, if any; uses up one of a counted rule's shots.
    pub fn take(&mut self, side: Side, path: &str) -> Option<Fault> {
        let index = self.rules.iter().position(|(_, rule)| {
            (rule.side == Side::Any || rule.side == side)
                && rule
                    .path_prefix
                    .as_deref()
                    .is_none_or(|p| path.starts_with(p))
        })?;
        let rule = &mut self.rules[index].1;
        let fault = rule.fault.clone();
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// Puts invalid UTF-8 (0xFF 0xFE) inside the first JSON string value of `body`.
pub fn corrupt_utf8(body: &[u8]) -> Vec<u8> {
    let at = body
        .windows(2)
        .position(|w| w == b":\"")
        .map(|i| i + 2)
        .or_else(|| body.windows(3).position(|w| w == b": \"").map(|i| i + 3))
        .or_else(|| body.iter().position(|b| *b == b'"').map(|i| i + 1))
        .unwrap_or(0);
    let mut out = Vec::with_capacity(body.len() + 2);
    out.extend_from_slice(&body[..at]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&body[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_run_out_and_prefixes_match() {
        let mut book = FaultBook::default();
        book.add(FaultRule::once(Side::Marathon, Fault::Close).on_path("/v2/apps"))
            .unwrap();
        assert_eq!(book.take(Side::MesosDns, "/v2/apps/x"), None);
        assert_eq!(book.take(Side::Marathon, "/v2/tasks"), None);
        assert_eq!(book.take(Side::Marathon, "/v2/apps/x"), Some(Fault::Close));
        assert_eq!(book.take(Side::Marathon, "/v2/apps/x"), None);
    }

    #[test]
    fn rules_parse_from_admin_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"side":"mesos_dns","times":2,"fault":{"kind":"status","status":503}}"#,
        )
        .unwrap();
        assert_eq!(rule.side, Side::MesosDns);
        assert!(serde_json::from_str::<FaultRule>(r#"{"fault":{"kind":"explode"}}"#).is_err());
        let mut book = FaultBook::default();
        let bad = FaultRule::always(
            Side::Any,
            Fault::Status {
                status: 42,
                body: None,
                content_type: None,
            },
        );
        assert!(book.add(bad).is_err());
    }

    #[test]
    fn corruption_lands_in_a_string() {
        let out = corrupt_utf8(br#"{"app":{"id":"/a"}}"#);
        assert!(std::str::from_utf8(&out).is_err());
        assert_eq!(&out[..14], b"{\"app\":{\"id\":\"");
    }
}
