//! `mesos-discovery leader`: the leading Mesos master from ZooKeeper.
//!
//! ```text
//! mesos-discovery leader --zk URL [--all] [--watch] [--timeout SECS] [--session-timeout SECS]
//! ```
//!
//! Output on stdout, one line of JSON: the leader object (or `null` when no master is
//! registered); with `--all` an array of every master, leader first; with `--watch` one line
//! per leader change (the first line is the current leader) until interrupted.
//! Exit: 0 answered (also when there is no leader), 1 ZooKeeper not reached in time or the
//! answer could not be read (auth, undecodable leader), 2 bad URL or flags.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use mesos_discovery::zk::{self, DetectOptions, LeaderWatcher, ZkUrl};
use serde::Serialize;

use crate::{EXIT_FAILED, EXIT_USAGE};

#[derive(Args)]
pub struct LeaderArgs {
    /// zk://[user:password@]host:port[,host:port…]/path, or file:///path to a file holding one.
    #[arg(long, value_name = "URL")]
    zk: String,
    /// Print every registered master (a JSON array, leader first).
    #[arg(long, conflicts_with = "watch")]
    all: bool,
    /// Print the leader, then one line per leader change, until interrupted.
    #[arg(long)]
    watch: bool,
    /// Seconds to wait for ZooKeeper: the whole answer (one-shot) or the first answer (--watch).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// ZooKeeper session timeout in seconds (Mesos' default: 10).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    session_timeout: f64,
}

/// How long `--watch` sleeps between checks when nothing changes (it wakes on every change).
const WATCH_IDLE: Duration = Duration::from_secs(3600);

pub fn run(args: LeaderArgs) -> ExitCode {
    let (timeout, session_timeout) = match (
        seconds("--timeout", args.timeout),
        seconds("--session-timeout", args.session_timeout),
    ) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(e), _) | (_, Err(e)) => {
            log::error!("{e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let url = match ZkUrl::parse(&args.zk) {
        Ok(url) => url,
        Err(e) => {
            log::error!("{e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let opts = DetectOptions {
        session_timeout,
        connect_timeout: timeout,
    };
    if args.watch {
        watch(url, opts, timeout)
    } else {
        one_shot(&url, &opts, timeout, args.all)
    }
}

fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    if value.is_finite() && value > 0.0 && value <= 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!(
            "{flag} {value}: expected seconds, more than 0 and at most 86400"
        ))
    }
}

fn one_shot(url: &ZkUrl, opts: &DetectOptions, timeout: Duration, all: bool) -> ExitCode {
    let answer = mesos_discovery::runtime::block_on(async {
        let work = async {
            if all {
                let report = zk::masters_report(url, opts).await?;
                for problem in &report.problems {
                    log::warn!("{problem}");
                }
                json_line(&report.masters)
            } else {
                json_line(&zk::leader(url, opts).await?)
            }
        };
        tokio::time::timeout(timeout, work)
            .await
            .unwrap_or_else(|_| {
                Err(mesos_discovery::Error::new(
                    mesos_discovery::ErrorKind::Timeout,
                    format!("no answer from ZooKeeper at {url} within {timeout:?}"),
                ))
            })
    })
    .and_then(|answer| answer);
    match answer {
        Ok(line) => print_line(&line),
        Err(e) => {
            log::error!("{e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn watch(url: ZkUrl, opts: DetectOptions, timeout: Duration) -> ExitCode {
    let watcher = match LeaderWatcher::start(url, opts) {
        Ok(w) => w,
        Err(e) => {
            log::error!("{e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let mut state = match watcher.wait_for_change(0, timeout) {
        Ok(Some(state)) => state,
        Ok(None) => {
            let why = watcher
                .current()
                .error
                .map_or_else(|| "no answer".to_string(), |e| e.to_string());
            log::error!(
                "ZooKeeper at {} not reached within {timeout:?}: {why}",
                watcher.url()
            );
            return ExitCode::from(EXIT_FAILED);
        }
        Err(e) => {
            log::error!("{e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    loop {
        let line = match json_line(&state.leader) {
            Ok(line) => line,
            Err(e) => {
                log::error!("{e}");
                return ExitCode::from(EXIT_FAILED);
            }
        };
        if !write_line(&line) {
            return ExitCode::SUCCESS; // the reader went away (e.g. `| head -1`)
        }
        state = loop {
            match watcher.wait_for_change(state.generation, WATCH_IDLE) {
                Ok(Some(next)) => break next,
                Ok(None) => continue,
                Err(e) => {
                    log::error!("{e}");
                    return ExitCode::from(EXIT_FAILED);
                }
            }
        };
    }
}

fn json_line<T: Serialize>(value: &T) -> mesos_discovery::Result<String> {
    serde_json::to_string(value).map_err(|e| mesos_discovery::Error::internal(e.to_string()))
}

/// Writes one line and flushes; `false` when stdout is closed.
fn write_line(line: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|_| out.flush()).is_ok()
}

fn print_line(line: &str) -> ExitCode {
    // A closed stdout after a complete answer is not our failure; nothing else to report.
    write_line(line);
    ExitCode::SUCCESS
}
