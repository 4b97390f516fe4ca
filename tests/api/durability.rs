//! The real `privzone serve` binary, killed with SIGKILL right after acknowledged writes: every
//! acknowledged change is there after a restart (DESIGN.md durability contract).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::ADMIN_PASSWORD;

struct Binary {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn spawn(data_dir: &std::path::Path) -> Binary {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_privzone"))
        .arg("serve")
        .env("PRIVZONE_LISTEN", format!("127.0.0.1:{port}"))
        .env("PRIVZONE_DATA_DIR", data_dir)
        .env("PRIVZONE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("privzone binary starts");
    let base = format!("http://127.0.0.1:{port}/api/v3/onezone");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/configuration")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "privzone did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Binary { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut server = spawn(&data).await;
    let client = reqwest::Client::new();

    // Concurrent writers; each remembers what was acknowledged. Kill while they are running.
    let mut tasks = Vec::new();
    for w in 0..16 {
        let client = client.clone();
        let base = server.base.clone();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..1000 {
                let r = client
                    .post(format!("{base}/groups"))
                    .basic_auth("admin", Some(ADMIN_PASSWORD))
                    .json(&json!({"name": format!("g{w}x{i}")}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let loc = r
                            .headers()
                            .get("location")
                            .and_then(|l| l.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        acked.push(loc.rsplit('/').next().unwrap_or_default().to_owned());
                    }
                    _ => break,
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    let _ = server.child.wait();
    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(t.await.expect("writer task"));
    }
    assert!(
        acked.len() > 10,
        "the writers got acknowledgements before the kill: {}",
        acked.len()
    );

    // One more acknowledged write, then kill at once.
    let mut server = spawn(&data).await;
    let r = client
        .patch(format!("{}/user/privileges", server.base))
        .basic_auth("admin", Some(ADMIN_PASSWORD))
        .json(&json!({"grant": ["oz_users_list"]}))
        .send()
        .await
        .expect("patch sent");
    assert_eq!(r.status().as_u16(), 204);
    server.child.kill().expect("SIGKILL");
    let _ = server.child.wait();

    let mut server = spawn(&data).await;
    let r = client
        .get(format!("{}/groups", server.base))
        .basic_auth("admin", Some(ADMIN_PASSWORD))
        .send()
        .await
        .expect("list sent");
    let body: serde_json::Value = r.json().await.expect("json");
    let listed: std::collections::HashSet<String> = body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !listed.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged groups lost, e.g. {:?}",
        lost.len(),
        acked.len(),
        lost.first()
    );
    let r = client
        .get(format!("{}/user/privileges", server.base))
        .basic_auth("admin", Some(ADMIN_PASSWORD))
        .send()
        .await
        .expect("get sent");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["privileges"], json!(["oz_users_list"]));
    server.child.kill().expect("stop");
    let _ = server.child.wait();
}

#[tokio::test]
async fn corrupt_data_dir_stops_start_up_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(
        data.join("privzone.sqlite"),
        b"this is not a database at all, not even close",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_privzone"))
        .arg("serve")
        .env("PRIVZONE_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("PRIVZONE_DATA_DIR", &data)
        .env("PRIVZONE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("privzone.sqlite"),
        "message names the file: {stderr}"
    );
}

#[tokio::test]
async fn generated_admin_password_is_written_once_with_mode_0600() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_privzone"))
        .arg("serve")
        .env("PRIVZONE_LISTEN", format!("127.0.0.1:{port}"))
        .env("PRIVZONE_DATA_DIR", &data)
        .env_remove("PRIVZONE_ADMIN_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let file = data.join("initial-admin-password");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !file.exists() {
        assert!(Instant::now() < deadline, "password file not written");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let password = std::fs::read_to_string(&file)
        .expect("read")
        .trim()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let r = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v3/onezone/user"))
        .basic_auth("admin", Some(&password))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    child.kill().expect("stop");
    let _ = child.wait();

    // A password configured later replaces the generated one, and its stale file goes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_privzone"))
        .arg("serve")
        .env("PRIVZONE_LISTEN", format!("127.0.0.1:{port}"))
        .env("PRIVZONE_DATA_DIR", &data)
        .env("PRIVZONE_ADMIN_PASSWORD", "configured-later")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let r = client
            .get(format!("http://127.0.0.1:{port}/api/v3/onezone/user"))
            .basic_auth("admin", Some("configured-later"))
            .send()
            .await;
        if let Ok(r) = r {
            break r.status().as_u16();
        }
        assert!(Instant::now() < deadline, "restarted server never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status, 200);
    assert!(!file.exists(), "the generated password's file outlived it");
    child.kill().expect("stop");
    let _ = child.wait();
}
