//! Fan-out of Marathon events to `/v2/events` streams, with the admin's controls: drop every
//! stream (as a crashing or abdicating leader does), stall them (connection open, nothing
//! sent, not even heartbeats) and mute events (changes happen, their events are lost).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{broadcast, mpsc, watch};

use crate::events::Event;

/// Events buffered for a stream that is slow or stalled; past this it is dropped, as Marathon
/// drops subscribers that cannot keep up.
const BACKLOG: usize = 4096;
/// At most this many open streams.
pub const MAX_STREAMS: usize = 256;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Control {
    /// Bumped to end every open stream.
    generation: u64,
    stalled: bool,
}

#[derive(Debug)]
pub struct EventHub {
    events: broadcast::Sender<Arc<Event>>,
    control: watch::Sender<Control>,
    open: Arc<AtomicUsize>,
    /// Events published while muted are lost (as when Marathon's event bus drops them).
    muted: AtomicBool,
}

/// One chunk of a stream body, or the error that aborts the connection.
pub type Chunk = Result<Bytes, std::io::Error>;

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            events: broadcast::channel(BACKLOG).0,
            control: watch::channel(Control::default()).0,
            open: Arc::new(AtomicUsize::new(0)),
            muted: AtomicBool::new(false),
        }
    }
}

impl EventHub {
    pub fn publish(&self, events: Vec<Event>) {
        if self.muted.load(Ordering::SeqCst) {
            return;
        }
        for event in events {
            // No subscribers is fine: nobody is listening.
            let _ = self.events.send(Arc::new(event));
        }
    }

    /// Ends every open stream (the connection is aborted, no terminating chunk).
    pub fn drop_streams(&self) {
        self.control.send_modify(|c| c.generation += 1);
    }

    /// While muted, changes happen without events: a client only sees them by fetching.
    pub fn set_muted(&self, muted: bool) {
        self.muted.store(muted, Ordering::SeqCst);
    }

    pub fn set_stalled(&self, stalled: bool) {
        self.control.send_modify(|c| c.stalled = stalled);
    }

    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Starts a stream: `attached` first, then matching events and heartbeats. `None` when
    /// too many streams are open.
    pub fn subscribe(
        &self,
        attached: Event,
        event_types: Vec<String>,
        heartbeat: Duration,
    ) -> Option<mpsc::Receiver<Chunk>> {
        if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let (tx, rx) = mpsc::channel(16);
        let events = self.events.subscribe();
        let control = self.control.subscribe();
        let open = self.open.clone();
        tokio::spawn(async move {
            pump(tx, events, control, attached, event_types, heartbeat).await;
            open.fetch_sub(1, Ordering::SeqCst);
        });
        Some(rx)
    }
}

async fn pump(
    out: mpsc::Sender<Chunk>,
    mut events: broadcast::Receiver<Arc<Event>>,
    mut control: watch::Receiver<Control>,
    attached: Event,
    event_types: Vec<String>,
    heartbeat: Duration,
) {
    let start = *control.borrow_and_update();
    let wanted = |e: &Event| event_types.is_empty() || event_types.contains(&e.event_type);
    let mut pending_attached = wanted(&attached).then_some(attached);
    let mut ticker = tokio::time::interval(heartbeat.max(Duration::from_millis(10)));
    ticker.tick().await; // the first tick is immediate; heartbeats start one period later
    loop {
        let now = *control.borrow();
        if now.generation != start.generation {
            let _ = out
                .send(Err(std::io::Error::other("event stream dropped")))
                .await;
            return;
        }
        if !now.stalled {
            if let Some(event) = pending_attached.take() {
                if out.send(Ok(Bytes::from(event.frame()))).await.is_err() {
                    return;
                }
            }
        }
        tokio::select! {
            changed = control.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            received = events.recv(), if !now.stalled => match received {
                Ok(event) => {
                    if wanted(&event) && out.send(Ok(Bytes::from(event.frame()))).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = out.send(Err(std::io::Error::other("event stream lagged"))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ticker.tick(), if !now.stalled => {
                // Jetty's EventSource heartbeat: a bare CRLF.
                if out.send(Ok(Bytes::from_static(b"\r\n"))).await.is_err() {
                    return;
                }
            }
            _ = out.closed() => return,
        }
    }
}
