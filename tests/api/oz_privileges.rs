//! §3.1 Onezone admin privileges of users and groups, direct and effective, through HTTP.

use serde_json::json;

use crate::harness::{Auth, TestServer};

#[tokio::test]
async fn admin_holds_every_oz_privilege_through_admins_group() {
    let s = TestServer::start().await;
    let direct = s.get("/user/privileges", &Auth::admin()).await;
    direct.expect(200);
    assert!(
        direct.set("privileges").is_empty(),
        "admin's own list is empty: {}",
        direct.text
    );
    let eff = s.get("/user/effective_privileges", &Auth::admin()).await;
    eff.expect(200);
    assert_eq!(eff.set("privileges").len(), 91);
    let group = s.get("/groups/admins/privileges", &Auth::admin()).await;
    assert_eq!(group.set("privileges").len(), 91);
}

#[tokio::test]
async fn self_read_is_always_allowed_but_set_needs_oz_set_privileges() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    s.get("/user/privileges", &a).await.expect(200);
    s.get(&format!("/users/{alice}/privileges"), &a)
        .await
        .expect(200);
    s.get(&format!("/users/{alice}/effective_privileges"), &a)
        .await
        .expect(200);
    s.patch("/user/privileges", &a, json!({"grant": ["oz_users_list"]}))
        .await
        .expect_error(403, "forbidden");
    s.delete("/user/privileges", &a)
        .await
        .expect_error(403, "forbidden");
    // Another user's privileges need oz_view_privileges.
    let (_, b) = s.user("bob").await;
    s.get(&format!("/users/{alice}/privileges"), &b)
        .await
        .expect_error(403, "forbidden");
    // Groups' oz privileges are for admins only.
    s.get("/groups/admins/privileges", &a)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn holder_of_oz_set_privileges_may_change_and_revoke_its_own() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    s.grant_oz(&alice, &["oz_set_privileges"]).await;
    s.patch(
        "/user/privileges",
        &a,
        json!({"grant": ["oz_spaces_list"], "revoke": ["oz_set_privileges"]}),
    )
    .await
    .expect(204);
    let r = s.get("/user/privileges", &a).await;
    assert_eq!(r.set("privileges"), vec!["oz_spaces_list"]);
    s.patch("/user/privileges", &a, json!({"grant": ["oz_users_list"]}))
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn request_precedence_of_section_2() {
    let s = TestServer::start().await;
    // Missing subject: 404 before 401.
    s.get("/users/nope/privileges", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.patch(
        "/users/nope/privileges",
        &Auth::Nobody,
        json!({"grant": []}),
    )
    .await
    .expect_error(404, "notFound");
    // Malformed JSON before everything.
    let r = s
        .raw(
            reqwest::Method::PATCH,
            "/users/nope/privileges",
            &Auth::Nobody,
            "application/json",
            b"{nope".to_vec(),
        )
        .await;
    r.expect_error(400, "malformedData");
    // No credentials on an existing subject: 401 without details.
    let (alice, _) = s.user("alice").await;
    let r = s
        .get(&format!("/users/{alice}/privileges"), &Auth::Nobody)
        .await;
    r.expect_error(401, "unauthorized");
    assert!(r.body["error"].get("details").is_none());
    // Body errors only for authorized callers.
    let (_, b) = s.user("bob").await;
    s.patch(
        &format!("/users/{alice}/privileges"),
        &b,
        json!({"grant": 5}),
    )
    .await
    .expect_error(403, "forbidden");
    let r = s
        .patch(
            &format!("/users/{alice}/privileges"),
            &Auth::admin(),
            json!({"grant": 5}),
        )
        .await;
    r.expect_error(400, "badValueListOfStrings");
    assert_eq!(r.body["error"]["details"]["key"], "grant");
    let r = s
        .patch(
            &format!("/users/{alice}/privileges"),
            &Auth::admin(),
            json!({}),
        )
        .await;
    r.expect_error(400, "missingAtLeastOneValue");
    assert_eq!(
        r.body["error"]["details"]["keys"],
        json!(["grant", "revoke"])
    );
    let r = s
        .patch(
            &format!("/users/{alice}/privileges"),
            &Auth::admin(),
            json!(["x"]),
        )
        .await;
    r.expect_error(400, "malformedData");
    let r = s
        .patch(
            &format!("/users/{alice}/privileges"),
            &Auth::admin(),
            json!({"grant": ["handle_view"]}),
        )
        .await;
    r.expect_error(400, "badValueListNotAllowed");
    assert_eq!(
        r.body["error"]["details"]["allowed"]
            .as_array()
            .map(Vec::len),
        Some(91)
    );
}

#[tokio::test]
async fn effective_oz_privileges_flow_down_three_nested_groups() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let top = s.group(&Auth::admin(), "top").await;
    let mid = s.group(&Auth::admin(), "mid").await;
    let low = s.group(&Auth::admin(), "low").await;
    s.put(
        &format!("/groups/{top}/children/{mid}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.put(
        &format!("/groups/{mid}/children/{low}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.patch(
        &format!("/groups/{top}/privileges"),
        &Auth::admin(),
        json!({"grant": ["oz_groups_list"]}),
    )
    .await
    .expect(204);
    s.patch(
        &format!("/groups/{mid}/privileges"),
        &Auth::admin(),
        json!({"grant": ["oz_spaces_list"]}),
    )
    .await
    .expect(204);
    s.patch(
        &format!("/groups/{low}/privileges"),
        &Auth::admin(),
        json!({"grant": ["oz_users_list"]}),
    )
    .await
    .expect(204);
    s.grant_oz(&alice, &["oz_shares_list"]).await;
    // Admin adds alice to the lowest group (admin path of PUT group user).
    s.put(
        &format!("/groups/{low}/users/{alice}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    let r = s.get("/user/effective_privileges", &a).await;
    assert_eq!(
        r.set("privileges"),
        vec![
            "oz_groups_list",
            "oz_shares_list",
            "oz_spaces_list",
            "oz_users_list"
        ]
    );
    let r = s
        .get(
            &format!("/groups/{low}/effective_privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(
        r.set("privileges"),
        vec!["oz_groups_list", "oz_spaces_list", "oz_users_list"]
    );
    // Direct lists stay direct.
    assert_eq!(
        s.get("/user/privileges", &a).await.set("privileges"),
        vec!["oz_shares_list"]
    );
    // Revoking a group's privilege takes effect at once.
    s.delete(&format!("/groups/{mid}/privileges"), &Auth::admin())
        .await
        .expect(204);
    let r = s.get("/user/effective_privileges", &a).await;
    assert_eq!(
        r.set("privileges"),
        vec!["oz_groups_list", "oz_shares_list", "oz_users_list"]
    );
    // Effective oz privileges make alice an admin: she may now list groups.
    s.get("/groups", &a).await.expect(200);
}

#[tokio::test]
async fn admin_path_needs_every_listed_oz_privilege() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, _) = s.user("bob").await;
    let hs = s
        .post(
            "/handle_services",
            &Auth::admin(),
            json!({"name": "svc", "proxyEndpoint": "https://proxy", "serviceProperties": {"type": "DOI"}}),
        )
        .await;
    hs.expect(201);
    let hs = hs.location_id();
    s.grant_oz(&alice, &["oz_handle_services_add_relationships"])
        .await;
    s.put(&format!("/handle_services/{hs}/users/{bob}"), &a, json!({}))
        .await
        .expect_error(403, "forbidden");
    s.grant_oz(&alice, &["oz_users_add_relationships"]).await;
    s.put(&format!("/handle_services/{hs}/users/{bob}"), &a, json!({}))
        .await
        .expect(201);
}
