//! `mesos-discovery completions SHELL` and `mesos-discovery man`: generated from the clap
//! definition, so every subcommand and flag the command parses shows up in them.

use std::path::PathBuf;
use std::process::{Command, Output};

const SUBCOMMANDS: [&str; 6] = [
    "members",
    "leader",
    "workbench",
    "demo",
    "completions",
    "man",
];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mesos-discovery"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("md-generate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bash_completion_registers_with_bash_and_knows_every_subcommand_and_flag() {
    let script = stdout_of(&["completions", "bash"]);
    for word in SUBCOMMANDS
        .iter()
        .chain(&["--marathon", "--mesos-dns", "--zk", "--format"])
    {
        assert!(
            script.contains(word),
            "{word} missing from the bash completion"
        );
    }
    let dir = scratch_dir("bash");
    let file = dir.join("mesos-discovery.bash");
    std::fs::write(&file, &script).unwrap();
    // Sourcing it must define the completion for the command without errors.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -e; source '{}'; complete -p mesos-discovery",
            file.display()
        ))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && shown.contains("mesos-discovery"),
        "bash: {shown} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef mesos-discovery"), "{zsh}");
    let fish = stdout_of(&["completions", "fish"]);
    assert!(fish.contains("complete -c mesos-discovery"), "{fish}");
    for sub in SUBCOMMANDS {
        assert!(zsh.contains(sub), "{sub} missing from the zsh completion");
        assert!(fish.contains(sub), "{sub} missing from the fish completion");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_choices() {
    let out = run(&["completions", "powershell"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("powershell") && err.contains("bash"), "{err}");
}

#[test]
fn man_prints_the_top_page_with_its_subcommands() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH mesos-discovery 1"), "{page}");
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "{sub} missing from the man page");
    }
}

#[test]
fn man_out_dir_writes_one_page_per_subcommand_with_its_flags() {
    let dir = scratch_dir("man");
    stdout_of(&["man", "--out-dir", dir.to_str().unwrap()]);
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    let mut expected: Vec<String> = SUBCOMMANDS
        .iter()
        .map(|s| format!("mesos-discovery-{s}.1"))
        .chain(["mesos-discovery.1".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    let members = std::fs::read_to_string(dir.join("mesos-discovery-members.1")).unwrap();
    assert!(
        members.contains(".TH mesos-discovery-members 1"),
        "{members}"
    );
    assert!(
        members.contains("marathon") && members.contains("\\-\\-apps"),
        "{members}"
    );
    let leader = std::fs::read_to_string(dir.join("mesos-discovery-leader.1")).unwrap();
    assert!(leader.contains("\\-\\-zk"), "{leader}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn man_into_an_unwritable_directory_is_a_clear_error() {
    let dir = scratch_dir("not-a-dir");
    let file = dir.join("file");
    std::fs::write(&file, "").unwrap();
    let out = run(&["man", "--out-dir", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write the man page") && err.contains("file"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
