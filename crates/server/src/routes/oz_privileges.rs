//! Onezone admin privileges of users and groups (reference §3.1): direct and effective,
//! `/user/...` for the caller and `/users/{id}/...`, `/groups/{id}/...` for anyone.

use axum::extract::State as AppState;
use privzone_model::authorize::{authorize, Operation};
use privzone_model::catalog::OzPriv;
use privzone_model::change::Change;
use privzone_model::error::Noun;
use privzone_model::state::{MemberIx, State};
use privzone_model::{Error, Member};
use serde_json::Value;

use super::kinds::{no_such, privileges_json};
use crate::app::App;
use crate::auth::Caller;
use crate::body;
use crate::http::{no_content, ok_json, ApiResult, Ids, JsonBody};

#[derive(Clone, Copy)]
enum Subject {
    User,
    Group,
}

fn resolve(state: &State, subject: Subject, id: &str) -> Result<MemberIx, Error> {
    match subject {
        Subject::User => state.users.find(id).map(MemberIx::User),
        Subject::Group => state.groups.find(id).map(MemberIx::Group),
    }
    .ok_or_else(|| {
        let noun = match subject {
            Subject::User => Noun::User,
            Subject::Group => Noun::Group,
        };
        no_such(noun, id)
    })
}

fn own_id(state: &State, caller: &Caller) -> Result<String, Error> {
    match caller.client {
        privzone_model::authorize::Client::User(u) => Ok(state.users.id_of(u).to_owned()),
        privzone_model::authorize::Client::Nobody => Err(Error::Unauthorized),
    }
}

fn read(
    app: &App,
    caller: &Caller,
    subject: Subject,
    id: Option<String>,
    effective: bool,
) -> ApiResult {
    let state = app.read();
    let id = match id {
        Some(id) => id,
        None => own_id(&state, caller)?,
    };
    let m = resolve(&state, subject, &id)?;
    authorize(&state, caller.client, Operation::ViewOzPrivileges(m))?;
    let set = match (m, effective) {
        (MemberIx::User(u), false) => state.users.get(u).map(|x| x.oz).unwrap_or_default(),
        (MemberIx::User(u), true) => state.effective_user_oz(u),
        (MemberIx::Group(g), false) => state.groups.get(g).map(|x| x.oz).unwrap_or_default(),
        (MemberIx::Group(g), true) => state.effective_group_oz(g),
    };
    ok_json(privileges_json::<OzPriv>(set))
}

/// PATCH/PUT (body) or DELETE (no body: revoke everything).
async fn update(
    app: App,
    caller: Caller,
    subject: Subject,
    id: Option<String>,
    body: Option<(Value, bool)>,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let id = match id {
                Some(id) => id,
                None => own_id(state, &caller)?,
            };
            let m = resolve(state, subject, &id)?;
            authorize(state, caller.client, Operation::SetOzPrivileges(m))?;
            let old = match m {
                MemberIx::User(u) => state.users.get(u).map(|x| x.oz).unwrap_or_default(),
                MemberIx::Group(g) => state.groups.get(g).map(|x| x.oz).unwrap_or_default(),
            };
            let new = match &body {
                Some((b, is_put)) => body::updated_privileges::<OzPriv>(b, old, *is_put)?,
                None => Default::default(),
            };
            if new != old {
                let subject = match subject {
                    Subject::User => Member::User(id),
                    Subject::Group => Member::Group(id),
                };
                tx.apply(Change::SetOzPrivileges {
                    subject,
                    privileges: new,
                })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

#[utoipa::path(
    get,
    path = "/user/privileges",
    summary = "Direct oz privileges of the client",
    tag = "oz privileges",
    responses((status = 200, description = "Direct oz privileges", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_own(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    read(&app, &caller, Subject::User, None, false)
}
#[utoipa::path(
    get,
    path = "/user/effective_privileges",
    summary = "Effective oz privileges of the client",
    tag = "oz privileges",
    responses((status = 200, description = "Effective oz privileges (with those of every group above)", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_own_effective(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    read(&app, &caller, Subject::User, None, true)
}
#[utoipa::path(
    patch,
    path = "/user/privileges",
    summary = "Change the oz privileges of the client",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeUpdate,
    responses((status = 204, description = "Done")),
)]
pub async fn patch_own(
    AppState(app): AppState<App>,
    caller: Caller,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::User, None, Some((b, false))).await
}
#[utoipa::path(
    put,
    path = "/user/privileges",
    summary = "Change the oz privileges of the client (legacy PUT)",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeOperation,
    responses((status = 204, description = "Done")),
)]
pub async fn put_own(
    AppState(app): AppState<App>,
    caller: Caller,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::User, None, Some((b, true))).await
}
#[utoipa::path(
    delete,
    path = "/user/privileges",
    summary = "Revoke every oz privilege of the client",
    tag = "oz privileges",
    responses((status = 204, description = "Every direct oz privilege revoked")),
)]
pub async fn delete_own(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    update(app, caller, Subject::User, None, None).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/privileges",
    summary = "Direct oz privileges of a user",
    tag = "oz privileges",
    responses((status = 200, description = "Direct oz privileges", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_user(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    read(&app, &caller, Subject::User, Some(id), false)
}
#[utoipa::path(
    get,
    path = "/users/{id}/effective_privileges",
    summary = "Effective oz privileges of a user",
    tag = "oz privileges",
    responses((status = 200, description = "Effective oz privileges (with those of every group above)", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_user_effective(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    read(&app, &caller, Subject::User, Some(id), true)
}
#[utoipa::path(
    patch,
    path = "/users/{id}/privileges",
    summary = "Change the oz privileges of a user",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeUpdate,
    responses((status = 204, description = "Done")),
)]
pub async fn patch_user(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::User, Some(id), Some((b, false))).await
}
#[utoipa::path(
    put,
    path = "/users/{id}/privileges",
    summary = "Change the oz privileges of a user (legacy PUT)",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeOperation,
    responses((status = 204, description = "Done")),
)]
pub async fn put_user(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::User, Some(id), Some((b, true))).await
}
#[utoipa::path(
    delete,
    path = "/users/{id}/privileges",
    summary = "Revoke every oz privilege of a user",
    tag = "oz privileges",
    responses((status = 204, description = "Every direct oz privilege revoked")),
)]
pub async fn delete_user(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    update(app, caller, Subject::User, Some(id), None).await
}

#[utoipa::path(
    get,
    path = "/groups/{id}/privileges",
    summary = "Direct oz privileges of a group",
    tag = "oz privileges",
    responses((status = 200, description = "Direct oz privileges", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_group(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    read(&app, &caller, Subject::Group, Some(id), false)
}
#[utoipa::path(
    get,
    path = "/groups/{id}/effective_privileges",
    summary = "Effective oz privileges of a group",
    tag = "oz privileges",
    responses((status = 200, description = "Effective oz privileges (with those of every group above)", body = crate::openapi::privileges::OzPrivilegeList)),
)]
pub async fn get_group_effective(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    read(&app, &caller, Subject::Group, Some(id), true)
}
#[utoipa::path(
    patch,
    path = "/groups/{id}/privileges",
    summary = "Change the oz privileges of a group",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeUpdate,
    responses((status = 204, description = "Done")),
)]
pub async fn patch_group(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::Group, Some(id), Some((b, false))).await
}
#[utoipa::path(
    put,
    path = "/groups/{id}/privileges",
    summary = "Change the oz privileges of a group (legacy PUT)",
    tag = "oz privileges",
    request_body = crate::openapi::privileges::OzPrivilegeOperation,
    responses((status = 204, description = "Done")),
)]
pub async fn put_group(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(b): JsonBody,
) -> ApiResult {
    update(app, caller, Subject::Group, Some(id), Some((b, true))).await
}
#[utoipa::path(
    delete,
    path = "/groups/{id}/privileges",
    summary = "Revoke every oz privilege of a group",
    tag = "oz privileges",
    responses((status = 204, description = "Every direct oz privilege revoked")),
)]
pub async fn delete_group(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    update(app, caller, Subject::Group, Some(id), None).await
}

pub fn routes(router: super::Api) -> super::Api {
    use axum::routing::get;
    router
        .route(
            "/user/privileges",
            get(get_own)
                .patch(patch_own)
                .put(put_own)
                .delete(delete_own),
        )
        .route("/user/effective_privileges", get(get_own_effective))
        .route(
            "/users/{id}/privileges",
            get(get_user)
                .patch(patch_user)
                .put(put_user)
                .delete(delete_user),
        )
        .route("/users/{id}/effective_privileges", get(get_user_effective))
        .route(
            "/groups/{id}/privileges",
            get(get_group)
                .patch(patch_group)
                .put(put_group)
                .delete(delete_group),
        )
        .route(
            "/groups/{id}/effective_privileges",
            get(get_group_effective),
        )
}
