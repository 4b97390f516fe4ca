//! §7 tokens: named access tokens (create, list, get, revoke, rename, delete; admin variants)
//! and invite tokens with the join routes for groups and spaces.

use serde_json::json;

use crate::harness::{Auth, Response, TestServer};

fn auth_error(r: &Response) -> String {
    r.body["error"]["details"]["authError"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn named_tokens_of_the_current_user() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    s.post("/user/tokens/named", &Auth::Nobody, json!({"name": "x1"}))
        .await
        .expect_error(401, "unauthorized");
    let r = s
        .post("/user/tokens/named", &a, json!({"name": "laptop"}))
        .await;
    r.expect(201);
    let id = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    let secret = r.body["token"].as_str().unwrap_or_default().to_owned();
    assert!(!id.is_empty() && !secret.is_empty(), "{}", r.text);
    assert_eq!(
        r.header("location").unwrap_or_default(),
        format!("{}/tokens/named/{id}", s.base)
    );
    // The token authenticates in all three token headers.
    for auth in [
        Auth::Token(secret.clone()),
        Auth::Bearer(secret.clone()),
        Auth::Macaroon(secret.clone()),
    ] {
        assert_eq!(s.get("/user", &auth).await.body["userId"], alice.as_str());
    }
    s.post("/user/tokens/named", &a, json!({"name": "laptop"}))
        .await
        .expect_error(400, "badValueIdentifierOccupied");
    s.post("/user/tokens/named", &a, json!({"name": "-"}))
        .await
        .expect_error(400, "badValueName");
    s.post("/user/tokens/named", &a, json!({}))
        .await
        .expect_error(400, "missingRequiredValue");

    let list = s.get("/user/tokens/named", &a).await;
    list.expect(200);
    assert_eq!(list.set("tokens").len(), 2, "test + laptop: {}", list.text);
    assert!(list.set("tokens").contains(&id));

    let rec = s.get(&format!("/tokens/named/{id}"), &a).await;
    rec.expect(200);
    assert_eq!(rec.body["name"], "laptop");
    assert_eq!(rec.body["revoked"], false);
    assert_eq!(rec.body["subject"]["id"], alice.as_str());
    assert!(rec.body["type"]["accessToken"].is_object(), "{}", rec.text);
    assert!(
        !rec.text.contains(&secret),
        "the secret is never shown again"
    );
    let by_name = s.get("/user/tokens/named/name/laptop", &a).await;
    by_name.expect(200);
    assert_eq!(by_name.body["id"], id.as_str());
    s.get(&format!("/user/tokens/named/{id}"), &a)
        .await
        .expect(200);
}

#[tokio::test]
async fn revoke_rename_and_delete() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let r = s
        .post("/user/tokens/named", &a, json!({"name": "phone"}))
        .await;
    r.expect(201);
    let id = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    let t = Auth::Token(r.body["token"].as_str().unwrap_or_default().to_owned());
    let path = format!("/tokens/named/{id}");
    s.patch(&path, &a, json!({}))
        .await
        .expect_error(400, "missingAtLeastOneValue");
    s.patch(&path, &a, json!({"revoked": "yes"}))
        .await
        .expect_error(400, "badValueBoolean");
    s.patch(&path, &a, json!({"revoked": true}))
        .await
        .expect(204);
    let r = s.get("/user", &t).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(auth_error(&r), "tokenRevoked");
    assert_eq!(s.get(&path, &a).await.body["revoked"], true);
    s.patch(&path, &a, json!({"revoked": false}))
        .await
        .expect(204);
    s.get("/user", &t).await.expect(200);

    // A rename keeps the token working and the id stable; revocation survives it.
    s.patch(&path, &a, json!({"name": "test"}))
        .await
        .expect_error(400, "badValueIdentifierOccupied");
    s.patch(&path, &a, json!({"name": "old phone", "revoked": true}))
        .await
        .expect(204);
    let rec = s.get(&path, &a).await;
    assert_eq!(rec.body["name"], "old phone");
    assert_eq!(rec.body["revoked"], true);
    s.patch(&path, &a, json!({"revoked": false}))
        .await
        .expect(204);
    s.get("/user", &t).await.expect(200);

    s.delete(&format!("/user/tokens/named/{id}"), &a)
        .await
        .expect(204);
    let r = s.get("/user", &t).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(auth_error(&r), "badToken");
    s.get(&path, &a).await.expect_error(404, "notFound");

    // Deleting all named tokens ends the session's own token too.
    s.delete("/user/tokens/named", &a).await.expect(204);
    let r = s.get("/user", &a).await;
    assert_eq!(auth_error(&r), "badToken");
}

#[tokio::test]
async fn tokens_of_other_users_need_oz_tokens_manage() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let r = s
        .post("/user/tokens/named", &a, json!({"name": "mine"}))
        .await;
    let tid = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    let path = format!("/users/{alice}/tokens/named");
    s.post(&path, &Auth::Nobody, json!({"name": "x1"}))
        .await
        .expect_error(401, "unauthorized");
    s.post(
        "/users/nosuch/tokens/named",
        &Auth::Nobody,
        json!({"name": "x1"}),
    )
    .await
    .expect_error(404, "notFound");
    s.post(&path, &b, json!({"name": "x1"}))
        .await
        .expect_error(403, "forbidden");
    s.get(&path, &b).await.expect_error(403, "forbidden");
    s.get(&format!("/tokens/named/{tid}"), &b)
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &format!("/tokens/named/{tid}"),
        &b,
        json!({"revoked": true}),
    )
    .await
    .expect_error(403, "forbidden");
    s.delete(&format!("/tokens/named/{tid}"), &b)
        .await
        .expect_error(403, "forbidden");
    // Through one's own path another user's token does not exist.
    s.get(&format!("/user/tokens/named/{tid}"), &b)
        .await
        .expect_error(404, "notFound");
    s.get(&format!("/users/{bob}/tokens/named/{tid}"), &b)
        .await
        .expect_error(404, "notFound");

    s.grant_oz(&bob, &["oz_tokens_manage"]).await;
    let made = s.post(&path, &b, json!({"name": "by bob"})).await;
    made.expect(201);
    let for_alice = Auth::Token(made.body["token"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        s.get("/user", &for_alice).await.body["userId"],
        alice.as_str()
    );
    assert_eq!(s.get(&path, &b).await.set("tokens").len(), 3);
    s.get(&format!("/users/{alice}/tokens/named/name/mine"), &b)
        .await
        .expect(200);
    s.patch(
        &format!("/users/{alice}/tokens/named/{tid}"),
        &b,
        json!({"revoked": true}),
    )
    .await
    .expect(204);
    s.delete(&path, &b).await.expect(204);
    assert_eq!(auth_error(&s.get("/user", &for_alice).await), "badToken");
    assert_eq!(auth_error(&s.get("/user", &a).await), "badToken");
}

#[tokio::test]
async fn invite_user_to_group_and_join() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let (bob, b) = s.user("bob").await;
    let (_, c) = s.user("carol").await;
    let group = s.group(&a, "team").await;
    let path = format!("/groups/{group}/users/token");
    s.post("/groups/nosuch/users/token", &Auth::Nobody, json!({}))
        .await
        .expect_error(404, "notFound");
    s.post(&path, &Auth::Nobody, json!({}))
        .await
        .expect_error(401, "unauthorized");
    s.post(&path, &c, json!({}))
        .await
        .expect_error(403, "forbidden");
    let r = s.post(&path, &a, json!({})).await;
    r.expect(200);
    let invite = r.body["token"].as_str().unwrap_or_default().to_owned();
    assert!(!invite.is_empty(), "{}", r.text);
    // Admins may invite too.
    s.post(&path, &Auth::admin(), json!({})).await.expect(200);

    // An invite token is not an access token.
    let r = s.get("/user", &Auth::Token(invite.clone())).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(auth_error(&r), "notAnAccessToken");

    s.post("/user/groups/join", &Auth::Nobody, json!({"token": invite}))
        .await
        .expect_error(401, "unauthorized");
    s.post("/user/groups/join", &b, json!({}))
        .await
        .expect_error(400, "missingRequiredValue");
    s.post("/user/groups/join", &b, json!({"token": "garbage"}))
        .await
        .expect_error(400, "badValueToken");
    s.post("/user/groups/join", &b, json!({"token": 7}))
        .await
        .expect_error(400, "badValueToken");
    // A user invite is not for spaces.
    s.post("/user/spaces/join", &b, json!({"token": invite}))
        .await
        .expect_error(400, "badValueToken");
    let r = s
        .post("/user/groups/join", &b, json!({"token": invite}))
        .await;
    r.expect(201);
    assert_eq!(
        r.header("location").unwrap_or_default(),
        format!("{}/user/groups/{group}", s.base)
    );
    assert_eq!(
        s.get("/user/groups", &b).await.set("groups"),
        vec![group.clone()]
    );
    let p = s
        .get(&format!("/groups/{group}/users/{bob}/privileges"), &b)
        .await;
    p.expect(200);
    assert_eq!(p.set("privileges"), vec!["group_view".to_string()]);
    let r = s
        .post("/user/groups/join", &b, json!({"token": invite}))
        .await;
    r.expect_error(409, "relationAlreadyExists");
    assert_eq!(r.body["error"]["details"]["parentId"], group.as_str());
    // The token is reusable by others.
    s.post("/user/groups/join", &c, json!({"token": invite}))
        .await
        .expect(201);
}

#[tokio::test]
async fn invite_stops_working_when_revoked_or_issuer_loses_privilege() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let (_, b) = s.user("bob").await;
    let (_, c) = s.user("carol").await;
    let group = s.group(&a, "team").await;
    let invite = s
        .post(&format!("/groups/{group}/users/token"), &a, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let list = s.get("/user/tokens/named", &a).await;
    let mut invite_id = String::new();
    for id in list.set("tokens") {
        let rec = s.get(&format!("/tokens/named/{id}"), &a).await;
        if rec.body["type"]["inviteToken"].is_object() {
            assert_eq!(
                rec.body["type"]["inviteToken"]["inviteType"],
                "userJoinGroup"
            );
            assert_eq!(rec.body["type"]["inviteToken"]["groupId"], group.as_str());
            invite_id = id;
        }
    }
    assert!(!invite_id.is_empty(), "the invite is listed: {}", list.text);
    s.patch(
        &format!("/tokens/named/{invite_id}"),
        &a,
        json!({"revoked": true}),
    )
    .await
    .expect(204);
    let r = s
        .post("/user/groups/join", &b, json!({"token": invite}))
        .await;
    r.expect_error(400, "badValueToken");
    assert_eq!(token_error(&r), "tokenRevoked", "{}", r.text);
    s.patch(
        &format!("/tokens/named/{invite_id}"),
        &a,
        json!({"revoked": false}),
    )
    .await
    .expect(204);
    s.post("/user/groups/join", &b, json!({"token": invite}))
        .await
        .expect(201);
    // Alice leaves the group: her invite no longer admits anyone.
    s.delete(&format!("/user/groups/{group}"), &a)
        .await
        .expect(204);
    let r = s
        .post("/user/groups/join", &c, json!({"token": invite}))
        .await;
    r.expect_error(400, "badValueToken");
    assert_eq!(
        token_error(&r),
        "inviteTokenSubjectNotAuthorized",
        "{}",
        r.text
    );
}

fn token_error(r: &Response) -> String {
    r.body["error"]["details"]["tokenError"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Onezone's token sanitizer: `""` is `badValueEmpty`, and every `badValueToken` carries
/// `details.tokenError` saying why — on each of the four join routes.
#[tokio::test]
async fn join_routes_say_why_a_token_is_refused() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let (_, b) = s.user("bob").await;
    let group = s.group(&a, "team").await;
    let joiner = s.group(&b, "joiner").await;
    let user_invite = s
        .post(&format!("/groups/{group}/users/token"), &a, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let access = s
        .post("/user/tokens/named", &b, json!({"name": "plain"}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!user_invite.is_empty() && !access.is_empty());
    let routes = [
        ("/user/groups/join".to_owned(), "userJoinGroup"),
        ("/user/spaces/join".to_owned(), "userJoinSpace"),
        (format!("/groups/{joiner}/parents/join"), "groupJoinGroup"),
        (format!("/groups/{joiner}/spaces/join"), "groupJoinSpace"),
    ];
    for (path, expected) in &routes {
        let r = s.post(path, &b, json!({"token": ""})).await;
        r.expect_error(400, "badValueEmpty");
        assert_eq!(
            r.body["error"]["details"]["key"], "token",
            "{path}: {}",
            r.text
        );
        for garbage in [json!("garbage"), json!(7), json!(["x"])] {
            let r = s.post(path, &b, json!({ "token": garbage })).await;
            r.expect_error(400, "badValueToken");
            assert_eq!(r.body["error"]["details"]["key"], "token", "{path}");
            assert_eq!(token_error(&r), "badToken", "{path}: {}", r.text);
            assert!(r.body["error"]["details"]["tokenError"]["description"].is_string());
        }
        let r = s.post(path, &b, json!({ "token": access })).await;
        r.expect_error(400, "badValueToken");
        let e = &r.body["error"]["details"]["tokenError"];
        assert_eq!(e["id"], "notAnInviteToken", "{path}: {}", r.text);
        assert_eq!(e["details"]["expectedInviteType"], *expected, "{path}");
        assert_eq!(
            e["details"]["received"],
            json!({"accessToken": {}}),
            "{path}"
        );
    }
    // A user's invite to a group, offered where a space invite is expected.
    let r = s
        .post("/user/spaces/join", &b, json!({ "token": user_invite }))
        .await;
    r.expect_error(400, "badValueToken");
    let e = &r.body["error"]["details"]["tokenError"];
    assert_eq!(e["id"], "notAnInviteToken", "{}", r.text);
    assert_eq!(
        e["details"]["received"]["inviteToken"]["inviteType"],
        "userJoinGroup"
    );
    assert_eq!(
        e["details"]["received"]["inviteToken"]["groupId"],
        group.as_str()
    );
}

#[tokio::test]
async fn group_joins_parent_group_with_invite() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let (_, b) = s.user("bob").await;
    let (_, c) = s.user("carol").await;
    let parent = s.group(&a, "parent").await;
    let child = s.group(&b, "child").await;
    let invite = s
        .post(&format!("/groups/{parent}/children/token"), &a, json!({}))
        .await;
    invite.expect(200);
    let token = invite.body["token"].as_str().unwrap_or_default().to_owned();
    // A user invite is not a group invite.
    let user_invite = s
        .post(&format!("/groups/{parent}/users/token"), &a, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.post("/user/groups/join", &b, json!({"token": token}))
        .await
        .expect_error(400, "badValueToken");

    let path = format!("/groups/{child}/parents/join");
    s.post(
        "/groups/nosuch/parents/join",
        &Auth::Nobody,
        json!({"token": token}),
    )
    .await
    .expect_error(404, "notFound");
    s.post(&path, &Auth::Nobody, json!({"token": token}))
        .await
        .expect_error(401, "unauthorized");
    // Carol is no member of the child group: no group_add_parent there.
    s.post(&path, &c, json!({"token": token}))
        .await
        .expect_error(403, "forbidden");
    s.post(&path, &b, json!({"token": user_invite}))
        .await
        .expect_error(400, "badValueToken");
    let r = s.post(&path, &b, json!({"token": token})).await;
    r.expect(201);
    assert_eq!(
        r.header("location").unwrap_or_default(),
        format!("{}/groups/{child}/parents/{parent}", s.base)
    );
    let children = s.get(&format!("/groups/{parent}/children"), &a).await;
    assert_eq!(children.set("groups"), vec![child.clone()]);
    s.post(&path, &b, json!({"token": token}))
        .await
        .expect_error(409, "relationAlreadyExists");
    // A group cannot join itself.
    let own = s
        .post(&format!("/groups/{child}/children/token"), &b, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.post(&path, &b, json!({"token": own}))
        .await
        .expect_error(400, "cannotAddRelationToSelf");
    // An admin with oz_groups_add_relationships may act for any group.
    let other = s.group(&c, "other").await;
    let (root, r_auth) = s.user("root").await;
    s.grant_oz(&root, &["oz_groups_add_relationships"]).await;
    s.post(
        &format!("/groups/{other}/parents/join"),
        &r_auth,
        json!({"token": token}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn space_invites_for_users_and_groups() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let (_, b) = s.user("bob").await;
    let (_, c) = s.user("carol").await;
    let r = s.post("/user/spaces", &a, json!({"name": "data"})).await;
    r.expect(201);
    let space = r.location_id();
    s.post(&format!("/spaces/{space}/users/token"), &c, json!({}))
        .await
        .expect_error(403, "forbidden");
    let invite = s
        .post(&format!("/spaces/{space}/users/token"), &a, json!({}))
        .await;
    invite.expect(200);
    let token = invite.body["token"].as_str().unwrap_or_default().to_owned();
    s.post("/user/groups/join", &b, json!({"token": token}))
        .await
        .expect_error(400, "badValueToken");
    let r = s
        .post("/user/spaces/join", &b, json!({"token": token}))
        .await;
    r.expect(201);
    assert_eq!(
        r.header("location").unwrap_or_default(),
        format!("{}/user/spaces/{space}", s.base)
    );
    assert_eq!(
        s.get("/user/spaces", &b).await.set("spaces"),
        vec![space.clone()]
    );
    // Bob, a plain member, leaves.
    s.delete(&format!("/user/spaces/{space}"), &b)
        .await
        .expect(204);
    assert!(s.get("/user/spaces", &b).await.set("spaces").is_empty());

    // A group of carol's joins; carol then reaches the space through it.
    let group = s.group(&c, "carols").await;
    let g_invite = s
        .post(&format!("/spaces/{space}/groups/token"), &a, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = s
        .post(
            &format!("/groups/{group}/spaces/join"),
            &c,
            json!({"token": g_invite}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        r.header("location").unwrap_or_default(),
        format!("{}/groups/{group}/spaces/{space}", s.base)
    );
    assert!(s.get("/user/spaces", &c).await.set("spaces").is_empty());
    assert_eq!(
        s.get("/user/effective_spaces", &c).await.set("spaces"),
        vec![space.clone()]
    );
    s.get(&format!("/user/effective_spaces/{space}"), &c)
        .await
        .expect(200);
}

/// Asks for a named token of the user `auth` with `extra` fields in the body.
async fn named(s: &TestServer, auth: &Auth, name: &str, extra: serde_json::Value) -> Response {
    let mut body = json!({ "name": name });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    s.post("/user/tokens/named", auth, body).await
}

#[tokio::test]
async fn time_caveats_are_enforced_and_other_caveats_are_refused_not_dropped() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);

    let r = named(
        &s,
        &a,
        "expired",
        json!({"caveats": [{"type": "time", "validUntil": now - 10}]}),
    )
    .await;
    r.expect(201);
    let expired = Auth::Token(r.body["token"].as_str().unwrap_or_default().to_owned());
    let r = s.get("/user", &expired).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(auth_error(&r), "tokenCaveatUnverified");
    assert_eq!(
        r.body["error"]["details"]["authError"]["details"]["caveat"],
        json!({"type": "time", "validUntil": now - 10})
    );

    let r = named(
        &s,
        &a,
        "fresh",
        json!({"caveats": [{"type": "time", "validUntil": now + 3600}, {"type": "time", "validUntil": now + 60}]}),
    )
    .await;
    r.expect(201);
    let id = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    let fresh = Auth::Token(r.body["token"].as_str().unwrap_or_default().to_owned());
    assert_eq!(s.get("/user", &fresh).await.body["userId"], alice.as_str());
    // The record shows the caveat that binds (the earliest).
    let r = s.get(&format!("/user/tokens/named/{id}"), &a).await;
    r.expect(200);
    assert_eq!(
        r.body["caveats"],
        json!([{"type": "time", "validUntil": now + 60}])
    );

    // Caveats privzone does not enforce are refused, never silently dropped.
    let before = s.get("/user/tokens/named", &a).await.set("tokens");
    for (caveats, id, key) in [
        (
            json!([{"type": "ip", "whitelist": ["10.0.0.0/8"]}]),
            "badValueNotAllowed",
            "caveats",
        ),
        (
            json!([{"type": "api", "whitelist": ["ozw/get/*"]}]),
            "badValueNotAllowed",
            "caveats",
        ),
        (json!("soon"), "badValueJSON", "caveats"),
        (
            json!([{"type": "time", "validUntil": "soon"}]),
            "badValueInteger",
            "validUntil",
        ),
    ] {
        let r = named(&s, &a, "refused", json!({ "caveats": caveats })).await;
        r.expect_error(400, id);
        assert_eq!(r.body["error"]["details"]["key"], key, "{}", r.text);
    }
    let after = s.get("/user/tokens/named", &a).await.set("tokens");
    assert_eq!(after, before, "refused tokens were not created");
}

#[tokio::test]
async fn identity_tokens_are_not_access_tokens() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let r = named(&s, &a, "id", json!({"type": {"identityToken": {}}})).await;
    r.expect(201);
    let id = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    let identity = Auth::Token(r.body["token"].as_str().unwrap_or_default().to_owned());
    let r = s.get("/user", &identity).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(auth_error(&r), "notAnAccessToken");
    assert_eq!(
        r.body["error"]["details"]["authError"]["details"]["received"],
        "identity"
    );
    let r = s.get(&format!("/user/tokens/named/{id}"), &a).await;
    assert_eq!(r.body["type"], json!({"identityToken": {}}));
    named(&s, &a, "invite", json!({"type": {"inviteToken": {}}}))
        .await
        .expect_error(400, "badValueNotAllowed");
}
