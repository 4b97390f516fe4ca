//! Onezone's `space_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use reqwest::Method;
use serde_json::json;

use crate::harness::Auth;
use crate::upstream::{self, Ctx};
use crate::upstream_kinds::{self as kinds, SPACE};

// space_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:get_user_privileges_test
#[tokio::test]
async fn get_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:list_groups_test
#[tokio::test]
async fn list_groups_test() {
    kinds::list_groups_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:remove_group_test
#[tokio::test]
async fn remove_group_test() {
    kinds::remove_group_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:get_group_privileges_test
#[tokio::test]
async fn get_group_privileges_test() {
    kinds::get_group_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:update_group_privileges_test
#[tokio::test]
async fn update_group_privileges_test() {
    kinds::update_group_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:add_group_test
#[tokio::test]
async fn add_group_test() {
    kinds::add_group_both_sides_test(&Ctx::start().await, &SPACE, "group_add_space").await;
}

// space_users_api_test_SUITE:add_user_test
#[tokio::test]
async fn add_user_test() {
    kinds::self_add_user_test(&Ctx::start().await, &SPACE, false).await;
}

// space_users_api_test_SUITE:add_user_with_privileges_test
#[tokio::test]
async fn add_user_with_privileges_test() {
    kinds::self_add_user_test(&Ctx::start().await, &SPACE, true).await;
}

// space_users_api_test_SUITE:list_eff_users_test
#[tokio::test]
async fn list_eff_users_test() {
    kinds::list_eff_users_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:get_eff_user_test
#[tokio::test]
async fn get_eff_user_test() {
    kinds::get_eff_user_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:list_eff_groups_test
#[tokio::test]
async fn list_eff_groups_test() {
    kinds::list_eff_groups_test(&Ctx::start().await, &SPACE).await;
}

async fn new_space(c: &Ctx, owner: &Auth) -> String {
    let r =
        c.s.post("/user/spaces", owner, json!({"name": "space1"}))
            .await;
    r.expect(201);
    r.location_id()
}

/// `oz_test_utils:create_space_owner`: a member made owner, holding no privileges.
async fn create_space_owner(c: &Ctx, space: &str) -> (String, Auth) {
    let (u, a) = c.user().await;
    kinds::add_user(c, &format!("/spaces/{space}"), &u).await;
    c.s.put(&format!("/spaces/{space}/owners/{u}"), &c.root, json!({}))
        .await
        .expect(204);
    let all = c.all_privs("spaces").await;
    c.put_privs(&format!("/spaces/{space}/users/{u}/privileges"), &[], &all)
        .await;
    (u, a)
}

// space_users_api_test_SUITE:get_owners_test
#[tokio::test]
async fn get_owners_test() {
    let c = Ctx::start().await;
    let (owner, a_owner) = c.user().await;
    let (with_view, a_with) = c.user().await;
    let (without_view, a_without) = c.user().await;
    let (_, non_admin) = c.user().await;
    let space = new_space(&c, &a_owner).await;
    let base = format!("/spaces/{space}");
    for (u, grant) in [(&with_view, true), (&without_view, false)] {
        kinds::add_user(&c, &base, u).await;
        let v = vec!["space_view".to_owned()];
        let (g, r) = if grant { (v, vec![]) } else { (vec![], v) };
        c.set_privs(&format!("{base}/users/{u}/privileges"), &g, &r)
            .await;
    }
    let (other_owner, _) = create_space_owner(&c, &space).await;
    let admin = c.admin(&["oz_spaces_view"]).await;
    let path = format!("{base}/owners");
    c.expect_denied(Method::GET, &path, None, &[&a_without, &non_admin])
        .await;
    for client in [&admin, &a_owner, &a_with] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(
            r.set("users"),
            upstream::sorted(&[owner.clone(), other_owner.clone()])
        );
    }
}

// space_users_api_test_SUITE:add_owner_test
#[tokio::test]
async fn add_owner_test() {
    let c = Ctx::start().await;
    let (_, a_owner) = c.user().await;
    let (regular, a_regular) = c.user().await;
    let (_, non_admin) = c.user().await;
    let space = new_space(&c, &a_owner).await;
    let base = format!("/spaces/{space}");
    kinds::add_user(&c, &base, &regular).await;
    let admin = c.admin(&["oz_spaces_set_privileges"]).await;
    // a candidate is a direct member, or an effective one through a group
    let candidate = |direct: bool| {
        let c = &c;
        let base = base.clone();
        async move {
            let (u, a) = c.user().await;
            if direct {
                kinds::add_user(c, &base, &u).await;
            } else {
                let g = c.s.group(&a, "subgroup").await;
                kinds::add_group(c, &base, &g).await;
            }
            u
        }
    };
    for direct in [true, false] {
        let u = candidate(direct).await;
        let path = format!("{base}/owners/{u}");
        c.expect_denied(Method::PUT, &path, None, &[&a_regular, &non_admin])
            .await;
        assert!(!c
            .list(&format!("{base}/owners"), "users")
            .await
            .contains(&u));
        for client in [&a_owner, &admin] {
            let u = candidate(direct).await;
            let path = format!("{base}/owners/{u}");
            c.s.put(&path, client, json!({})).await.expect(204);
            assert!(c
                .list(&format!("{base}/owners"), "users")
                .await
                .contains(&u));
            // an owner is a direct member
            assert!(c.list(&format!("{base}/users"), "users").await.contains(&u));
            // already an owner: 409
            c.s.put(&path, client, json!({}))
                .await
                .expect_error(409, "alreadyExists");
        }
    }
}

// space_users_api_test_SUITE:remove_owner_test
#[tokio::test]
async fn remove_owner_test() {
    let c = Ctx::start().await;
    let (_, a_owner) = c.user().await;
    let (regular, a_regular) = c.user().await;
    let (admin_not_owner, a_admin_not_owner) = c.user().await;
    let (_, non_admin) = c.user().await;
    let space = new_space(&c, &a_owner).await;
    let base = format!("/spaces/{space}");
    let all = c.all_privs("spaces").await;
    kinds::add_user(&c, &base, &regular).await;
    kinds::add_user(&c, &base, &admin_not_owner).await;
    c.put_privs(
        &format!("{base}/users/{admin_not_owner}/privileges"),
        &all,
        &all,
    )
    .await;
    let admin = c.admin(&["oz_spaces_set_privileges"]).await;
    let (o, _) = create_space_owner(&c, &space).await;
    let path = format!("{base}/owners/{o}");
    c.expect_denied(
        Method::DELETE,
        &path,
        None,
        &[&a_admin_not_owner, &a_regular, &non_admin],
    )
    .await;
    assert!(c
        .list(&format!("{base}/owners"), "users")
        .await
        .contains(&o));
    for client in [&a_owner, &admin] {
        let (o, _) = create_space_owner(&c, &space).await;
        c.s.delete(&format!("{base}/owners/{o}"), client)
            .await
            .expect(204);
        assert!(!c
            .list(&format!("{base}/owners"), "users")
            .await
            .contains(&o));
    }
}

// space_users_api_test_SUITE:get_user_test
#[tokio::test]
async fn get_user_test() {
    kinds::get_user_test(&Ctx::start().await, &SPACE).await;
}

// space_misc_api_test_SUITE:create_test (name only: privzone has no marketplace)
#[tokio::test]
async fn create_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let admin = c.admin(&["oz_spaces_create"]).await;
    let body = json!({ "name": upstream::CORRECT_NAME });
    c.expect_denied(Method::POST, "/spaces", Some(body.clone()), &[&u1])
        .await;
    c.expect_bad_values(
        Method::POST,
        "/spaces",
        &admin,
        &body,
        &upstream::bad_values_name(),
    )
    .await;
    let r = c.s.post("/spaces", &admin, body).await;
    r.expect(201);
    let id = r.location_id();
    upstream::expect_location(&r, &format!("/spaces/{id}"));
    let g = c.s.get(&format!("/spaces/{id}"), &c.root).await;
    assert_eq!(g.body["name"], json!(upstream::CORRECT_NAME));
}

// space_misc_api_test_SUITE:list_test
#[tokio::test]
async fn list_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let (_, non_admin) = c.user().await;
    let mut expected = vec![];
    for _ in 0..5 {
        expected.push(new_space(&c, &u1).await);
    }
    let admin = c.admin(&["oz_spaces_list"]).await;
    c.expect_denied(Method::GET, "/spaces", None, &[&non_admin, &u1])
        .await;
    let r = c.s.get("/spaces", &admin).await;
    r.expect(200);
    assert_eq!(r.set("spaces"), upstream::sorted(&expected));
}

// space_misc_api_test_SUITE:list_privileges_test
#[tokio::test]
async fn list_privileges_test() {
    let c = Ctx::start().await;
    for client in [&Auth::Nobody, &c.root] {
        let r = c.s.get("/spaces/privileges", client).await;
        r.expect(200);
        assert_eq!(r.set("member").len(), 4, "{}", r.text);
        assert_eq!(r.set("manager").len(), 25, "{}", r.text);
        assert_eq!(r.set("admin").len(), 39, "{}", r.text);
        assert!(r.set("member").iter().all(|p| r.set("manager").contains(p)));
        assert!(r.set("manager").iter().all(|p| r.set("admin").contains(p)));
    }
}

/// Owner's space with U1 (no privileges) and U2 holding only `privilege`.
async fn misc_env(c: &Ctx, owner: &Auth, u1: &str, u2: &str, privilege: &str) -> String {
    let space = new_space(c, owner).await;
    let base = format!("/spaces/{space}");
    let all = c.all_privs("spaces").await;
    for (u, privs) in [(u1, vec![]), (u2, vec![privilege.to_owned()])] {
        kinds::add_user(c, &base, u).await;
        c.put_privs(&format!("{base}/users/{u}/privileges"), &privs, &all)
            .await;
    }
    space
}

// space_misc_api_test_SUITE:update_space_not_in_marketplace_test (the name; no marketplace)
#[tokio::test]
async fn update_test() {
    let c = Ctx::start().await;
    let (_, owner) = c.user().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_spaces_update"]).await;
    let space = misc_env(&c, &owner, &u1, &u2, "space_update").await;
    let path = format!("/spaces/{space}");
    let body = json!({ "name": upstream::CORRECT_NAME });
    c.expect_denied(Method::PATCH, &path, Some(body.clone()), &[&a1, &non_admin])
        .await;
    c.expect_bad_values(
        Method::PATCH,
        &path,
        &a2,
        &body,
        &upstream::bad_values_name(),
    )
    .await;
    assert_eq!(c.s.get(&path, &c.root).await.body["name"], json!("space1"));
    for client in [&admin, &owner, &a2] {
        let space = misc_env(&c, &owner, &u1, &u2, "space_update").await;
        let path = format!("/spaces/{space}");
        c.s.patch(&path, client, body.clone()).await.expect(204);
        assert_eq!(
            c.s.get(&path, &c.root).await.body["name"],
            json!(upstream::CORRECT_NAME)
        );
    }
}

// space_misc_api_test_SUITE:delete_test
#[tokio::test]
async fn delete_test() {
    let c = Ctx::start().await;
    let (_, owner) = c.user().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_spaces_delete"]).await;
    let space = misc_env(&c, &owner, &u1, &u2, "space_delete").await;
    let path = format!("/spaces/{space}");
    c.expect_denied(Method::DELETE, &path, None, &[&a1, &non_admin])
        .await;
    for client in [&admin, &owner, &a2] {
        let space = misc_env(&c, &owner, &u1, &u2, "space_delete").await;
        let path = format!("/spaces/{space}");
        c.s.delete(&path, client).await.expect(204);
        c.s.get(&path, &c.root).await.expect_error(404, "notFound");
    }
    c.s.delete(&path, &c.root).await.expect(204);
    c.expect_not_found_for_all(
        Method::DELETE,
        &path,
        &[&admin, &owner, &a2, &a1, &non_admin],
    )
    .await;
}

// space_users_api_test_SUITE:get_eff_user_privileges_test
#[tokio::test]
async fn get_eff_user_privileges_test() {
    kinds::get_eff_user_privileges_test(&Ctx::start().await, &SPACE).await;
}

/// (space, subject user or group, users allowed besides admins and owners, expected (type, id) hops)
type Case<'a> = (
    &'a String,
    &'a String,
    Vec<&'a Auth>,
    Vec<(&'a str, &'a str)>,
);

// space_users_api_test_SUITE:get_eff_user_membership_intermediaries
#[tokio::test]
async fn get_eff_user_membership_intermediaries() {
    //      Space1       Space2     Space3
    //       | |  \     /   |  \     /   \
    //       | |   \   /    |   \   /     User2 (no view privs)
    //       |  \   Group2  |   Group3
    //       |   \   /      |   /  |
    //         \  Group1----|-'    |
    //             '------User1 (view privs)
    let c = Ctx::start().await;
    let (_, all_owner) = c.user().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let g1 = c.s.group(&a1, "group1").await;
    let g2 = kinds::root_group(&c, "group1").await;
    let g3 = c.s.group(&a1, "group1").await;
    let s1 = new_space(&c, &all_owner).await;
    let s2 = new_space(&c, &all_owner).await;
    let s3 = new_space(&c, &all_owner).await;
    kinds::add_user(&c, &format!("/spaces/{s1}"), &u1).await;
    kinds::add_user(&c, &format!("/spaces/{s2}"), &u1).await;
    kinds::add_user(&c, &format!("/spaces/{s3}"), &u2).await;
    c.set_privs(
        &format!("/spaces/{s3}/users/{u2}/privileges"),
        &[],
        &["space_view".to_owned()],
    )
    .await;
    for (p, ch) in [(&g2, &g1), (&g3, &g1)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    for (s, g) in [(&s3, &g3), (&s1, &g1), (&s1, &g2), (&s2, &g2), (&s2, &g3)] {
        kinds::add_group(&c, &format!("/spaces/{s}"), g).await;
    }
    let admin = c.admin(&["oz_spaces_view"]).await;
    let cases: [Case; 4] = [
        (
            &s1,
            &u1,
            vec![&a1],
            vec![("space", "self"), ("group", &g1), ("group", &g2)],
        ),
        (
            &s2,
            &u1,
            vec![&a1],
            vec![("space", "self"), ("group", &g2), ("group", &g3)],
        ),
        (&s3, &u1, vec![&a1], vec![("group", &g3)]),
        (&s3, &u2, vec![&a1, &a2], vec![("space", "self")]),
    ];
    for (space, subject, correct, expected) in cases {
        let path = format!("/spaces/{space}/effective_users/{subject}/membership");
        let forbidden: Vec<&Auth> = [&non_admin, &a1, &a2]
            .into_iter()
            .filter(|a| !correct.iter().any(|c| std::ptr::eq(*c, *a)))
            .collect();
        c.expect_denied(Method::GET, &path, None, &forbidden).await;
        let mut expected: Vec<serde_json::Value> = expected
            .iter()
            .map(|(t, id)| json!({"type": t, "id": id}))
            .collect();
        expected.sort_by_key(|v| v.to_string());
        for client in correct.iter().copied().chain([&admin, &all_owner]) {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            let mut got = r.body["intermediaries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            got.sort_by_key(|v| v.to_string());
            assert_eq!(got, expected, "{path}");
        }
    }
}

// space_groups_api_test_SUITE:get_eff_group_privileges_test
#[tokio::test]
async fn get_eff_group_privileges_test() {
    kinds::get_eff_group_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:add_group_with_privileges_test
#[tokio::test]
async fn add_group_with_privileges_test() {
    kinds::add_group_with_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:create_user_invite_token_test
#[tokio::test]
async fn create_user_invite_token_test() {
    kinds::create_invite_token_test(&Ctx::start().await, &SPACE, false).await;
}

// space_groups_api_test_SUITE:create_group_invite_token_test
#[tokio::test]
async fn create_group_invite_token_test() {
    kinds::create_invite_token_test(&Ctx::start().await, &SPACE, true).await;
}

// space_groups_api_test_SUITE:get_group_test and get_eff_group_test
#[tokio::test]
async fn get_group_test() {
    kinds::get_group_test(&Ctx::start().await, &SPACE).await;
}

// space_groups_api_test_SUITE:get_eff_group_membership_intermediaries
#[tokio::test]
async fn get_eff_group_membership_intermediaries() {
    //      Space1       Space2     Space3
    //       | |  \     /   |  \     /  | \
    //       |  \   Group2  |   Group3   \  Group4 (no view privs)
    //       |   \   /      |   /  |      \  /
    //         \  Group1----|-'    |      User2 (no view privs)
    //             '------UserGroup
    //                  User1 (view privs)
    let c = Ctx::start().await;
    let (_, all_owner) = c.user().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let ug = c.s.group(&a1, "group1").await;
    let mut g = vec![];
    for _ in 0..4 {
        g.push(kinds::root_group(&c, "group1").await);
    }
    let (g1, g2, g3, g4) = (&g[0], &g[1], &g[2], &g[3]);
    let mut s = vec![];
    for _ in 0..3 {
        s.push(new_space(&c, &all_owner).await);
    }
    let (s1, s2, s3) = (&s[0], &s[1], &s[2]);
    kinds::add_user(&c, &format!("/groups/{g4}"), &u2).await;
    kinds::add_user(&c, &format!("/spaces/{s1}"), &u1).await;
    kinds::add_user(&c, &format!("/spaces/{s3}"), &u2).await;
    let no_view = vec!["space_view".to_owned()];
    c.set_privs(
        &format!("/spaces/{s3}/users/{u2}/privileges"),
        &[],
        &no_view,
    )
    .await;
    for (p, ch) in [(g1, &ug), (g2, g1), (g3, g1), (g3, &ug)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    for (sp, gr) in [
        (s1, &ug),
        (s1, g1),
        (s1, g2),
        (s2, &ug),
        (s2, g2),
        (s2, g3),
        (s3, g3),
        (s3, g4),
    ] {
        kinds::add_group(&c, &format!("/spaces/{sp}"), gr).await;
    }
    c.set_privs(
        &format!("/spaces/{s3}/groups/{g4}/privileges"),
        &[],
        &no_view,
    )
    .await;
    let admin = c.admin(&["oz_spaces_view"]).await;
    let cases: Vec<Case> = vec![
        (
            s1,
            &ug,
            vec![&a1],
            vec![("space", "self"), ("group", g1), ("group", g2)],
        ),
        (s1, g1, vec![&a1], vec![("space", "self"), ("group", g2)]),
        (s1, g2, vec![&a1], vec![("space", "self")]),
        (
            s2,
            &ug,
            vec![&a1],
            vec![("space", "self"), ("group", g2), ("group", g3)],
        ),
        (s2, g1, vec![&a1], vec![("group", g2), ("group", g3)]),
        (s2, g2, vec![&a1], vec![("space", "self")]),
        (s2, g3, vec![&a1], vec![("space", "self")]),
        (s3, &ug, vec![&a1], vec![("group", g3)]),
        (s3, g1, vec![&a1], vec![("group", g3)]),
        (s3, g3, vec![&a1], vec![("space", "self")]),
        (s3, g4, vec![&a1, &a2], vec![("space", "self")]),
    ];
    for (space, group, correct, expected) in cases {
        let path = format!("/spaces/{space}/effective_groups/{group}/membership");
        let forbidden: Vec<&Auth> = [&non_admin, &a1, &a2]
            .into_iter()
            .filter(|a| !correct.iter().any(|c| std::ptr::eq(*c, *a)))
            .collect();
        c.expect_denied(Method::GET, &path, None, &forbidden).await;
        let mut expected: Vec<serde_json::Value> = expected
            .iter()
            .map(|(t, id)| json!({"type": t, "id": id}))
            .collect();
        expected.sort_by_key(|v| v.to_string());
        for client in correct.iter().copied().chain([&admin, &all_owner]) {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            let mut got = r.body["intermediaries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            got.sort_by_key(|v| v.to_string());
            assert_eq!(got, expected, "{path}");
        }
    }
}
