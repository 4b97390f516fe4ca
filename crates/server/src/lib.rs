//! privzone's service: the Onezone REST API (`/api/v3/onezone`) over the model, with a single
//! writer appending every change to the durable log before it answers.
//!
//! - [`http`]: errors → status codes (one place), bodies, responses;
//! - [`auth`]: credentials → caller; [`body`]: request validation;
//! - [`writer`]: ordered, durable, group-committed writes; [`app`]: shared handles;
//! - [`routes`]: one module per API area; [`bootstrap`]: the admin and `admins` on every start.

pub mod app;
pub mod auth;
pub mod body;
pub mod bootstrap;
pub mod config;
pub mod http;
pub mod routes;
pub mod writer;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

use parking_lot::RwLock;
use privzone_store::{SqliteLog, StoreError};

pub use app::App;
pub use config::{Config, Secret};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Bootstrap(#[from] bootstrap::BootstrapError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Config(String),
}

/// A started service: its bound address and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    pub task: tokio::task::JoinHandle<()>,
}

/// Opens the store, rebuilds the state, bootstraps and starts serving on `config.listen`.
pub async fn start(config: Config) -> Result<Running, StartError> {
    if config.database_url.is_some() {
        return Err(StartError::Config(
            "PostgreSQL (--database-url) is not available in this build yet; omit it to use the embedded store".into(),
        ));
    }
    if config.tls_cert.is_some() || config.tls_key.is_some() {
        return Err(StartError::Config(
            "TLS (--tls-cert/--tls-key) is not available in this build yet; terminate TLS in a reverse proxy".into(),
        ));
    }
    let data_dir = config.data_dir.clone();
    let (log, state, head) = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
        let mut log = SqliteLog::open(&data_dir)?;
        let (state, head) = writer::rebuild(&mut log)?;
        Ok((log, state, head))
    })
    .await
    .map_err(|e| StartError::Config(format!("start-up task failed: {e}")))??;
    let state = Arc::new(RwLock::new(state));
    let revision = Arc::new(AtomicU64::new(head));
    let healthy = Arc::new(AtomicBool::new(true));
    let writer = writer::Writer::start(Box::new(log), state.clone(), revision.clone(), healthy.clone());
    let app = App::new(state, writer, revision, healthy, false);
    bootstrap::run(&app, &config).await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let router = routes::router(app.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "server stopped");
        }
    });
    tracing::info!(%addr, revision = head, "privzone is serving /api/v3/onezone");
    Ok(Running { addr, app, task })
}
