//! The upstream bodies of `../shared` (the folder beside the repository, as in CI), read in
//! place: the project keeps no copies of them. Without the folder (a user's own clone) the
//! tests that need it say so in one line and return; every other test still runs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// One test's reader of a folder of `../shared`; says how many bodies it read when dropped.
pub struct Shared {
    test: &'static str,
    dir: PathBuf,
    read: usize,
}

impl Shared {
    /// `../shared/<part>` beside the repository root, or `None` after saying the test is
    /// skipped.
    pub fn open(test: &'static str, part: &str) -> Option<Shared> {
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = crate_dir
            .join("../..")
            .canonicalize()
            .expect("repository root");
        let dir = root.with_file_name("shared").join(part);
        match dir.canonicalize() {
            Ok(dir) if dir.is_dir() => Some(Shared { test, dir, read: 0 }),
            _ => {
                say(&format!(
                    "{test}: skipped: no {} (the upstream bodies are read from ../shared beside the repository)",
                    dir.display()
                ));
                None
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A body of the folder (counted).
    pub fn bytes(&mut self, name: &str) -> Vec<u8> {
        self.read += 1;
        self.file(name)
    }

    /// Counts `n` bodies read some other way (e.g. hashed by git).
    pub fn count(&mut self, n: usize) {
        self.read += n;
    }

    /// A file that is not a body (an index, a manifest).
    pub fn file(&self, name: &str) -> Vec<u8> {
        let path = self.dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn text(&mut self, name: &str) -> String {
        String::from_utf8(self.bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The files of the folder whose names end with `suffix`, sorted.
    pub fn names_ending(&self, suffix: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap_or_else(|e| panic!("{}: {e}", self.dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(suffix))
            .collect();
        names.sort();
        names
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let bodies = if self.read == 1 { "body" } else { "bodies" };
            say(&format!(
                "{}: read {} {bodies} from {}",
                self.test,
                self.read,
                self.dir.display()
            ));
        }
    }
}

/// A line on stderr that libtest does not capture, so it shows in the CI log; one write, so
/// it is not split by the runner's own lines.
pub fn say(line: &str) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}
