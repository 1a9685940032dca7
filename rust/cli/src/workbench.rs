//! `mesos-discovery workbench` (serve an emulated Marathon + Mesos-DNS) and
//! `mesos-discovery demo` (the README quick start: the example Carbon cluster discovered with
//! both schemes).
//!
//! `workbench` prints its base URL as the first stdout line, then serves until the process is
//! stopped (SIGINT/SIGTERM end it with their default action: the workbench keeps no state worth
//! saving) or, with `--stdin-eof-stops`, until its standard input closes — so a test harness
//! that spawns it with a pipe cannot leak it, even when the harness dies.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use mesos_discovery::config::{
    MARATHON_APPLICATIONS, MARATHON_ENDPOINT, MESOS_DNS_ENDPOINT, MESOS_MEMBER_DISCOVERY_SCHEME,
};
use mesos_discovery_workbench::{Cluster, Workbench};

use crate::{EXIT_FAILED, EXIT_USAGE};

/// The quick start's cluster, also `tests/clusters/carbon.json`.
const CARBON_CLUSTER: &str = include_str!("../../../tests/clusters/carbon.json");

#[derive(clap::Args)]
pub struct WorkbenchArgs {
    /// Cluster description (JSON; see tests/clusters/ and the README's "Workbench").
    #[arg(long, value_name = "FILE")]
    cluster: std::path::PathBuf,

    /// Address to serve on. Port 0 picks a free port. Keep it on loopback: the workbench has
    /// no security beyond the auth it emulates.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    listen: String,

    /// Stop when standard input reaches end of file (for harnesses that spawn the workbench).
    #[arg(long)]
    stdin_eof_stops: bool,
}

pub fn run(args: WorkbenchArgs) -> ExitCode {
    let cluster = match Cluster::from_file(&args.cluster) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mesos-discovery: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let workbench = match Workbench::start_on(cluster, &args.listen) {
        Ok(wb) => wb,
        Err(e) => {
            eprintln!("mesos-discovery: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    if !workbench.addr().ip().is_loopback() {
        eprintln!(
            "mesos-discovery: warning: the workbench listens on {}, not on loopback",
            workbench.addr()
        );
    }
    let url = workbench.url();
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{url}").and_then(|_| out.flush()).is_err() {
        return ExitCode::from(EXIT_FAILED);
    }
    drop(out);
    eprintln!(
        "mesos-discovery: workbench serving Marathon ({url}/v2/...) and Mesos-DNS ({url}/v1/...); admin API at {url}/_workbench/"
    );
    if args.stdin_eof_stops {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        let mut sink = Vec::new();
        // Whatever is written to stdin is ignored; only its end matters.
        while matches!(lines.read_until(b'\n', &mut sink), Ok(n) if n > 0) {
            sink.clear();
        }
        drop(workbench);
        ExitCode::SUCCESS
    } else {
        workbench.wait();
        ExitCode::SUCCESS
    }
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Also print each discovery result as JSON (the `members --json` shape).
    #[arg(long)]
    json: bool,
}

pub fn demo(args: DemoArgs) -> ExitCode {
    let cluster = match Cluster::from_json_str(CARBON_CLUSTER) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mesos-discovery: built-in cluster: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let apps: Vec<String> = cluster.apps.iter().map(|a| a.id.clone()).collect();
    let workbench = match Workbench::start(cluster) {
        Ok(wb) => wb,
        Err(e) => {
            eprintln!("mesos-discovery: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let url = workbench.url();
    println!("Workbench: emulated Marathon 1.10 and Mesos-DNS at {url}");
    println!("Example Carbon cluster (tests/clusters/carbon.json):");
    let admin = workbench.admin();
    for app in &apps {
        let tasks = admin.tasks(app);
        let states: Vec<String> = tasks
            .iter()
            .map(|t| t.state.trim_start_matches("TASK_").to_lowercase())
            .collect();
        println!("  {app}: {} tasks ({})", tasks.len(), states.join(", "));
    }
    let mut failed = false;
    for (title, scheme) in [("Marathon", "Marathon"), ("Mesos-DNS", "MesosDNS")] {
        println!();
        println!("{title} scheme ({MESOS_MEMBER_DISCOVERY_SCHEME}={scheme}):");
        let pairs = [
            (MESOS_MEMBER_DISCOVERY_SCHEME, scheme.to_string()),
            (MARATHON_ENDPOINT, url.clone()),
            (MESOS_DNS_ENDPOINT, url.clone()),
            (MARATHON_APPLICATIONS, apps.join(",")),
        ];
        let found = mesos_discovery::Config::from_map(pairs)
            .and_then(|config| mesos_discovery::discover_blocking(&config));
        match found {
            Ok(discovery) => {
                println!("  Hazelcast would add these members (TcpIpConfig.addMember):");
                if discovery.members.is_empty() {
                    println!("    (none)");
                }
                for m in &discovery.members {
                    let health = match m.healthy {
                        Some(true) => "healthy",
                        Some(false) => "unhealthy",
                        None => "health unknown",
                    };
                    println!(
                        "    {:<22} {}  {}  {health}",
                        m.host_port(),
                        m.app_id,
                        m.state
                    );
                }
                if !discovery.warnings.is_empty() {
                    println!("  Warnings:");
                    for w in &discovery.warnings {
                        println!("    {w}");
                    }
                }
                if args.json {
                    match serde_json::to_string_pretty(&discovery) {
                        Ok(json) => println!("{json}"),
                        Err(e) => eprintln!("mesos-discovery: {e}"),
                    }
                }
            }
            Err(e) => {
                println!("  discovery failed: {e}");
                failed = true;
            }
        }
    }
    drop(workbench);
    if failed {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
