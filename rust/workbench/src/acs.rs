//! DC/OS strict mode: the IAM (ACS) login endpoint and Admin Router's token check, as
//! `../shared/upstream-api/auth/` describes them.
//!
//! - `POST /acs/api/v1/auth/login` `{"uid", "token"}`: the service login token must be an
//!   RS256 JWT with claims `uid` (equal to the body's) and `exp` (not past), verified with the
//!   account's public key → `200 {"token"}` plus the `dcos-acs-auth-cookie` cookie. Anything
//!   else → `401 {"code": "ERR_INVALID_CREDENTIALS", …}` with `WWW-Authenticate: acsjwt`.
//! - Every Marathon and Mesos-DNS request then needs `Authorization: token=<token>`; a
//!   missing, expired or revoked token → `401` + `WWW-Authenticate: acsjwt`.
//!
//! Issued tokens are JWTs with claims `uid` and `exp` (what clients read to renew) and a random
//! `jti`. Deviation:
//! DC/OS signs them RS256 with its own key; the workbench signs HS256 with a random secret,
//! which no client can tell apart since clients never verify them.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::cluster::AcsSpec;
use crate::http::{Reply, Request};

pub const LOGIN_PATH: &str = "/acs/api/v1/auth/login";

#[derive(Serialize, Deserialize)]
struct Claims {
    uid: String,
    exp: u64,
}

/// Issued tokens also carry a random `jti`, so two logins in one second get two tokens (one
/// can be revoked without the other).
#[derive(Serialize)]
struct IssuedClaims<'a> {
    uid: &'a str,
    exp: u64,
    jti: String,
}

#[derive(Deserialize)]
struct LoginBody {
    uid: String,
    token: Option<String>,
}

/// The emulated IAM service: accounts, issued tokens, revocations.
pub struct Acs {
    spec: AcsSpec,
    secret: [u8; 32],
    lifetime_secs: u64,
    issued: Vec<String>,
    revoked: BTreeSet<String>,
    /// Requests refused for a missing, invalid, expired or revoked token.
    refused: u64,
}

impl std::fmt::Debug for Acs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acs")
            .field("accounts", &self.spec.service_accounts.len())
            .field("lifetime_secs", &self.lifetime_secs)
            .field("issued", &self.issued.len())
            .finish()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn refusal(description: &str) -> Reply {
    let body = serde_json::json!({
        "code": "ERR_INVALID_CREDENTIALS",
        "description": description,
        "title": "Unauthorized",
    });
    Reply::bytes(401, "application/json", body.to_string())
        .with_header("WWW-Authenticate", "acsjwt")
}

impl Acs {
    pub fn new(spec: &AcsSpec) -> Result<Acs, String> {
        for account in &spec.service_accounts {
            DecodingKey::from_rsa_pem(account.public_key.as_bytes()).map_err(|e| {
                format!(
                    "auth.acs: service account {:?}: public_key is not an RSA public key PEM: {e}",
                    account.uid
                )
            })?;
        }
        Ok(Acs {
            spec: spec.clone(),
            secret: rand::random(),
            lifetime_secs: spec.token_lifetime_secs,
            issued: Vec::new(),
            revoked: BTreeSet::new(),
            refused: 0,
        })
    }

    /// `POST /acs/api/v1/auth/login`.
    pub fn login(&mut self, req: &Request) -> Reply {
        if req.method != "POST" {
            return Reply::bytes(405, "text/plain", "Method Not Allowed");
        }
        let Ok(body) = serde_json::from_slice::<LoginBody>(&req.body) else {
            return Reply::bytes(
                400,
                "application/json",
                r#"{"code":"ERR_INVALID_DATA","description":"Request has bad data","title":"Bad Request"}"#,
            );
        };
        let Some(account) = self
            .spec
            .service_accounts
            .iter()
            .find(|a| a.uid == body.uid)
        else {
            return refusal("The account does not exist or the login token is invalid.");
        };
        let Some(login_token) = body.token else {
            return refusal("Service accounts log in with a token.");
        };
        let Ok(key) = DecodingKey::from_rsa_pem(account.public_key.as_bytes()) else {
            return refusal("The account has no usable public key.");
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<Claims>(&login_token, &key, &validation) {
            Ok(data) if data.claims.uid == account.uid => {}
            _ => return refusal("The login token is invalid or expired."),
        }
        let claims = IssuedClaims {
            uid: &account.uid,
            exp: now() + self.lifetime_secs,
            jti: format!("{:032x}", rand::random::<u128>()),
        };
        let Ok(token) = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&self.secret),
        ) else {
            return Reply::bytes(500, "text/plain", "cannot sign the token");
        };
        self.issued.push(token.clone());
        Reply::bytes(
            200,
            "application/json",
            serde_json::json!({"token": token}).to_string(),
        )
        .with_header(
            "Set-Cookie",
            format!("dcos-acs-auth-cookie={token}; HttpOnly; Path=/"),
        )
    }

    /// Admin Router: `None` when `Authorization: token=<t>` carries a valid token.
    pub fn refuse(&mut self, req: &Request) -> Option<Reply> {
        let refusal = self.check(req);
        if refusal.is_some() {
            self.refused += 1;
        }
        refusal
    }

    fn check(&self, req: &Request) -> Option<Reply> {
        let header = req.header("Authorization").unwrap_or("").trim();
        let Some(token) = header.strip_prefix("token=") else {
            return Some(refusal("Authorization: token=<token> is required."));
        };
        if self.revoked.contains(token) {
            return Some(refusal("The token was revoked."));
        }
        // Expiry checked here: `exp` is the first second the token is no longer good.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&self.secret),
            &validation,
        ) {
            Ok(data) if data.claims.exp > now() => None,
            Ok(_) => Some(refusal("The token expired.")),
            Err(_) => Some(refusal("The token is invalid.")),
        }
    }

    /// Every token issued so far stops working.
    pub fn revoke_all(&mut self) {
        self.revoked.extend(self.issued.drain(..));
    }

    /// Lifetime of the tokens issued from now on.
    pub fn set_lifetime(&mut self, seconds: u64) {
        self.lifetime_secs = seconds;
    }

    pub fn tokens_issued(&self) -> usize {
        self.issued.len() + self.revoked.len()
    }

    pub fn requests_refused(&self) -> u64 {
        self.refused
    }
}
