//! Starts a privzone server on a free port with a fresh data dir and talks HTTP to it.

#![allow(dead_code)]

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    Nobody,
    Basic(String, String),
    /// `X-Auth-Token`.
    Token(String),
    Bearer(String),
    Macaroon(String),
}

impl Auth {
    pub fn admin() -> Auth {
        Auth::Basic("admin".into(), ADMIN_PASSWORD.into())
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The error id of an error body.
    pub fn error_id(&self) -> Option<&str> {
        self.body["error"]["id"].as_str()
    }

    /// Sorted strings of a JSON list under `key` (lists are compared as sets).
    pub fn set(&self, key: &str) -> Vec<String> {
        let mut v: Vec<String> = self.body[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.dedup();
        v
    }

    /// The last path segment of `Location`, i.e. the created id.
    pub fn location_id(&self) -> String {
        self.header("location")
            .and_then(|l| l.rsplit('/').next().map(str::to_owned))
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, id: &str) -> &Self {
        self.expect(status);
        assert_eq!(
            self.error_id(),
            Some(id),
            "unexpected error id; body: {}",
            self.text
        );
        self
    }
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub running: privzone_server::Running,
}

/// Every server a test stops must hold a consistent state (kanidm's `verify()` after each test):
/// the model's bookkeeping and effective privileges equal a naive recomputation.
impl Drop for TestServer {
    fn drop(&mut self) {
        let problems = self.running.app.read().check_invariants();
        if !problems.is_empty() && !std::thread::panicking() {
            panic!(
                "the state of the server at {} is inconsistent:\n{}",
                self.base,
                problems.join("\n")
            );
        }
    }
}

impl TestServer {
    /// A fresh server with the admin password [`ADMIN_PASSWORD`].
    pub async fn start() -> TestServer {
        Self::start_with_database(None).await
    }

    /// A node on the PostgreSQL database at `url` (several may share one).
    pub async fn start_on_postgres(url: &str) -> TestServer {
        Self::start_with_database(Some(url)).await
    }

    async fn start_with_database(url: Option<&str>) -> TestServer {
        Self::start_configured(|config| {
            config.database_url = url.map(privzone_server::Secret::new);
        })
        .await
    }

    /// A fresh server whose configuration `configure` adjusts (limits, origins, …).
    pub async fn start_configured(
        configure: impl FnOnce(&mut privzone_server::Config),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = privzone_server::Config::with_data_dir(dir.path().join("data"));
        config.listen = "127.0.0.1:0".parse().expect("addr");
        config.admin_password = Some(privzone_server::Secret::new(ADMIN_PASSWORD));
        configure(&mut config);
        let running = privzone_server::start(config).await.expect("server starts");
        let base = format!("http://{}/api/v3/onezone", running.addr);
        TestServer {
            base,
            client: reqwest::Client::new(),
            dir,
            running,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        req = match auth {
            Auth::Nobody => req,
            Auth::Basic(u, p) => req.header(
                "Authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                ),
            ),
            Auth::Token(t) => req.header("X-Auth-Token", t),
            Auth::Bearer(t) => req.header("Authorization", format!("Bearer {t}")),
            Auth::Macaroon(t) => req.header("Macaroon", t),
        };
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            text,
        }
    }

    /// Sends a raw body with the given content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .header("Content-Type", content_type)
            .body(body);
        if let Auth::Basic(u, p) = auth {
            req = req.basic_auth(u, Some(p));
        }
        if let Auth::Token(t) = auth {
            req = req.header("X-Auth-Token", t);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Response {
        self.request(Method::GET, path, auth, None).await
    }
    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Response {
        self.request(Method::POST, path, auth, Some(body)).await
    }
    pub async fn put(&self, path: &str, auth: &Auth, body: Value) -> Response {
        self.request(Method::PUT, path, auth, Some(body)).await
    }
    pub async fn patch(&self, path: &str, auth: &Auth, body: Value) -> Response {
        self.request(Method::PATCH, path, auth, Some(body)).await
    }
    pub async fn delete(&self, path: &str, auth: &Auth) -> Response {
        self.request(Method::DELETE, path, auth, None).await
    }

    /// Creates a user (as admin) and an access token for it; returns (user id, token auth).
    /// No password, so no slow argon2 hashing in tests that do not need Basic auth.
    pub async fn user(&self, name: &str) -> (String, Auth) {
        let r = self
            .post(
                "/users",
                &Auth::admin(),
                json!({"username": name, "fullName": name}),
            )
            .await;
        r.expect(201);
        let id = r.location_id();
        let t = self
            .post(
                &format!("/users/{id}/tokens/named"),
                &Auth::admin(),
                json!({"name": "test"}),
            )
            .await;
        t.expect(201);
        let token = t.body["token"].as_str().expect("token").to_owned();
        (id, Auth::Token(token))
    }

    /// Creates a user with a password (Basic auth works for it).
    pub async fn user_with_password(&self, name: &str, password: &str) -> (String, Auth) {
        let r = self
            .post(
                "/users",
                &Auth::admin(),
                json!({"username": name, "password": password}),
            )
            .await;
        r.expect(201);
        (r.location_id(), Auth::Basic(name.into(), password.into()))
    }

    /// Creates a group as `auth` via `/user/groups` (the creator becomes its admin).
    pub async fn group(&self, auth: &Auth, name: &str) -> String {
        let r = self.post("/user/groups", auth, json!({"name": name})).await;
        r.expect(201);
        r.location_id()
    }

    /// Grants oz privileges to a user (as admin).
    pub async fn grant_oz(&self, user: &str, privileges: &[&str]) {
        self.patch(
            &format!("/users/{user}/privileges"),
            &Auth::admin(),
            json!({"grant": privileges}),
        )
        .await
        .expect(204);
    }
}
