//! privzone's service: the Onezone REST API (`/api/v3/onezone`) over the model, with a single
//! writer appending every change to the durable log before it answers.
//!
//! - [`http`]: errors → status codes (one place), bodies, responses;
//! - [`auth`]: credentials → caller; [`body`]: request validation;
//! - [`writer`]: ordered, durable, group-committed writes; [`app`]: shared handles;
//! - [`connections`]: the connection table and its timeouts; [`origin`]: no cross-site writes;
//!   [`throttle`]: backoff of password guessing;
//! - [`routes`]: one module per API area; [`bootstrap`]: the admin and `admins` on every start.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod admin;
pub mod app;
pub mod auth;
pub mod body;
pub mod bootstrap;
pub mod config;
pub mod connections;
pub mod follow;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod origin;
pub mod registrar;
pub mod routes;
pub mod throttle;
pub mod tls;
pub mod writer;

use std::net::SocketAddr;
use std::sync::Arc;

use parking_lot::RwLock;
use privzone_model::State;
use privzone_store::{ChangeLog, PgLog, Revision, SqliteLog, StoreError};

pub use app::App;
pub use config::{Config, Secret};

static BUILD: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Records the build id the binary was made from (shown by `GET /configuration`).
pub fn set_build(build: &'static str) {
    let _ = BUILD.set(build);
}

/// The build id, `dev` when the binary set none.
pub fn build() -> &'static str {
    BUILD.get().copied().unwrap_or("dev")
}

/// Why the service did not start. Each message is complete on its own (no `source()` chain),
/// so that printing it with its causes says everything once.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bootstrap(#[from] bootstrap::BootstrapError),
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        addr: SocketAddr,
        reason: std::io::Error,
    },
    #[error("{0}")]
    Config(String),
}

/// A started service: its bound address and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    pub task: tokio::task::JoinHandle<()>,
}

/// Opens the configured store (PostgreSQL when a URL is given) and replays it into memory.
async fn open_store(
    config: &Config,
) -> Result<(Box<dyn ChangeLog>, State, Revision, Option<String>), StartError> {
    let data_dir = config.data_dir.clone();
    let url = config.database_url.as_ref().map(|u| u.expose().to_owned());
    if let Some(u) = &url {
        if !(u.starts_with("postgres://") || u.starts_with("postgresql://")) {
            return Err(StartError::Config(
                "--database-url must be a postgres:// or postgresql:// URL".into(),
            ));
        }
    }
    if url.is_none() {
        warn_if_shared(&data_dir);
    }
    let follow_url = url.clone();
    let opened = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
        let mut log: Box<dyn ChangeLog> = match &url {
            Some(u) => Box::new(PgLog::open(u)?),
            None => Box::new(SqliteLog::open(&data_dir)?),
        };
        let (state, head) = writer::rebuild(log.as_mut())?;
        Ok((log, state, head))
    })
    .await
    .map_err(|e| StartError::Config(format!("start-up task failed: {e}")))??;
    Ok((opened.0, opened.1, opened.2, follow_url))
}

/// The data directory of the embedded store holds password and token hashes: say so when others
/// may look into it (its files are private either way).
fn warn_if_shared(data_dir: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(data_dir) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    data_dir = %data_dir.display(),
                    mode = format!("{mode:o}"),
                    "the data directory is accessible to group or others; chmod 700 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = data_dir;
}

/// Opens the store and starts the writer over the rebuilt state (no HTTP yet); the PostgreSQL
/// URL to follow, if any.
async fn open_app(config: &Config, tls: bool) -> Result<(App, Option<String>), StartError> {
    let (log, state, head, url) = open_store(config).await?;
    let state = Arc::new(RwLock::new(state));
    let published = writer::Published::new(head);
    let metrics = Arc::new(metrics::Metrics::default());
    let writer = writer::Writer::start(log, state.clone(), published.clone(), metrics.clone());
    Ok((
        App::new(
            state,
            writer,
            published,
            metrics,
            tls,
            config.allowed_origins.clone(),
        ),
        url,
    ))
}

/// `privzone admin reset-password`: sets the admin user's password directly in the store
/// (the embedded one must not be in use: its lock says so), appended to the change log like
/// any change; `password`, or a generated one. Returns the password set.
pub async fn reset_admin_password(
    config: &Config,
    password: Option<Secret>,
) -> Result<Secret, StartError> {
    if config.database_url.is_none() && !SqliteLog::exists(&config.data_dir) {
        return Err(StartError::Config(format!(
            "there is no privzone store in {} (give --data-dir or --database-url)",
            config.data_dir.display()
        )));
    }
    let (app, _) = open_app(config, false).await?;
    Ok(bootstrap::reset_password(&app, config, password).await?)
}

/// Listens on `config.listen`, opens the store, rebuilds the state, bootstraps and serves.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::server_config(cert, key).map_err(StartError::Config)?),
        (None, None) => None,
        _ => {
            return Err(StartError::Config(
                "--tls-cert and --tls-key must be given together".into(),
            ))
        }
    };
    // Listen first: a start that fails (port in use) must leave nothing behind, neither a new
    // data directory nor a generated password that no server will accept.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|reason| StartError::Listen {
            addr: config.listen,
            reason,
        })?;
    let addr = listener.local_addr().map_err(|reason| StartError::Listen {
        addr: config.listen,
        reason,
    })?;
    let (app, url) = open_app(&config, tls.is_some()).await?;
    if let Some(url) = url {
        follow::start(url, app.clone());
    }
    bootstrap::run(&app, &config).await?;

    let scheme = if tls.is_some() { "https" } else { "http" };
    let limits = config.limits.resolve();
    tracing::info!(
        max_connections = limits.max_connections,
        max_connections_per_client = limits.max_connections_per_client,
        header_timeout_s = limits.header_timeout.as_secs_f64(),
        idle_timeout_s = limits.idle_timeout.as_secs_f64(),
        request_timeout_s = limits.request_timeout.as_secs_f64(),
        "connection limits"
    );
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(connections::serve(
        listener,
        acceptor,
        routes::service(app.clone()),
        limits,
        app.clone(),
    ));
    tracing::info!(%addr, %scheme, revision = app.revision(), "privzone is serving /api/v3/onezone");
    Ok(Running { addr, app, task })
}
