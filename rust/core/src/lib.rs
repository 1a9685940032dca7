//! mesos-discovery core: finds the members of a WSO2 Carbon / Hazelcast cluster running on
//! Apache Mesos (through Marathon or Mesos-DNS) and the leading Mesos master (through
//! ZooKeeper). Front ends (CLI, C ABI, JNI) are thin layers over this crate; nothing here knows
//! about them.
//!
//! Shape: `config` (flat key map → [`Config`]) opens a [`Membership`], the one object per
//! configuration: it owns the transport (`http`, with an `auth` provider) and the publisher,
//! hands bodies to pure parse/select code (`marathon`, `mesos_dns`), and keeps the set
//! current (`watch`). A one-shot discovery is its first refresh. The `zk` module does the
//! same for masters: session → decode → choose.

pub mod acs;
pub mod auth;
pub mod config;
pub mod discovery;
pub mod error;
pub mod http;
pub mod marathon;
pub mod membership;
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
pub use membership::Membership;
pub use model::{Discovery, Member, Warning};
pub use watch::{MembershipChange, MembershipState, MembershipWatcher};

/// The library version (the workspace version), as front ends report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
