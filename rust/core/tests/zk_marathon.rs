//! Marathon found through ZooKeeper (`MARATHON_ENDPOINT=zk://…/marathon`) against a real
//! ZooKeeper, with fake Marathons registered exactly as Marathon registers (testkit): the
//! Curator latch layout (with the legacy tombstone beside it) and the legacy `member_` layout,
//! digest credentials, no leader (a clear error after the deadline), a garbage leader znode
//! (a protocol error naming it), a live watcher moving its stream to a new leader while the
//! deposed one still answers, and the follower's own session expiring.

mod support;
mod zk_support;

use std::time::{Duration, Instant};

use mesos_discovery::membership::Membership;
use mesos_discovery::watch::{MembershipState, MembershipWatcher};
use mesos_discovery::zk::{DetectOptions, LeaderFollower, MarathonZk, ZkUrl};
use mesos_discovery::{Config, ErrorKind};
use mesos_discovery_testkit::marathon_leader::{self, Layout};
use mesos_discovery_testkit::master;
use mesos_discovery_workbench::Workbench;
use support::{cluster_file, start};
use zk_support::{zk, ZkServer};
use zookeeper_client as zkc;

const WAIT: Duration = Duration::from_secs(20);
const APPS: &str = "/wso2/manager,/wso2/worker";

/// A Marathon candidate: its session holds its registration.
struct Candidate {
    client: zkc::Client,
    znode: String,
}

async fn candidate(
    server: &ZkServer,
    layout: Layout,
    marathon: &Workbench,
    credentials: Option<&str>,
) -> Candidate {
    let client = master::connect(&server.address(), credentials, Duration::from_secs(30))
        .await
        .unwrap();
    let host_port = format!("127.0.0.1:{}", marathon.addr().port());
    let znode = marathon_leader::register(
        &client,
        "/marathon",
        layout,
        &host_port,
        credentials.is_some(),
    )
    .await
    .unwrap();
    Candidate { client, znode }
}

fn config(zk_url: &str, deadline: &str) -> Config {
    Config::from_map([
        ("MARATHON_ENDPOINT", zk_url),
        ("MARATHON_APPLICATIONS", APPS),
        ("MESOS_DISCOVERY_CONNECT_TIMEOUT", "1"),
        ("MESOS_DISCOVERY_REQUEST_TIMEOUT", "2"),
        ("MESOS_DISCOVERY_DEADLINE", deadline),
    ])
    .unwrap()
}

async fn discover(zk_url: &str, deadline: &str) -> mesos_discovery::Result<usize> {
    let found = Membership::open(config(zk_url, deadline))?
        .refresh()
        .await?;
    Ok(found.members.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curator_layout_wins_over_the_legacy_tombstone() {
    let server = zk();
    let leader = start(cluster_file("carbon.json"));
    let _c = candidate(&server, Layout::Curator, &leader, None).await;
    // The tombstone a 1.2–1.4 leader leaves in <path>/leader names a dead address.
    let ghost = master::connect(&server.address(), None, Duration::from_secs(30))
        .await
        .unwrap();
    marathon_leader::register_tombstone(&ghost, "/marathon", "127.0.0.1:1", false)
        .await
        .unwrap();
    assert_eq!(discover(&server.url("/marathon"), "10").await.unwrap(), 5);
    assert_eq!(leader.admin().requests("/v2/apps/wso2/manager"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_layout_lowest_member_leads() {
    let server = zk();
    let first = start(cluster_file("carbon.json"));
    let second = start(cluster_file("carbon.json"));
    let _a = candidate(&server, Layout::Legacy, &first, None).await;
    let _b = candidate(&server, Layout::Legacy, &second, None).await;
    assert_eq!(discover(&server.url("/marathon"), "10").await.unwrap(), 5);
    assert_eq!(first.admin().requests("/v2/apps/wso2/manager"), 1);
    assert_eq!(second.admin().requests("/v2/apps/wso2/manager"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_credentials_read_creator_only_nodes() {
    let server = zk();
    let marathon = start(cluster_file("carbon.json"));
    let _c = candidate(
        &server,
        Layout::Curator,
        &marathon,
        Some("marathon:zk-pw-77"),
    )
    .await;
    let with = format!("zk://marathon:zk-pw-77@{}/marathon", server.address());
    assert_eq!(discover(&with, "10").await.unwrap(), 5);
    let e = discover(&server.url("/marathon"), "5").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let e = discover(
        &format!("zk://marathon:wrong@{}/marathon", server.address()),
        "5",
    )
    .await
    .unwrap_err();
    assert!(!e.message().contains("wrong"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_leader_is_a_clear_error_after_the_deadline() {
    let server = zk();
    let started = Instant::now();
    let e = discover(&server.url("/marathon"), "2").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
    assert!(e.message().contains("no Marathon leader"), "{e}");
    assert!(e.message().contains("/marathon/leader-curator"), "{e}");
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(started.elapsed() < Duration::from_secs(10));
    // A ZooKeeper nobody serves: a timeout within the deadline too.
    let port = mesos_discovery_testkit::free_port().unwrap();
    let started = Instant::now();
    let e = discover(&format!("zk://127.0.0.1:{port}/marathon"), "2")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_registered_during_the_wait_is_used() {
    let server = zk();
    let marathon = start(cluster_file("carbon.json"));
    let url = server.url("/marathon");
    let discovery = tokio::spawn(async move { discover(&url, "15").await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _c = candidate(&server, Layout::Curator, &marathon, None).await;
    assert_eq!(discovery.await.unwrap().unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_leader_znode_is_a_protocol_error_naming_it() {
    let server = zk();
    let marathon = start(cluster_file("carbon.json"));
    let c = candidate(&server, Layout::Curator, &marathon, None).await;
    marathon_leader::overwrite(&c.client, &c.znode, b"\x08\x96\x01 not host:port")
        .await
        .unwrap();
    let e = discover(&server.url("/marathon"), "5").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.message().contains(&c.znode), "{e}");
}

async fn until(
    w: &MembershipWatcher,
    mut state: MembershipState,
    pred: impl Fn(&MembershipState) -> bool,
) -> MembershipState {
    let deadline = Instant::now() + WAIT;
    while !pred(&state) {
        assert!(Instant::now() < deadline, "not reached in time: {state:?}");
        state = tokio::time::timeout(WAIT, w.changed(state.generation))
            .await
            .expect("a change in time")
            .unwrap();
    }
    state
}

async fn stream_opened(marathon: &Workbench) -> Duration {
    let started = Instant::now();
    while marathon.admin().open_event_streams() == 0 {
        assert!(started.elapsed() < WAIT, "no event stream opened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_moves_its_stream_to_a_new_leader_at_once() {
    let server = zk();
    let old = start(cluster_file("carbon.json"));
    let new = start(cluster_file("carbon.json"));
    let deposed = candidate(&server, Layout::Curator, &old, None).await;
    let _next = candidate(&server, Layout::Curator, &new, None).await;
    let w = MembershipWatcher::start(config(&server.url("/marathon"), "10")).unwrap();
    let s = until(&w, MembershipState::default(), |s| s.generation > 0).await;
    assert_eq!(s.members.len(), 5);
    stream_opened(&old).await;
    assert_eq!(new.admin().open_event_streams(), 0);

    // The old leader loses its latch but keeps answering (and its stream stays up).
    master::close(deposed.client).await;
    let moved_in = stream_opened(&new).await;
    assert!(
        moved_in < Duration::from_secs(5),
        "moved after {moved_in:?}"
    );
    new.admin().scale("/wso2/worker", 4).unwrap();
    let s = until(&w, s, |s| s.members.len() == 6).await;
    assert_eq!(s.error, None);
    old.admin().scale("/wso2/worker", 1).unwrap(); // the deposed one is not followed
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(w.snapshot().members.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follower_survives_its_session_expiring() {
    let server = zk();
    let first = start(cluster_file("carbon.json"));
    let second = start(cluster_file("carbon.json"));
    let a = candidate(&server, Layout::Legacy, &first, None).await;
    let zk_url = ZkUrl::parse(&server.url("/marathon")).unwrap();
    let follower = LeaderFollower::start(
        MarathonZk {
            url: zk_url,
            https: false,
        },
        DetectOptions {
            session_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(20),
        },
    );
    let mut leader = follower.leader();
    let first_url = format!("http://127.0.0.1:{}/", first.addr().port());
    let second_url = format!("http://127.0.0.1:{}/", second.addr().port());
    let seen = tokio::time::timeout(WAIT, leader.wait_for(|l| l.is_some()))
        .await
        .unwrap()
        .unwrap()
        .clone();
    assert_eq!(seen.unwrap().as_str(), first_url);

    follower.expire_session_for_test().await.unwrap();
    // While the follower builds a new session, the leadership moves.
    let _b = candidate(&server, Layout::Legacy, &second, None).await;
    master::close(a.client).await;
    let seen = tokio::time::timeout(
        WAIT,
        leader.wait_for(|l| l.as_ref().is_some_and(|u| u.as_str() == second_url)),
    )
    .await
    .expect("the new leader is seen over a new session")
    .unwrap()
    .clone();
    assert_eq!(seen.unwrap().as_str(), second_url);
}

#[test]
fn zk_urls_are_parsed_with_servers_and_credentials_never_shown() {
    let c = Config::from_map([
        (
            "MARATHON_ENDPOINT",
            "zk://marathon:s3cret@zk1:2181,zk2:2181,zk3/marathon",
        ),
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_MARATHON_ZK_HTTPS", "true"),
    ])
    .unwrap();
    let zk = c.marathon_zk.as_ref().unwrap();
    assert_eq!(zk.url.servers().len(), 3);
    assert_eq!(zk.url.path(), "/marathon");
    assert!(zk.https);
    assert!(c.marathon_endpoints.is_empty());
    assert!(!format!("{c:?}").contains("s3cret"));
    let e = Config::from_map([
        ("MARATHON_ENDPOINT", "zk://u:s3cret@/marathon"),
        ("MARATHON_APPLICATIONS", "/a"),
    ])
    .unwrap_err();
    assert!(e.message().starts_with("MARATHON_ENDPOINT"), "{e}");
    assert!(!e.message().contains("s3cret"), "{e}");
    let e = Config::from_map([
        ("MARATHON_ENDPOINT", "http://m:8080"),
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_MARATHON_ZK_HTTPS", "true"),
    ])
    .unwrap_err();
    assert!(e.message().contains("zk://"), "{e}");
}
