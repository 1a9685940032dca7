//! `mesos-discovery completions SHELL` and `mesos-discovery man`: shell completions and man pages
//! generated from the same clap definition the command parses with, so they never drift from it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::{Cli, EXIT_FAILED};

const BIN: &str = "mesos-discovery";

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for. Install the output as, for example,
    /// /usr/share/bash-completion/completions/mesos-discovery,
    /// /usr/share/zsh/vendor-completions/_mesos-discovery or
    /// /usr/share/fish/vendor_completions.d/mesos-discovery.fish.
    #[arg(value_enum)]
    shell: CompletionShell,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl From<CompletionShell> for Shell {
    fn from(shell: CompletionShell) -> Shell {
        match shell {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }
}

#[derive(clap::Args)]
pub struct ManArgs {
    /// Write mesos-discovery.1 and one page per subcommand (mesos-discovery-members.1, ...)
    /// into this directory instead of printing mesos-discovery.1 on stdout.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(Shell::from(args.shell), &mut Cli::command(), BIN, &mut out);
    write_stdout(&out)
}

pub fn man(args: ManArgs) -> ExitCode {
    let mut command = Cli::command();
    // Building propagates global flags (--log-level) into the subcommands' pages.
    command.build();
    let result = match &args.out_dir {
        None => render(&command).and_then(|page| write_stdout_io(&page)),
        Some(dir) => write_pages(&command, dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let target = match &args.out_dir {
                Some(dir) => dir.display().to_string(),
                None => "stdout".to_owned(),
            };
            eprintln!("mesos-discovery: cannot write the man page to {target}: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// The top page, then `mesos-discovery-<sub>.1` for each visible subcommand, named as
/// `man mesos-discovery-members` looks for them.
fn write_pages(command: &clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(format!("{BIN}.1")), render(command)?)?;
    let documented = |sub: &&clap::Command| !sub.is_hide_set() && sub.get_name() != "help";
    for sub in command.get_subcommands().filter(documented) {
        // A built command names its subcommands "mesos-discovery-<sub>" for display.
        let name = sub.get_display_name().unwrap_or_else(|| sub.get_name());
        let page = sub.clone().version(env!("CARGO_PKG_VERSION"));
        std::fs::write(dir.join(format!("{name}.1")), render(&page)?)?;
    }
    Ok(())
}

fn render(command: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    Ok(page)
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    match write_stdout_io(bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mesos-discovery: cannot write to stdout: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn write_stdout_io(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}
