//! Onezone's `group_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::Auth;
use crate::upstream::{self, Ctx};
use crate::upstream_kinds::{self as kinds, GROUP};

// group_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:list_user_privileges_test
#[tokio::test]
async fn list_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:list_children_test
#[tokio::test]
async fn list_children_test() {
    kinds::list_groups_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:remove_child_test
#[tokio::test]
async fn remove_child_test() {
    kinds::remove_group_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:get_child_privileges_test
#[tokio::test]
async fn get_child_privileges_test() {
    kinds::get_group_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:update_child_privileges_test
#[tokio::test]
async fn update_child_privileges_test() {
    kinds::update_group_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:add_child_test
#[tokio::test]
async fn add_child_test() {
    kinds::add_group_both_sides_test(&Ctx::start().await, &GROUP, "group_add_parent").await;
}

// group_users_api_test_SUITE:add_user_test
#[tokio::test]
async fn add_user_test() {
    kinds::self_add_user_test(&Ctx::start().await, &GROUP, false).await;
}

// group_users_api_test_SUITE:add_user_with_privileges_test
#[tokio::test]
async fn add_user_with_privileges_test() {
    kinds::self_add_user_test(&Ctx::start().await, &GROUP, true).await;
}

// group_users_api_test_SUITE:get_eff_user_membership_intermediaries
#[tokio::test]
async fn get_eff_user_membership_intermediaries() {
    //                   Group1    Group5
    //                  /   |  \     /
    //              Group2  |   Group4
    //               /      |   /  |  \
    //            Group3----|-'    |   User2 (no view privs)
    //                \     |     /
    //                    User1 (view privs)
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let g1 = c.s.group(&a1, "group1").await;
    let g2 = kinds::root_group(&c, "group1").await;
    let g3 = c.s.group(&a1, "group1").await;
    let g4 = c.s.group(&a1, "group1").await;
    let g5 = kinds::root_group(&c, "group1").await;
    kinds::add_user(&c, &format!("/groups/{g4}"), &u2).await;
    c.set_privs(
        &format!("/groups/{g4}/users/{u2}/privileges"),
        &[],
        &["group_view".to_owned()],
    )
    .await;
    for (parent, child) in [(&g1, &g2), (&g1, &g4), (&g2, &g3), (&g4, &g3), (&g5, &g4)] {
        c.s.put(
            &format!("/groups/{parent}/children/{child}"),
            &c.root,
            json!({}),
        )
        .await
        .expect(201);
    }
    let admin = c.admin(&["oz_groups_view"]).await;
    let partial = c.admin(&["oz_groups_view_privileges"]).await;
    let cases: [(&String, &String, Vec<&Auth>, Vec<&str>); 8] = [
        (&g1, &u1, vec![&a1, &a2], vec!["self", &g2, &g4]),
        (&g1, &u2, vec![&a1, &a2], vec![&g4]),
        (&g2, &u1, vec![&a1], vec![&g3]),
        (&g3, &u1, vec![&a1], vec!["self"]),
        (&g4, &u1, vec![&a1], vec!["self", &g3]),
        (&g4, &u2, vec![&a1, &a2], vec!["self"]),
        (&g5, &u1, vec![&a1, &a2], vec![&g4]),
        (&g5, &u2, vec![&a1, &a2], vec![&g4]),
    ];
    for (group, subject, correct, expected) in cases {
        let path = format!("/groups/{group}/effective_users/{subject}/membership");
        let forbidden: Vec<&Auth> = [&non_admin, &a1, &a2, &partial]
            .into_iter()
            .filter(|a| !correct.iter().any(|c| std::ptr::eq(*c, *a)))
            .collect();
        c.expect_denied(Method::GET, &path, None, &forbidden).await;
        let mut expected: Vec<Value> = expected
            .iter()
            .map(|id| json!({"type": "group", "id": id}))
            .collect();
        expected.sort_by_key(|v| v.to_string());
        for client in correct.iter().copied().chain([&admin]) {
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

const GROUP_TYPES: [&str; 4] = ["organization", "unit", "team", "role_holders"];

// group_misc_api_test_SUITE:create_test
#[tokio::test]
async fn create_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let admin = c.admin(&["oz_groups_create"]).await;
    let body = json!({ "name": upstream::CORRECT_NAME });
    c.expect_denied(Method::POST, "/groups", Some(body.clone()), &[&u1])
        .await;
    c.expect_bad_values(
        Method::POST,
        "/groups",
        &admin,
        &body,
        &upstream::group_bad_values(),
    )
    .await;
    // required name, optional type: without it the default `team`, then each type
    let mut data_sets = vec![(body.clone(), "team")];
    for t in GROUP_TYPES {
        data_sets.push((json!({"name": upstream::CORRECT_NAME, "type": t}), t));
    }
    for (body, exp_type) in data_sets {
        let r = c.s.post("/groups", &admin, body).await;
        r.expect(201);
        let id = r.location_id();
        upstream::expect_location(&r, &format!("/groups/{id}"));
        let g = c.s.get(&format!("/groups/{id}"), &c.root).await;
        g.expect(200);
        assert_eq!(g.body["name"], json!(upstream::CORRECT_NAME));
        assert_eq!(g.body["type"], json!(exp_type));
        // the creator is not added (no auth hint)
        assert!(c
            .list(&format!("/groups/{id}/users"), "users")
            .await
            .is_empty());
    }
}

// group_misc_api_test_SUITE:get_test (the protected scope, the one REST serves)
#[tokio::test]
async fn get_test() {
    let c = Ctx::start().await;
    let (with_view, a_with) = c.user().await;
    let (without_view, a_without) = c.user().await;
    let (_, non_admin) = c.user().await;
    let r =
        c.s.post(
            "/user/groups",
            &a_with,
            json!({"name": "group1", "type": "organization"}),
        )
        .await;
    r.expect(201);
    let g = r.location_id();
    let all = c.all_privs("groups").await;
    c.put_privs(
        &format!("/groups/{g}/users/{with_view}/privileges"),
        &["group_view".into()],
        &all,
    )
    .await;
    kinds::add_user(&c, &format!("/groups/{g}"), &without_view).await;
    c.put_privs(
        &format!("/groups/{g}/users/{without_view}/privileges"),
        &upstream::minus(&all, &["group_view"]),
        &all,
    )
    .await;
    let admin = c.admin(&["oz_groups_view"]).await;
    let path = format!("/groups/{g}");
    c.expect_denied(Method::GET, &path, None, &[&non_admin])
        .await;
    for client in [&admin, &a_without, &a_with] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.body["groupId"], json!(g));
        assert_eq!(r.body["name"], json!("group1"));
        assert_eq!(r.body["type"], json!("organization"));
        assert_eq!(r.body["creator"], json!({"type": "user", "id": with_view}));
        assert!(r.body["creationTime"].is_number(), "{}", r.text);
    }
}

/// `update_test` / `delete_test` env: U1 creator without the privilege, U2 member with it.
async fn misc_env(c: &Ctx, privilege: &str) -> (String, Auth, Auth) {
    let (_, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let g = c.s.group(&a1, "group1").await;
    let u1 = c.s.get("/user", &a1).await.body["userId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    c.set_privs(
        &format!("/groups/{g}/users/{u1}/privileges"),
        &[],
        &[privilege.to_owned()],
    )
    .await;
    kinds::add_user(c, &format!("/groups/{g}"), &u2).await;
    c.set_privs(
        &format!("/groups/{g}/users/{u2}/privileges"),
        &[privilege.to_owned()],
        &[],
    )
    .await;
    (g, a1, a2)
}

// group_misc_api_test_SUITE:update_test
#[tokio::test]
async fn update_test() {
    let c = Ctx::start().await;
    let admin = c.admin(&["oz_groups_update"]).await;
    let (g, a1, a2) = misc_env(&c, "group_update").await;
    let path = format!("/groups/{g}");
    let full = json!({"name": upstream::CORRECT_NAME, "type": "unit"});
    c.expect_denied(Method::PATCH, &path, Some(full.clone()), &[&a1])
        .await;
    c.expect_bad_values(
        Method::PATCH,
        &path,
        &a2,
        &full,
        &upstream::group_bad_values(),
    )
    .await;
    c.s.patch(&path, &a2, json!({}))
        .await
        .expect_error(400, "missingAtLeastOneValue");
    let unchanged = c.s.get(&path, &c.root).await;
    assert_eq!(unchanged.body["name"], json!("group1"));
    // at_least_one = [name, type]: both, then each alone, on a fresh group each time
    let bodies = [
        full,
        json!({"name": upstream::CORRECT_NAME}),
        json!({"type": "unit"}),
    ];
    for client in [&a2, &admin] {
        for body in &bodies {
            let (g, _, a2_fresh) = misc_env(&c, "group_update").await;
            let client = if std::ptr::eq(client, &a2) {
                &a2_fresh
            } else {
                client
            };
            let path = format!("/groups/{g}");
            c.s.patch(&path, client, body.clone()).await.expect(204);
            let r = c.s.get(&path, &c.root).await;
            let exp_name = body.get("name").cloned().unwrap_or(json!("group1"));
            let exp_type = body.get("type").cloned().unwrap_or(json!("team"));
            assert_eq!(
                (r.body["name"].clone(), r.body["type"].clone()),
                (exp_name, exp_type)
            );
        }
    }
}

// group_misc_api_test_SUITE:delete_test
#[tokio::test]
async fn delete_test() {
    let c = Ctx::start().await;
    let admin = c.admin(&["oz_groups_delete"]).await;
    let (g, a1, a2) = misc_env(&c, "group_delete").await;
    let path = format!("/groups/{g}");
    c.expect_denied(Method::DELETE, &path, None, &[&a1]).await;
    c.s.get(&path, &c.root).await.expect(200);
    for use_admin in [false, true] {
        let (g, _, a2_fresh) = misc_env(&c, "group_delete").await;
        let client = if use_admin { &admin } else { &a2_fresh };
        let path = format!("/groups/{g}");
        c.s.delete(&path, client).await.expect(204);
        c.s.get(&path, &c.root).await.expect_error(404, "notFound");
    }
    // delete_entity: once deleted, everybody gets 404
    c.s.delete(&path, &c.root).await.expect(204);
    c.expect_not_found_for_all(Method::DELETE, &path, &[&a1, &a2, &admin])
        .await;
}

async fn all_oz(c: &Ctx) -> Vec<String> {
    let r = c.s.get("/privileges", &Auth::Nobody).await;
    r.expect(200);
    r.set("admin")
}

// group_misc_api_test_SUITE:get_oz_privileges_test
#[tokio::test]
async fn get_oz_privileges_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let g1 = c.s.group(&u1, "group1").await;
    let (_, non_admin) = c.user().await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_view_privileges"]).await;
    // U1 holds the group's oz privileges as its member, so it is the entity
    c.get_privileges(
        &format!("/groups/{g1}/privileges"),
        &[&admin],
        &[&non_admin],
        &[],
        &all,
        &[],
        &u1,
        "oz_view_privileges",
        false,
    )
    .await;
}

// group_misc_api_test_SUITE:update_oz_privileges_test
#[tokio::test]
async fn update_oz_privileges_test() {
    let c = Ctx::start().await;
    let (_, non_admin) = c.user().await;
    let (_, u1) = c.user().await;
    let g1 = c.s.group(&u1, "group1").await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_set_privileges"]).await;
    c.update_privileges(
        &format!("/groups/{g1}/privileges"),
        &[&admin],
        &[&non_admin],
        &all,
        &u1,
        "oz_set_privileges",
    )
    .await;
}

// group_misc_api_test_SUITE:delete_oz_privileges_test
#[tokio::test]
async fn delete_oz_privileges_test() {
    let c = Ctx::start().await;
    let (_, non_admin) = c.user().await;
    let (_, u1) = c.user().await;
    let g1 = c.s.group(&u1, "group1").await;
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_set_privileges"]).await;
    c.delete_privileges(
        &format!("/groups/{g1}/privileges"),
        &[&u1, &admin],
        &[&non_admin],
        &all,
        &u1,
        "oz_set_privileges",
    )
    .await;
}

// group_misc_api_test_SUITE:get_eff_oz_privileges_test
#[tokio::test]
async fn get_eff_oz_privileges_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let (_, non_admin) = c.user().await;
    let bottom = c.s.group(&u1, "group").await;
    let mid = kinds::root_group(&c, "group").await;
    let top = kinds::root_group(&c, "group").await;
    for (p, ch) in [(&mid, &bottom), (&top, &mid)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    let all = all_oz(&c).await;
    let admin = c.admin(&["oz_view_privileges"]).await;
    let path = format!("/groups/{bottom}/effective_privileges");
    // upstream's SetPrivsFun sets all three parts on Bottom; here they go to Bottom, Mid and Top,
    // whose oz privileges Bottom inherits
    let [b, m, t] = [&bottom, &mid, &top].map(|g| [format!("/groups/{g}/privileges")]);
    c.state_at(&path, &[&b, &m, &t]);
    c.get_privileges(
        &path,
        &[&admin],
        &[&non_admin],
        &[],
        &all,
        &[],
        &u1,
        "oz_view_privileges",
        false,
    )
    .await;
}

// group_users_api_test_SUITE:list_eff_user_privileges_test
#[tokio::test]
async fn list_eff_user_privileges_test() {
    //            User2         User3
    //         [group_view]  [~group_view]
    //                   Group1
    //              Group2  |   Group4
    //            Group3    |  [~group_view_privileges]
    //          [all_privs] |    /
    //                    User1
    // U1's effective privileges in G1 are its direct ones and G2's and G4's in G1: its own in G3
    // and G4 do not count (they are overridden by the privileges of the group that is G1's member).
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (u3, a3) = c.user().await;
    let (_, non_admin) = c.user().await;
    let all = c.all_privs("groups").await;
    let g3 = c.s.group(&a1, "group").await;
    let g2 = kinds::root_group(&c, "group").await;
    let g1 = kinds::root_group(&c, "group").await;
    let g4 = kinds::root_group(&c, "group1").await;
    for (p, ch) in [(&g2, &g3), (&g1, &g2), (&g1, &g4)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    kinds::add_user(&c, &format!("/groups/{g1}"), &u1).await;
    kinds::add_user(&c, &format!("/groups/{g4}"), &u1).await;
    c.set_privs(
        &format!("/groups/{g4}/users/{u1}/privileges"),
        &all,
        &["group_view_privileges".to_owned()],
    )
    .await;
    let view_privs = vec!["group_view_privileges".to_owned()];
    for (u, grant, revoke) in [(&u2, &view_privs, &vec![]), (&u3, &vec![], &view_privs)] {
        kinds::add_user(&c, &format!("/groups/{g1}"), u).await;
        c.set_privs(&format!("/groups/{g1}/users/{u}/privileges"), grant, revoke)
            .await;
    }
    let admin = c.admin(&["oz_groups_view_privileges"]).await;
    let path = format!("/groups/{g1}/effective_users/{u1}/privileges");
    let direct = [format!("/groups/{g1}/users/{u1}/privileges")];
    let via_g2 = [format!("/groups/{g1}/children/{g2}/privileges")];
    let via_g4 = [format!("/groups/{g1}/children/{g4}/privileges")];
    c.state_at(&path, &[&direct, &via_g2, &via_g4]);
    c.get_privileges(
        &path,
        &[&admin, &a2, &a1],
        &[&a3, &non_admin],
        &["group_view".to_owned()],
        &all,
        &[],
        &a1,
        "group_view_privileges",
        true,
    )
    .await;
}

// group_users_api_test_SUITE:get_user_details_test
#[tokio::test]
async fn get_user_details_test() {
    kinds::get_user_test(&Ctx::start().await, &GROUP).await;
}

// group_hservice_api_test_SUITE:leave_handle_service_test
#[tokio::test]
async fn leave_handle_service_test() {
    kinds::group_leave_test(
        &Ctx::start().await,
        "handle_services",
        "handle_services",
        "group_leave_handle_service",
    )
    .await;
}

// group_handles_api_test_SUITE:leave_handle_test
#[tokio::test]
async fn leave_handle_test() {
    kinds::group_leave_test(
        &Ctx::start().await,
        "handles",
        "handles",
        "group_leave_handle",
    )
    .await;
}

// group_spaces_api_test_SUITE:leave_space_test
#[tokio::test]
async fn leave_space_test() {
    kinds::group_leave_test(&Ctx::start().await, "spaces", "spaces", "group_leave_space").await;
}

// group_parents_api_test_SUITE:leave_parent_test
#[tokio::test]
async fn leave_parent_test() {
    kinds::group_leave_test(
        &Ctx::start().await,
        "parents",
        "groups",
        "group_leave_parent",
    )
    .await;
}

// group_children_api_test_SUITE:create_child_test
#[tokio::test]
async fn create_child_test() {
    let c = Ctx::start().await;
    kinds::group_create_test(
        &c,
        "children",
        "group_add_child",
        &["oz_groups_add_relationships", "oz_groups_create"],
        &[],
        json!({"name": upstream::CORRECT_NAME, "type": "unit"}),
        &upstream::group_bad_values(),
    )
    .await;
}

// group_parents_api_test_SUITE:create_parent_test
#[tokio::test]
async fn create_parent_test() {
    let c = Ctx::start().await;
    kinds::group_create_test(
        &c,
        "parents",
        "group_add_parent",
        &["oz_groups_create", "oz_groups_add_relationships"],
        &[],
        json!({"name": upstream::CORRECT_NAME, "type": "unit"}),
        &upstream::group_bad_values(),
    )
    .await;
}

// group_hservice_api_test_SUITE:create_handle_service_test
#[tokio::test]
async fn create_handle_service_test() {
    let c = Ctx::start().await;
    kinds::group_create_test(
        &c,
        "handle_services",
        "group_create_handle_service",
        &["oz_handle_services_create", "oz_groups_add_relationships"],
        &["oz_handle_services_create"],
        upstream::hservice_body(),
        &upstream::hservice_bad_values(),
    )
    .await;
}

// group_spaces_api_test_SUITE:create_space_test
#[tokio::test]
async fn create_space_test() {
    let c = Ctx::start().await;
    kinds::group_create_test(
        &c,
        "spaces",
        "group_add_space",
        &["oz_spaces_create", "oz_groups_add_relationships"],
        &[],
        json!({"name": upstream::CORRECT_NAME}),
        &upstream::bad_values_name(),
    )
    .await;
}

// group_children_api_test_SUITE:get_eff_child_privileges_test
#[tokio::test]
async fn get_eff_child_privileges_test() {
    kinds::get_eff_group_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_spaces_api_test_SUITE:list_spaces_test, list_eff_spaces_test and get_space_details_test
#[tokio::test]
async fn list_spaces_test() {
    kinds::group_list_test(&Ctx::start().await, "spaces", "spaces").await;
}

// group_hservice_api_test_SUITE:list_handle_services_test, list_eff_handle_services_test and get_handle_service_details_test
#[tokio::test]
async fn list_handle_services_test() {
    kinds::group_list_test(&Ctx::start().await, "handle_services", "handle_services").await;
}

// group_handles_api_test_SUITE:list_handles_test, list_eff_handles_test and get_handle_details_test
#[tokio::test]
async fn list_handles_test() {
    kinds::group_list_test(&Ctx::start().await, "handles", "handles").await;
}

// group_parents_api_test_SUITE:list_parents_test, list_eff_parents_test and get_parent_details_test
#[tokio::test]
async fn list_parents_test() {
    kinds::group_list_test(&Ctx::start().await, "parents", "groups").await;
}

// group_children_api_test_SUITE:add_child_with_privileges_test
#[tokio::test]
async fn add_child_with_privileges_test() {
    kinds::add_group_with_privileges_test(&Ctx::start().await, &GROUP).await;
}

/// (parent, child, users allowed besides oz_groups_view admins, expected ids of first hops)
type ChildCase<'a> = (&'a String, &'a String, Vec<&'a Auth>, Vec<&'a str>);

// group_children_api_test_SUITE:get_eff_child_membership_intermediaries
#[tokio::test]
async fn get_eff_child_membership_intermediaries() {
    //                   Group1    Group5
    //              Group2  |    Group4
    //            Group3----|-'    | |  Group6 (no view privs)
    //                \     |     /   \   /
    //                 \    |    /     User2 (no view privs)
    //                  UserGroup
    //                    User1 (view privs)
    // Readable by members of the child, holders of group_view in the parent, oz_groups_view.
    let c = Ctx::start().await;
    let (_, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let ug = c.s.group(&a1, "group1").await;
    let mut g = vec![];
    for _ in 0..6 {
        g.push(kinds::root_group(&c, "group1").await);
    }
    let (g1, g2, g3, g4, g5, g6) = (&g[0], &g[1], &g[2], &g[3], &g[4], &g[5]);
    let no_view = vec!["group_view".to_owned()];
    for grp in [g4, g6] {
        kinds::add_user(&c, &format!("/groups/{grp}"), &u2).await;
        c.set_privs(
            &format!("/groups/{grp}/users/{u2}/privileges"),
            &[],
            &no_view,
        )
        .await;
    }
    for (p, ch) in [
        (g1, &ug),
        (g1, g2),
        (g1, g4),
        (g3, &ug),
        (g2, g3),
        (g4, g3),
        (g4, &ug),
        (g4, g6),
        (g5, g4),
    ] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    c.set_privs(
        &format!("/groups/{g4}/children/{g6}/privileges"),
        &[],
        &no_view,
    )
    .await;
    let admin = c.admin(&["oz_groups_view"]).await;
    let both = || vec![&a1, &a2];
    let cases: Vec<ChildCase> = vec![
        (g1, &ug, both(), vec!["self", g2, g4]),
        (g1, g2, both(), vec!["self"]),
        (g1, g3, both(), vec![g2, g4]),
        (g1, g4, both(), vec!["self"]),
        (g1, g6, both(), vec![g4]),
        (g2, &ug, vec![&a1], vec![g3]),
        (g2, g3, vec![&a1], vec!["self"]),
        (g3, &ug, vec![&a1], vec!["self"]),
        (g4, &ug, vec![&a1], vec!["self", g3]),
        (g4, g3, vec![&a1], vec!["self"]),
        (g4, g6, both(), vec!["self"]),
        (g5, &ug, both(), vec![g4]),
        (g5, g3, both(), vec![g4]),
        (g5, g4, both(), vec!["self"]),
        (g5, g6, both(), vec![g4]),
    ];
    for (parent, child, correct, expected) in cases {
        let path = format!("/groups/{parent}/effective_children/{child}/membership");
        let forbidden: Vec<&Auth> = [&non_admin, &a1, &a2]
            .into_iter()
            .filter(|a| !correct.iter().any(|c| std::ptr::eq(*c, *a)))
            .collect();
        c.expect_denied(Method::GET, &path, None, &forbidden).await;
        let mut expected: Vec<Value> = expected
            .iter()
            .map(|id| json!({"type": "group", "id": id}))
            .collect();
        expected.sort_by_key(|v| v.to_string());
        for client in correct.iter().copied().chain([&admin]) {
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

// group_users_api_test_SUITE:create_user_invite_token_test
#[tokio::test]
async fn create_user_invite_token_test() {
    kinds::create_invite_token_test(&Ctx::start().await, &GROUP, false).await;
}

// group_children_api_test_SUITE:create_group_invite_token_test
#[tokio::test]
async fn create_group_invite_token_test() {
    kinds::create_invite_token_test(&Ctx::start().await, &GROUP, true).await;
}

// group_users_api_test_SUITE:list_eff_users_test
#[tokio::test]
async fn list_eff_users_test() {
    kinds::list_eff_users_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:get_eff_user_details_test
#[tokio::test]
async fn get_eff_user_details_test() {
    kinds::get_eff_user_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:get_eff_children_test
#[tokio::test]
async fn get_eff_children_test() {
    kinds::list_eff_groups_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:get_child_details_test and get_eff_child_details_test
#[tokio::test]
async fn get_child_details_test() {
    kinds::get_group_test(&Ctx::start().await, &GROUP).await;
}

// group_parents_api_test_SUITE:join_parent_test
#[tokio::test]
async fn join_parent_test() {
    kinds::group_join_test(&Ctx::start().await, &GROUP, "group_add_parent").await;
}

// group_spaces_api_test_SUITE:join_space_test
#[tokio::test]
async fn join_space_test() {
    kinds::group_join_test(&Ctx::start().await, &kinds::SPACE, "group_add_space").await;
}

// group_misc_api_test_SUITE:list_test
// (upstream lists the predefined groups `all_users` and `admins`; privzone predefines `admins` only)
#[tokio::test]
async fn list_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let (_, non_admin) = c.user().await;
    let mut expected = vec![];
    for _ in 0..5 {
        expected.push(c.s.group(&u1, "group1").await);
    }
    let admin = c.admin(&["oz_groups_list"]).await;
    c.expect_denied(Method::GET, "/groups", None, &[&non_admin, &u1])
        .await;
    let r = c.s.get("/groups", &admin).await;
    r.expect(200);
    expected.push("admins".to_owned());
    assert_eq!(r.set("groups"), upstream::sorted(&expected));
}

// group_misc_api_test_SUITE:protected_group_test (on the predefined `admins` group, which
// privzone protects; upstream marks a group protected through an internal call)
#[tokio::test]
async fn protected_group_test() {
    let c = Ctx::start().await;
    let admin = c.admin(&["oz_groups_delete"]).await;
    for client in [&admin, &c.root, &Auth::admin()] {
        c.s.delete("/groups/admins", client)
            .await
            .expect_error(403, "protectedGroup");
    }
    assert!(c
        .list("/groups", "groups")
        .await
        .contains(&"admins".to_owned()));
}

// group_misc_api_test_SUITE:list_privileges_test
#[tokio::test]
async fn list_privileges_test() {
    let c = Ctx::start().await;
    for client in [&Auth::Nobody, &c.root] {
        let r = c.s.get("/groups/privileges", client).await;
        r.expect(200);
        assert_eq!(r.set("member"), vec!["group_view".to_owned()]);
        assert_eq!(r.set("manager").len(), 12, "{}", r.text);
        assert_eq!(r.set("admin").len(), 23, "{}", r.text);
        assert!(r.set("manager").iter().all(|p| r.set("admin").contains(p)));
    }
}
