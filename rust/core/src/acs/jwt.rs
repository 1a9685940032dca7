//! The two JWT chores of a DC/OS service account: signing the login token (RS256, claims
//! `uid` and `exp`, header `{"alg": "RS256", "typ": "JWT"}`) with `jsonwebtoken`, and reading
//! the `exp` of the auth token ACS returns — without verifying it: the client only needs to
//! know when to renew, and ACS, not us, decides whether a token is good.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::secret::Secret;

#[derive(Serialize)]
struct LoginClaims<'a> {
    uid: &'a str,
    exp: u64,
}

/// Seconds since the epoch, now.
pub(crate) fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
}

/// A service login token for `uid`, valid for `lifetime_secs` from now (dcos-cli uses five
/// minutes, marathon-lb one).
pub(crate) fn sign_login_token(
    uid: &str,
    key: &EncodingKey,
    lifetime_secs: u64,
) -> Result<Secret, jsonwebtoken::errors::Error> {
    let claims = LoginClaims {
        uid,
        exp: now_unix() as u64 + lifetime_secs,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key).map(Secret::new)
}

/// The `exp` claim (seconds since the epoch) of a JWT, read without verifying it; `None` when
/// the token is not a JWT or has no numeric `exp`.
pub fn unverified_expiry(token: &str) -> Option<f64> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("exp")?
        .as_f64()
        .filter(|e| e.is_finite() && *e > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exp_of_the_documented_acs_token() {
        // The login response of dcos-docs-site (iam-api), claims {"uid":"bootstrapuser","exp":1482615456}.
        let token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1aWQiOiJib290c3RyYXB1c2VyIiwiZXhwIjoxNDgyNjE1NDU2fQ.sig";
        assert_eq!(unverified_expiry(token), Some(1_482_615_456.0));
    }

    #[test]
    fn tokens_without_a_usable_exp() {
        for token in [
            "",
            "opaque-token",
            "a.b.c",
            "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOiJ4In0.sig", // {"uid":"x"}
            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJzb29uIn0.sig", // {"exp":"soon"}
        ] {
            assert_eq!(unverified_expiry(token), None, "{token}");
        }
    }
}
