//! §3.2 Handle services: the three ways to create one, protected/public data, update, delete,
//! their handles, and the generic membership routes (members, privileges, effective) for this kind.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Auth, Response, TestServer};

pub const ALL: [&str; 6] = [
    "handle_service_delete",
    "handle_service_list_handles",
    "handle_service_manage_handles",
    "handle_service_register_handle",
    "handle_service_update",
    "handle_service_view",
];
pub const MEMBER: [&str; 3] = [
    "handle_service_list_handles",
    "handle_service_register_handle",
    "handle_service_view",
];

pub fn body(name: &str) -> Value {
    json!({
        "name": name,
        "proxyEndpoint": "https://proxy.example.org/api",
        "serviceProperties": {"type": "DOI", "prefix": "10.5072", "host": "https://mds.example.org"}
    })
}

pub fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// A credential that is not a token privzone issued.
pub fn bad_token() -> Auth {
    Auth::Token("pz1-not-a-real-token".into())
}

#[track_caller]
pub fn expect_bad_credentials(r: &Response) {
    r.expect_error(401, "unauthorized");
    assert!(
        r.body["error"]["details"]["authError"]["id"].is_string(),
        "401 for a bad credential carries details.authError: {}",
        r.text
    );
}

/// A user holding `oz_handle_services_create` creates a service through `/user/handle_services`.
pub async fn user_service(s: &TestServer, user: &str, auth: &Auth, name: &str) -> String {
    s.grant_oz(user, &["oz_handle_services_create"]).await;
    let r = s.post("/user/handle_services", auth, body(name)).await;
    r.expect(201);
    r.location_id()
}

async fn privileges(s: &TestServer, path: &str) -> Vec<String> {
    let r = s.get(path, &Auth::admin()).await;
    r.expect(200);
    r.set("privileges")
}

#[tokio::test]
async fn create_as_admin_adds_no_member() {
    let s = TestServer::start().await;
    let r = s
        .post("/handle_services", &Auth::admin(), body("Datacite"))
        .await;
    r.expect(201);
    let id = r.location_id();
    let location = r.header("location").unwrap_or_default();
    assert!(
        location.ends_with(&format!("/api/v3/onezone/handle_services/{id}")),
        "{location}"
    );
    let users = s
        .get(&format!("/handle_services/{id}/users"), &Auth::admin())
        .await;
    users.expect(200);
    assert!(users.set("users").is_empty(), "{}", users.text);
    let groups = s
        .get(&format!("/handle_services/{id}/groups"), &Auth::admin())
        .await;
    assert!(groups.set("groups").is_empty(), "{}", groups.text);
    let data = s
        .get(&format!("/handle_services/{id}"), &Auth::admin())
        .await;
    data.expect(200);
    assert_eq!(data.body["handleServiceId"], json!(id));
    assert_eq!(data.body["name"], "Datacite");
    assert_eq!(data.body["proxyEndpoint"], "https://proxy.example.org/api");
    assert_eq!(data.body["serviceProperties"]["prefix"], "10.5072");
    assert_eq!(data.body["creator"]["type"], "user");
    assert!(data.body["creationTime"].is_i64(), "{}", data.text);
    // The catalog path is not taken for a service id.
    let catalog = s.get("/handle_services/privileges", &Auth::Nobody).await;
    catalog.expect(200);
    assert_eq!(catalog.set("admin"), sorted(&ALL));
    assert_eq!(catalog.set("member"), sorted(&MEMBER));
}

#[tokio::test]
async fn create_needs_oz_handle_services_create_for_everyone() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    for path in ["/handle_services", "/user/handle_services"] {
        s.post(path, &Auth::Nobody, body("Svc"))
            .await
            .expect_error(401, "unauthorized");
        expect_bad_credentials(&s.post(path, &bad_token(), body("Svc")).await);
        s.post(path, &a, body("Svc"))
            .await
            .expect_error(403, "forbidden");
    }
    s.grant_oz(&alice, &["oz_handle_services_create"]).await;
    // The admin route never makes the caller a member, even a regular user with the privilege.
    let r = s.post("/handle_services", &a, body("Plain")).await;
    r.expect(201);
    let plain = r.location_id();
    s.get(&format!("/handle_services/{plain}"), &a)
        .await
        .expect_error(403, "forbidden");

    let r = s.post("/user/handle_services", &a, body("Mine")).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/api/v3/onezone/user/handle_services/{id}")));
    assert_eq!(
        privileges(
            &s,
            &format!("/handle_services/{id}/users/{alice}/privileges")
        )
        .await,
        sorted(&ALL)
    );
    let data = s.get(&format!("/handle_services/{id}"), &a).await;
    data.expect(200);
    assert_eq!(data.body["creator"], json!({"type": "user", "id": alice}));
    // The admin's own route (all oz privileges through `admins`) also works.
    s.post("/user/handle_services", &Auth::admin(), body("Admins"))
        .await
        .expect(201);
}

#[tokio::test]
async fn create_on_behalf_of_a_group() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let g = s.group(&a, "Publishers").await;
    let path = format!("/groups/{g}/handle_services");
    // Missing group: 404 first, even for nobody.
    s.post("/groups/nope/handle_services", &Auth::Nobody, body("Svc"))
        .await
        .expect_error(404, "notFound");
    s.post(&path, &Auth::Nobody, body("Svc"))
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.post(&path, &bad_token(), body("Svc")).await);
    // Group admin, but no oz_handle_services_create.
    s.post(&path, &a, body("Svc"))
        .await
        .expect_error(403, "forbidden");
    s.grant_oz(&alice, &["oz_handle_services_create"]).await;
    // oz_handle_services_create, but no group_create_handle_service in the group.
    s.patch(
        &format!("/groups/{g}/users/{alice}/privileges"),
        &a,
        json!({"revoke": ["group_create_handle_service"]}),
    )
    .await
    .expect(204);
    s.post(&path, &a, body("Svc"))
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &format!("/groups/{g}/users/{alice}/privileges"),
        &Auth::admin(),
        json!({"grant": ["group_create_handle_service"]}),
    )
    .await
    .expect(204);
    let r = s.post(&path, &a, body("Svc")).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/api/v3/onezone/groups/{g}/handle_services/{id}")));
    assert_eq!(
        privileges(&s, &format!("/handle_services/{id}/groups/{g}/privileges")).await,
        sorted(&ALL)
    );
    // The user is no direct member, but an effective one with the group's privileges.
    let direct = s
        .get(&format!("/handle_services/{id}/users"), &Auth::admin())
        .await;
    assert!(direct.set("users").is_empty(), "{}", direct.text);
    let eff = s
        .get(&format!("/handle_services/{id}/effective_users"), &a)
        .await;
    eff.expect(200);
    assert_eq!(eff.set("users"), vec![alice.clone()]);
    // Admin path: oz_handle_services_create + oz_groups_add_relationships.
    s.post(&path, &Auth::admin(), body("ByAdmin"))
        .await
        .expect(201);
}

#[tokio::test]
async fn create_validates_the_body_after_authorization() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let admin = Auth::admin();
    // Malformed JSON wins over everything.
    s.raw(
        Method::POST,
        "/handle_services",
        &Auth::Nobody,
        "application/json",
        b"{\"name\":".to_vec(),
    )
    .await
    .expect_error(400, "malformedData");
    // Body errors are only for authorized callers.
    s.post("/handle_services", &Auth::Nobody, json!({}))
        .await
        .expect_error(401, "unauthorized");
    s.post("/handle_services", &a, json!({}))
        .await
        .expect_error(403, "forbidden");
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (json!([]), "malformedData", None),
        (
            json!({"proxyEndpoint": "x", "serviceProperties": {"a": 1}}),
            "missingRequiredValue",
            Some("name"),
        ),
        (
            json!({"name": "x", "proxyEndpoint": "x", "serviceProperties": {"a": 1}}),
            "badValueName",
            None,
        ),
        (
            // The type check before the name rule: seed 002's own example error.
            json!({"name": 5, "proxyEndpoint": "x", "serviceProperties": {"a": 1}}),
            "badValueString",
            Some("name"),
        ),
        (
            json!({"name": "Svc", "serviceProperties": {"a": 1}}),
            "missingRequiredValue",
            Some("proxyEndpoint"),
        ),
        (
            json!({"name": "Svc", "proxyEndpoint": "", "serviceProperties": {"a": 1}}),
            "badValueEmpty",
            Some("proxyEndpoint"),
        ),
        (
            json!({"name": "Svc", "proxyEndpoint": 7, "serviceProperties": {"a": 1}}),
            "badValueString",
            Some("proxyEndpoint"),
        ),
        (
            json!({"name": "Svc", "proxyEndpoint": "x"}),
            "missingRequiredValue",
            Some("serviceProperties"),
        ),
        (
            json!({"name": "Svc", "proxyEndpoint": "x", "serviceProperties": {}}),
            "badValueEmpty",
            Some("serviceProperties"),
        ),
        (
            json!({"name": "Svc", "proxyEndpoint": "x", "serviceProperties": "text"}),
            "badValueJSON",
            Some("serviceProperties"),
        ),
    ];
    for (b, id, key) in cases {
        let r = s.post("/handle_services", &admin, b.clone()).await;
        r.expect_error(400, id);
        if let Some(key) = key {
            assert_eq!(r.body["error"]["details"]["key"], key, "{b}: {}", r.text);
        }
    }
    let list = s.get("/handle_services", &admin).await;
    assert!(list.set("handle_services").is_empty(), "{}", list.text);
}

#[tokio::test]
async fn list_needs_oz_handle_services_list() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let one = user_service(&s, &alice, &a, "One").await;
    let two = s
        .post("/handle_services", &Auth::admin(), body("Two"))
        .await
        .location_id();
    s.get("/handle_services", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.get("/handle_services", &bad_token()).await);
    // Being a member of a service does not allow listing them all.
    s.get("/handle_services", &a)
        .await
        .expect_error(403, "forbidden");
    let r = s.get("/handle_services", &Auth::admin()).await;
    r.expect(200);
    assert_eq!(r.set("handle_services"), sorted(&[&one, &two]));
    s.grant_oz(&alice, &["oz_handle_services_list"]).await;
    let r = s.get("/handle_services", &a).await;
    r.expect(200);
    assert_eq!(r.set("handle_services"), sorted(&[&one, &two]));
}

#[tokio::test]
async fn protected_data_for_any_effective_member_public_for_anyone() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let (_, c) = s.user("carol").await;
    let (dave, d) = s.user("dave").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let path = format!("/handle_services/{id}");
    s.get("/handle_services/nope", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.get(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.get(&path, &bad_token()).await);
    s.get(&path, &b).await.expect_error(403, "forbidden");
    // A member with no privileges at all may read.
    s.put(
        &format!("{path}/users/{bob}"),
        &a,
        json!({"privileges": []}),
    )
    .await
    .expect(201);
    s.get(&path, &b).await.expect(200);
    // So may an effective member through a group.
    let g = s.group(&Auth::admin(), "Team").await;
    s.put(
        &format!("/groups/{g}/users/{dave}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.put(&format!("{path}/groups/{g}"), &a, json!({"privileges": []}))
        .await
        .expect(201);
    s.get(&path, &d).await.expect(200);
    s.get(&path, &c).await.expect_error(403, "forbidden");
    s.get(&path, &Auth::admin()).await.expect(200);

    let public = s.get(&format!("{path}/public"), &Auth::Nobody).await;
    public.expect(200);
    assert_eq!(public.body, json!({"handleServiceId": id, "name": "Svc"}));
    s.get("/handle_services/nope/public", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
}

#[tokio::test]
async fn update_needs_handle_service_update() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let path = format!("/handle_services/{id}");
    s.put(&format!("{path}/users/{bob}"), &a, json!({}))
        .await
        .expect(201);
    s.patch(
        "/handle_services/nope",
        &Auth::Nobody,
        json!({"name": "New"}),
    )
    .await
    .expect_error(404, "notFound");
    s.patch(&path, &Auth::Nobody, json!({"name": "New"}))
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.patch(&path, &bad_token(), json!({"name": "New"})).await);
    // Default member privileges do not include handle_service_update; body errors come after.
    s.patch(&path, &b, json!({}))
        .await
        .expect_error(403, "forbidden");
    let r = s.patch(&path, &a, json!({})).await;
    r.expect_error(400, "missingAtLeastOneValue");
    assert_eq!(
        r.body["error"]["details"]["keys"],
        json!(["name", "proxyEndpoint", "serviceProperties"])
    );
    s.patch(&path, &a, json!({"name": "-bad"}))
        .await
        .expect_error(400, "badValueName");
    s.patch(&path, &a, json!({"serviceProperties": {}}))
        .await
        .expect_error(400, "badValueEmpty");
    s.patch(&path, &a, json!({"name": "Renamed"}))
        .await
        .expect(204);
    let data = s.get(&path, &b).await;
    assert_eq!(data.body["name"], "Renamed");
    assert_eq!(data.body["proxyEndpoint"], "https://proxy.example.org/api");
    // Granting the privilege to bob lets him update.
    s.patch(
        &format!("{path}/users/{bob}/privileges"),
        &a,
        json!({"grant": ["handle_service_update"]}),
    )
    .await
    .expect(204);
    s.patch(
        &path,
        &b,
        json!({"proxyEndpoint": "https://other.example.org", "serviceProperties": {"prefix": "20.500.1"}}),
    )
    .await
    .expect(204);
    let data = s.get(&path, &a).await;
    assert_eq!(data.body["name"], "Renamed");
    assert_eq!(data.body["proxyEndpoint"], "https://other.example.org");
    assert_eq!(
        data.body["serviceProperties"],
        json!({"prefix": "20.500.1"})
    );
    s.patch(&path, &Auth::admin(), json!({"name": "ByAdmin"}))
        .await
        .expect(204);
    assert_eq!(s.get(&path, &a).await.body["name"], "ByAdmin");
}

#[tokio::test]
async fn delete_needs_handle_service_delete() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let path = format!("/handle_services/{id}");
    s.put(
        &format!("{path}/users/{bob}"),
        &a,
        json!({"privileges": ["handle_service_update"]}),
    )
    .await
    .expect(201);
    s.delete("/handle_services/nope", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.delete(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.delete(&path, &bad_token()).await);
    s.delete(&path, &b).await.expect_error(403, "forbidden");
    s.delete(&path, &a).await.expect(204);
    s.get(&path, &Auth::admin())
        .await
        .expect_error(404, "notFound");
    // Admin path.
    let other = s
        .post("/handle_services", &Auth::admin(), body("Other"))
        .await
        .location_id();
    s.delete(&format!("/handle_services/{other}"), &Auth::admin())
        .await
        .expect(204);
    let list = s.get("/handle_services", &Auth::admin()).await;
    assert!(list.set("handle_services").is_empty(), "{}", list.text);
}

#[tokio::test]
async fn list_handles_needs_handle_service_list_handles() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let (carol, c) = s.user("carol").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let path = format!("/handle_services/{id}/handles");
    s.put(&format!("/handle_services/{id}/users/{bob}"), &a, json!({}))
        .await
        .expect(201);
    s.put(
        &format!("/handle_services/{id}/users/{carol}"),
        &a,
        json!({"privileges": ["handle_service_view"]}),
    )
    .await
    .expect(201);
    s.get("/handle_services/nope/handles", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.get(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.get(&path, &bad_token()).await);
    s.get(&path, &c).await.expect_error(403, "forbidden");
    // handle_service_list_handles is in the default member set.
    let r = s.get(&path, &b).await;
    r.expect(200);
    assert!(r.set("handles").is_empty(), "{}", r.text);
    s.get(&path, &Auth::admin()).await.expect(200);
    s.get(&format!("/handle_services/{id}/handles/nope"), &a)
        .await
        .expect_error(404, "notFound");
}

#[tokio::test]
async fn members_default_and_explicit_privileges_with_legacy_names() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let (carol, c) = s.user("carol").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let base = format!("/handle_services/{id}");
    // PUT without privileges: the member preset.
    let r = s.put(&format!("{base}/users/{bob}"), &a, json!({})).await;
    r.expect(201);
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/handle_services/{id}/users/{bob}")));
    assert_eq!(
        privileges(&s, &format!("{base}/users/{bob}/privileges")).await,
        sorted(&MEMBER)
    );
    s.put(&format!("{base}/users/{bob}"), &a, json!({}))
        .await
        .expect_error(409, "relationAlreadyExists");
    s.put(&format!("{base}/users/nope"), &a, json!({}))
        .await
        .expect_error(400, "badValueIdNotFound");
    // Legacy names in a PUT are stored under current names.
    s.put(
        &format!("{base}/users/{carol}"),
        &a,
        json!({"privileges": ["view_handle_service", "modify_handle_service", "register_handle"]}),
    )
    .await
    .expect(201);
    let r = s.get(&format!("{base}/users/{carol}/privileges"), &c).await;
    r.expect(200);
    assert_eq!(
        r.set("privileges"),
        sorted(&[
            "handle_service_view",
            "handle_service_update",
            "handle_service_register_handle"
        ])
    );
    // carol now manages members through the legacy-named privilege.
    s.patch(
        &format!("{base}/users/{bob}/privileges"),
        &c,
        json!({"grant": ["delete_handle_service"], "revoke": ["register_handle"]}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &format!("{base}/users/{bob}/privileges")).await,
        sorted(&[
            "handle_service_view",
            "handle_service_list_handles",
            "handle_service_delete"
        ])
    );
    // Legacy generation: operation set / grant / revoke, and the 17.06 PUT alias.
    for (method, b_, expected) in [
        (
            Method::PATCH,
            json!({"privileges": ["view_handle_service"], "operation": "set"}),
            vec!["handle_service_view"],
        ),
        (
            Method::PATCH,
            json!({"privileges": ["handle_service_list_handles"], "operation": ["grant"]}),
            vec!["handle_service_view", "handle_service_list_handles"],
        ),
        (
            Method::PATCH,
            json!({"privileges": ["view_handle_service"], "operation": "revoke"}),
            vec!["handle_service_list_handles"],
        ),
        (
            Method::PUT,
            json!({"privileges": ["modify_handle_service", "delete_handle_service"]}),
            vec!["handle_service_update", "handle_service_delete"],
        ),
    ] {
        s.request(
            method,
            &format!("{base}/users/{bob}/privileges"),
            &a,
            Some(b_.clone()),
        )
        .await
        .expect(204);
        assert_eq!(
            privileges(&s, &format!("{base}/users/{bob}/privileges")).await,
            sorted(&expected),
            "{b_}"
        );
    }
    let r = s
        .patch(
            &format!("{base}/users/{bob}/privileges"),
            &a,
            json!({"grant": ["space_view", "group_view"]}),
        )
        .await;
    r.expect_error(400, "badValueListNotAllowed");
    assert_eq!(
        r.body["error"]["details"]["allowed"],
        json!(sorted(&ALL)),
        "allowed lists the current names"
    );
    let r = s
        .patch(
            &format!("{base}/users/{bob}/privileges"),
            &a,
            json!({"privileges": [], "operation": "update"}),
        )
        .await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["key"], "operation");
    // Responses always use current names.
    let r = s.get(&format!("{base}/users/{bob}/privileges"), &b).await;
    r.expect(200);
    assert!(r
        .set("privileges")
        .iter()
        .all(|p| ALL.contains(&p.as_str())));
}

#[tokio::test]
async fn member_routes_across_the_caller_matrix() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let (carol, _) = s.user("carol").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let base = format!("/handle_services/{id}");
    // bob: a member without handle_service_view / handle_service_update.
    s.put(
        &format!("{base}/users/{bob}"),
        &a,
        json!({"privileges": ["handle_service_register_handle"]}),
    )
    .await
    .expect(201);
    let reads = [
        format!("{base}/users"),
        format!("{base}/effective_users"),
        format!("{base}/groups"),
        format!("{base}/effective_groups"),
        format!("{base}/users/{alice}/privileges"),
        format!("{base}/effective_users/{alice}/privileges"),
    ];
    for path in &reads {
        s.get(path, &Auth::Nobody)
            .await
            .expect_error(401, "unauthorized");
        expect_bad_credentials(&s.get(path, &bad_token()).await);
        s.get(path, &b).await.expect_error(403, "forbidden");
        s.get(path, &a).await.expect(200);
        s.get(path, &Auth::admin()).await.expect(200);
    }
    // Self may always read its own privileges; the creator's record is visible to members.
    s.get(&format!("{base}/users/{bob}/privileges"), &b)
        .await
        .expect(200);
    s.get(&format!("{base}/effective_users/{bob}/privileges"), &b)
        .await
        .expect(200);
    let creator = s.get(&format!("{base}/users/{alice}"), &b).await;
    creator.expect(200);
    assert_eq!(creator.body["userId"], json!(alice));
    // Non-members are 404 on member paths, before authentication.
    s.get(&format!("{base}/users/{carol}/privileges"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    // Writes: bob lacks handle_service_update.
    let add = format!("{base}/users/{carol}");
    s.put(&add, &Auth::Nobody, json!({}))
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.put(&add, &bad_token(), json!({})).await);
    s.put(&add, &b, json!({}))
        .await
        .expect_error(403, "forbidden");
    s.put(&add, &Auth::admin(), json!({})).await.expect(201);
    let set = format!("{base}/users/{carol}/privileges");
    s.patch(&set, &Auth::Nobody, json!({"grant": []}))
        .await
        .expect_error(401, "unauthorized");
    s.patch(&set, &b, json!({"grant": []}))
        .await
        .expect_error(403, "forbidden");
    s.patch(&set, &a, json!({"grant": ["handle_service_update"]}))
        .await
        .expect(204);
    s.patch(
        &set,
        &Auth::admin(),
        json!({"revoke": ["handle_service_update"]}),
    )
    .await
    .expect(204);
    assert_eq!(privileges(&s, &set).await, sorted(&MEMBER));
    s.delete(&add, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    s.delete(&add, &b).await.expect_error(403, "forbidden");
    s.delete(&add, &a).await.expect(204);
    s.delete(&add, &a).await.expect_error(404, "notFound");
}

#[tokio::test]
async fn effective_privileges_are_the_union_over_direct_groups() {
    // hservice_users_api_test_SUITE:get_eff_user_privileges_test — U3 in G3 ⊂ G1 and in G2;
    // G1, G2 direct members of the service ⇒ eff(U3) = P_G1 ∪ P_G2.
    let s = TestServer::start().await;
    let admin = Auth::admin();
    let (alice, a) = s.user("alice").await;
    let (u3, u3a) = s.user("u3").await;
    let id = user_service(&s, &alice, &a, "Svc").await;
    let base = format!("/handle_services/{id}");
    let g1 = s.group(&a, "G1").await;
    let g2 = s.group(&a, "G2").await;
    let g3 = s.group(&a, "G3").await;
    s.put(&format!("/groups/{g1}/children/{g3}"), &a, json!({}))
        .await
        .expect(201);
    for g in [&g2, &g3] {
        s.put(
            &format!("/groups/{g}/users/{u3}"),
            &admin,
            json!({"privileges": ["group_view", "group_update"]}),
        )
        .await
        .expect(201);
    }
    s.put(
        &format!("{base}/groups/{g1}"),
        &a,
        json!({"privileges": ["view_handle_service"]}),
    )
    .await
    .expect(201);
    s.put(
        &format!("{base}/groups/{g2}"),
        &a,
        json!({"privileges": ["handle_service_register_handle", "handle_service_list_handles"]}),
    )
    .await
    .expect(201);
    let eff_users = s.get(&format!("{base}/effective_users"), &a).await;
    eff_users.expect(200);
    assert_eq!(eff_users.set("users"), sorted(&[&alice, &u3]));
    let direct_users = s.get(&format!("{base}/users"), &a).await;
    assert_eq!(direct_users.set("users"), vec![alice.clone()]);
    let eff_groups = s.get(&format!("{base}/effective_groups"), &a).await;
    assert_eq!(eff_groups.set("groups"), sorted(&[&g1, &g2, &g3]));
    let direct_groups = s.get(&format!("{base}/groups"), &a).await;
    assert_eq!(direct_groups.set("groups"), sorted(&[&g1, &g2]));
    let expected = sorted(&[
        "handle_service_view",
        "handle_service_register_handle",
        "handle_service_list_handles",
    ]);
    // Self may read its effective privileges; so may a holder of handle_service_view.
    let own = s
        .get(&format!("{base}/effective_users/{u3}/privileges"), &u3a)
        .await;
    own.expect(200);
    assert_eq!(own.set("privileges"), expected);
    assert_eq!(
        privileges(&s, &format!("{base}/effective_users/{u3}/privileges")).await,
        expected
    );
    // u3 is no direct member.
    s.get(&format!("{base}/users/{u3}/privileges"), &admin)
        .await
        .expect_error(404, "notFound");
    // G3 inherits exactly G1's privileges in the service.
    assert_eq!(
        privileges(&s, &format!("{base}/effective_groups/{g3}/privileges")).await,
        sorted(&["handle_service_view"])
    );
    // The effective member reads protected data and, through G1's view, the member lists.
    s.get(&base, &u3a).await.expect(200);
    s.get(&format!("{base}/users"), &u3a).await.expect(200);
    let m = s
        .get(&format!("{base}/effective_users/{u3}/membership"), &u3a)
        .await;
    m.expect(200);
    let mut hops: Vec<String> = m.body["intermediaries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    hops.sort();
    assert_eq!(hops, sorted(&[&g1, &g2]), "{}", m.text);
    // Revoking G1's privilege drops it from u3's effective set.
    s.patch(
        &format!("{base}/groups/{g1}/privileges"),
        &a,
        json!({"revoke": ["handle_service_view"]}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &format!("{base}/effective_users/{u3}/privileges")).await,
        sorted(&[
            "handle_service_register_handle",
            "handle_service_list_handles"
        ])
    );
    s.get(&format!("{base}/users"), &u3a)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn admin_path_of_adding_a_member_with_privileges_is_the_two_add_privileges() {
    let s = TestServer::start().await;
    let (owner, owner_auth) = s.user("owner").await;
    let hs = user_service(&s, &owner, &owner_auth, "Admin path").await;
    let (operator, operator_auth) = s.user("operator").await;
    let (member, _) = s.user("member").await;
    let g = s.group(&owner_auth, "Curators").await;
    // Reference §3.2: [oz_handle_services_add_relationships, oz_users_add_relationships] for
    // users, [.., oz_groups_add_relationships] for groups; §8: all listed, and no others.
    s.grant_oz(
        &operator,
        &[
            "oz_handle_services_add_relationships",
            "oz_users_add_relationships",
            "oz_groups_add_relationships",
        ],
    )
    .await;
    s.put(
        &format!("/handle_services/{hs}/users/{member}"),
        &operator_auth,
        json!({"privileges": ["handle_service_view", "handle_service_update"]}),
    )
    .await
    .expect(201);
    assert_eq!(
        privileges(
            &s,
            &format!("/handle_services/{hs}/users/{member}/privileges")
        )
        .await,
        sorted(&["handle_service_update", "handle_service_view"])
    );
    s.put(
        &format!("/handle_services/{hs}/groups/{g}"),
        &operator_auth,
        json!({"privileges": []}),
    )
    .await
    .expect(201);
    assert!(
        privileges(&s, &format!("/handle_services/{hs}/groups/{g}/privileges"))
            .await
            .is_empty()
    );
}
