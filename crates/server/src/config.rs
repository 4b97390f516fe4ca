//! Service configuration (DESIGN.md contracts: flags and `PRIVZONE_*` variables are parsed by the
//! binary; this is the typed result).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A secret string whose Debug output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<Secret>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub admin_username: String,
    pub admin_password: Option<Secret>,
    /// Connection table and timeouts (`--max-connections`, `--header-timeout`, …).
    pub limits: crate::connections::Limits,
    /// Origins besides the server's own whose pages may send writes (`--allowed-origins`).
    pub allowed_origins: crate::origin::AllowedOrigins,
}

impl Config {
    /// Defaults of DESIGN.md, with the data dir given.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            database_url: None,
            tls_cert: None,
            tls_key: None,
            admin_username: "admin".into(),
            admin_password: None,
            limits: Default::default(),
            allowed_origins: Default::default(),
        }
    }
}
