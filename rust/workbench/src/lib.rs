//! The workbench: an emulated Marathon + Mesos-DNS, serving from a cluster description the
//! same bytes the real servers would (shapes of Marathon 1.1, 1.4, 1.5 and 1.10; Mesos-DNS's
//! go-restful output and naming rules), with an admin API to change the cluster, inject faults
//! and count requests. It is the test fixture of every language binding and the
//! `mesos-discovery workbench` command. It does not depend on the client crate on purpose.
//!
//! ```no_run
//! use mesos_discovery_workbench::{Cluster, Fault, FaultRule, Side, Workbench};
//!
//! let cluster = Cluster::from_json_str(r#"{
//!     "apps": [{"id": "/wso2/manager", "instances": 2,
//!               "ports": [{"name": "hazelcast"}]}]
//! }"#).unwrap();
//! let wb = Workbench::start(cluster).unwrap(); // 127.0.0.1:<free port>, own thread + runtime
//! let base = wb.url();                          // "http://127.0.0.1:PORT": Marathon AND Mesos-DNS
//! // GET {base}/v2/apps/wso2/manager           -> {"app": {...}}
//! // GET {base}/v1/services/_manager-wso2._tcp.marathon.mesos
//! let admin = wb.admin();
//! admin.scale("/wso2/manager", 3).unwrap();     // emits Marathon events on /v2/events
//! let first = admin.task_ids("/wso2/manager")[0].clone();
//! admin.set_health(&first, Some(false)).unwrap();
//! admin.add_fault(FaultRule::once(Side::Marathon, Fault::Close)).unwrap();
//! assert_eq!(admin.requests("/v2/apps/wso2/manager"), 0);
//! drop(wb); // stops the server
//! ```
//!
//! Usable from synchronous and asynchronous tests alike: the server runs on its own thread
//! with its own tokio runtime, and dropping the [`Workbench`] stops it. One listener serves
//! both APIs (paths do not overlap); DC/OS-style prefixes `/service/marathon` and `/mesos_dns`
//! work too. The cluster file format, the endpoints and the admin API are documented in the
//! README ("Workbench") and in [`cluster`] and [`admin`].

mod acs;
pub mod admin;
mod auth;
pub mod clock;
pub mod cluster;
mod events;
pub mod faults;
mod http;
mod hub;
mod ids;
pub mod json;
mod marathon;
mod mesos_dns;
mod server;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

pub use acs::LOGIN_PATH as ACS_LOGIN_PATH;
pub use admin::{Admin, TaskInfo};
pub use auth::encode_base64;
pub use cluster::{
    AcsSpec, AppSpec, Cluster, HealthSpec, LeaderSpec, MarathonVersion, NetworkMode,
    ServiceAccountSpec, TaskSpec, TaskState,
};
pub use faults::{Fault, FaultRule, Side};

/// A running workbench. Dropping it stops the server and closes every connection.
#[derive(Debug)]
pub struct Workbench {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Workbench {
    /// Serves `cluster` on 127.0.0.1 at a free port.
    pub fn start(cluster: Cluster) -> Result<Workbench, String> {
        Workbench::start_on(cluster, "127.0.0.1:0")
    }

    /// Serves `cluster` on `listen` (`host:port`; port 0 picks a free one). The workbench
    /// has no security of its own beyond the emulated auth: keep it on loopback.
    pub fn start_on(cluster: Cluster, listen: &str) -> Result<Workbench, String> {
        let world = world::World::build(&cluster)?;
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(server::Shared::new(world, base_url));
        let (shutdown, shutdown_rx) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("workbench")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the workbench runtime: {e}"))?;
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("workbench".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => server::serve(listener, serving, shutdown_rx).await,
                        Err(e) => eprintln!("workbench: cannot serve: {e}"),
                    }
                });
                // Hung requests and open streams are cut here rather than awaited.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .map_err(|e| format!("cannot start the workbench thread: {e}"))?;
        Ok(Workbench {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, the base URL of Marathon and Mesos-DNS alike.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// Marathon's base URL (the same as [`Workbench::url`]).
    pub fn marathon_url(&self) -> String {
        self.url()
    }

    /// Mesos-DNS's base URL (the same as [`Workbench::url`]).
    pub fn mesos_dns_url(&self) -> String {
        self.url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn admin(&self) -> Admin {
        Admin {
            shared: self.shared.clone(),
        }
    }

    /// Blocks until the workbench stops (it only stops when dropped, so: forever). For
    /// front ends that serve until the process is signalled.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Workbench {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
