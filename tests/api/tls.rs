//! `--tls-cert`/`--tls-key`: the API over HTTPS with rustls, and clear refusals of bad key files.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).expect("write key");
    (cert_path, key_path, cert.cert.der().to_vec())
}

fn config(dir: &std::path::Path) -> privzone_server::Config {
    let mut c = privzone_server::Config::with_data_dir(dir.join("data"));
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.admin_password = Some(privzone_server::Secret::new(crate::harness::ADMIN_PASSWORD));
    c
}

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key, der) = self_signed(dir.path());
    let mut c = config(dir.path());
    c.tls_cert = Some(cert);
    c.tls_key = Some(key);
    let running = privzone_server::start(c).await.expect("starts with TLS");

    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.into()).expect("trust the test certificate");
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(running.addr)
        .await
        .expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    tls.write_all(
        b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("send");
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.ok();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"name\":\"privzone\""), "{answer}");

    // Plain HTTP on the TLS port gets no API answer (the handshake fails).
    let plain = reqwest::get(format!(
        "http://{}/api/v3/onezone/configuration",
        running.addr
    ))
    .await;
    assert!(
        plain.is_err(),
        "plain HTTP must not be served on the HTTPS port"
    );
}

#[tokio::test]
async fn unreadable_or_mismatched_key_files_stop_start_up_with_a_message() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, _, _) = self_signed(dir.path());
    let mut c = config(dir.path());
    c.tls_cert = Some(cert.clone());
    c.tls_key = Some(dir.path().join("missing.pem"));
    let e = privzone_server::start(c).await.err().expect("must refuse");
    assert!(e.to_string().contains("missing.pem"), "{e}");

    let mut c = config(dir.path());
    c.tls_cert = Some(cert.clone());
    c.tls_key = Some(cert.clone());
    let e = privzone_server::start(c)
        .await
        .err()
        .expect("a certificate is no key");
    assert!(e.to_string().contains("private key"), "{e}");

    let mut c = config(dir.path());
    c.tls_cert = Some(cert);
    let e = privzone_server::start(c).await.err().expect("key missing");
    assert!(e.to_string().contains("together"), "{e}");
}
