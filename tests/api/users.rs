//! §3.5 and §8: user creation and administration, the current user, its membership lists and
//! leaving, passwords, blocking and deletion.

use serde_json::json;

use crate::harness::{Auth, TestServer};

fn bad_token() -> Auth {
    Auth::Token("pz1-not-a-token".into())
}

#[tokio::test]
async fn create_user_needs_oz_users_create() {
    let s = TestServer::start().await;
    let body = json!({"username": "newbie", "fullName": "New Bie"});
    s.post("/users", &Auth::Nobody, body.clone())
        .await
        .expect_error(401, "unauthorized");
    let r = s.post("/users", &bad_token(), body.clone()).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(r.body["error"]["details"]["authError"]["id"], "badToken");
    let (alice, a) = s.user("alice").await;
    s.post("/users", &a, body.clone())
        .await
        .expect_error(403, "forbidden");
    s.grant_oz(&alice, &["oz_users_create"]).await;
    let r = s.post("/users", &a, body).await;
    r.expect(201);
    let location = r.header("location").unwrap_or_default();
    let id = r.location_id();
    assert_eq!(location, format!("{}/users/{id}", s.base));
    let got = s.get(&format!("/users/{id}"), &Auth::admin()).await;
    got.expect(200);
    assert_eq!(got.body["userId"], id.as_str());
    assert_eq!(got.body["username"], "newbie");
    assert_eq!(got.body["fullName"], "New Bie");
    assert_eq!(got.body["basicAuthEnabled"], false);
    assert_eq!(got.body["blocked"], false);
    // Admin works too; without fullName the default applies.
    let r = s
        .post("/users", &Auth::admin(), json!({"username": "second"}))
        .await;
    r.expect(201);
    let got = s
        .get(&format!("/users/{}", r.location_id()), &Auth::admin())
        .await;
    assert_eq!(got.body["fullName"], "Unnamed User");
}

#[tokio::test]
async fn create_user_validation() {
    let s = TestServer::start().await;
    let admin = Auth::admin();
    // Malformed JSON wins over authentication-dependent checks.
    let r = s
        .raw(
            reqwest::Method::POST,
            "/users",
            &Auth::Nobody,
            "application/json",
            b"{".to_vec(),
        )
        .await;
    r.expect_error(400, "malformedData");
    for bad in ["_x", "a", "x_", "has space", "ąę"] {
        s.post("/users", &admin, json!({ "username": bad }))
            .await
            .expect_error(400, "badValueUsername");
    }
    s.post("/users", &admin, json!({"username": 5}))
        .await
        .expect_error(400, "badValueString");
    s.post("/users", &admin, json!({"fullName": "_bad"}))
        .await
        .expect_error(400, "badValueFullName");
    let r = s
        .post("/users", &admin, json!({"password": "longenough"}))
        .await;
    r.expect_error(400, "missingRequiredValue");
    assert_eq!(r.body["error"]["details"]["key"], "username");
    s.post(
        "/users",
        &admin,
        json!({"username": "shorty", "password": "short"}),
    )
    .await
    .expect_error(400, "badValuePassword");
    s.post("/users", &admin, json!({"username": "taken"}))
        .await
        .expect(201);
    let r = s.post("/users", &admin, json!({"username": "taken"})).await;
    r.expect_error(400, "badValueIdentifierOccupied");
    assert_eq!(r.body["error"]["details"]["key"], "username");
    s.post("/users", &admin, json!([]))
        .await
        .expect_error(400, "malformedData");
    // A user without privileges gets 403 before any body check.
    let (_, a) = s.user("alice").await;
    s.post("/users", &a, json!({"username": "_bad"}))
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn current_user_record_and_listing() {
    let s = TestServer::start().await;
    s.get("/user", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    let (alice, a) = s.user("alice").await;
    let me = s.get("/user", &a).await;
    me.expect(200);
    assert_eq!(me.body["userId"], alice.as_str());
    assert_eq!(me.body["username"], "alice");
    assert_eq!(me.body["fullName"], "alice");
    assert_eq!(me.body["login"], "alice");
    assert!(me.body["creationTime"].is_i64());
    assert!(me.body["emails"].is_array());

    // GET /users/{id}: self or oz_users_view; a missing id is 404 even for nobody.
    let (bob, b) = s.user("bob").await;
    s.get(&format!("/users/{alice}"), &a).await.expect(200);
    s.get(&format!("/users/{alice}"), &b)
        .await
        .expect_error(403, "forbidden");
    s.get(&format!("/users/{alice}"), &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    s.get("/users/nosuchuser", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.grant_oz(&bob, &["oz_users_view"]).await;
    s.get(&format!("/users/{alice}"), &b).await.expect(200);

    // GET /users: oz_users_list.
    s.get("/users", &a).await.expect_error(403, "forbidden");
    s.get("/users", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    let all = s.get("/users", &Auth::admin()).await;
    all.expect(200);
    let ids = all.set("users");
    assert!(ids.contains(&alice) && ids.contains(&bob), "{}", all.text);
    assert_eq!(ids.len(), 3, "admin, alice, bob: {}", all.text);
}

#[tokio::test]
async fn update_current_user_and_admin_update() {
    let s = TestServer::start().await;
    let (alice, _) = s.user_with_password("alice", "alice-password").await;
    let a = Auth::Basic("alice".into(), "alice-password".into());
    s.patch("/user", &a, json!({}))
        .await
        .expect_error(400, "missingAtLeastOneValue");
    s.patch("/user", &a, json!({"username": "-x"}))
        .await
        .expect_error(400, "badValueUsername");
    s.patch("/user", &a, json!({"username": "admin"}))
        .await
        .expect_error(400, "badValueIdentifierOccupied");
    // Setting one's own username again is fine.
    s.patch(
        "/user",
        &a,
        json!({"username": "alice", "fullName": "Alice A."}),
    )
    .await
    .expect(204);
    assert_eq!(s.get("/user", &a).await.body["fullName"], "Alice A.");
    s.patch("/user", &a, json!({"username": "alice2"}))
        .await
        .expect(204);
    // Basic auth follows the new username at once.
    let r = s.get("/user", &a).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "badBasicCredentials"
    );
    let a2 = Auth::Basic("alice2".into(), "alice-password".into());
    assert_eq!(s.get("/user", &a2).await.body["username"], "alice2");

    // PATCH /users/{id}: self or oz_users_update.
    let (bob, b) = s.user("bob").await;
    s.patch(
        &format!("/users/{alice}"),
        &b,
        json!({"fullName": "Hacked"}),
    )
    .await
    .expect_error(403, "forbidden");
    s.patch("/users/nosuch", &Auth::Nobody, json!({"fullName": "Xx"}))
        .await
        .expect_error(404, "notFound");
    s.grant_oz(&bob, &["oz_users_update"]).await;
    s.patch(
        &format!("/users/{alice}"),
        &b,
        json!({"fullName": "Set By Bob"}),
    )
    .await
    .expect(204);
    assert_eq!(s.get("/user", &a2).await.body["fullName"], "Set By Bob");
}

#[tokio::test]
async fn password_change_takes_effect_at_once() {
    let s = TestServer::start().await;
    s.user_with_password("carol", "first-password").await;
    let old = Auth::Basic("carol".into(), "first-password".into());
    let new = Auth::Basic("carol".into(), "second-password".into());
    // Log in once so the login is cached.
    s.get("/user", &old).await.expect(200);
    let r = s
        .patch(
            "/user/password",
            &old,
            json!({"oldPassword": "wrong-password", "newPassword": "second-password"}),
        )
        .await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "badBasicCredentials"
    );
    s.patch(
        "/user/password",
        &old,
        json!({"oldPassword": "first-password", "newPassword": "short"}),
    )
    .await
    .expect_error(400, "badValuePassword");
    s.patch(
        "/user/password",
        &old,
        json!({"newPassword": "second-password"}),
    )
    .await
    .expect_error(400, "missingRequiredValue");
    s.patch(
        "/user/password",
        &old,
        json!({"oldPassword": "first-password", "newPassword": "second-password"}),
    )
    .await
    .expect(204);
    let r = s.get("/user", &old).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "badBasicCredentials"
    );
    s.get("/user", &new).await.expect(200);

    // A user without a password cannot change it.
    let (_, t) = s.user("tokenonly").await;
    let r = s
        .patch(
            "/user/password",
            &t,
            json!({"oldPassword": "whatever1", "newPassword": "whatever2"}),
        )
        .await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "basicAuthDisabled"
    );
}

#[tokio::test]
async fn admin_manages_basic_auth() {
    let s = TestServer::start().await;
    let (dave, _) = s.user_with_password("dave", "dave-password").await;
    let d = Auth::Basic("dave".into(), "dave-password".into());
    let path = format!("/users/{dave}/basic_auth");
    // Not even the user itself, only oz_users_manage_passwords.
    s.patch(&path, &d, json!({"newPassword": "other-password"}))
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &path,
        &Auth::Nobody,
        json!({"newPassword": "other-password"}),
    )
    .await
    .expect_error(401, "unauthorized");
    s.patch("/users/nosuch/basic_auth", &Auth::admin(), json!({}))
        .await
        .expect_error(404, "notFound");
    s.patch(&path, &Auth::admin(), json!({}))
        .await
        .expect_error(400, "missingAtLeastOneValue");
    s.patch(&path, &Auth::admin(), json!({"basicAuthEnabled": "yes"}))
        .await
        .expect_error(400, "badValueBoolean");
    s.get("/user", &d).await.expect(200);
    s.patch(
        &path,
        &Auth::admin(),
        json!({"newPassword": "reset-password"}),
    )
    .await
    .expect(204);
    s.get("/user", &d).await.expect_error(401, "unauthorized");
    let reset = Auth::Basic("dave".into(), "reset-password".into());
    s.get("/user", &reset).await.expect(200);
    s.patch(&path, &Auth::admin(), json!({"basicAuthEnabled": false}))
        .await
        .expect(204);
    let r = s.get("/user", &reset).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "basicAuthDisabled"
    );
    s.patch(
        &path,
        &Auth::admin(),
        json!({"newPassword": "again-password"}),
    )
    .await
    .expect_error(400, "basicAuthDisabled");
    s.patch(
        &path,
        &Auth::admin(),
        json!({"basicAuthEnabled": true, "newPassword": "again-password"}),
    )
    .await
    .expect(204);
    let again = Auth::Basic("dave".into(), "again-password".into());
    assert_eq!(s.get("/user", &again).await.body["basicAuthEnabled"], true);
}

#[tokio::test]
async fn blocked_users_cannot_authenticate() {
    let s = TestServer::start().await;
    let (erin, _) = s.user_with_password("erin", "erin-password").await;
    let basic = Auth::Basic("erin".into(), "erin-password".into());
    let t = s
        .post(
            &format!("/users/{erin}/tokens/named"),
            &Auth::admin(),
            json!({"name": "tok"}),
        )
        .await;
    t.expect(201);
    let token = Auth::Token(t.body["token"].as_str().unwrap_or_default().to_owned());
    s.get("/user", &basic).await.expect(200);
    // Nobody blocks themselves; an admin with oz_users_update does.
    s.patch(&format!("/users/{erin}"), &token, json!({"blocked": true}))
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &format!("/users/{erin}"),
        &Auth::admin(),
        json!({"blocked": 1}),
    )
    .await
    .expect_error(400, "badValueBoolean");
    s.patch(
        &format!("/users/{erin}"),
        &Auth::admin(),
        json!({"blocked": true}),
    )
    .await
    .expect(204);
    for auth in [&basic, &token] {
        let r = s.get("/user", auth).await;
        r.expect_error(401, "unauthorized");
        assert_eq!(r.body["error"]["details"]["authError"]["id"], "userBlocked");
    }
    assert_eq!(
        s.get(&format!("/users/{erin}"), &Auth::admin()).await.body["blocked"],
        true
    );
    s.patch(
        &format!("/users/{erin}"),
        &Auth::admin(),
        json!({"blocked": false}),
    )
    .await
    .expect(204);
    s.get("/user", &basic).await.expect(200);
    s.get("/user", &token).await.expect(200);
}

#[tokio::test]
async fn deleting_a_user_ends_its_credentials() {
    let s = TestServer::start().await;
    let (frank, f) = s.user("frank").await;
    let (gina, _) = s.user_with_password("gina", "gina-password").await;
    let g = Auth::Basic("gina".into(), "gina-password".into());
    s.get("/user", &g).await.expect(200);
    let (_, other) = s.user("other").await;
    s.delete(&format!("/users/{gina}"), &other)
        .await
        .expect_error(403, "forbidden");
    s.delete("/users/nosuch", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.delete(&format!("/users/{gina}"), &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    let group = s.group(&g, "ginas group").await;
    s.delete(&format!("/users/{gina}"), &Auth::admin())
        .await
        .expect(204);
    let r = s.get("/user", &g).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(
        r.body["error"]["details"]["authError"]["id"],
        "badBasicCredentials"
    );
    s.get(&format!("/users/{gina}"), &Auth::admin())
        .await
        .expect_error(404, "notFound");
    let members = s
        .get(&format!("/groups/{group}/users"), &Auth::admin())
        .await;
    assert!(members.set("users").is_empty(), "{}", members.text);

    // Deleting oneself.
    s.delete("/user", &f).await.expect(204);
    let r = s.get("/user", &f).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(r.body["error"]["details"]["authError"]["id"], "badToken");
    s.get(&format!("/users/{frank}"), &Auth::admin())
        .await
        .expect_error(404, "notFound");
    // The username is free again.
    s.post("/users", &Auth::admin(), json!({"username": "gina"}))
        .await
        .expect(201);
}

#[tokio::test]
async fn own_groups_effective_groups_and_leaving() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let own = s.group(&a, "alices").await;
    let parent = s.group(&Auth::admin(), "parent").await;
    s.put(
        &format!("/groups/{parent}/children/{own}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.get("/user/groups", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    assert_eq!(
        s.get("/user/groups", &a).await.set("groups"),
        vec![own.clone()]
    );
    let mut both = vec![own.clone(), parent.clone()];
    both.sort();
    assert_eq!(
        s.get("/user/effective_groups", &a).await.set("groups"),
        both
    );

    let r = s.get(&format!("/user/groups/{own}"), &a).await;
    r.expect(200);
    assert_eq!(r.body["groupId"], own.as_str());
    assert_eq!(r.body["name"], "alices");
    s.get(&format!("/user/effective_groups/{parent}"), &a)
        .await
        .expect(200);
    let admins_only = s.group(&Auth::admin(), "unrelated").await;
    s.get(&format!("/user/groups/{admins_only}"), &a)
        .await
        .expect_error(404, "notFound");

    // Another user's lists: self or oz_users_list_relationships.
    let (bob, b) = s.user("bob").await;
    s.get(&format!("/users/{alice}/effective_groups"), &b)
        .await
        .expect_error(403, "forbidden");
    s.grant_oz(&bob, &["oz_users_list_relationships"]).await;
    assert_eq!(
        s.get(&format!("/users/{alice}/effective_groups"), &b)
            .await
            .set("groups"),
        both
    );
    assert_eq!(
        s.get(&format!("/users/{alice}/groups"), &a)
            .await
            .set("groups"),
        vec![own.clone()]
    );

    // Leaving: only direct memberships exist to leave.
    s.delete(&format!("/user/groups/{parent}"), &a)
        .await
        .expect_error(404, "notFound");
    s.delete(&format!("/user/groups/{own}"), &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    s.delete(&format!("/user/groups/{own}"), &a)
        .await
        .expect(204);
    assert!(s
        .get("/user/effective_groups", &a)
        .await
        .set("groups")
        .is_empty());
    s.get(&format!("/user/groups/{own}"), &a)
        .await
        .expect_error(404, "notFound");
}

#[tokio::test]
async fn own_spaces_and_last_owner() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let r = s
        .post("/user/spaces", &a, json!({"name": "alice space"}))
        .await;
    r.expect(201);
    let space = r.location_id();
    assert_eq!(
        s.get("/user/spaces", &a).await.set("spaces"),
        vec![space.clone()]
    );
    assert_eq!(
        s.get("/user/effective_spaces", &a).await.set("spaces"),
        vec![space.clone()]
    );
    let got = s.get(&format!("/user/spaces/{space}"), &a).await;
    got.expect(200);
    assert_eq!(got.body["spaceId"], space.as_str());
    // The only owner cannot leave.
    s.delete(&format!("/user/spaces/{space}"), &a)
        .await
        .expect_error(400, "cannotRemoveLastOwner");
    for path in ["/user/handle_services", "/user/effective_handle_services"] {
        let r = s.get(path, &a).await;
        r.expect(200);
        assert!(r.body["handle_services"].is_array(), "{}", r.text);
    }
    for path in ["/user/handles", "/user/effective_handles"] {
        let r = s.get(path, &a).await;
        r.expect(200);
        assert!(r.body["handles"].is_array(), "{}", r.text);
    }
}
