//! The `privzone` binary: `privzone serve` runs the service (DESIGN.md contracts for flags and
//! environment variables); the other subcommands are the operator's CLI, a client of a running
//! server's REST API (src/cli, docs/operations.md).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cli;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use privzone_server::{Config, Secret};

/// `privzone --version`: the crate version and the build (git short hash, set by build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (build ",
    env!("PRIVZONE_BUILD"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "privzone",
    version = VERSION,
    about = "Membership and privilege service speaking Onezone's REST API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve(ServeArgs),
    /// Maintenance done on the store itself, not through a running server.
    #[command(subcommand)]
    Admin(AdminCommand),
    #[command(flatten)]
    Remote(cli::RemoteCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PRIVZONE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the embedded store.
    #[arg(long, env = "PRIVZONE_DATA_DIR", default_value = "./privzone-data")]
    data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL instead of the embedded store.
    #[arg(long, env = "PRIVZONE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// PEM certificate chain; with --tls-key serves HTTPS.
    #[arg(long, env = "PRIVZONE_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, env = "PRIVZONE_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Username of the bootstrap admin.
    #[arg(long, env = "PRIVZONE_ADMIN_USERNAME", default_value = "admin")]
    admin_username: String,
    /// Origins (`scheme://host[:port]`, comma-separated, or `*`) whose web pages may send
    /// writes, besides the server's own; writes naming any other `Origin` are refused.
    #[arg(long, env = "PRIVZONE_ALLOWED_ORIGINS", default_value = "")]
    allowed_origins: String,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The connection table and its timeouts (docs/operations.md, "Exposing privzone").
#[derive(clap::Args)]
struct LimitArgs {
    /// Most connections open at once [default: 1024, or fewer if the open-file limit is lower].
    #[arg(long, env = "PRIVZONE_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Most connections open at once from one client address [default: 128, at most half the
    /// table]; behind a reverse proxy every client has the proxy's address.
    #[arg(long, env = "PRIVZONE_MAX_CONNECTIONS_PER_CLIENT", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections_per_client: Option<u32>,
    /// Seconds a connection has to finish its TLS handshake and a request's head.
    #[arg(long, env = "PRIVZONE_HEADER_TIMEOUT", default_value = "10", value_parser = seconds)]
    header_timeout: std::time::Duration,
    /// Seconds a kept-alive connection may sit idle between requests.
    #[arg(long, env = "PRIVZONE_IDLE_TIMEOUT", default_value = "60", value_parser = seconds)]
    idle_timeout: std::time::Duration,
    /// Seconds a request may take from its head to the end of its response (its body must
    /// arrive within it).
    #[arg(long, env = "PRIVZONE_REQUEST_TIMEOUT", default_value = "30", value_parser = seconds)]
    request_timeout: std::time::Duration,
}

/// A positive number of seconds (fractions allowed).
fn seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => {
            Ok(std::time::Duration::from_secs_f64(v))
        }
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Set a new password for the admin user, directly in the store (the change is appended to
    /// the change log like any other). The embedded store must not be in use: stop privzone
    /// first. The password comes from --password-stdin, else PRIVZONE_ADMIN_PASSWORD, else one
    /// is generated and printed once on stdout.
    ResetPassword(ResetPasswordArgs),
}

#[derive(clap::Args)]
struct ResetPasswordArgs {
    /// Directory of the embedded store.
    #[arg(long, env = "PRIVZONE_DATA_DIR", default_value = "./privzone-data")]
    data_dir: PathBuf,
    /// `postgres://…`: the PostgreSQL store instead of the embedded one.
    #[arg(long, env = "PRIVZONE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Username of the admin user.
    #[arg(long, env = "PRIVZONE_ADMIN_USERNAME", default_value = "admin")]
    admin_username: String,
    /// Read the new password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

// Request handling allocates small, short-lived buffers on every thread; mimalloc's per-thread
// free lists make that several times cheaper than glibc's malloc (it was ~11% of a read).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Serve(args) => args,
        Command::Admin(AdminCommand::ResetPassword(args)) => {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
                .with_writer(std::io::stderr)
                .init();
            return match reset_password(args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("privzone: {e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Remote(command) => return cli::run(command),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "privzone",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
    };
    // A setting that cannot be used is said once on stderr rather than silently ignored.
    let filter = match std::env::var("PRIVZONE_LOG") {
        Ok(v) if !v.is_empty() => tracing_subscriber::EnvFilter::try_new(&v).unwrap_or_else(|e| {
            eprintln!("privzone: PRIVZONE_LOG={v:?} is not a log filter ({e}); using info");
            tracing_subscriber::EnvFilter::new("info")
        }),
        _ => tracing_subscriber::EnvFilter::new("info"),
    };
    let format = std::env::var("PRIVZONE_LOG_FORMAT").unwrap_or_default();
    if !matches!(format.as_str(), "" | "json" | "text") {
        eprintln!("privzone: PRIVZONE_LOG_FORMAT={format:?} is neither text nor json; using text");
    }
    // PRIVZONE_LOG_FORMAT=json: one JSON object per line, with the request span (its id) on each.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        logs.json().with_current_span(true).init();
    } else {
        use std::io::IsTerminal;
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("privzone: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The configured admin password (from the environment only, so it never shows up in `ps`).
fn configured_password() -> Option<Secret> {
    std::env::var("PRIVZONE_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

fn reset_password(args: ResetPasswordArgs) -> anyhow::Result<()> {
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        let line = line.trim_end_matches(['\r', '\n']);
        anyhow::ensure!(!line.is_empty(), "no password on stdin");
        Some(Secret::new(line))
    } else {
        configured_password()
    };
    let given = password.is_some();
    let mut config = Config::with_data_dir(args.data_dir);
    config.database_url = args.database_url.map(Secret::new);
    config.admin_username = args.admin_username;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let set = runtime
        .block_on(privzone_server::reset_admin_password(&config, password))
        .context("cannot reset the admin password")?;
    if given {
        eprintln!(
            "privzone: the password of admin user {:?} is set",
            config.admin_username
        );
    } else {
        eprintln!(
            "privzone: new password of admin user {:?} (shown once):",
            config.admin_username
        );
        println!("{}", set.expose());
    }
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let allowed_origins = privzone_server::origin::AllowedOrigins::parse(&args.allowed_origins)
        .map_err(|e| anyhow::anyhow!("--allowed-origins: {e}"))?;
    let limits = privzone_server::connections::Limits {
        max_connections: args.limits.max_connections.map(|n| n as usize),
        max_connections_per_client: args.limits.max_connections_per_client.map(|n| n as usize),
        header_timeout: args.limits.header_timeout,
        idle_timeout: args.limits.idle_timeout,
        request_timeout: args.limits.request_timeout,
    };
    let config = Config {
        listen: args.listen,
        data_dir: args.data_dir,
        database_url: args.database_url.map(Secret::new),
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        admin_username: args.admin_username,
        admin_password: configured_password(),
        limits,
        allowed_origins,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    privzone_server::set_build(env!("PRIVZONE_BUILD"));
    runtime.block_on(async {
        let running = privzone_server::start(config)
            .await
            .context("cannot start privzone")?;
        let scheme = if running.app.tls() { "https" } else { "http" };
        eprintln!(
            "privzone: listening on {scheme}://{}/api/v3/onezone",
            running.addr
        );
        // Every acknowledged write is already durable, so stopping needs no flush.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot watch SIGTERM")?;
        tokio::select! {
            _ = running.task => {}
            _ = tokio::signal::ctrl_c() => { eprintln!("privzone: interrupted, stopping"); }
            _ = term.recv() => { eprintln!("privzone: terminated, stopping"); }
        }
        Ok(())
    })
}
