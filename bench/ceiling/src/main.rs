//! Two measurements the end-to-end benchmark (bench/run) compares privzone with:
//!
//! - `ceiling serve ADDR BODY_FILE`: the fastest this machine answers HTTP on privzone's stack
//!   (tokio multi-thread runtime, axum, HTTP/1.1): every GET under `/api/v3/onezone/` gets the
//!   bytes of BODY_FILE as `application/json`, with no other work.
//! - `ceiling fsync DIR SECONDS`: how many durable appends per second the filesystem of DIR
//!   takes: a loop of 4 KiB `write` + `fdatasync` on a fresh file, for SECONDS; prints the rate.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::http::header;
use axum::routing::get;
use axum::Router;

// The same allocator as privzone serve, so the ratio compares the work, not the allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", addr, body_file] => serve(addr, body_file),
        ["fsync", dir, seconds] => fsync_rate(dir, seconds),
        _ => Err("usage: ceiling serve ADDR BODY_FILE | ceiling fsync DIR SECONDS".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(addr: &str, body_file: &str) -> Result<(), String> {
    let addr: std::net::SocketAddr = addr.parse().map_err(|e| format!("address {addr}: {e}"))?;
    let body = std::fs::read(body_file).map_err(|e| format!("{body_file}: {e}"))?;
    let body: &'static [u8] = Box::leak(body.into_boxed_slice());
    // Built exactly like privzone's runtime (src/main.rs).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async move {
        let answer = move || async move { ([(header::CONTENT_TYPE, "application/json")], body) };
        let router = Router::new().route("/api/v3/onezone/{*rest}", get(answer));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!(
            "ceiling: listening on http://{addr}/api/v3/onezone ({} B body)",
            body.len()
        );
        axum::serve(listener, router)
            .await
            .map_err(|e| format!("server stopped: {e}"))
    })
}

fn fsync_rate(dir: &str, seconds: &str) -> Result<(), String> {
    let seconds: f64 = seconds
        .parse()
        .map_err(|e| format!("seconds {seconds}: {e}"))?;
    let path = std::path::Path::new(dir).join(format!("fsync-probe-{}", std::process::id()));
    let mut file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let block = [0x5au8; 4096];
    let limit = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut count = 0u64;
    let result = loop {
        if let Err(e) = file.write_all(&block).and_then(|_| file.sync_data()) {
            break Err(format!("{}: {e}", path.display()));
        }
        count += 1;
        if start.elapsed() >= limit {
            break Ok(());
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    result?;
    println!("{:.0}", count as f64 / elapsed);
    Ok(())
}
