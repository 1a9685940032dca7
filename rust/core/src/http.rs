//! HTTP transport shared by the Marathon and Mesos-DNS clients. It moves bytes and classifies
//! failures, nothing more: endpoint failover, bounded retries with capped exponential backoff
//! and jitter inside one overall deadline, the `Authorization` header from an
//! [`AuthProvider`] (renewed once on a 401), TLS roots, redirects followed by hand (loops
//! caught), and a response size cap. What a status or a body means for a service (a 404 from
//! Marathon, an error page's text) is the service module's business: it gets a [`Reply`].
//!
//! Failure classes: connect errors, timeouts and broken bodies are `Network`/`Timeout`, 5xx is
//! `Unavailable` (all three retried); 401/403 is `Auth` (never retried: it only locks accounts);
//! an oversized body is `Protocol`. Errors name the endpoint (credentials never: configured
//! URLs cannot carry any, redirect targets are redacted, quoted server text is scrubbed of our
//! own secrets).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use tokio::time::Instant;

use crate::auth::{AuthProvider, Challenge};
use crate::config::{HttpLimits, TlsConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::redact_url;

/// Redirects followed for one request before it counts as a loop.
const MAX_REDIRECTS: usize = 5;
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// An event stream is reopened (with a full resync) at least this often.
const STREAM_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Who is asked: a name for errors and the service's way of quoting an error body
/// (`None`: nothing worth quoting).
#[derive(Clone, Copy, Debug)]
pub struct Service {
    pub name: &'static str,
    pub hint: fn(&[u8]) -> Option<String>,
}

/// A final (non-redirect) answer the caller must judge: 2xx, or a 4xx other than 401/403,
/// with the (redacted) URL that gave it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub from: String,
}

/// A reusable client (connection pool, TLS config) plus the auth provider and limits.
pub struct HttpClient {
    client: reqwest::Client,
    auth: Arc<dyn AuthProvider>,
    limits: HttpLimits,
    /// Whether any root of trust was loaded (system roots or a CA bundle): without one, an
    /// https URL reached by a redirect is refused with a clear error.
    trusts_https: bool,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("auth", &self.auth.kind())
            .field("limits", &self.limits)
            .finish()
    }
}

impl HttpClient {
    pub fn new(
        limits: &HttpLimits,
        tls: &TlsConfig,
        auth: Arc<dyn AuthProvider>,
    ) -> Result<HttpClient> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mesos-discovery/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &tls.ca_bundle {
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
        if !tls.system_roots {
            builder = builder.tls_built_in_root_certs(false);
        }
        if tls.skip_verify {
            log::warn!(
                "{}=true: TLS certificates are NOT verified; anyone on the path can impersonate Marathon",
                crate::config::TLS_SKIP_VERIFY
            );
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpClient {
            client,
            auth,
            limits: limits.clone(),
            trusts_https: tls.system_roots || tls.ca_bundle.is_some() || tls.skip_verify,
        })
    }

    pub fn limits(&self) -> &HttpLimits {
        &self.limits
    }

    /// GETs `path_and_query` from the first endpoint that answers, going round the list
    /// `1 + retries` times with backoff, all within the configured deadline. Returns a 2xx or
    /// a 4xx other than 401/403 as a [`Reply`] for the caller to judge.
    ///
    /// Retried: connect errors, timeouts, 5xx, broken bodies. Not retried: 401/403 (an `Auth`
    /// error at once, after one renewal of the credentials on a 401), an oversized body.
    pub async fn get(
        &self,
        service: &Service,
        endpoints: &[Url],
        path_and_query: &str,
    ) -> Result<Reply> {
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
                let attempt = tokio::time::timeout_at(deadline, self.get_one(service, url.clone()));
                match attempt.await {
                    Err(_) => {
                        let what = last_error
                            .map(|e| format!(" (last failure: {e})"))
                            .unwrap_or_default();
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "{}: no answer within the {:?} deadline ({})",
                                service.name,
                                self.limits.deadline,
                                redact_url(url.as_str())
                            ) + &what,
                        ));
                    }
                    Ok(Ok(reply)) => return Ok(reply),
                    Ok(Err(e)) if retryable(e.kind()) => {
                        log::debug!("{e}; trying the next endpoint");
                        last_error = Some(e);
                    }
                    Ok(Err(e)) => return Err(e),
                }
            }
        }
        Err(last_error.unwrap_or_else(|| {
            Error::internal(format!("{}: no endpoints configured", service.name))
        }))
    }

    /// POSTs a JSON body to one URL, once, without credentials and without following
    /// redirects (a login request). Returns 2xx and 4xx answers (401/403 included: a login
    /// judges its own refusal); 5xx and transport failures are errors.
    pub async fn post_json(&self, service: &Service, url: &Url, body: Vec<u8>) -> Result<Reply> {
        let shown = redact_url(url.as_str());
        let response = self
            .client
            .post(url.clone())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(service.name, &shown, e, false))?;
        let status = response.status();
        if status.is_server_error() || status.is_redirection() {
            return Err(self.status_error(service, &shown, response).await);
        }
        Ok(Reply {
            status,
            body: self.read_body(service.name, &shown, response).await?,
            from: shown,
        })
    }

    /// The error for an answer the caller did not expect (e.g. a 400 to a GET), quoting what
    /// the service said.
    pub fn unexpected(&self, service: &Service, reply: &Reply) -> Error {
        Error::protocol(format!(
            "{} {}: unexpected HTTP {}{}",
            service.name,
            reply.from,
            reply.status,
            self.quote(service, &reply.body)
        ))
    }

    /// One request with the current credentials; on a 401, asks the provider to renew them
    /// and, if it did, sends the request once more.
    async fn send(
        &self,
        service: &Service,
        url: Url,
        accept: &str,
        stream: bool,
    ) -> Result<(String, reqwest::Response)> {
        let (shown, response) = self
            .send_following_redirects(service, url.clone(), accept, stream)
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok((shown, response));
        }
        let challenge = Challenge {
            service: service.name.to_string(),
            url: shown.clone(),
            www_authenticate: response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        };
        if !self.auth.renew(self, &challenge).await? {
            return Ok((shown, response));
        }
        log::debug!(
            "{} {shown}: credentials renewed after HTTP 401; retrying once",
            service.name
        );
        self.send_following_redirects(service, url, accept, stream)
            .await
    }

    /// Sends a GET, following redirects, and returns the first non-redirect response.
    /// `stream`: a long-lived response (an event stream) with no whole-request timeout.
    async fn send_following_redirects(
        &self,
        service: &Service,
        mut url: Url,
        accept: &str,
        stream: bool,
    ) -> Result<(String, reqwest::Response)> {
        let origin_scheme = url.scheme().to_string();
        let origin = redact_url(url.as_str());
        let authorization = self.auth.header()?;
        for _ in 0..=MAX_REDIRECTS {
            let shown = redact_url(url.as_str());
            let mut request = self.client.get(url.clone()).header(ACCEPT, accept);
            if stream {
                request = request.timeout(STREAM_LIFETIME);
            }
            // Credentials follow a redirect (Marathon standbys redirect to the leader) but never
            // from https down to plain http.
            if let Some(auth) = &authorization {
                if !(origin_scheme == "https" && url.scheme() == "http") {
                    request = request.header(AUTHORIZATION, auth.clone());
                }
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(service.name, &shown, e, false))?;
            let status = response.status();
            if !status.is_redirection() {
                return Ok((shown, response));
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Error::protocol(format!(
                        "{} {shown}: HTTP {status} without a Location header",
                        service.name
                    ))
                })?;
            url = url.join(location).map_err(|_| {
                Error::protocol(format!(
                    "{} {shown}: HTTP {status} to an invalid Location",
                    service.name
                ))
            })?;
            if url.scheme() == "https" && !self.trusts_https {
                return Err(Error::config(format!(
                    "{} {shown}: redirected to {}, but no https endpoint is configured (so no \
                     trusted roots were loaded): configure the https URL itself",
                    service.name,
                    redact_url(url.as_str())
                )));
            }
            log::debug!(
                "{} {shown}: redirected to {}",
                service.name,
                redact_url(url.as_str())
            );
        }
        Err(Error::new(
            ErrorKind::Network,
            format!(
                "{} {origin}: more than {MAX_REDIRECTS} redirects (a redirect loop?)",
                service.name
            ),
        ))
    }

    async fn get_one(&self, service: &Service, url: Url) -> Result<Reply> {
        let (shown, response) = self.send(service, url, "application/json", false).await?;
        let status = response.status();
        if status.is_success()
            || (status.is_client_error()
                && status != StatusCode::UNAUTHORIZED
                && status != StatusCode::FORBIDDEN)
        {
            return Ok(Reply {
                status,
                body: self.read_body(service.name, &shown, response).await?,
                from: shown,
            });
        }
        Err(self.status_error(service, &shown, response).await)
    }

    /// Opens a long-lived GET (Marathon's event stream) on the first endpoint that answers
    /// 2xx, following redirects. Endpoints that fail are skipped; the last failure is returned
    /// when all do. The caller reads the body and judges idleness itself.
    pub async fn open_stream(
        &self,
        service: &Service,
        endpoints: &[Url],
        path_and_query: &str,
        accept: &str,
    ) -> Result<reqwest::Response> {
        let mut last_error = None;
        for endpoint in endpoints {
            let url = join(endpoint, path_and_query)?;
            let attempt = tokio::time::timeout(
                self.limits.connect_timeout + self.limits.request_timeout,
                self.send(service, url, accept, true),
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
                            "{} {}: no response headers in time",
                            service.name,
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
        Err(last_error.unwrap_or_else(|| {
            Error::internal(format!("{}: no endpoints configured", service.name))
        }))
    }

    /// The service's hint from an error body, with our own secrets blanked out.
    fn quote(&self, service: &Service, body: &[u8]) -> String {
        let Some(mut hint) = (service.hint)(body) else {
            return String::new();
        };
        for secret in self.auth.secrets().iter().filter(|s| !s.is_empty()) {
            hint = hint.replace(secret.expose(), "***");
        }
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

    /// The error for a refused (401/403), failed (5xx) or otherwise unusable answer.
    async fn status_error(
        &self,
        service: &Service,
        shown: &str,
        response: reqwest::Response,
    ) -> Error {
        let status = response.status();
        let name = service.name;
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::new(
                ErrorKind::Auth,
                format!(
                    "{name} {shown}: HTTP {status}: {}",
                    if self.auth.kind() != "none" {
                        "the configured credentials were refused"
                    } else {
                        "authentication required (set basic auth or a token)"
                    }
                ),
            ),
            s if s.is_server_error() => {
                let body = self
                    .read_body(name, shown, response)
                    .await
                    .unwrap_or_default();
                Error::new(
                    ErrorKind::Unavailable,
                    format!(
                        "{name} {shown}: HTTP {status}{}",
                        self.quote(service, &body)
                    ),
                )
            }
            s => {
                let body = self
                    .read_body(name, shown, response)
                    .await
                    .unwrap_or_default();
                Error::protocol(format!(
                    "{name} {shown}: unexpected HTTP {s}{}",
                    self.quote(service, &body)
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
        let mut body =
            Vec::with_capacity(response.content_length().map_or(0, |n| n.min(cap) as usize));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
