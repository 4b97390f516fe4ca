//! Every request on the seed API pages (`/work/shared/seeds/*.txt`): each cURL example and each
//! example request body, sent as the page sends it (HTTP Basic, its method, its path — also the
//! `/api/v3/...` paths without `/onezone`), plus the same change in the other body generation.
//! Each test asserts the resulting privilege set, with legacy names stored under current ones.

use reqwest::Method;
use serde_json::{json, Value};

use crate::handle_services::{sorted, user_service};
use crate::harness::{Auth, Response, TestServer};

/// The page's `-u username:password` user; it gets `oz` privileges from the admin.
async fn basic_user(s: &TestServer, name: &str, oz: &[&str]) -> (String, Auth) {
    let (id, auth) = s
        .user_with_password(name, &format!("{name}-secret-pw"))
        .await;
    if !oz.is_empty() {
        s.grant_oz(&id, oz).await;
    }
    (id, auth)
}

/// Sends `body` to a path under `/api/v3` (no `/onezone`), as the older pages do.
async fn legacy(s: &TestServer, method: Method, path: &str, auth: &Auth, body: Value) -> Response {
    let mut req = s
        .client
        .request(method, format!("http://{}/api/v3{path}", s.running.addr))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Auth::Basic(u, p) = auth {
        req = req.basic_auth(u, Some(p));
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

/// A PATCH to a path under `/api/v3`.
async fn legacy_patch(s: &TestServer, path: &str, auth: &Auth, body: Value) -> Response {
    legacy(s, Method::PATCH, path, auth, body).await
}

async fn privileges_at(s: &TestServer, path: &str) -> Vec<String> {
    let r = s.get(path, &Auth::admin()).await;
    r.expect(200);
    r.set("privileges")
}

/// Asserts the privileges at `path` (as seen by the admin), as a set.
async fn assert_privileges(s: &TestServer, path: &str, expected: &[&str]) {
    assert_eq!(privileges_at(s, path).await, sorted(expected), "{path}");
}

/// Asserts the user's direct oz privileges, as a set.
async fn assert_oz(s: &TestServer, user: &str, expected: &[&str]) {
    assert_privileges(s, &format!("/users/{user}/privileges"), expected).await;
}

/// The example body of seeds 000 and 001 (17.06/18.02 names) in current names.
const SEED_000_RESULT: [&str; 19] = [
    "oz_groups_add_relationships",
    "oz_groups_list",
    "oz_groups_list_relationships",
    "oz_groups_remove_relationships",
    "oz_handle_services_create",
    "oz_handle_services_list",
    "oz_handles_list",
    "oz_providers_delete",
    "oz_providers_list",
    "oz_providers_list_relationships",
    "oz_set_privileges",
    "oz_shares_list",
    "oz_spaces_add_relationships",
    "oz_spaces_list",
    "oz_spaces_list_relationships",
    "oz_spaces_remove_relationships",
    "oz_users_delete",
    "oz_users_list",
    "oz_view_privileges",
];

// ---- 000: Set current user privileges (PATCH /user/privileges; cURL uses PUT) ----

#[tokio::test]
async fn seed_000_curl_put_user_privileges() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(&s, "username", &["oz_set_privileges"]).await;
    s.put(
        "/user/privileges",
        &u,
        json!({"privileges": ["oz_spaces_list"]}),
    )
    .await
    .expect(204);
    // A legacy set replaces everything, oz_set_privileges included.
    assert_oz(&s, &id, &["oz_spaces_list"]).await;
    s.put(
        "/user/privileges",
        &u,
        json!({"privileges": ["oz_spaces_list"]}),
    )
    .await
    .expect_error(403, "forbidden");
}

#[tokio::test]
async fn seed_000_example_body_patch_set_with_17_06_names() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(&s, "username", &["oz_set_privileges", "oz_users_create"]).await;
    let body = json!({
        "operation": ["set"],
        "privileges": ["oz_groups_add_members", "oz_groups_list", "oz_groups_list_groups", "oz_groups_list_users", "oz_groups_remove_members", "oz_handle_services_create", "oz_handle_services_list", "oz_handles_list", "oz_providers_delete", "oz_providers_list", "oz_providers_list_groups", "oz_providers_list_spaces", "oz_providers_list_users", "oz_set_privileges", "oz_shares_list", "oz_spaces_add_members", "oz_spaces_list", "oz_spaces_list_groups", "oz_spaces_list_providers", "oz_spaces_list_users", "oz_spaces_remove_members", "oz_users_delete", "oz_users_list", "oz_view_privileges"]
    });
    s.patch("/user/privileges", &u, body).await.expect(204);
    assert_oz(&s, &id, &SEED_000_RESULT).await;
    let own = s.get("/user/privileges", &u).await;
    own.expect(200);
    assert_eq!(own.set("privileges"), sorted(&SEED_000_RESULT));
}

#[tokio::test]
async fn seed_000_in_the_current_generation() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(&s, "username", &["oz_set_privileges", "oz_users_create"]).await;
    // The same "set to [oz_spaces_list]" as grant/revoke.
    s.patch(
        "/user/privileges",
        &u,
        json!({"grant": ["oz_spaces_list"], "revoke": ["oz_set_privileges", "oz_users_create"]}),
    )
    .await
    .expect(204);
    assert_oz(&s, &id, &["oz_spaces_list"]).await;
}

// ---- 001: Set user's Onezone privileges (PATCH /users/{id}/privileges; cURL uses PUT) ----

#[tokio::test]
async fn seed_001_curl_put_other_users_privileges() {
    let s = TestServer::start().await;
    let (_, u) = basic_user(&s, "username", &["oz_set_privileges"]).await;
    let (target, _) = s.user("target").await;
    s.grant_oz(&target, &["oz_groups_list"]).await;
    s.put(
        &format!("/users/{target}/privileges"),
        &u,
        json!({"privileges": ["oz_spaces_list"]}),
    )
    .await
    .expect(204);
    assert_oz(&s, &target, &["oz_spaces_list"]).await;
    // Without oz_set_privileges the same request is forbidden.
    let (_, plain) = basic_user(&s, "plain", &[]).await;
    s.put(
        &format!("/users/{target}/privileges"),
        &plain,
        json!({"privileges": ["oz_users_list"]}),
    )
    .await
    .expect_error(403, "forbidden");
    assert_oz(&s, &target, &["oz_spaces_list"]).await;
}

#[tokio::test]
async fn seed_001_example_body_patch_set_with_legacy_names() {
    let s = TestServer::start().await;
    let (_, u) = basic_user(&s, "username", &["oz_set_privileges"]).await;
    let (target, _) = s.user("target").await;
    s.grant_oz(&target, &["oz_users_create"]).await;
    let body = json!({
        "operation": ["set"],
        "privileges": ["oz_spaces_add_members", "list_groups", "oz_providers_list_groups", "oz_providers_list", "oz_spaces_list_providers", "oz_spaces_list", "oz_providers_list_spaces", "oz_users_list", "oz_providers_list_users", "oz_groups_add_members", "oz_groups_list_groups", "oz_groups_list_users", "oz_groups_remove_members", "oz_handles_list", "oz_handle_services_create", "oz_handle_services_list", "oz_providers_delete", "oz_shares_list", "oz_spaces_list_groups", "oz_spaces_list_users", "oz_users_delete", "oz_spaces_remove_members", "oz_set_privileges", "oz_view_privileges"]
    });
    s.patch(&format!("/users/{target}/privileges"), &u, body)
        .await
        .expect(204);
    // `list_groups` (pre-17.06) is oz_groups_list; oz_users_create is gone (set).
    assert_oz(&s, &target, &SEED_000_RESULT).await;
}

#[tokio::test]
async fn seed_001_in_the_current_generation() {
    let s = TestServer::start().await;
    let (_, u) = basic_user(&s, "username", &["oz_set_privileges"]).await;
    let (target, _) = s.user("target").await;
    s.grant_oz(&target, &["oz_groups_list"]).await;
    s.patch(
        &format!("/users/{target}/privileges"),
        &u,
        json!({"grant": ["oz_spaces_list"], "revoke": ["oz_groups_list"]}),
    )
    .await
    .expect(204);
    assert_oz(&s, &target, &["oz_spaces_list"]).await;
}

// ---- 002: Update current user's admin privileges (grant/revoke) ----

#[tokio::test]
async fn seed_002_curl_patch_grant_revoke() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(&s, "username", &["oz_set_privileges", "oz_groups_update"]).await;
    s.patch(
        "/user/privileges",
        &u,
        json!({"grant": ["oz_spaces_list"], "revoke": ["oz_groups_update"]}),
    )
    .await
    .expect(204);
    assert_oz(&s, &id, &["oz_set_privileges", "oz_spaces_list"]).await;
}

#[tokio::test]
async fn seed_002_example_body() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(
        &s,
        "username",
        &[
            "oz_set_privileges",
            "oz_providers_list",
            "oz_providers_view",
            "oz_handle_services_create",
            "oz_users_list",
        ],
    )
    .await;
    let body = json!({
        "grant": ["oz_groups_add_relationships", "oz_groups_remove_relationships", "oz_groups_view_privileges", "oz_groups_set_privileges", "oz_groups_list", "oz_groups_view", "oz_groups_list_relationships", "oz_spaces_create", "oz_spaces_update"],
        "revoke": ["oz_providers_list", "oz_providers_view", "oz_providers_update", "oz_providers_delete", "oz_providers_invite", "oz_providers_list_relationships", "oz_handle_services_create"]
    });
    s.patch("/user/privileges", &u, body).await.expect(204);
    // new = grant ∪ (old − revoke)
    assert_oz(
        &s,
        &id,
        &[
            "oz_groups_add_relationships",
            "oz_groups_remove_relationships",
            "oz_groups_view_privileges",
            "oz_groups_set_privileges",
            "oz_groups_list",
            "oz_groups_view",
            "oz_groups_list_relationships",
            "oz_spaces_create",
            "oz_spaces_update",
            "oz_set_privileges",
            "oz_users_list",
        ],
    )
    .await;
}

#[tokio::test]
async fn seed_002_in_the_legacy_generation() {
    let s = TestServer::start().await;
    let (id, u) = basic_user(&s, "username", &["oz_set_privileges", "oz_groups_update"]).await;
    s.patch(
        "/user/privileges",
        &u,
        json!({"operation": "grant", "privileges": ["list_spaces"]}),
    )
    .await
    .expect(204);
    s.patch(
        "/user/privileges",
        &u,
        json!({"operation": ["revoke"], "privileges": ["oz_groups_update"]}),
    )
    .await
    .expect(204);
    assert_oz(&s, &id, &["oz_set_privileges", "oz_spaces_list"]).await;
    // Without oz_set_privileges a user cannot change its own privileges.
    let (_, plain) = basic_user(&s, "plain", &[]).await;
    s.patch(
        "/user/privileges",
        &plain,
        json!({"grant": ["oz_spaces_list"]}),
    )
    .await
    .expect_error(403, "forbidden");
}

// ---- 003: Set handle service user privileges (`/api/v3/handle_services/...`) ----

/// `username` administers a handle service that `member` belongs to with default privileges.
async fn seed_003_world(s: &TestServer) -> (Auth, String, String) {
    let (id, u) = basic_user(s, "username", &[]).await;
    let service = user_service(s, &id, &u, "Handles").await;
    let (member, _) = s.user("member").await;
    s.put(
        &format!("/handle_services/{service}/users/{member}"),
        &u,
        json!({}),
    )
    .await
    .expect(201);
    (u, service, member)
}

#[tokio::test]
async fn seed_003_curl_patch_legacy_set_without_onezone_segment() {
    let s = TestServer::start().await;
    let (u, service, member) = seed_003_world(&s).await;
    let path = format!("/handle_services/{service}/users/{member}/privileges");
    legacy_patch(&s, &path, &u, json!({"privileges": ["register_handle"]}))
        .await
        .expect(204);
    assert_privileges(&s, &path, &["handle_service_register_handle"]).await;
    // The same page's request as anonymous: 401; for a non-member path: 404 first.
    legacy_patch(&s, &path, &Auth::Nobody, json!({"privileges": []}))
        .await
        .expect_error(401, "unauthorized");
    legacy_patch(
        &s,
        &format!("/handle_services/{service}/users/nobody-here/privileges"),
        &Auth::Nobody,
        json!({"privileges": []}),
    )
    .await
    .expect_error(404, "notFound");
}

#[tokio::test]
async fn seed_003_example_body_grant_with_pre_17_06_names() {
    let s = TestServer::start().await;
    let (u, service, member) = seed_003_world(&s).await;
    let path = format!("/handle_services/{service}/users/{member}/privileges");
    legacy_patch(&s, &path, &u, json!({"privileges": ["register_handle"]}))
        .await
        .expect(204);
    legacy_patch(
        &s,
        &path,
        &u,
        json!({
            "operation": ["grant"],
            "privileges": ["view_handle_service", "modify_handle_service", "delete_handle_service", "register_handle", "handle_service_list_handles"]
        }),
    )
    .await
    .expect(204);
    let expected = sorted(&[
        "handle_service_view",
        "handle_service_update",
        "handle_service_delete",
        "handle_service_register_handle",
        "handle_service_list_handles",
    ]);
    assert_eq!(privileges_at(&s, &path).await, expected);
    // Same answer under /api/v3/onezone; responses carry current names only.
    let r = s.get(&path, &u).await;
    r.expect(200);
    assert_eq!(r.set("privileges"), expected);
}

#[tokio::test]
async fn seed_003_needs_modify_handle_service() {
    let s = TestServer::start().await;
    let (u, service, member) = seed_003_world(&s).await;
    // `other` holds the page's required privilege under its pre-17.06 name only.
    let (other_id, other) = basic_user(&s, "other", &[]).await;
    s.put(
        &format!("/handle_services/{service}/users/{other_id}"),
        &u,
        json!({"privileges": ["view_handle_service"]}),
    )
    .await
    .expect(201);
    let path = format!("/handle_services/{service}/users/{member}/privileges");
    legacy_patch(
        &s,
        &path,
        &other,
        json!({"privileges": ["register_handle"]}),
    )
    .await
    .expect_error(403, "forbidden");
    s.patch(
        &format!("/handle_services/{service}/users/{other_id}/privileges"),
        &u,
        json!({"privileges": ["modify_handle_service"], "operation": "grant"}),
    )
    .await
    .expect(204);
    legacy_patch(
        &s,
        &path,
        &other,
        json!({"privileges": ["register_handle"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_service_register_handle"]).await;
}

#[tokio::test]
async fn seed_003_in_the_current_generation() {
    let s = TestServer::start().await;
    let (u, service, member) = seed_003_world(&s).await;
    let path = format!("/handle_services/{service}/users/{member}/privileges");
    // "set to [register_handle]" from the member preset, as grant/revoke.
    legacy_patch(
        &s,
        &path,
        &u,
        json!({"grant": ["register_handle"], "revoke": ["view_handle_service", "handle_service_list_handles"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_service_register_handle"]).await;
}

// ---- 004: Update user handle privileges (`/api/v3/handles/...`, grant/revoke) ----

/// `username` created a handle (and so is its admin); `member` belongs with all privileges.
async fn seed_004_world(s: &TestServer) -> (Auth, String, String) {
    let (id, u) = basic_user(s, "username", &[]).await;
    let service = user_service(s, &id, &u, "Handles").await;
    let r = s.post("/user/spaces", &u, json!({"name": "Space"})).await;
    r.expect(201);
    let space = r.location_id();
    let r = s
        .post(
            "/shares",
            &u,
            json!({"name": "Share", "spaceId": space, "rootFileId": "root"}),
        )
        .await;
    r.expect(201);
    let share = r.location_id();
    let r = s
        .post(
            "/user/handles",
            &u,
            json!({"handleServiceId": service, "resourceType": "Share", "resourceId": share,
                   "metadataPrefix": "oai_dc", "metadata": "<metadata/>"}),
        )
        .await;
    r.expect(201);
    let handle = r.location_id();
    let (member, _) = s.user("member").await;
    s.put(
        &format!("/handles/{handle}/users/{member}"),
        &u,
        json!({"privileges": ["handle_view", "handle_update", "handle_delete"]}),
    )
    .await
    .expect(201);
    (u, handle, member)
}

#[tokio::test]
async fn seed_004_curl_patch_grant_revoke_without_onezone_segment() {
    let s = TestServer::start().await;
    let (u, handle, member) = seed_004_world(&s).await;
    let path = format!("/handles/{handle}/users/{member}/privileges");
    legacy_patch(
        &s,
        &path,
        &u,
        json!({"grant": ["handle_view"], "revoke": ["handle_delete"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_view", "handle_update"]).await;
}

#[tokio::test]
async fn seed_004_example_body() {
    let s = TestServer::start().await;
    let (u, handle, member) = seed_004_world(&s).await;
    let path = format!("/handles/{handle}/users/{member}/privileges");
    s.patch(&path, &u, json!({"privileges": ["handle_view"]}))
        .await
        .expect(204);
    legacy_patch(
        &s,
        &path,
        &u,
        json!({"grant": ["handle_view", "handle_update"], "revoke": ["handle_delete"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_view", "handle_update"]).await;
}

#[tokio::test]
async fn seed_004_in_the_legacy_generation_and_admin_path() {
    let s = TestServer::start().await;
    let (_, handle, member) = seed_004_world(&s).await;
    let path = format!("/handles/{handle}/users/{member}/privileges");
    // An admin with oz_handles_set_privileges only (the page's admin alternative), legacy body.
    let (admin_id, admin) = basic_user(&s, "helper", &["oz_handles_set_privileges"]).await;
    legacy_patch(
        &s,
        &path,
        &admin,
        json!({"operation": "revoke", "privileges": ["delete_handle"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_view", "handle_update"]).await;
    legacy(
        &s,
        Method::PUT,
        &path,
        &admin,
        json!({"privileges": ["view_handle"]}),
    )
    .await
    .expect(204);
    assert_privileges(&s, &path, &["handle_view"]).await;
    // Without any of the page's privileges: 403.
    s.patch(
        &format!("/users/{admin_id}/privileges"),
        &Auth::admin(),
        json!({"revoke": ["oz_handles_set_privileges"]}),
    )
    .await
    .expect(204);
    legacy_patch(&s, &path, &admin, json!({"grant": ["handle_update"]}))
        .await
        .expect_error(403, "forbidden");
}
