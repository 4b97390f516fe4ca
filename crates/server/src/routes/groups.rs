//! Groups (reference §3.4): creation (as admin, as the current user, as a new child or parent of
//! a group), update and delete. The list, protected data and the other creation routes are served
//! by `entity.rs`, what a group belongs to (parents, spaces, …) by `member_of.rs`, users and
//! children with their privileges by `members.rs`.

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use axum::routing::{patch, post};
use privzone_model::authorize::{authorize, OnBehalfOf, Operation};
use privzone_model::catalog::GroupPrivileges;
use privzone_model::change::{Change, GroupType};
use privzone_model::command::EntityUpdate;
use privzone_model::error::Noun;
use privzone_model::{Error, Member, Privileges, Target};
use serde_json::{Map, Value};

use super::entity::{self, add_admin, Create, Owner};
use super::kinds::{no_such, GroupKind};
use crate::app::App;
use crate::auth::{new_id, Caller};
use crate::body;
use crate::http::{created, ApiResult, BaseUrl, Ids, JsonBody};

/// An optional `type`: one of [`GroupType::ALL`]. Onezone reads it as an atom: a string or a
/// JSON literal (`null`, `true`, `false`) that is then not one of the allowed values, while a
/// number, list or object is not a string at all (`badValueString`).
fn group_type(obj: &Map<String, Value>) -> Result<Option<GroupType>, Error> {
    let not_allowed = |value: &Value| Error::BadValueNotAllowed {
        key: "type".into(),
        allowed: GroupType::ALL.iter().map(|t| t.to_string()).collect(),
        value: Some(value.clone()),
    };
    match obj.get("type") {
        None => Ok(None),
        Some(Value::String(s)) => GroupType::parse(s)
            .map(Some)
            .ok_or_else(|| not_allowed(&Value::String(s.clone()))),
        Some(v @ (Value::Null | Value::Bool(_))) => Err(not_allowed(v)),
        Some(_) => Err(Error::BadValueString("type".into())),
    }
}

/// A group create body: `name` (required), `type` (default `team`).
fn new_group(body: &Value) -> Result<(String, GroupType), Error> {
    let obj = body::object(body)?;
    let name = body::required_name(obj)?;
    let kind = group_type(obj)?.unwrap_or(GroupType::Team);
    Ok((name, kind))
}

/// Where a new group is attached, which also decides its `Location`.
enum Placement {
    /// `POST /groups`, `/user/groups`, or `/groups/{id}/parents` (a new parent, `{id}` its
    /// admin member).
    Owned(Owner),
    /// `POST /groups/{id}/children`: the client becomes its admin, it a member of `{id}`.
    ChildOf(String),
}

async fn create(
    app: App,
    caller: Caller,
    base: BaseUrl,
    placement: Placement,
    body: Value,
) -> ApiResult {
    let id = new_id();
    let path = match &placement {
        Placement::Owned(owner) => owner.location::<GroupKind>(&id),
        Placement::ChildOf(p) => format!("/groups/{p}/children/{id}"),
    };
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let op = match &placement {
                Placement::Owned(owner) => match owner.on_behalf(state)? {
                    OnBehalfOf::Group(c) => Operation::CreateRelatedGroup {
                        group: c,
                        as_parent: true,
                    },
                    on_behalf => Operation::CreateGroup(on_behalf),
                },
                Placement::ChildOf(p) => Operation::CreateRelatedGroup {
                    group: state
                        .groups
                        .find(p)
                        .ok_or_else(|| no_such(Noun::Group, p))?,
                    as_parent: false,
                },
            };
            let ok = authorize(state, caller.client, op)?;
            let user = ok.user().map(|u| state.users.id_of(u).to_owned());
            let (name, group_type) = new_group(&body)?;
            let time = tx.now();
            tx.apply(Change::CreateGroup {
                group: id.clone(),
                name,
                group_type,
                creator: user.clone(),
                time,
                protected: false,
            })?;
            match placement {
                Placement::Owned(owner) => add_admin::<GroupKind>(tx, id, owner.admin(user)),
                Placement::ChildOf(p) => {
                    add_admin::<GroupKind>(tx, id.clone(), user.map(Member::User))?;
                    tx.apply(Change::AddMember {
                        target: Target::Group(p),
                        member: Member::Group(id),
                        privileges: Privileges::Group(GroupPrivileges::preset("member")),
                    })
                }
            }
        })
        .await?;
    created(&base, &path, revision)
}

impl Create for GroupKind {
    async fn create(
        app: App,
        caller: Caller,
        base: BaseUrl,
        owner: Owner,
        body: Value,
    ) -> ApiResult {
        create(app, caller, base, Placement::Owned(owner), body).await
    }
}

/// POST `/groups/{id}/children` — a new child group.
#[utoipa::path(
    post,
    path = "/groups/{id}/children",
    summary = "Create a child group; the client becomes its admin",
    request_body = crate::openapi::schemas::CreateGroup,
    responses((status = 201, description = "Created; `Location` is the new resource")),
)]
pub async fn create_child(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    create(app, caller, base, Placement::ChildOf(id), body).await
}

/// PATCH `/groups/{id}` — at least one of `name`, `type`.
#[utoipa::path(
    patch,
    path = "/groups/{id}",
    summary = "Rename a group or change its type",
    request_body = crate::openapi::schemas::UpdateGroup,
    responses((status = 204, description = "Done")),
)]
pub async fn update(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    entity::update::<GroupKind, _>(app, caller, id, move || {
        let obj = body::object(&body)?;
        let name = body::optional_name(obj)?;
        let group_type = group_type(obj)?;
        if name.is_none() && group_type.is_none() {
            return Err(Error::MissingAtLeastOneValue(vec![
                "name".into(),
                "type".into(),
            ]));
        }
        Ok(EntityUpdate::Group { name, group_type })
    })
    .await
}

/// DELETE `/groups/{id}` — predefined groups (`admins`) are protected.
#[utoipa::path(
    delete,
    path = "/groups/{id}",
    summary = "Delete a group (not a predefined one)",
    responses((status = 204, description = "Done")),
)]
pub async fn delete(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    entity::delete::<GroupKind>(app, caller, id).await
}

pub fn routes(router: super::Api) -> super::Api {
    router
        .route("/groups/{id}", patch(update).delete(delete))
        .route("/groups/{id}/children", post(create_child))
}
