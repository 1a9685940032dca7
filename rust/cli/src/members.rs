//! `mesos-discovery members`: flags → the core's key map → discovery → stdout.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mesos_discovery::config::{self, EnvOverlay};
use mesos_discovery::{Config, ErrorKind, Membership};

use crate::{EXIT_FAILED, EXIT_USAGE};

#[derive(Args)]
pub struct MembersArgs {
    /// Where members come from (MESOS_MEMBER_DISCOVERY_SCHEME).
    #[arg(long, value_enum)]
    scheme: Option<SchemeArg>,
    /// Marathon base URL(s), comma-separated, or Marathon's ZooKeeper URL
    /// zk://[user:pass@]host:port[,host:port…]/path (MARATHON_ENDPOINT).
    #[arg(long, value_name = "URL[,URL…]|zk://…")]
    marathon: Option<String>,
    /// Mesos-DNS base URL (MESOS_DNS_ENDPOINT).
    #[arg(long = "mesos-dns", value_name = "URL")]
    mesos_dns: Option<String>,
    /// Marathon app ids, comma-separated (MARATHON_APPLICATIONS).
    #[arg(long, value_name = "ID[,ID…]")]
    apps: Option<String>,
    /// Any configuration key (repeatable), e.g. --set MESOS_DISCOVERY_HEALTHY_ONLY=true.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Output: a JSON array of members, or host:port lines (what Hazelcast takes).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Keep watching: one JSON line per change, `{"added":[…],"removed":[…]}`, starting with
    /// the full set, until interrupted.
    #[arg(long, conflicts_with = "format")]
    watch: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemeArg {
    Marathon,
    #[value(name = "mesos-dns")]
    MesosDns,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Hostport,
}

/// Flags and `--set` pairs as one key map. The same key given twice with different values is
/// a usage error rather than a silent "last one wins".
fn key_map(args: &MembersArgs) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    let mut put = |key: &str, value: String| -> Result<(), String> {
        match map.insert(key.to_string(), value.clone()) {
            Some(old) if old != value => Err(format!("{key} is given twice with different values")),
            _ => Ok(()),
        }
    };
    for pair in &args.set {
        // The argument is not echoed: a mistyped `MARATHON_PASSWORD:secret` would print the secret.
        let (key, value) = pair.split_once('=').ok_or(
            "--set: expected KEY=VALUE (an argument without '='; not shown, it may hold a secret)",
        )?;
        put(key.trim(), value.to_string())?;
    }
    if let Some(scheme) = args.scheme {
        let value = match scheme {
            SchemeArg::Marathon => "Marathon",
            SchemeArg::MesosDns => "MesosDNS",
        };
        put(config::MESOS_MEMBER_DISCOVERY_SCHEME, value.into())?;
    }
    if let Some(v) = &args.marathon {
        put(config::MARATHON_ENDPOINT, v.clone())?;
    }
    if let Some(v) = &args.mesos_dns {
        put(config::MESOS_DNS_ENDPOINT, v.clone())?;
    }
    if let Some(v) = &args.apps {
        put(config::MARATHON_APPLICATIONS, v.clone())?;
    }
    Ok(map)
}

pub fn run(args: MembersArgs) -> ExitCode {
    let config = match key_map(&args).map_err(|e| e.to_string()).and_then(|map| {
        Config::from_map_with_env(map, EnvOverlay::MapWins).map_err(|e| e.to_string())
    }) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("mesos-discovery: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let membership = match Membership::open(config) {
        Ok(membership) => membership,
        Err(e) => return exit_for(&e),
    };
    if args.watch {
        return watch(membership);
    }
    let found = match membership.refresh_once_blocking() {
        Ok(found) => found,
        Err(e) => return exit_for(&e),
    };
    let out = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&found.members).expect("members serialize") + "\n"
        }
        Format::Hostport => {
            let mut out = String::with_capacity(found.members.len() * 24);
            for member in &found.members {
                member.push_host_port(&mut out);
                out.push('\n');
            }
            out
        }
    };
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush());
    // The process ends here: freeing thousands of members' strings one by one costs more CPU
    // than the whole exit.
    std::mem::forget((found, out));
    if written.is_err() {
        return ExitCode::from(EXIT_FAILED);
    }
    ExitCode::SUCCESS
}

fn exit_for(e: &mesos_discovery::Error) -> ExitCode {
    eprintln!("mesos-discovery: {e}");
    ExitCode::from(match e.kind() {
        ErrorKind::Config | ErrorKind::InvalidArgument => EXIT_USAGE,
        _ => EXIT_FAILED,
    })
}

/// Prints every change as one JSON line until stdout closes. Failures while watching are
/// logged (the membership retries by itself); only a bad configuration ends the command.
fn watch(watcher: Membership) -> ExitCode {
    if let Err(e) = watcher.watch() {
        return exit_for(&e);
    }
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    watcher.subscribe(Box::new(move |change| {
        if let Ok(line) = serde_json::to_string(change) {
            let _ = tx.lock().map(|tx| tx.send(line));
        }
    }));
    let mut stdout = std::io::stdout().lock();
    for line in rx {
        if writeln!(stdout, "{line}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break; // the reader went away
        }
    }
    watcher.close();
    ExitCode::SUCCESS
}
