//! Spaces (reference §3.6): creation, update, delete, owners, and the shares extension of
//! DESIGN.md (`/shares`, and `/spaces/{id}/shares`). The list, protected data and creation routes
//! are served by `entity.rs`, members and privileges by `members.rs`.

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use axum::routing::{get, patch, post};
use privzone_model::authorize::{authorize, Client, Kind, OnBehalfOf, Operation};
use privzone_model::catalog::SpacePrivileges;
use privzone_model::change::Change;
use privzone_model::command::EntityUpdate;
use privzone_model::error::{Missing, Noun};
use privzone_model::state::{MemberIx, Share, ShareIx, Space, SpaceIx, State, TargetIx};
use privzone_model::{Error, Member, Privileges, Target};
use serde_json::{json, Value};

use super::entity::{self, add_admin, Create, Owner};
use super::kinds::{no_such, SpaceKind};
use super::records::user_record;
use crate::app::App;
use crate::auth::{new_id, Caller};
use crate::body;
use crate::http::{created, no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody};

fn space<'a>(state: &'a State, id: &str) -> Result<(SpaceIx, &'a Space), Error> {
    state
        .spaces
        .by_id(id)
        .ok_or_else(|| no_such(Noun::Space, id))
}

/// A new space: the client owns it when created as itself, or for a group it belongs to.
impl Create for SpaceKind {
    async fn create(
        app: App,
        caller: Caller,
        base: BaseUrl,
        owner: Owner,
        body: Value,
    ) -> ApiResult {
        let id = new_id();
        let path = owner.location::<SpaceKind>(&id);
        let (_, revision) = app
            .write(caller.actor.clone(), move |tx| {
                let state = tx.state();
                let on_behalf = owner.on_behalf(state)?;
                let ok = authorize(state, caller.client, Operation::CreateSpace(on_behalf))?;
                let creator = ok.user().map(|u| state.users.id_of(u).to_owned());
                let owns = match (on_behalf, ok.user()) {
                    (OnBehalfOf::Client, _) => true,
                    // The creating user owns a group's space only when it belongs to that group.
                    (OnBehalfOf::Group(g), Some(u)) => state
                        .groups
                        .get(g)
                        .is_some_and(|g| state.is_effective_user(g, u)),
                    _ => false,
                };
                let name = body::required_name(body::object(&body)?)?;
                let time = tx.now();
                tx.apply(Change::CreateSpace {
                    space: id.clone(),
                    name,
                    creator: creator.clone(),
                    time,
                })?;
                let for_group = matches!(on_behalf, OnBehalfOf::Group(_));
                add_admin::<SpaceKind>(tx, id.clone(), owner.admin(creator.clone()))?;
                if let (true, Some(user)) = (owns, creator) {
                    // Reference §1.7: a group's space also gets the creating user directly, as
                    // admin and owner, so it is the user's space and not only the group's.
                    if for_group {
                        add_admin::<SpaceKind>(tx, id.clone(), Some(Member::User(user.clone())))?;
                    }
                    tx.apply(Change::AddOwner { space: id, user })?;
                }
                Ok(())
            })
            .await?;
        created(&base, &path, revision)
    }
}

/// PATCH `/spaces/{id}` — `name`.
#[utoipa::path(
    patch,
    path = "/spaces/{id}",
    summary = "Rename a space",
    request_body = crate::openapi::schemas::NameBody,
    responses((status = 204, description = "Done")),
)]
pub async fn update(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    entity::update::<SpaceKind, _>(app, caller, id, move || {
        let name = body::required_name(body::object(&body)?)?;
        Ok(EntityUpdate::Space { name })
    })
    .await
}

/// DELETE `/spaces/{id}` — its shares go with it.
#[utoipa::path(
    delete,
    path = "/spaces/{id}",
    summary = "Delete a space with its shares",
    responses((status = 204, description = "Done")),
)]
pub async fn delete(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    entity::delete::<SpaceKind>(app, caller, id).await
}

/// GET `/spaces/{id}/owners`.
#[utoipa::path(
    get,
    path = "/spaces/{id}/owners",
    summary = "List the owners of a space",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::UserIds)),
)]
pub async fn list_owners(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let state = app.read();
    let (ix, s) = space(&state, &id)?;
    authorize(&state, caller.client, Operation::ViewOwners(ix))?;
    let ids: Vec<&str> = s.owners.iter().map(|u| state.users.id_of(*u)).collect();
    ok_json(json!({ "users": ids }))
}

/// GET `/spaces/{id}/owners/{uid}` — the owner's shared record; 404 unless an owner.
#[utoipa::path(
    get,
    path = "/spaces/{id}/owners/{uid}",
    summary = "An owner of a space",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::UserShared)),
)]
pub async fn get_owner(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, uid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let (ix, s) = space(&state, &id)?;
    let u = state
        .users
        .find(&uid)
        .ok_or_else(|| no_such(Noun::User, &uid))?;
    if !s.owners.contains(&u) {
        return Err(Error::Missing(Missing::Owner(uid)).into());
    }
    authorize(&state, caller.client, Operation::ViewOwners(ix))?;
    ok_json(user_record(&state, u))
}

/// PUT `/spaces/{id}/owners/{uid}` — only effective members may own a space; one that belongs
/// only through a group is first made a direct member with every space privileges (Onezone's
/// `space_logic_plugin` adds it with `privileges:space_admin()`; a direct member keeps its
/// privileges, ownership gives it everything anyway). 204, as Onezone's
/// `ok_no_content_reply`; an owner already is 409 `alreadyExists`.
#[utoipa::path(
    put,
    path = "/spaces/{id}/owners/{uid}",
    summary = "Make an effective member an owner",
    request_body = crate::openapi::schemas::EmptyBody,
    responses((status = 204, description = "The user owns the space now")),
)]
pub async fn add_owner(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, uid)): Ids<(String, String)>,
    JsonBody(_): JsonBody,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let (ix, s) = space(state, &id)?;
            authorize(state, caller.client, Operation::ManageOwners(ix))?;
            let Some(u) = state.users.find(&uid) else {
                return Err(Error::BadValueIdNotFound("userId".into()));
            };
            if s.owners.contains(&u) {
                return Err(Error::AlreadyExists);
            }
            if !state.is_effective_user(s, u) {
                return Err(Error::RelationDoesNotExist {
                    child_type: "od_user",
                    child_id: uid,
                    parent_type: "od_space",
                    parent_id: id,
                });
            }
            if !state.is_direct_member(TargetIx::Space(ix), MemberIx::User(u)) {
                tx.apply(Change::AddMember {
                    target: Target::Space(id.clone()),
                    member: Member::User(uid.clone()),
                    privileges: Privileges::Space(SpacePrivileges::all()),
                })?;
            }
            tx.apply(Change::AddOwner {
                space: id,
                user: uid,
            })
        })
        .await?;
    no_content(revision)
}

/// DELETE `/spaces/{id}/owners/{uid}` — the last owner stays.
#[utoipa::path(
    delete,
    path = "/spaces/{id}/owners/{uid}",
    summary = "Remove an owner (not the last)",
    responses((status = 204, description = "Done")),
)]
pub async fn remove_owner(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, uid)): Ids<(String, String)>,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let (ix, s) = space(state, &id)?;
            let u = state
                .users
                .find(&uid)
                .ok_or_else(|| no_such(Noun::User, &uid))?;
            if !s.owners.contains(&u) {
                return Err(Error::Missing(Missing::Owner(uid)));
            }
            authorize(state, caller.client, Operation::ManageOwners(ix))?;
            if s.owners.len() == 1 {
                return Err(Error::CannotRemoveLastOwner {
                    entity_type: "od_space",
                    entity_id: id,
                });
            }
            tx.apply(Change::RemoveOwner {
                space: id,
                user: uid,
            })
        })
        .await?;
    no_content(revision)
}

/// GET `/spaces/{id}/shares`.
#[utoipa::path(
    get,
    path = "/spaces/{id}/shares",
    summary = "List the shares of a space",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::ShareIds)),
)]
pub async fn list_shares(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let state = app.read();
    let (ix, s) = space(&state, &id)?;
    authorize(
        &state,
        caller.client,
        Operation::ListMembers(TargetIx::Space(ix)),
    )?;
    let ids: Vec<&str> = s.shares.iter().map(|x| state.shares.id_of(*x)).collect();
    ok_json(json!({ "shares": ids }))
}

fn share<'a>(state: &'a State, id: &str) -> Result<(ShareIx, &'a Share), Error> {
    state
        .shares
        .by_id(id)
        .ok_or_else(|| no_such(Noun::Share, id))
}

/// `scheme://host`, the origin the public share URLs live under.
fn origin(base: &BaseUrl) -> &str {
    base.0.strip_suffix(super::BASE).unwrap_or(base.0.as_str())
}

/// Onezone's share data; `private` adds nothing privzone keeps apart, so both scopes match.
fn share_json(state: &State, base: &BaseUrl, s: &Share) -> Value {
    json!({
        "shareId": s.id,
        "spaceId": state.spaces.id_of(s.space),
        "name": s.name,
        "description": "",
        "publicUrl": format!("{}/share/{}", origin(base), s.id),
        "publicRestUrl": format!("{}/shares/{}/public", base.0, s.id),
        "rootFileId": s.root_file_id,
        "fileType": s.file_type,
        "handleId": s.handle.map(|h| state.handles.id_of(h)),
        "creationTime": s.creation_time,
    })
}

const FILE_TYPES: [&str; 2] = ["dir", "reg"];

/// POST `/shares` `{"name","spaceId","rootFileId","fileType"?}` — needs `space_manage_shares`
/// in the space, or `oz_shares_create`. The space comes from the body, so an unknown one is a
/// body error (400) reported before the privilege check, as Onezone does for handles.
#[utoipa::path(
    post,
    path = "/shares",
    summary = "Create a share of a space",
    request_body = crate::openapi::schemas::CreateShare,
    responses((status = 201, description = "Created; `Location` is the new resource")),
)]
pub async fn create_share(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let id = new_id();
    let path = format!("/shares/{id}");
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            if caller.client == Client::Nobody {
                return Err(Error::Unauthorized);
            }
            let state = tx.state();
            let obj = body::object(&body)?;
            let space_id = body::required_string(obj, "spaceId")?;
            let (ix, _) = state
                .spaces
                .by_id(&space_id)
                .ok_or_else(|| Error::BadValueIdNotFound("spaceId".into()))?;
            authorize(state, caller.client, Operation::CreateShare(ix))?;
            let name = body::required_name(obj)?;
            let root_file_id = body::required_nonempty(obj, "rootFileId")?;
            let file_type = match body::optional_string(obj, "fileType")? {
                None => "dir".to_owned(),
                Some(t) if FILE_TYPES.contains(&t.as_str()) => t,
                Some(t) => {
                    return Err(Error::BadValueNotAllowed {
                        key: "fileType".into(),
                        allowed: FILE_TYPES.iter().map(|t| t.to_string()).collect(),
                        value: Some(Value::String(t)),
                    })
                }
            };
            let time = tx.now();
            tx.apply(Change::CreateShare {
                share: id,
                space: space_id,
                name,
                root_file_id,
                file_type,
                time,
            })
        })
        .await?;
    created(&base, &path, revision)
}

/// GET `/shares`.
#[utoipa::path(
    get,
    path = "/shares",
    summary = "List every share (oz_shares_list)",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::ShareIds)),
)]
pub async fn list_all_shares(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    let state = app.read();
    authorize(&state, caller.client, Operation::ListAll(Kind::Share))?;
    let ids: Vec<&str> = state.shares.iter().map(|(_, s)| s.id.as_str()).collect();
    ok_json(json!({ "shares": ids }))
}

/// GET `/shares/{id}` — for members of the share's space, or `oz_shares_view`.
#[utoipa::path(
    get,
    path = "/shares/{id}",
    summary = "A share",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::Share)),
)]
pub async fn get_share(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    Ids(id): Ids<String>,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let state = app.read();
    let (ix, s) = share(&state, &id)?;
    authorize(&state, caller.client, Operation::ViewShare(ix))?;
    ok_json(share_json(&state, &base, s))
}

/// GET `/shares/{id}/public` — anyone.
#[utoipa::path(
    get,
    path = "/shares/{id}/public",
    summary = "A share, for anyone",
    security(()),
    responses((status = 200, description = "OK", body = crate::openapi::schemas::Share)),
)]
pub async fn get_public_share(
    AppState(app): AppState<App>,
    headers: HeaderMap,
    Ids(id): Ids<String>,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let state = app.read();
    let (_, s) = share(&state, &id)?;
    ok_json(share_json(&state, &base, s))
}

/// PATCH `/shares/{id}` — `name`.
#[utoipa::path(
    patch,
    path = "/shares/{id}",
    summary = "Rename a share",
    request_body = crate::openapi::schemas::NameBody,
    responses((status = 204, description = "Done")),
)]
pub async fn update_share(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let (ix, _) = share(state, &id)?;
            authorize(state, caller.client, Operation::UpdateShare(ix))?;
            let name = body::required_name(body::object(&body)?)?;
            tx.apply(Change::UpdateShare { share: id, name })
        })
        .await?;
    no_content(revision)
}

/// DELETE `/shares/{id}`.
#[utoipa::path(
    delete,
    path = "/shares/{id}",
    summary = "Delete a share",
    responses((status = 204, description = "Done")),
)]
pub async fn delete_share(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let (ix, _) = share(state, &id)?;
            authorize(state, caller.client, Operation::DeleteShare(ix))?;
            tx.apply(Change::DeleteShare { share: id })
        })
        .await?;
    no_content(revision)
}

pub fn routes(router: super::Api) -> super::Api {
    router
        .route("/spaces/{id}", patch(update).delete(delete))
        .route("/spaces/{id}/owners", get(list_owners))
        .route(
            "/spaces/{id}/owners/{uid}",
            get(get_owner).put(add_owner).delete(remove_owner),
        )
        .route("/spaces/{id}/shares", get(list_shares))
        .route("/shares", post(create_share).get(list_all_shares))
        .route(
            "/shares/{id}",
            get(get_share).patch(update_share).delete(delete_share),
        )
        .route("/shares/{id}/public", get(get_public_share))
}
