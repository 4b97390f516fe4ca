//! Handle registration: where a handle's public identifier comes from.
//!
//! Onezone asks the handle service's proxy to register a handle; privzone runs without one and
//! mints identifiers itself (`<prefix>/<random>`). Every handle route goes through [`Registrar`],
//! so a registrar that calls a real handle proxy only has to implement the trait and be returned
//! by [`for_service`].
//!
//! Registration happens before the write that records the handle: a registrar may do I/O, and the
//! logged change must carry the result (replay never mints again).

use std::future::Future;
use std::pin::Pin;

use privzone_model::Error;
use rand::RngCore;
use serde_json::Value;

/// Prefix used when the service's `serviceProperties` give none.
pub const DEFAULT_PREFIX: &str = "privzone";

/// What a registrar needs to know about the handle and its service.
#[derive(Debug, Clone)]
pub struct Registration {
    pub service_id: String,
    pub proxy_endpoint: String,
    pub service_properties: Value,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata_prefix: String,
    pub metadata: String,
}

/// A registered handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minted {
    /// `<prefix>/<suffix>`.
    pub identifier: String,
    /// Resolvable URL of the identifier, the handle's `publicHandle`.
    pub public_handle: String,
}

pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

pub trait Registrar: Send + Sync {
    fn register<'a>(&'a self, registration: &'a Registration) -> Pending<'a, Minted>;

    /// Tells the proxy about new metadata of a registered handle.
    fn update_metadata<'a>(
        &'a self,
        _public_handle: &'a str,
        _metadata: &'a str,
    ) -> Pending<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    /// Tells the proxy a handle is gone.
    fn deregister<'a>(&'a self, _public_handle: &'a str) -> Pending<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

/// Mints identifiers locally; nothing to tell anyone on update or delete.
pub struct LocalRegistrar;

impl LocalRegistrar {
    pub fn mint(service_properties: &Value) -> Minted {
        let prefix = service_properties
            .get("prefix")
            .and_then(Value::as_str)
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
            .unwrap_or(DEFAULT_PREFIX);
        let mut bytes = [0u8; 10];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let identifier = format!("{prefix}/{}", hex::encode(bytes));
        // DOI services resolve through doi.org; everything else is a Handle System (PID) handle.
        let resolver = match service_properties.get("type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("doi") => "https://doi.org",
            _ => "https://hdl.handle.net",
        };
        Minted {
            public_handle: format!("{resolver}/{identifier}"),
            identifier,
        }
    }
}

impl Registrar for LocalRegistrar {
    fn register<'a>(&'a self, registration: &'a Registration) -> Pending<'a, Minted> {
        Box::pin(async move { Ok(Self::mint(&registration.service_properties)) })
    }
}

/// The registrar responsible for handles of a service with these properties.
pub fn for_service(_service_properties: &Value) -> &'static dyn Registrar {
    &LocalRegistrar
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefix_comes_from_service_properties() {
        let m = LocalRegistrar::mint(&json!({"type": "DOI", "prefix": "10.5072"}));
        assert!(m.identifier.starts_with("10.5072/"), "{m:?}");
        assert_eq!(m.public_handle, format!("https://doi.org/{}", m.identifier));
        let m = LocalRegistrar::mint(&json!({"type": "PID"}));
        assert!(m.identifier.starts_with("privzone/"), "{m:?}");
        assert!(m
            .public_handle
            .starts_with("https://hdl.handle.net/privzone/"));
    }

    #[test]
    fn identifiers_differ() {
        let p = json!({"prefix": "20.500.1"});
        assert_ne!(
            LocalRegistrar::mint(&p).identifier,
            LocalRegistrar::mint(&p).identifier
        );
    }
}
