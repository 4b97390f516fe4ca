//! A deployment built through the REST API, the way clients build one.
//!
//! Shape: `users` users (no password; the first `tokens` get an access token), groups on
//! `levels` levels of `per_level` (every group below the top has one parent on the level above,
//! one in five a second one), every user in `user_groups` random groups, and `services` handle
//! services created by one owner (a user with a password and a token), each with
//! `service_groups` top-level groups and `service_users` direct users as members. Effective
//! members of a service therefore come through chains of `levels` groups.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

use base64::Engine;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{write_env, write_file};

struct Scale {
    users: usize,
    tokens: usize,
    levels: usize,
    per_level: usize,
    user_groups: usize,
    services: usize,
    service_groups: usize,
    service_users: usize,
}

const TINY: Scale = Scale {
    users: 200,
    tokens: 20,
    levels: 3,
    per_level: 5,
    user_groups: 2,
    services: 8,
    service_groups: 2,
    service_users: 20,
};

const DEFAULT: Scale = Scale {
    users: 3000,
    tokens: 300,
    levels: 3,
    per_level: 100,
    user_groups: 2,
    services: 100,
    service_groups: 2,
    service_users: 20,
};

/// Requests in flight while building.
const IN_FLIGHT: usize = 32;
/// Most (service, user) pairs a Lua script cycles through.
const POOL: usize = 256;
const OWNER_USERNAME: &str = "bench-owner";
const OWNER_PASSWORD: &str = "bench-owner-password";
const SEED: u64 = 0x4245_4e43_485f_4150; // "BENCH_AP"

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: Arc<str>,
}

#[derive(Clone)]
enum Auth {
    Basic(String),
    Token(String),
}

impl Api {
    /// One request; any status outside 2xx is an error naming the request.
    async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Result<(reqwest::header::HeaderMap, Value), String> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        req = match auth {
            Auth::Basic(b) => req.header("authorization", format!("Basic {b}")),
            Auth::Token(t) => req.header("x-auth-token", t),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status();
        let headers = res.headers().clone();
        let text = res
            .text()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {text}"));
        }
        let value = if text.trim().is_empty() || status == StatusCode::NO_CONTENT {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}: {text}"))?
        };
        Ok((headers, value))
    }

    /// A create answered 201 with `Location`; returns the new id (its last path segment).
    async fn create(&self, path: &str, auth: &Auth, body: Value) -> Result<String, String> {
        let (headers, _) = self.call(Method::POST, path, auth, Some(body)).await?;
        headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("POST {path}: no Location in the answer"))
    }

    async fn put(&self, path: String, auth: &Auth) -> Result<(), String> {
        self.call(Method::PUT, &path, auth, None).await.map(|_| ())
    }

    async fn token(&self, user: &str, auth: &Auth) -> Result<String, String> {
        let path = format!("/users/{user}/tokens/named");
        let (_, v) = self
            .call(Method::POST, &path, auth, Some(json!({ "name": "bench" })))
            .await?;
        v.get("token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("POST {path}: no token in the answer"))
    }
}

/// Runs `job(i)` for every `i < n`, `IN_FLIGHT` at a time; results in order of `i`. After the
/// first failure no new job starts, and that failure is returned.
async fn parallel<T, F, Fut>(n: usize, job: F) -> Result<Vec<T>, String>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut first_error: Option<String> = None;
    type Done<T> = Result<(usize, Result<T, String>), tokio::task::JoinError>;
    fn collect<T>(done: Done<T>, out: &mut [Option<T>], first_error: &mut Option<String>) {
        match done {
            Ok((i, Ok(v))) => out[i] = Some(v),
            Ok((_, Err(e))) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    for i in 0..n {
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let fut = job(i);
        tasks.spawn(async move {
            let r = fut.await;
            drop(permit);
            (i, r)
        });
        while let Some(done) = tasks.try_join_next() {
            collect(done, &mut out, &mut first_error);
        }
        if first_error.is_some() {
            break;
        }
    }
    while let Some(done) = tasks.join_next().await {
        collect(done, &mut out, &mut first_error);
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| format!("job {i} gave no result")))
        .collect()
}

pub fn run(base: &str, scale: &str, out: &str) -> Result<(), String> {
    let scale = match scale {
        "tiny" => &TINY,
        "default" => &DEFAULT,
        other => return Err(format!("unknown scale {other:?} (tiny or default)")),
    };
    let password = std::env::var("PRIVZONE_ADMIN_PASSWORD")
        .map_err(|_| "PRIVZONE_ADMIN_PASSWORD is not set".to_owned())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(build(base, scale, &password, out))
}

async fn build(base: &str, s: &Scale, admin_password: &str, out: &str) -> Result<(), String> {
    let started = std::time::Instant::now();
    let api = Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(IN_FLIGHT)
            .build()
            .map_err(|e| e.to_string())?,
        base: format!("{}/api/v3/onezone", base.trim_end_matches('/')).into(),
    };
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let basic = Auth::Basic(b64(format!("admin:{admin_password}")));
    let (admin_id, admin_token) = {
        let (_, me) = api.call(Method::GET, "/user", &basic, None).await?;
        let id = me
            .get("userId")
            .and_then(Value::as_str)
            .ok_or("GET /user: no userId")?
            .to_owned();
        let token = api.token(&id, &basic).await?;
        (id, token)
    };
    let _ = admin_id;
    let admin = Auth::Token(admin_token);

    // The owner: a plain user who may create handle services, with a password and a token.
    let owner_id = api
        .create(
            "/users",
            &admin,
            json!({"username": OWNER_USERNAME, "password": OWNER_PASSWORD, "fullName": "Bench owner"}),
        )
        .await?;
    api.call(
        Method::PATCH,
        &format!("/users/{owner_id}/privileges"),
        &admin,
        Some(json!({"grant": ["oz_handle_services_create"]})),
    )
    .await?;
    let owner_token = api.token(&owner_id, &admin).await?;
    let owner = Auth::Token(owner_token.clone());

    let mut rng = StdRng::seed_from_u64(SEED);
    let users = {
        let (api, admin) = (api.clone(), admin.clone());
        parallel(s.users, move |i| {
            let (api, admin) = (api.clone(), admin.clone());
            async move {
                api.create("/users", &admin, json!({"fullName": format!("user {i}")}))
                    .await
            }
        })
        .await?
    };
    {
        let (api, admin, users) = (api.clone(), admin.clone(), users.clone());
        parallel(s.tokens.min(users.len()), move |i| {
            let (api, admin, user) = (api.clone(), admin.clone(), users[i].clone());
            async move { api.token(&user, &admin).await }
        })
        .await?;
    }
    let group_count = s.levels * s.per_level;
    let groups = {
        let (api, admin) = (api.clone(), admin.clone());
        parallel(group_count, move |i| {
            let (api, admin) = (api.clone(), admin.clone());
            async move {
                api.create("/groups", &admin, json!({"name": format!("group {i}")}))
                    .await
            }
        })
        .await?
    };
    // Nesting: group i (below the top level) under one or two groups of the level above.
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut nest: Vec<(usize, usize)> = Vec::new();
    for i in s.per_level..group_count {
        let level = i / s.per_level;
        let above = (level - 1) * s.per_level..level * s.per_level;
        let mut parents = BTreeSet::new();
        parents.insert(rng.gen_range(above.clone()));
        if rng.gen_bool(0.2) {
            parents.insert(rng.gen_range(above));
        }
        for p in parents {
            children.entry(p).or_default().push(i);
            nest.push((p, i));
        }
    }
    let mut group_users: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for u in 0..s.users {
        let mut picked = BTreeSet::new();
        while picked.len() < s.user_groups.min(group_count) {
            picked.insert(rng.gen_range(0..group_count));
        }
        for g in picked {
            group_users.entry(g).or_default().push(u);
            joins.push((g, u));
        }
    }
    let mut service_groups: Vec<Vec<usize>> = Vec::new();
    let mut service_users: Vec<BTreeSet<usize>> = Vec::new();
    for _ in 0..s.services {
        let mut gs = BTreeSet::new();
        while gs.len() < s.service_groups.min(s.per_level) {
            gs.insert(rng.gen_range(0..s.per_level));
        }
        service_groups.push(gs.into_iter().collect());
        let mut us = BTreeSet::new();
        while us.len() < s.service_users.min(s.users) {
            us.insert(rng.gen_range(0..s.users));
        }
        service_users.push(us);
    }
    {
        let (api, admin, g) = (api.clone(), admin.clone(), groups.clone());
        let nest = nest.clone();
        parallel(nest.len(), move |i| {
            let (api, admin) = (api.clone(), admin.clone());
            let path = format!("/groups/{}/children/{}", g[nest[i].0], g[nest[i].1]);
            async move { api.put(path, &admin).await }
        })
        .await?;
    }
    {
        let (api, admin, g, u) = (api.clone(), admin.clone(), groups.clone(), users.clone());
        parallel(joins.len(), move |i| {
            let (api, admin) = (api.clone(), admin.clone());
            let path = format!("/groups/{}/users/{}", g[joins[i].0], u[joins[i].1]);
            async move { api.put(path, &admin).await }
        })
        .await?;
    }
    let services = {
        let (api, owner) = (api.clone(), owner.clone());
        parallel(s.services, move |i| {
            let (api, owner) = (api.clone(), owner.clone());
            async move {
                let body = json!({
                    "name": format!("service {i}"),
                    "proxyEndpoint": "https://proxy.example/api",
                    "serviceProperties": {"type": "DOI", "prefix": "10.5072"},
                });
                api.create("/user/handle_services", &owner, body).await
            }
        })
        .await?
    };
    let mut memberships: Vec<String> = Vec::new();
    for (k, hs) in services.iter().enumerate() {
        for g in &service_groups[k] {
            memberships.push(format!("/handle_services/{hs}/groups/{}", groups[*g]));
        }
        for u in &service_users[k] {
            memberships.push(format!("/handle_services/{hs}/users/{}", users[*u]));
        }
    }
    {
        let (api, admin) = (api.clone(), admin.clone());
        let paths = memberships.clone();
        parallel(paths.len(), move |i| {
            let (api, admin, path) = (api.clone(), admin.clone(), paths[i].clone());
            async move { api.put(path, &admin).await }
        })
        .await?;
    }

    // The read of (b): a user of service 0 reached only through the longest chain of groups.
    let mut best: Option<(usize, usize)> = None; // (depth, user)
    for top in &service_groups[0] {
        let mut frontier = vec![*top];
        let mut depth = 1;
        while !frontier.is_empty() {
            for g in &frontier {
                for u in group_users.get(g).into_iter().flatten() {
                    if !service_users[0].contains(u) && best.is_none_or(|(d, _)| depth > d) {
                        best = Some((depth, *u));
                    }
                }
            }
            frontier = frontier
                .iter()
                .flat_map(|g| children.get(g).into_iter().flatten().copied())
                .collect();
            depth += 1;
        }
    }
    let (depth, reader) = best
        .or_else(|| service_users[0].iter().next().map(|u| (0, *u)))
        .ok_or("service 0 has no members")?;
    let prefix = "/api/v3/onezone";
    let read_path = format!(
        "{prefix}/handle_services/{}/effective_users/{}/privileges",
        services[0], users[reader]
    );
    api.call(Method::GET, &read_path[prefix.len()..], &owner, None)
        .await?;

    // Pools for the Lua scripts: direct members (privilege PATCHes and stable reads) and
    // (service, user) pairs that are not direct members (added and removed by the mix).
    let mut direct: Vec<(usize, usize)> = service_users
        .iter()
        .enumerate()
        .flat_map(|(k, us)| us.iter().map(move |u| (k, *u)))
        .collect();
    direct.shuffle(&mut rng);
    direct.truncate(POOL);
    let patch_paths: String = direct
        .iter()
        .map(|(k, u)| {
            format!(
                "{prefix}/handle_services/{}/users/{}/privileges\n",
                services[*k], users[*u]
            )
        })
        .collect();
    let read_paths: String = direct
        .iter()
        .map(|(k, u)| {
            format!(
                "{prefix}/handle_services/{}/effective_users/{}/privileges\n",
                services[*k], users[*u]
            )
        })
        .collect();
    let mut others = BTreeSet::new();
    let mut attempts = 0;
    while others.len() < POOL.min(s.services * s.users / 2) && attempts < 100 * POOL {
        attempts += 1;
        let k = rng.gen_range(0..s.services);
        let u = rng.gen_range(0..s.users);
        if !service_users[k].contains(&u) {
            others.insert((k, u));
        }
    }
    let mut others: Vec<(usize, usize)> = others.into_iter().collect();
    others.shuffle(&mut rng);
    let member_paths: String = others
        .iter()
        .map(|(k, u)| {
            format!(
                "{prefix}/handle_services/{}/users/{}\n",
                services[*k], users[*u]
            )
        })
        .collect();
    write_file(out, "patch_paths.txt", &patch_paths)?;
    write_file(out, "read_paths.txt", &read_paths)?;
    write_file(out, "member_paths.txt", &member_paths)?;
    let edges = nest.len() + s.users * s.user_groups + memberships.len();
    write_env(
        out,
        &[
            ("BENCH_READ_PATH", read_path),
            ("BENCH_READ_DEPTH", depth.to_string()),
            ("BENCH_OWNER_TOKEN", owner_token),
            (
                "BENCH_OWNER_BASIC",
                b64(format!("{OWNER_USERNAME}:{OWNER_PASSWORD}")),
            ),
            (
                "BENCH_DEPLOYMENT",
                format!(
                    "{} users ({} with tokens), {} groups on {} levels, {} handle services, {} membership edges",
                    s.users + 1,
                    s.tokens + 1,
                    group_count,
                    s.levels,
                    s.services,
                    edges
                ),
            ),
            (
                "BENCH_DEPLOY_SECONDS",
                format!("{:.1}", started.elapsed().as_secs_f64()),
            ),
        ],
    )
}
