//! Test kit for mesos-discovery's tests in every language (`publish = false`).
//!
//! - [`ZkServer`] / [`Ensemble`]: a real ZooKeeper (Debian package `zookeeper`) on free
//!   127.0.0.1 ports with temp data dirs, killed and cleaned up on drop. Other languages use
//!   `tests/support/zk-server`, a script with the same setup.
//! - [`master`]: registering fake Mesos masters exactly as Mesos does; the
//!   `mesos-master-sim` binary wraps it for C, Python and Java tests.
//! - [`marathon_leader`]: registering fake Marathon instances as Marathon does (both layouts).
//! - [`dcos`]: service-account key pairs (made with `openssl` at test time) and credentials.

pub mod dcos;
pub mod marathon_leader;
pub mod master;
mod zk_server;

pub use master::{AclMode, FakeMaster, Format};
pub use zk_server::{free_port, Ensemble, ZkServer};

/// The ZooKeeper client the kit uses, for tests that hold fake masters' sessions.
pub use zookeeper_client;
