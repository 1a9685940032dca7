//! The C ABI of mesos-discovery: `libmesos_discovery.so` / `.a` and
//! `include/mesos_discovery.h` (generated from this crate by cbindgen).
//!
//! No discovery logic lives here: handles, conversions, the panic boundary, result codes and C
//! structs only. The contract (ownership, NULL, out-parameters, threads, callbacks, logging,
//! panics) is in this crate's README.md; the header's comments repeat it per function.
//!
//! Every export runs inside [`panic`]'s boundary; raw pointers become references only in
//! [`handles`] and [`strings`].

#![allow(non_camel_case_types)]
// Every export checks its pointers before use; the `# Safety` sections say what C promises.
#![allow(clippy::missing_safety_doc)]

mod blocking;
mod discovery;
mod error;
mod handles;
mod json;
mod leader;
mod logging;
mod masters;
mod panic;
mod strings;
mod subscription;

use std::ffi::c_char;

pub use discovery::*;
pub use error::*;
pub use leader::*;
pub use logging::*;
pub use masters::*;
pub use strings::mesos_discovery_string_free;

/// The version the header was generated for. A test checks these against Cargo.toml; compare
/// them with `mesos_discovery_version()` to detect a header/library mismatch.
pub const MESOS_DISCOVERY_VERSION_MAJOR: u32 = 0;
pub const MESOS_DISCOVERY_VERSION_MINOR: u32 = 1;
pub const MESOS_DISCOVERY_VERSION_PATCH: u32 = 0;

/// The library's version, e.g. `"0.1.0"`. Static: never free it.
#[no_mangle]
pub extern "C" fn mesos_discovery_version() -> *const c_char {
    panic::value(c"".as_ptr(), || {
        // The crate version with a NUL, built at compile time.
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_version_matches_cargo_toml() {
        assert_eq!(
            MESOS_DISCOVERY_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            MESOS_DISCOVERY_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            MESOS_DISCOVERY_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(env!("CARGO_PKG_VERSION"), core_api::VERSION);
        let v = unsafe { std::ffi::CStr::from_ptr(mesos_discovery_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        // The committed header (cbindgen cannot emit the string macro from a Rust constant,
        // so cbindgen.toml carries it): every version macro must match Cargo.toml.
        let header = include_str!("../../../include/mesos_discovery.h");
        for (name, value) in [
            (
                "MESOS_DISCOVERY_VERSION",
                format!("\"{}\"", env!("CARGO_PKG_VERSION")),
            ),
            (
                "MESOS_DISCOVERY_VERSION_MAJOR",
                env!("CARGO_PKG_VERSION_MAJOR").to_string(),
            ),
            (
                "MESOS_DISCOVERY_VERSION_MINOR",
                env!("CARGO_PKG_VERSION_MINOR").to_string(),
            ),
            (
                "MESOS_DISCOVERY_VERSION_PATCH",
                env!("CARGO_PKG_VERSION_PATCH").to_string(),
            ),
        ] {
            let line = format!("#define {name} {value}\n");
            assert!(
                header.contains(&line),
                "include/mesos_discovery.h lacks {line:?}"
            );
        }
    }
}
