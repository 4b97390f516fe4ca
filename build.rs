//! Stamps the binary with its build: `PRIVZONE_BUILD` from the environment (packagers), else the
//! git short hash of the checkout, else `dev` (e.g. a source tarball).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PRIVZONE_BUILD");
    let build = std::env::var("PRIVZONE_BUILD")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .or_else(git_short_hash)
        .unwrap_or_else(|| "dev".to_owned());
    println!("cargo:rustc-env=PRIVZONE_BUILD={}", build.trim());
    watch_git_head();
}

fn git_short_hash() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()?;
    let hash = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !hash.trim().is_empty()).then(|| hash.trim().to_owned())
}

/// Re-run after a commit or checkout. Only existing paths are watched: a missing one would make
/// cargo re-run this script (and rebuild the binary) on every build.
fn watch_git_head() {
    println!("cargo:rerun-if-changed=build.rs");
    let git = Path::new(".git");
    let head = git.join("HEAD");
    if !head.is_file() {
        return;
    }
    println!("cargo:rerun-if-changed={}", head.display());
    if let Ok(text) = std::fs::read_to_string(&head) {
        if let Some(reference) = text.trim().strip_prefix("ref: ") {
            let path = git.join(reference);
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let packed = git.join("packed-refs");
    if packed.is_file() {
        println!("cargo:rerun-if-changed={}", packed.display());
    }
}
