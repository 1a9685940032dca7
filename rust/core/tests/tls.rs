//! HTTPS through rustls against a real TLS server (`openssl s_server`) with a certificate
//! chain made for the test: trusted through MESOS_DISCOVERY_CA_BUNDLE, refused without it,
//! accepted with the explicit skip-verify switch; bad bundles are configuration errors.
//!
//! `s_server -www` answers every GET with an HTML status page, so a completed exchange shows
//! up as "not a Marathon app response" (protocol) while a refused certificate is a network
//! error: the two are told apart by kind.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mesos_discovery::ErrorKind;
use support::*;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn make_chain(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=mesos-discovery test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("openssl")
        .current_dir(dir)
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-www",
            "-naccept",
            "20",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // s_server prints "ACCEPT" once it listens.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("ACCEPT") => break,
            Some(Ok(_)) => {}
            _ => panic!("openssl s_server did not start"),
        }
        assert!(Instant::now() < deadline);
    }
    std::thread::spawn(move || for _ in lines {});
    (Server(child), format!("https://127.0.0.1:{port}"))
}

#[test]
fn https_with_ca_bundle_system_roots_and_skip_verify() {
    let dir = tempdir();
    make_chain(&dir);
    let (_server, url) = serve(&dir);
    let ca = dir.join("ca.pem").display().to_string();
    let base = [
        ("MARATHON_ENDPOINT", url.as_str()),
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_RETRIES", "0"),
    ];

    let mut trusted = base.to_vec();
    trusted.push(("MESOS_DISCOVERY_CA_BUNDLE", &ca));
    let e = discover(&trusted).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Protocol,
        "handshake verified, then an HTML page: {e}"
    );

    let e = discover(&base).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Network,
        "unknown issuer is refused: {e}"
    );
    assert!(e.message().contains(&url), "{e}");

    let mut skipped = base.to_vec();
    skipped.push(("MESOS_DISCOVERY_TLS_SKIP_VERIFY", "true"));
    let e = discover(&skipped).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_ca_bundles_are_config_errors_naming_the_key() {
    let dir = tempdir();
    let missing = dir.join("missing.pem").display().to_string();
    let e = config(&[
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_CA_BUNDLE", &missing),
    ])
    .unwrap_err();
    assert!(e.message().starts_with("MESOS_DISCOVERY_CA_BUNDLE="), "{e}");

    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let e = discover(&[
        ("MARATHON_APPLICATIONS", "/a"),
        ("MESOS_DISCOVERY_CA_BUNDLE", &garbage.display().to_string()),
    ])
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.message().starts_with("MESOS_DISCOVERY_CA_BUNDLE="), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "md-tls-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
