//! PostgreSQL backend figures (issue 4): durable write throughput of privzone on PostgreSQL
//! against pgbench's single-row insert rate on the same server, and the propagation delay
//! between two nodes.
//!
//! `cargo run --release --example pg_cluster` (needs PostgreSQL at PRIVZONE_TEST_DATABASE_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres, and `pgbench` on PATH).
//! PRIVZONE_BENCH_SECONDS (default 10) bounds each phase.

use std::time::{Duration, Instant};

use privzone_server::{Config, Secret};

const PASSWORD: &str = "bench-admin-password";

async fn node(url: &str, dir: &std::path::Path) -> privzone_server::Running {
    let mut c = Config::with_data_dir(dir);
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.database_url = Some(Secret::new(url));
    c.admin_password = Some(Secret::new(PASSWORD));
    privzone_server::start(c).await.expect("node starts")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn pgbench_insert_tps(url: &str, clients: usize, seconds: u64) -> Option<f64> {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).ok()?;
    admin
        .batch_execute("DROP TABLE IF EXISTS pgbench_single; CREATE TABLE pgbench_single (id BIGSERIAL PRIMARY KEY, payload TEXT)")
        .ok()?;
    let script = std::env::temp_dir().join("privzone_pgbench_insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO pgbench_single (payload) VALUES ('{\"change\":\"SetPrivileges\"}');\n",
    )
    .ok()?;
    let out = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps ="))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::var("PRIVZONE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let url = tokio::task::spawn_blocking(privzone_store::conformance::fresh_postgres_database)
        .await
        .expect("task")
        .expect("PostgreSQL must be reachable for this benchmark");
    let dirs = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let a = node(&url, dirs.0.path()).await;
    let b = node(&url, dirs.1.path()).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let base_a = format!("http://{}/api/v3/onezone", a.addr);

    // Durable writes: 64 connections alternating grant/revoke for `seconds`.
    let names = [
        "oz_spaces_list",
        "oz_groups_list",
        "oz_users_list",
        "oz_handles_list",
    ];
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..64usize {
        let (client, base) = (client.clone(), base_a.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut i = w;
            while Instant::now() < deadline {
                let body = if i % 2 == 0 {
                    serde_json::json!({"grant": [names[i % 4]]})
                } else {
                    serde_json::json!({"revoke": [names[i % 4]]})
                };
                let r = client
                    .patch(format!("{base}/user/privileges"))
                    .basic_auth("admin", Some(PASSWORD))
                    .json(&body)
                    .send()
                    .await;
                if r.is_ok_and(|r| r.status().as_u16() == 204) {
                    done += 1;
                }
                i += 1;
            }
            done
        }));
    }
    let mut writes = 0u64;
    for t in tasks {
        writes += t.await.unwrap_or(0);
    }
    let write_rate = writes as f64 / seconds as f64;

    // Propagation: one write at a time on A; time until B has applied it, B left to its own
    // follower (LISTEN/NOTIFY, polling as fallback).
    let mut delays = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(seconds.min(5));
    let mut i = 0usize;
    while Instant::now() < deadline && delays.len() < 500 {
        let body = serde_json::json!({ if i.is_multiple_of(2) { "grant" } else { "revoke" }: ["oz_spaces_view"] });
        i += 1;
        let r = client
            .patch(format!("{base_a}/user/privileges"))
            .basic_auth("admin", Some(PASSWORD))
            .json(&body)
            .send()
            .await
            .expect("write");
        let sent = Instant::now();
        let rev: u64 = r
            .headers()
            .get("x-privzone-revision")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("revision");
        while b.app.revision() < rev {
            if sent.elapsed() > Duration::from_secs(5) {
                panic!("node b did not apply revision {rev} within 5 s");
            }
            tokio::time::sleep(Duration::from_micros(50)).await;
        }
        delays.push(sent.elapsed());
    }
    delays.sort();

    let pg_url = url.clone();
    let pgbench = tokio::task::spawn_blocking(move || pgbench_insert_tps(&pg_url, 64, seconds))
        .await
        .ok()
        .flatten();

    println!(
        "privzone on PostgreSQL ({}s per phase, 2 nodes in one process)",
        seconds
    );
    println!("| measure | figure |");
    println!("|---|---|");
    println!("| durable PATCH throughput on node A, 64 connections | {write_rate:.0} writes/s |");
    match pgbench {
        Some(tps) => {
            println!("| pgbench single-row INSERT, 64 clients, same server | {tps:.0} tps |");
            println!("| ratio privzone / pgbench | {:.2} |", write_rate / tps);
        }
        None => {
            println!("| pgbench single-row INSERT | not measured (pgbench missing or failed) |")
        }
    }
    println!(
        "| propagation A → B ({} writes): p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |",
        delays.len(),
        percentile(&delays, 0.5).as_secs_f64() * 1e3,
        percentile(&delays, 0.99).as_secs_f64() * 1e3,
        delays.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}
