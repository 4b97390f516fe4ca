//! Membership routes of groups and spaces through HTTP (`members.rs`): reference §5's effective
//! rule with its worked examples, §4's PATCH table in both API generations, intermediaries, and
//! the shared checks every route gets (401 nobody, 401 bad credentials, 403 without privilege).

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Auth, TestServer};

/// A token no server issued.
pub fn bad_token() -> Auth {
    Auth::Token("not-a-token-of-this-server".into())
}

/// Nobody → 401 `unauthorized`, a bad token → 401 with `authError`, `forbidden_as` → 403.
pub async fn denied(
    s: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
    forbidden_as: &Auth,
) {
    s.request(method.clone(), path, &Auth::Nobody, body.clone())
        .await
        .expect_error(401, "unauthorized");
    let r = s
        .request(method.clone(), path, &bad_token(), body.clone())
        .await;
    r.expect_error(401, "unauthorized");
    assert!(
        r.body["error"]["details"]["authError"]["id"].is_string(),
        "{} {path}: {}",
        method,
        r.text
    );
    s.request(method, path, forbidden_as, body)
        .await
        .expect_error(403, "forbidden");
}

/// Adds `uid` to `/{kind}/{id}` with exactly `privileges`, as admin.
pub async fn add_user(s: &TestServer, kind: &str, id: &str, uid: &str, privileges: &[&str]) {
    s.put(
        &format!("/{kind}/{id}/users/{uid}"),
        &Auth::admin(),
        json!({ "privileges": privileges }),
    )
    .await
    .expect(201);
}

/// Adds group `gid` to `/{kind}/{id}` (as a child when `kind` is `groups`), as admin.
pub async fn add_group(s: &TestServer, kind: &str, id: &str, gid: &str, privileges: &[&str]) {
    let seg = if kind == "groups" {
        "children"
    } else {
        "groups"
    };
    s.put(
        &format!("/{kind}/{id}/{seg}/{gid}"),
        &Auth::admin(),
        json!({ "privileges": privileges }),
    )
    .await
    .expect(201);
}

/// A space created by the admin with nobody in it.
pub async fn space(s: &TestServer, name: &str) -> String {
    let r = s
        .post("/spaces", &Auth::admin(), json!({ "name": name }))
        .await;
    r.expect(201);
    r.location_id()
}

/// A group created by the admin with nobody in it.
pub async fn group(s: &TestServer, name: &str) -> String {
    let r = s
        .post("/groups", &Auth::admin(), json!({ "name": name }))
        .await;
    r.expect(201);
    r.location_id()
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

async fn privileges(s: &TestServer, path: &str) -> Vec<String> {
    let r = s.get(path, &Auth::admin()).await;
    r.expect(200);
    r.set("privileges")
}

async fn catalog(s: &TestServer, kind: &str, level: &str) -> Vec<String> {
    let r = s.get(&format!("/{kind}/privileges"), &Auth::Nobody).await;
    r.expect(200);
    r.set(level)
}

/// §5, hservice example transposed to a space: U belongs to G3 ⊂ G1 and to G2; G1 and G2 are
/// direct members of S. U's effective privileges in S are P_G1(S) ∪ P_G2(S).
#[tokio::test]
async fn user_effective_space_privileges_are_the_union_over_two_groups() {
    let s = TestServer::start().await;
    let (u, _) = s.user("ux").await;
    let sp = space(&s, "Sx").await;
    let (g1, g2, g3) = (
        group(&s, "G1").await,
        group(&s, "G2").await,
        group(&s, "G3").await,
    );
    add_group(&s, "groups", &g1, &g3, &["group_view"]).await;
    add_user(&s, "groups", &g3, &u, &["group_view"]).await;
    add_user(&s, "groups", &g2, &u, &[]).await;
    add_group(&s, "spaces", &sp, &g1, &["space_view", "space_read_data"]).await;
    add_group(&s, "spaces", &sp, &g2, &["space_write_data", "space_view"]).await;

    let eff = privileges(&s, &format!("/spaces/{sp}/effective_users/{u}/privileges")).await;
    assert_eq!(
        eff,
        sorted(&["space_view", "space_read_data", "space_write_data"])
    );
    // Not a direct member: no direct privileges.
    s.get(
        &format!("/spaces/{sp}/users/{u}/privileges"),
        &Auth::admin(),
    )
    .await
    .expect_error(404, "notFound");
    let users = s
        .get(&format!("/spaces/{sp}/effective_users"), &Auth::admin())
        .await;
    assert_eq!(users.set("users"), vec![u.clone()]);
    let groups = s
        .get(&format!("/spaces/{sp}/effective_groups"), &Auth::admin())
        .await;
    assert_eq!(groups.set("groups"), sorted(&[&g1, &g2, &g3]));
    // G3 reaches S only through G1.
    let g3_eff = privileges(
        &s,
        &format!("/spaces/{sp}/effective_groups/{g3}/privileges"),
    )
    .await;
    assert_eq!(g3_eff, sorted(&["space_view", "space_read_data"]));

    // Adding U directly unites its direct privileges too.
    add_user(&s, "spaces", &sp, &u, &["space_manage_shares"]).await;
    let eff = privileges(&s, &format!("/spaces/{sp}/effective_users/{u}/privileges")).await;
    assert_eq!(
        eff,
        sorted(&[
            "space_view",
            "space_read_data",
            "space_write_data",
            "space_manage_shares"
        ])
    );
}

/// §5 worked example (group_users_api_test_SUITE:list_eff_user_privileges_test): U1 direct in G1
/// with [group_view], in G3 ⊂ G2 ⊂ G1 with all privileges in G3, in G4 ⊂ G1 with all but one in
/// G4 ⇒ eff(U1, G1) = direct ∪ P_G2(G1) ∪ P_G4(G1); privileges inside G3/G4 do not count.
#[tokio::test]
async fn privileges_inside_intermediate_groups_do_not_count() {
    let s = TestServer::start().await;
    let all = catalog(&s, "groups", "admin").await;
    let all_refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let (u1, u1_auth) = s.user("u1").await;
    let (g1, g2, g3, g4) = (
        group(&s, "G1").await,
        group(&s, "G2").await,
        group(&s, "G3").await,
        group(&s, "G4").await,
    );
    add_user(&s, "groups", &g1, &u1, &["group_view"]).await;
    add_group(&s, "groups", &g1, &g2, &["group_add_user", "group_view"]).await;
    add_group(&s, "groups", &g2, &g3, &["group_view"]).await;
    add_group(&s, "groups", &g1, &g4, &["group_remove_child"]).await;
    add_user(&s, "groups", &g3, &u1, &all_refs).await;
    add_user(&s, "groups", &g4, &u1, &all_refs[1..]).await;

    let eff = privileges(&s, &format!("/groups/{g1}/effective_users/{u1}/privileges")).await;
    assert_eq!(
        eff,
        sorted(&["group_view", "group_add_user", "group_remove_child"])
    );
    // The direct list stays the direct one.
    let direct = privileges(&s, &format!("/groups/{g1}/users/{u1}/privileges")).await;
    assert_eq!(direct, sorted(&["group_view"]));
    // U1 holds group_set_privileges and group_delete in G3 and G4, but not in G1.
    s.patch(
        &format!("/groups/{g1}/users/{u1}/privileges"),
        &u1_auth,
        json!({"grant": ["group_update"]}),
    )
    .await
    .expect_error(403, "forbidden");
    s.delete(&format!("/groups/{g1}"), &u1_auth)
        .await
        .expect_error(403, "forbidden");
    // ... while G2's privilege in G1 does count: group_add_user lets U1 re-add itself.
    s.delete(&format!("/groups/{g1}/users/{u1}"), &Auth::admin())
        .await
        .expect(204);
    s.put(&format!("/groups/{g1}/users/{u1}"), &u1_auth, json!({}))
        .await
        .expect(201);
    // Effective membership of G1 through any depth: U1 is listed.
    let eff_users = s
        .get(&format!("/groups/{g1}/effective_users"), &Auth::admin())
        .await;
    assert!(eff_users.set("users").contains(&u1));
    let eff_children = s
        .get(&format!("/groups/{g1}/effective_children"), &Auth::admin())
        .await;
    assert_eq!(eff_children.set("groups"), sorted(&[&g2, &g3, &g4]));
}

/// §5 intermediaries: the first hops, `self` for a direct membership.
#[tokio::test]
async fn membership_intermediaries_are_the_first_hops() {
    let s = TestServer::start().await;
    let (u, u_auth) = s.user("ux").await;
    let (_, other) = s.user("other").await;
    let (g1, g2, g3) = (
        group(&s, "G1").await,
        group(&s, "G2").await,
        group(&s, "G3").await,
    );
    add_group(&s, "groups", &g1, &g2, &[]).await;
    add_group(&s, "groups", &g2, &g3, &[]).await;
    add_user(&s, "groups", &g3, &u, &[]).await;
    add_user(&s, "groups", &g1, &u, &[]).await;
    let path = format!("/groups/{g1}/effective_users/{u}/membership");
    // Self may always read its own.
    let r = s.get(&path, &u_auth).await;
    r.expect(200);
    let mut hops: Vec<(String, String)> = r.body["intermediaries"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| {
                    (
                        h["type"].as_str().unwrap_or("").to_owned(),
                        h["id"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    hops.sort();
    let mut want = vec![
        ("group".to_owned(), "self".to_owned()),
        ("group".to_owned(), g2.clone()),
    ];
    want.sort();
    assert_eq!(hops, want, "{}", r.text);
    // Another user without group_view: 403; nobody 401; a non-member subject: 404 first.
    denied(&s, Method::GET, &path, None, &other).await;
    s.get(
        &format!("/groups/{g1}/effective_users/nobody-such/membership"),
        &Auth::Nobody,
    )
    .await
    .expect_error(404, "notFound");

    // Through a space: G1 is the hop of both U and G3.
    let sp = space(&s, "Sx").await;
    add_group(&s, "spaces", &sp, &g1, &["space_view"]).await;
    let r = s
        .get(
            &format!("/spaces/{sp}/effective_groups/{g3}/membership"),
            &Auth::admin(),
        )
        .await;
    r.expect(200);
    assert_eq!(
        r.body["intermediaries"],
        json!([{"type": "group", "id": g1}]),
        "{}",
        r.text
    );
}

/// §4 PATCH table and DESIGN's legacy forms, on a space member's privileges.
#[tokio::test]
async fn patch_privileges_table_both_generations() {
    let s = TestServer::start().await;
    let (u, _) = s.user("ux").await;
    let sp = space(&s, "Sx").await;
    add_user(&s, "spaces", &sp, &u, &["space_view", "space_read_data"]).await;
    let path = format!("/spaces/{sp}/users/{u}/privileges");
    let admin = Auth::admin();

    // new = grant ∪ (old − revoke); grant wins over revoke.
    s.patch(
        &path,
        &admin,
        json!({"grant": ["space_write_data", "space_view"], "revoke": ["space_view", "space_read_data"]}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &path).await,
        sorted(&["space_view", "space_write_data"])
    );
    // Empty lists: no change.
    s.patch(&path, &admin, json!({"grant": []}))
        .await
        .expect(204);
    assert_eq!(
        privileges(&s, &path).await,
        sorted(&["space_view", "space_write_data"])
    );
    // Neither key.
    let r = s.patch(&path, &admin, json!({})).await;
    r.expect_error(400, "missingAtLeastOneValue");
    assert_eq!(
        r.body["error"]["details"]["keys"],
        json!(["grant", "revoke"])
    );
    // Not a list / not strings.
    let r = s.patch(&path, &admin, json!({"grant": "space_view"})).await;
    r.expect_error(400, "badValueListOfStrings");
    assert_eq!(r.body["error"]["details"]["key"], "grant");
    s.patch(&path, &admin, json!({"revoke": [5]}))
        .await
        .expect_error(400, "badValueListOfStrings");
    // Unknown or wrong-kind names list every current space privilege.
    let all = catalog(&s, "spaces", "admin").await;
    let r = s
        .patch(&path, &admin, json!({"grant": ["group_view"]}))
        .await;
    r.expect_error(400, "badValueListNotAllowed");
    assert_eq!(r.body["error"]["details"]["key"], "grant");
    let mut allowed: Vec<String> = r.body["error"]["details"]["allowed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    allowed.sort();
    assert_eq!(allowed, all);
    assert_eq!(allowed.len(), 39);
    // JSON that is not an object, after authorization; broken JSON before everything.
    s.patch(&path, &admin, json!([]))
        .await
        .expect_error(400, "malformedData");
    let broken = s
        .raw(
            Method::PATCH,
            &path,
            &Auth::Nobody,
            "application/json",
            b"{\"grant\":".to_vec(),
        )
        .await;
    broken.expect_error(400, "malformedData");

    // Legacy 17.06/18.02: {"privileges","operation"}; default set; one-element array operation.
    s.patch(
        &path,
        &admin,
        json!({"privileges": ["space_view_data", "space_write_files"]}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &path).await,
        sorted(&["space_view", "space_write_data"])
    );
    s.patch(
        &path,
        &admin,
        json!({"privileges": ["space_manage_shares"], "operation": ["grant"]}),
    )
    .await
    .expect(204);
    s.patch(
        &path,
        &admin,
        json!({"privileges": ["space_view"], "operation": "revoke"}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &path).await,
        sorted(&["space_write_data", "space_manage_shares"])
    );
    let r = s
        .patch(
            &path,
            &admin,
            json!({"privileges": [], "operation": "update"}),
        )
        .await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["key"], "operation");
    // PUT = legacy set.
    s.put(&path, &admin, json!({"privileges": ["space_view"]}))
        .await
        .expect(204);
    assert_eq!(privileges(&s, &path).await, sorted(&["space_view"]));
    // Group privileges in a group: legacy group names.
    let g = group(&s, "Gx").await;
    add_user(&s, "groups", &g, &u, &[]).await;
    let gpath = format!("/groups/{g}/users/{u}/privileges");
    s.patch(
        &gpath,
        &admin,
        json!({"privileges": ["group_view_data", "group_change_data"], "operation": "set"}),
    )
    .await
    .expect(204);
    assert_eq!(
        privileges(&s, &gpath).await,
        sorted(&["group_view", "group_update"])
    );
}

/// §4: only a direct member's privileges can be changed; 404 first, even for nobody.
#[tokio::test]
async fn privilege_routes_need_a_direct_member_and_the_privilege() {
    let s = TestServer::start().await;
    let (u, u_auth) = s.user("ux").await;
    let (setter, setter_auth) = s.user("setter").await;
    let (viewer, viewer_auth) = s.user("viewer").await;
    let sp = space(&s, "Sx").await;
    add_user(&s, "spaces", &sp, &u, &["space_view"]).await;
    add_user(&s, "spaces", &sp, &setter, &["space_set_privileges"]).await;
    add_user(&s, "spaces", &sp, &viewer, &["space_view_privileges"]).await;
    let path = format!("/spaces/{sp}/users/{u}/privileges");
    let body = json!({"grant": ["space_read_data"]});

    // PATCH: needs space_set_privileges.
    denied(&s, Method::PATCH, &path, Some(body.clone()), &viewer_auth).await;
    s.patch(&path, &setter_auth, body.clone()).await.expect(204);
    s.patch(
        &path,
        &Auth::admin(),
        json!({"revoke": ["space_read_data"]}),
    )
    .await
    .expect(204);
    // GET: self always; space_view_privileges; others 403.
    s.get(&path, &u_auth).await.expect(200);
    s.get(&path, &viewer_auth).await.expect(200);
    denied(&s, Method::GET, &path, None, &setter_auth).await;
    // Missing member → 404 before 401.
    for auth in [Auth::Nobody, bad_token(), viewer_auth.clone()] {
        let r = s
            .patch(
                &format!("/spaces/{sp}/users/nobody-such/privileges"),
                &auth,
                body.clone(),
            )
            .await;
        // A bad token is rejected by authentication, which comes first (§2).
        if matches!(auth, Auth::Token(ref t) if t.starts_with("not-a-token")) {
            r.expect_error(401, "unauthorized");
        } else {
            r.expect_error(404, "notFound");
        }
    }
    s.get(
        &format!("/spaces/missing/users/{u}/privileges"),
        &Auth::Nobody,
    )
    .await
    .expect_error(404, "notFound");

    // Member lists: space_view or oz_spaces_list_relationships.
    let list = format!("/spaces/{sp}/users");
    denied(&s, Method::GET, &list, None, &setter_auth).await;
    let r = s.get(&list, &u_auth).await;
    r.expect(200);
    assert_eq!(r.set("users"), sorted(&[&u, &setter, &viewer]));
    let (lister, lister_auth) = s.user("lister").await;
    s.get(&list, &lister_auth)
        .await
        .expect_error(403, "forbidden");
    s.grant_oz(&lister, &["oz_spaces_list_relationships"]).await;
    s.get(&list, &lister_auth).await.expect(200);
    s.get(&list, &Auth::admin()).await.expect(200);
}

/// Adding and removing members of a space: as for groups, `PUT /spaces/{id}/users/{uid}` is
/// self-addition only (space_add_user, + space_set_privileges with a body), or the admin path;
/// even the owner cannot add another user that way (others join with invite tokens). 409 twice,
/// 400 for an unknown id (after authorization), owners removed only by owners.
#[tokio::test]
async fn space_member_add_and_remove() {
    let s = TestServer::start().await;
    let (owner, owner_auth) = s.user("owner").await;
    let (adder, adder_auth) = s.user("adder").await;
    let (plain, plain_auth) = s.user("plain").await;
    let r = s
        .post("/user/spaces", &owner_auth, json!({"name": "Sx"}))
        .await;
    r.expect(201);
    let sp = r.location_id();
    // The owner holds space_add_user (every privilege) but is not the user being added.
    s.put(
        &format!("/spaces/{sp}/users/{plain}"),
        &owner_auth,
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
    s.put(
        &format!("/spaces/{sp}/users/{adder}"),
        &owner_auth,
        json!({"privileges": ["space_add_user", "space_remove_user"]}),
    )
    .await
    .expect_error(403, "forbidden");
    add_user(
        &s,
        "spaces",
        &sp,
        &adder,
        &["space_add_user", "space_remove_user"],
    )
    .await;
    add_user(&s, "spaces", &sp, &plain, &[]).await;
    let (x, x_auth) = s.user("xx").await;
    let path = format!("/spaces/{sp}/users/{x}");
    denied(&s, Method::PUT, &path, Some(json!({})), &plain_auth).await;
    s.put(&path, &adder_auth, json!({}))
        .await
        .expect_error(403, "forbidden");
    // x reaches the space through a group that holds space_add_user there, and adds itself.
    let g = s.group(&x_auth, "Gx").await;
    add_group(&s, "spaces", &sp, &g, &["space_view", "space_add_user"]).await;
    // With privileges in the body, space_set_privileges is needed as well.
    s.put(&path, &x_auth, json!({"privileges": ["space_view"]}))
        .await
        .expect_error(403, "forbidden");
    let r = s.put(&path, &x_auth, json!({})).await;
    r.expect(201);
    assert!(r
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("/spaces/{sp}/users/{x}"))));
    assert_eq!(
        privileges(&s, &format!("{path}/privileges")).await,
        catalog(&s, "spaces", "member").await
    );
    s.put(&path, &x_auth, json!({}))
        .await
        .expect_error(409, "relationAlreadyExists");
    s.put(
        &format!("/spaces/{sp}/users/nobody-such"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect_error(400, "badValueIdNotFound");
    denied(&s, Method::DELETE, &path, None, &plain_auth).await;
    s.delete(&path, &adder_auth).await.expect(204);
    s.delete(&path, &adder_auth)
        .await
        .expect_error(404, "notFound");
    // The owner can be removed only by an owner.
    s.delete(&format!("/spaces/{sp}/users/{owner}"), &adder_auth)
        .await
        .expect_error(403, "forbidden");
}

/// Group membership routes: a group admin cannot add another user (only self-add), a group
/// cannot be its own child, and nesting cycles are tolerated.
#[tokio::test]
async fn group_members_self_add_and_cycles() {
    let s = TestServer::start().await;
    let (_, creator) = s.user("creator").await;
    let (other, other_auth) = s.user("other").await;
    let g = s.group(&creator, "Gx").await;
    s.put(&format!("/groups/{g}/users/{other}"), &creator, json!({}))
        .await
        .expect_error(403, "forbidden");
    s.put(
        &format!("/groups/{g}/users/{other}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    assert_eq!(
        privileges(&s, &format!("/groups/{g}/users/{other}/privileges")).await,
        vec!["group_view".to_owned()]
    );
    s.put(&format!("/groups/{g}/children/{g}"), &creator, json!({}))
        .await
        .expect_error(400, "cannotAddRelationToSelf");

    // A ⊂ B ⊂ A: both adds succeed; each is an effective parent and child of the other.
    let a = s.group(&creator, "Ax").await;
    let b = s.group(&creator, "Bx").await;
    s.put(&format!("/groups/{a}/children/{b}"), &creator, json!({}))
        .await
        .expect(201);
    s.put(&format!("/groups/{b}/children/{a}"), &creator, json!({}))
        .await
        .expect(201);
    let r = s
        .get(&format!("/groups/{a}/effective_children"), &creator)
        .await;
    r.expect(200);
    assert_eq!(r.set("groups"), sorted(&[&a, &b]));
    let r = s
        .get(&format!("/groups/{a}/effective_parents"), &creator)
        .await;
    r.expect(200);
    assert_eq!(r.set("groups"), sorted(&[&a, &b]));
    // A user in B is an effective member of A and of B; privileges stay finite.
    s.put(
        &format!("/groups/{b}/users/{other}"),
        &Auth::admin(),
        json!({"privileges": []}),
    )
    .await
    .expect(201);
    let r = s
        .get(
            &format!("/groups/{a}/effective_users/{other}/privileges"),
            &other_auth,
        )
        .await;
    r.expect(200);
    assert_eq!(r.set("privileges"), vec!["group_view".to_owned()]);
    // Breaking the cycle ends the effective membership of A in itself.
    s.delete(&format!("/groups/{b}/children/{a}"), &creator)
        .await
        .expect(204);
    let r = s
        .get(&format!("/groups/{a}/effective_parents"), &creator)
        .await;
    assert!(r.set("groups").is_empty(), "{}", r.text);
}
