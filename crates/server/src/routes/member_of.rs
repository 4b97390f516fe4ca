//! What users and groups are members of, one implementation for every entity kind `K`:
//! `/user/{kind}` (the client's), `/users/{id}/{kind}` and `/groups/{id}/{kind}` (`parents` for
//! groups), each with its `effective_` variant; for the client and for groups also the entity's
//! record (`…/{kind}/{rid}`) and leaving it (DELETE). Creation under the same paths belongs to the
//! entity modules.

use axum::extract::State as AppState;
use axum::routing::get;
use privzone_model::authorize::{authorize, Operation};
use privzone_model::command::{decide, Command, Leaver};
use privzone_model::error::Noun;
use privzone_model::state::{GroupIx, MemberIx, State, TargetIx, UserIx};
use privzone_model::Error;
use serde_json::{json, Value};

use super::kinds::{is_effective_member, no_such, not_a_member, target_id, TargetKind};
use super::records::{group_record, protected_record};
use super::signed_in;
use crate::app::App;
use crate::auth::Caller;
use crate::http::{no_content, ok_json, ApiResult, Ids};

/// Whose memberships a route shows.
enum Subject {
    /// `/user/…`.
    Client,
    /// `/users/{id}/…`.
    User(String),
    /// `/groups/{id}/…`.
    Group(String),
}

/// A [`Subject`] found in the state.
#[derive(Clone, Copy)]
enum Found {
    Client(UserIx),
    User(UserIx),
    Group(GroupIx),
}

impl Subject {
    /// 401 for the client when nobody, 404 for an unknown id.
    fn find(&self, state: &State, caller: &Caller) -> Result<Found, Error> {
        match self {
            Subject::Client => signed_in(caller.client).map(Found::Client),
            Subject::User(id) => state
                .users
                .find(id)
                .map(Found::User)
                .ok_or_else(|| no_such(Noun::User, id)),
            Subject::Group(id) => state
                .groups
                .find(id)
                .map(Found::Group)
                .ok_or_else(|| no_such(Noun::Group, id)),
        }
    }
}

impl Found {
    fn member(self) -> MemberIx {
        match self {
            Found::Client(u) | Found::User(u) => MemberIx::User(u),
            Found::Group(g) => MemberIx::Group(g),
        }
    }

    /// Who may list what the subject belongs to.
    fn list(self) -> Operation {
        match self {
            Found::Client(_) => Operation::OwnAccount,
            Found::User(u) => Operation::ListUserRelationships(u),
            Found::Group(g) => Operation::ListMembers(TargetIx::Group(g)),
        }
    }

    /// Who may see `t` through the subject (routed for the client and groups only).
    fn view(self, t: TargetIx) -> Operation {
        match self {
            Found::Client(_) => Operation::OwnAccount,
            Found::User(u) => Operation::ListUserRelationships(u),
            Found::Group(g) => Operation::ViewThroughGroup {
                group: g,
                target: t,
            },
        }
    }
}

/// Ids of the entities of kind `K` that `m` is a direct (or effective) member of, sorted.
fn ids_of<K: TargetKind>(state: &State, m: MemberIx, effective: bool) -> Vec<String> {
    let mut of = K::direct_of(state, m);
    if effective {
        // Through every group above `m`, each of which belongs directly.
        let above = match m {
            MemberIx::User(u) => state.user_ancestry(u),
            MemberIx::Group(g) => state.effective_parents(g),
        };
        for a in above {
            of.extend(K::direct_of(state, MemberIx::Group(a)));
        }
    }
    let mut ids: Vec<String> = of
        .into_iter()
        .map(|t| target_id(state, t).to_owned())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// GET `/{subject}/{kind}` and `/{subject}/effective_{kind}`.
fn list<K: TargetKind>(app: &App, caller: &Caller, subject: Subject, effective: bool) -> ApiResult {
    let state = app.read();
    let found = subject.find(&state, caller)?;
    authorize(&state, caller.client, found.list())?;
    ok_json(json!({ K::PATH: ids_of::<K>(&state, found.member(), effective) }))
}

/// GET `/{subject}/{kind}/{rid}` (and `effective_`): 404 unless the subject effectively belongs
/// to it. Through a group, a parent group shows its shared record; else the protected one.
fn view<K: TargetKind>(app: &App, caller: &Caller, subject: Subject, rid: &str) -> ApiResult {
    let state = app.read();
    let found = subject.find(&state, caller)?;
    let t = K::resolve(&state, rid).ok_or_else(|| no_such(K::NOUN, rid))?;
    let table = K::table(&state, t).ok_or(Error::NotFound)?;
    if !is_effective_member(&state, table, found.member()) {
        return Err(not_a_member::<K>(&state, found.member(), false).into());
    }
    authorize(&state, caller.client, found.view(t))?;
    let record: Value = match (found, t) {
        (Found::Group(_), TargetIx::Group(p)) => group_record(&state, p),
        _ => protected_record(&state, t),
    };
    ok_json(record)
}

/// DELETE `/{subject}/{kind}/{rid}`: leave a direct membership (else 404). An owner leaving a
/// space gives up ownership, which the last owner cannot.
async fn leave<K: TargetKind>(app: App, caller: Caller, who: Leaver, rid: String) -> ApiResult {
    let command = Command::Leave {
        who,
        target: K::target(rid),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
        })
        .await?;
    no_content(revision)
}

/// Registers the routes of what users and groups belong to among entities of kind `K`.
pub fn routes<K: TargetKind>(router: super::Api) -> super::Api {
    let (seg, of_group) = (K::PATH, K::OF_GROUP);
    let own_view = || {
        get(
            |AppState(app): AppState<App>, caller: Caller, Ids(rid): Ids<String>| async move {
                view::<K>(&app, &caller, Subject::Client, &rid)
            },
        )
    };
    let group_view = || {
        get(
            |AppState(app): AppState<App>,
             caller: Caller,
             Ids((id, rid)): Ids<(String, String)>| async move {
                view::<K>(&app, &caller, Subject::Group(id), &rid)
            },
        )
    };
    router
        .route(
            &format!("/user/{seg}"),
            get(|AppState(app): AppState<App>, caller: Caller| async move {
                list::<K>(&app, &caller, Subject::Client, false)
            }),
        )
        .route(
            &format!("/user/effective_{seg}"),
            get(|AppState(app): AppState<App>, caller: Caller| async move {
                list::<K>(&app, &caller, Subject::Client, true)
            }),
        )
        .route(
            &format!("/user/{seg}/{{rid}}"),
            own_view().delete(
                |AppState(app): AppState<App>, caller: Caller, Ids(rid): Ids<String>| async move {
                    leave::<K>(app, caller, Leaver::Client, rid).await
                },
            ),
        )
        .route(&format!("/user/effective_{seg}/{{rid}}"), own_view())
        .route(
            &format!("/users/{{id}}/{seg}"),
            get(
                |AppState(app): AppState<App>, caller: Caller, Ids(id): Ids<String>| async move {
                    list::<K>(&app, &caller, Subject::User(id), false)
                },
            ),
        )
        .route(
            &format!("/users/{{id}}/effective_{seg}"),
            get(
                |AppState(app): AppState<App>, caller: Caller, Ids(id): Ids<String>| async move {
                    list::<K>(&app, &caller, Subject::User(id), true)
                },
            ),
        )
        .route(
            &format!("/groups/{{id}}/{of_group}"),
            get(
                |AppState(app): AppState<App>, caller: Caller, Ids(id): Ids<String>| async move {
                    list::<K>(&app, &caller, Subject::Group(id), false)
                },
            ),
        )
        .route(
            &format!("/groups/{{id}}/effective_{of_group}"),
            get(
                |AppState(app): AppState<App>, caller: Caller, Ids(id): Ids<String>| async move {
                    list::<K>(&app, &caller, Subject::Group(id), true)
                },
            ),
        )
        .route(
            &format!("/groups/{{id}}/{of_group}/{{rid}}"),
            group_view().delete(
                |AppState(app): AppState<App>,
                 caller: Caller,
                 Ids((id, rid)): Ids<(String, String)>| async move {
                    leave::<K>(app, caller, Leaver::Group(id), rid).await
                },
            ),
        )
        .route(
            &format!("/groups/{{id}}/effective_{of_group}/{{rid}}"),
            group_view(),
        )
}
