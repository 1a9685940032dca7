//! The ZooKeeper URL grammar of Mesos (`src/zookeeper/url.cpp` and
//! `MasterDetector::create`):
//!
//! ```text
//! zk://[user:password@]host1[:port1][,host2[:port2]...]/path
//! file:///path/to/a/file/holding/such/a/url
//! ```
//!
//! Like Mesos: the text is trimmed; the path starts at the first `/` after `zk://`; the
//! credentials are the text before the last `@` of what precedes the path and must be exactly
//! `user:password` (they become ZooKeeper `digest` auth); one trailing `/` (we strip all) is
//! removed and the root path `/` is rejected. Unlike Mesos we also check the server list, so a
//! typo fails here with a clear message instead of as an endless connection retry.
//!
//! The password never appears in `Debug`, `Display` or any error.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::secret::Secret;

const ZK_SCHEME: &str = "zk://";
const FILE_SCHEME: &str = "file://";
/// `file://` may point at a file holding a `file://` URL; this bounds that chain (and loops).
const MAX_FILE_INDIRECTIONS: usize = 4;
/// ZooKeeper's own default client port, used when a server has no `:port`.
pub const DEFAULT_ZK_PORT: u16 = 2181;

/// A parsed `zk://` URL. `Debug` and `Display` print the credentials as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct ZkUrl {
    servers: Vec<(String, u16)>,
    path: String,
    credentials: Option<(String, Secret)>,
}

impl ZkUrl {
    /// Parses a `zk://` URL, or reads one out of the file a `file://` URL names.
    pub fn parse(text: &str) -> Result<ZkUrl> {
        parse_with_depth(text, 0)
    }

    /// The servers as a ZooKeeper connect string (`host:port,host:port`).
    pub fn connect_string(&self) -> String {
        self.servers
            .iter()
            .map(|(host, port)| format_host_port(host, *port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `(host, port)` of every server, in the order given.
    pub fn servers(&self) -> &[(String, u16)] {
        &self.servers
    }

    /// The znode the masters register under, e.g. `/mesos` (never `/`, never a trailing `/`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The digest user name, when the URL has credentials.
    pub fn username(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(user, _)| user.as_str())
    }

    /// `user:password`, the ZooKeeper `digest` scheme's auth data. Only for the wire.
    pub(crate) fn digest_auth(&self) -> Option<Secret> {
        self.credentials
            .as_ref()
            .map(|(user, password)| Secret::new(format!("{user}:{}", password.expose())))
    }
}

impl fmt::Display for ZkUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = if self.credentials.is_some() {
            "***@"
        } else {
            ""
        };
        write!(
            f,
            "zk://{credentials}{}{}",
            self.connect_string(),
            self.path
        )
    }
}

impl fmt::Debug for ZkUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZkUrl({self})")
    }
}

impl std::str::FromStr for ZkUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<ZkUrl> {
        ZkUrl::parse(s)
    }
}

fn parse_with_depth(text: &str, depth: usize) -> Result<ZkUrl> {
    let text = text.trim();
    if let Some(file) = text.strip_prefix(FILE_SCHEME) {
        if depth >= MAX_FILE_INDIRECTIONS {
            return Err(Error::config(format!(
                "ZooKeeper URL file {file:?}: more than {MAX_FILE_INDIRECTIONS} file:// indirections"
            )));
        }
        return parse_file(Path::new(file), depth);
    }
    let Some(rest) = text.strip_prefix(ZK_SCHEME) else {
        return Err(Error::config(format!(
            "ZooKeeper URL {}: expected zk://[user:password@]host:port[,host:port...]/path or file:///path",
            shown(text)
        )));
    };

    // Mesos: the path runs from the first '/'; credentials end at the last '@' before it.
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, ""),
    };
    let (credentials, servers) = match authority.rfind('@') {
        Some(at) => (
            Some(parse_credentials(&authority[..at])?),
            &authority[at + 1..],
        ),
        None => (None, authority),
    };
    let servers = parse_servers(servers, path)?;
    let path = parse_path(path)?;
    Ok(ZkUrl {
        servers,
        path,
        credentials,
    })
}

/// A URL file is one line; anything longer is not one (and `/dev/zero` must not exhaust memory).
const MAX_URL_FILE_BYTES: u64 = 64 * 1024;

fn parse_file(file: &Path, depth: usize) -> Result<ZkUrl> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| {
        Error::config(format!(
            "could not read the ZooKeeper URL from file {}: {e}",
            file.display()
        ))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_URL_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_URL_FILE_BYTES {
        return Err(Error::config(format!(
            "ZooKeeper URL file {} is larger than {MAX_URL_FILE_BYTES} bytes: not a URL",
            file.display()
        )));
    }
    let content = String::from_utf8(bytes).map_err(|_| {
        Error::config(format!(
            "ZooKeeper URL file {} is not UTF-8 text",
            file.display()
        ))
    })?;
    parse_with_depth(&content, depth + 1)
        .map_err(|e| e.context(format_args!("ZooKeeper URL file {}", file.display())))
}

fn parse_credentials(text: &str) -> Result<(String, Secret)> {
    // Mesos tokenizes on ':' and wants exactly two non-empty tokens.
    let mut tokens = text.split(':');
    match (tokens.next(), tokens.next(), tokens.next()) {
        (Some(user), Some(password), None) if !user.is_empty() && !password.is_empty() => {
            Ok((user.to_string(), Secret::new(password)))
        }
        _ => Err(Error::config(
            "ZooKeeper URL: expected 'user:password' before '@' (neither empty, no other ':'; \
             credentials not shown)",
        )),
    }
}

fn parse_servers(text: &str, path: &str) -> Result<Vec<(String, u16)>> {
    // A '/' inside a password makes Mesos' grammar cut the URL there, leaving a piece of the
    // password in the "server list": never echo the servers in that case.
    let may_hold_password = path.contains('@');
    let bad = |entry: &str, why: &str| {
        if may_hold_password {
            Error::config(format!(
                "ZooKeeper URL: bad server list ({why}); note that a '/' is not allowed in \
                 credentials (servers not shown)"
            ))
        } else {
            Error::config(format!("ZooKeeper URL: bad server {entry:?}: {why}"))
        }
    };
    if text.is_empty() {
        return Err(Error::config(
            "ZooKeeper URL: no server given (expected zk://host:port[,host:port...]/path)",
        ));
    }
    let mut servers = Vec::new();
    for entry in text.split(',') {
        if entry.is_empty() {
            return Err(bad(entry, "empty entry in the server list"));
        }
        let (host, port) = split_host_port(entry).map_err(|why| bad(entry, why))?;
        if host.is_empty() {
            return Err(bad(entry, "no host"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "@/?#[]".contains(c))
        {
            return Err(bad(entry, "the host holds a character hosts cannot have"));
        }
        servers.push((host.to_string(), port));
    }
    Ok(servers)
}

fn split_host_port(entry: &str) -> std::result::Result<(&str, u16), &'static str> {
    let (host, port) = if let Some(bracketed) = entry.strip_prefix('[') {
        let Some(end) = bracketed.find(']') else {
            return Err("unclosed '[' in an IPv6 address");
        };
        let after = &bracketed[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err("unexpected text after ']'"),
        };
        (&bracketed[..end], port)
    } else {
        match entry.rsplit_once(':') {
            Some((host, _)) if host.contains(':') => {
                return Err("put IPv6 addresses in brackets: [addr]:port")
            }
            Some((host, port)) => (host, Some(port)),
            None => (entry, None),
        }
    };
    let port = match port {
        None => DEFAULT_ZK_PORT,
        Some(port) => match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => p,
            _ => return Err("the port is not a number from 1 to 65535"),
        },
    };
    Ok((host, port))
}

fn parse_path(raw: &str) -> Result<String> {
    let path = raw.trim_end_matches('/');
    if path.is_empty() {
        return Err(Error::config(
            "ZooKeeper URL: a (chroot) path is required, e.g. zk://host:2181/mesos ('/' is not supported)",
        ));
    }
    if path.contains('@') {
        // Mesos' grammar cuts the URL at the first '/', so a '/' in a password puts the rest
        // of it (and its '@') here: refuse, and never echo the path.
        return Err(Error::config(
            "ZooKeeper URL: '@' in the path; note that a '/' is not allowed in credentials \
             (path not shown)",
        ));
    }
    for segment in path[1..].split('/') {
        let why = match segment {
            "" => "empty path segment ('//')",
            "." | ".." => "relative path segment ('.' or '..')",
            s if s.chars().any(char::is_control) => "control character in the path",
            // A typo, and a path that would not print back the same (the URL is trimmed).
            s if s.trim() != s => "a path segment begins or ends with whitespace",
            _ => continue,
        };
        return Err(Error::config(format!("ZooKeeper URL path {path:?}: {why}")));
    }
    Ok(path.to_string())
}

fn format_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The URL as safe to print in an error: anything before an '@' hidden.
fn shown(text: &str) -> String {
    match text.rfind('@') {
        Some(at) => format!("\"***@{}\"", &text[at + 1..]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> ZkUrl {
        ZkUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        ZkUrl::parse(s)
            .err()
            .unwrap_or_else(|| panic!("{s} parsed"))
            .message()
            .to_string()
    }

    #[test]
    fn plain_url() {
        let u = ok("  zk://10.0.0.1:2181,10.0.0.2:2182/mesos \n");
        assert_eq!(u.connect_string(), "10.0.0.1:2181,10.0.0.2:2182");
        assert_eq!(u.path(), "/mesos");
        assert_eq!(u.username(), None);
        assert_eq!(u.to_string(), "zk://10.0.0.1:2181,10.0.0.2:2182/mesos");
    }

    #[test]
    fn default_port_ipv6_and_nested_path() {
        let u = ok("zk://zk1,[::1]:2190,[fe80::1]/dcos/mesos/");
        assert_eq!(u.connect_string(), "zk1:2181,[::1]:2190,[fe80::1]:2181");
        assert_eq!(u.path(), "/dcos/mesos");
    }

    #[test]
    fn credentials_before_last_at_and_never_printed() {
        let u = ok("zk://us@er:pa@ss@h:2181/mesos");
        // Mesos tokenizes "us@er:pa@ss" on ':' → user "us@er", password "pa@ss".
        assert_eq!(u.username(), Some("us@er"));
        assert_eq!(u.digest_auth().unwrap().expose(), "us@er:pa@ss");
        assert_eq!(u.connect_string(), "h:2181");
        for shown in [format!("{u}"), format!("{u:?}")] {
            assert!(!shown.contains("pa@ss"), "{shown}");
            assert!(shown.contains("***@h:2181/mesos"), "{shown}");
        }
    }

    #[test]
    fn bad_credentials_are_rejected_without_echo() {
        for s in [
            "zk://user@h/mesos",
            "zk://user:@h/mesos",
            "zk://:secretpw@h/mesos",
            "zk://u:secret:pw@h/mesos",
        ] {
            let e = err(s);
            assert!(e.contains("user:password"), "{s}: {e}");
            assert!(!e.contains("secret"), "{s}: {e}");
        }
    }

    #[test]
    fn slash_in_password_does_not_leak() {
        let e = err("zk://user:se/cret@h:2181/mesos");
        assert!(!e.contains("user:se") && !e.contains("cret"), "{e}");
        assert!(e.contains("'/' is not allowed in credentials"), "{e}");
    }

    #[test]
    fn root_or_missing_path_needs_a_chroot() {
        for s in ["zk://h:2181", "zk://h:2181/", "zk://h:2181//"] {
            assert!(err(s).contains("(chroot) path is required"), "{s}");
        }
    }

    #[test]
    fn bad_paths_and_servers() {
        assert!(err("zk://h:2181/a//b").contains("empty path segment"));
        assert!(err("zk://h:2181/a/../b").contains("relative"));
        assert!(err("zk:///mesos").contains("no server"));
        assert!(err("zk://h:x/mesos").contains("\"h:x\""));
        assert!(err("zk://h:0/mesos").contains("port"));
        assert!(err("zk://h:70000/mesos").contains("port"));
        assert!(err("zk://a,,b/mesos").contains("empty entry"));
        assert!(err("zk://::1:2181/mesos").contains("brackets"));
        assert!(err("zk://[::1/mesos").contains("unclosed"));
        assert!(err("zk://h o:1/mesos").contains("character"));
    }

    #[test]
    fn other_schemes_are_clear_errors() {
        for s in ["", "http://h/mesos", "h:2181/mesos", "ZK://h/mesos"] {
            assert!(err(s).contains("expected zk://"), "{s:?}");
        }
        let e = err("http://u:topsecret@h/x");
        assert!(!e.contains("topsecret"), "{e}");
    }

    #[test]
    fn file_urls() {
        let dir = std::env::temp_dir().join(format!("zk-url-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inner = dir.join("inner");
        std::fs::write(&inner, "zk://u:pw@h1:2181,h2:2181/mesos\n").unwrap();
        let outer = dir.join("outer");
        std::fs::write(&outer, format!("file://{}", inner.display())).unwrap();
        let u = ok(&format!("file://{}", outer.display()));
        assert_eq!(u.path(), "/mesos");
        assert_eq!(u.username(), Some("u"));

        let looping = dir.join("loop");
        std::fs::write(&looping, format!("file://{}", looping.display())).unwrap();
        assert!(err(&format!("file://{}", looping.display())).contains("indirections"));

        let missing = err(&format!("file://{}/missing", dir.display()));
        assert!(missing.contains("could not read"), "{missing}");

        let bad = dir.join("bad");
        std::fs::write(&bad, "zk://u:hunter2@h:2181/").unwrap();
        let e = err(&format!("file://{}", bad.display()));
        assert!(e.contains("(chroot) path") && !e.contains("hunter2"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
