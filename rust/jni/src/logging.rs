//! The core logs through the `log` facade, mostly on the shared runtime's worker threads.
//! Calling Java from those threads would mean attaching them to the JVM, finding classes
//! through the right (OSGi bundle) class loader from a foreign thread, and calling into Java
//! logging (which takes its own locks) while the core may hold one — all avoidable. So this
//! logger only queues records (bounded; the oldest are dropped and counted), and Java drains
//! the queue on its own threads after each call and from its watcher threads, handing the
//! records to commons-logging (Carbon) or java.util.logging.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Most records kept between two drains.
pub const CAPACITY: usize = 1000;

/// A queued record: level, target (module path) and the formatted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub level: Level,
    pub target: String,
    pub message: String,
}

struct Queue {
    entries: VecDeque<Entry>,
    dropped: u64,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    entries: VecDeque::new(),
    dropped: 0,
});

/// Level for the core's own records (`mesos_discovery*` targets), as a `LevelFilter` index.
static OWN_LEVEL: AtomicUsize = AtomicUsize::new(LevelFilter::Info as usize);

/// Dependencies (HTTP, TLS, ZooKeeper client) only ever report warnings and errors.
const OTHERS_LEVEL: LevelFilter = LevelFilter::Warn;

struct QueueLogger;

static LOGGER: QueueLogger = QueueLogger;

fn own_level() -> LevelFilter {
    match OWN_LEVEL.load(Ordering::Relaxed) {
        0 => LevelFilter::Off,
        1 => LevelFilter::Error,
        2 => LevelFilter::Warn,
        3 => LevelFilter::Info,
        4 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

fn is_own(target: &str) -> bool {
    target.starts_with("mesos_discovery")
}

impl Log for QueueLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        let limit = if is_own(metadata.target()) {
            own_level()
        } else {
            OTHERS_LEVEL.min(own_level())
        };
        metadata.level() <= limit
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Format before taking the lock: Display impls may be slow (or log themselves).
        let entry = Entry {
            level: record.level(),
            target: record.target().to_string(),
            message: record.args().to_string(),
        };
        push(entry);
    }

    fn flush(&self) {}
}

fn push(entry: Entry) {
    let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
    if queue.entries.len() >= CAPACITY {
        queue.entries.pop_front();
        queue.dropped += 1;
    }
    queue.entries.push_back(entry);
}

/// Installs the queue as the process's `log` logger (a no-op if this copy of the library
/// already did; each `System.load` of a fresh temp file is its own copy with its own logger).
pub fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(own_level().max(OTHERS_LEVEL));
    }
}

/// Sets the level of the core's own records: 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace.
pub fn set_level(level: i32) {
    let level = level.clamp(0, 5) as usize;
    OWN_LEVEL.store(level, Ordering::Relaxed);
    log::set_max_level(own_level().max(OTHERS_LEVEL));
}

/// Takes every queued record, oldest first; a warning about dropped records comes first.
pub fn drain() -> Vec<Entry> {
    let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
    let dropped = std::mem::take(&mut queue.dropped);
    let mut out: Vec<Entry> = Vec::with_capacity(queue.entries.len() + 1);
    if dropped > 0 {
        out.push(Entry {
            level: Level::Warn,
            target: "mesos_discovery_jni".into(),
            message: format!("{dropped} older log records were dropped (more than {CAPACITY} between two drains)"),
        });
    }
    out.extend(queue.entries.drain(..));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the global queue, so tests cannot race on it.
    #[test]
    fn queue_filters_bounds_and_drains() {
        install();
        set_level(3);
        drain();
        log::info!(target: "mesos_discovery::marathon", "app {} has {} tasks", "/a", 2);
        log::debug!(target: "mesos_discovery::marathon", "hidden at info");
        log::info!(target: "hyper::client", "dependency chatter is hidden");
        log::warn!(target: "hyper::client", "dependency warnings pass");
        let got = drain();
        assert_eq!(
            got,
            vec![
                Entry {
                    level: Level::Info,
                    target: "mesos_discovery::marathon".into(),
                    message: "app /a has 2 tasks".into()
                },
                Entry {
                    level: Level::Warn,
                    target: "hyper::client".into(),
                    message: "dependency warnings pass".into()
                },
            ]
        );
        set_level(4);
        log::debug!(target: "mesos_discovery::zk", "now shown");
        assert_eq!(drain().len(), 1);
        set_level(3);

        for i in 0..CAPACITY + 5 {
            log::warn!(target: "mesos_discovery", "n{i}");
        }
        let got = drain();
        assert_eq!(got.len(), CAPACITY + 1);
        assert!(
            got[0]
                .message
                .starts_with("5 older log records were dropped"),
            "{:?}",
            got[0]
        );
        assert_eq!(got[1].message, "n5");
        assert!(drain().is_empty());
    }
}
