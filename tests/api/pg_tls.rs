//! PostgreSQL over TLS: `sslmode` and `sslrootcert` in the database URL, checked against a
//! private PostgreSQL server with `ssl = on`, a certificate of a test CA for `localhost` and
//! 127.0.0.1, and a `pg_hba.conf` that only lets TLS connections in (`hostssl`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use privzone_store::{ChangeLog, PgLog, StoreError};
use serde_json::json;

use crate::cluster::PrivatePostgres;
use crate::harness::{Auth, TestServer};

/// The test CA, and a second CA that signed nothing the server presents.
struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
}

fn ca(name: &str) -> (rcgen::Certificate, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate().expect("CA key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert, key)
}

/// initdb, a server certificate signed by a fresh CA in the data directory (key mode 0600, owned
/// by the server's user), `ssl = on` and `hostssl` only; then starts the server.
fn tls_server() -> Option<(PrivatePostgres, Pki)> {
    let pg = PrivatePostgres::init()?;
    let (ca_cert, ca_key) = ca("privzone test CA");
    let (other_cert, _) = ca("some other CA");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let server_cert = params
        .signed_by(&server_key, &ca_cert, &ca_key)
        .expect("server certificate");

    let data = pg.data_dir().to_path_buf();
    pg.write_file(
        &data.join("server.crt"),
        server_cert.pem().as_bytes(),
        0o644,
    );
    pg.write_file(
        &data.join("server.key"),
        server_key.serialize_pem().as_bytes(),
        0o600,
    );
    let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("postgresql.conf");
    conf.push_str("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
    pg.write_file(&data.join("postgresql.conf"), conf.as_bytes(), 0o600);
    set_hba(&pg, "hostssl");
    pg.start_server();

    let dir = tempfile::tempdir().expect("temp dir");
    let (ca, other_ca) = (dir.path().join("ca.pem"), dir.path().join("other-ca.pem"));
    std::fs::write(&ca, ca_cert.pem()).expect("write ca.pem");
    std::fs::write(&other_ca, other_cert.pem()).expect("write other-ca.pem");
    Some((
        pg,
        Pki {
            _dir: dir,
            ca,
            other_ca,
        },
    ))
}

/// TCP connections from 127.0.0.1 of the given `pg_hba.conf` type (`hostssl`, `hostnossl`).
fn set_hba(pg: &PrivatePostgres, kind: &str) {
    let hba = format!("local all all trust\n{kind} all all 127.0.0.1/32 trust\n");
    pg.write_file(&pg.data_dir().join("pg_hba.conf"), hba.as_bytes(), 0o600);
}

fn url(host: &str, port: u16, params: &str) -> String {
    format!("postgres://postgres:s3cret@{host}:{port}/postgres?{params}")
}

fn rootcert(path: &Path) -> String {
    format!("sslrootcert={}", path.display())
}

/// Opens the log with `url` (off the async runtime: the client is synchronous) and reads its
/// head once, so a success means queries work over that connection.
async fn open(url: String) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(move || PgLog::open(&url).and_then(|mut log| log.head().map(drop)))
        .await
        .expect("open task")
}

/// The start-up error for `url`, which must name `cause` and never show the password.
async fn refused(url: String, cause: &str) -> String {
    let e = open(url.clone())
        .await
        .expect_err(&format!("must be refused ({cause})"));
    let msg = e.to_string();
    assert!(matches!(e, StoreError::Unavailable(_)), "{msg}");
    assert!(msg.contains(cause), "expected {cause:?} in: {msg}");
    assert!(!msg.contains("s3cret"), "the password leaked: {msg}");
    eprintln!("refused as expected: {msg}");
    msg
}

#[tokio::test]
async fn a_tls_only_server_is_reached_as_each_sslmode_says() {
    let Some((pg, pki)) = tokio::task::spawn_blocking(tls_server)
        .await
        .expect("server task")
    else {
        return;
    };
    let port = pg.port();
    let ca = rootcert(&pki.ca);
    let other = rootcert(&pki.other_ca);

    // verify-full: the whole service (writer and LISTEN follower) runs over verified TLS.
    let full = url("localhost", port, &format!("sslmode=verify-full&{ca}"));
    let a = TestServer::start_on_postgres(&full).await;
    let b = TestServer::start_on_postgres(&url(
        "127.0.0.1",
        port,
        &format!("sslmode=verify-full&{ca}"),
    ))
    .await;
    let w = a
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_spaces_list"]}),
        )
        .await;
    w.expect(204);
    let start = Instant::now();
    while b
        .get("/user/privileges", &Auth::admin())
        .await
        .set("privileges")
        != vec!["oz_spaces_list".to_string()]
    {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "node b never saw the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // require: encrypted, no certificate check…
    open(url("localhost", port, "sslmode=require"))
        .await
        .expect("require");
    // …unless sslrootcert is given: then the chain is checked, as libpq does.
    open(url("localhost", port, &format!("sslmode=require&{ca}")))
        .await
        .expect("require with the right CA");
    refused(
        url("localhost", port, &format!("sslmode=require&{other}")),
        "invalid peer certificate: UnknownIssuer",
    )
    .await;

    // verify-full checks the name the URL gives (hostaddr only says where to connect)…
    refused(
        url(
            "db.invalid",
            port,
            &format!("hostaddr=127.0.0.1&sslmode=verify-full&{ca}"),
        ),
        "not valid for name",
    )
    .await;
    // …verify-ca only the chain.
    open(url(
        "db.invalid",
        port,
        &format!("hostaddr=127.0.0.1&sslmode=verify-ca&{ca}"),
    ))
    .await
    .expect("verify-ca ignores the name");
    refused(
        url("localhost", port, &format!("sslmode=verify-ca&{other}")),
        "invalid peer certificate: UnknownIssuer",
    )
    .await;
    // Without sslrootcert the system's roots are used, which do not hold the test CA.
    let msg = refused(
        url("localhost", port, "sslmode=verify-full"),
        "sslmode=verify-full",
    )
    .await;
    assert!(
        msg.contains("UnknownIssuer")
            || msg.contains("no trusted CA certificate in the system store"),
        "{msg}"
    );

    // disable: plain, which this hostssl-only server refuses.
    refused(
        url("localhost", port, "sslmode=disable"),
        "no pg_hba.conf entry",
    )
    .await;
    // prefer (also when sslmode is absent): TLS when the server takes it.
    open(url("localhost", port, "sslmode=prefer"))
        .await
        .expect("prefer");
    open(url("localhost", port, "application_name=privzone"))
        .await
        .expect("libpq's default, prefer");

    // A bad sslrootcert stops the service's start-up with the cause.
    let missing = pki.ca.with_file_name("missing.pem");
    refused(
        url(
            "localhost",
            port,
            &format!("sslmode=verify-full&{}", rootcert(&missing)),
        ),
        "cannot read sslrootcert",
    )
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = privzone_server::Config::with_data_dir(dir.path().join("data"));
    config.listen = "127.0.0.1:0".parse().expect("addr");
    config.admin_password = Some(privzone_server::Secret::new(crate::harness::ADMIN_PASSWORD));
    config.database_url = Some(privzone_server::Secret::new(url(
        "localhost",
        port,
        &format!("sslmode=verify-full&{}", rootcert(&missing)),
    )));
    let Err(e) = privzone_server::start(config).await else {
        panic!("the service started with a missing sslrootcert");
    };
    let msg = e.to_string();
    assert!(msg.contains("cannot read sslrootcert"), "{msg}");
    assert!(msg.contains("missing.pem"), "{msg}");
    assert!(!msg.contains("s3cret"), "{msg}");
    drop(pg);
}

/// Repeats `check` until it holds (a reloaded configuration takes a moment to apply).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(10), "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn prefer_falls_back_to_plain_and_require_refuses_a_server_without_tls() {
    let Some((pg, pki)) = tokio::task::spawn_blocking(tls_server)
        .await
        .expect("server task")
    else {
        return;
    };
    let port = pg.port();
    let ca = rootcert(&pki.ca);

    // The server takes TLS but lets only plain connections in (`hostnossl`): libpq's prefer
    // retries without TLS after the refusal; require cannot.
    let pg = tokio::task::spawn_blocking(move || {
        set_hba(&pg, "hostnossl");
        pg.reload();
        pg
    })
    .await
    .expect("reload task");
    eventually("pg_hba.conf reloaded", async || {
        open(url("localhost", port, "sslmode=disable"))
            .await
            .is_ok()
    })
    .await;
    open(url("localhost", port, "sslmode=prefer"))
        .await
        .expect("prefer falls back to plain");
    refused(
        url("localhost", port, &format!("sslmode=verify-full&{ca}")),
        "no pg_hba.conf entry",
    )
    .await;

    // A server with TLS off answers the TLS request with "no": prefer goes on in plain text,
    // require and verify-* stop with that cause.
    let admin = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("admin connection");
        c.batch_execute("ALTER SYSTEM SET ssl = off")
            .expect("ssl off");
        c.batch_execute("SELECT pg_reload_conf()").expect("reload");
    })
    .await
    .expect("admin task");
    eventually("ssl = off applied", async || {
        open(url("localhost", port, "sslmode=require"))
            .await
            .is_err_and(|e| e.to_string().contains("server does not support TLS"))
    })
    .await;
    for mode in ["require", "verify-ca", "verify-full"] {
        refused(
            url("localhost", port, &format!("sslmode={mode}&{ca}")),
            "server does not support TLS",
        )
        .await;
    }
    let a = TestServer::start_on_postgres(&url("localhost", port, "sslmode=prefer")).await;
    a.get("/user/privileges", &Auth::admin()).await.expect(200);
    drop(pg);
}
