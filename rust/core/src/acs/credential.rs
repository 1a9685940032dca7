//! The DC/OS service-account credential (`DCOS_SERVICE_ACCOUNT_CREDENTIAL`): the JSON
//! `{"uid", "private_key", "login_endpoint", "scheme"}` DC/OS injects as a secret, or the path
//! of a file holding it. Extra fields are ignored (as the Jenkins Marathon plugin and linkerd
//! do); `scheme`, when present, must be `RS256` (linkerd's rule; marathon-lb and dcos-cli
//! assume it).
//!
//! Errors name the key and the field, never a value: the whole credential is a secret.

use std::fmt;

use jsonwebtoken::EncodingKey;

use crate::config::DCOS_SERVICE_ACCOUNT_CREDENTIAL as KEY;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// A credential file is a few KiB (a 4096-bit PEM and three short fields).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A parsed, validated credential. `Debug` shows the uid and endpoint only.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceAccountCredential {
    uid: String,
    /// The PEM text (PKCS#8 or PKCS#1), checked to sign RS256.
    private_key: Secret,
    login_endpoint: url::Url,
}

impl fmt::Debug for ServiceAccountCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountCredential")
            .field("uid", &self.uid)
            .field("private_key", &"***")
            .field("login_endpoint", &self.login_endpoint.as_str())
            .finish()
    }
}

impl ServiceAccountCredential {
    /// Parses the configuration value: the JSON itself when it starts with `{`, else the path
    /// of a file holding it.
    pub fn from_config_value(value: &str) -> Result<ServiceAccountCredential> {
        let value = value.trim();
        if value.starts_with('{') {
            return Self::from_json(value.as_bytes(), "");
        }
        // Not echoed: a credential pasted without its braces would otherwise be shown. Only a
        // regular file of a sane size is read (not a FIFO, a device, or `/dev/zero`).
        let cannot = |why: String| {
            Error::config(format!(
                "{KEY}: the value does not start with '{{', so it names a credential file, \
                 which cannot be read: {why} (value not shown)"
            ))
        };
        let meta = std::fs::metadata(value).map_err(|e| cannot(e.kind().to_string()))?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return Err(cannot(format!(
                "not a regular file of at most {MAX_FILE_BYTES} bytes"
            )));
        }
        let text = std::fs::read(value).map_err(|e| cannot(e.kind().to_string()))?;
        Self::from_json(&text, " (the file it names)")
    }

    fn from_json(text: &[u8], origin: &str) -> Result<ServiceAccountCredential> {
        // Parsed as a `Value` first: serde's typed errors quote offending values.
        let json: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
            Error::config(format!(
                "{KEY}{origin}: not JSON (line {}, column {}; value not shown)",
                e.line(),
                e.column()
            ))
        })?;
        let object = json.as_object().ok_or_else(|| {
            Error::config(format!(
                "{KEY}{origin}: expected a JSON object {{\"uid\", \"private_key\", \"login_endpoint\", \"scheme\"}}"
            ))
        })?;
        let field = |name: &str| -> Result<&str> {
            match object.get(name) {
                None | Some(serde_json::Value::Null) => Err(Error::config(format!(
                    "{KEY}{origin}: field \"{name}\" is missing"
                ))),
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.as_str()),
                Some(_) => Err(Error::config(format!(
                    "{KEY}{origin}: field \"{name}\" must be a non-empty string (value not shown)"
                ))),
            }
        };
        let uid = field("uid")?.trim().to_string();
        let private_key = field("private_key")?.to_string();
        let endpoint = field("login_endpoint")?.trim();
        match object.get("scheme") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(s)) if s == "RS256" => {}
            Some(_) => {
                return Err(Error::config(format!(
                    "{KEY}{origin}: field \"scheme\" must be \"RS256\" (the only scheme DC/OS service accounts use)"
                )))
            }
        }
        let login_endpoint = url::Url::parse(endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .filter(|u| u.username().is_empty() && u.password().is_none())
            .ok_or_else(|| {
                Error::config(format!(
                    "{KEY}{origin}: field \"login_endpoint\" must be an http:// or https:// URL \
                     without credentials (e.g. https://leader.mesos/acs/api/v1/auth/login)"
                ))
            })?;
        check_signing_key(&private_key).map_err(|why| {
            Error::config(format!(
                "{KEY}{origin}: field \"private_key\": {why} (value not shown)"
            ))
        })?;
        Ok(ServiceAccountCredential {
            uid,
            private_key: Secret::new(private_key),
            login_endpoint,
        })
    }

    pub fn uid(&self) -> &str {
        &self.uid
    }

    pub fn login_endpoint(&self) -> &url::Url {
        &self.login_endpoint
    }

    /// The key to sign login tokens with. Checked at parse time, so this only fails on a bug.
    pub(crate) fn signing_key(&self) -> Result<EncodingKey> {
        EncodingKey::from_rsa_pem(self.private_key.expose().as_bytes())
            .map_err(|_| Error::internal(format!("{KEY}: the private key became unusable")))
    }

    /// The private key, for the transport's list of texts never to quote.
    pub(crate) fn private_key(&self) -> &Secret {
        &self.private_key
    }
}

/// Whether `pem` is an RSA private key that signs RS256: parsed and used once, so a key
/// `ring` refuses (too short, broken) is reported now, not at the first login.
fn check_signing_key(pem: &str) -> std::result::Result<(), &'static str> {
    if !pem.contains("-----BEGIN PRIVATE KEY-----")
        && !pem.contains("-----BEGIN RSA PRIVATE KEY-----")
    {
        return Err("not an RSA private key in PEM form (expected BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
    }
    let key = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| "not an RSA private key in PEM form (PKCS#8 or PKCS#1)")?;
    super::jwt::sign_login_token("check", &key, 0)
        .map(|_| ())
        .map_err(|_| "the RSA key cannot sign RS256 (DC/OS keys are 2048-bit RSA)")
}
