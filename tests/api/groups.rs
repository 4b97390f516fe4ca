//! §3.4 groups through HTTP: create (admin, self, child, parent), list, get, update, delete,
//! and what a group belongs to (parents, spaces, handle services, handles), each route against
//! nobody, bad credentials, a member without the privilege, a member with it and an admin.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Auth, TestServer};
use crate::members::{add_group, add_user, bad_token, denied, group, space};

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

async fn group_privileges_of(s: &TestServer, path: &str) -> Vec<String> {
    let r = s.get(path, &Auth::admin()).await;
    r.expect(200);
    r.set("privileges")
}

/// Group `Gx` of `owner`, with `viewer` (group_view) and `bare` (no privileges) as members.
struct Gx {
    g: String,
    owner_id: String,
    owner: Auth,
    viewer: Auth,
    bare: Auth,
}

async fn gx(s: &TestServer) -> Gx {
    let (owner_id, owner) = s.user("owner").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (bare_id, bare) = s.user("bare").await;
    let g = s.group(&owner, "Gx").await;
    add_user(s, "groups", &g, &viewer_id, &["group_view"]).await;
    add_user(s, "groups", &g, &bare_id, &[]).await;
    Gx {
        g,
        owner_id,
        owner,
        viewer,
        bare,
    }
}

/// POST `{"name"}` to `path` (a creation under Gx): refused to `viewer`; 201 for `owner` with
/// a `Location` of `path/{id}`. The new id.
async fn create_under(
    s: &TestServer,
    path: &str,
    name: &str,
    viewer: &Auth,
    owner: &Auth,
) -> String {
    let body = json!({ "name": name });
    denied(s, Method::POST, path, Some(body.clone()), viewer).await;
    let r = s.post(path, owner, body).await;
    r.expect(201);
    let id = r.location_id();
    assert!(
        r.header("location")
            .is_some_and(|l| l.ends_with(&format!("{path}/{id}"))),
        "{:?}",
        r.header("location")
    );
    id
}

#[tokio::test]
async fn create_group_as_admin_needs_oz_groups_create_and_adds_nobody() {
    let s = TestServer::start().await;
    let (creator, creator_auth) = s.user("creator").await;
    let (_, plain) = s.user("plain").await;
    let body = json!({"name": "Team A"});
    denied(&s, Method::POST, "/groups", Some(body.clone()), &plain).await;
    s.grant_oz(&creator, &["oz_groups_create"]).await;
    let r = s.post("/groups", &creator_auth, body.clone()).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/api/v3/onezone/groups/{id}"))));
    let users = s.get(&format!("/groups/{id}/users"), &Auth::admin()).await;
    users.expect(200);
    assert!(users.set("users").is_empty(), "{}", users.text);
    let g = s.get(&format!("/groups/{id}"), &Auth::admin()).await;
    g.expect(200);
    assert_eq!(g.body["groupId"], id);
    assert_eq!(g.body["name"], "Team A");
    assert_eq!(g.body["type"], "team");
    assert_eq!(g.body["creator"], json!({"type": "user", "id": creator}));
    assert!(g.body["creationTime"].is_i64());
    s.post(
        "/groups",
        &Auth::admin(),
        json!({"name": "Org", "type": "organization"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn create_group_for_self_makes_the_creator_its_admin() {
    let s = TestServer::start().await;
    let (u, auth) = s.user("ux").await;
    s.post("/user/groups", &Auth::Nobody, json!({"name": "G1"}))
        .await
        .expect_error(401, "unauthorized");
    s.post("/user/groups", &bad_token(), json!({"name": "G1"}))
        .await
        .expect_error(401, "unauthorized");
    let r = s
        .post("/user/groups", &auth, json!({"name": "G1", "type": "unit"}))
        .await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/user/groups/{id}"))));
    let admin_set = s
        .get("/groups/privileges", &Auth::Nobody)
        .await
        .set("admin");
    assert_eq!(admin_set.len(), 23);
    assert_eq!(
        group_privileges_of(&s, &format!("/groups/{id}/users/{u}/privileges")).await,
        admin_set
    );
    let g = s.get(&format!("/groups/{id}"), &auth).await;
    g.expect(200);
    assert_eq!(g.body["type"], "unit");
    // Body errors.
    let r = s
        .post("/user/groups", &auth, json!({"name": "Gx", "type": "club"}))
        .await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["key"], "type");
    assert_eq!(
        r.body["error"]["details"]["allowed"],
        json!(["organization", "unit", "team", "role_holders"])
    );
    assert_eq!(r.body["error"]["details"]["value"], "club");
    for wrong_type in [json!(1234), json!(["team"]), json!({"t": 1})] {
        let r = s
            .post(
                "/user/groups",
                &auth,
                json!({"name": "Gx", "type": wrong_type}),
            )
            .await;
        r.expect_error(400, "badValueString");
        assert_eq!(
            r.body["error"]["details"],
            json!({"key": "type"}),
            "{}",
            r.text
        );
    }
    s.post("/user/groups", &auth, json!({"name": "x"}))
        .await
        .expect_error(400, "badValueName");
    let r = s.post("/user/groups", &auth, json!({})).await;
    r.expect_error(400, "missingRequiredValue");
    assert_eq!(r.body["error"]["details"]["key"], "name");
    s.post("/user/groups", &auth, json!([1]))
        .await
        .expect_error(400, "malformedData");
}

#[tokio::test]
async fn list_groups_needs_oz_groups_list() {
    let s = TestServer::start().await;
    let (lister, lister_auth) = s.user("lister").await;
    let (_, plain) = s.user("plain").await;
    let g = s.group(&plain, "Mine").await;
    denied(&s, Method::GET, "/groups", None, &plain).await;
    s.grant_oz(&lister, &["oz_groups_list"]).await;
    let r = s.get("/groups", &lister_auth).await;
    r.expect(200);
    assert_eq!(r.set("groups"), sorted(&["admins", &g]));
    s.get("/groups", &Auth::admin()).await.expect(200);
}

#[tokio::test]
async fn get_group_for_effective_members_and_viewers() {
    let s = TestServer::start().await;
    let (_, owner) = s.user("owner").await;
    let (member, member_auth) = s.user("member").await;
    let (deep, deep_auth) = s.user("deep").await;
    let (viewer, viewer_auth) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let g = s.group(&owner, "Gx").await;
    add_user(&s, "groups", &g, &member, &[]).await;
    let child = group(&s, "Child").await;
    add_group(&s, "groups", &g, &child, &[]).await;
    add_user(&s, "groups", &child, &deep, &[]).await;
    let path = format!("/groups/{g}");
    // Missing group: 404 even for nobody.
    s.get("/groups/missing", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    denied(&s, Method::GET, &path, None, &outsider).await;
    // Membership with no privileges at all suffices, at any depth.
    s.get(&path, &member_auth).await.expect(200);
    let r = s.get(&path, &deep_auth).await;
    r.expect(200);
    assert_eq!(r.body["name"], "Gx");
    s.grant_oz(&viewer, &["oz_groups_view"]).await;
    s.get(&path, &viewer_auth).await.expect(200);
    s.get(&path, &Auth::admin()).await.expect(200);
}

#[tokio::test]
async fn update_group_needs_group_update() {
    let s = TestServer::start().await;
    let (_, owner) = s.user("owner").await;
    let (member, member_auth) = s.user("member").await;
    let (updater, updater_auth) = s.user("updater").await;
    let g = s.group(&owner, "Gx").await;
    add_user(&s, "groups", &g, &member, &["group_view"]).await;
    add_user(&s, "groups", &g, &updater, &["group_update"]).await;
    let path = format!("/groups/{g}");
    s.patch("/groups/missing", &Auth::Nobody, json!({"name": "Nx"}))
        .await
        .expect_error(404, "notFound");
    denied(
        &s,
        Method::PATCH,
        &path,
        Some(json!({"name": "Nx"})),
        &member_auth,
    )
    .await;
    s.patch(&path, &updater_auth, json!({"name": "Renamed"}))
        .await
        .expect(204);
    s.patch(&path, &Auth::admin(), json!({"type": "role_holders"}))
        .await
        .expect(204);
    let r = s.get(&path, &member_auth).await;
    assert_eq!(r.body["name"], "Renamed");
    assert_eq!(r.body["type"], "role_holders");
    let r = s.patch(&path, &updater_auth, json!({})).await;
    r.expect_error(400, "missingAtLeastOneValue");
    assert_eq!(r.body["error"]["details"]["keys"], json!(["name", "type"]));
    // Onezone reads `type` as an atom: a number is not a string at all; a JSON literal is an
    // atom that is not allowed.
    let r = s.patch(&path, &updater_auth, json!({"type": 3})).await;
    r.expect_error(400, "badValueString");
    assert_eq!(r.body["error"]["details"], json!({"key": "type"}));
    let r = s.patch(&path, &updater_auth, json!({"type": true})).await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["value"], json!(true));
    s.patch(&path, &updater_auth, json!({"name": " bad"}))
        .await
        .expect_error(400, "badValueName");
    // Body errors only after authorization.
    s.patch(&path, &member_auth, json!({}))
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn delete_group_needs_group_delete_and_admins_is_protected() {
    let s = TestServer::start().await;
    let (_, owner) = s.user("owner").await;
    let (member, member_auth) = s.user("member").await;
    let (deleter, deleter_auth) = s.user("deleter").await;
    let g = s.group(&owner, "Gx").await;
    let parent = s.group(&owner, "Px").await;
    s.put(&format!("/groups/{parent}/children/{g}"), &owner, json!({}))
        .await
        .expect(201);
    add_user(&s, "groups", &g, &member, &["group_view", "group_update"]).await;
    add_user(&s, "groups", &g, &deleter, &["group_delete"]).await;
    let path = format!("/groups/{g}");
    denied(&s, Method::DELETE, &path, None, &member_auth).await;
    s.delete(&path, &deleter_auth).await.expect(204);
    s.get(&path, &Auth::admin())
        .await
        .expect_error(404, "notFound");
    s.delete(&path, &deleter_auth)
        .await
        .expect_error(404, "notFound");
    // Its edges are gone with it.
    let r = s.get(&format!("/groups/{parent}/children"), &owner).await;
    assert!(r.set("groups").is_empty(), "{}", r.text);
    let r = s.get("/user/groups", &member_auth).await;
    if r.status.as_u16() == 200 {
        assert!(!r.set("groups").contains(&g));
    }
    // Admin deletes any group, except the predefined `admins`.
    let other = s.group(&owner, "Other").await;
    s.delete(&format!("/groups/{other}"), &Auth::admin())
        .await
        .expect(204);
    s.delete("/groups/admins", &Auth::admin())
        .await
        .expect_error(403, "protectedGroup");
    s.delete("/groups/admins", &member_auth)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn create_child_group() {
    let s = TestServer::start().await;
    let (_, owner) = s.user("owner").await;
    let (member, member_auth) = s.user("member").await;
    let (adder, adder_auth) = s.user("adder").await;
    let p = s.group(&owner, "Px").await;
    add_user(&s, "groups", &p, &member, &["group_view"]).await;
    add_user(&s, "groups", &p, &adder, &["group_add_child"]).await;
    let path = format!("/groups/{p}/children");
    let body = json!({"name": "Child"});
    s.post("/groups/missing/children", &Auth::Nobody, body.clone())
        .await
        .expect_error(404, "notFound");
    denied(&s, Method::POST, &path, Some(body.clone()), &member_auth).await;
    let r = s.post(&path, &adder_auth, body.clone()).await;
    r.expect(201);
    let c = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/groups/{p}/children/{c}"))));
    // The client is admin of the child; the child is a plain member of P.
    let all = s
        .get("/groups/privileges", &Auth::Nobody)
        .await
        .set("admin");
    assert_eq!(
        group_privileges_of(&s, &format!("/groups/{c}/users/{adder}/privileges")).await,
        all
    );
    assert_eq!(
        group_privileges_of(&s, &format!("/groups/{p}/children/{c}/privileges")).await,
        vec!["group_view".to_owned()]
    );
    let r = s
        .post(&path, &Auth::admin(), json!({"name": "ByAdmin"}))
        .await;
    r.expect(201);
    let children = s.get(&path, &member_auth).await;
    children.expect(200);
    assert_eq!(children.set("groups"), sorted(&[&c, &r.location_id()]));
    // The type check comes before the name rule (seed 002's example error).
    let r = s.post(&path, &adder_auth, json!({"name": 5})).await;
    r.expect_error(400, "badValueString");
    assert_eq!(r.body["error"]["details"], json!({"key": "name"}));
}

#[tokio::test]
async fn parents_create_list_get_and_leave() {
    let s = TestServer::start().await;
    let Gx {
        g,
        owner,
        viewer: viewer_auth,
        bare: bare_auth,
        ..
    } = gx(&s).await;

    // POST /groups/{id}/parents: group_add_parent; G becomes admin of the new parent.
    let path = format!("/groups/{g}/parents");
    let p1 = create_under(&s, &path, "P1", &viewer_auth, &owner).await;
    let all = s
        .get("/groups/privileges", &Auth::Nobody)
        .await
        .set("admin");
    assert_eq!(
        group_privileges_of(&s, &format!("/groups/{p1}/children/{g}/privileges")).await,
        all
    );
    // The creator of a parent is not made a member of it.
    let users = s.get(&format!("/groups/{p1}/users"), &Auth::admin()).await;
    assert!(users.set("users").is_empty());
    // P1 ⊂ P2: P2 is an effective, not a direct, parent of G.
    let p2 = group(&s, "P2").await;
    add_group(&s, "groups", &p2, &p1, &[]).await;

    denied(&s, Method::GET, &path, None, &bare_auth).await;
    let r = s.get(&path, &viewer_auth).await;
    r.expect(200);
    assert_eq!(r.set("groups"), vec![p1.clone()]);
    let eff = format!("/groups/{g}/effective_parents");
    denied(&s, Method::GET, &eff, None, &bare_auth).await;
    let r = s.get(&eff, &viewer_auth).await;
    assert_eq!(r.set("groups"), sorted(&[&p1, &p2]));
    let (lister, lister_auth) = s.user("lister").await;
    s.grant_oz(&lister, &["oz_groups_list_relationships"]).await;
    s.get(&eff, &lister_auth).await.expect(200);

    // GET one parent: through group_view in G.
    let one = format!("/groups/{g}/parents/{p2}");
    // Outsiders are refused; members of G without group_view still see P2, whose effective
    // members they are anyway.
    let (_, outsider) = s.user("outsider").await;
    denied(&s, Method::GET, &one, None, &outsider).await;
    s.get(&one, &bare_auth).await.expect(200);
    let r = s.get(&one, &viewer_auth).await;
    r.expect(200);
    assert_eq!(r.body["groupId"], p2);
    assert_eq!(r.body["name"], "P2");
    s.get(&format!("/groups/{g}/effective_parents/{p1}"), &viewer_auth)
        .await
        .expect(200);
    s.get(&format!("/groups/{g}/parents/{g}"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");

    // Leave: group_leave_parent in G; only direct parents.
    let leave = format!("/groups/{g}/parents/{p1}");
    denied(&s, Method::DELETE, &leave, None, &viewer_auth).await;
    s.delete(&format!("/groups/{g}/parents/{p2}"), &owner)
        .await
        .expect_error(404, "notFound");
    s.delete(&leave, &owner).await.expect(204);
    let r = s.get(&eff, &viewer_auth).await;
    assert!(r.set("groups").is_empty(), "{}", r.text);
}

#[tokio::test]
async fn spaces_of_a_group() {
    let s = TestServer::start().await;
    let Gx {
        g,
        owner_id,
        owner,
        viewer: viewer_auth,
        bare: bare_auth,
    } = gx(&s).await;

    // Create a space for the group: group_add_space in G.
    let path = format!("/groups/{g}/spaces");
    let s1 = create_under(&s, &path, "S1", &viewer_auth, &owner).await;
    let all = s
        .get("/spaces/privileges", &Auth::Nobody)
        .await
        .set("admin");
    let r = s
        .get(
            &format!("/spaces/{s1}/groups/{g}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(r.set("privileges"), all);
    let owners = s.get(&format!("/spaces/{s1}/owners"), &owner).await;
    owners.expect(200);
    assert_eq!(owners.set("users"), vec![owner_id.clone()]);
    // Reference §1.7: the creating user is also a direct member, with every privilege.
    let users = s.get(&format!("/spaces/{s1}/users"), &Auth::admin()).await;
    assert_eq!(users.set("users"), vec![owner_id.clone()]);
    let r = s
        .get(
            &format!("/spaces/{s1}/users/{owner_id}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(r.set("privileges"), all);
    // By an admin who is not in the group: the space gets no owner.
    let r = s.post(&path, &Auth::admin(), json!({"name": "S2"})).await;
    r.expect(201);
    let s2 = r.location_id();
    let owners = s.get(&format!("/spaces/{s2}/owners"), &Auth::admin()).await;
    assert!(owners.set("users").is_empty(), "{}", owners.text);

    // A parent's space is an effective space of G.
    let p = group(&s, "Px").await;
    add_group(&s, "groups", &p, &g, &[]).await;
    let s3 = space(&s, "S3").await;
    add_group(&s, "spaces", &s3, &p, &["space_view"]).await;

    denied(&s, Method::GET, &path, None, &bare_auth).await;
    let r = s.get(&path, &viewer_auth).await;
    r.expect(200);
    assert_eq!(r.set("spaces"), sorted(&[&s1, &s2]));
    let eff = format!("/groups/{g}/effective_spaces");
    denied(&s, Method::GET, &eff, None, &bare_auth).await;
    let r = s.get(&eff, &viewer_auth).await;
    assert_eq!(r.set("spaces"), sorted(&[&s1, &s2, &s3]));

    let one = format!("/groups/{g}/effective_spaces/{s3}");
    let r = s.get(&one, &viewer_auth).await;
    r.expect(200);
    assert_eq!(r.body["spaceId"], s3);
    assert_eq!(r.body["name"], "S3");
    s.get(&format!("/groups/{g}/spaces/{s1}"), &Auth::admin())
        .await
        .expect(200);
    let lone = space(&s, "Lone").await;
    s.get(&format!("/groups/{g}/spaces/{lone}"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");

    // Leave: group_leave_space; only direct spaces.
    let leave = format!("/groups/{g}/spaces/{s1}");
    denied(&s, Method::DELETE, &leave, None, &viewer_auth).await;
    s.delete(&format!("/groups/{g}/spaces/{s3}"), &owner)
        .await
        .expect_error(404, "notFound");
    s.delete(&leave, &owner).await.expect(204);
    s.delete(&format!("/groups/{g}/spaces/{s2}"), &Auth::admin())
        .await
        .expect(204);
    let r = s.get(&path, &viewer_auth).await;
    assert!(r.set("spaces").is_empty(), "{}", r.text);
}

#[tokio::test]
async fn handle_services_and_handles_of_a_group() {
    let s = TestServer::start().await;
    let Gx {
        g,
        owner,
        viewer: viewer_auth,
        bare: bare_auth,
        ..
    } = gx(&s).await;
    let p = group(&s, "Px").await;
    add_group(&s, "groups", &p, &g, &[]).await;

    let service = |name: &str| json!({"name": name, "proxyEndpoint": "https://proxy.example", "serviceProperties": {"type": "DOI", "prefix": "10.5072"}});
    let r = s
        .post("/handle_services", &Auth::admin(), service("Direct"))
        .await;
    r.expect(201);
    let hs1 = r.location_id();
    let r = s
        .post("/handle_services", &Auth::admin(), service("Inherited"))
        .await;
    r.expect(201);
    let hs2 = r.location_id();
    s.put(
        &format!("/handle_services/{hs1}/groups/{g}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.put(
        &format!("/handle_services/{hs2}/groups/{p}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);

    let path = format!("/groups/{g}/handle_services");
    denied(&s, Method::GET, &path, None, &bare_auth).await;
    let r = s.get(&path, &viewer_auth).await;
    r.expect(200);
    assert_eq!(r.set("handle_services"), vec![hs1.clone()]);
    let r = s
        .get(
            &format!("/groups/{g}/effective_handle_services"),
            &viewer_auth,
        )
        .await;
    assert_eq!(r.set("handle_services"), sorted(&[&hs1, &hs2]));
    let r = s
        .get(&format!("/groups/{g}/handle_services/{hs2}"), &viewer_auth)
        .await;
    r.expect(200);
    assert_eq!(r.body["handleServiceId"], hs2);
    assert_eq!(r.body["name"], "Inherited");

    let r = s.get(&format!("/groups/{g}/handles"), &viewer_auth).await;
    r.expect(200);
    assert!(r.set("handles").is_empty());
    denied(
        &s,
        Method::GET,
        &format!("/groups/{g}/effective_handles"),
        None,
        &bare_auth,
    )
    .await;

    // Leave a handle service: group_leave_handle_service; only direct ones.
    let leave = format!("/groups/{g}/handle_services/{hs1}");
    denied(&s, Method::DELETE, &leave, None, &viewer_auth).await;
    s.delete(&format!("/groups/{g}/handle_services/{hs2}"), &owner)
        .await
        .expect_error(404, "notFound");
    s.delete(&leave, &owner).await.expect(204);
    let r = s
        .get(
            &format!("/groups/{g}/effective_handle_services"),
            &viewer_auth,
        )
        .await;
    assert_eq!(r.set("handle_services"), vec![hs2]);
    s.delete(&format!("/groups/{g}/handles/nope"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
}

/// §3.4 nested groups: membership and privileges flow up through any depth, and a child
/// added by an admin brings its users along.
#[tokio::test]
async fn nested_groups_through_http() {
    let s = TestServer::start().await;
    let (u, u_auth) = s.user("ux").await;
    let (_, owner) = s.user("owner").await;
    let top = s.group(&owner, "Top").await;
    let mid = s.group(&owner, "Mid").await;
    let low = s.group(&owner, "Low").await;
    // Adding a child needs group_add_child in the parent AND group_add_parent in the child.
    s.put(&format!("/groups/{top}/children/{mid}"), &u_auth, json!({}))
        .await
        .expect_error(403, "forbidden");
    s.put(
        &format!("/groups/{top}/children/{mid}"),
        &owner,
        json!({"privileges": ["group_view", "group_add_user"]}),
    )
    .await
    .expect(201);
    s.put(&format!("/groups/{mid}/children/{low}"), &owner, json!({}))
        .await
        .expect(201);
    add_user(&s, "groups", &low, &u, &[]).await;
    // U is an effective member of Top with Mid's privileges there.
    let r = s.get(&format!("/groups/{top}"), &u_auth).await;
    r.expect(200);
    let r = s
        .get(
            &format!("/groups/{top}/effective_users/{u}/privileges"),
            &u_auth,
        )
        .await;
    r.expect(200);
    assert_eq!(
        r.set("privileges"),
        sorted(&["group_view", "group_add_user"])
    );
    let r = s
        .get(&format!("/groups/{top}/effective_users"), &u_auth)
        .await;
    r.expect(200);
    assert!(r.set("users").contains(&u));
    // group_view reached through Mid lets U list Top's children.
    let r = s.get(&format!("/groups/{top}/children"), &u_auth).await;
    r.expect(200);
    assert_eq!(r.set("groups"), vec![mid.clone()]);
    // U's effective groups list Top (if the user routes are there).
    let r = s.get("/user/effective_groups", &u_auth).await;
    if r.status.as_u16() == 200 {
        assert_eq!(r.set("groups"), sorted(&[&top, &mid, &low]));
    }
}

#[tokio::test]
async fn child_privileges_answer_on_the_17_06_nested_path_too() {
    let s = TestServer::start().await;
    let (_, owner_auth) = s.user("owner").await;
    let p = s.group(&owner_auth, "Parent").await;
    let r = s
        .post(
            &format!("/groups/{p}/children"),
            &owner_auth,
            json!({"name": "Child"}),
        )
        .await;
    r.expect(201);
    let c = r.location_id();
    let nested = format!("/groups/{p}/nested/{c}/privileges");
    s.put(
        &nested,
        &owner_auth,
        json!({"privileges": ["group_view", "group_update"]}),
    )
    .await
    .expect(204);
    s.patch(
        &nested,
        &owner_auth,
        json!({"privileges": ["group_add_user"], "operation": "grant"}),
    )
    .await
    .expect(204);
    let expected = vec![
        "group_add_user".to_owned(),
        "group_update".to_owned(),
        "group_view".to_owned(),
    ];
    assert_eq!(group_privileges_of(&s, &nested).await, expected);
    assert_eq!(
        group_privileges_of(&s, &format!("/groups/{p}/children/{c}/privileges")).await,
        expected,
        "the old path is the same membership as the current one"
    );
}
