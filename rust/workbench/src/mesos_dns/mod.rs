//! The emulated Mesos-DNS HTTP API and the naming rules behind its records.

pub mod api;
pub mod naming;
pub mod records;
