//! Authentication of REST requests (reference §7): `X-Auth-Token`, `Authorization: Bearer`,
//! `Macaroon`, then HTTP Basic; the first present wins. No credentials → `nobody`.
//!
//! Enforces: passwords are stored only as argon2id hashes, tokens only as SHA-256 hashes; a bad
//! credential is a 401 with `details.authError`. Argon2 is slow on purpose, so a successful Basic
//! login is remembered for a short time under an HMAC of the credentials with a per-process key;
//! an entry is only honoured while the user still has the very password hash it was checked
//! against, so a password change or user deletion drops it at once.

use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, Mac};
use privzone_model::authorize::Client;
use privzone_model::change::{PasswordHash, TokenHash, TokenKind};
use privzone_model::{AuthError, Error};
use rand::RngCore;

use sha2::{Digest, Sha256};

use crate::app::App;
use crate::http::ApiError;
use crate::writer::Actor;

type FxMap<K, V> = std::collections::HashMap<K, V>;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client: Client,
    pub actor: Actor,
}

impl Caller {
    pub fn nobody() -> Self {
        Caller {
            client: Client::Nobody,
            actor: Actor::default(),
        }
    }
}

enum Credentials {
    None,
    Token(String),
    Basic(String),
}

fn credentials(headers: &HeaderMap) -> Credentials {
    // A header that is present counts even when its bytes are not text: it is then a credential
    // that cannot verify (401 with its authError), never "no credentials" (reference §2 step 2).
    let text = |b: &[u8]| std::str::from_utf8(b).map_or("", str::trim).to_owned();
    let get = |name: &str| headers.get(name).map(|v| text(v.as_bytes()));
    if let Some(t) = get("x-auth-token") {
        return Credentials::Token(t);
    }
    let authorization = headers.get("authorization").map(|v| v.as_bytes());
    if let Some(t) = authorization.and_then(|a| a.strip_prefix(b"Bearer ")) {
        return Credentials::Token(text(t));
    }
    if let Some(t) = get("macaroon") {
        return Credentials::Token(t);
    }
    if let Some(b) = authorization.and_then(|a| a.strip_prefix(b"Basic ")) {
        return Credentials::Basic(text(b));
    }
    Credentials::None
}

/// SHA-256 of a token's text, the only form in which tokens are stored.
pub fn token_hash(token: &str) -> TokenHash {
    // Every token-authenticated request computes this: encode into a buffer in one pass
    // rather than through `hex::encode`'s char iterator.
    let mut hex = [0u8; 64];
    let digest = Sha256::digest(token.as_bytes());
    match hex::encode_to_slice(digest, &mut hex) {
        Ok(()) => TokenHash(String::from_utf8_lossy(&hex).into_owned()),
        Err(_) => TokenHash(hex::encode(digest)),
    }
}

/// A new random token text (256 bits).
pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "pz1{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A new random entity id, 32 hex characters like Onezone's.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> Result<PasswordHash, Error> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| PasswordHash(h.to_string()))
            .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
}

/// Checks a password against a stored hash (slow: call off the async threads or at start-up).
pub fn verify_password_blocking(password: &str, phc: &str) -> bool {
    verify_password(password, phc)
}

fn verify_password(password: &str, phc: &str) -> bool {
    match Phc::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Verified Basic logins: HMAC(credentials) → (user id, password hash it matched, expiry).
pub struct LoginCache {
    key: [u8; 32],
    entries: FxMap<[u8; 32], (String, String, Instant)>,
}

const LOGIN_TTL: Duration = Duration::from_secs(60);
const LOGIN_CACHE_MAX: usize = 10_000;

impl LoginCache {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        LoginCache {
            key,
            entries: FxMap::default(),
        }
    }

    fn mac(&self, raw: &str) -> [u8; 32] {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut m) => {
                m.update(raw.as_bytes());
                m.finalize().into_bytes().into()
            }
            Err(_) => Sha256::digest(raw.as_bytes()).into(),
        }
    }
}

impl Default for LoginCache {
    fn default() -> Self {
        Self::new()
    }
}

fn bad(e: AuthError) -> ApiError {
    ApiError(Error::BadAuth(e))
}

/// Authenticates a request's headers against the current state; `client` is the peer address
/// (password guessing is backed off per address too).
pub async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    client: Option<std::net::IpAddr>,
) -> Result<Caller, ApiError> {
    match credentials(headers) {
        Credentials::None => Ok(Caller::nobody()),
        Credentials::Token(t) => {
            let hash = token_hash(&t);
            let state = app.read();
            let token = state
                .token_by_secret(&hash)
                .and_then(|ix| state.tokens.get(ix))
                .ok_or(bad(AuthError::BadToken))?;
            if token.revoked {
                return Err(bad(AuthError::TokenRevoked));
            }
            match token.kind {
                TokenKind::Access => {}
                TokenKind::Identity => {
                    return Err(bad(AuthError::NotAnAccessToken {
                        received: "identity",
                    }))
                }
                TokenKind::Invite { .. } => {
                    return Err(bad(AuthError::NotAnAccessToken { received: "invite" }))
                }
            }
            if let Some(valid_until) = token.valid_until {
                if crate::writer::now_unix() >= valid_until {
                    return Err(bad(AuthError::TokenExpired { valid_until }));
                }
            }
            let user = state
                .users
                .get(token.user)
                .ok_or(bad(AuthError::BadToken))?;
            if user.blocked {
                return Err(bad(AuthError::UserBlocked));
            }
            Ok(Caller {
                client: Client::User(token.user),
                actor: Actor {
                    user: Some(user.id.clone()),
                    token: Some(token.id.clone()),
                },
            })
        }
        Credentials::Basic(encoded) => basic(app, &encoded, client).await,
    }
}

async fn basic(
    app: &App,
    encoded: &str,
    client: Option<std::net::IpAddr>,
) -> Result<Caller, ApiError> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(bad(AuthError::BadBasicCredentials))?;
    let (username, password) = decoded
        .split_once(':')
        .ok_or(bad(AuthError::BadBasicCredentials))?;
    let mac = app.logins().lock().mac(&decoded);

    // What the state says about this username now.
    let found = {
        let state = app.read();
        match state
            .user_by_username(username)
            .and_then(|ix| state.users.get(ix).map(|u| (ix, u)))
        {
            None => None,
            Some((_, user)) if user.blocked => return Err(bad(AuthError::UserBlocked)),
            Some((_, user)) if user.password.is_none() => {
                return Err(bad(AuthError::BasicAuthDisabled))
            }
            Some((ix, user)) => Some((
                ix,
                user.id.clone(),
                user.password
                    .as_ref()
                    .map(|p| p.0.clone())
                    .unwrap_or_default(),
            )),
        }
    };
    let Some((user_ix, user_id, phc)) = found else {
        throttled(app, username, client)?;
        // Spend the same time as a real check, so unknown names cannot be told apart.
        let password = password.to_owned();
        let _ = tokio::task::spawn_blocking(move || verify_password(&password, DUMMY_HASH)).await;
        app.throttle().failed(username, client);
        return Err(bad(AuthError::BadBasicCredentials));
    };
    let caller = Caller {
        client: Client::User(user_ix),
        actor: Actor {
            user: Some(user_id.clone()),
            token: None,
        },
    };

    {
        let mut cache = app.logins().lock();
        if let Some((id, cached_phc, expires)) = cache.entries.get(&mac) {
            if *id == user_id && *cached_phc == phc && *expires > Instant::now() {
                return Ok(caller);
            }
            cache.entries.remove(&mac);
        }
    }
    // Credentials verified a moment ago were let through above; these are not known good.
    throttled(app, username, client)?;
    let password = password.to_owned();
    let phc_for_check = phc.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc_for_check))
        .await
        .map_err(|e| ApiError(Error::Internal(format!("password check failed: {e}"))))?;
    if !ok {
        app.throttle().failed(username, client);
        return Err(bad(AuthError::BadBasicCredentials));
    }
    app.throttle().succeeded(username);
    let mut cache = app.logins().lock();
    if cache.entries.len() >= LOGIN_CACHE_MAX {
        let now = Instant::now();
        cache.entries.retain(|_, (_, _, exp)| *exp > now);
        if cache.entries.len() >= LOGIN_CACHE_MAX {
            cache.entries.clear();
        }
    }
    cache
        .entries
        .insert(mac, (user_id, phc, Instant::now() + LOGIN_TTL));
    Ok(caller)
}

/// 429 while the username or the client is backed off (`throttle.rs`).
fn throttled(app: &App, username: &str, client: Option<std::net::IpAddr>) -> Result<(), ApiError> {
    match app.throttle().wait(username, client) {
        None => Ok(()),
        Some((wait, scope)) => {
            app.metrics().login_throttled(scope.label());
            Err(ApiError(Error::TooManyRequests {
                // Whole seconds, rounded up, so that a client waiting that long gets through.
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }))
        }
    }
}

/// A valid argon2id hash of a random password, used to equalise timing for unknown users.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Xq9vYqC7QmZ1l3q0cJ0m8m8m3Jm1Yc1d6H0eC2m6Z1Y";

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        // Routes are authenticated once, before their handlers (see `routes::authenticate`);
        // the handler takes that caller over (no copy of its ids per request).
        if let Some(caller) = parts.extensions.remove::<Caller>() {
            return Ok(caller);
        }
        let client = parts
            .extensions
            .get::<crate::connections::ClientAddr>()
            .map(|c| c.0);
        authenticate(app, &parts.headers, client).await
    }
}
