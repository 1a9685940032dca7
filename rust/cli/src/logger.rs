//! Log lines to stderr (stdout carries only the answer, so it can be piped).

use log::{Level, LevelFilter, Log, Metadata, Record};

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = match record.level() {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
                Level::Trace => "trace",
            };
            eprintln!("mesos-discovery: {level}: {}", record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

/// `--log-level` wins over `MESOS_DISCOVERY_LOG`; the default shows warnings.
pub fn init(flag: Option<&str>) -> Result<(), String> {
    let env = std::env::var("MESOS_DISCOVERY_LOG").ok();
    let level = match flag
        .or(env.as_deref())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("") | Some("warn") | Some("warning") => LevelFilter::Warn,
        Some("off") => LevelFilter::Off,
        Some("error") => LevelFilter::Error,
        Some("info") => LevelFilter::Info,
        Some("debug") => LevelFilter::Debug,
        Some("trace") => LevelFilter::Trace,
        Some(other) => {
            return Err(format!(
                "log level {other:?} is not one of off, error, warn, info, debug, trace"
            ))
        }
    };
    log::set_logger(&LOGGER).map_err(|e| e.to_string())?;
    log::set_max_level(level);
    Ok(())
}
