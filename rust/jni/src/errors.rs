//! Core error kinds ↔ Java exceptions, one to one. All live in
//! `org.wso2.carbon.clustering.mesos` and extend `MesosDiscoveryException`.

use mesos_discovery::ErrorKind;

/// Simple names of the exception classes, indexed by [`exception_index`].
pub const EXCEPTION_CLASSES: &[&str] = &[
    "MesosDiscoveryException",
    "MesosInvalidArgumentException",
    "MesosConfigException",
    "MesosNetworkException",
    "MesosTimeoutException",
    "MesosAuthException",
    "MesosNotFoundException",
    "MesosProtocolException",
    "MesosUnavailableException",
    "MesosZooKeeperException",
    "MesosClosedException",
    "MesosInternalException",
];

/// Every kind the core has today; a new core kind without an arm below falls back to the
/// base class (index 0), which the unit test catches.
pub const ALL_KINDS: &[ErrorKind] = &[
    ErrorKind::InvalidArgument,
    ErrorKind::Config,
    ErrorKind::Network,
    ErrorKind::Timeout,
    ErrorKind::Auth,
    ErrorKind::NotFound,
    ErrorKind::Protocol,
    ErrorKind::Unavailable,
    ErrorKind::ZooKeeper,
    ErrorKind::Closed,
    ErrorKind::Internal,
];

/// Index into [`EXCEPTION_CLASSES`] of the exception thrown for `kind`.
pub fn exception_index(kind: ErrorKind) -> usize {
    match kind {
        ErrorKind::InvalidArgument => 1,
        ErrorKind::Config => 2,
        ErrorKind::Network => 3,
        ErrorKind::Timeout => 4,
        ErrorKind::Auth => 5,
        ErrorKind::NotFound => 6,
        ErrorKind::Protocol => 7,
        ErrorKind::Unavailable => 8,
        ErrorKind::ZooKeeper => 9,
        ErrorKind::Closed => 10,
        ErrorKind::Internal => 11,
        _ => 0,
    }
}

/// The simple class name thrown for `kind`.
pub fn exception_class(kind: ErrorKind) -> &'static str {
    EXCEPTION_CLASSES[exception_index(kind)]
}

/// The kind named by its stable string (`ErrorKind::as_str`), for the Java test hook.
pub fn kind_from_str(name: &str) -> Option<ErrorKind> {
    ALL_KINDS.iter().copied().find(|k| k.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_its_own_exception() {
        let mut seen = HashSet::new();
        for kind in ALL_KINDS {
            let index = exception_index(*kind);
            assert_ne!(index, 0, "{kind:?} falls back to the base exception");
            assert!(seen.insert(index), "{kind:?} shares an exception");
        }
        assert_eq!(seen.len(), EXCEPTION_CLASSES.len() - 1);
    }

    #[test]
    fn class_names_follow_kind_names() {
        assert_eq!(
            exception_class(ErrorKind::ZooKeeper),
            "MesosZooKeeperException"
        );
        assert_eq!(
            exception_class(ErrorKind::NotFound),
            "MesosNotFoundException"
        );
        for kind in ALL_KINDS {
            let squashed = kind.as_str().replace('_', "");
            assert!(
                exception_class(*kind).to_ascii_lowercase() == format!("mesos{squashed}exception"),
                "{kind:?}"
            );
            assert_eq!(kind_from_str(kind.as_str()), Some(*kind));
        }
        assert_eq!(kind_from_str("nope"), None);
    }
}
