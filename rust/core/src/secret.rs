//! Secrets (passwords, tokens) live in [`Secret`], whose `Debug` and `Display` print `***`,
//! so a config struct can derive `Debug` without leaking them.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call only where it is sent on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A URL as safe to print: any `user:password@` part becomes `***@`, query strings are kept.
pub fn redact_url(url: &str) -> String {
    // Work on the authority only: scheme://[userinfo@]host...
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***@{}",
            &url[..scheme_end + 3],
            &url[scheme_end + 3 + at + 1..]
        ),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redacts_userinfo_only() {
        assert_eq!(
            redact_url("http://u:p@host:8080/x?y=1"),
            "http://***@host:8080/x?y=1"
        );
        assert_eq!(redact_url("http://host:8080/a@b"), "http://host:8080/a@b");
        assert_eq!(redact_url("zk://a:b@c@h:2181/m"), "zk://***@h:2181/m");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
