//! Privilege catalogs (reference §1.8), readiness and health: no authentication required (nobody
//! is served; credentials that do not verify are still a 401, except on `/health`).

use axum::extract::State as AppState;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use privzone_model::catalog::{
    AtmInventoryPriv, ClusterPriv, GroupPriv, HandlePriv, HandleServicePriv, HarvesterPriv, OzPriv,
    SpacePriv,
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
        out.insert(
            (*level).into(),
            json!(PrivilegeSet::<K>::preset(level).to_names()),
        );
    }
    Value::Object(out)
}

#[utoipa::path(
    get,
    path = "/privileges",
    summary = "Oz privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::OzPrivilegeCatalog)),
)]
pub async fn oz() -> ApiResult {
    ok_json(catalog::<OzPriv>())
}
#[utoipa::path(
    get,
    path = "/groups/privileges",
    summary = "Group privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::GroupPrivilegeCatalog)),
)]
pub async fn groups() -> ApiResult {
    ok_json(catalog::<GroupPriv>())
}
#[utoipa::path(
    get,
    path = "/spaces/privileges",
    summary = "Space privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::SpacePrivilegeCatalog)),
)]
pub async fn spaces() -> ApiResult {
    ok_json(catalog::<SpacePriv>())
}
#[utoipa::path(
    get,
    path = "/handle_services/privileges",
    summary = "Handle service privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::HandleServicePrivilegeCatalog)),
)]
pub async fn handle_services() -> ApiResult {
    ok_json(catalog::<HandleServicePriv>())
}
#[utoipa::path(
    get,
    path = "/handles/privileges",
    summary = "Handle privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::HandlePrivilegeCatalog)),
)]
pub async fn handles() -> ApiResult {
    ok_json(catalog::<HandlePriv>())
}
#[utoipa::path(
    get,
    path = "/harvesters/privileges",
    summary = "Harvester privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::HarvesterPrivilegeCatalog)),
)]
pub async fn harvesters() -> ApiResult {
    ok_json(catalog::<HarvesterPriv>())
}
#[utoipa::path(
    get,
    path = "/clusters/privileges",
    summary = "Cluster privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::ClusterPrivilegeCatalog)),
)]
pub async fn clusters() -> ApiResult {
    ok_json(catalog::<ClusterPriv>())
}
#[utoipa::path(
    get,
    path = "/atm_inventories/privileges",
    summary = "Automation inventory privilege names by level",
    tag = "catalogs",
    security(()),
    responses((status = 200, description = "The privileges of each level", body = crate::openapi::privileges::AtmInventoryPrivilegeCatalog)),
)]
pub async fn atm_inventories() -> ApiResult {
    ok_json(catalog::<AtmInventoryPriv>())
}

/// GET `/configuration`: readiness.
#[utoipa::path(
    get,
    path = "/configuration",
    summary = "Readiness: name, version, build and revision",
    tag = "service",
    security(()),
    responses((status = 200, description = "Ready", body = crate::openapi::schemas::Configuration)),
)]
pub async fn configuration(AppState(app): AppState<App>) -> ApiResult {
    ok_json(json!({
        "name": "privzone",
        "version": env!("CARGO_PKG_VERSION"),
        "build": crate::build(),
        "revision": app.revision(),
        "compatibleOneproviderVersions": [],
        "subdomainDelegationSupported": false,
    }))
}

/// GET `/health`: 200 while the store takes writes, 503 otherwise.
#[utoipa::path(
    get,
    path = "/health",
    summary = "Health: 200 while the store takes writes, 503 otherwise",
    tag = "service",
    security(()),
    responses((status = 200, description = "Healthy", body = crate::openapi::schemas::Health), (status = 503, description = "The store does not take writes", body = crate::openapi::schemas::ErrorBody)),
)]
pub async fn health(AppState(app): AppState<App>) -> Result<axum::response::Response, ApiError> {
    if app.healthy() {
        Ok((StatusCode::OK, axum::Json(json!({"status": "healthy"}))).into_response())
    } else {
        Err(ApiError(Error::ServiceUnavailable))
    }
}
