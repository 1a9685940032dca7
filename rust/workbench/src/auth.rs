//! Marathon's authentication: Jetty basic auth (`--http_credentials`) and the DC/OS token
//! (`Authorization: token=<t>`), optionally applied to Mesos-DNS as Admin Router does.

use crate::http::{Reply, Request};
use crate::world::World;

/// The auth plugin body (errors/401_unauthorized.traits.json), used for token refusals.
const TOKEN_REFUSED: &str = "{ \"message\": \"Invalid username or password.\" }";

/// `None` when the request may pass; else the 401 to send.
pub fn refuse(world: &World, req: &Request, path: &str, mesos_dns: bool) -> Option<Reply> {
    let auth = &world.auth;
    if mesos_dns && !auth.mesos_dns {
        return None;
    }
    if auth.basic.is_none() && auth.token.is_none() {
        return None;
    }
    let header = req.header("Authorization").unwrap_or("").trim();
    if let Some(basic) = &auth.basic {
        if let Some(encoded) = strip_prefix_ci(header, "basic ") {
            let expected = format!("{}:{}", basic.username, basic.password);
            if decode_base64(encoded.trim()).as_deref() == Some(expected.as_bytes()) {
                return None;
            }
        }
    }
    if let Some(token) = &auth.token {
        if header.strip_prefix("token=") == Some(token.as_str()) {
            return None;
        }
    }
    Some(if auth.basic.is_some() {
        // Jetty's BasicAuthenticator: challenge + sendError(401) HTML page.
        Reply::jetty_error(401, path, "Unauthorized").with_header(
            "WWW-Authenticate",
            format!("basic realm=\"{}\"", auth.realm),
        )
    } else {
        Reply::bytes(401, "application/json", TOKEN_REFUSED)
            .with_header("WWW-Authenticate", "acsjwt")
    })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Standard base64 with padding; `None` on anything malformed.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = s.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (n, chunk) in bytes.chunks(4).enumerate() {
        let last = n == bytes.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

/// Standard base64 with padding (for tests and clients of the admin handle).
pub fn encode_base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "user:p@ss word"] {
            assert_eq!(
                decode_base64(&encode_base64(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(
            encode_base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert!(decode_base64("QQ=a").is_none());
        assert!(decode_base64("Q").is_none());
    }
}
