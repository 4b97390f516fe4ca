//! Deployments for the end-to-end benchmark (bench/run).
//!
//! - `deploy api BASE_URL SCALE OUT_DIR` builds users, tokens, nested groups and handle services
//!   through privzone's REST API with many requests in flight (PRIVZONE_ADMIN_PASSWORD is the
//!   admin's password), then writes what the load generator needs into OUT_DIR: `env` (shell
//!   variables) and the request paths of the Lua scripts. SCALE is `tiny` or `default`.
//! - `deploy log DATA_DIR OUT_DIR` writes the change log of the model benchmark's deployment
//!   (1,000,000 users, 100,000 groups, ~10,000,000 membership edges) straight into an embedded
//!   store, as the server would have written it, for start-up and memory measurements.

mod api;
mod log;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["api", base, scale, out] => api::run(base, scale, out),
        ["log", data_dir, out] => log::run(data_dir, out),
        _ => Err(
            "usage: deploy api BASE_URL tiny|default OUT_DIR | deploy log DATA_DIR OUT_DIR".into(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deploy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `name=value` lines that bench/run sources (values are shell-safe: ids, base64).
fn write_env(out: &str, vars: &[(&str, String)]) -> Result<(), String> {
    let text: String = vars.iter().map(|(k, v)| format!("{k}='{v}'\n")).collect();
    write_file(out, "env", &text)
}

fn write_file(out: &str, name: &str, text: &str) -> Result<(), String> {
    let path = std::path::Path::new(out).join(name);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}
