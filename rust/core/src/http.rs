//! HTTP transport shared by the Marathon and Mesos-DNS clients: endpoint failover, bounded
//! retries with capped exponential backoff and jitter inside one overall deadline, auth
//! headers, TLS roots, redirects followed by hand, and a response size cap.
//!
//! It only moves bytes; parsing belongs to the callers. Errors name the endpoint (credentials
//! never: configured URLs cannot carry any, and redirect targets are redacted).

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, LOCATION};
use reqwest::{StatusCode, Url};
use tokio::time::Instant;

use crate::config::{Auth, Config, HttpLimits};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::{redact_url, Secret};

/// Redirects followed for one request before it counts as a loop.
const MAX_REDIRECTS: usize = 5;
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// An event stream is reopened (with a full resync) at least this often.
const STREAM_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What an exchange produced that the caller must interpret, with the (redacted) URL that
/// answered, so a body that cannot be understood can be blamed on the right endpoint.
#[derive(Debug)]
pub enum Fetched {
    /// 2xx with its body.
    Body { body: Vec<u8>, from: String },
    /// 404 with its body: for Marathon an authoritative "no such app", never retried.
    NotFound { body: Vec<u8>, from: String },
}

/// Where the `Authorization` header of a request comes from.
enum Authorizer {
    None,
    /// Basic auth or a static DC/OS token.
    Fixed(HeaderValue),
    /// DC/OS strict mode: a service-account login, renewed as it expires.
    ServiceAccount(std::sync::Arc<crate::acs::ServiceAccountLogin>),
}

/// A reusable client (connection pool, TLS config) plus the auth and limits to apply.
pub struct HttpClient {
    client: reqwest::Client,
    authorization: Authorizer,
    /// The secrets this client sends, in every form they take on the wire, scrubbed from any
    /// server text we quote (a proxy may reflect the `Authorization` header into its page).
    secrets: Vec<Secret>,
    limits: HttpLimits,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field(
                "authorization",
                &match &self.authorization {
                    Authorizer::None => None,
                    Authorizer::Fixed(_) => Some("***"),
                    Authorizer::ServiceAccount(_) => Some("DC/OS service account"),
                },
            )
            .field("limits", &self.limits)
            .finish()
    }
}

impl HttpClient {
    pub fn new(config: &Config) -> Result<HttpClient> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.http.connect_timeout)
            .timeout(config.http.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mesos-discovery/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.tls.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| {
                Error::config(format!(
                    "{}={:?}: cannot read: {e}",
                    crate::config::TLS_CA_BUNDLE,
                    path.display().to_string()
                ))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::config(format!(
                    "{}={:?}: not a PEM certificate bundle: {e}",
                    crate::config::TLS_CA_BUNDLE,
                    path.display().to_string()
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::config(format!(
                    "{}={:?}: no certificates in the file",
                    crate::config::TLS_CA_BUNDLE,
                    path.display().to_string()
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if config.tls.skip_verify {
            log::warn!(
                "{}=true: TLS certificates are NOT verified; anyone on the path can impersonate Marathon",
                crate::config::TLS_SKIP_VERIFY
            );
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        let authorization = match &config.auth {
            Auth::None | Auth::ServiceAccount(_) => None,
            Auth::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                Some(format!("Basic {}", base64(raw.as_bytes())))
            }
            Auth::Token(token) => Some(format!("token={}", token.expose())),
        }
        .map(|v| {
            let mut value = HeaderValue::from_str(&v).map_err(|_| {
                Error::config("credentials contain characters not allowed in an HTTP header")
            })?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        })
        .transpose()?;
        let secrets = match &config.auth {
            Auth::None => Vec::new(),
            Auth::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                vec![
                    Secret::new(base64(pair.as_bytes())),
                    Secret::new(pair),
                    password.clone(),
                ]
            }
            Auth::Token(token) => vec![token.clone()],
            Auth::ServiceAccount(_) => Vec::new(),
        };
        let authorization = match (&config.auth, authorization) {
            (Auth::ServiceAccount(credential), _) => Authorizer::ServiceAccount(
                std::sync::Arc::new(crate::acs::ServiceAccountLogin::new(
                    credential.clone(),
                    client.clone(),
                    config.http.request_timeout,
                )?),
            ),
            (_, Some(header)) => Authorizer::Fixed(header),
            (_, None) => Authorizer::None,
        };
        Ok(HttpClient {
            client,
            authorization,
            secrets,
            limits: config.http.clone(),
        })
    }

    pub fn limits(&self) -> &HttpLimits {
        &self.limits
    }

    /// GETs `path_and_query` from the first endpoint that answers, going round the list
    /// `1 + retries` times with backoff, all within the configured deadline.
    ///
    /// Retried: connect errors, timeouts, 5xx (incl. Marathon's 502/503 "no leader"), broken
    /// bodies. Not retried: 401/403 (an auth error at once: retrying only locks accounts), 404
    /// (returned to the caller), other 4xx, an oversized body.
    pub async fn get(
        &self,
        service: &str,
        endpoints: &[Url],
        path_and_query: &str,
    ) -> Result<Fetched> {
        let deadline = Instant::now() + self.limits.deadline;
        let mut last_error: Option<Error> = None;
        for round in 0..=self.limits.retries {
            if round > 0 {
                let pause = backoff(round);
                if Instant::now() + pause >= deadline {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
            for endpoint in endpoints {
                let url = join(endpoint, path_and_query)?;
                let attempt = tokio::time::timeout_at(
                    deadline,
                    self.get_following_redirects(service, url.clone()),
                );
                match attempt.await {
                    Err(_) => {
                        let what = last_error
                            .map(|e| format!(" (last failure: {e})"))
                            .unwrap_or_default();
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "{service}: no answer within the {:?} deadline ({})",
                                self.limits.deadline,
                                redact_url(url.as_str())
                            ) + &what,
                        ));
                    }
                    Ok(Ok(fetched)) => return Ok(fetched),
                    Ok(Err(e)) if retryable(e.kind()) => {
                        log::debug!("{e}; trying the next endpoint");
                        last_error = Some(e);
                    }
                    Ok(Err(e)) => return Err(e),
                }
            }
        }
        Err(last_error
            .unwrap_or_else(|| Error::internal(format!("{service}: no endpoints configured"))))
    }

    /// Sends a GET, following redirects, and returns the first non-redirect response.
    /// `stream`: a long-lived response (an event stream) with no whole-request timeout.
    async fn send_following_redirects(
        &self,
        service: &str,
        mut url: Url,
        accept: &str,
        stream: bool,
    ) -> Result<(String, reqwest::Response)> {
        let origin_scheme = url.scheme().to_string();
        let origin = redact_url(url.as_str());
        let mut redirects = 0;
        // A DC/OS token refused as invalid (revoked) earns one fresh login per request.
        let mut relogged = false;
        while redirects <= MAX_REDIRECTS {
            let shown = redact_url(url.as_str());
            let mut request = self.client.get(url.clone()).header(ACCEPT, accept);
            if stream {
                request = request.timeout(STREAM_LIFETIME);
            }
            // Credentials follow a redirect (Marathon standbys redirect to the leader) but never
            // from https down to plain http.
            let mut sent_token = None;
            if !(origin_scheme == "https" && url.scheme() == "http") {
                match &self.authorization {
                    Authorizer::None => {}
                    Authorizer::Fixed(header) => {
                        request = request.header(AUTHORIZATION, header.clone());
                    }
                    Authorizer::ServiceAccount(login) => {
                        let auth = login.authorization().await?;
                        request = request.header(AUTHORIZATION, auth.header);
                        sent_token = Some(auth.token);
                    }
                }
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(service, &shown, e, false))?;
            let status = response.status();
            if let (Authorizer::ServiceAccount(login), Some(token), false) =
                (&self.authorization, &sent_token, relogged)
            {
                if crate::acs::login::token_refused(status, response.headers()) {
                    login.refused(token);
                    relogged = true;
                    continue;
                }
            }
            if !status.is_redirection() {
                return Ok((shown, response));
            }
            redirects += 1;
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Error::protocol(format!(
                        "{service} {shown}: HTTP {status} without a Location header"
                    ))
                })?;
            url = url.join(location).map_err(|_| {
                Error::protocol(format!(
                    "{service} {shown}: HTTP {status} to an invalid Location"
                ))
            })?;
            log::debug!(
                "{service} {shown}: redirected to {}",
                redact_url(url.as_str())
            );
        }
        Err(Error::new(
            ErrorKind::Network,
            format!("{service} {origin}: more than {MAX_REDIRECTS} redirects (a redirect loop?)"),
        ))
    }

    async fn get_following_redirects(&self, service: &str, url: Url) -> Result<Fetched> {
        let (shown, response) = self
            .send_following_redirects(service, url, "application/json", false)
            .await?;
        match response.status() {
            s if s.is_success() => Ok(Fetched::Body {
                body: self.read_body(service, &shown, response).await?,
                from: shown,
            }),
            StatusCode::NOT_FOUND => Ok(Fetched::NotFound {
                body: self.read_body(service, &shown, response).await?,
                from: shown,
            }),
            _ => Err(self.status_error(service, &shown, response).await),
        }
    }

    /// Opens a long-lived GET (Marathon's event stream) on the first endpoint that answers
    /// 2xx, following redirects. Endpoints that fail are skipped; the last failure is returned
    /// when all do. The caller reads the body and judges idleness itself.
    pub async fn open_stream(
        &self,
        service: &str,
        endpoints: &[Url],
        path_and_query: &str,
        accept: &str,
    ) -> Result<reqwest::Response> {
        let mut last_error = None;
        for endpoint in endpoints {
            let url = join(endpoint, path_and_query)?;
            let attempt = tokio::time::timeout(
                self.limits.connect_timeout + self.limits.request_timeout,
                self.send_following_redirects(service, url, accept, true),
            );
            let (shown, response) = match attempt.await {
                Ok(Ok(sent)) => sent,
                Ok(Err(e)) => {
                    last_error = Some(e);
                    continue;
                }
                Err(_) => {
                    last_error = Some(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "{service} {}: no response headers in time",
                            redact_url(endpoint.as_str())
                        ),
                    ));
                    continue;
                }
            };
            if response.status().is_success() {
                return Ok(response);
            }
            let e = self.status_error(service, &shown, response).await;
            if !retryable(e.kind()) {
                return Err(e);
            }
            last_error = Some(e);
        }
        Err(last_error
            .unwrap_or_else(|| Error::internal(format!("{service}: no endpoints configured"))))
    }

    /// The error for a non-2xx, non-404 answer.
    /// A short hint from an error body, with our own secrets blanked out.
    fn quote(&self, body: &[u8]) -> String {
        let mut hint = summarize(body);
        let mut secrets = self.secrets.clone();
        if let Authorizer::ServiceAccount(login) = &self.authorization {
            secrets.extend(login.secrets());
        }
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            hint = hint.replace(secret.expose(), "***");
        }
        hint
    }

    async fn status_error(&self, service: &str, shown: &str, response: reqwest::Response) -> Error {
        let status = response.status();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::new(
                ErrorKind::Auth,
                format!(
                    "{service} {shown}: HTTP {status}: {}",
                    match self.authorization {
                        Authorizer::Fixed(_) => "the configured credentials were refused",
                        Authorizer::ServiceAccount(_) =>
                            "the DC/OS service account's token was refused, also right after a fresh login",
                        Authorizer::None =>
                            "authentication required (set basic auth, a token or a DC/OS service account)",
                    }
                ),
            ),
            s if s.is_server_error() => {
                let body = self
                    .read_body(service, shown, response)
                    .await
                    .unwrap_or_default();
                Error::new(
                    ErrorKind::Unavailable,
                    format!("{service} {shown}: HTTP {status}{}", self.quote(&body)),
                )
            }
            s => {
                let body = self
                    .read_body(service, shown, response)
                    .await
                    .unwrap_or_default();
                Error::protocol(format!(
                    "{service} {shown}: unexpected HTTP {s}{}",
                    self.quote(&body)
                ))
            }
        }
    }

    async fn read_body(
        &self,
        service: &str,
        shown: &str,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>> {
        let cap = self.limits.max_response_bytes;
        let too_big = || {
            Error::protocol(format!(
                "{service} {shown}: response larger than {cap} bytes ({} to raise the cap)",
                crate::config::MAX_RESPONSE_BYTES
            ))
        };
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(service, shown, e, true))?
        {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

pub(crate) fn retryable(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Unavailable
    )
}

/// `reading_body`: the status line and headers had arrived, so a failure means the body broke.
fn transport_error(service: &str, shown: &str, e: reqwest::Error, reading_body: bool) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    let mut cause = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        format!("cannot connect ({cause})")
    } else if reading_body || e.is_body() || e.is_decode() {
        format!("the response broke off ({cause})")
    } else {
        format!("request failed ({cause})")
    };
    Error::new(kind, format!("{service} {shown}: {what}"))
}

/// `endpoint` + `path_and_query`, keeping any path prefix the endpoint has
/// (`https://dcos/marathon` + `/v2/apps/x` → `https://dcos/marathon/v2/apps/x`).
fn join(endpoint: &Url, path_and_query: &str) -> Result<Url> {
    let base = endpoint.as_str().trim_end_matches('/');
    Url::parse(&format!("{base}{path_and_query}"))
        .map_err(|e| Error::internal(format!("cannot build a URL for {path_and_query}: {e}")))
}

/// Capped exponential backoff with jitter (a random pause between half and all of the step),
/// so many nodes retrying after one outage spread out: `base` doubling per attempt up to `cap`.
pub(crate) fn jittered_backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let millis = ceiling.as_millis() as u64;
    Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis.max(1)))
}

/// The pause before retry round `round` of one request.
pub(crate) fn backoff(round: u32) -> Duration {
    jittered_backoff(round, BACKOFF_BASE, BACKOFF_CAP)
}

/// A short, single-line hint from an error body (Jetty HTML or Marathon JSON).
fn summarize(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    let hint = if let Some(start) = text.find("<title>") {
        text[start + 7..]
            .split("</title>")
            .next()
            .unwrap_or("")
            .to_string()
    } else if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        v.get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_string()
    } else {
        String::new()
    };
    let hint: String = hint
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    if hint.is_empty() {
        String::new()
    } else {
        format!(" ({hint})")
    }
}

fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(b"admin:pa:ss"), "YWRtaW46cGE6c3M=");
    }

    #[test]
    fn join_keeps_prefix() {
        let e = Url::parse("https://dcos.example/marathon/").unwrap();
        assert_eq!(
            join(&e, "/v2/apps/a").unwrap().as_str(),
            "https://dcos.example/marathon/v2/apps/a"
        );
        let e = Url::parse("http://m:8080").unwrap();
        assert_eq!(
            join(&e, "/v2/apps/a/b").unwrap().as_str(),
            "http://m:8080/v2/apps/a/b"
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        for round in 0..40 {
            let d = backoff(round);
            assert!(d <= BACKOFF_CAP, "{round}: {d:?}");
        }
        assert!(backoff(1) <= Duration::from_millis(200));
    }

    #[test]
    fn summarize_reads_jetty_title_and_marathon_message() {
        let html = b"<html><head><title>Error 503 Could not determine the current leader</title></head></html>";
        assert_eq!(
            summarize(html),
            " (Error 503 Could not determine the current leader)"
        );
        assert_eq!(
            summarize(br#"{"message":"App '/x' does not exist"}"#),
            " (App '/x' does not exist)"
        );
        assert_eq!(summarize(b"\xff\xfe"), "");
    }
}
