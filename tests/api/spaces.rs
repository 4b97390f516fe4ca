//! §3.6 spaces and the shares extension through HTTP: create (admin, self), list, get, update,
//! delete, owners (only owners or `oz_spaces_set_privileges`; the last owner stays), shares.

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

#[tokio::test]
async fn create_space_as_admin_and_for_self() {
    let s = TestServer::start().await;
    let (creator, creator_auth) = s.user("creator").await;
    let (u, u_auth) = s.user("ux").await;
    let body = json!({"name": "Data"});
    denied(&s, Method::POST, "/spaces", Some(body.clone()), &u_auth).await;
    s.grant_oz(&creator, &["oz_spaces_create"]).await;
    let r = s.post("/spaces", &creator_auth, body.clone()).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/api/v3/onezone/spaces/{id}"))));
    let users = s.get(&format!("/spaces/{id}/users"), &Auth::admin()).await;
    assert!(users.set("users").is_empty(), "{}", users.text);
    let owners = s.get(&format!("/spaces/{id}/owners"), &Auth::admin()).await;
    assert!(owners.set("users").is_empty(), "{}", owners.text);

    // For self: admin privileges and ownership.
    s.post("/user/spaces", &Auth::Nobody, body.clone())
        .await
        .expect_error(401, "unauthorized");
    s.post("/user/spaces", &bad_token(), body.clone())
        .await
        .expect_error(401, "unauthorized");
    let r = s.post("/user/spaces", &u_auth, body.clone()).await;
    r.expect(201);
    let mine = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/user/spaces/{mine}"))));
    let all = s
        .get("/spaces/privileges", &Auth::Nobody)
        .await
        .set("admin");
    assert_eq!(all.len(), 39);
    let r = s
        .get(&format!("/spaces/{mine}/users/{u}/privileges"), &u_auth)
        .await;
    r.expect(200);
    assert_eq!(r.set("privileges"), all);
    let r = s.get(&format!("/spaces/{mine}/owners"), &u_auth).await;
    r.expect(200);
    assert_eq!(r.set("users"), vec![u.clone()]);
    let r = s.get(&format!("/spaces/{mine}"), &u_auth).await;
    r.expect(200);
    assert_eq!(r.body["spaceId"], mine);
    assert_eq!(r.body["name"], "Data");
    assert_eq!(r.body["creator"], json!({"type": "user", "id": u}));
    s.post("/user/spaces", &u_auth, json!({}))
        .await
        .expect_error(400, "missingRequiredValue");
    s.post("/user/spaces", &u_auth, json!({"name": "-x-"}))
        .await
        .expect_error(400, "badValueName");
}

#[tokio::test]
async fn list_and_get_spaces() {
    let s = TestServer::start().await;
    let (lister, lister_auth) = s.user("lister").await;
    let (member, member_auth) = s.user("member").await;
    let (deep, deep_auth) = s.user("deep").await;
    let (viewer, viewer_auth) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let sp = space(&s, "Sx").await;
    let other = space(&s, "Tx").await;
    add_user(&s, "spaces", &sp, &member, &[]).await;
    let g = group(&s, "Gx").await;
    add_user(&s, "groups", &g, &deep, &[]).await;
    add_group(&s, "spaces", &sp, &g, &[]).await;

    denied(&s, Method::GET, "/spaces", None, &outsider).await;
    s.grant_oz(&lister, &["oz_spaces_list"]).await;
    let r = s.get("/spaces", &lister_auth).await;
    r.expect(200);
    assert_eq!(r.set("spaces"), sorted(&[&sp, &other]));
    s.get("/spaces", &Auth::admin()).await.expect(200);

    let path = format!("/spaces/{sp}");
    s.get("/spaces/missing", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    denied(&s, Method::GET, &path, None, &outsider).await;
    s.get(&path, &member_auth).await.expect(200);
    s.get(&path, &deep_auth).await.expect(200);
    s.grant_oz(&viewer, &["oz_spaces_view"]).await;
    s.get(&path, &viewer_auth).await.expect(200);
    s.get(&path, &Auth::admin()).await.expect(200);
}

#[tokio::test]
async fn update_and_delete_space() {
    let s = TestServer::start().await;
    let (member, member_auth) = s.user("member").await;
    let (updater, updater_auth) = s.user("updater").await;
    let (deleter, deleter_auth) = s.user("deleter").await;
    let sp = space(&s, "Sx").await;
    add_user(&s, "spaces", &sp, &member, &["space_view", "space_delete"]).await;
    add_user(&s, "spaces", &sp, &updater, &["space_update"]).await;
    add_user(&s, "spaces", &sp, &deleter, &["space_delete"]).await;
    let path = format!("/spaces/{sp}");
    let body = json!({"name": "Renamed"});
    s.patch("/spaces/missing", &Auth::Nobody, body.clone())
        .await
        .expect_error(404, "notFound");
    denied(&s, Method::PATCH, &path, Some(body.clone()), &member_auth).await;
    s.patch(&path, &updater_auth, body.clone())
        .await
        .expect(204);
    let r = s.get(&path, &member_auth).await;
    assert_eq!(r.body["name"], "Renamed");
    s.patch(&path, &Auth::admin(), json!({"name": "Again"}))
        .await
        .expect(204);
    s.patch(&path, &updater_auth, json!({}))
        .await
        .expect_error(400, "missingRequiredValue");

    denied(&s, Method::DELETE, &path, None, &updater_auth).await;
    s.delete(&path, &deleter_auth).await.expect(204);
    s.get(&path, &Auth::admin())
        .await
        .expect_error(404, "notFound");
    let other = space(&s, "Other").await;
    s.delete(&format!("/spaces/{other}"), &Auth::admin())
        .await
        .expect(204);
}

#[tokio::test]
async fn owners_are_managed_by_owners_and_the_last_one_stays() {
    let s = TestServer::start().await;
    let (owner, owner_auth) = s.user("owner").await;
    let (member, member_auth) = s.user("member").await;
    let (deep, deep_auth) = s.user("deep").await;
    let (setter, setter_auth) = s.user("setter").await;
    let (_, outsider) = s.user("outsider").await;
    let r = s
        .post("/user/spaces", &owner_auth, json!({"name": "Sx"}))
        .await;
    r.expect(201);
    let sp = r.location_id();
    // Even every space privilege does not make a member an owner manager.
    let all = s
        .get("/spaces/privileges", &Auth::Nobody)
        .await
        .set("admin");
    let all_refs: Vec<&str> = all.iter().map(String::as_str).collect();
    add_user(&s, "spaces", &sp, &member, &all_refs).await;
    let g = group(&s, "Gx").await;
    add_user(&s, "groups", &g, &deep, &[]).await;
    add_group(&s, "spaces", &sp, &g, &[]).await;

    let list = format!("/spaces/{sp}/owners");
    denied(&s, Method::GET, &list, None, &outsider).await;
    let r = s.get(&list, &member_auth).await;
    r.expect(200);
    assert_eq!(r.set("users"), vec![owner.clone()]);

    let add = format!("/spaces/{sp}/owners/{member}");
    denied(&s, Method::PUT, &add, Some(json!({})), &member_auth).await;
    // Onezone answers 204 (no Location), and 409 alreadyExists for an owner already.
    let r = s.put(&add, &owner_auth, json!({})).await;
    r.expect(204);
    assert!(r.header("location").is_none(), "{:?}", r.headers);
    s.put(&add, &owner_auth, json!({}))
        .await
        .expect_error(409, "alreadyExists");
    let r = s.get(&format!("{list}/{member}"), &owner_auth).await;
    r.expect(200);
    assert_eq!(r.body["userId"], member);
    s.get(&format!("{list}/{deep}"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");

    // An indirect member is made a direct one; a non-member cannot own the space.
    s.grant_oz(&setter, &["oz_spaces_set_privileges"]).await;
    s.put(&format!("{list}/{deep}"), &setter_auth, json!({}))
        .await
        .expect(204);
    // ... with every space privilege (space_admin), as Onezone adds a new direct owner.
    let r = s
        .get(
            &format!("/spaces/{sp}/users/{deep}/privileges"),
            &Auth::admin(),
        )
        .await;
    r.expect(200);
    assert_eq!(r.set("privileges"), all);
    // A direct member keeps its own privileges when it becomes an owner.
    let (plain, _) = s.user("plain").await;
    add_user(&s, "spaces", &sp, &plain, &["space_view"]).await;
    s.put(&format!("{list}/{plain}"), &owner_auth, json!({}))
        .await
        .expect(204);
    let r = s
        .get(
            &format!("/spaces/{sp}/users/{plain}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(r.set("privileges"), vec!["space_view".to_owned()]);
    s.delete(&format!("{list}/{plain}"), &owner_auth)
        .await
        .expect(204);
    let r = s
        .put(&format!("{list}/{setter}"), &setter_auth, json!({}))
        .await;
    r.expect_error(400, "relationDoesNotExist");
    s.put(&format!("{list}/nobody-such"), &setter_auth, json!({}))
        .await
        .expect_error(400, "badValueIdNotFound");
    let r = s.get(&list, &owner_auth).await;
    assert_eq!(r.set("users"), sorted(&[&owner, &member, &deep]));

    // An owner passes every space check, whatever its privileges.
    s.patch(
        &format!("/spaces/{sp}/users/{deep}/privileges"),
        &Auth::admin(),
        json!({"privileges": []}),
    )
    .await
    .expect(204);
    s.get(&format!("/spaces/{sp}/users"), &deep_auth)
        .await
        .expect(200);
    s.patch(
        &format!("/spaces/{sp}"),
        &deep_auth,
        json!({"name": "By owner"}),
    )
    .await
    .expect(204);

    // Removal: owners or oz_spaces_set_privileges; the last owner stays.
    let remove = format!("{list}/{owner}");
    s.delete(&format!("{list}/{setter}"), &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.delete(&remove, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    s.delete(&remove, &bad_token())
        .await
        .expect_error(401, "unauthorized");
    s.delete(&remove, &outsider)
        .await
        .expect_error(403, "forbidden");
    s.delete(&remove, &member_auth).await.expect(204);
    s.delete(&format!("{list}/{deep}"), &setter_auth)
        .await
        .expect(204);
    let r = s.delete(&format!("{list}/{member}"), &member_auth).await;
    r.expect_error(400, "cannotRemoveLastOwner");
    assert_eq!(r.body["error"]["details"]["entityId"], sp);
    let r = s.get(&list, &member_auth).await;
    assert_eq!(r.set("users"), vec![member.clone()]);
    // The former owner, still a member with every privilege, can no longer manage owners.
    s.put(&format!("{list}/{owner}"), &owner_auth, json!({}))
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn shares_of_a_space() {
    let s = TestServer::start().await;
    let (sharer, sharer_auth) = s.user("sharer").await;
    let (member, member_auth) = s.user("member").await;
    let (creator, creator_auth) = s.user("creator").await;
    let (_, outsider) = s.user("outsider").await;
    let sp = space(&s, "Sx").await;
    add_user(
        &s,
        "spaces",
        &sp,
        &sharer,
        &["space_view", "space_manage_shares"],
    )
    .await;
    add_user(&s, "spaces", &sp, &member, &["space_view"]).await;
    let body = json!({"name": "Public data", "spaceId": sp, "rootFileId": "file-1"});

    denied(
        &s,
        Method::POST,
        "/shares",
        Some(body.clone()),
        &member_auth,
    )
    .await;
    let r = s.post("/shares", &sharer_auth, body.clone()).await;
    r.expect(201);
    let sh = r.location_id();
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/api/v3/onezone/shares/{sh}"))));
    s.grant_oz(&creator, &["oz_shares_create"]).await;
    let r = s
        .post(
            "/shares",
            &creator_auth,
            json!({"name": "Second", "spaceId": sp, "rootFileId": "file-2", "fileType": "reg"}),
        )
        .await;
    r.expect(201);
    let sh2 = r.location_id();
    s.post(
        "/shares",
        &Auth::admin(),
        json!({"name": "Third", "spaceId": sp, "rootFileId": "f3"}),
    )
    .await
    .expect(201);
    // Body errors.
    let r = s
        .post(
            "/shares",
            &sharer_auth,
            json!({"name": "Xx", "spaceId": "nope", "rootFileId": "f"}),
        )
        .await;
    r.expect_error(400, "badValueIdNotFound");
    assert_eq!(r.body["error"]["details"]["key"], "spaceId");
    s.post(
        "/shares",
        &sharer_auth,
        json!({"name": "Xx", "rootFileId": "f"}),
    )
    .await
    .expect_error(400, "missingRequiredValue");
    let r = s
        .post(
            "/shares",
            &sharer_auth,
            json!({"name": "Xx", "spaceId": sp, "rootFileId": "f", "fileType": "link"}),
        )
        .await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["key"], "fileType");
    s.post(
        "/shares",
        &sharer_auth,
        json!({"name": "Xx", "spaceId": sp}),
    )
    .await
    .expect_error(400, "missingRequiredValue");

    // GET: members of the space, or oz_shares_view.
    let path = format!("/shares/{sh}");
    s.get("/shares/missing", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    denied(&s, Method::GET, &path, None, &outsider).await;
    let r = s.get(&path, &member_auth).await;
    r.expect(200);
    assert_eq!(r.body["shareId"], sh);
    assert_eq!(r.body["spaceId"], sp);
    assert_eq!(r.body["name"], "Public data");
    assert_eq!(r.body["rootFileId"], "file-1");
    assert_eq!(r.body["fileType"], "dir");
    assert!(r.body["handleId"].is_null());
    assert!(r.body["publicUrl"]
        .as_str()
        .is_some_and(|u| u.ends_with(&format!("/share/{sh}"))));
    s.get(&path, &Auth::admin()).await.expect(200);
    let r = s.get(&format!("/shares/{sh2}/public"), &Auth::Nobody).await;
    r.expect(200);
    assert_eq!(r.body["fileType"], "reg");

    // Space's shares: space_view.
    let list = format!("/spaces/{sp}/shares");
    let (bare, bare_auth) = s.user("bare").await;
    add_user(&s, "spaces", &sp, &bare, &[]).await;
    denied(&s, Method::GET, &list, None, &bare_auth).await;
    let r = s.get(&list, &member_auth).await;
    r.expect(200);
    assert_eq!(r.set("shares").len(), 3);
    assert!(r.set("shares").contains(&sh));
    let r = s.get(&format!("/spaces/{sp}"), &member_auth).await;
    assert_eq!(r.body["sharesCount"], 3);
    denied(&s, Method::GET, "/shares", None, &member_auth).await;
    let r = s.get("/shares", &Auth::admin()).await;
    r.expect(200);
    assert_eq!(r.set("shares").len(), 3);

    // PATCH / DELETE: space_manage_shares or oz_shares_update / oz_shares_delete.
    denied(
        &s,
        Method::PATCH,
        &path,
        Some(json!({"name": "New"})),
        &member_auth,
    )
    .await;
    s.patch(&path, &sharer_auth, json!({"name": "New name"}))
        .await
        .expect(204);
    assert_eq!(s.get(&path, &member_auth).await.body["name"], "New name");
    s.patch(&path, &Auth::admin(), json!({"name": "!"}))
        .await
        .expect_error(400, "badValueName");
    denied(&s, Method::DELETE, &path, None, &member_auth).await;
    s.delete(&path, &sharer_auth).await.expect(204);
    s.get(&path, &Auth::admin())
        .await
        .expect_error(404, "notFound");
    s.delete(&format!("/shares/{sh2}"), &Auth::admin())
        .await
        .expect(204);
    // Deleting the space deletes its shares.
    s.delete(&format!("/spaces/{sp}"), &Auth::admin())
        .await
        .expect(204);
    let r = s.get("/shares", &Auth::admin()).await;
    assert!(r.set("shares").is_empty(), "{}", r.text);
}

#[tokio::test]
async fn removing_an_owner_as_a_member_takes_its_ownership_and_never_the_last_one() {
    let s = TestServer::start().await;
    let (owner, owner_auth) = s.user("owner").await;
    let (second, _) = s.user("second").await;
    let r = s
        .post("/user/spaces", &owner_auth, json!({"name": "Owned"}))
        .await;
    r.expect(201);
    let sp = r.location_id();
    let owners = format!("/spaces/{sp}/owners");
    // The only owner cannot be removed as a member either, not even by an admin.
    s.delete(&format!("/spaces/{sp}/users/{owner}"), &Auth::admin())
        .await
        .expect_error(400, "cannotRemoveLastOwner");
    add_user(&s, "spaces", &sp, &second, &[]).await;
    s.put(&format!("{owners}/{second}"), &owner_auth, json!({}))
        .await
        .expect(204);
    // With another owner it can: it stops being an owner with its membership.
    s.delete(&format!("/spaces/{sp}/users/{owner}"), &Auth::admin())
        .await
        .expect(204);
    let r = s.get(&owners, &Auth::admin()).await;
    assert_eq!(r.set("users"), vec![second.clone()]);
    let r = s.get(&format!("/spaces/{sp}/users"), &Auth::admin()).await;
    assert_eq!(r.set("users"), vec![second]);
}
