//! Onezone's `user_privileges_api_test_SUITE` ported (oz privileges of users; see `upstream.rs`).

use reqwest::Method;
use serde_json::json;

use crate::harness::Auth;
use crate::upstream::{self, Ctx};
use crate::upstream_kinds as kinds;

async fn all_oz(c: &Ctx) -> Vec<String> {
    let r = c.s.get("/privileges", &Auth::Nobody).await;
    r.expect(200);
    r.set("admin")
}

// user_privileges_api_test_SUITE:get_oz_privileges_test
#[tokio::test]
async fn get_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let (user2, a_user2) = c.user().await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_view_privileges"]).await;
    let path = format!("/users/{user}/privileges");
    // SetPrivsFun sets the same privileges to User and User2 (the entity)
    c.state_at(
        &path,
        &[&[path.clone(), format!("/users/{user2}/privileges")]],
    );
    c.get_privileges(
        &path,
        &[&admin, &a_user],
        &[&a_user2],
        &[],
        &all,
        &[],
        &a_user2,
        "oz_view_privileges",
        false,
    )
    .await;
}

// user_privileges_api_test_SUITE:get_self_oz_privileges_test
#[tokio::test]
async fn get_self_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let all = all_oz(&c).await;
    let target = format!("/users/{user}/privileges");
    for _ in 0..crate::upstream::REPEATS {
        let privs = c.random_sublist(&all);
        c.put_privs(&target, &privs, &all).await;
        let r = c.s.get("/user/privileges", &a_user).await;
        r.expect(200);
        assert_eq!(r.set("privileges"), privs);
    }
    c.s.get("/user/privileges", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
}

// user_privileges_api_test_SUITE:update_oz_privileges_test
#[tokio::test]
async fn update_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let (_, non_admin) = c.user().await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_set_privileges"]).await;
    let path = format!("/users/{user}/privileges");
    c.update_privileges(
        &path,
        &[&admin],
        &[&non_admin],
        &all,
        &a_user,
        "oz_set_privileges",
    )
    .await;
}

// user_privileges_api_test_SUITE:update_self_oz_privileges_test
#[tokio::test]
async fn update_self_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let all = all_oz(&c).await;
    c.state_at(
        "/user/privileges",
        &[&[format!("/users/{user}/privileges")]],
    );
    c.update_privileges(
        "/user/privileges",
        &[],
        &[],
        &all,
        &a_user,
        "oz_set_privileges",
    )
    .await;
}

// user_privileges_api_test_SUITE:delete_oz_privileges_test
#[tokio::test]
async fn delete_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let (_, non_admin) = c.user().await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_set_privileges"]).await;
    let path = format!("/users/{user}/privileges");
    c.delete_privileges(
        &path,
        &[&a_user, &admin],
        &[&non_admin],
        &all,
        &a_user,
        "oz_set_privileges",
    )
    .await;
}

// user_privileges_api_test_SUITE:delete_self_oz_privileges_test
#[tokio::test]
async fn delete_self_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let all = all_oz(&c).await;
    c.state_at(
        "/user/privileges",
        &[&[format!("/users/{user}/privileges")]],
    );
    c.delete_privileges(
        "/user/privileges",
        &[&a_user],
        &[],
        &all,
        &a_user,
        "oz_set_privileges",
    )
    .await;
}

/// `set_oz_privs_fun`: User in Bottom ⊂ Mid ⊂ Top, User2 in all three; granted privileges are
/// split between the users (same part), Bottom, Mid and Top.
async fn eff_env(c: &Ctx, user: &str, a_user: &Auth, user2: &str, path: &str) {
    let bottom = c.s.group(a_user, "group").await;
    let mid = kinds::root_group(c, "group").await;
    let top = kinds::root_group(c, "group").await;
    for (p, ch) in [(&mid, &bottom), (&top, &mid)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    for g in [&bottom, &mid, &top] {
        kinds::add_user(c, &format!("/groups/{g}"), user2).await;
    }
    let users = [
        format!("/users/{user}/privileges"),
        format!("/users/{user2}/privileges"),
    ];
    let b = [format!("/groups/{bottom}/privileges")];
    let m = [format!("/groups/{mid}/privileges")];
    let t = [format!("/groups/{top}/privileges")];
    c.state_at(path, &[&users, &b, &m, &t]);
}

// user_privileges_api_test_SUITE:get_eff_oz_privileges_test
#[tokio::test]
async fn get_eff_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let (user2, a_user2) = c.user().await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_view_privileges"]).await;
    let path = format!("/users/{user}/effective_privileges");
    eff_env(&c, &user, &a_user, &user2, &path).await;
    c.get_privileges(
        &path,
        &[&admin, &a_user],
        &[&a_user2],
        &[],
        &all,
        &[],
        &a_user2,
        "oz_view_privileges",
        false,
    )
    .await;
}

// user_privileges_api_test_SUITE:get_self_eff_oz_privileges_test
#[tokio::test]
async fn get_self_eff_oz_privileges_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.user().await;
    let (user2, _) = c.user().await;
    let all = all_oz(&c).await;
    eff_env(&c, &user, &a_user, &user2, "/user/effective_privileges").await;
    for _ in 0..crate::upstream::REPEATS {
        let privs = c.random_sublist(&all);
        c.put_privs("/user/effective_privileges", &privs, &all)
            .await;
        let r = c.s.get("/user/effective_privileges", &a_user).await;
        r.expect(200);
        assert_eq!(r.set("privileges"), privs);
    }
}

// user_groups_api_test_SUITE:leave_group_test
#[tokio::test]
async fn leave_group_test() {
    kinds::user_leave_test(&Ctx::start().await, "groups").await;
}

// user_spaces_api_test_SUITE:leave_space_test
#[tokio::test]
async fn leave_space_test() {
    kinds::user_leave_test(&Ctx::start().await, "spaces").await;
}

// user_hservice_api_test_SUITE:leave_handle_service_test
#[tokio::test]
async fn leave_handle_service_test() {
    kinds::user_leave_test(&Ctx::start().await, "handle_services").await;
}

// user_handles_api_test_SUITE:leave_handle_test
#[tokio::test]
async fn leave_handle_test() {
    kinds::user_leave_test(&Ctx::start().await, "handles").await;
}

// user_groups_api_test_SUITE:create_group_test
#[tokio::test]
async fn create_group_test() {
    let c = Ctx::start().await;
    kinds::user_create_test(
        &c,
        "groups",
        &[],
        json!({"name": upstream::CORRECT_NAME, "type": "unit"}),
        &upstream::group_bad_values(),
    )
    .await;
}

// user_spaces_api_test_SUITE:create_space_test
#[tokio::test]
async fn create_space_test() {
    let c = Ctx::start().await;
    kinds::user_create_test(
        &c,
        "spaces",
        &[],
        json!({"name": upstream::CORRECT_NAME}),
        &upstream::bad_values_name(),
    )
    .await;
}

// user_hservice_api_test_SUITE:create_handle_service_test
#[tokio::test]
async fn create_handle_service_test() {
    let c = Ctx::start().await;
    kinds::user_create_test(
        &c,
        "handle_services",
        &["oz_handle_services_create"],
        upstream::hservice_body(),
        &upstream::hservice_bad_values(),
    )
    .await;
}

// user_groups_api_test_SUITE:list_groups_test
#[tokio::test]
async fn list_groups_test() {
    kinds::user_list_test(&Ctx::start().await, "groups").await;
}

// user_groups_api_test_SUITE:list_eff_groups_test
#[tokio::test]
async fn list_eff_groups_test() {
    kinds::user_list_eff_test(&Ctx::start().await, "groups").await;
}

// user_groups_api_test_SUITE:get_group_test
#[tokio::test]
async fn get_group_test() {
    kinds::user_get_test(&Ctx::start().await, "groups").await;
}

// user_spaces_api_test_SUITE:list_spaces_test
#[tokio::test]
async fn list_spaces_test() {
    kinds::user_list_test(&Ctx::start().await, "spaces").await;
}

// user_spaces_api_test_SUITE:list_eff_spaces_test
#[tokio::test]
async fn list_eff_spaces_test() {
    kinds::user_list_eff_test(&Ctx::start().await, "spaces").await;
}

// user_spaces_api_test_SUITE:get_space_test
#[tokio::test]
async fn get_space_test() {
    kinds::user_get_test(&Ctx::start().await, "spaces").await;
}

// user_hservice_api_test_SUITE:list_handle_services_test
#[tokio::test]
async fn list_handle_services_test() {
    kinds::user_list_test(&Ctx::start().await, "handle_services").await;
}

// user_hservice_api_test_SUITE:list_eff_handle_services_test
#[tokio::test]
async fn list_eff_handle_services_test() {
    kinds::user_list_eff_test(&Ctx::start().await, "handle_services").await;
}

// user_hservice_api_test_SUITE:get_handle_service_test
#[tokio::test]
async fn get_handle_service_test() {
    kinds::user_get_test(&Ctx::start().await, "handle_services").await;
}

// user_handles_api_test_SUITE:list_handles_test
#[tokio::test]
async fn list_handles_test() {
    kinds::user_list_test(&Ctx::start().await, "handles").await;
}

// user_handles_api_test_SUITE:list_eff_handles_test
#[tokio::test]
async fn list_eff_handles_test() {
    kinds::user_list_eff_test(&Ctx::start().await, "handles").await;
}

// user_handles_api_test_SUITE:get_handle_test
#[tokio::test]
async fn get_handle_test() {
    kinds::user_get_test(&Ctx::start().await, "handles").await;
}

/// `join_{group,space}_test` of user_groups / user_spaces: a fresh invite token of the creator
/// per attempt; the invited user joins at /user/{seg}/join (201, Location …/user/{seg}/{id});
/// upstream's bad_values for `token`; joining what one already belongs to is 409.
async fn join_test(seg: &str) {
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (_, creator) = c.user().await;
    let k = if seg == "groups" {
        &kinds::GROUP
    } else {
        &kinds::SPACE
    };
    let base = kinds::create_by(&c, k, "", &creator).await;
    let id = base.rsplit('/').next().unwrap_or_default().to_owned();
    let new_token = || async {
        let r =
            c.s.post(&format!("{base}/users/token"), &creator, json!({}))
                .await;
        r.expect(200);
        r.body["token"].as_str().unwrap_or_default().to_owned()
    };
    let path = format!("/user/{seg}/join");
    let token = new_token().await;
    c.expect_denied(Method::POST, &path, Some(json!({ "token": token })), &[])
        .await;
    c.expect_bad_values(
        Method::POST,
        &path,
        &a1,
        &json!({ "token": token }),
        &[
            ("token", json!(""), "badValueEmpty"),
            ("token", json!(1234), "badValueToken"),
            ("token", json!("123qwe"), "badValueToken"),
        ],
    )
    .await;
    for bad in [json!(1234), json!("123qwe")] {
        let r = c.s.post(&path, &a1, json!({ "token": bad })).await;
        assert_eq!(
            r.body["error"]["details"]["tokenError"]["id"],
            json!("badToken"),
            "{}",
            r.text
        );
    }
    assert!(!c
        .list(&format!("{base}/users"), "users")
        .await
        .contains(&u1));
    let r =
        c.s.post(&path, &a1, json!({ "token": new_token().await }))
            .await;
    r.expect(201);
    upstream::expect_location(&r, &format!("/user/{seg}/{id}"));
    assert!(c
        .s
        .get(&format!("/user/{seg}"), &a1)
        .await
        .set(seg)
        .contains(&id));
    // a member joining again: 409, the token is not consumed (the usage-limit half is ignored below)
    let r =
        c.s.post(&path, &a1, json!({ "token": new_token().await }))
            .await;
    r.expect_error(409, "relationAlreadyExists");
}

/// The usage-limit half of `join_*_test`: the legacy invite routes mint tokens with usageLimit 1
/// (token_logic:create_legacy_invite_token), so a second user cannot join with the same token.
async fn join_test_usage_limit(seg: &str) {
    let c = Ctx::start().await;
    let (_, a1) = c.user().await;
    let (_, a2) = c.user().await;
    let (_, creator) = c.user().await;
    let k = if seg == "groups" {
        &kinds::GROUP
    } else {
        &kinds::SPACE
    };
    let base = kinds::create_by(&c, k, "", &creator).await;
    let r =
        c.s.post(&format!("{base}/users/token"), &creator, json!({}))
            .await;
    r.expect(200);
    let token = r.body["token"].as_str().unwrap_or_default().to_owned();
    let path = format!("/user/{seg}/join");
    c.s.post(&path, &a1, json!({ "token": token }))
        .await
        .expect(201);
    c.s.post(&path, &a2, json!({ "token": token }))
        .await
        .expect_error(400, "inviteTokenUsageLimitReached");
}

// user_groups_api_test_SUITE:join_group_test
#[tokio::test]
async fn join_group_test() {
    join_test("groups").await;
}

// user_groups_api_test_SUITE:join_group_test (assert_invite_token_usage_limit_reached)
#[tokio::test]
#[ignore = "known defect: invite tokens of POST /groups/{id}/users/token have no usage limit (Onezone: 1), \
            user_groups_api_test_SUITE:join_group_test"]
async fn join_group_test_usage_limit() {
    join_test_usage_limit("groups").await;
}

// user_spaces_api_test_SUITE:join_space_test
#[tokio::test]
async fn join_space_test() {
    join_test("spaces").await;
}

// user_spaces_api_test_SUITE:join_space_test (assert_invite_token_usage_limit_reached)
#[tokio::test]
#[ignore = "known defect: invite tokens of POST /spaces/{id}/users/token have no usage limit (Onezone: 1), \
            user_spaces_api_test_SUITE:join_space_test"]
async fn join_space_test_usage_limit() {
    join_test_usage_limit("spaces").await;
}

// user_misc_api_test_SUITE:create_test
#[tokio::test]
async fn create_test() {
    let c = Ctx::start().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_users_create"]).await;
    c.expect_denied(Method::POST, "/users", Some(json!({})), &[&non_admin])
        .await;
    c.expect_bad_values(
        Method::POST,
        "/users",
        &admin,
        &json!({ "fullName": "Some Name" }),
        &upstream::bad_values_full_name(),
    )
    .await;
    // {fullName, username, password}, each given or left to its default
    for (i, (full, user, pass)) in [
        (false, false, false),
        (false, true, false),
        (true, false, false),
        (true, true, false),
        (false, true, true),
        (true, true, true),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({});
        if full {
            body["fullName"] = json!(format!("Full Name{i}"));
        }
        if user {
            body["username"] = json!(format!("username{i}"));
        }
        if pass {
            body["password"] = json!(format!("password-{i}-long-enough"));
        }
        let r = c.s.post("/users", &admin, body).await;
        r.expect(201);
        let id = r.location_id();
        upstream::expect_location(&r, &format!("/users/{id}"));
        let u = c.s.get(&format!("/users/{id}"), &c.root).await;
        u.expect(200);
        if full {
            assert_eq!(u.body["fullName"], json!(format!("Full Name{i}")));
        }
        if user {
            assert_eq!(u.body["username"], json!(format!("username{i}")));
        } else {
            assert!(u.body["username"].is_null(), "{}", u.text);
        }
        assert_eq!(u.body["basicAuthEnabled"], json!(pass), "{}", u.text);
    }
}

// user_misc_api_test_SUITE:list_test
#[tokio::test]
async fn list_test() {
    let c = Ctx::start().await;
    let (u1, _) = c.user().await;
    let (u2, _) = c.user().await;
    let (non_admin_id, non_admin) = c.user().await;
    let (admin_id, admin) = c.user().await;
    c.s.grant_oz(&admin_id, &["oz_users_list"]).await;
    c.expect_denied(Method::GET, "/users", None, &[&non_admin])
        .await;
    let r = c.s.get("/users", &admin).await;
    r.expect(200);
    let listed = r.set("users");
    for u in [&u1, &u2, &non_admin_id, &admin_id] {
        assert!(listed.contains(u), "{u} in {listed:?}");
    }
}

// user_misc_api_test_SUITE:get_test (the protected scope) and get_self_test
#[tokio::test]
async fn get_test() {
    let c = Ctx::start().await;
    let (user, a_user) = c.s.user("UserUsername").await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_users_view"]).await;
    let path = format!("/users/{user}");
    c.expect_denied(Method::GET, &path, None, &[&non_admin])
        .await;
    for client in [&a_user, &admin] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.body["userId"], json!(user));
        assert_eq!(r.body["username"], json!("UserUsername"));
        assert_eq!(r.body["fullName"], json!("UserUsername"));
        assert_eq!(r.body["basicAuthEnabled"], json!(false));
        assert_eq!(r.body["blocked"], json!(false));
        assert!(r.body["emails"].is_array(), "{}", r.text);
    }
    let r = c.s.get("/user", &a_user).await;
    r.expect(200);
    assert_eq!(r.body["userId"], json!(user));
    assert_eq!(r.body["username"], json!("UserUsername"));
    c.s.get("/user", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
}

// user_misc_api_test_SUITE:update_test
#[tokio::test]
async fn update_test() {
    let c = Ctx::start().await;
    let (_, _occupied_auth) = c.s.user("occupiedname").await;
    let new_user = |n: usize| {
        let c = &c;
        async move {
            let r =
                c.s.post(
                    "/users",
                    &c.root,
                    json!({"fullName": "Full Name", "username": format!("current{n}")}),
                )
                .await;
            r.expect(201);
            let id = r.location_id();
            let t =
                c.s.post(
                    &format!("/users/{id}/tokens/named"),
                    &c.root,
                    json!({"name": "test token"}),
                )
                .await;
            t.expect(201);
            (
                id,
                Auth::Token(t.body["token"].as_str().unwrap_or_default().to_owned()),
            )
        }
    };
    let (_, a0) = new_user(0).await;
    let full = json!({"fullName": upstream::CORRECT_USER_NAME, "username": "newname0"});
    let mut bad: Vec<(&str, serde_json::Value, &str)> = vec![
        ("username", json!(""), "badValueUsername"),
        ("username", json!("_asd"), "badValueUsername"),
        ("username", json!("-asd"), "badValueUsername"),
        ("username", json!("asd_"), "badValueUsername"),
        ("username", json!(null), "badValueUsername"),
        (
            "username",
            json!("verylongusernamewithatleast20chars"),
            "badValueUsername",
        ),
        ("username", json!(1234), "badValueString"),
        (
            "username",
            json!("occupiedname"),
            "badValueIdentifierOccupied",
        ),
        ("fullName", json!("a_d"), "badValueFullName"),
        ("fullName", json!("_ad"), "badValueFullName"),
        ("fullName", json!("ad_"), "badValueFullName"),
    ];
    bad.extend(upstream::bad_values_full_name());
    c.expect_bad_values(Method::PATCH, "/user", &a0, &full, &bad)
        .await;
    // at_least_one = [fullName, username]; setting the current username again is no error
    let bodies = [
        full.clone(),
        json!({"fullName": upstream::CORRECT_USER_NAME}),
        json!({"username": "current_N"}),
        json!({"username": "fresh_N"}),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let n = i + 1;
        let (id, a) = new_user(n).await;
        let body: serde_json::Value =
            serde_json::from_str(&body.to_string().replace("_N", &n.to_string()))
                .unwrap_or_default();
        c.s.patch("/user", &a, body.clone()).await.expect(204);
        let r = c.s.get(&format!("/users/{id}"), &c.root).await;
        let exp_full = body.get("fullName").cloned().unwrap_or(json!("Full Name"));
        let exp_user = body
            .get("username")
            .cloned()
            .unwrap_or(json!(format!("current{n}")));
        assert_eq!(
            (r.body["fullName"].clone(), r.body["username"].clone()),
            (exp_full, exp_user)
        );
    }
    c.s.patch("/user", &Auth::Nobody, full)
        .await
        .expect_error(401, "unauthorized");
}

// user_misc_api_test_SUITE:delete_test and delete_self_test
#[tokio::test]
async fn delete_test() {
    let c = Ctx::start().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_users_delete"]).await;
    let (victim, _) = c.user().await;
    let path = format!("/users/{victim}");
    c.expect_denied(Method::DELETE, &path, None, &[&non_admin])
        .await;
    c.s.delete(&path, &admin).await.expect(204);
    c.expect_not_found_for_all(Method::DELETE, &path, &[&admin, &non_admin])
        .await;
    let (me, a_me) = c.user().await;
    c.s.delete("/user", &a_me).await.expect(204);
    c.s.get(&format!("/users/{me}"), &c.root)
        .await
        .expect_error(404, "notFound");
}
