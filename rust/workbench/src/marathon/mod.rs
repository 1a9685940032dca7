//! The emulated Marathon: REST routes and the JSON shapes of each version.

pub mod api;
pub mod render;
