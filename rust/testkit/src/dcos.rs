//! DC/OS service-account material for tests, made at test time (no private key is ever
//! committed): an RSA key pair from the `openssl` command line, and the credential JSON DC/OS
//! injects as `DCOS_SERVICE_ACCOUNT_CREDENTIAL`.

use std::process::Command;

/// An RSA key pair in PEM.
#[derive(Clone)]
pub struct KeyPair {
    /// `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1).
    pub private_pem: String,
    /// `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo), what DC/OS stores for the account.
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyPair(***)")
    }
}

fn openssl(args: &[&str], input: Option<&str>) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run openssl (Debian package openssl): {e}"))?;
    if let Some(input) = input {
        child
            .stdin
            .take()
            .ok_or("openssl: no stdin")?
            .write_all(input.as_bytes())
            .map_err(|e| format!("openssl: {e}"))?;
    }
    drop(child.stdin.take());
    let out = child
        .wait_with_output()
        .map_err(|e| format!("openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "openssl: output is not UTF-8".into())
}

impl KeyPair {
    /// A new 2048-bit RSA key (the size DC/OS generates); `pkcs1` selects the
    /// `BEGIN RSA PRIVATE KEY` form, else PKCS#8.
    pub fn generate(pkcs1: bool) -> Result<KeyPair, String> {
        let pkcs8 = openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            None,
        )?;
        let public_pem = openssl(&["pkey", "-pubout"], Some(&pkcs8))?;
        let private_pem = if pkcs1 {
            openssl(&["rsa", "-traditional"], Some(&pkcs8))?
        } else {
            pkcs8
        };
        Ok(KeyPair {
            private_pem,
            public_pem,
        })
    }
}

/// The credential JSON of a service account, as `dcos security org service-accounts
/// create` + `create-sa-secret` store it.
pub fn credential_json(uid: &str, private_pem: &str, login_endpoint: &str) -> String {
    serde_json::json!({
        "uid": uid,
        "private_key": private_pem,
        "login_endpoint": login_endpoint,
        "scheme": "RS256",
    })
    .to_string()
}

/// The workbench cluster's `auth` object for a strict-mode cluster with this one account.
pub fn strict_mode_auth(
    uid: &str,
    public_pem: &str,
    token_lifetime_secs: u64,
) -> serde_json::Value {
    serde_json::json!({
        "acs": {
            "service_accounts": [{"uid": uid, "public_key": public_pem}],
            "token_lifetime_secs": token_lifetime_secs,
        }
    })
}
