//! Request and reply values the emulators work with, independent of hyper, plus the few
//! byte formats shared by both servers (Jetty's HTML error page, percent-decoding, queries).

use std::net::SocketAddr;

use crate::json::J;

/// A request, read fully (bodies are capped by the server).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path as sent, before percent-decoding, without the query.
    pub path: String,
    /// Decoded `key=value` pairs in order (`status[]=a&status[]=b` keeps both).
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub remote: SocketAddr,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query_values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_value<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.query_values(key).next()
    }
}

/// What to send back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ReplyBody,
}

#[derive(Debug)]
pub enum ReplyBody {
    Bytes(Vec<u8>),
    /// Marathon's SSE stream (`/v2/events`) with these `event_type` filters (empty: all).
    EventStream {
        event_types: Vec<String>,
    },
}

impl Reply {
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: ReplyBody::Bytes(body.into()),
        }
    }

    /// Marathon JSON: compact.
    pub fn marathon_json(status: u16, body: &J) -> Reply {
        Reply::bytes(status, "application/json", body.to_compact())
    }

    /// Marathon's `{"message": "..."}` error body.
    pub fn marathon_message(status: u16, message: &str) -> Reply {
        Reply::marathon_json(status, &J::obj().with("message", J::str(message)))
    }

    /// Mesos-DNS JSON: go-restful's indented bytes, always 200.
    pub fn go_json(body: &J) -> Reply {
        Reply::bytes(200, "application/json", body.to_go_indent())
    }

    /// Jetty's HTML error page (`sendError(status, message)`), as Marathon's servlet
    /// container writes it for 401, 405, 502, 503 and unknown paths.
    pub fn jetty_error(status: u16, path: &str, message: &str) -> Reply {
        Reply::bytes(
            status,
            "text/html;charset=ISO-8859-1",
            jetty_error_page(status, path, message),
        )
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body_bytes(&self) -> &[u8] {
        match &self.body {
            ReplyBody::Bytes(b) => b,
            ReplyBody::EventStream { .. } => &[],
        }
    }
}

/// The page Jetty 9.3 writes (byte layout of errors/405_v2_events_without_accept).
pub fn jetty_error_page(status: u16, path: &str, message: &str) -> String {
    format!(
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error {status} </title>\n</head>\n<body>\n<h2>HTTP ERROR: {status}</h2>\n<p>Problem accessing {}. Reason:\n<pre>    {}</pre></p>\n<hr /><a href=\"http://eclipse.org/jetty\">Powered by Jetty:// 9.3.z-SNAPSHOT</a><hr/>\n</body>\n</html>\n",
        html_escape(path),
        html_escape(message)
    )
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard reason phrases for the statuses the emulators send.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Percent-decodes `s`; `None` if an escape is malformed or the result is not UTF-8.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Splits a query string into decoded pairs; malformed pairs are skipped, as servlet
/// containers do.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k, true)?, percent_decode(v, true)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jetty_page_matches_the_405_fixture_layout() {
        let page = jetty_error_page(
            405,
            "/v2/events",
            "HTTP method GET is not supported by this URL",
        );
        assert!(page.starts_with("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error 405 </title>"));
        assert!(page.contains("<p>Problem accessing /v2/events. Reason:\n<pre>    HTTP method GET is not supported by this URL</pre></p>"));
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("%2Fa%2Fb", false).unwrap(), "/a/b");
        assert!(percent_decode("%zz", false).is_none());
        assert!(percent_decode("%ff", false).is_none());
        assert!(percent_decode("%", false).is_none());
        assert_eq!(
            parse_query("embed=apps.tasks&status[]=running&x"),
            vec![
                ("embed".into(), "apps.tasks".into()),
                ("status[]".into(), "running".into()),
                ("x".into(), "".into())
            ]
        );
    }
}
