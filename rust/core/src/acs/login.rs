//! The service-account session: logs in at the credential's `login_endpoint`, caches the auth
//! token, renews it a margin before its own `exp`, and forgets it when a server refuses it
//! (`401` + `WWW-Authenticate: acsjwt`, e.g. revoked) so the next request logs in again.
//!
//! Concurrent requests share one login: the first that finds no fresh token logs in while the
//! others wait for its result (no stampede on ACS after an expiry).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jsonwebtoken::EncodingKey;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::StatusCode;

use super::credential::ServiceAccountCredential;
use super::jwt::{now_unix, sign_login_token, unverified_expiry};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::{redact_url, Secret};

const SERVICE: &str = "DC/OS login";
/// Lifetime of the login JWT we sign (dcos-cli: 5 minutes; tolerates clock skew).
const LOGIN_TOKEN_LIFETIME_SECS: u64 = 300;
/// Renew at most this long before the auth token's `exp`…
const RENEW_MARGIN_MAX: f64 = 60.0;
/// …and at most this share of its lifetime before it (short-lived tokens in tests).
const RENEW_MARGIN_SHARE: f64 = 0.2;
/// Largest login answer we read (ACS answers a few hundred bytes).
const MAX_LOGIN_ANSWER: usize = 1 << 20;

/// An auth token and when to stop using it.
struct Cached {
    token: Secret,
    header: HeaderValue,
    /// Seconds since the epoch after which a new login is due; `None`: the token carries no
    /// `exp`, so it is used until a server refuses it.
    renew_at: Option<f64>,
}

/// What a request sends: the header, and the token in it (to report it refused).
pub struct Authorization {
    pub header: HeaderValue,
    pub token: Secret,
}

pub struct ServiceAccountLogin {
    credential: ServiceAccountCredential,
    key: EncodingKey,
    /// The handle's one HTTP client (its pool and TLS roots).
    client: reqwest::Client,
    request_timeout: Duration,
    current: Mutex<Option<Arc<Cached>>>,
    /// Held while logging in: the single flight.
    login: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for ServiceAccountLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountLogin")
            .field("uid", &self.credential.uid())
            .field(
                "login_endpoint",
                &redact_url(self.credential.login_endpoint().as_str()),
            )
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ServiceAccountLogin {
    pub fn new(
        credential: ServiceAccountCredential,
        client: reqwest::Client,
        request_timeout: Duration,
    ) -> Result<ServiceAccountLogin> {
        Ok(ServiceAccountLogin {
            key: credential.signing_key()?,
            credential,
            client,
            request_timeout,
            current: Mutex::new(None),
            login: tokio::sync::Mutex::new(()),
        })
    }

    /// A token that is not due for renewal, logging in first when needed.
    pub async fn authorization(&self) -> Result<Authorization> {
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        let _flight = self.login.lock().await;
        // Whoever held the flight before us may have logged in already.
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        let cached = Arc::new(self.log_in().await?);
        *lock(&self.current) = Some(cached.clone());
        Ok(Authorization {
            header: cached.header.clone(),
            token: cached.token.clone(),
        })
    }

    /// A server refused `token` as invalid: forget it (unless a newer one replaced it), so
    /// the next [`authorization`](Self::authorization) logs in again.
    pub fn refused(&self, token: &Secret) {
        let mut current = lock(&self.current);
        if current.as_ref().is_some_and(|c| c.token == *token) {
            log::info!(
                "{SERVICE}: the token of service account {:?} was refused (revoked or expired); logging in again",
                self.credential.uid()
            );
            *current = None;
        }
    }

    /// Texts never to quote from a server's answer: the private key and the current token.
    pub fn secrets(&self) -> Vec<Secret> {
        let mut out = vec![self.credential.private_key().clone()];
        if let Some(c) = lock(&self.current).as_ref() {
            out.push(c.token.clone());
        }
        out
    }

    fn fresh(&self) -> Option<Authorization> {
        let current = lock(&self.current);
        let cached = current.as_ref()?;
        if cached.renew_at.is_some_and(|at| now_unix() >= at) {
            return None;
        }
        Some(Authorization {
            header: cached.header.clone(),
            token: cached.token.clone(),
        })
    }

    fn endpoint_shown(&self) -> String {
        redact_url(self.credential.login_endpoint().as_str())
    }

    async fn log_in(&self) -> Result<Cached> {
        let shown = self.endpoint_shown();
        let uid = self.credential.uid();
        let login_token = sign_login_token(uid, &self.key, LOGIN_TOKEN_LIFETIME_SECS)
            .map_err(|_| Error::internal(format!("{SERVICE}: cannot sign the login token")))?;
        let body = serde_json::json!({"uid": uid, "token": login_token.expose()});
        let attempt = self
            .client
            .post(self.credential.login_endpoint().clone())
            .header(CONTENT_TYPE, "application/json")
            .timeout(self.request_timeout)
            .body(body.to_string())
            .send();
        let response = attempt.await.map_err(|e| {
            let kind = if e.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Network
            };
            let what = if e.is_timeout() {
                "timed out"
            } else {
                "cannot connect"
            };
            Error::new(kind, format!("{SERVICE} at {shown}: {what}"))
        })?;
        let status = response.status();
        let answer = read_capped(response).await.map_err(|why| {
            Error::new(
                ErrorKind::Network,
                format!("{SERVICE} at {shown}: the answer broke off ({why})"),
            )
        })?;
        match status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(Error::new(
                    ErrorKind::Auth,
                    format!(
                        "{SERVICE} at {shown} refused service account {uid:?}: HTTP {status}{}",
                        error_code(&answer)
                    ),
                ))
            }
            s if s.is_server_error() => {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    format!("{SERVICE} at {shown}: HTTP {s}{}", error_code(&answer)),
                ))
            }
            s => {
                return Err(Error::protocol(format!(
                    "{SERVICE} at {shown}: unexpected HTTP {s}{}",
                    error_code(&answer)
                )))
            }
        }
        let token = serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("token")?.as_str().map(str::to_string))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::protocol(format!(
                    "{SERVICE} at {shown}: HTTP 200 without a \"token\" in the JSON answer"
                ))
            })?;
        let header = HeaderValue::from_str(&format!("token={token}"))
            .map(|mut h| {
                h.set_sensitive(true);
                h
            })
            .map_err(|_| {
                Error::protocol(format!(
                    "{SERVICE} at {shown}: the token has characters not allowed in a header"
                ))
            })?;
        let now = now_unix();
        let renew_at = unverified_expiry(&token).map(|exp| {
            let margin = ((exp - now) * RENEW_MARGIN_SHARE).clamp(0.0, RENEW_MARGIN_MAX);
            exp - margin
        });
        match renew_at {
            Some(at) => log::info!(
                "{SERVICE} at {shown}: logged in as {uid:?}; renewing in {:.0}s",
                (at - now).max(0.0)
            ),
            None => log::info!(
                "{SERVICE} at {shown}: logged in as {uid:?}; the token has no exp, kept until refused"
            ),
        }
        Ok(Cached {
            token: Secret::new(token),
            header,
            renew_at,
        })
    }
}

/// Whether a response refuses our token as invalid (expired, revoked): `401` with
/// `WWW-Authenticate: acsjwt`, as Admin Router answers. Worth one fresh login.
pub fn token_refused(status: StatusCode, headers: &reqwest::header::HeaderMap) -> bool {
    status == StatusCode::UNAUTHORIZED
        && headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.trim().to_ascii_lowercase().starts_with("acsjwt"))
            })
}

async fn read_capped(mut response: reqwest::Response) -> std::result::Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        if e.is_timeout() {
            "timed out".to_string()
        } else {
            "connection lost".to_string()
        }
    })? {
        if body.len() + chunk.len() > MAX_LOGIN_ANSWER {
            return Err(format!("larger than {MAX_LOGIN_ANSWER} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// ` (ERR_INVALID_CREDENTIALS)`: the `code` of an ACS error body, when it looks like one.
/// Nothing else of the body is quoted (it is the server's text, about our secrets).
fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code")?.as_str().map(str::to_string))
        .filter(|c| {
            c.len() <= 64
                && !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        })
        .map(|c| format!(" ({c})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_an_acs_error_code() {
        assert_eq!(
            error_code(br#"{"code":"ERR_INVALID_CREDENTIALS","description":"x"}"#),
            " (ERR_INVALID_CREDENTIALS)"
        );
        assert_eq!(error_code(br#"{"code":"token=abc"}"#), "");
        assert_eq!(error_code(b"<html>"), "");
    }
}
