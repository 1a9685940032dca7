//! Marathon's authentication: Jetty basic auth (`--http_credentials`) and the DC/OS token
//! (`Authorization: token=<t>`), optionally applied to Mesos-DNS as Admin Router does.

use crate::http::{Reply, Request};
use crate::world::World;

/// The auth plugin body (errors/401_unauthorized.traits.json), used for token refusals.
const TOKEN_REFUSED: &str = "{ \"message\": \"Invalid username or password.\" }";

/// `None` when the request may pass; else the 401 to send.
pub fn refuse(world: &mut World, req: &Request, path: &str, mesos_dns: bool) -> Option<Reply> {
    let auth = &world.auth;
    // Strict mode: Admin Router guards Marathon and Mesos-DNS alike.
    if let Some(acs) = world.acs.as_mut() {
        return acs.refuse(req);
    }
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
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// Standard base64 with padding (for tests and clients of the admin handle).
pub fn encode_base64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
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
