//! Onezone's `handle_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use reqwest::Method;
use serde_json::json;

use crate::harness::Auth;
use crate::upstream::{self, Ctx};
use crate::upstream_kinds::{self as kinds, HANDLE};

// handle_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &HANDLE).await;
}

// handle_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &HANDLE).await;
}

// handle_users_api_test_SUITE:get_user_privileges_test
#[tokio::test]
async fn get_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_users_api_test_SUITE:add_user_test
#[tokio::test]
async fn add_user_test() {
    kinds::add_user_test(&Ctx::start().await, &HANDLE).await;
}

// handle_users_api_test_SUITE:get_eff_user_privileges_test
#[tokio::test]
async fn get_eff_user_privileges_test() {
    kinds::get_eff_user_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:list_groups_test
#[tokio::test]
async fn list_groups_test() {
    kinds::list_groups_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:remove_group_test
#[tokio::test]
async fn remove_group_test() {
    kinds::remove_group_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:get_group_privileges_test
#[tokio::test]
async fn get_group_privileges_test() {
    kinds::get_group_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:update_group_privileges_test
#[tokio::test]
async fn update_group_privileges_test() {
    kinds::update_group_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:add_group_test
#[tokio::test]
async fn add_group_test() {
    kinds::add_group_test(&Ctx::start().await, &HANDLE).await;
}

const METADATA: &str = "<metadata><dc:title>Data</dc:title></metadata>";
const METADATA2: &str = "<metadata><dc:title>Other data</dc:title></metadata>";

/// A service of `hs_owner` (who keeps only `hs_privs`), a space of `space_owner` (with a share
/// per handle), handles created by root.
struct HandleWorld {
    hs: String,
    space_owner: Auth,
}

async fn world(c: &Ctx, hs_owner: &str, a_hs_owner: &Auth, hs_privs: &[&str]) -> HandleWorld {
    let hs = kinds::create_hservice(c, hs_owner, a_hs_owner).await;
    let all = c.all_privs("handle_services").await;
    let privs: Vec<String> = hs_privs.iter().map(|p| p.to_string()).collect();
    c.put_privs(
        &format!("/handle_services/{hs}/users/{hs_owner}/privileges"),
        &privs,
        &all,
    )
    .await;
    let (_, space_owner) = c.user().await;
    HandleWorld { hs, space_owner }
}

async fn root_handle(c: &Ctx, w: &HandleWorld) -> String {
    let share = kinds::create_share(c, &w.space_owner).await;
    let r =
        c.s.post("/handles", &c.root, kinds::handle_body(&w.hs, &share))
            .await;
    r.expect(201);
    r.location_id()
}

// handle_misc_api_test_SUITE:list_test
#[tokio::test]
async fn list_test() {
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (_, non_admin) = c.user().await;
    let hs = kinds::create_hservice(&c, &u1, &a1).await;
    let mut expected = vec![];
    for _ in 0..5 {
        let share = kinds::create_share(&c, &a1).await;
        let r =
            c.s.post("/user/handles", &a1, kinds::handle_body(&hs, &share))
                .await;
        r.expect(201);
        expected.push(r.location_id());
    }
    let admin = c.admin(&["oz_handles_list"]).await;
    c.expect_denied(Method::GET, "/handles", None, &[&a1, &non_admin])
        .await;
    let r = c.s.get("/handles", &admin).await;
    r.expect(200);
    assert_eq!(r.set("handles"), upstream::sorted(&expected));
}

// handle_misc_api_test_SUITE:list_privileges_test
#[tokio::test]
async fn list_privileges_test() {
    let c = Ctx::start().await;
    for client in [&Auth::Nobody, &c.root] {
        let r = c.s.get("/handles/privileges", client).await;
        r.expect(200);
        assert_eq!(r.set("member"), vec!["handle_view".to_owned()]);
        assert_eq!(
            r.set("admin"),
            vec![
                "handle_delete".to_owned(),
                "handle_update".into(),
                "handle_view".into()
            ]
        );
    }
}

// handle_misc_api_test_SUITE:create_test
#[tokio::test]
async fn create_test() {
    let c = Ctx::start().await;
    let env = kinds::basic_env(&c, &kinds::HSERVICE, &["handle_service_register_handle"]).await;
    let doi = env.base.trim_start_matches("/handle_services/").to_owned();
    // a PID service: U1 without register_handle, U2 with it
    let pid = kinds::create_hservice(&c, &env.u1, &env.a1).await;
    c.set_privs(
        &format!("/handle_services/{pid}/users/{}/privileges", env.u1),
        &[],
        &["handle_service_register_handle".to_owned()],
    )
    .await;
    kinds::add_user(&c, &format!("/handle_services/{pid}"), &env.u2).await;
    c.set_privs(
        &format!("/handle_services/{pid}/users/{}/privileges", env.u2),
        &["handle_service_register_handle".to_owned()],
        &[],
    )
    .await;
    let share_with_handle = kinds::create_share(&c, &env.a1).await;
    c.s.post(
        "/handles",
        &c.root,
        kinds::handle_body(&doi, &share_with_handle),
    )
    .await
    .expect(201);
    let admin = c.admin(&["oz_handles_create"]).await;
    let share = kinds::create_share(&c, &env.a1).await;
    let body = kinds::handle_body(&doi, &share);
    // POST /handles has no auth hint: only an admin may, whatever the users' privileges
    c.expect_denied(
        Method::POST,
        "/handles",
        Some(body.clone()),
        &[&env.a1, &env.a2],
    )
    .await;
    let bad = [
        ("handleServiceId", json!(""), "badValueIdNotFound"),
        ("handleServiceId", json!(1234), "badValueIdNotFound"),
        ("resourceType", json!(""), "badValueNotAllowed"),
        ("resourceType", json!(1234), "badValueString"),
        ("resourceId", json!(""), "badValueIdNotFound"),
        ("resourceId", json!(1234), "badValueIdNotFound"),
        (
            "metadataPrefix",
            json!("bad_metadata"),
            "badValueNotAllowed",
        ),
        ("metadata", json!(1234), "badValueString"),
        (
            "metadata",
            json!("x".repeat(100_001)),
            "badValueTextTooLarge",
        ),
        ("metadata", json!("null"), "badValueXML"),
        ("metadata", json!("<a></b>"), "badValueXML"),
    ];
    c.expect_bad_values(Method::POST, "/handles", &admin, &body, &bad)
        .await;
    let mut dup = body.clone();
    dup["resourceId"] = json!(share_with_handle);
    c.s.post("/handles", &admin, dup)
        .await
        .expect_error(409, "alreadyExists");
    for service in [&doi, &pid] {
        let share = kinds::create_share(&c, &env.a1).await;
        let r =
            c.s.post("/handles", &admin, kinds::handle_body(service, &share))
                .await;
        r.expect(201);
        let id = r.location_id();
        upstream::expect_location(&r, &format!("/handles/{id}"));
        let g = c.s.get(&format!("/handles/{id}"), &c.root).await;
        assert_eq!(g.body["handleServiceId"], json!(service));
        assert_eq!(g.body["resourceId"], json!(share));
        // nobody is added: the handle has no members
        assert!(c
            .list(&format!("/handles/{id}/users"), "users")
            .await
            .is_empty());
    }
}

// handle_misc_api_test_SUITE:get_test (protected and public scopes)
#[tokio::test]
async fn get_test() {
    let c = Ctx::start().await;
    let env = kinds::basic_env(&c, &kinds::HANDLE, &["handle_view"]).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handles_view"]).await;
    c.expect_denied(Method::GET, &env.base, None, &[&non_admin])
        .await;
    for client in [&admin, &env.a1, &env.a2] {
        let r = c.s.get(&env.base, client).await;
        r.expect(200);
        assert_eq!(r.body["resourceType"], json!("Share"));
        assert_eq!(r.body["metadataPrefix"], json!("oai_dc"));
        assert_eq!(r.body["creator"], json!({"type": "user", "id": env.u1}));
        assert!(r.body["publicHandle"].is_string(), "{}", r.text);
    }
    for client in [&admin, &non_admin, &env.a1, &env.a2, &Auth::Nobody] {
        let r = c.s.get(&format!("{}/public", env.base), client).await;
        r.expect(200);
        assert!(r.body.get("creator").is_none(), "{}", r.text);
        assert_eq!(r.body["resourceType"], json!("Share"));
    }
}

/// update_test / delete_test env: a handle with a member holding only `privilege`, one with all
/// but it, and the service's members with only / all but `handle_service_manage_handles`.
struct ManageEnv {
    w: HandleWorld,
    only_the_priv: (String, Auth),
    all_but_the_priv: (String, Auth),
    hs_only: Auth,
    hs_all_but: Auth,
}

async fn manage_env(c: &Ctx) -> ManageEnv {
    let (hs_only_id, hs_only) = c.user().await;
    let w = world(c, &hs_only_id, &hs_only, &["handle_service_manage_handles"]).await;
    let (hs_all_but_id, hs_all_but) = c.user().await;
    let all_hs = c.all_privs("handle_services").await;
    kinds::add_user(c, &format!("/handle_services/{}", w.hs), &hs_all_but_id).await;
    c.put_privs(
        &format!("/handle_services/{}/users/{hs_all_but_id}/privileges", w.hs),
        &upstream::minus(&all_hs, &["handle_service_manage_handles"]),
        &all_hs,
    )
    .await;
    ManageEnv {
        w,
        only_the_priv: c.user().await,
        all_but_the_priv: c.user().await,
        hs_only,
        hs_all_but,
    }
}

async fn managed_handle(c: &Ctx, e: &ManageEnv, privilege: &str) -> String {
    let h = root_handle(c, &e.w).await;
    let base = format!("/handles/{h}");
    let all = c.all_privs("handles").await;
    kinds::add_user(c, &base, &e.all_but_the_priv.0).await;
    c.put_privs(
        &format!("{base}/users/{}/privileges", e.all_but_the_priv.0),
        &upstream::minus(&all, &[privilege]),
        &all,
    )
    .await;
    kinds::add_user(c, &base, &e.only_the_priv.0).await;
    c.put_privs(
        &format!("{base}/users/{}/privileges", e.only_the_priv.0),
        &[privilege.to_owned()],
        &all,
    )
    .await;
    h
}

// handle_misc_api_test_SUITE:update_test
#[tokio::test]
async fn update_test() {
    let c = Ctx::start().await;
    let e = manage_env(&c).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handles_update"]).await;
    let h = managed_handle(&c, &e, "handle_update").await;
    let path = format!("/handles/{h}");
    let body = json!({ "metadata": METADATA2 });
    c.expect_denied(
        Method::PATCH,
        &path,
        Some(body.clone()),
        &[&e.all_but_the_priv.1, &e.hs_all_but, &non_admin],
    )
    .await;
    c.expect_bad_values(
        Method::PATCH,
        &path,
        &admin,
        &body,
        &[
            ("metadata", json!(1234), "badValueString"),
            (
                "metadata",
                json!("x".repeat(100_001)),
                "badValueTextTooLarge",
            ),
        ],
    )
    .await;
    assert_eq!(
        c.s.get(&path, &c.root).await.body["metadata"],
        json!(METADATA)
    );
    for client in [&admin, &e.only_the_priv.1, &e.hs_only] {
        let h = managed_handle(&c, &e, "handle_update").await;
        let path = format!("/handles/{h}");
        c.s.patch(&path, client, body.clone()).await.expect(204);
        assert_eq!(
            c.s.get(&path, &c.root).await.body["metadata"],
            json!(METADATA2)
        );
    }
}

// handle_misc_api_test_SUITE:delete_test
#[tokio::test]
async fn delete_test() {
    let c = Ctx::start().await;
    let e = manage_env(&c).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handles_delete"]).await;
    let h = managed_handle(&c, &e, "handle_delete").await;
    let path = format!("/handles/{h}");
    c.expect_denied(
        Method::DELETE,
        &path,
        None,
        &[&e.all_but_the_priv.1, &e.hs_all_but, &non_admin],
    )
    .await;
    c.s.get(&path, &c.root).await.expect(200);
    for client in [&admin, &e.only_the_priv.1, &e.hs_only] {
        let h = managed_handle(&c, &e, "handle_delete").await;
        let path = format!("/handles/{h}");
        c.s.delete(&path, client).await.expect(204);
        assert!(!c.list("/handles", "handles").await.contains(&h));
    }
    c.s.delete(&path, &c.root).await.expect(204);
    let all = [
        &admin,
        &e.only_the_priv.1,
        &e.hs_only,
        &e.all_but_the_priv.1,
        &e.hs_all_but,
        &non_admin,
    ];
    c.expect_not_found_for_all(Method::DELETE, &path, &all)
        .await;
}

// handle_users_api_test_SUITE:list_eff_users_test
#[tokio::test]
async fn list_eff_users_test() {
    kinds::list_eff_users_test(&Ctx::start().await, &kinds::HANDLE).await;
}

// handle_users_api_test_SUITE:get_eff_user_test
#[tokio::test]
async fn get_eff_user_test() {
    kinds::get_eff_user_test(&Ctx::start().await, &kinds::HANDLE).await;
}

// handle_groups_api_test_SUITE:list_eff_groups_test
#[tokio::test]
async fn list_eff_groups_test() {
    kinds::list_eff_groups_test(&Ctx::start().await, &kinds::HANDLE).await;
}

// handle_users_api_test_SUITE:get_user_test
#[tokio::test]
async fn get_user_test() {
    kinds::get_user_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:get_eff_group_privileges_test
#[tokio::test]
async fn get_eff_group_privileges_test() {
    kinds::get_eff_group_privileges_test(&Ctx::start().await, &HANDLE).await;
}

// handle_groups_api_test_SUITE:get_group_test and get_eff_group_test
#[tokio::test]
async fn get_group_test() {
    kinds::get_group_test(&Ctx::start().await, &kinds::HANDLE).await;
}
