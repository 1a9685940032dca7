//! A real ZooKeeper server for tests: Debian's `zookeeper` package (`/usr/share/java/
//! zookeeper.jar`, whose manifest carries its class path), run by hand because Debian's
//! `zookeeperd` service needs systemd.
//!
//! ```no_run
//! let mut zk = mesos_discovery_testkit::ZkServer::start().expect("ZooKeeper");
//! let url = zk.url("/mesos");          // zk://127.0.0.1:PORT/mesos
//! zk.kill();                            // crash it (SIGKILL)
//! zk.restart().unwrap();                // same port, same data
//! // dropped: killed, temp dir removed
//! ```
//!
//! Each server listens on a free 127.0.0.1 port with a temp data dir, the admin server off,
//! `tickTime=250` (so sessions expire promptly) and session timeouts allowed from 0.5 s to
//! 60 s. Environment: `ZOOKEEPER_CLASSPATH` overrides the class path, `JAVA` the java binary.
//! A missing installation is an error that says how to install it (tests fail loudly).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_CLASSPATH: &str = "/usr/share/java/zookeeper.jar";
/// A JVM on a loaded two-core machine can take a while.
const START_TIMEOUT: Duration = Duration::from_secs(90);
const TICK_MS: u32 = 250;

/// One ZooKeeper server process (standalone, or one member of an [`ensemble`]).
pub struct ZkServer {
    dir: PathBuf,
    config: PathBuf,
    port: u16,
    child: Option<Child>,
    own_dir: bool,
}

fn classpath() -> std::io::Result<String> {
    let classpath =
        std::env::var("ZOOKEEPER_CLASSPATH").unwrap_or_else(|_| DEFAULT_CLASSPATH.into());
    let first = classpath.split(':').next().unwrap_or_default();
    if !Path::new(first).exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "ZooKeeper is not installed ({first} is missing): run `apt-get install -y zookeeper` \
                 or set ZOOKEEPER_CLASSPATH"
            ),
        ));
    }
    Ok(classpath)
}

/// A port nobody listens on right now, below the kernel's ephemeral range: outgoing
/// connections take their local ports from that range, so a port found free there can be
/// taken before a server binds it. Ports handed out in one process never repeat (parallel
/// tests); the remaining race with other processes makes a server start fail loudly, and
/// [`ZkServer::start`] then tries another port.
pub fn free_port() -> std::io::Result<u16> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOW: u32 = 20_000;
    let high = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok())
        .filter(|&h| h > LOW + 1_000 && h <= 65_536)
        .unwrap_or(32_768);
    let span = high - LOW;
    // A start that differs between processes (pid and clock), then consecutive ports.
    let seed = std::process::id().wrapping_mul(7_919)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    let _ = NEXT.compare_exchange(0, seed % span + 1, Ordering::Relaxed, Ordering::Relaxed);
    for _ in 0..span {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % span;
        let port = (LOW + offset) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("no free 127.0.0.1 port in {LOW}..{high}"),
    ))
}

fn temp_dir(tag: &str) -> std::io::Result<PathBuf> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "mesos-discovery-{tag}-{}-{n}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn base_config(data_dir: &Path, port: u16) -> String {
    format!(
        "tickTime={TICK_MS}\n\
         minSessionTimeout=500\n\
         maxSessionTimeout=60000\n\
         initLimit=40\n\
         syncLimit=20\n\
         dataDir={}\n\
         clientPort={port}\n\
         clientPortAddress=127.0.0.1\n\
         admin.enableServer=false\n\
         4lw.commands.whitelist=*\n\
         preAllocSize=1024\n\
         forceSync=no\n\
         maxClientCnxns=0\n",
        data_dir.display()
    )
}

impl ZkServer {
    /// Starts a standalone server and waits until it serves requests. A server that exits
    /// before serving (its port taken meanwhile) is started again on another port, twice at
    /// most.
    pub fn start() -> std::io::Result<ZkServer> {
        let mut attempt = 0;
        loop {
            let dir = temp_dir("zk")?;
            let port = free_port()?;
            let config = dir.join("zoo.cfg");
            std::fs::create_dir_all(dir.join("data"))?;
            std::fs::write(&config, base_config(&dir.join("data"), port))?;
            let mut server = ZkServer {
                dir,
                config,
                port,
                child: None,
                own_dir: true,
            };
            server.spawn()?;
            match server.wait_serving(START_TIMEOUT) {
                Ok(()) => return Ok(server),
                // Exited (not merely slow): another port may do.
                Err(e) if attempt < 2 && server.child.is_none() => {
                    eprintln!("testkit: {e}\ntestkit: trying ZooKeeper on another port");
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let java = std::env::var("JAVA").unwrap_or_else(|_| "java".into());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("server-{}.log", self.port)))?;
        let child = Command::new(java)
            .args([
                "-Xms16m",
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.admin.enableServer=false",
                "-Dzookeeper.4lw.commands.whitelist=*",
                "-cp",
                &classpath()?,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            ])
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("could not run java: {e}")))?;
        self.child = Some(child);
        Ok(())
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `zk://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("zk://{}{path}", self.address())
    }

    /// Answer of a four-letter-word command, or `None` when the server does not answer.
    pub fn four_letter(&self, command: &str) -> Option<String> {
        let mut stream =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(2))
                .ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(command.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    }

    /// Whether the server answers requests (standalone, leader or follower).
    pub fn is_serving(&self) -> bool {
        self.four_letter("srvr")
            .is_some_and(|a| a.contains("Mode:"))
    }

    /// Waits until the server serves, or fails (with the server's log tail) after `timeout`.
    pub fn wait_serving(&mut self, timeout: Duration) -> std::io::Result<()> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.is_serving() {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(self.failure(&format!("ZooKeeper exited with {status}")));
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(self.failure(&format!("ZooKeeper did not serve within {timeout:?}")))
    }

    fn failure(&self, what: &str) -> std::io::Error {
        let log = std::fs::read_to_string(self.dir.join(format!("server-{}.log", self.port)))
            .unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        std::io::Error::other(format!(
            "{what} (port {}); log tail:\n{}",
            self.port,
            tail.join("\n")
        ))
    }

    fn signal(&self, signal: libc::c_int) {
        if let Some(child) = &self.child {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe {
                libc::kill(child.id() as libc::pid_t, signal);
            }
        }
    }

    /// Crashes the server (SIGKILL) and reaps it. Its data stays for [`restart`](Self::restart).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server gracefully (SIGTERM), killing it if it lingers.
    pub fn stop(&mut self) {
        self.signal(libc::SIGTERM);
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing answers, the way a
    /// partitioned or stalled server looks to clients.
    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// Thaws a [`pause`](Self::pause)d server.
    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    /// Starts the server again on the same port with the same data (after `kill`/`stop`).
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.kill();
        self.spawn()?;
        self.wait_serving(START_TIMEOUT)
    }

    /// Starts it again without waiting until it serves (ensemble members need a quorum).
    pub fn restart_no_wait(&mut self) -> std::io::Result<()> {
        self.kill();
        self.spawn()
    }
}

impl Drop for ZkServer {
    fn drop(&mut self) {
        self.resume();
        self.kill();
        if self.own_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A three-server ensemble on loopback; `servers[i]` can be killed and restarted one by one.
pub struct Ensemble {
    pub servers: Vec<ZkServer>,
    dir: PathBuf,
}

impl Ensemble {
    pub fn start(size: usize) -> std::io::Result<Ensemble> {
        let dir = temp_dir("zk-ensemble")?;
        let ports: Vec<(u16, u16, u16)> = (0..size)
            .map(|_| Ok((free_port()?, free_port()?, free_port()?)))
            .collect::<std::io::Result<_>>()?;
        let peers: String = ports
            .iter()
            .enumerate()
            .map(|(i, (_, quorum, election))| {
                format!("server.{}=127.0.0.1:{quorum}:{election}\n", i + 1)
            })
            .collect();
        let mut servers = Vec::new();
        for (i, (client, _, _)) in ports.iter().enumerate() {
            let member = dir.join(format!("s{}", i + 1));
            let data = member.join("data");
            std::fs::create_dir_all(&data)?;
            std::fs::write(data.join("myid"), format!("{}\n", i + 1))?;
            let config = member.join("zoo.cfg");
            std::fs::write(&config, format!("{}{peers}", base_config(&data, *client)))?;
            let mut server = ZkServer {
                dir: member,
                config,
                port: *client,
                child: None,
                own_dir: false,
            };
            server.spawn()?;
            servers.push(server);
        }
        let mut ensemble = Ensemble { servers, dir };
        for server in &mut ensemble.servers {
            server.wait_serving(START_TIMEOUT)?;
        }
        Ok(ensemble)
    }

    /// `127.0.0.1:P1,127.0.0.1:P2,…`.
    pub fn connect_string(&self) -> String {
        self.servers
            .iter()
            .map(ZkServer::address)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn url(&self, path: &str) -> String {
        format!("zk://{}{path}", self.connect_string())
    }
}

impl Drop for Ensemble {
    fn drop(&mut self) {
        self.servers.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
