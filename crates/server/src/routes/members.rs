//! Membership routes shared by groups, spaces, handle services and handles:
//! `/{kind}/{id}/{users|groups}[/{mid}[/privileges]]`, their `effective_*` variants and
//! `…/membership`. Each handler follows Onezone's pipeline (reference §2): resolve the entity and
//! the member (404) → authorize (401/403) → validate the body (400) → change.

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use privzone_model::authorize::{authorize, Candidate, Operation};
use privzone_model::change::Change;
use privzone_model::state::{MemberIx, State, TargetIx};
use privzone_model::Error;
use serde_json::{json, Value};

use super::kinds::{
    no_such, not_a_member, privileges_json, KindPrivileges, MemberKind, TargetKind,
};
use super::records::member_record;
use crate::app::App;
use crate::auth::Caller;
use crate::body;
use crate::http::{created, no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody};

fn target<K: TargetKind>(state: &State, id: &str) -> Result<TargetIx, Error> {
    K::resolve(state, id).ok_or_else(|| no_such(K::NOUN, id))
}

fn table<K: TargetKind>(state: &State, t: TargetIx) -> Result<&K::Table, Error> {
    K::table(state, t).ok_or(Error::NotFound)
}

/// The member, which must be a direct member of the target.
fn direct_member<K: TargetKind, M: MemberKind>(
    state: &State,
    t: TargetIx,
    mid: &str,
) -> Result<(MemberIx, KindPrivileges<K>), Error> {
    let m = M::resolve(state, mid).ok_or_else(|| no_such(M::NOUN, mid))?;
    let p = M::direct(table::<K>(state, t)?, m).ok_or_else(|| not_a_member::<K>(state, m, true))?;
    Ok((m, p))
}

/// The member, which must be an effective member of the target.
fn effective_member<K: TargetKind, M: MemberKind>(
    state: &State,
    t: TargetIx,
    mid: &str,
) -> Result<(MemberIx, KindPrivileges<K>), Error> {
    let m = M::resolve(state, mid).ok_or_else(|| no_such(M::NOUN, mid))?;
    let p = M::effective(state, table::<K>(state, t)?, m)
        .ok_or_else(|| not_a_member::<K>(state, m, false))?;
    Ok((m, p))
}

/// GET `/{kind}/{id}/users` (or `groups`, `children`), and with `EFFECTIVE`
/// `/{kind}/{id}/effective_users` (or `effective_groups`, `effective_children`).
pub async fn list<K: TargetKind, M: MemberKind, const EFFECTIVE: bool>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let state = app.read();
    let t = target::<K>(&state, &id)?;
    authorize(&state, caller.client, Operation::ListMembers(t))?;
    let tab = table::<K>(&state, t)?;
    let ids = if EFFECTIVE {
        M::effective_ids(&state, tab)
    } else {
        M::direct_ids(&state, tab)
    };
    ok_json(json!({ M::LIST_KEY: ids }))
}

/// Whether the user is the entity's creator (creators stay visible to members).
fn is_creator<K: TargetKind>(state: &State, t: TargetIx, m: MemberIx) -> bool {
    let MemberIx::User(u) = m else { return false };
    let creator = K::table(state, t).and_then(K::creator);
    creator == Some(state.users.id_of(u))
}

/// GET `/{kind}/{id}/users/{uid}` and `/effective_users/{uid}` (and group variants).
pub async fn get_member<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let t = target::<K>(&state, &id)?;
    let m = M::resolve(&state, &mid).ok_or_else(|| no_such(M::NOUN, &mid))?;
    let member = M::effective(&state, table::<K>(&state, t)?, m).is_some();
    if !member && !is_creator::<K>(&state, t, m) {
        return Err(not_a_member::<K>(&state, m, false).into());
    }
    authorize(
        &state,
        caller.client,
        Operation::ViewMember {
            target: t,
            member: m,
        },
    )?;
    ok_json(member_record(&state, m))
}

/// GET `/{kind}/{id}/users/{uid}/privileges` — direct privileges, and with `EFFECTIVE`
/// `/{kind}/{id}/effective_users/{uid}/privileges` — effective privileges (reference §5).
pub async fn get_privileges<K: TargetKind, M: MemberKind, const EFFECTIVE: bool>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let t = target::<K>(&state, &id)?;
    let (m, p) = if EFFECTIVE {
        effective_member::<K, M>(&state, t, &mid)?
    } else {
        direct_member::<K, M>(&state, t, &mid)?
    };
    authorize(
        &state,
        caller.client,
        Operation::ViewMemberPrivileges {
            target: t,
            member: m,
        },
    )?;
    ok_json(privileges_json(p))
}

/// GET `/{kind}/{id}/effective_users/{uid}/membership` — first hops.
pub async fn get_membership<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let t = target::<K>(&state, &id)?;
    let (m, _) = effective_member::<K, M>(&state, t, &mid)?;
    authorize(
        &state,
        caller.client,
        Operation::ViewMembership {
            target: t,
            member: m,
        },
    )?;
    let tab = table::<K>(&state, t)?;
    let hops = match m {
        MemberIx::User(u) => state.user_intermediaries(tab, u),
        MemberIx::Group(g) => state.group_intermediaries(tab, g),
    };
    let mut list: Vec<Value> = Vec::new();
    if hops.direct {
        list.push(json!({"type": K::GRI, "id": "self"}));
    }
    for g in hops.groups {
        list.push(json!({"type": "group", "id": state.groups.id_of(g)}));
    }
    ok_json(json!({ "intermediaries": list }))
}

/// PATCH (both generations) or legacy PUT of `/{kind}/{id}/users/{uid}/privileges`.
pub async fn update_privileges<K: TargetKind, M: MemberKind, const IS_PUT: bool>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let t = target::<K>(state, &id)?;
            let (m, old) = direct_member::<K, M>(state, t, &mid)?;
            authorize(
                state,
                caller.client,
                Operation::SetMemberPrivileges {
                    target: t,
                    member: m,
                },
            )?;
            let new = body::updated_privileges(&body, old, IS_PUT)?;
            if new != old {
                tx.apply(Change::SetPrivileges {
                    target: K::target(id),
                    member: M::member(mid),
                    privileges: K::wrap(new),
                })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

/// PUT `/{kind}/{id}/users/{uid}` — add a member, optionally with `privileges`.
pub async fn add_member<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    Ids((id, mid)): Ids<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let path = format!("/{}/{}/{}/{}", K::PATH, id, segment::<K, M>(), mid);
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let t = target::<K>(state, &id)?;
            let m = M::resolve(state, &mid);
            let with_privileges = body
                .as_object()
                .is_some_and(|o| o.contains_key("privileges"));
            let candidate = match (M::LIST_KEY, m) {
                ("users", Some(MemberIx::User(u))) => Candidate::User(Some(u)),
                ("users", _) => Candidate::User(None),
                (_, Some(MemberIx::Group(g))) => Candidate::Group(Some(g)),
                _ => Candidate::Group(None),
            };
            authorize(
                state,
                caller.client,
                Operation::AddMember {
                    target: t,
                    member: candidate,
                    with_privileges,
                },
            )?;
            let obj = body::object(&body)?;
            let (privileges, _) = body::optional_privileges(obj, K::default_privileges())?;
            let m = m.ok_or_else(|| Error::BadValueIdNotFound(M::ID_KEY.into()))?;
            if matches!((t, m), (TargetIx::Group(a), MemberIx::Group(b)) if a == b) {
                return Err(Error::CannotAddRelationToSelf);
            }
            if state.is_direct_member(t, m) {
                return Err(Error::RelationAlreadyExists {
                    child_type: M::GRI,
                    child_id: mid,
                    parent_type: K::GRI,
                    parent_id: id,
                });
            }
            tx.apply(Change::AddMember {
                target: K::target(id),
                member: M::member(mid),
                privileges: K::wrap(privileges),
            })
        })
        .await?;
    created(&base, &path, revision)
}

/// DELETE `/{kind}/{id}/users/{uid}` — remove a direct member.
pub async fn remove_member<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let t = target::<K>(state, &id)?;
            let (m, _) = direct_member::<K, M>(state, t, &mid)?;
            authorize(
                state,
                caller.client,
                Operation::RemoveMember {
                    target: t,
                    member: m,
                },
            )?;
            super::spaces::release_ownership(tx, t, m)?;
            tx.apply(Change::RemoveMember {
                target: K::target(id),
                member: M::member(mid),
            })
        })
        .await?;
    no_content(revision)
}

/// The path segment of a member type under a target (`groups` are `children` of a group).
pub fn segment<K: TargetKind, M: MemberKind>() -> &'static str {
    if K::PATH == "groups" && M::LIST_KEY == "groups" {
        "children"
    } else {
        M::LIST_KEY
    }
}

/// The segment 17.06 clients used for the same members' privileges (`/groups/{id}/nested/{nid}`
/// for child groups, reference §9), if any.
pub fn legacy_segment<K: TargetKind, M: MemberKind>() -> Option<&'static str> {
    (segment::<K, M>() == "children").then_some("nested")
}

/// Registers every membership route of kind `K` on `router`.
pub fn routes<K: TargetKind>(router: super::Api) -> super::Api {
    use axum::routing::get;
    let router = member_routes::<K, super::kinds::UserMember>(router);
    member_routes::<K, super::kinds::GroupMember>(router).route(
        &format!("/{}/{{id}}/effective_users/{{mid}}/membership", K::PATH),
        get(get_membership::<K, super::kinds::UserMember>),
    )
}

fn member_routes<K: TargetKind, M: MemberKind>(router: super::Api) -> super::Api {
    use axum::routing::get;
    let seg = segment::<K, M>();
    let p = K::PATH;
    let mut router = router
        .route(&format!("/{p}/{{id}}/{seg}"), get(list::<K, M, false>))
        .route(
            &format!("/{p}/{{id}}/effective_{seg}"),
            get(list::<K, M, true>),
        )
        .route(
            &format!("/{p}/{{id}}/{seg}/{{mid}}"),
            get(get_member::<K, M>)
                .put(add_member::<K, M>)
                .delete(remove_member::<K, M>),
        )
        .route(
            &format!("/{p}/{{id}}/{seg}/{{mid}}/privileges"),
            get(get_privileges::<K, M, false>)
                .patch(update_privileges::<K, M, false>)
                .put(update_privileges::<K, M, true>),
        )
        .route(
            &format!("/{p}/{{id}}/effective_{seg}/{{mid}}"),
            get(get_member::<K, M>),
        )
        .route(
            &format!("/{p}/{{id}}/effective_{seg}/{{mid}}/privileges"),
            get(get_privileges::<K, M, true>),
        );
    if let Some(legacy) = legacy_segment::<K, M>() {
        router = router.route(
            &format!("/{p}/{{id}}/{legacy}/{{mid}}/privileges"),
            get(get_privileges::<K, M, false>)
                .patch(update_privileges::<K, M, false>)
                .put(update_privileges::<K, M, true>),
        );
    }
    if M::LIST_KEY == "groups" {
        router = router.route(
            &format!("/{p}/{{id}}/effective_{seg}/{{mid}}/membership"),
            get(get_membership::<K, M>),
        );
    }
    router
}
