//! Onezone's `hservice_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::Auth;
use crate::upstream::{self, Ctx};
use crate::upstream_kinds::{self as kinds, HSERVICE};

// hservice_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_users_api_test_SUITE:get_user_privileges_test
#[tokio::test]
async fn get_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_users_api_test_SUITE:add_user_test
#[tokio::test]
async fn add_user_test() {
    kinds::add_user_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_users_api_test_SUITE:get_eff_user_privileges_test
#[tokio::test]
async fn get_eff_user_privileges_test() {
    kinds::get_eff_user_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:list_groups_test
#[tokio::test]
async fn list_groups_test() {
    kinds::list_groups_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:remove_group_test
#[tokio::test]
async fn remove_group_test() {
    kinds::remove_group_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:get_group_privileges_test
#[tokio::test]
async fn get_group_privileges_test() {
    kinds::get_group_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:update_group_privileges_test
#[tokio::test]
async fn update_group_privileges_test() {
    kinds::update_group_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:add_group_test
#[tokio::test]
async fn add_group_test() {
    kinds::add_group_test(&Ctx::start().await, &HSERVICE).await;
}

const NAME1: &str = "LifeWatch DataCite";
const PROXY_ENDPOINT: &str = "172.17.0.9:8080/api/v1";

fn doi_properties() -> Value {
    json!({
        "type": "DOI",
        "host": "https://mds.test.datacite.org",
        "doiEndpoint": "/doi",
        "metadataEndpoint": "/metadata",
        "mediaEndpoint": "/media",
        "prefix": "10.5072",
        "username": "alice",
        "password": "*******",
        "identifierTemplate": "{{space.name}}-{{space.guid}}",
        "allowTemplateOverride": false
    })
}

fn pid_properties() -> Value {
    json!({
        "type": "PID",
        "endpoint": "https://epic.grnet.gr/api/v2/handles",
        "prefix": "11789",
        "suffixGeneration": "auto",
        "suffixPrefix": "{{space.name}}",
        "suffixSuffix": "{{user.name}}",
        "username": "alice",
        "password": "*******",
        "identifierTemplate": "{{space.name}}-{{space.guid}}",
        "allowTemplateOverride": false
    })
}

fn doi_service() -> Value {
    json!({"name": NAME1, "proxyEndpoint": PROXY_ENDPOINT, "serviceProperties": doi_properties()})
}

// hservice_misc_api_test_SUITE:create_test
#[tokio::test]
async fn create_test() {
    let c = Ctx::start().await;
    let (_, u1) = c.user().await;
    let u2 = c.admin(&["oz_handle_services_create"]).await;
    let u3 = c.admin(&["oz_handle_services_create"]).await;
    let body = doi_service();
    c.expect_denied(Method::POST, "/handle_services", Some(body.clone()), &[&u1])
        .await;
    c.expect_bad_values(
        Method::POST,
        "/handle_services",
        &u2,
        &body,
        &upstream::hservice_bad_values(),
    )
    .await;
    for client in [&u2, &u3] {
        for props in [doi_properties(), pid_properties()] {
            let body =
                json!({"name": NAME1, "proxyEndpoint": PROXY_ENDPOINT, "serviceProperties": props});
            let r = c.s.post("/handle_services", client, body).await;
            r.expect(201);
            let id = r.location_id();
            upstream::expect_location(&r, &format!("/handle_services/{id}"));
            let g = c.s.get(&format!("/handle_services/{id}"), &c.root).await;
            g.expect(200);
            assert_eq!(g.body["name"], json!(NAME1));
            assert_eq!(g.body["proxyEndpoint"], json!(PROXY_ENDPOINT));
            assert_eq!(g.body["serviceProperties"], props);
        }
    }
}

// hservice_misc_api_test_SUITE:list_test
#[tokio::test]
async fn list_test() {
    let c = Ctx::start().await;
    let (u1_id, u1) = c.user().await;
    let (_, non_admin) = c.user().await;
    let mut expected = vec![];
    for _ in 0..5 {
        expected.push(kinds::create_hservice(&c, &u1_id, &u1).await);
    }
    let admin = c.admin(&["oz_handle_services_list"]).await;
    c.expect_denied(Method::GET, "/handle_services", None, &[&u1, &non_admin])
        .await;
    let r = c.s.get("/handle_services", &admin).await;
    r.expect(200);
    assert_eq!(r.set("handle_services"), upstream::sorted(&expected));
}

// hservice_misc_api_test_SUITE:list_privileges_test
#[tokio::test]
async fn list_privileges_test() {
    let c = Ctx::start().await;
    for client in [&Auth::Nobody, &c.root] {
        let r = c.s.get("/handle_services/privileges", client).await;
        r.expect(200);
        assert_eq!(r.set("member"), strs(&HS_MEMBER));
        assert_eq!(r.set("admin"), strs(&HS_ALL));
    }
}

const HS_MEMBER: [&str; 3] = [
    "handle_service_list_handles",
    "handle_service_register_handle",
    "handle_service_view",
];
const HS_ALL: [&str; 6] = [
    "handle_service_delete",
    "handle_service_list_handles",
    "handle_service_manage_handles",
    "handle_service_register_handle",
    "handle_service_update",
    "handle_service_view",
];

fn strs(v: &[&str]) -> Vec<String> {
    upstream::sorted_owned(v.iter().map(|s| s.to_string()).collect())
}

// hservice_misc_api_test_SUITE:get_test (protected and public scopes, the ones REST serves)
#[tokio::test]
async fn get_test() {
    let c = Ctx::start().await;
    let env = kinds::basic_env(&c, &HSERVICE, &["handle_service_view"]).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handle_services_view"]).await;
    let path = env.base.clone();
    c.expect_denied(Method::GET, &path, None, &[&non_admin])
        .await;
    for client in [&admin, &env.a1, &env.a2] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.body["name"], json!("LifeWatch DataCite"));
        assert_eq!(r.body["creator"], json!({"type": "user", "id": env.u1}));
        assert!(r.body["creationTime"].is_number(), "{}", r.text);
        assert!(r.body["serviceProperties"].is_object(), "{}", r.text);
    }
    for client in [&env.a2, &admin, &non_admin, &env.a1, &Auth::Nobody] {
        let r = c.s.get(&format!("{path}/public"), client).await;
        r.expect(200);
        assert_eq!(r.body["name"], json!("LifeWatch DataCite"));
        assert!(r.body["handleServiceId"].is_string(), "{}", r.text);
    }
}

/// U1 creates a service (and loses `privilege`), U2 is added holding it.
async fn misc_env(c: &Ctx, u1: &str, a1: &Auth, u2: &str, privilege: &str) -> String {
    let hs = kinds::create_hservice(c, u1, a1).await;
    let base = format!("/handle_services/{hs}");
    c.set_privs(
        &format!("{base}/users/{u1}/privileges"),
        &[],
        &[privilege.to_owned()],
    )
    .await;
    kinds::add_user(c, &base, u2).await;
    c.set_privs(
        &format!("{base}/users/{u2}/privileges"),
        &[privilege.to_owned()],
        &[],
    )
    .await;
    hs
}

// hservice_misc_api_test_SUITE:update_test
#[tokio::test]
async fn update_test() {
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handle_services_update"]).await;
    let hs = misc_env(&c, &u1, &a1, &u2, "handle_service_update").await;
    let path = format!("/handle_services/{hs}");
    let full = json!({"name": "unique-name", "proxyEndpoint": PROXY_ENDPOINT, "serviceProperties": pid_properties()});
    c.expect_denied(Method::PATCH, &path, Some(full.clone()), &[&a1, &non_admin])
        .await;
    c.expect_bad_values(
        Method::PATCH,
        &path,
        &a2,
        &full,
        &upstream::hservice_bad_values(),
    )
    .await;
    let r = c.s.get(&path, &c.root).await;
    assert_eq!(
        r.body["name"],
        json!("LifeWatch DataCite"),
        "denied or bad updates change nothing"
    );
    let bodies = [
        full,
        json!({"name": "unique-name"}),
        json!({"proxyEndpoint": PROXY_ENDPOINT}),
        json!({"serviceProperties": pid_properties()}),
    ];
    for client in [&admin, &a2] {
        for body in &bodies {
            let hs = misc_env(&c, &u1, &a1, &u2, "handle_service_update").await;
            let path = format!("/handle_services/{hs}");
            c.s.patch(&path, client, body.clone()).await.expect(204);
            let r = c.s.get(&path, &c.root).await;
            for (k, v) in body.as_object().into_iter().flatten() {
                assert_eq!(&r.body[k], v, "PATCH {body}");
            }
        }
    }
}

// hservice_misc_api_test_SUITE:delete_test (with and without handles)
#[tokio::test]
async fn delete_test() {
    let c = Ctx::start().await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_handle_services_delete"]).await;
    for has_handles in [true, false] {
        let env = || async {
            let hs = misc_env(&c, &u1, &a1, &u2, "handle_service_delete").await;
            let mut handles = vec![];
            if has_handles {
                for _ in 0..3 {
                    let share = kinds::create_share(&c, &a1).await;
                    let r =
                        c.s.post("/handles", &c.root, kinds::handle_body(&hs, &share))
                            .await;
                    r.expect(201);
                    handles.push(r.location_id());
                }
            }
            (hs, handles)
        };
        let (hs, _) = env().await;
        let path = format!("/handle_services/{hs}");
        c.expect_denied(Method::DELETE, &path, None, &[&a1, &non_admin])
            .await;
        for client in [&admin, &a2] {
            let (hs, handles) = env().await;
            let path = format!("/handle_services/{hs}");
            let r = c.s.delete(&path, client).await;
            if has_handles {
                r.expect_error(400, "cannotDeleteNonEmptyHandleService");
                assert!(c
                    .list("/handle_services", "handle_services")
                    .await
                    .contains(&hs));
                for h in handles {
                    c.s.delete(&format!("/handles/{h}"), &c.root)
                        .await
                        .expect(204);
                }
                c.s.delete(&path, client).await.expect(204);
            } else {
                r.expect(204);
            }
            assert!(!c
                .list("/handle_services", "handle_services")
                .await
                .contains(&hs));
        }
        // delete_entity: once deleted, everybody gets 404
        let (hs, handles) = env().await;
        for h in handles {
            c.s.delete(&format!("/handles/{h}"), &c.root)
                .await
                .expect(204);
        }
        let path = format!("/handle_services/{hs}");
        c.s.delete(&path, &c.root).await.expect(204);
        c.expect_not_found_for_all(Method::DELETE, &path, &[&admin, &a2, &a1, &non_admin])
            .await;
    }
}

// hservice_users_api_test_SUITE:list_eff_users_test
#[tokio::test]
async fn list_eff_users_test() {
    kinds::list_eff_users_test(&Ctx::start().await, &kinds::HSERVICE).await;
}

// hservice_users_api_test_SUITE:get_eff_user_test
#[tokio::test]
async fn get_eff_user_test() {
    kinds::get_eff_user_test(&Ctx::start().await, &kinds::HSERVICE).await;
}

// hservice_groups_api_test_SUITE:list_eff_groups_test
#[tokio::test]
async fn list_eff_groups_test() {
    kinds::list_eff_groups_test(&Ctx::start().await, &kinds::HSERVICE).await;
}

// hservice_users_api_test_SUITE:get_user_test
#[tokio::test]
async fn get_user_test() {
    kinds::get_user_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_groups_api_test_SUITE:get_eff_group_privileges_test
#[tokio::test]
async fn get_eff_group_privileges_test() {
    kinds::get_eff_group_privileges_test(&Ctx::start().await, &HSERVICE).await;
}

// hservice_misc_api_test_SUITE:list_handles_test
#[tokio::test]
async fn list_handles_test() {
    let c = Ctx::start().await;
    let env = kinds::basic_env(&c, &HSERVICE, &["handle_service_list_handles"]).await;
    let (_, non_admin) = c.user().await;
    let hs = env.base.trim_start_matches("/handle_services/").to_owned();
    let mut expected = vec![];
    for _ in 0..3 {
        let share = kinds::create_share(&c, &env.a1).await;
        let r =
            c.s.post("/handles", &c.root, kinds::handle_body(&hs, &share))
                .await;
        r.expect(201);
        expected.push(r.location_id());
    }
    let admin = c.admin(&["oz_handle_services_list_relationships"]).await;
    let path = format!("{}/handles", env.base);
    c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
        .await;
    for client in [&admin, &env.a2] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set("handles"), upstream::sorted(&expected));
    }
}

// hservice_misc_api_test_SUITE:get_handle_test
#[tokio::test]
async fn get_handle_test() {
    let c = Ctx::start().await;
    let env = kinds::basic_env(&c, &HSERVICE, &["handle_service_view"]).await;
    let (_, non_admin) = c.user().await;
    let hs = env.base.trim_start_matches("/handle_services/").to_owned();
    let share = kinds::create_share(&c, &env.a1).await;
    let r =
        c.s.post("/handles", &c.root, kinds::handle_body(&hs, &share))
            .await;
    r.expect(201);
    let h = r.location_id();
    let admin = c.admin(&["oz_handles_view"]).await;
    let path = format!("{}/handles/{h}", env.base);
    c.expect_denied(Method::GET, &path, None, &[&env.a1, &non_admin])
        .await;
    for client in [&admin, &env.a2] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.body["handleId"], json!(h));
        assert_eq!(r.body["handleServiceId"], json!(hs));
        assert_eq!(r.body["resourceId"], json!(share));
        // created by root over REST here: upstream's ?SUB(nobody) is a root-created handle
        assert!(r.body["creator"].is_object(), "{}", r.text);
    }
}

// hservice_groups_api_test_SUITE:get_group_test and get_eff_group_test
#[tokio::test]
async fn get_group_test() {
    kinds::get_group_test(&Ctx::start().await, &HSERVICE).await;
}
