//! Several nodes on one PostgreSQL database: one revision sequence, every node converges, and
//! `X-Privzone-Min-Revision` gives read-your-writes on any node.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::harness::{Auth, Response, TestServer};

async fn two_nodes() -> Option<(TestServer, TestServer)> {
    // The synchronous PostgreSQL client runs its own runtime: keep it off this one.
    let url = tokio::task::spawn_blocking(privzone_store::conformance::fresh_postgres_database)
        .await
        .expect("database task")?;
    let a = TestServer::start_on_postgres(&url).await;
    let b = TestServer::start_on_postgres(&url).await;
    Some((a, b))
}

fn revision_of(r: &Response) -> u64 {
    r.header("x-privzone-revision")
        .and_then(|v| v.parse().ok())
        .expect("X-Privzone-Revision on the response")
}

async fn get_at_revision(s: &TestServer, path: &str, revision: Option<u64>) -> Response {
    let mut req = s
        .client
        .request(Method::GET, format!("{}{}", s.base, path))
        .basic_auth("admin", Some(crate::harness::ADMIN_PASSWORD));
    if let Some(r) = revision {
        req = req.header("X-Privzone-Min-Revision", r.to_string());
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_default();
    Response {
        status,
        headers,
        body,
        text,
    }
}

#[tokio::test]
async fn both_nodes_bootstrap_once_and_share_the_admin() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    for s in [&a, &b] {
        let r = s.get("/groups/admins/privileges", &Auth::admin()).await;
        r.expect(200);
        assert_eq!(r.set("privileges").len(), 91);
    }
    // The second node's bootstrap found everything in place and wrote nothing new.
    let ra = a.get("/configuration", &Auth::Nobody).await;
    let rb = b.get("/configuration", &Auth::Nobody).await;
    assert_eq!(ra.body["revision"], rb.body["revision"]);
}

#[tokio::test]
async fn a_write_on_one_node_is_read_on_the_other_with_min_revision() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let w = a
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_spaces_list"]}),
        )
        .await;
    w.expect(204);
    let rev = revision_of(&w);
    let r = get_at_revision(&b, "/user/privileges", Some(rev)).await;
    r.expect(200);
    assert_eq!(r.set("privileges"), vec!["oz_spaces_list".to_string()]);
    assert!(revision_of(&r) >= rev);
}

#[tokio::test]
async fn without_min_revision_other_nodes_converge_within_the_poll_delay() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    a.patch(
        "/user/privileges",
        &Auth::admin(),
        json!({"grant": ["oz_groups_list"]}),
    )
    .await
    .expect(204);
    let start = Instant::now();
    loop {
        let r = b.get("/user/privileges", &Auth::admin()).await;
        if r.set("privileges") == vec!["oz_groups_list".to_string()] {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "node b never saw the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn concurrent_writes_on_both_nodes_form_one_sequence() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let names = [
        "oz_spaces_list",
        "oz_groups_list",
        "oz_users_list",
        "oz_handles_list",
        "oz_handle_services_list",
        "oz_spaces_view",
        "oz_groups_view",
        "oz_users_view",
    ];
    // Every request is its own task, so both nodes' writers race for the database.
    let mut tasks = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let node = if i % 2 == 0 { &a } else { &b };
        let req = node
            .client
            .patch(format!("{}/user/privileges", node.base))
            .basic_auth("admin", Some(crate::harness::ADMIN_PASSWORD))
            .json(&json!({"grant": [n]}));
        tasks.push(tokio::spawn(async move { req.send().await }));
    }
    let mut revisions = Vec::new();
    for t in tasks {
        let res = t.await.expect("task").expect("sent");
        assert_eq!(res.status().as_u16(), 204);
        let rev = res
            .headers()
            .get("x-privzone-revision")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .expect("revision header");
        revisions.push(rev);
    }
    revisions.sort_unstable();
    revisions.dedup();
    assert_eq!(
        revisions.len(),
        names.len(),
        "every write has its own revision"
    );
    let last = *revisions.last().expect("some");
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    for s in [&a, &b] {
        let r = get_at_revision(s, "/user/privileges", Some(last)).await;
        assert_eq!(
            r.set("privileges"),
            expected,
            "grants read against the latest state"
        );
    }
}

#[tokio::test]
async fn min_revision_must_be_an_integer() {
    let s = TestServer::start().await;
    let res = s
        .client
        .get(format!("{}/configuration", s.base))
        .header("X-Privzone-Min-Revision", "soon")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 400);
    // Refusals carry the node's revision like every other answer.
    assert!(
        res.headers().contains_key("x-privzone-revision"),
        "{:?}",
        res.headers()
    );
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["id"], "badValueInteger");
}

#[tokio::test]
async fn min_revision_does_not_hold_up_answers_that_are_not_about_the_state() {
    let s = TestServer::start().await;
    let start = Instant::now();
    for (path, status) in [("/no/such/route", 404), ("/health", 200)] {
        let res = s
            .client
            .get(format!("{}{path}", s.base))
            .header("X-Privzone-Min-Revision", "999999999")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status().as_u16(), status, "{path}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "waited for the revision"
    );
}

#[tokio::test]
async fn a_revocation_on_one_node_is_never_missed_on_another_with_its_revision() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    for round in 0..5 {
        let g = a
            .patch(
                "/user/privileges",
                &Auth::admin(),
                json!({"grant": ["oz_users_list"]}),
            )
            .await;
        g.expect(204);
        let r = get_at_revision(&b, "/user/privileges", Some(revision_of(&g))).await;
        assert!(
            r.set("privileges").contains(&"oz_users_list".to_string()),
            "round {round}"
        );
        let v = a
            .patch(
                "/user/privileges",
                &Auth::admin(),
                json!({"revoke": ["oz_users_list"]}),
            )
            .await;
        v.expect(204);
        let r = get_at_revision(&b, "/user/privileges", Some(revision_of(&v))).await;
        assert!(
            !r.set("privileges").contains(&"oz_users_list".to_string()),
            "round {round}: node b served a revoked privilege"
        );
    }
}

#[tokio::test]
async fn min_revision_beyond_the_log_is_503_after_the_bound() {
    let s = TestServer::start().await;
    let start = Instant::now();
    let r = get_at_revision(&s, "/user/privileges", Some(1_000_000)).await;
    r.expect_error(503, "serviceUnavailable");
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "waited the bound"
    );
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore, so an outage can be
/// simulated without stopping the machine's database server (CI shares it).
struct Proxy {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    generation: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (gen, _) = tokio::sync::watch::channel(0u64);
        let generation = std::sync::Arc::new(gen);
        let (up2, gen2) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut = gen2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy {
            port,
            up,
            generation,
        }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn database_outage_fails_writes_serves_reads_and_recovers_by_itself() {
    let Some(url) =
        tokio::task::spawn_blocking(privzone_store::conformance::fresh_postgres_database)
            .await
            .expect("database task")
    else {
        return;
    };
    // postgres://user@host:port/db → route host:port through the proxy.
    let (scheme_user, rest) = url.split_once('@').expect("url has a host");
    let (host_port, db) = rest.split_once('/').expect("url has a database");
    let proxy = Proxy::start(host_port.to_string()).await;
    let proxied = format!("{scheme_user}@127.0.0.1:{}/{db}", proxy.port);
    let a = TestServer::start_on_postgres(&proxied).await;
    let b = TestServer::start_on_postgres(&url).await;

    let before = a
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_spaces_list"]}),
        )
        .await;
    before.expect(204);

    proxy.cut();
    let w = a
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_groups_list"]}),
        )
        .await;
    w.expect_error(503, "serviceUnavailable");
    // Reads are served from memory meanwhile.
    let r = a.get("/user/privileges", &Auth::admin()).await;
    r.expect(200);
    assert_eq!(r.set("privileges"), vec!["oz_spaces_list".to_string()]);
    // Health reports the outage once the node has noticed it.
    let start = Instant::now();
    loop {
        if a.get("/health", &Auth::Nobody).await.status.as_u16() == 503 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "health never reported the outage"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The other node keeps writing.
    let other = b
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_users_list"]}),
        )
        .await;
    other.expect(204);

    proxy.restore();
    // The node reconnects and catches up on its own, then takes writes again.
    let r = get_at_revision(&a, "/user/privileges", Some(revision_of(&other))).await;
    r.expect(200);
    let mut expected = vec!["oz_spaces_list".to_string(), "oz_users_list".to_string()];
    assert_eq!(r.set("privileges"), expected);
    let start = Instant::now();
    loop {
        let w = a
            .patch(
                "/user/privileges",
                &Auth::admin(),
                json!({"grant": ["oz_groups_list"]}),
            )
            .await;
        if w.status.as_u16() == 204 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "writes never recovered: {}",
            w.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    expected.push("oz_groups_list".to_string());
    expected.sort();
    a.get("/health", &Auth::Nobody).await.expect(200);
    let r = get_at_revision(&b, "/user/privileges", Some(a.running.app.revision())).await;
    assert_eq!(
        r.set("privileges"),
        expected,
        "nothing acknowledged was lost"
    );
}

/// A PostgreSQL server of this test's own (initdb in a temp dir, a free port), so the test can
/// really stop the database server and start it again without touching the machine's shared one.
/// `pg_tls` configures one for TLS before starting it ([`PrivatePostgres::init`]).
pub(crate) struct PrivatePostgres {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl PrivatePostgres {
    /// `None` (with a note) where PostgreSQL's server programs are missing, outside CI; under
    /// `CI=true` their absence fails the test.
    fn start() -> Option<PrivatePostgres> {
        let pg = Self::init()?;
        pg.start_server();
        Some(pg)
    }

    /// A new cluster (`initdb`), not started yet: the caller may adjust its configuration first.
    pub(crate) fn init() -> Option<PrivatePostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(Result::ok)
                    .map(|v| v.path().join("bin"))
                    .filter(|b| b.join("pg_ctl").exists())
                    .max()
            });
        let Some(bin) = bin else {
            let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            assert!(
                !in_ci,
                "PostgreSQL's server programs are missing and CI is set"
            );
            eprintln!("note: no /usr/lib/postgresql/*/bin/pg_ctl; this test checks nothing here");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("pgdata");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let pg = PrivatePostgres {
            bin,
            data,
            port,
            _dir: dir,
        };
        // initdb refuses to run as root: run the server programs as the postgres user then.
        if Self::as_root() {
            let ok = std::process::Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg._dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of the private PostgreSQL dir to postgres");
        }
        pg.run(
            "initdb",
            &[
                "-D",
                &pg.data.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        );
        Some(pg)
    }

    /// The cluster's data directory (`postgresql.conf`, `pg_hba.conf`).
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        &self.data
    }

    /// Writes a file for the server (into its data directory, say) with `mode`, owned by the
    /// user the server runs as.
    pub(crate) fn write_file(&self, path: &std::path::Path, contents: &[u8], mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, contents).expect("write a file for the server");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        if Self::as_root() {
            let ok = std::process::Command::new("chown")
                .arg("postgres:postgres")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of {} to postgres", path.display());
        }
    }

    /// Makes the running server re-read its configuration files (`pg_hba.conf`).
    pub(crate) fn reload(&self) {
        self.run("pg_ctl", &["-D", &self.data.to_string_lossy(), "reload"]);
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    fn as_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
    }

    /// One of PostgreSQL's server programs, run as the postgres user when this is root.
    fn command(&self, program: &str) -> std::process::Command {
        let path = self.bin.join(program);
        if Self::as_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            std::process::Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .output()
            .expect("PostgreSQL program runs");
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub(crate) fn start_server(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            self.port,
            self._dir.path().display()
        );
        let log = self._dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data.to_string_lossy(),
                "-l",
                &log.to_string_lossy(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server the way a crash or an operator's emergency stop does.
    fn stop_server(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args([
                "-D",
                &self.data.to_string_lossy(),
                "-m",
                "immediate",
                "stop",
            ])
            .output();
    }
}

#[tokio::test]
async fn stopping_and_restarting_the_database_server_loses_nothing_acknowledged() {
    let Some(pg) = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .expect("database task")
    else {
        return;
    };
    let a = TestServer::start_on_postgres(&pg.url()).await;
    a.patch(
        "/user/privileges",
        &Auth::admin(),
        json!({"grant": ["oz_spaces_list"]}),
    )
    .await
    .expect(204);

    let pg = tokio::task::spawn_blocking(move || {
        pg.stop_server();
        pg
    })
    .await
    .expect("stop task");
    let w = a
        .patch(
            "/user/privileges",
            &Auth::admin(),
            json!({"grant": ["oz_groups_list"]}),
        )
        .await;
    w.expect_error(503, "serviceUnavailable");
    // Reads are served from memory while the database is down.
    let r = a.get("/user/privileges", &Auth::admin()).await;
    r.expect(200);
    assert_eq!(r.set("privileges"), vec!["oz_spaces_list".to_string()]);

    let pg = tokio::task::spawn_blocking(move || {
        pg.start_server();
        pg
    })
    .await
    .expect("start task");
    // The node reconnects by itself and takes writes again.
    let start = Instant::now();
    let acknowledged = loop {
        let w = a
            .patch(
                "/user/privileges",
                &Auth::admin(),
                json!({"grant": ["oz_users_list"]}),
            )
            .await;
        if w.status.as_u16() == 204 {
            break revision_of(&w);
        }
        w.expect_error(503, "serviceUnavailable");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "writes never recovered after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    a.get("/health", &Auth::Nobody).await.expect(200);
    // A second node started from the database alone finds every acknowledged change, and not
    // the one refused during the outage.
    let b = TestServer::start_on_postgres(&pg.url()).await;
    let r = get_at_revision(&b, "/user/privileges", Some(acknowledged)).await;
    r.expect(200);
    assert_eq!(
        r.set("privileges"),
        vec!["oz_spaces_list".to_string(), "oz_users_list".to_string()]
    );
}

/// `privzone admin reset-password --database-url`: the change goes into the shared log, and
/// running nodes follow it like any other change.
#[tokio::test]
async fn reset_password_on_postgres_reaches_running_nodes() {
    let Some(url) =
        tokio::task::spawn_blocking(privzone_store::conformance::fresh_postgres_database)
            .await
            .expect("database task")
    else {
        return;
    };
    let a = TestServer::start_on_postgres(&url).await;
    let b = TestServer::start_on_postgres(&url).await;
    let mut config = privzone_server::Config::with_data_dir(a.dir.path().join("unused"));
    config.database_url = Some(privzone_server::Secret::new(url));
    let set = privzone_server::reset_admin_password(
        &config,
        Some(privzone_server::Secret::new("reset-on-postgres")),
    )
    .await
    .expect("reset");
    assert_eq!(set.expose(), "reset-on-postgres");
    assert!(!a.dir.path().join("unused").exists());
    let new = Auth::Basic("admin".into(), "reset-on-postgres".into());
    let deadline = Instant::now() + Duration::from_secs(20);
    for s in [&a, &b] {
        loop {
            if s.get("/user", &new).await.status.as_u16() == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "a node never saw the new password"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        s.get("/user", &Auth::admin())
            .await
            .expect_error(401, "unauthorized");
    }
}
