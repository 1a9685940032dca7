//! Writes `mesos_discovery.pc` beside the libraries cargo produces (target/<profile>/), so C and
//! C++ users can build against the tree with `PKG_CONFIG_PATH=target/<profile>`.

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
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        // A read-only target directory is not worth failing the build for.
        let _ = std::fs::write(path, text);
    }
}
