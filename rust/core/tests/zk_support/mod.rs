//! Shared by the `zk_*` integration tests: a real ZooKeeper and fake masters registered the
//! way Mesos registers them. Waits are bounded and generous (a loaded two-core machine).

#![allow(dead_code)]

use std::time::Duration;

use mesos_discovery::zk::{DetectOptions, ZkUrl};
use mesos_discovery_testkit::master::{self, AclMode};
pub use mesos_discovery_testkit::{FakeMaster, Format, ZkServer};
use zookeeper_client as zkc;

pub fn zk() -> ZkServer {
    ZkServer::start().expect("ZooKeeper is required for these tests (apt-get install zookeeper)")
}

pub fn url(server: &ZkServer, path: &str) -> ZkUrl {
    ZkUrl::parse(&server.url(path)).unwrap()
}

pub fn opts() -> DetectOptions {
    DetectOptions {
        session_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(20),
    }
}

/// A fake master registered and alive until `leave` (clean close) or drop.
pub struct Registered {
    pub znode: String,
    client: Option<zkc::Client>,
}

impl Registered {
    pub async fn leave(mut self) {
        if let Some(client) = self.client.take() {
            master::close(client).await;
        }
    }
}

pub async fn register_with(
    server: &ZkServer,
    path: &str,
    prefix: &str,
    data: &[u8],
    credentials: Option<&str>,
    acl: AclMode,
    session_timeout: Duration,
) -> Registered {
    let client = master::connect(&server.address(), credentials, session_timeout)
        .await
        .expect("connect fake master");
    let znode = master::join(&client, path, prefix, data, credentials.is_some(), acl)
        .await
        .expect("register fake master");
    Registered {
        znode,
        client: Some(client),
    }
}

pub async fn register(
    server: &ZkServer,
    path: &str,
    format: Format,
    fake: &FakeMaster,
) -> Registered {
    register_with(
        server,
        path,
        format.prefix(),
        &fake.encode(format),
        None,
        AclMode::Mesos,
        Duration::from_secs(30),
    )
    .await
}

pub fn fake(id: &str, ip: &str, port: u16) -> FakeMaster {
    FakeMaster::new(id, ip.parse().unwrap(), port)
}

/// Creates a persistent node (e.g. `log_replicas`), parents included.
pub async fn create_persistent(server: &ZkServer, path: &str) {
    let client = master::connect(&server.address(), None, Duration::from_secs(10))
        .await
        .unwrap();
    client
        .mkdir(
            path,
            &zkc::CreateMode::Persistent.with_acls(zkc::Acls::anyone_all()),
        )
        .await
        .unwrap();
    master::close(client).await;
}
