//! Pluggable auth: a provider whose credentials expire is asked to renew them on a 401 and
//! the request is retried once; a provider that cannot renew leaves the 401 as an `Auth`
//! error. Against the workbench's DC/OS token check (`WWW-Authenticate: acsjwt`).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use mesos_discovery::auth::{self, AuthProvider, Challenge};
use mesos_discovery::http::HttpClient;
use mesos_discovery::secret::Secret;
use mesos_discovery::{ErrorKind, Membership, Result};
use reqwest::header::HeaderValue;
use support::*;

const GOOD: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl";

/// Starts with an expired token; `renew` swaps in the good one (when allowed).
struct Expiring {
    token: Mutex<String>,
    renewals: AtomicUsize,
    can_renew: bool,
    challenges: Mutex<Vec<Option<String>>>,
}

impl AuthProvider for Expiring {
    fn header(&self) -> Result<Option<HeaderValue>> {
        auth::sensitive(&format!("token={}", self.token.lock().unwrap())).map(Some)
    }

    fn renew<'a>(
        &'a self,
        _http: &'a HttpClient,
        challenge: &'a Challenge,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            self.renewals.fetch_add(1, Ordering::SeqCst);
            self.challenges
                .lock()
                .unwrap()
                .push(challenge.www_authenticate.clone());
            if self.can_renew {
                *self.token.lock().unwrap() = GOOD.to_string();
            }
            Ok(self.can_renew)
        })
    }

    fn secrets(&self) -> Vec<Secret> {
        vec![Secret::new(self.token.lock().unwrap().clone())]
    }

    fn kind(&self) -> &'static str {
        "expiring-test-token"
    }
}

fn expiring(can_renew: bool) -> Arc<Expiring> {
    Arc::new(Expiring {
        token: Mutex::new("expired".to_string()),
        renewals: AtomicUsize::new(0),
        can_renew,
        challenges: Mutex::new(Vec::new()),
    })
}

#[test]
fn a_401_renews_the_credentials_once_and_retries() {
    let wb = start(cluster_file("auth-token.json"));
    let apps = app_ids("auth-token.json").join(",");
    let provider = expiring(true);
    let membership = Membership::open_with_auth(
        config(&[
            ("MARATHON_ENDPOINT", &wb.url()),
            ("MARATHON_APPLICATIONS", &apps),
        ])
        .unwrap(),
        provider.clone(),
    )
    .unwrap();
    let found = membership.refresh_blocking().unwrap();
    assert!(!found.members.is_empty());
    assert!(provider.renewals.load(Ordering::SeqCst) >= 1);
    assert!(provider
        .challenges
        .lock()
        .unwrap()
        .iter()
        .all(|c| c.as_deref() == Some("acsjwt")));
    // The renewed token stays in use: no more renewals.
    let renewed = provider.renewals.load(Ordering::SeqCst);
    membership.refresh_blocking().unwrap();
    assert_eq!(provider.renewals.load(Ordering::SeqCst), renewed);
}

#[test]
fn a_provider_that_cannot_renew_gets_an_auth_error() {
    let wb = start(cluster_file("auth-token.json"));
    let apps = app_ids("auth-token.json").join(",");
    let provider = expiring(false);
    let membership = Membership::open_with_auth(
        config(&[
            ("MARATHON_ENDPOINT", &wb.url()),
            ("MARATHON_APPLICATIONS", &apps),
        ])
        .unwrap(),
        provider.clone(),
    )
    .unwrap();
    let e = membership.refresh_blocking().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.message().contains("refused"), "{e}");
    // Asked once per request, never retried in a loop.
    let asked = provider.renewals.load(Ordering::SeqCst);
    assert!(
        (1..=app_ids("auth-token.json").len()).contains(&asked),
        "{asked}"
    );
    assert!(membership.snapshot().error.is_some());
}
