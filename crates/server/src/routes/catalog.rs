//! Privilege catalogs (reference §1.8), readiness and health: no authentication required.

use axum::extract::State as AppState;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use privzone_model::catalog::{
    AtmInventoryPriv, ClusterPriv, GroupPriv, HandlePriv, HandleServicePriv, HarvesterPriv, OzPriv, SpacePriv,
};
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use privzone_model::Error;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::http::{ok_json, ApiError, ApiResult};

/// `{"member": [...], "manager": [...], "admin": [...]}` with cumulative levels.
fn catalog<K: PrivilegeKind>() -> Value {
    let mut out = Map::new();
    for (level, _) in K::catalog().levels {
        out.insert((*level).into(), json!(PrivilegeSet::<K>::preset(level).to_names()));
    }
    Value::Object(out)
}

pub async fn oz() -> ApiResult {
    ok_json(catalog::<OzPriv>())
}
pub async fn groups() -> ApiResult {
    ok_json(catalog::<GroupPriv>())
}
pub async fn spaces() -> ApiResult {
    ok_json(catalog::<SpacePriv>())
}
pub async fn handle_services() -> ApiResult {
    ok_json(catalog::<HandleServicePriv>())
}
pub async fn handles() -> ApiResult {
    ok_json(catalog::<HandlePriv>())
}
pub async fn harvesters() -> ApiResult {
    ok_json(catalog::<HarvesterPriv>())
}
pub async fn clusters() -> ApiResult {
    ok_json(catalog::<ClusterPriv>())
}
pub async fn atm_inventories() -> ApiResult {
    ok_json(catalog::<AtmInventoryPriv>())
}

/// GET `/configuration`: readiness.
pub async fn configuration(AppState(app): AppState<App>) -> ApiResult {
    ok_json(json!({
        "name": "privzone",
        "version": env!("CARGO_PKG_VERSION"),
        "build": option_env!("PRIVZONE_BUILD").unwrap_or("dev"),
        "revision": app.revision(),
        "compatibleOneproviderVersions": [],
        "subdomainDelegationSupported": false,
    }))
}

/// GET `/health`: 200 while the store takes writes, 503 otherwise.
pub async fn health(AppState(app): AppState<App>) -> Result<axum::response::Response, ApiError> {
    if app.healthy() {
        Ok((StatusCode::OK, axum::Json(json!({"status": "healthy"}))).into_response())
    } else {
        Err(ApiError(Error::ServiceUnavailable))
    }
}
