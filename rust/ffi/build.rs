//! Writes `mesos_discovery.pc` beside the libraries cargo produces (target/<profile>/), so C and
//! C++ users can build against the tree with `PKG_CONFIG_PATH=target/<profile>`.
//!
//! On Linux the shared library gets a SONAME carrying its ABI version (`soname()`); programs
//! linked against it record that name, so a link by that name is put beside it in the tree too
//! (an installed prefix gets the same from `scripts/install-c`).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out.
    let Some(lib_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let include_dir = manifest.join("../../include");
    let include_dir = include_dir.canonicalize().unwrap_or(include_dir);
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    let pc = format!(
        "libdir={}\nincludedir={}\n\nName: mesos_discovery\nDescription: Finds Carbon/Hazelcast cluster members and the leading master on Apache Mesos\nVersion: {version}\nCflags: -I${{includedir}}\nLibs: -L${{libdir}} -lmesos_discovery\nLibs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc\n",
        lib_dir.display(),
        include_dir.display(),
    );
    write_if_changed(&lib_dir.join("mesos_discovery.pc"), &pc);

    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let soname = soname();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
        link_if_missing(&lib_dir.join(&soname), "libmesos_discovery.so");
    }
}

/// `libmesos_discovery.so.<ABI>`: the ABI changes with the major version, and with the minor
/// while the major is 0 (semver), so 0.1.x is `.so.0.1` and 1.x is `.so.1` (as cargo-c names it).
fn soname() -> String {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets it");
    if major == "0" {
        format!("libmesos_discovery.so.0.{minor}")
    } else {
        format!("libmesos_discovery.so.{major}")
    }
}

fn link_if_missing(link: &Path, target: &str) {
    if std::fs::read_link(link).is_ok_and(|current| current == Path::new(target)) {
        return;
    }
    let _ = std::fs::remove_file(link);
    // Like the .pc file: not worth failing the build for.
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink(target, link);
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        // A read-only target directory is not worth failing the build for.
        let _ = std::fs::write(path, text);
    }
}
