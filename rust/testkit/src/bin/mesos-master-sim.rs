//! `mesos-master-sim`: registers one fake Mesos master in ZooKeeper exactly like a Mesos
//! master does, holds its session, and leaves cleanly.
//!
//! ```text
//! mesos-master-sim --zk zk://[user:password@]127.0.0.1:PORT/mesos \
//!     [--format json|protobuf|upid] [--id ID] [--ip 10.0.0.1] [--port 5050] \
//!     [--hostname NAME] [--version 1.11.0] [--region R --zone Z] \
//!     [--capability AGENT_UPDATE]... [--mesos-1201] [--acl mesos|creator-all] \
//!     [--raw-data TEXT] [--label LABEL] [--session-timeout SECS] [--ignore-stdin]
//! ```
//!
//! - Creates the group znode (with parents) if missing, then the ephemeral sequential child
//!   `json.info_<seq>` (JSON MasterInfo, the default), `info_<seq>` (protobuf MasterInfo) or
//!   `<seq>` (raw UPID `master@ip:port`).
//! - Prints the created znode's full path (e.g. `/mesos/json.info_0000000003`) as the first
//!   line on stdout, then holds the session.
//! - Leaves on SIGTERM, SIGINT or end of stdin (close its stdin to stop it; pass
//!   `--ignore-stdin` when stdin is not a pipe you hold, e.g. `&` in a script): the session is
//!   closed, so the znode disappears at once, like a master that stops. SIGKILL instead leaves
//!   the znode until the session times out, like a master that crashes.
//! - Credentials in the URL become `digest` auth; ACLs as Mesos sets them (`--acl mesos`:
//!   anyone reads, creator has all) or `--acl creator-all` (only the same credentials read).
//! - `--mesos-1201` writes only the legacy integer `ip` (no `address`, no `pid`);
//!   `--raw-data` writes the given text instead of a MasterInfo (junk for error tests);
//!   `--label` overrides the child prefix label (e.g. an unknown label).
//!
//! Exit status: 0 after a clean leave, 1 when ZooKeeper could not be reached or the znode
//! not created, 2 for bad arguments.

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mesos_discovery_testkit::master::{self, split_zk_url, AclMode, FakeMaster, Format};
use tokio::io::AsyncReadExt;

#[derive(Parser)]
#[command(
    name = "mesos-master-sim",
    about = "Registers a fake Mesos master in ZooKeeper, like Mesos does."
)]
struct Args {
    /// zk://[user:password@]host:port[,host:port...]/path
    #[arg(long)]
    zk: String,
    /// json (json.info_), protobuf (info_) or upid (unlabelled raw UPID).
    #[arg(long, default_value = "json")]
    format: String,
    #[arg(long)]
    id: Option<String>,
    #[arg(long, default_value = "127.0.0.1")]
    ip: Ipv4Addr,
    #[arg(long, default_value_t = 5050)]
    port: u16,
    #[arg(long)]
    hostname: Option<String>,
    #[arg(long, default_value = "1.11.0")]
    version: String,
    #[arg(long, requires = "zone")]
    region: Option<String>,
    #[arg(long, requires = "region")]
    zone: Option<String>,
    #[arg(long = "capability")]
    capabilities: Vec<String>,
    /// Write only the legacy integer ip (no address, no pid).
    #[arg(long)]
    mesos_1201: bool,
    /// mesos (anyone reads, creator all) or creator-all (only these credentials read).
    #[arg(long, default_value = "mesos")]
    acl: String,
    /// Write this text as the znode's data instead of a MasterInfo.
    #[arg(long)]
    raw_data: Option<String>,
    /// Use this label instead of the format's (json.info / info).
    #[arg(long)]
    label: Option<String>,
    #[arg(long, default_value_t = 10.0)]
    session_timeout: f64,
    /// Do not leave on end of stdin.
    #[arg(long)]
    ignore_stdin: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(format) = Format::parse(&args.format) else {
        eprintln!("mesos-master-sim: --format must be json, protobuf or upid");
        return ExitCode::from(2);
    };
    let acl = match args.acl.as_str() {
        "mesos" => AclMode::Mesos,
        "creator-all" => AclMode::CreatorAll,
        _ => {
            eprintln!("mesos-master-sim: --acl must be mesos or creator-all");
            return ExitCode::from(2);
        }
    };
    let (servers, path, credentials) = match split_zk_url(&args.zk) {
        Ok(parts) => parts,
        Err(e) => {
            eprintln!("mesos-master-sim: --zk: {e}");
            return ExitCode::from(2);
        }
    };
    if !(0.5..=600.0).contains(&args.session_timeout) {
        eprintln!("mesos-master-sim: --session-timeout must be from 0.5 to 600 seconds");
        return ExitCode::from(2);
    }
    let mut fake = FakeMaster::new(
        args.id
            .as_deref()
            .unwrap_or(&format!("sim-{}-{}", args.port, std::process::id())),
        args.ip,
        args.port,
    );
    fake.hostname = args.hostname.clone();
    fake.version = Some(args.version.clone());
    fake.region = args.region.clone();
    fake.zone = args.zone.clone();
    if !args.capabilities.is_empty() {
        fake.capabilities = args.capabilities.clone();
    }
    fake.legacy_ip_only = args.mesos_1201;
    let data = match &args.raw_data {
        Some(raw) => raw.clone().into_bytes(),
        None => fake.encode(format),
    };
    let prefix = match &args.label {
        Some(label) => format!("{label}_"),
        None => format.prefix().to_string(),
    };

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mesos-master-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async move {
        let timeout = Duration::from_secs_f64(args.session_timeout);
        let client = match tokio::time::timeout(
            Duration::from_secs(30),
            master::connect(&servers, credentials.as_deref(), timeout),
        )
        .await
        {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => {
                eprintln!("mesos-master-sim: could not connect to ZooKeeper at {servers}: {e}");
                return ExitCode::from(1);
            }
            Err(_) => {
                eprintln!(
                    "mesos-master-sim: could not connect to ZooKeeper at {servers} within 30s"
                );
                return ExitCode::from(1);
            }
        };
        let znode =
            match master::join(&client, &path, &prefix, &data, credentials.is_some(), acl).await {
                Ok(znode) => znode,
                Err(e) => {
                    eprintln!("mesos-master-sim: could not register under {path}: {e}");
                    return ExitCode::from(1);
                }
            };
        let mut stdout = std::io::stdout();
        if writeln!(stdout, "{znode}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            master::close(client).await;
            return ExitCode::from(1);
        }
        wait_for_leave(args.ignore_stdin).await;
        master::close(client).await;
        ExitCode::SUCCESS
    });
    // A pending blocking read of stdin must not hold the process open.
    runtime.shutdown_background();
    code
}

async fn wait_for_leave(ignore_stdin: bool) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    let stdin_closed = async {
        if ignore_stdin {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdin.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::select! {
        _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        _ = async { match int.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        _ = stdin_closed => {}
    }
}
