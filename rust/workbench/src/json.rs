//! An ordered JSON value and the two byte formats the emulated servers write.
//!
//! Key order and absent-versus-null are part of what the workbench reproduces, so bodies are
//! built from [`J`] (objects keep insertion order) rather than `serde_json::Value`, whose map
//! order depends on a crate feature other workspace members share.
//!
//! - [`J::to_compact`]: Marathon (Play JSON / Jackson): no whitespace, non-ASCII kept as UTF-8.
//! - [`J::to_go_indent`]: Mesos-DNS (go-restful `WriteAsJson` = `json.MarshalIndent(v, " ", " ")`):
//!   Go's escaping (`<`, `>`, `&`, U+2028/9 as `\u....`), no trailing newline.

use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    /// A number already formatted (integers print without a fraction, as Marathon does).
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn obj() -> J {
        J::Obj(Vec::new())
    }

    pub fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    pub fn int(n: impl Into<i64>) -> J {
        J::Num(n.into().to_string())
    }

    /// Marathon prints doubles like `0.1`, and whole values (`mem: 128.0`) without a fraction.
    pub fn float(x: f64) -> J {
        if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
            J::Num(format!("{}", x as i64))
        } else if x.is_finite() {
            J::Num(format!("{x}"))
        } else {
            J::Null
        }
    }

    pub fn arr(items: impl IntoIterator<Item = J>) -> J {
        J::Arr(items.into_iter().collect())
    }

    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> J {
        J::Arr(items.into_iter().map(|s| J::str(s.as_ref())).collect())
    }

    pub fn ints<N: Into<i64>>(items: impl IntoIterator<Item = N>) -> J {
        J::Arr(items.into_iter().map(J::int).collect())
    }

    /// Appends a member (builder style). On a non-object this is a no-op.
    pub fn with(mut self, key: &str, value: J) -> J {
        self.push(key, value);
        self
    }

    /// Appends a member only when `value` is `Some`.
    pub fn with_opt(self, key: &str, value: Option<J>) -> J {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    pub fn push(&mut self, key: &str, value: J) {
        if let J::Obj(members) = self {
            members.push((key.to_string(), value));
        }
    }

    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Compact bytes, as Marathon writes them.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(n) => out.push_str(n),
            J::Str(s) => write_string(out, s, Escaping::Standard),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k, Escaping::Standard);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }

    /// `json.MarshalIndent(v, " ", " ")` bytes, as Mesos-DNS's go-restful writes them.
    pub fn to_go_indent(&self) -> String {
        let mut out = String::new();
        self.write_go(&mut out, 0);
        out
    }

    fn write_go(&self, out: &mut String, depth: usize) {
        // Go: every line after the first starts with the prefix, then `depth` indents.
        let newline = |out: &mut String, depth: usize| {
            out.push('\n');
            out.push(' ');
            for _ in 0..depth {
                out.push(' ');
            }
        };
        match self {
            J::Null | J::Bool(_) | J::Num(_) => self.write_compact(out),
            J::Str(s) => write_string(out, s, Escaping::Go),
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Obj(members) if members.is_empty() => out.push_str("{}"),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write_go(out, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    write_string(out, k, Escaping::Go);
                    out.push_str(": ");
                    v.write_go(out, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
    }
}

impl From<&str> for J {
    fn from(s: &str) -> J {
        J::str(s)
    }
}

impl From<String> for J {
    fn from(s: String) -> J {
        J::Str(s)
    }
}

impl From<bool> for J {
    fn from(b: bool) -> J {
        J::Bool(b)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Escaping {
    /// Jackson / Play: quote, backslash and control characters only.
    Standard,
    /// Go encoding/json with HTML escaping on (its default).
    Go,
}

fn write_string(out: &mut String, s: &str, escaping: Escaping) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' if escaping == Escaping::Standard => out.push_str("\\b"),
            '\u{c}' if escaping == Escaping::Standard => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if escaping == Escaping::Go => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_indent_matches_go_restful_bytes() {
        let v = J::arr([J::obj()
            .with("service", "".into())
            .with("host", "".into())
            .with("ip", "".into())
            .with("port", "".into())]);
        assert_eq!(
            v.to_go_indent(),
            "[\n  {\n   \"service\": \"\",\n   \"host\": \"\",\n   \"ip\": \"\",\n   \"port\": \"\"\n  }\n ]"
        );
        let nested = J::obj().with("tasks", J::arr([])).with("m", J::obj());
        assert_eq!(
            nested.to_go_indent(),
            "{\n  \"tasks\": [],\n  \"m\": {}\n }"
        );
    }

    #[test]
    fn escaping_differs_between_go_and_jackson() {
        let v = J::str("a<b>&\u{1}\u{2028}é");
        assert_eq!(
            v.to_go_indent(),
            "\"a\\u003cb\\u003e\\u0026\\u0001\\u2028é\""
        );
        assert_eq!(v.to_compact(), "\"a<b>&\\u0001\u{2028}é\"");
    }

    #[test]
    fn floats_print_like_marathon() {
        assert_eq!(J::float(128.0).to_compact(), "128");
        assert_eq!(J::float(0.1).to_compact(), "0.1");
        assert_eq!(J::float(1.15).to_compact(), "1.15");
    }
}
