//! Tokens (reference §7): named access tokens of the current user (`/user/tokens/named`) and of
//! any user (`/users/{id}/tokens/named`, `oz_tokens_manage`), single tokens under
//! `/tokens/named/{id}`; invite tokens (`POST /groups/{id}/users/token`, …) and joining with them
//! (`POST /user/groups/join`, `/groups/{id}/parents/join`, …).
//!
//! A token's text is shown once, at creation; only its SHA-256 is stored. An invite token may be
//! used by any number of joiners until it is deleted or revoked, and only while its issuer still
//! holds the privilege to invite.

use std::collections::HashMap;

use axum::extract::State as AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use privzone_model::authorize::{authorize, Client, Kind, Operation};
use privzone_model::change::{Change, InviteeKind, TokenKind};
use privzone_model::error::{Missing, Noun, TokenError};
use privzone_model::state::{GroupIx, MemberIx, State, TargetIx, Token, TokenIx, UserIx};
use privzone_model::{Error, Member, Privileges, Target};
use serde_json::{json, Map, Value};

use super::kinds::{
    no_such, GroupKind, GroupMember, MemberKind, SpaceKind, TargetKind, UserMember,
};
use super::members::segment;
use super::signed_in;
use crate::app::App;
use crate::auth::{new_id, new_token_secret, token_hash, Caller};
use crate::body;
use crate::http::{
    created, json_after_write, no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody,
};
use crate::writer::Tx;

fn user(state: &State, id: &str) -> Result<UserIx, Error> {
    state.users.find(id).ok_or_else(|| no_such(Noun::User, id))
}

/// Whose tokens a route addresses.
#[derive(Clone)]
enum Owner {
    /// `/user/tokens/...`: the client's.
    Client,
    /// `/users/{id}/tokens/...`.
    User(String),
    /// `/tokens/named/{tid}`: whoever owns the token.
    Any,
}

impl Owner {
    /// The owner's index and the operation that authorizes managing its tokens. For `Any` the
    /// token decides (see [`find_token`]).
    fn resolve(&self, state: &State, client: Client) -> Result<Option<UserIx>, Error> {
        match self {
            Owner::Client => signed_in(client).map(Some),
            Owner::User(id) => user(state, id).map(Some),
            Owner::Any => Ok(None),
        }
    }

    /// The owner of a `/user/…` or `/users/{id}/…` route (never `Any`).
    fn user(&self, state: &State, client: Client) -> Result<UserIx, Error> {
        self.resolve(state, client)?.ok_or(Error::NotFound)
    }

    /// The owner, whose tokens `client` must be allowed to manage.
    fn managed(&self, state: &State, client: Client) -> Result<UserIx, Error> {
        let u = self.user(state, client)?;
        authorize(state, client, Operation::ManageTokensOf(u))?;
        Ok(u)
    }
}

/// A route family of named tokens: where it is and whose tokens it addresses.
trait Whose: Send + Sync + 'static {
    const BASE: &'static str;
    fn owner(path: &PathParams) -> Owner;
}

/// Path parameters by name (`id`, `tid`, `name`).
type PathParams = HashMap<String, String>;

fn param(path: &PathParams, key: &str) -> String {
    path.get(key).cloned().unwrap_or_default()
}

struct ClientTokens;
struct UserTokens;
struct AnyTokens;

impl Whose for ClientTokens {
    const BASE: &'static str = "/user/tokens/named";
    fn owner(_: &PathParams) -> Owner {
        Owner::Client
    }
}

impl Whose for UserTokens {
    const BASE: &'static str = "/users/{id}/tokens/named";
    fn owner(path: &PathParams) -> Owner {
        Owner::User(param(path, "id"))
    }
}

impl Whose for AnyTokens {
    const BASE: &'static str = "/tokens/named";
    fn owner(_: &PathParams) -> Owner {
        Owner::Any
    }
}

/// The token `tid` of `owner` (404 when it belongs to someone else), authorized for `client`.
fn find_token<'s>(
    state: &'s State,
    client: Client,
    owner: &Owner,
    tid: &str,
) -> Result<(TokenIx, &'s Token), Error> {
    let owner = owner.resolve(state, client)?;
    let missing = || Error::Missing(Missing::Token(tid.to_owned()));
    let (ix, token) = state.tokens.by_id(tid).ok_or_else(missing)?;
    if owner.is_some_and(|u| u != token.user) {
        return Err(missing());
    }
    authorize(state, client, Operation::ManageTokensOf(token.user))?;
    Ok((ix, token))
}

/// Onezone's rendering of a token's type (ctool `token_type:to_json`).
fn type_json(kind: &TokenKind) -> Value {
    match kind {
        TokenKind::Access => json!({"accessToken": {}}),
        TokenKind::Identity => json!({"identityToken": {}}),
        TokenKind::Invite {
            target, invitee, ..
        } => {
            let who = match invitee {
                InviteeKind::User => "user",
                InviteeKind::Group => "group",
            };
            let (what, key, id) = match target {
                Target::Group(id) => ("Group", "groupId", id),
                Target::Space(id) => ("Space", "spaceId", id),
                Target::HandleService(id) => ("HandleService", "handleServiceId", id),
                Target::Handle(id) => ("Handle", "handleId", id),
            };
            json!({"inviteToken": {"inviteType": format!("{who}Join{what}"), key: id}})
        }
    }
}

/// Onezone's named-token record (without the token text, which is never stored).
fn token_record(state: &State, t: &Token) -> Value {
    let kind = type_json(&t.kind);
    json!({
        "id": t.id,
        "name": t.name,
        "subject": {"type": "user", "id": state.users.id_of(t.user)},
        "type": kind,
        "caveats": t
            .valid_until
            .map_or_else(Vec::new, |until| vec![json!({"type": "time", "validUntil": until})]),
        "metadata": {"creationTime": t.creation_time},
        "revoked": t.revoked,
    })
}

/// The `type` of a new named token: `{"accessToken":{}}` (the default) or `{"identityToken":{}}`.
fn token_type(obj: &serde_json::Map<String, Value>) -> Result<TokenKind, Error> {
    let not_allowed = |value: &Value| Error::BadValueNotAllowed {
        key: "type".into(),
        allowed: vec!["accessToken".into(), "identityToken".into()],
        value: Some(value.clone()),
    };
    match obj.get("type") {
        None | Some(Value::Null) => Ok(TokenKind::Access),
        Some(v @ Value::Object(t)) if t.len() == 1 => match t.keys().next().map(String::as_str) {
            Some("accessToken") => Ok(TokenKind::Access),
            Some("identityToken") => Ok(TokenKind::Identity),
            _ => Err(not_allowed(v)),
        },
        Some(v) => Err(not_allowed(v)),
    }
}

/// The `caveats` of a new named token, as the instant it stops being valid. Only time caveats
/// (`{"type":"time","validUntil":<unix seconds>}`) are enforced here, so any other kind is
/// refused rather than silently dropped: a token must never be broader than its owner asked.
fn caveats(obj: &serde_json::Map<String, Value>) -> Result<Option<i64>, Error> {
    let items = match obj.get("caveats") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Error::BadValueJson("caveats".into())),
    };
    let mut valid_until: Option<i64> = None;
    for caveat in items {
        let caveat = caveat
            .as_object()
            .ok_or_else(|| Error::BadValueJson("caveats".into()))?;
        if caveat.get("type").and_then(Value::as_str) != Some("time") {
            return Err(Error::BadValueNotAllowed {
                key: "caveats".into(),
                allowed: vec!["time".into()],
                value: caveat.get("type").cloned(),
            });
        }
        let until = caveat
            .get("validUntil")
            .and_then(Value::as_i64)
            .ok_or_else(|| Error::BadValueInteger("validUntil".into()))?;
        valid_until = Some(valid_until.map_or(until, |v| v.min(until)));
    }
    Ok(valid_until)
}

/// Whether `user` already has a token called `name`.
fn name_taken(state: &State, user: UserIx, name: &str) -> bool {
    state
        .tokens_of(user)
        .iter()
        .filter_map(|t| state.tokens.get(*t))
        .any(|t| t.name == name)
}

/// Creates a named access token for the owner; 201 with the token text.
async fn create_named<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    Ids(path): Ids<PathParams>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let owner = O::owner(&path);
    let base = BaseUrl::from_headers(&headers, app.tls());
    let token = new_id();
    let secret = new_token_secret();
    let hash = token_hash(&secret);
    let location = format!("{}/tokens/named/{token}", base.0);
    let token_id = token.clone();
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = owner.managed(state, caller.client)?;
            let obj = body::object(&body)?;
            let name = body::required_name(obj)?;
            let kind = token_type(obj)?;
            let valid_until = caveats(obj)?;
            if name_taken(state, u, &name) {
                return Err(Error::BadValueIdentifierOccupied("name".into()));
            }
            let user = state.users.id_of(u).to_owned();
            let time = tx.now();
            tx.apply(Change::CreateToken {
                token,
                user,
                name,
                secret: hash,
                kind,
                time,
                valid_until,
            })
        })
        .await?;
    let mut res = json_after_write(
        StatusCode::CREATED,
        json!({"tokenId": token_id, "token": secret}),
        revision,
    )?;
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// GET of the owner's tokens: `{"tokens":[ids]}`.
async fn list_named<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
) -> ApiResult {
    let owner = O::owner(&path);
    let state = app.read();
    let u = owner.managed(&state, caller.client)?;
    let mut ids: Vec<&str> = state
        .tokens_of(u)
        .iter()
        .map(|t| state.tokens.id_of(*t))
        .collect();
    ids.sort_unstable();
    ok_json(json!({ "tokens": ids }))
}

/// GET of one token by its name.
async fn get_by_name<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
) -> ApiResult {
    let (owner, name) = (O::owner(&path), param(&path, "name"));
    let state = app.read();
    let u = owner.user(&state, caller.client)?;
    let token = state
        .tokens_of(u)
        .iter()
        .filter_map(|t| state.tokens.get(*t))
        .find(|t| t.name == name)
        .ok_or_else(|| Error::Missing(Missing::Token(name.clone())))?;
    authorize(&state, caller.client, Operation::ManageTokensOf(u))?;
    ok_json(token_record(&state, token))
}

async fn get_one<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
) -> ApiResult {
    let (owner, tid) = (O::owner(&path), param(&path, "tid"));
    let state = app.read();
    let (_, token) = find_token(&state, caller.client, &owner, &tid)?;
    ok_json(token_record(&state, token))
}

/// PATCH `{"name"?, "revoked"?, "customMetadata"?}` of one token. A rename re-creates the
/// token under the same id and secret hash (the change log has no rename).
async fn update_one<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (owner, tid) = (O::owner(&path), param(&path, "tid"));
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let (_, token) = find_token(state, caller.client, &owner, &tid)?;
            let obj = body::object(&body)?;
            let name = match obj.get("name") {
                None => None,
                Some(_) => Some(body::required_name(obj)?),
            };
            let revoked = match obj.get("revoked") {
                None => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(_) => return Err(Error::BadValueBoolean("revoked".into())),
            };
            let custom = obj.get("customMetadata");
            if custom.is_some_and(|c| !c.is_object()) {
                return Err(Error::BadValueJson("customMetadata".into()));
            }
            if name.is_none() && revoked.is_none() && custom.is_none() {
                return Err(Error::MissingAtLeastOneValue(vec![
                    "customMetadata".into(),
                    "name".into(),
                    "revoked".into(),
                ]));
            }
            let renamed = name.filter(|n| *n != token.name);
            if let Some(n) = &renamed {
                if name_taken(state, token.user, n) {
                    return Err(Error::BadValueIdentifierOccupied("name".into()));
                }
            }
            let revoked_after = revoked.unwrap_or(token.revoked);
            let was_revoked = token.revoked;
            if let Some(name) = renamed {
                let (user, secret, kind, time, valid_until) = (
                    state.users.id_of(token.user).to_owned(),
                    token.secret.clone(),
                    token.kind.clone(),
                    token.creation_time,
                    token.valid_until,
                );
                tx.apply(Change::DeleteToken { token: tid.clone() })?;
                tx.apply(Change::CreateToken {
                    token: tid.clone(),
                    user,
                    name,
                    secret,
                    kind,
                    time,
                    valid_until,
                })?;
                if revoked_after {
                    tx.apply(Change::SetTokenRevoked {
                        token: tid,
                        revoked: true,
                    })?;
                }
            } else if revoked_after != was_revoked {
                tx.apply(Change::SetTokenRevoked {
                    token: tid,
                    revoked: revoked_after,
                })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

async fn delete_one<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
) -> ApiResult {
    let (owner, tid) = (O::owner(&path), param(&path, "tid"));
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            find_token(tx.state(), caller.client, &owner, &tid)?;
            tx.apply(Change::DeleteToken { token: tid })
        })
        .await?;
    no_content(revision)
}

/// DELETE of every token of the owner.
async fn delete_all<O: Whose>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(path): Ids<PathParams>,
) -> ApiResult {
    let owner = O::owner(&path);
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = owner.managed(state, caller.client)?;
            let ids: Vec<String> = state
                .tokens_of(u)
                .iter()
                .map(|t| state.tokens.id_of(*t).to_owned())
                .collect();
            for token in ids {
                tx.apply(Change::DeleteToken { token })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

/// POST `/{groups|spaces}/{id}/{users|children|groups}/token` — 200 `{"token"}`: an invite for
/// a user or a group to join with the entity's default member privileges.
async fn create_invite<K: TargetKind, M: MemberKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(_): JsonBody,
) -> ApiResult {
    let invitee = M::INVITEE;
    let token = new_id();
    let secret = new_token_secret();
    let hash = token_hash(&secret);
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let t = K::resolve(state, &id).ok_or_else(|| no_such(K::NOUN, &id))?;
            authorize(
                state,
                caller.client,
                Operation::CreateInvite { target: t, invitee },
            )?;
            let u = signed_in(caller.client)?;
            let user = state.users.id_of(u).to_owned();
            let name = format!("{} invite to {} {id} ({})", M::GRI, K::GRI, &token[..8]);
            let time = tx.now();
            tx.apply(Change::CreateToken {
                token,
                user,
                name,
                secret: hash,
                kind: TokenKind::Invite {
                    target: K::target(id),
                    invitee,
                    privileges: K::wrap(K::default_privileges()),
                },
                time,
                valid_until: None,
            })
        })
        .await?;
    json_after_write(StatusCode::OK, json!({ "token": secret }), revision)
}

/// What an invite admits: the target, its id and the privileges the joiner gets.
struct Invite {
    target: TargetIx,
    target_id: String,
    privileges: Privileges,
}

/// The invite type a join route consumes (ctool `token_type`), e.g. `userJoinGroup`.
fn expected_invite_type(kind: Kind, invitee: InviteeKind) -> &'static str {
    match (invitee, kind) {
        (InviteeKind::User, Kind::Space) => "userJoinSpace",
        (InviteeKind::Group, Kind::Space) => "groupJoinSpace",
        (InviteeKind::User, _) => "userJoinGroup",
        (InviteeKind::Group, _) => "groupJoinGroup",
    }
}

/// The invite in `{"token"}` for an `invitee` into an entity of kind `kind`. `""` is
/// `badValueEmpty`; any other refusal is `badValueToken` whose `details.tokenError` says why
/// (as Onezone's `?ERROR_BAD_VALUE_TOKEN(Key, TokenError)`): not a token of ours (`badToken`),
/// another type of token (`notAnInviteToken`), revoked, or issued by someone who may no longer
/// invite.
fn invite(
    state: &State,
    obj: &Map<String, Value>,
    kind: Kind,
    invitee: InviteeKind,
) -> Result<Invite, Error> {
    let bad = |e: TokenError| Error::BadValueToken("token".into(), e);
    let text = match obj.get("token") {
        None | Some(Value::Null) => return Err(Error::MissingRequiredValue("token".into())),
        Some(Value::String(s)) if s.is_empty() => return Err(Error::BadValueEmpty("token".into())),
        Some(Value::String(s)) => s.trim(),
        Some(_) => return Err(bad(TokenError::BadToken)),
    };
    let token = state
        .token_by_secret(&token_hash(text))
        .and_then(|ix| state.tokens.get(ix))
        .ok_or_else(|| bad(TokenError::BadToken))?;
    let not_this_invite = || {
        bad(TokenError::NotAnInviteToken {
            expected: expected_invite_type(kind, invitee),
            received: type_json(&token.kind),
        })
    };
    let TokenKind::Invite {
        target,
        invitee: for_whom,
        privileges,
    } = &token.kind
    else {
        return Err(not_this_invite());
    };
    let kind_matches = matches!(
        (kind, target),
        (Kind::Group, Target::Group(_)) | (Kind::Space, Target::Space(_))
    );
    if *for_whom != invitee || !kind_matches {
        return Err(not_this_invite());
    }
    if token.revoked {
        return Err(bad(TokenError::TokenRevoked));
    }
    let t = state
        .resolve_target(target)
        .ok_or_else(|| bad(TokenError::BadToken))?;
    let issuer_may = authorize(
        state,
        Client::User(token.user),
        Operation::CreateInvite { target: t, invitee },
    )
    .is_ok();
    let issuer_ok = state.users.get(token.user).is_some_and(|u| !u.blocked);
    if !issuer_may || !issuer_ok {
        return Err(bad(TokenError::InviteTokenSubjectNotAuthorized));
    }
    let target_id = match target {
        Target::Group(id) | Target::Space(id) | Target::HandleService(id) | Target::Handle(id) => {
            id.clone()
        }
    };
    Ok(Invite {
        target: t,
        target_id,
        privileges: *privileges,
    })
}

/// POST `/user/{groups|spaces}/join` — the client joins with an invite token.
async fn user_join<K: TargetKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let (path, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = signed_in(caller.client)?;
            authorize(state, caller.client, Operation::OwnAccount)?;
            let obj = body::object(&body)?;
            let inv = invite(state, obj, K::KIND, InviteeKind::User)?;
            let user = state.users.id_of(u).to_owned();
            join::<K>(tx, Member::User(user), inv, format!("/user/{}", K::PATH))
        })
        .await?;
    created(&base, &path, revision)
}

/// POST `/groups/{id}/{parents|spaces}/join` — group `id` joins with an invite token.
async fn group_join<K: TargetKind>(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    let (path, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let g: GroupIx = state
                .groups
                .find(&id)
                .ok_or_else(|| no_such(Noun::Group, &id))?;
            authorize(
                state,
                caller.client,
                Operation::GroupJoins {
                    group: g,
                    target: K::KIND,
                },
            )?;
            let obj = body::object(&body)?;
            let inv = invite(state, obj, K::KIND, InviteeKind::Group)?;
            if inv.target == TargetIx::Group(g) {
                return Err(Error::CannotAddRelationToSelf);
            }
            let under = format!("/groups/{id}/{}", K::OF_GROUP);
            join::<K>(tx, Member::Group(id), inv, under)
        })
        .await?;
    created(&base, &path, revision)
}

/// Adds `member` as the invite says (409 if already a direct member); the path of the new
/// membership under `under`.
fn join<K: TargetKind>(
    tx: &mut Tx<'_>,
    member: Member,
    inv: Invite,
    under: String,
) -> Result<String, Error> {
    let state = tx.state();
    let (m, child_type, child_id) = match &member {
        Member::User(id) => (state.users.find(id).map(MemberIx::User), "user", id),
        Member::Group(id) => (state.groups.find(id).map(MemberIx::Group), "group", id),
    };
    if m.is_some_and(|m| state.is_direct_member(inv.target, m)) {
        return Err(Error::RelationAlreadyExists {
            child_type,
            child_id: child_id.clone(),
            parent_type: K::GRI,
            parent_id: inv.target_id,
        });
    }
    let path = format!("{under}/{}", inv.target_id);
    tx.apply(Change::AddMember {
        target: K::target(inv.target_id),
        member,
        privileges: inv.privileges,
    })?;
    Ok(path)
}

/// Named-token routes of one family.
fn named_routes<O: Whose>(router: super::Api) -> super::Api {
    router
        .route(
            O::BASE,
            get(list_named::<O>)
                .post(create_named::<O>)
                .delete(delete_all::<O>),
        )
        .route(&format!("{}/name/{{name}}", O::BASE), get(get_by_name::<O>))
        .route(&format!("{}/{{tid}}", O::BASE), one_token::<O>())
}

fn one_token<O: Whose>() -> axum::routing::MethodRouter<App> {
    get(get_one::<O>)
        .patch(update_one::<O>)
        .delete(delete_one::<O>)
}

/// Invites into, and joining, entities of kind `K`.
fn invite_routes<K: TargetKind>(router: super::Api) -> super::Api {
    let invite = |seg: &str| format!("/{}/{{id}}/{seg}/token", K::PATH);
    router
        .route(
            &invite(segment::<K, UserMember>()),
            post(create_invite::<K, UserMember>),
        )
        .route(
            &invite(segment::<K, GroupMember>()),
            post(create_invite::<K, GroupMember>),
        )
        .route(&format!("/user/{}/join", K::PATH), post(user_join::<K>))
        .route(
            &format!("/groups/{{id}}/{}/join", K::OF_GROUP),
            post(group_join::<K>),
        )
}

pub fn routes(router: super::Api) -> super::Api {
    let router = named_routes::<ClientTokens>(router);
    let router = named_routes::<UserTokens>(router).route(
        &format!("{}/{{tid}}", AnyTokens::BASE),
        one_token::<AnyTokens>(),
    );
    let router = invite_routes::<GroupKind>(router);
    invite_routes::<SpaceKind>(router)
}
