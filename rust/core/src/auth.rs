//! How requests authenticate: a pluggable [`AuthProvider`] that the transport asks for the
//! `Authorization` header of every request, and tells once when a request was refused with
//! HTTP 401 (so a provider whose credentials expire, like a DC/OS login, can renew them; the
//! request is then retried once).
//!
//! Today's two configured kinds are providers too: [`BasicAuth`] and [`StaticToken`]
//! (`Authorization: token=…`, DC/OS). [`from_config`] builds the one a [`Config`] describes.
//!
//! [`Config`]: crate::Config

use std::sync::Arc;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderValue;

use crate::config::Auth;
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::secret::Secret;

/// The answer a refused request carried, for [`AuthProvider::renew`].
#[derive(Clone, Debug)]
pub struct Challenge {
    /// The service that refused (`Marathon`, `Mesos-DNS`, …).
    pub service: String,
    /// The redacted URL that answered 401.
    pub url: String,
    /// The `WWW-Authenticate` header (e.g. DC/OS `acsjwt`), if any.
    pub www_authenticate: Option<String>,
    /// The `Authorization` the refused request carried (what [`AuthProvider::header`] gave):
    /// a provider that renewed meanwhile for a parallel request sees it is stale.
    pub sent: Option<HeaderValue>,
}

/// Supplies credentials to the transport. Implementations must be cheap to ask
/// ([`header`](Self::header) is called for every request) and safe to call from several
/// requests at once; [`renew`](Self::renew) may be called concurrently by parallel requests
/// refused together, so a provider that logs in should coalesce them.
pub trait AuthProvider: Send + Sync {
    /// The `Authorization` header value for the next request; `None`: send none. Mark it
    /// sensitive ([`HeaderValue::set_sensitive`]).
    fn header(&self) -> Result<Option<HeaderValue>>;

    /// A request was refused with HTTP 401. Return `Ok(true)` once fresh credentials are in
    /// place: the request is retried once with the new [`header`](Self::header). `Ok(false)`
    /// (static credentials): the 401 stands as an `Auth` error. An `Err` replaces it (e.g. the
    /// login itself failed). `http` is the membership's own client, for a login request
    /// ([`HttpClient::post_json`]).
    fn renew<'a>(
        &'a self,
        http: &'a HttpClient,
        challenge: &'a Challenge,
    ) -> BoxFuture<'a, Result<bool>>;

    /// Called before every request, ahead of [`header`](Self::header): a provider whose
    /// credentials expire renews them here, before they do (a DC/OS login), so no request
    /// carries expired ones. Concurrent calls must coalesce. Default: nothing to do.
    fn prepare<'a>(&'a self, _http: &'a HttpClient) -> BoxFuture<'a, Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Every secret this provider sends, in each form it takes on the wire; the transport
    /// blanks them out of any server text it quotes.
    fn secrets(&self) -> Vec<Secret>;

    /// A short name for logs and `Debug` (`none`, `basic`, `token`, …); never a secret.
    fn kind(&self) -> &'static str;
}

/// No credentials.
#[derive(Debug, Default)]
pub struct NoAuth;

impl AuthProvider for NoAuth {
    fn header(&self) -> Result<Option<HeaderValue>> {
        Ok(None)
    }

    fn renew<'a>(&'a self, _: &'a HttpClient, _: &'a Challenge) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async { Ok(false) })
    }

    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }

    fn kind(&self) -> &'static str {
        "none"
    }
}

/// HTTP basic auth (`ENABLE_MARATHON_BASIC_AUTH`).
pub struct BasicAuth {
    header: HeaderValue,
    secrets: Vec<Secret>,
}

impl BasicAuth {
    pub fn new(username: &str, password: &Secret) -> Result<BasicAuth> {
        let pair = format!("{username}:{}", password.expose());
        let encoded = base64(pair.as_bytes());
        Ok(BasicAuth {
            header: sensitive(&format!("Basic {encoded}"))?,
            secrets: vec![Secret::new(encoded), Secret::new(pair), password.clone()],
        })
    }
}

impl AuthProvider for BasicAuth {
    fn header(&self) -> Result<Option<HeaderValue>> {
        Ok(Some(self.header.clone()))
    }

    fn renew<'a>(&'a self, _: &'a HttpClient, _: &'a Challenge) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async { Ok(false) })
    }

    fn secrets(&self) -> Vec<Secret> {
        self.secrets.clone()
    }

    fn kind(&self) -> &'static str {
        "basic"
    }
}

/// A fixed DC/OS token (`MARATHON_AUTH_TOKEN`): `Authorization: token=<token>`.
pub struct StaticToken {
    header: HeaderValue,
    token: Secret,
}

impl StaticToken {
    pub fn new(token: &Secret) -> Result<StaticToken> {
        Ok(StaticToken {
            header: sensitive(&format!("token={}", token.expose()))?,
            token: token.clone(),
        })
    }
}

impl AuthProvider for StaticToken {
    fn header(&self) -> Result<Option<HeaderValue>> {
        Ok(Some(self.header.clone()))
    }

    fn renew<'a>(&'a self, _: &'a HttpClient, _: &'a Challenge) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async { Ok(false) })
    }

    fn secrets(&self) -> Vec<Secret> {
        vec![self.token.clone()]
    }

    fn kind(&self) -> &'static str {
        "token"
    }
}

/// The provider `auth` describes.
pub fn from_config(auth: &Auth) -> Result<Arc<dyn AuthProvider>> {
    Ok(match auth {
        Auth::None => Arc::new(NoAuth),
        Auth::Basic { username, password } => Arc::new(BasicAuth::new(username, password)?),
        Auth::Token(token) => Arc::new(StaticToken::new(token)?),
        Auth::ServiceAccount(credential) => {
            Arc::new(crate::acs::ServiceAccountLogin::new(credential.clone())?)
        }
    })
}

/// A header value marked sensitive (hyper keeps it out of its own debug output).
pub fn sensitive(value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::config("credentials contain characters not allowed in an HTTP header")
    })?;
    header.set_sensitive(true);
    Ok(header)
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
    fn configured_kinds_become_providers() {
        let basic = from_config(&Auth::Basic {
            username: "admin".into(),
            password: Secret::new("pa:ss".to_string()),
        })
        .unwrap();
        assert_eq!(basic.kind(), "basic");
        let header = basic.header().unwrap().unwrap();
        assert_eq!(header.to_str().unwrap(), "Basic YWRtaW46cGE6c3M=");
        assert!(header.is_sensitive());
        assert!(basic
            .secrets()
            .iter()
            .any(|s| s.expose() == "YWRtaW46cGE6c3M="));
        let token = from_config(&Auth::Token(Secret::new("tok".to_string()))).unwrap();
        assert_eq!(
            token.header().unwrap().unwrap().to_str().unwrap(),
            "token=tok"
        );
        assert!(from_config(&Auth::None)
            .unwrap()
            .header()
            .unwrap()
            .is_none());
        assert!(StaticToken::new(&Secret::new("a\nb".to_string())).is_err());
    }
}
