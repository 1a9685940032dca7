//! One error type for the whole core. Its kinds map one-to-one onto the C result codes
//! (`rust/ffi`) and the Java exceptions (`rust/jni`), so adding a kind means adding both.
//!
//! Messages are written for operators: they name what was wrong (key, URL, app, znode) and
//! never contain a password or token (URLs are rendered through [`crate::secret::redact_url`]).

use std::fmt;

/// What went wrong, coarsely: enough for a caller to decide what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A caller passed something unusable (empty string, bad handle, bad UTF-8).
    InvalidArgument,
    /// A configuration key or value is wrong (unknown key, bad number, bad URL).
    Config,
    /// An endpoint could not be reached (refused, reset, DNS, TLS handshake).
    Network,
    /// A deadline passed before an answer arrived.
    Timeout,
    /// The endpoint refused our credentials (HTTP 401/403, ZooKeeper auth failure).
    Auth,
    /// The thing asked for does not exist (every app missing, ZooKeeper path absent).
    NotFound,
    /// An answer arrived but could not be understood (bad JSON, bad protobuf, too large).
    Protocol,
    /// The service answered that it cannot serve now (5xx, no Marathon leader).
    Unavailable,
    /// ZooKeeper-specific failure not covered above (session expired, connection loss).
    ZooKeeper,
    /// The operation was cancelled because its owner was closed.
    Closed,
    /// A bug: an invariant broke. Reported instead of panicking.
    Internal,
}

impl ErrorKind {
    /// Stable lowercase name, used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Config => "config",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Auth => "auth",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::ZooKeeper => "zookeeper",
            ErrorKind::Closed => "closed",
            ErrorKind::Internal => "internal",
        }
    }
}

/// An error with a kind and an operator-facing message.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }

    /// The same error with `context: ` put in front of its message.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
