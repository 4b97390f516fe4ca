//! Users (reference §3.5, §8): creation and administration under `/users`, the current user
//! under `/user`, and passwords. What users belong to is served by `member_of.rs`.
//!
//! Passwords are checked and hashed off the async threads before the write; the write then
//! re-checks that the stored hash is still the one verified, so a concurrent change wins
//! cleanly. Cached Basic logins need no purge: the cache honours an entry only while the user
//! still has the very hash it was checked against (see `auth.rs`).

use axum::extract::State as AppState;
use axum::http::HeaderMap;
use privzone_model::authorize::{authorize, Client, Operation};
use privzone_model::change::{Change, PasswordHash};
use privzone_model::error::{Missing, Noun};
use privzone_model::state::{State, User, UserIx};
use privzone_model::{AuthError, Error};
use serde_json::{json, Map, Value};

use super::signed_in;
use crate::app::App;
use crate::auth::{hash_password, new_id, verify_password_blocking, Caller};
use crate::body;
use crate::http::{created, no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody};

/// Onezone's full name of a user created without one.
const DEFAULT_FULL_NAME: &str = "Unnamed User";

/// Onezone's username rule: 2-32 ASCII letters and digits; `.`, `-`, `_` allowed inside.
fn valid_username(name: &str) -> bool {
    let edge = |c: char| c.is_ascii_alphanumeric();
    let middle = |c: char| edge(c) || c == '.' || c == '-' || c == '_';
    let n = name.chars().count();
    (2..=32).contains(&n)
        && name.chars().next().is_some_and(edge)
        && name.chars().last().is_some_and(edge)
        && name.chars().all(middle)
}

/// Onezone's full name rule: 2-128 letters and digits; space, `'`, `,`, `.`, `-` inside, and a
/// trailing `.`.
fn valid_full_name(name: &str) -> bool {
    let edge = |c: char| c.is_alphanumeric();
    let middle = |c: char| edge(c) || matches!(c, ' ' | '\'' | ',' | '.' | '-');
    let n = name.chars().count();
    (2..=128).contains(&n)
        && name.chars().next().is_some_and(edge)
        && name.chars().last().is_some_and(|c| edge(c) || c == '.')
        && name.chars().all(middle)
}

/// `username` when present: a string (else `badValueString`) that follows the rule; `null`
/// breaks the rule.
fn username_value(obj: &Map<String, Value>) -> Result<Option<String>, Error> {
    match obj.get("username") {
        None => Ok(None),
        Some(Value::String(s)) if valid_username(s) => Ok(Some(s.clone())),
        Some(Value::String(_)) | Some(Value::Null) => Err(Error::BadValueUsername),
        Some(_) => Err(Error::BadValueString("username".into())),
    }
}

fn full_name_value(obj: &Map<String, Value>) -> Result<Option<String>, Error> {
    match obj.get("fullName") {
        None => Ok(None),
        Some(Value::String(s)) if valid_full_name(s) => Ok(Some(s.clone())),
        Some(Value::String(_)) | Some(Value::Null) => Err(Error::BadValueFullName),
        Some(_) => Err(Error::BadValueString("fullName".into())),
    }
}

/// A new password under `key`: a string of at least 8 characters without colons or
/// whitespace (the rule in `badValuePassword`'s description).
fn password_value(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(p))
            if p.chars().count() >= 8 && !p.chars().any(|c| c == ':' || c.is_whitespace()) =>
        {
            Ok(Some(p.clone()))
        }
        Some(Value::String(_)) | Some(Value::Null) => Err(Error::BadValuePassword),
        Some(_) => Err(Error::BadValueString(key.into())),
    }
}

/// Fails when another user already has `username`.
fn username_free(state: &State, username: &str, user: Option<UserIx>) -> Result<(), Error> {
    match state.user_by_username(username) {
        Some(other) if Some(other) != user => {
            Err(Error::BadValueIdentifierOccupied("username".into()))
        }
        _ => Ok(()),
    }
}

fn user_ix(state: &State, id: &str) -> Result<UserIx, Error> {
    state
        .users
        .find(id)
        .ok_or_else(|| Error::Missing(Missing::Entity(Noun::User, id.to_owned())))
}

/// Onezone's protected user data (what the user and `oz_users_view` holders see).
fn protected_user(u: &User) -> Value {
    json!({
        "userId": u.id,
        "fullName": u.full_name,
        "username": u.username,
        "emails": [],
        "linkedAccounts": [],
        "basicAuthEnabled": u.password.is_some(),
        "blocked": u.blocked,
        "creationTime": u.creation_time,
        // Deprecated names Onezone still sends.
        "name": u.full_name,
        "login": u.username,
        "alias": u.username,
        "emailList": [],
    })
}

/// POST `/users` — `{"username","password","fullName"?}` or only optional `fullName`/`username`;
/// a password enables Basic auth.
#[utoipa::path(
    post,
    path = "/users",
    summary = "Create a user",
    request_body = crate::openapi::schemas::CreateUser,
    responses((status = 201, description = "Created; `Location` is the new resource")),
)]
pub async fn create(
    AppState(app): AppState<App>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let base = BaseUrl::from_headers(&headers, app.tls());
    // Authorize and validate before the (slow) hashing; the write checks again on latest state.
    let (username, full_name, password) = {
        let state = app.read();
        authorize(&state, caller.client, Operation::CreateUser)?;
        let obj = body::object(&body)?;
        let with_password = obj.contains_key("password");
        if with_password && obj.get("username").is_none() {
            return Err(Error::MissingRequiredValue("username".into()).into());
        }
        let username = username_value(obj)?;
        let password = password_value(obj, "password")?;
        let full_name = full_name_value(obj)?;
        if let Some(name) = &username {
            username_free(&state, name, None)?;
        }
        (username, full_name, password)
    };
    let hash = match password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let id = new_id();
    let path = format!("/users/{id}");
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            authorize(state, caller.client, Operation::CreateUser)?;
            if let Some(name) = &username {
                username_free(state, name, None)?;
            }
            let time = tx.now();
            tx.apply(Change::CreateUser {
                user: id.clone(),
                full_name: full_name.unwrap_or_else(|| DEFAULT_FULL_NAME.into()),
                username,
                time,
            })?;
            if hash.is_some() {
                tx.apply(Change::SetPassword { user: id, hash })?;
            }
            Ok(())
        })
        .await?;
    created(&base, &path, revision)
}

/// GET `/users` (`oz_users_list`).
#[utoipa::path(
    get,
    path = "/users",
    summary = "List every user (oz_users_list)",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::UserIds)),
)]
pub async fn list(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    let state = app.read();
    authorize(&state, caller.client, Operation::ListUsers)?;
    let ids: Vec<&str> = state.users.iter().map(|(_, u)| u.id.as_str()).collect();
    ok_json(json!({ "users": ids }))
}

fn view(state: &State, caller: &Caller, u: UserIx) -> ApiResult {
    authorize(state, caller.client, Operation::ViewUser(u))?;
    let user = state.users.get(u).ok_or(Error::NotFound)?;
    ok_json(protected_user(user))
}

/// GET `/users/{id}` — self or `oz_users_view`.
#[utoipa::path(
    get,
    path = "/users/{id}",
    summary = "A user's protected data",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::UserProtected)),
)]
pub async fn get(AppState(app): AppState<App>, caller: Caller, Ids(id): Ids<String>) -> ApiResult {
    let state = app.read();
    let u = user_ix(&state, &id)?;
    view(&state, &caller, u)
}

/// GET `/user`.
#[utoipa::path(
    get,
    path = "/user",
    summary = "The client's own record",
    responses((status = 200, description = "OK", body = crate::openapi::schemas::UserProtected)),
)]
pub async fn get_own(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    let state = app.read();
    let u = signed_in(caller.client)?;
    view(&state, &caller, u)
}

/// PATCH of a user record: at least one of `fullName`, `username`; on `/users/{id}` also
/// `blocked` (privzone's route for Onezone's access block; admins only, never oneself).
async fn update(app: App, caller: Caller, id: Option<String>, body: Value) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = match &id {
                Some(id) => user_ix(state, id)?,
                None => signed_in(caller.client)?,
            };
            authorize(state, caller.client, Operation::UpdateUser(u))?;
            let obj = body::object(&body)?;
            let blocked = match (id.is_some(), obj.get("blocked")) {
                (true, Some(Value::Bool(b))) => Some(*b),
                (true, Some(_)) => return Err(Error::BadValueBoolean("blocked".into())),
                _ => None,
            };
            if blocked.is_some() && caller.client == Client::User(u) {
                return Err(Error::Forbidden);
            }
            let username = username_value(obj)?;
            let full_name = full_name_value(obj)?;
            if username.is_none() && full_name.is_none() && blocked.is_none() {
                let mut keys = vec!["fullName".to_owned(), "username".to_owned()];
                if id.is_some() {
                    keys.push("blocked".into());
                }
                return Err(Error::MissingAtLeastOneValue(keys));
            }
            if let Some(name) = &username {
                username_free(state, name, Some(u))?;
            }
            let user_id = state.users.id_of(u).to_owned();
            if username.is_some() || full_name.is_some() {
                tx.apply(Change::UpdateUser {
                    user: user_id.clone(),
                    username,
                    full_name,
                })?;
            }
            if let Some(blocked) = blocked {
                tx.apply(Change::SetUserBlocked {
                    user: user_id,
                    blocked,
                })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

/// PATCH `/user`.
#[utoipa::path(
    patch,
    path = "/user",
    summary = "Change the client's name or username",
    request_body = crate::openapi::schemas::UpdateOwnUser,
    responses((status = 204, description = "Done")),
)]
pub async fn patch_own(
    AppState(app): AppState<App>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult {
    update(app, caller, None, body).await
}

/// PATCH `/users/{id}` — self or `oz_users_update`.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    summary = "Change a user's name, username or block",
    request_body = crate::openapi::schemas::UpdateUser,
    responses((status = 204, description = "Done")),
)]
pub async fn patch(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    update(app, caller, Some(id), body).await
}

/// Deletes a user with its memberships, ownerships and tokens.
async fn delete_user(app: App, caller: Caller, id: Option<String>) -> ApiResult {
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = match &id {
                Some(id) => user_ix(state, id)?,
                None => signed_in(caller.client)?,
            };
            authorize(state, caller.client, Operation::DeleteUser(u))?;
            let user = state.users.id_of(u).to_owned();
            tx.apply(Change::DeleteUser { user })
        })
        .await?;
    no_content(revision)
}

/// DELETE `/users/{id}` — self or `oz_users_delete`.
#[utoipa::path(
    delete,
    path = "/users/{id}",
    summary = "Delete a user",
    responses((status = 204, description = "Done")),
)]
pub async fn delete(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    delete_user(app, caller, Some(id)).await
}

/// DELETE `/user`.
#[utoipa::path(
    delete,
    path = "/user",
    summary = "Delete the client's own account",
    responses((status = 204, description = "Done")),
)]
pub async fn delete_own(AppState(app): AppState<App>, caller: Caller) -> ApiResult {
    delete_user(app, caller, None).await
}

/// Stores `hash` for the user, provided its current hash is still `expected`.
async fn store_password(
    app: &App,
    caller: &Caller,
    user: String,
    expected: Option<PasswordHash>,
    hash: Option<PasswordHash>,
    op: Operation,
) -> ApiResult {
    let client = caller.client;
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let state = tx.state();
            let u = user_ix(state, &user)?;
            authorize(state, client, op)?;
            let current = state.users.get(u).and_then(|x| x.password.clone());
            if current != expected {
                // Changed since it was checked: the old password proved is no longer valid.
                return Err(Error::BadAuth(AuthError::BadBasicCredentials));
            }
            if current != hash {
                tx.apply(Change::SetPassword { user, hash })?;
            }
            Ok(())
        })
        .await?;
    no_content(revision)
}

/// PATCH `/user/password` — `{"oldPassword","newPassword"}`; a wrong old password is a 401.
#[utoipa::path(
    patch,
    path = "/user/password",
    summary = "Change the client's password",
    request_body = crate::openapi::schemas::ChangePassword,
    responses((status = 204, description = "Done")),
)]
pub async fn change_password(
    AppState(app): AppState<App>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (user, current, old, new) = {
        let state = app.read();
        let u = signed_in(caller.client)?;
        authorize(&state, caller.client, Operation::OwnAccount)?;
        let obj = body::object(&body)?;
        let old = match obj.get("oldPassword") {
            None => return Err(Error::MissingRequiredValue("oldPassword".into()).into()),
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) => None,
            Some(_) => return Err(Error::BadValueString("oldPassword".into()).into()),
        };
        if !obj.contains_key("newPassword") {
            return Err(Error::MissingRequiredValue("newPassword".into()).into());
        }
        let new = password_value(obj, "newPassword")?.ok_or(Error::BadValuePassword)?;
        let user = state.users.get(u).ok_or(Error::NotFound)?;
        let Some(current) = user.password.clone() else {
            return Err(Error::BadAuth(AuthError::BasicAuthDisabled).into());
        };
        (user.id.clone(), current, old, new)
    };
    let phc = current.0.clone();
    let ok = match old {
        Some(old) => tokio::task::spawn_blocking(move || verify_password_blocking(&old, &phc))
            .await
            .map_err(|e| Error::Internal(format!("password check failed: {e}")))?,
        None => false,
    };
    if !ok {
        return Err(Error::BadAuth(AuthError::BadBasicCredentials).into());
    }
    let hash = hash_password(new).await?;
    store_password(
        &app,
        &caller,
        user,
        Some(current),
        Some(hash),
        Operation::OwnAccount,
    )
    .await
}

/// PATCH `/users/{id}/basic_auth` — `{"basicAuthEnabled"?,"newPassword"?}`, admins with
/// `oz_users_manage_passwords` only. Disabling drops the password, so enabling again needs a
/// new one; a new password for a user whose Basic auth is off is `basicAuthDisabled`.
#[utoipa::path(
    patch,
    path = "/users/{id}/basic_auth",
    summary = "Enable or disable a user's Basic auth, or set its password",
    request_body = crate::openapi::schemas::BasicAuthUpdate,
    responses((status = 204, description = "Done")),
)]
pub async fn basic_auth(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (current, enabled, new) = {
        let state = app.read();
        let u = user_ix(&state, &id)?;
        authorize(&state, caller.client, Operation::ManagePassword(u))?;
        let obj = body::object(&body)?;
        let enabled = match obj.get("basicAuthEnabled") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(Error::BadValueBoolean("basicAuthEnabled".into()).into()),
        };
        let new = password_value(obj, "newPassword")?;
        if enabled.is_none() && new.is_none() {
            return Err(Error::MissingAtLeastOneValue(vec![
                "basicAuthEnabled".into(),
                "newPassword".into(),
            ])
            .into());
        }
        let current = state.users.get(u).and_then(|x| x.password.clone());
        let enabled_after = enabled.unwrap_or(current.is_some());
        if new.is_some() && !enabled_after {
            return Err(Error::BasicAuthDisabled.into());
        }
        (current, enabled, new)
    };
    let hash = match (enabled, new) {
        (Some(false), _) => None,
        (_, Some(p)) => Some(hash_password(p).await?),
        // Enabling without a new password keeps what is stored.
        (_, None) => current.clone(),
    };
    let u = {
        let state = app.read();
        user_ix(&state, &id)?
    };
    store_password(
        &app,
        &caller,
        id,
        current,
        hash,
        Operation::ManagePassword(u),
    )
    .await
}

pub fn routes(router: super::Api) -> super::Api {
    use axum::routing::{get, patch};
    router
        .route("/users", get(list).post(create))
        .route(
            "/users/{id}",
            get(self::get).patch(self::patch).delete(self::delete),
        )
        .route("/users/{id}/basic_auth", patch(basic_auth))
        .route("/user", get(get_own).patch(patch_own).delete(delete_own))
        .route("/user/password", patch(change_password))
}
