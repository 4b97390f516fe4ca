//! The `privzone` binary: `privzone serve` runs the service (DESIGN.md contracts for flags and
//! environment variables).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use privzone_server::{Config, Secret};

#[derive(Parser)]
#[command(name = "privzone", version, about = "Membership and privilege service speaking Onezone's REST API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve(ServeArgs),
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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PRIVZONE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("privzone: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let Command::Serve(args) = cli.command;
    let config = Config {
        listen: args.listen,
        data_dir: args.data_dir,
        database_url: args.database_url.map(Secret::new),
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        admin_username: args.admin_username,
        // Read from the environment only, so it never shows up in `ps`.
        admin_password: std::env::var("PRIVZONE_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()).map(Secret::new),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async {
        let running = privzone_server::start(config).await.context("cannot start privzone")?;
        eprintln!("privzone: listening on http://{}/api/v3/onezone", running.addr);
        tokio::select! {
            _ = running.task => {}
            _ = tokio::signal::ctrl_c() => { eprintln!("privzone: shutting down"); }
        }
        Ok(())
    })
}
