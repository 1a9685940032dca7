//! Hostile inputs found in review: a server page that reflects our credentials, and a
//! `file://` ZooKeeper URL pointing at an endless file.

mod support;

use mesos_discovery::zk::ZkUrl;
use mesos_discovery::ErrorKind;
use mesos_discovery_workbench::{encode_base64, Fault, FaultRule, Side};
use support::*;

#[test]
fn server_text_that_reflects_our_credentials_is_scrubbed() {
    let wb = start(cluster_file("carbon.json"));
    let token = "tok-reflected-5e1";
    let page = format!("<html><head><title>Error 503 bad gateway for Authorization: token={token}</title></head></html>");
    wb.admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::Status {
                status: 503,
                body: Some(page),
                content_type: Some("text/html".into()),
            },
        ))
        .unwrap();
    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("MARATHON_AUTH_TOKEN", token),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert!(e.message().contains("token=***"), "{e}");
    assert!(!e.message().contains(token), "{e}");

    let basic = encode_base64(b"carbon:pw-reflected-77");
    let page = format!(
        "<html><head><title>Error 502 upstream rejected Basic {basic}</title></head></html>"
    );
    wb.admin().clear_faults();
    wb.admin()
        .add_fault(FaultRule::always(
            Side::Marathon,
            Fault::Status {
                status: 502,
                body: Some(page),
                content_type: None,
            },
        ))
        .unwrap();
    let e = discover(&[
        ("MARATHON_ENDPOINT", &wb.url()),
        ("MARATHON_APPLICATIONS", "/wso2/worker"),
        ("ENABLE_MARATHON_BASIC_AUTH", "true"),
        ("MARATHON_USERNAME", "carbon"),
        ("MARATHON_PASSWORD", "pw-reflected-77"),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ])
    .unwrap_err();
    assert!(
        !e.message().contains(&basic) && !e.message().contains("pw-reflected-77"),
        "{e}"
    );
}

#[test]
fn zk_url_files_are_bounded() {
    let e = ZkUrl::parse("file:///dev/zero").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("larger than"), "{e}");
    let dir = std::env::temp_dir().join(format!("md-zkurl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("url");
    std::fs::write(&good, "zk://127.0.0.1:2181/mesos\n").unwrap();
    assert!(ZkUrl::parse(&format!("file://{}", good.display())).is_ok());
    let binary = dir.join("binary");
    std::fs::write(&binary, b"zk://\xff\xfe/mesos").unwrap();
    assert_eq!(
        ZkUrl::parse(&format!("file://{}", binary.display()))
            .unwrap_err()
            .kind(),
        ErrorKind::Config
    );
    let _ = std::fs::remove_dir_all(&dir);
}
