//! Handle services (reference §3.2): creation, public data, update, delete, and the handles
//! registered in a service. The list, protected data and creation routes are served by
//! `entity.rs`, members and privileges by `members.rs`.

use axum::extract::State as AppState;
use axum::routing::{get, patch};
use privzone_model::authorize::{authorize, Operation};
use privzone_model::change::Change;
use privzone_model::command::EntityUpdate;
use privzone_model::error::{Missing, Noun};
use privzone_model::state::{HandleService, ServiceIx, State};
use privzone_model::Error;
use serde_json::{json, Map, Value};

use super::entity::{self, add_admin, Create, Owner};
use super::kinds::{no_such, ServiceKind};
use super::records::protected_handle;
use crate::app::App;
use crate::auth::{new_id, Caller};
use crate::body;
use crate::http::{created, ok_json, ApiResult, BaseUrl, Ids, JsonBody};

fn service<'a>(state: &'a State, id: &str) -> Result<(ServiceIx, &'a HandleService), Error> {
    state
        .services
        .by_id(id)
        .ok_or_else(|| no_such(Noun::HandleService, id))
}

/// `proxyEndpoint`: a non-empty string.
fn proxy_endpoint(v: &Value) -> Result<String, Error> {
    match v {
        Value::String(s) if s.is_empty() => Err(Error::BadValueEmpty("proxyEndpoint".into())),
        Value::String(s) => Ok(s.clone()),
        _ => Err(Error::BadValueString("proxyEndpoint".into())),
    }
}

/// `serviceProperties`: a non-empty JSON object.
fn service_properties(v: &Value) -> Result<Value, Error> {
    match v {
        Value::Object(m) if m.is_empty() => Err(Error::BadValueEmpty("serviceProperties".into())),
        Value::Object(_) => Ok(v.clone()),
        _ => Err(Error::BadValueJson("serviceProperties".into())),
    }
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Value, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(Error::MissingRequiredValue(key.into())),
        Some(v) => Ok(v),
    }
}

/// A validated create body: name, proxyEndpoint, serviceProperties (all required).
struct NewService {
    name: String,
    proxy_endpoint: String,
    service_properties: Value,
}

fn new_service(body: &Value) -> Result<NewService, Error> {
    let obj = body::object(body)?;
    Ok(NewService {
        name: body::required_name(obj)?,
        proxy_endpoint: proxy_endpoint(required(obj, "proxyEndpoint")?)?,
        service_properties: service_properties(required(obj, "serviceProperties")?)?,
    })
}

impl Create for ServiceKind {
    async fn create(
        app: App,
        caller: Caller,
        base: BaseUrl,
        owner: Owner,
        body: Value,
    ) -> ApiResult {
        let id = new_id();
        let path = owner.location::<ServiceKind>(&id);
        let (_, revision) = app
            .write(caller.actor.clone(), move |tx| {
                let state = tx.state();
                let on_behalf = owner.on_behalf(state)?;
                let ok = authorize(
                    state,
                    caller.client,
                    Operation::CreateHandleService(on_behalf),
                )?;
                let user = ok.user().map(|u| state.users.id_of(u).to_owned());
                let new = new_service(&body)?;
                let time = tx.now();
                tx.apply(Change::CreateHandleService {
                    service: id.clone(),
                    name: new.name,
                    proxy_endpoint: new.proxy_endpoint,
                    service_properties: new.service_properties,
                    creator: user.clone(),
                    time,
                })?;
                add_admin::<ServiceKind>(tx, id, owner.admin(user))
            })
            .await?;
        created(&base, &path, revision)
    }
}

/// GET `/handle_services/{id}/public` — anyone.
#[utoipa::path(
    get,
    path = "/handle_services/{id}/public",
    summary = "A handle service's public data",
    security(()),
    responses((status = 200, description = "OK", body = crate::openapi::schemas::HandleServicePublic)),
)]
pub async fn get_public(AppState(app): AppState<App>, Ids(id): Ids<String>) -> ApiResult {
    let state = app.read();
    let (_, s) = service(&state, &id)?;
    ok_json(json!({"handleServiceId": s.id, "name": s.name}))
}

/// PATCH `/handle_services/{id}` — at least one of name, proxyEndpoint, serviceProperties.
#[utoipa::path(
    patch,
    path = "/handle_services/{id}",
    summary = "Update a handle service",
    request_body = crate::openapi::schemas::UpdateHandleService,
    responses((status = 204, description = "Done")),
)]
pub async fn update(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    entity::update::<ServiceKind, _>(app, caller, id, move || {
        let obj = body::object(&body)?;
        let keys = ["name", "proxyEndpoint", "serviceProperties"];
        if !keys.iter().any(|k| obj.contains_key(*k)) {
            return Err(Error::MissingAtLeastOneValue(
                keys.iter().map(|k| k.to_string()).collect(),
            ));
        }
        let name = body::optional_name(obj)?;
        let proxy = obj.get("proxyEndpoint").map(proxy_endpoint).transpose()?;
        let props = obj
            .get("serviceProperties")
            .map(service_properties)
            .transpose()?;
        Ok(EntityUpdate::HandleService {
            name,
            proxy_endpoint: proxy,
            service_properties: props,
        })
    })
    .await
}

/// DELETE `/handle_services/{id}` — refused while handles are registered in it.
#[utoipa::path(
    delete,
    path = "/handle_services/{id}",
    summary = "Delete a handle service with no handles",
    responses((status = 204, description = "Done")),
)]
pub async fn delete(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    entity::delete::<ServiceKind>(app, caller, id).await
}

/// GET `/handle_services/{id}/handles`.
#[utoipa::path(
    get,
    path = "/handle_services/{id}/handles",
    summary = "List the handles registered in a handle service",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::HandleIds)),
)]
pub async fn list_handles(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let state = app.read();
    let (ix, s) = service(&state, &id)?;
    authorize(&state, caller.client, Operation::ListHandlesOfService(ix))?;
    let ids: Vec<&str> = s.handles.iter().map(|h| state.handles.id_of(*h)).collect();
    ok_json(json!({ "handles": ids }))
}

/// GET `/handle_services/{id}/handles/{hid}` — a handle of this service.
#[utoipa::path(
    get,
    path = "/handle_services/{id}/handles/{hid}",
    summary = "A handle registered in a handle service",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::HandleProtected)),
)]
pub async fn get_handle(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, hid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let (ix, _) = service(&state, &id)?;
    let h = state
        .handles
        .by_id(&hid)
        .map(|(_, h)| h)
        .filter(|h| h.service == ix)
        .ok_or_else(|| {
            Error::Missing(Missing::NotIn(
                Noun::Handle,
                hid.clone(),
                Noun::HandleService,
            ))
        })?;
    authorize(&state, caller.client, Operation::ViewHandleOfService(ix))?;
    ok_json(protected_handle(&state, h))
}

pub fn routes(router: super::Api) -> super::Api {
    router
        .route("/handle_services/{id}", patch(update).delete(delete))
        .route("/handle_services/{id}/public", get(get_public))
        .route("/handle_services/{id}/handles", get(list_handles))
        .route("/handle_services/{id}/handles/{hid}", get(get_handle))
}
