//! Membership routes shared by groups, spaces, handle services and handles:
//! `/{kind}/{id}/{users|groups}[/{mid}[/privileges]]`, their `effective_*` variants and
//! `…/membership`. Each handler is parse → decide → respond: it turns the request into the model's
//! command (ids as given, the body parsed but not judged) or query, and the model decides it in
//! reference §2's order (404 → 401/403 → 400 → domain rules). Reads decide against `app.read()`;
//! writes decide on the writer thread through `App::write_plan`, which applies only a `Plan`.

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use privzone_model::authorize::{authorize, Operation};
use privzone_model::command::{decide, query, Command};
use privzone_model::state::{State, TargetIx};
use privzone_model::Error;
use serde_json::{json, Value};

use super::kinds::{no_such, MemberKind, TargetKind};
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

/// GET `/{kind}/{id}/users/{uid}` and `/effective_users/{uid}` (and group variants).
pub async fn get_member<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let m = query::member(&state, &caller.client, &K::target(id), &M::member(mid))?;
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
    let p = query::member_privileges(
        &state,
        &caller.client,
        &K::target(id),
        &M::member(mid),
        EFFECTIVE,
    )?;
    ok_json(json!({ "privileges": p.to_names() }))
}

/// GET `/{kind}/{id}/effective_users/{uid}/membership` — first hops.
pub async fn get_membership<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids((id, mid)): Ids<(String, String)>,
) -> ApiResult {
    let state = app.read();
    let hops = query::membership(&state, &caller.client, &K::target(id), &M::member(mid))?;
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
    let command = Command::SetMemberPrivileges {
        target: K::target(id),
        member: M::member(mid),
        update: body::privilege_update(&body, IS_PUT).map(|u| u.map(K::wrap)),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
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
    let command = Command::AddMember {
        target: K::target(id),
        member: M::member(mid),
        privileges: body::new_member_privileges(&body, K::wrap),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
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
    let command = Command::RemoveMember {
        target: K::target(id),
        member: M::member(mid),
    };
    let client = caller.client;
    let (_, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
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
