//! privzone's service: the Onezone REST API (`/api/v3/onezone`) over the model, with a single
//! writer appending every change to the durable log before it answers.
//!
//! - [`http`]: errors → status codes (one place), bodies, responses;
//! - [`auth`]: credentials → caller; [`body`]: request validation;
//! - [`writer`]: ordered, durable, group-committed writes; [`app`]: shared handles;
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
pub mod follow;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod registrar;
pub mod routes;
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

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Bootstrap(#[from] bootstrap::BootstrapError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
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

/// Opens the store, rebuilds the state, bootstraps and starts serving on `config.listen`.
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
    let (log, state, head, url) = open_store(&config).await?;
    let state = Arc::new(RwLock::new(state));
    let published = writer::Published::new(head);
    let metrics = Arc::new(metrics::Metrics::default());
    let writer = writer::Writer::start(log, state.clone(), published.clone(), metrics.clone());
    let app = App::new(state, writer, published, metrics, tls.is_some());
    if let Some(url) = url {
        follow::start(url, app.clone());
    }
    bootstrap::run(&app, &config).await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    let service = tower::make::Shared::new(routes::service(app.clone()));
    let scheme = if tls.is_some() { "https" } else { "http" };
    let task = match tls {
        Some(tls) => {
            let listener =
                tls::TlsListener::new(listener, tls).map_err(|source| StartError::Listen {
                    addr: config.listen,
                    source,
                })?;
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, service).await {
                    tracing::error!(error = %e, "server stopped");
                }
            })
        }
        None => tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, service).await {
                tracing::error!(error = %e, "server stopped");
            }
        }),
    };
    tracing::info!(%addr, %scheme, revision = head, "privzone is serving /api/v3/onezone");
    Ok(Running { addr, app, task })
}
