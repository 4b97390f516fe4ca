//! What every entity kind with members (groups, spaces, handle services, handles) serves the same
//! way: creation on behalf of nobody (`POST /{kind}`, an admin route), of the client
//! (`POST /user/{kind}`) or of a group (`POST /groups/{id}/{kind}`); the list of all; the protected
//! data; and the shape of a write to one entity (404 → authorize → validate → change → 204).

use std::future::Future;

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use privzone_model::authorize::{authorize, OnBehalfOf, Operation};
use privzone_model::change::Change;
use privzone_model::command::{decide, Command, EntityUpdate};
use privzone_model::error::Noun;
use privzone_model::privilege::PrivilegeSet;
use privzone_model::state::State;
use privzone_model::{Error, Member};
use serde_json::{json, Value};

use super::kinds::{no_such, TargetKind};
use crate::app::App;
use crate::auth::Caller;
use crate::http::{no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody};
use crate::writer::Tx;

/// On whose behalf an entity is created; decides its `Location` and its first admin.
#[derive(Clone)]
pub enum Owner {
    /// `POST /{kind}`: nobody becomes a member.
    Nobody,
    /// `POST /user/{kind}`: the client becomes its admin.
    Client,
    /// `POST /groups/{id}/{kind}`: group `id` becomes its admin member.
    Group(String),
}

impl Owner {
    /// The new entity's path under the API base.
    pub fn location<K: TargetKind>(&self, id: &str) -> String {
        match self {
            Owner::Nobody => format!("/{}/{id}", K::PATH),
            Owner::Client => format!("/user/{}/{id}", K::PATH),
            Owner::Group(g) => format!("/groups/{g}/{}/{id}", K::OF_GROUP),
        }
    }

    /// The owner for authorization; an unknown group is a 404.
    pub fn on_behalf(&self, state: &State) -> Result<OnBehalfOf, Error> {
        Ok(match self {
            Owner::Nobody => OnBehalfOf::Nobody,
            Owner::Client => OnBehalfOf::Client,
            Owner::Group(g) => OnBehalfOf::Group(
                state
                    .groups
                    .find(g)
                    .ok_or_else(|| no_such(Noun::Group, g))?,
            ),
        })
    }

    /// The first admin member: nobody, the creating user (if a user), or the group.
    pub fn admin(self, creator: Option<String>) -> Option<Member> {
        match self {
            Owner::Nobody => None,
            Owner::Client => creator.map(Member::User),
            Owner::Group(g) => Some(Member::Group(g)),
        }
    }
}

/// Makes `admin` a member of the new entity `id` with every privilege.
pub fn add_admin<K: TargetKind>(
    tx: &mut Tx<'_>,
    id: String,
    admin: Option<Member>,
) -> Result<(), Error> {
    match admin {
        Some(member) => tx.apply(Change::AddMember {
            target: K::target(id),
            member,
            privileges: K::wrap(PrivilegeSet::all()),
        }),
        None => Ok(()),
    }
}

/// An entity kind's creation: 404 (group) → authorize → validate → create, answering 201.
pub trait Create: TargetKind {
    fn create(
        app: App,
        caller: Caller,
        base: BaseUrl,
        owner: Owner,
        body: Value,
    ) -> impl Future<Output = ApiResult> + Send;
}

/// GET `/{kind}`: every id, for holders of the kind's `oz_*_list`.
async fn list<K: TargetKind>(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    let state = app.read();
    authorize(&state, caller.client, Operation::ListAll(K::KIND))?;
    ok_json(json!({ K::PATH: K::ids(&state) }))
}

/// GET `/{kind}/{id}`: protected data, for effective members and admins.
async fn get_protected<K: TargetKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let state = app.read();
    let t = K::resolve(&state, &id).ok_or_else(|| no_such(K::NOUN, &id))?;
    let e = K::table(&state, t).ok_or(Error::NotFound)?;
    authorize(&state, caller.client, Operation::View(t))?;
    ok_json(K::protected(&state, e))
}

/// PATCH `/{kind}/{id}` as a command: `parse` reads the body here, and the model decides 404 →
/// authorize → the parsed body's error, if any → the change → 204.
pub async fn update<K, F>(app: App, caller: Caller, id: String, parse: F) -> ApiResult
where
    K: TargetKind,
    F: FnOnce() -> Result<EntityUpdate, Error>,
{
    let command = Command::Update {
        target: K::target(id),
        update: parse(),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
        })
        .await?;
    no_content(revision)
}

/// DELETE `/{kind}/{id}` as a command: the model decides 404 → authorize → the kind's rule (a
/// protected group, a handle service with handles) and plans the deletion → 204.
pub async fn delete<K: TargetKind>(app: App, caller: Caller, id: String) -> ApiResult {
    let command = Command::Delete {
        target: K::target(id),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
        })
        .await?;
    no_content(revision)
}

/// Registers creation, the list of all and the protected data of kind `K`.
pub fn routes<K: Create>(router: super::Api) -> super::Api {
    let create = |owner: Owner, app: App, caller: Caller, headers: HeaderMap, body: Value| {
        let base = BaseUrl::from_headers(&headers, app.tls());
        K::create(app, caller, base, owner, body)
    };
    router
        .route(
            &format!("/{}", K::PATH),
            post(
                move |AppState(app): AppState<App>,
                      caller: Caller,
                      headers: HeaderMap,
                      JsonBody(body): JsonBody| {
                    create(Owner::Nobody, app, caller, headers, body)
                },
            )
            .get(list::<K>),
        )
        .route(
            &format!("/user/{}", K::PATH),
            post(
                move |AppState(app): AppState<App>,
                      caller: Caller,
                      headers: HeaderMap,
                      JsonBody(body): JsonBody| {
                    create(Owner::Client, app, caller, headers, body)
                },
            ),
        )
        .route(
            &format!("/groups/{{id}}/{}", K::OF_GROUP),
            post(
                move |AppState(app): AppState<App>,
                      caller: Caller,
                      headers: HeaderMap,
                      Ids(group): Ids<String>,
                      JsonBody(body): JsonBody| {
                    create(Owner::Group(group), app, caller, headers, body)
                },
            ),
        )
        .route(&format!("/{}/{{id}}", K::PATH), get(get_protected::<K>))
}
