//! mesos-discovery core: finds the members of a WSO2 Carbon / Hazelcast cluster running on
//! Apache Mesos (through Marathon or Mesos-DNS) and the leading Mesos master (through
//! ZooKeeper). Front ends (CLI, C ABI, JNI) are thin layers over this crate; nothing here knows
//! about them.
//!
//! Shape: `config` (flat key map → [`Config`]) feeds `discovery`, which drives the transport
//! (`http`) and hands bodies to pure parse/select code (`marathon`, `mesos_dns`). The `zk`
//! module does the same for masters: session → decode → choose.

pub mod acs;
pub mod config;
pub mod discovery;
pub mod error;
pub mod http;
pub mod marathon;
pub mod mesos_dns;
pub mod model;
pub mod publish;
pub mod runtime;
pub mod secret;
pub mod watch;
pub mod zk;

pub use config::{Config, EnvOverlay};
pub use discovery::{discover, discover_blocking};
pub use error::{Error, ErrorKind, Result};
pub use model::{Discovery, Member, Warning};
pub use watch::{MembershipChange, MembershipState, MembershipWatcher};

/// The library version (the workspace version), as front ends report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
