//! `mesos-discovery`: argument parsing and output only; the work is done by the core crate.
//!
//! Exit codes (a contract scripts rely on): 0 answered, 1 the discovery/detection failed,
//! 2 usage or configuration error.

mod generate;
mod leader;
mod logger;
mod members;
mod workbench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mesos-discovery",
    version,
    about = "Finds Carbon/Hazelcast cluster members on Mesos (Marathon, Mesos-DNS) and the leading Mesos master (ZooKeeper)."
)]
struct Cli {
    /// Log level for messages on stderr: error, warn, info, debug, trace (env: MESOS_DISCOVERY_LOG).
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the cluster members (Marathon or Mesos-DNS).
    Members(members::MembersArgs),
    /// Print the leading Mesos master (or all masters) from ZooKeeper.
    Leader(leader::LeaderArgs),
    /// Serve an emulated Marathon + Mesos-DNS from a cluster description.
    Workbench(workbench::WorkbenchArgs),
    /// Start the workbench with an example Carbon cluster and discover it with both schemes.
    Demo(workbench::DemoArgs),
    /// Print a shell completion script (bash, zsh, fish) for this command.
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(generate::ManArgs),
}

/// Exit code for usage and configuration errors.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the question could not be answered.
pub const EXIT_FAILED: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = logger::init(cli.log_level.as_deref()) {
        eprintln!("mesos-discovery: {message}");
        return ExitCode::from(EXIT_USAGE);
    }
    match cli.command {
        Command::Members(args) => members::run(args),
        Command::Leader(args) => leader::run(args),
        Command::Workbench(args) => workbench::run(args),
        Command::Demo(args) => workbench::demo(args),
        Command::Completions(args) => generate::completions(args),
        Command::Man(args) => generate::man(args),
    }
}
