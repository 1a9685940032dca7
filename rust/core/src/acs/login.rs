//! The service-account session, as the transport's auth provider: logs in at the
//! credential's `login_endpoint`, caches the auth token, renews it a margin before its own
//! `exp` ([`AuthProvider::prepare`], before every request), and logs in again when a server
//! refuses it (`401` + `WWW-Authenticate: acsjwt`, e.g. revoked: [`AuthProvider::renew`]; the
//! transport then repeats the request once).
//!
//! Concurrent requests share one login: the first that finds no fresh token logs in while the
//! others wait for its result (no stampede on ACS after an expiry or a revocation).

use std::sync::{Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use jsonwebtoken::EncodingKey;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;

use super::credential::ServiceAccountCredential;
use super::jwt::{now_unix, sign_login_token, unverified_expiry};
use crate::auth::{AuthProvider, Challenge};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpClient, Service};
use crate::secret::{redact_url, Secret};

/// The login service, as the transport names and quotes it (only an ACS error `code`).
const SERVICE: Service = Service {
    name: "DC/OS login",
    hint: acs_error_code,
};
/// Lifetime of the login JWT we sign (dcos-cli: 5 minutes; tolerates clock skew).
const LOGIN_TOKEN_LIFETIME_SECS: u64 = 300;
/// Renew at most this long before the auth token's `exp`…
const RENEW_MARGIN_MAX: f64 = 60.0;
/// …and at most this share of its lifetime before it (short-lived tokens in tests).
const RENEW_MARGIN_SHARE: f64 = 0.2;

/// An auth token and when to stop using it.
struct Cached {
    token: Secret,
    header: HeaderValue,
    /// Seconds since the epoch after which a new login is due; `None`: the token carries no
    /// `exp`, so it is used until a server refuses it.
    renew_at: Option<f64>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
}

pub struct ServiceAccountLogin {
    credential: ServiceAccountCredential,
    key: EncodingKey,
    state: Mutex<State>,
    /// Held while logging in: the single flight.
    flight: tokio::sync::Mutex<()>,
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
    pub fn new(credential: ServiceAccountCredential) -> Result<ServiceAccountLogin> {
        Ok(ServiceAccountLogin {
            key: credential.signing_key()?,
            credential,
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
        })
    }

    fn is_fresh(&self) -> bool {
        lock(&self.state)
            .current
            .as_ref()
            .is_some_and(|c| c.renew_at.is_none_or(|at| now_unix() < at))
    }

    /// Whether the current token is the one in `refused` (the header a refused request
    /// carried); `false` once another request's renewal replaced it.
    fn is_current(&self, refused: Option<&HeaderValue>) -> bool {
        let state = lock(&self.state);
        match (state.current.as_ref(), refused) {
            (Some(current), Some(refused)) => current.header == *refused,
            (None, _) => true,
            (Some(_), None) => false,
        }
    }

    /// Logs in, one at a time: `refused` = after a refusal of that header (skipped when a
    /// parallel renewal already replaced it), `None` = ahead of expiry (skipped when fresh).
    async fn log_in_once(
        &self,
        http: &HttpClient,
        refused: Option<Option<&HeaderValue>>,
    ) -> Result<()> {
        let _flight = self.flight.lock().await;
        let needed = match refused {
            Some(sent) => self.is_current(sent),
            None => !self.is_fresh(),
        };
        if !needed {
            return Ok(());
        }
        let cached = self.log_in(http).await?;
        lock(&self.state).current = Some(cached);
        Ok(())
    }

    async fn log_in(&self, http: &HttpClient) -> Result<Cached> {
        let shown = redact_url(self.credential.login_endpoint().as_str());
        let uid = self.credential.uid();
        let login_token =
            sign_login_token(uid, &self.key, LOGIN_TOKEN_LIFETIME_SECS).map_err(|_| {
                Error::internal(format!("{}: cannot sign the login token", SERVICE.name))
            })?;
        let body = serde_json::json!({"uid": uid, "token": login_token.expose()}).to_string();
        // The transport's errors already name the service and the login endpoint.
        let reply = http
            .post_json(
                &SERVICE,
                self.credential.login_endpoint(),
                body.into_bytes(),
            )
            .await?;
        match reply.status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(Error::new(
                    ErrorKind::Auth,
                    format!(
                        "{} at {shown} refused service account {uid:?}: HTTP {}{}",
                        SERVICE.name,
                        reply.status,
                        acs_error_code(&reply.body)
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ))
            }
            _ => return Err(http.unexpected(&SERVICE, &reply)),
        }
        let token = serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("token")?.as_str().map(str::to_string))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::protocol(format!(
                    "{} at {shown}: HTTP 200 without a \"token\" in the JSON answer",
                    SERVICE.name
                ))
            })?;
        let header = crate::auth::sensitive(&format!("token={token}")).map_err(|_| {
            Error::protocol(format!(
                "{} at {shown}: the token has characters not allowed in a header",
                SERVICE.name
            ))
        })?;
        let now = now_unix();
        let renew_at = unverified_expiry(&token).map(|exp| {
            let margin = ((exp - now) * RENEW_MARGIN_SHARE).clamp(0.0, RENEW_MARGIN_MAX);
            exp - margin
        });
        match renew_at {
            Some(at) => log::info!(
                "{} at {shown}: logged in as {uid:?}; renewing in {:.0}s",
                SERVICE.name,
                (at - now).max(0.0)
            ),
            None => log::info!(
                "{} at {shown}: logged in as {uid:?}; the token has no exp, kept until refused",
                SERVICE.name
            ),
        }
        Ok(Cached {
            token: Secret::new(token),
            header,
            renew_at,
        })
    }
}

impl AuthProvider for ServiceAccountLogin {
    fn header(&self) -> Result<Option<HeaderValue>> {
        Ok(lock(&self.state).current.as_ref().map(|c| c.header.clone()))
    }

    fn prepare<'a>(&'a self, http: &'a HttpClient) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if self.is_fresh() {
                return Ok(());
            }
            self.log_in_once(http, None).await
        })
    }

    fn renew<'a>(
        &'a self,
        http: &'a HttpClient,
        challenge: &'a Challenge,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let acsjwt = challenge
                .www_authenticate
                .as_deref()
                .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("acsjwt"));
            if !acsjwt {
                return Ok(false); // not a token refusal: a new login would not help
            }
            log::info!(
                "{} {}: the token of service account {:?} was refused (revoked or expired); logging in again",
                challenge.service,
                challenge.url,
                self.credential.uid()
            );
            self.log_in_once(http, Some(challenge.sent.as_ref()))
                .await?;
            Ok(true)
        })
    }

    fn secrets(&self) -> Vec<Secret> {
        let mut out = vec![self.credential.private_key().clone()];
        if let Some(c) = lock(&self.state).current.as_ref() {
            out.push(c.token.clone());
        }
        out
    }

    fn kind(&self) -> &'static str {
        "dcos-login"
    }
}

/// `ERR_INVALID_CREDENTIALS`: the `code` of an ACS error body, when it looks like one.
/// Nothing else of the body is quoted (it is the server's text, about our secrets).
fn acs_error_code(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code")?.as_str().map(str::to_string))
        .filter(|c| {
            c.len() <= 64
                && !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_an_acs_error_code() {
        assert_eq!(
            acs_error_code(br#"{"code":"ERR_INVALID_CREDENTIALS","description":"x"}"#).as_deref(),
            Some("ERR_INVALID_CREDENTIALS")
        );
        assert_eq!(acs_error_code(br#"{"code":"token=abc"}"#), None);
        assert_eq!(acs_error_code(b"<html>"), None);
    }
}
