//! Hostile clients: slowloris, stalled and idle connections, a full connection table, writes
//! from pages of other sites, a connection closed after an unread body, and password guessing.
//! Attackers connect from 127.0.0.2 (their own address on the loopback), normal clients from
//! 127.0.0.1, as they would come from different hosts.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::harness::{Auth, TestServer, ADMIN_PASSWORD};

fn addr(s: &TestServer) -> SocketAddr {
    s.running.addr
}

/// A connection from the attacker's address.
async fn attacker(server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.2:0".parse().expect("addr"))
        .expect("bind 127.0.0.2");
    socket.connect(server).await.expect("connect")
}

/// Reads until the server closes the connection (EOF or reset), at most `within`; returns what
/// was read and how long it took, `None` if it stayed open.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(
            tokio::time::Instant::from_std(started + within),
            stream.read(&mut buf),
        )
        .await
        {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&got).into_owned(),
                    started.elapsed(),
                ))
            }
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

fn short_timeouts(config: &mut privzone_server::Config) {
    config.limits.header_timeout = Duration::from_secs(1);
    config.limits.idle_timeout = Duration::from_secs(1);
    config.limits.request_timeout = Duration::from_secs(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_of_200_connections_does_not_delay_a_normal_client() {
    let s = TestServer::start().await;
    let server = addr(&s);
    // 200 connections that send half a request head and then a byte now and then.
    let mut held = Vec::new();
    for _ in 0..200 {
        let mut c = attacker(server).await;
        c.write_all(b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("partial head");
        held.push(c);
    }
    for c in held.iter_mut() {
        let _ = c.write_all(b"X-a: b\r\n").await;
    }
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let r = s.get("/configuration", &Auth::Nobody).await;
        r.expect(200);
        slowest = slowest.max(started.elapsed());
    }
    // Generous: CI runs many tests at once on two cores; without limits the wait is unbounded.
    assert!(
        slowest < Duration::from_secs(5),
        "a normal client waited {slowest:?} during the slowloris"
    );
    drop(held);
}

#[tokio::test]
async fn stalled_silent_and_idle_connections_are_closed_within_their_timeouts() {
    let s = TestServer::start_configured(short_timeouts).await;
    let server = addr(&s);

    // Sends nothing at all.
    let mut silent = attacker(server).await;
    // Stops in the middle of its head.
    let mut stalled = attacker(server).await;
    stalled
        .write_all(b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("partial head");
    // Sits idle after a response.
    let mut idle = attacker(server).await;
    idle.write_all(b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("request");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("response");
    assert_eq!(&first, b"HTTP/1.1 200");

    for (name, c) in [
        ("silent", &mut silent),
        ("stalled", &mut stalled),
        ("idle", &mut idle),
    ] {
        let closed = until_closed(c, Duration::from_secs(10)).await;
        let (_, took) = closed.unwrap_or_else(|| panic!("the {name} connection is still open"));
        assert!(
            took < Duration::from_secs(8),
            "{name} closed after {took:?}"
        );
    }

    // A body that stops arriving gets 408 and the connection is closed.
    let mut slow_body = attacker(server).await;
    slow_body
        .write_all(
            b"PATCH /api/v3/onezone/user/privileges HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"grant\"",
        )
        .await
        .expect("partial body");
    let (text, _) = until_closed(&mut slow_body, Duration::from_secs(10))
        .await
        .expect("closed after the request timeout");
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    assert!(text.contains("\"id\":\"timeout\""), "{text}");

    let text = reqwest::get(format!("http://{server}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("privzone_connections_timed_out_total{phase=\"head\"}"),
        "{text}"
    );
    assert!(
        text.contains("privzone_connections_timed_out_total{phase=\"idle\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn a_full_connection_table_refuses_new_connections_at_once() {
    let s = TestServer::start_configured(|c| {
        c.limits.max_connections = Some(20);
        c.limits.max_connections_per_client = Some(12);
    })
    .await;
    let server = addr(&s);

    // One client over its share: 429 at once, while others are still served.
    let mut held = Vec::new();
    for _ in 0..12 {
        held.push(attacker(server).await);
    }
    let mut over = attacker(server).await;
    let (text, took) = until_closed(&mut over, Duration::from_secs(5))
        .await
        .expect("refused and closed");
    assert!(text.starts_with("HTTP/1.1 429"), "{text}");
    assert!(text.contains("\"id\":\"tooManyRequests\""), "{text}");
    assert!(took < Duration::from_secs(3), "refusal took {took:?}");
    s.get("/configuration", &Auth::Nobody).await.expect(200);

    // Fill the table from a third address: 503 at once for everybody new.
    let mut others = Vec::new();
    for _ in 0..8 {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.3:0".parse().expect("addr"))
            .expect("bind 127.0.0.3");
        others.push(socket.connect(server).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut normal = TcpStream::connect(server).await.expect("connect");
    normal
        .write_all(b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("request");
    let (text, _) = until_closed(&mut normal, Duration::from_secs(5))
        .await
        .expect("refused and closed");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "refusal took {:?}",
        started.elapsed()
    );
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"id\":\"serviceUnavailable\""), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );

    // Places come back when connections close.
    drop(others);
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.get("/configuration", &Auth::Nobody).await.expect(200);
}

#[tokio::test]
async fn writes_from_pages_of_other_sites_are_refused() {
    let s = TestServer::start_configured(|c| {
        c.allowed_origins =
            privzone_server::origin::AllowedOrigins::parse("https://portal.example.org")
                .expect("origins");
    })
    .await;
    let post_user = |origin: &'static str, name: &'static str| {
        s.client
            .post(format!("{}/users", s.base))
            .basic_auth("admin", Some(ADMIN_PASSWORD))
            .header("Origin", origin)
            .json(&json!({"username": name}))
            .send()
    };
    let r = post_user("https://evil.example.com", "mallory1")
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 403);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"]["id"], "forbidden");
    assert_eq!(
        body["error"]["details"]["origin"],
        "https://evil.example.com"
    );
    let r = post_user("null", "mallory2").await.expect("sent");
    assert_eq!(r.status().as_u16(), 403);
    // Nothing was created.
    let users = s.get("/users", &Auth::admin()).await;
    assert_eq!(users.set("users").len(), 1, "{}", users.text);

    // The server's own pages (the admin page) and the allowed origin may write.
    let own = format!("http://{}", s.running.addr);
    let r = s
        .client
        .post(format!("{}/users", s.base))
        .basic_auth("admin", Some(ADMIN_PASSWORD))
        .header("Origin", own)
        .json(&json!({"username": "carol"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 201);
    let r = post_user("https://portal.example.org", "dave")
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 201);
    // Reads are not writes: a page of another site may read what CORS lets it.
    let r = s
        .client
        .get(format!("{}/configuration", s.base))
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    // A form post with remembered credentials is refused for its media type too.
    let r = s
        .raw(
            Method::POST,
            "/users",
            &Auth::admin(),
            "application/x-www-form-urlencoded",
            b"{\"username\":\"eve\"}".to_vec(),
        )
        .await;
    r.expect_error(415, "unsupportedMediaType");
}

#[tokio::test]
async fn a_response_after_which_the_connection_closes_says_so() {
    let s = TestServer::start().await;
    let server = addr(&s);
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("admin:{ADMIN_PASSWORD}"),
    );
    let mut c = TcpStream::connect(server).await.expect("connect");
    let body = format!("{{\"grant\": [\"{}\"]}}", "x".repeat(2 * 1024 * 1024));
    let head = format!(
        "PATCH /api/v3/onezone/user/privileges HTTP/1.1\r\nHost: x\r\n\
         Authorization: Basic {auth}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).await.expect("head");
    let _ = c.write_all(body.as_bytes()).await;
    let (text, _) = until_closed(&mut c, Duration::from_secs(10))
        .await
        .expect("closed");
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );

    // An error answered before a small body was read (here: bad credentials) also says so
    // when the connection will not carry another request, and keeps it open when it will.
    let mut c = TcpStream::connect(server).await.expect("connect");
    c.write_all(
        b"POST /api/v3/onezone/user/groups HTTP/1.1\r\nHost: x\r\nX-Auth-Token: nope\r\n\
          Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"name\":\"abcd\"}",
    )
    .await
    .expect("request");
    let mut buf = vec![0u8; 4096];
    let n = c.read(&mut buf).await.expect("response");
    let text = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 401"), "{text}");
    if text.contains("connection: close") {
        assert!(until_closed(&mut c, Duration::from_secs(2)).await.is_some());
    } else {
        c.write_all(b"GET /api/v3/onezone/configuration HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("second request");
        let n = c.read(&mut buf).await.expect("second response");
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    }
}

#[tokio::test]
async fn password_guessing_is_backed_off_without_locking_out_a_known_login() {
    let s = TestServer::start().await;
    let (_, alice) = s.user_with_password("alice", "alice-password").await;
    // Alice's own client logs in and keeps doing so.
    s.get("/user", &alice).await.expect(200);
    let wrong = Auth::Basic("alice".into(), "guess-guess".into());
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let r = s.get("/user", &wrong).await;
        statuses.push(r.status.as_u16());
        if r.status.as_u16() == 429 {
            assert_eq!(r.error_id(), Some("tooManyRequests"), "{}", r.text);
            retry_after = r.header("retry-after");
        }
    }
    assert_eq!(
        &statuses[..5],
        &[401; 5],
        "the first failures are answered normally"
    );
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    let retry_after: u64 = retry_after
        .expect("Retry-After on 429")
        .parse()
        .expect("seconds");
    assert!((1..=15).contains(&retry_after), "{retry_after}");
    // The login alice's client already proved is not delayed meanwhile.
    s.get("/user", &alice).await.expect(200);

    // Bob has not logged in lately: while he is backed off even his right password waits
    // (else the backoff would not slow guessing), and after the delay it works.
    let (_, bob) = s.user_with_password("bob", "bob-password").await;
    let wrong = Auth::Basic("bob".into(), "guess-guess".into());
    for _ in 0..6 {
        s.get("/user", &wrong).await;
    }
    let r = s.get("/user", &bob).await;
    r.expect_error(429, "tooManyRequests");
    let wait: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("secs");
    tokio::time::sleep(Duration::from_secs(wait)).await;
    s.get("/user", &bob).await.expect(200);
    let text = reqwest::get(format!("http://{}/metrics", s.running.addr))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("privzone_logins_throttled_total{scope=\"user\"}")
            || text.contains("privzone_logins_throttled_total{scope=\"client\"}"),
        "{text}"
    );
}

/// The real binary, started with only 256 file descriptors, as a small container might.
struct Limited {
    child: std::process::Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_with_256_descriptors() -> Limited {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 256 && exec "$0" serve"#)
        .arg(env!("CARGO_BIN_EXE_privzone"))
        .env("PRIVZONE_LISTEN", format!("127.0.0.1:{port}"))
        .env("PRIVZONE_DATA_DIR", dir.path().join("data"))
        .env("PRIVZONE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("privzone starts");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("http://{addr}/api/v3/onezone/configuration")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "privzone did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Limited {
        child,
        addr,
        _dir: dir,
    }
}

#[tokio::test]
async fn three_hundred_idle_sockets_do_not_take_a_server_with_256_descriptors() {
    let server = start_with_256_descriptors().await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        match tokio::time::timeout(Duration::from_secs(2), attacker(server.addr)).await {
            Ok(c) => idle.push(c),
            Err(_) => break,
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for _ in 0..5 {
        let r = client
            .get(format!(
                "http://{}/api/v3/onezone/configuration",
                server.addr
            ))
            .send()
            .await
            .expect("a normal client is answered while 300 idle sockets are held");
        assert_eq!(r.status().as_u16(), 200);
    }
    drop(idle);
}
