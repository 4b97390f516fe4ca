//! The `*_users_api_test_SUITE` cases are the same for every kind with members (groups, spaces,
//! handle services, handles); only the privileges and setup differ. [`Kind`] holds those, and the
//! functions here are the cases, called by name from `upstream_group`, `upstream_space`,
//! `upstream_handle_service` and `upstream_handle`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::Auth;
use crate::upstream::{expect_location, minus, sorted, Ctx};

pub struct Kind {
    /// Path segment and privilege-listing prefix: `groups`, `spaces`, `handle_services`, `handles`.
    pub plural: &'static str,
    /// The `privileges` of `PUT …/users/{id}` bodies upstream's bad_values misuse.
    pub view: &'static str,
    pub view_privs: &'static str,
    pub add_user: &'static str,
    pub remove_user: &'static str,
    pub set_privs: &'static str,
    /// Where member groups are: `groups`, or `children` for groups.
    pub groups_seg: &'static str,
    pub add_group: &'static str,
    pub remove_group: &'static str,
    /// Two correct `privileges` values of the add-with-privileges data spec.
    pub correct_privs: [[&'static str; 2]; 2],
}

pub const GROUP: Kind = Kind {
    plural: "groups",
    view: "group_view",
    view_privs: "group_view_privileges",
    add_user: "group_add_user",
    remove_user: "group_remove_user",
    set_privs: "group_set_privileges",
    groups_seg: "children",
    add_group: "group_add_child",
    remove_group: "group_remove_child",
    correct_privs: [
        ["group_update", "group_remove_child"],
        ["group_view", "group_add_user"],
    ],
};

pub const SPACE: Kind = Kind {
    plural: "spaces",
    view: "space_view",
    view_privs: "space_view_privileges",
    add_user: "space_add_user",
    remove_user: "space_remove_user",
    set_privs: "space_set_privileges",
    groups_seg: "groups",
    add_group: "space_add_group",
    remove_group: "space_remove_group",
    correct_privs: [
        ["space_update", "space_remove_group"],
        ["space_write_data", "space_view"],
    ],
};

pub const HSERVICE: Kind = Kind {
    plural: "handle_services",
    view: "handle_service_view",
    view_privs: "handle_service_view",
    add_user: "handle_service_update",
    remove_user: "handle_service_update",
    set_privs: "handle_service_update",
    groups_seg: "groups",
    add_group: "handle_service_update",
    remove_group: "handle_service_update",
    correct_privs: [
        ["handle_service_update", "handle_service_delete"],
        ["handle_service_register_handle", "handle_service_view"],
    ],
};

pub const HANDLE: Kind = Kind {
    plural: "handles",
    view: "handle_view",
    view_privs: "handle_view",
    add_user: "handle_update",
    remove_user: "handle_update",
    set_privs: "handle_update",
    groups_seg: "groups",
    add_group: "handle_update",
    remove_group: "handle_update",
    correct_privs: [
        ["handle_update", "handle_delete"],
        ["handle_view", "handle_update"],
    ],
};

impl Kind {
    fn oz(&self, what: &str) -> String {
        format!("oz_{}_{what}", self.plural)
    }
}

/// `api_test_scenarios:create_basic_{group,space,doi_hservice,handle}_env(Config, Privs)`:
/// U1 (the creator) holds every privilege but `privs`, U2 (added) exactly `privs`; a space also
/// has its Owner, who holds every privilege implicitly.
pub struct Env {
    pub base: String,
    pub owner: Option<Auth>,
    pub u1: String,
    pub a1: Auth,
    pub u2: String,
    pub a2: Auth,
    pub all: Vec<String>,
    pub member: Vec<String>,
}

pub async fn basic_env(c: &Ctx, k: &Kind, privs: &[&str]) -> Env {
    let all = c.all_privs(k.plural).await;
    let member = c.privs_level(k.plural, "member").await;
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let mut owner = None;
    let id = match k.plural {
        "groups" => c.s.group(&a1, "group1").await,
        "spaces" => {
            let (o, oa) = c.user().await;
            let r =
                c.s.post("/user/spaces", &oa, json!({"name": "space1"}))
                    .await;
            r.expect(201);
            let id = r.location_id();
            // revoke a random sublist from the owner: it keeps every privilege as an owner
            let revoke = c.random_sublist(&all);
            c.set_privs(&format!("/spaces/{id}/users/{o}/privileges"), &[], &revoke)
                .await;
            owner = Some(oa);
            add_user(c, &format!("/spaces/{id}"), &u1).await;
            id
        }
        "handle_services" => create_hservice(c, &u1, &a1).await,
        "handles" => {
            let hs = create_hservice(c, &u1, &a1).await;
            let share = create_share(c, &a1).await;
            let r =
                c.s.post("/user/handles", &a1, handle_body(&hs, &share))
                    .await;
            r.expect(201);
            r.location_id()
        }
        other => panic!("no such kind {other}"),
    };
    let base = format!("/{}/{id}", k.plural);
    let privs: Vec<String> = privs.iter().map(|p| p.to_string()).collect();
    let rest: Vec<String> = all.iter().filter(|p| !privs.contains(p)).cloned().collect();
    c.put_privs(&format!("{base}/users/{u1}/privileges"), &rest, &all)
        .await;
    add_user(c, &base, &u2).await;
    c.put_privs(&format!("{base}/users/{u2}/privileges"), &privs, &all)
        .await;
    Env {
        base,
        owner,
        u1,
        a1,
        u2,
        a2,
        all,
        member,
    }
}

/// `oz_test_utils:<kind>_add_user/3` (default privileges), as root.
pub async fn add_user(c: &Ctx, base: &str, user: &str) {
    c.s.put(&format!("{base}/users/{user}"), &c.root, json!({}))
        .await
        .expect(201);
}

pub async fn add_group(c: &Ctx, base: &str, group: &str) {
    c.s.put(&format!("{base}/groups/{group}"), &c.root, json!({}))
        .await
        .expect(201);
}

/// `oz_test_utils:create_group(Config, ?ROOT, Name)`: a group with no members.
pub async fn root_group(c: &Ctx, name: &str) -> String {
    let r = c.s.post("/groups", &c.root, json!({"name": name})).await;
    r.expect(201);
    r.location_id()
}

/// `?DOI_SERVICE` created by `user` (who is granted `oz_handle_services_create`).
pub async fn create_hservice(c: &Ctx, user: &str, auth: &Auth) -> String {
    c.s.grant_oz(user, &["oz_handle_services_create"]).await;
    let r = c
        .s
        .post(
            "/user/handle_services",
            auth,
            json!({
                "name": "LifeWatch DataCite",
                "proxyEndpoint": "https://hprov.example.com/api",
                "serviceProperties": {"type": "DOI", "prefix": "10.5072", "host": "https://mds.example.org"}
            }),
        )
        .await;
    r.expect(201);
    r.location_id()
}

/// A space of `auth` with a share in it (`oz_test_utils:create_share`).
pub async fn create_share(c: &Ctx, auth: &Auth) -> String {
    let r =
        c.s.post("/user/spaces", auth, json!({"name": "space1"}))
            .await;
    r.expect(201);
    let space = r.location_id();
    let r =
        c.s.post(
            "/shares",
            auth,
            json!({"name": "share1", "spaceId": space, "rootFileId": "root-file"}),
        )
        .await;
    r.expect(201);
    r.location_id()
}

pub fn handle_body(service: &str, share: &str) -> Value {
    json!({
        "handleServiceId": service,
        "resourceType": "Share",
        "resourceId": share,
        "metadataPrefix": "oai_dc",
        "metadata": "<metadata><dc:title>Data</dc:title></metadata>",
    })
}

fn with_owner<'a>(env: &'a Env, rest: Vec<&'a Auth>) -> Vec<&'a Auth> {
    env.owner.iter().chain(rest).collect()
}

/// `add_user_test` of the hservice/handle suites: PUT …/users/{U3} by anyone holding the update
/// privilege (or an admin with both add_relationships privileges), with a `privileges` data spec.
pub async fn add_user_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.add_user]).await;
    let (_, non_admin) = c.user().await;
    let (u3, _) = c.user().await;
    let path = format!("{}/users/{u3}", env.base);
    let admin_privs = [
        k.oz("add_relationships"),
        "oz_users_add_relationships".into(),
    ];
    let admin_privs: Vec<&str> = admin_privs.iter().map(String::as_str).collect();
    let admin = c.admin(&admin_privs).await;
    let correct_values: Vec<Value> = k
        .correct_privs
        .iter()
        .map(|p| json!({"privileges": p}))
        .collect();
    for body in &correct_values {
        c.expect_denied(
            Method::PUT,
            &path,
            Some(body.clone()),
            &[&env.a1, &non_admin],
        )
        .await;
        c.expect_partial_admins_forbidden(Method::PUT, &path, Some(body.clone()), &admin_privs)
            .await;
    }
    assert!(!c
        .list(&format!("{}/users", env.base), "users")
        .await
        .contains(&u3));
    // bad data, sent by a correct client
    let allowed = &env.all;
    c.expect_bad_values(
        Method::PUT,
        &path,
        &env.a2,
        &correct_values[0],
        &[
            ("privileges", json!(""), "badValueListOfStrings"),
            (
                "privileges",
                json!(["space_view", "group_view"]),
                "badValueListNotAllowed",
            ),
        ],
    )
    .await;
    let r =
        c.s.put(
            &path,
            &env.a2,
            json!({"privileges": ["space_view", "group_view"]}),
        )
        .await;
    if k.plural != "spaces" {
        assert_eq!(
            r.body["error"]["details"]["allowed"],
            json!(allowed),
            "{}",
            r.text
        );
    }
    for client in [&admin, &env.a2] {
        for body in &correct_values {
            let r = c.s.put(&path, client, body.clone()).await;
            r.expect(201);
            expect_location(&r, &path.clone());
            let privs_path = format!("{path}/privileges");
            assert_eq!(
                c.privs(&privs_path).await,
                sorted(&strings(&body["privileges"]))
            );
            c.s.delete(&path, &c.root).await.expect(204);
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `remove_user_test`: `api_test_scenarios:delete_entity` for DELETE …/users/{U3}.
pub async fn remove_user_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.remove_user]).await;
    let (_, non_admin) = c.user().await;
    let admin_privs = [
        k.oz("remove_relationships"),
        "oz_users_remove_relationships".into(),
    ];
    let admin_privs: Vec<&str> = admin_privs.iter().map(String::as_str).collect();
    let admin = c.admin(&admin_privs).await;
    let users = format!("{}/users", env.base);
    let new_member = || async {
        let (u3, _) = c.user().await;
        add_user(c, &env.base, &u3).await;
        (u3.clone(), format!("{}/users/{u3}", env.base))
    };
    let (u3, path) = new_member().await;
    c.expect_denied(Method::DELETE, &path, None, &[&env.a1, &non_admin])
        .await;
    c.expect_partial_admins_forbidden(Method::DELETE, &path, None, &admin_privs)
        .await;
    assert!(c.list(&users, "users").await.contains(&u3));
    for client in with_owner(&env, vec![&admin, &env.a2]) {
        let (u3, path) = new_member().await;
        c.s.delete(&path, client).await.expect(204);
        assert!(!c.list(&users, "users").await.contains(&u3));
    }
    // deleted: every client, even the forbidden ones, gets 404
    let (_, path) = new_member().await;
    c.s.delete(&path, &c.root).await.expect(204);
    let all_clients = with_owner(&env, vec![&admin, &env.a2, &env.a1, &non_admin]);
    c.expect_not_found_for_all(Method::DELETE, &path, &all_clients)
        .await;
}

/// `list_users_test`: GET …/users by the view privilege, any member holding it, or an admin with
/// `oz_*_list_relationships`.
pub async fn list_users_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view]).await;
    let (u3, a3) = c.user().await;
    let (_, non_admin) = c.user().await;
    add_user(c, &env.base, &u3).await;
    let admin = c.admin(&[&k.oz("list_relationships")]).await;
    let path = format!("{}/users", env.base);
    let mut expected = vec![env.u1.clone(), env.u2.clone(), u3];
    if let Some(owner) = &env.owner {
        let r = c.s.get("/user", owner).await;
        expected.push(r.body["userId"].as_str().unwrap_or_default().to_owned());
    }
    c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
        .await;
    for client in with_owner(&env, vec![&admin, &env.a2, &a3]) {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set("users"), sorted(&expected));
    }
}

/// `get_user_privileges_test` (`list_user_privileges_test` for groups): the get_privileges scenario
/// for …/users/{U3}/privileges, U3 being the entity and the subject.
pub async fn get_user_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view_privs]).await;
    let (_, non_admin) = c.user().await;
    let (u3, a3) = c.user().await;
    add_user(c, &env.base, &u3).await;
    let admin = c.admin(&[&k.oz("view_privileges")]).await;
    let path = format!("{}/users/{u3}/privileges", env.base);
    c.get_privileges(
        &path,
        &with_owner(&env, vec![&admin, &env.a2, &a3]),
        &[&env.a1, &non_admin],
        &env.member,
        &env.all,
        &[],
        &a3,
        k.view_privs,
        true,
    )
    .await;
}

/// `update_user_privileges_test`: the update_privileges scenario for PATCH …/users/{U3}/privileges.
pub async fn update_user_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.set_privs]).await;
    let (_, non_admin) = c.user().await;
    let (u3, a3) = c.user().await;
    add_user(c, &env.base, &u3).await;
    let admin = c.admin(&[&k.oz("set_privileges")]).await;
    let path = format!("{}/users/{u3}/privileges", env.base);
    c.update_privileges(
        &path,
        &with_owner(&env, vec![&admin, &env.a2]),
        &[&env.a1, &non_admin],
        &env.all,
        &a3,
        k.set_privs,
    )
    .await;
}

/// `get_eff_user_privileges_test` of the hservice/handle suites: U3 is in G3 ⊂ G1 and in G2; G1
/// and G2 are direct members. Granted privileges are split at random between G1 and G2, so U3's
/// effective privileges are their union (and U3's own privileges in G3/G2 do not count).
pub async fn get_eff_user_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view_privs]).await;
    let (_, non_admin) = c.user().await;
    let (u3, a3) = c.user().await;
    let g1 = root_group(c, "group1").await;
    let g2 = root_group(c, "group2").await;
    let g3 = root_group(c, "group3").await;
    add_group(c, &env.base, &g1).await;
    add_group(c, &env.base, &g2).await;
    c.s.put(&format!("/groups/{g1}/children/{g3}"), &c.root, json!({}))
        .await
        .expect(201);
    add_user(c, &format!("/groups/{g3}"), &u3).await;
    add_user(c, &format!("/groups/{g2}"), &u3).await;
    let admin = c.admin(&[&k.oz("view_privileges")]).await;
    let path = format!("{}/effective_users/{u3}/privileges", env.base);
    let sets = [
        format!("{}/groups/{g1}/privileges", env.base),
        format!("{}/groups/{g2}/privileges", env.base),
    ];
    let correct = with_owner(&env, vec![&admin, &env.a2, &a3]);
    let forbidden = [&env.a1, &non_admin];
    // the original spec
    c.expect_denied(Method::GET, &path, None, &forbidden).await;
    for client in &correct {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set("privileges"), env.member);
    }
    // random sublists, split between G1 and G2; then the entity (U3, the subject) with and
    // without the view privilege: it may always read its own
    let view = vec![k.view_privs.to_owned()];
    let but_view = minus(&env.all, &[k.view_privs]);
    for (clients, pool, const_privs) in [
        (correct.clone(), &env.all, vec![]),
        (vec![&a3], &env.all, view.clone()),
        (vec![&a3], &but_view, vec![]),
    ] {
        for _ in 0..crate::upstream::REPEATS {
            let mut privs = c.random_sublist(pool);
            privs.extend(const_privs.iter().cloned());
            let privs = sorted(&privs);
            let (mut p1, mut p2) = (vec![], vec![]);
            for p in &privs {
                if c.uniform(2) == 1 {
                    p1.push(p.clone())
                } else {
                    p2.push(p.clone())
                }
            }
            let revoke: Vec<String> = env
                .all
                .iter()
                .filter(|p| !privs.contains(p))
                .cloned()
                .collect();
            c.set_privs(&sets[0], &p1, &revoke).await;
            c.set_privs(&sets[1], &p2, &revoke).await;
            // what was granted before to one group and not revoked now stays: read the union
            let expected = {
                let mut u = c.privs(&sets[0]).await;
                u.extend(c.privs(&sets[1]).await);
                sorted(&u)
            };
            assert_eq!(expected, privs, "union of G1's and G2's privileges");
            for client in &clients {
                let r = c.s.get(&path, client).await;
                r.expect(200);
                assert_eq!(r.set("privileges"), privs, "GET {path}");
            }
        }
    }
}

fn oz_pair(k: &Kind, what: &str, other: &str) -> Vec<String> {
    let mut v = vec![k.oz(what), format!("oz_{other}_{what}")];
    v.dedup();
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `add_group_test` of the hservice/handle suites: PUT …/groups/{G1} by the update privilege or an
/// admin with both add_relationships privileges; a random sublist of privileges as data.
pub async fn add_group_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.add_group]).await;
    let (_, non_admin) = c.user().await;
    let g1 = c.s.group(&env.a1, "group1").await;
    let path = format!("{}/{}/{g1}", env.base, k.groups_seg);
    let admin_privs = oz_pair(k, "add_relationships", "groups");
    let admin = c.admin(&refs(&admin_privs)).await;
    let listing = format!("{}/{}", env.base, k.groups_seg);
    for client in [&admin, &env.a2] {
        let privs = c.random_sublist(&env.all);
        let body = json!({ "privileges": privs });
        c.expect_denied(
            Method::PUT,
            &path,
            Some(body.clone()),
            &[&env.a1, &non_admin],
        )
        .await;
        c.expect_partial_admins_forbidden(
            Method::PUT,
            &path,
            Some(body.clone()),
            &refs(&admin_privs),
        )
        .await;
        assert!(!c.list(&listing, "groups").await.contains(&g1));
        c.expect_bad_values(
            Method::PUT,
            &path,
            client,
            &body,
            &[
                ("privileges", json!(""), "badValueListOfStrings"),
                (
                    "privileges",
                    json!(["space_view", "group_view"]),
                    "badValueListNotAllowed",
                ),
            ],
        )
        .await;
        let r = c.s.put(&path, client, body).await;
        r.expect(201);
        expect_location(&r, &path);
        assert_eq!(c.privs(&format!("{path}/privileges")).await, sorted(&privs));
        c.s.delete(&path, &c.root).await.expect(204);
    }
}

/// `add_group_test` of space_groups / `add_child_test` of group_children: the client needs the
/// add privilege in the parent *and* the join privilege in the group (space_add_group +
/// group_add_space; group_add_child + group_add_parent).
pub async fn add_group_both_sides_test(c: &Ctx, k: &Kind, join_priv: &str) {
    let (_, user) = c.user().await;
    let (no_add, a_no_add) = c.user().await;
    let (no_join, a_no_join) = c.user().await;
    let (_, non_admin) = c.user().await;
    let g1 = c.s.group(&user, "group1").await;
    let parent = if k.plural == "spaces" {
        let r =
            c.s.post("/user/spaces", &user, json!({"name": "space1"}))
                .await;
        r.expect(201);
        r.location_id()
    } else {
        c.s.group(&user, "parent").await
    };
    let base = format!("/{}/{parent}", k.plural);
    let all_target = c.all_privs(k.plural).await;
    let all_group = c.all_privs("groups").await;
    for (u, missing) in [(&no_add, k.add_group), (&no_join, join_priv)] {
        add_user(c, &base, u).await;
        add_user(c, &format!("/groups/{g1}"), u).await;
        // each lacks one of the two privileges and holds every other one
        let in_group = minus(&all_group, &[missing]);
        let in_target = minus(&all_target, &[missing]);
        c.put_privs(
            &format!("{base}/users/{u}/privileges"),
            &in_target,
            &all_target,
        )
        .await;
        c.put_privs(
            &format!("/groups/{g1}/users/{u}/privileges"),
            &in_group,
            &all_group,
        )
        .await;
    }
    let path = format!("{base}/{}/{g1}", k.groups_seg);
    let admin_privs = oz_pair(k, "add_relationships", "groups");
    let admin = c.admin(&refs(&admin_privs)).await;
    c.expect_denied(
        Method::PUT,
        &path,
        Some(json!({})),
        &[&non_admin, &a_no_add, &a_no_join],
    )
    .await;
    c.expect_partial_admins_forbidden(Method::PUT, &path, Some(json!({})), &refs(&admin_privs))
        .await;
    let listing = format!("{base}/{}", k.groups_seg);
    for client in [&user, &admin] {
        assert!(!c.list(&listing, "groups").await.contains(&g1));
        let r = c.s.put(&path, client, json!({})).await;
        r.expect(201);
        expect_location(&r, &path);
        assert!(c.list(&listing, "groups").await.contains(&g1));
        c.s.delete(&path, &c.root).await.expect(204);
    }
}

/// `remove_group_test` / `remove_child_test`: delete_entity for DELETE …/groups/{G}.
pub async fn remove_group_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.remove_group]).await;
    let (_, non_admin) = c.user().await;
    let admin_privs = oz_pair(k, "remove_relationships", "groups");
    let admin = c.admin(&refs(&admin_privs)).await;
    let listing = format!("{}/{}", env.base, k.groups_seg);
    let new_group = || async {
        let g = root_group(c, "group1").await;
        c.s.put(&format!("{listing}/{g}"), &c.root, json!({}))
            .await
            .expect(201);
        (g.clone(), format!("{listing}/{g}"))
    };
    let (g, path) = new_group().await;
    c.expect_denied(Method::DELETE, &path, None, &[&env.a1, &non_admin])
        .await;
    c.expect_partial_admins_forbidden(Method::DELETE, &path, None, &refs(&admin_privs))
        .await;
    assert!(c.list(&listing, "groups").await.contains(&g));
    for client in with_owner(&env, vec![&admin, &env.a2]) {
        let (g, path) = new_group().await;
        c.s.delete(&path, client).await.expect(204);
        assert!(!c.list(&listing, "groups").await.contains(&g));
    }
    let (_, path) = new_group().await;
    c.s.delete(&path, &c.root).await.expect(204);
    let all_clients = with_owner(&env, vec![&admin, &env.a2, &env.a1, &non_admin]);
    c.expect_not_found_for_all(Method::DELETE, &path, &all_clients)
        .await;
}

/// `list_groups_test` / `list_children_test`.
pub async fn list_groups_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view]).await;
    let (_, non_admin) = c.user().await;
    let listing = format!("{}/{}", env.base, k.groups_seg);
    let mut expected = vec![];
    for i in 0..5 {
        let g = root_group(c, &format!("group{i}")).await;
        c.s.put(&format!("{listing}/{g}"), &c.root, json!({}))
            .await
            .expect(201);
        expected.push(g);
    }
    let admin = c.admin(&[&k.oz("list_relationships")]).await;
    c.expect_denied(Method::GET, &listing, None, &[&non_admin, &env.a1])
        .await;
    for client in with_owner(&env, vec![&admin, &env.a2]) {
        let r = c.s.get(&listing, client).await;
        r.expect(200);
        assert_eq!(r.set("groups"), sorted(&expected));
    }
}

/// `get_group_privileges_test` / `get_child_privileges_test`: U3 (admin of G1) gets its rights in
/// the entity from G1's privileges, which the scenario flips; G1 is the subject, so without the
/// view privilege U3 is forbidden.
pub async fn get_group_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view_privs]).await;
    let (_, non_admin) = c.user().await;
    let (_, a3) = c.user().await;
    let g1 = c.s.group(&a3, "group1").await;
    let member = format!("{}/{}/{g1}", env.base, k.groups_seg);
    c.s.put(&member, &c.root, json!({})).await.expect(201);
    let admin = c.admin(&[&k.oz("view_privileges")]).await;
    c.get_privileges(
        &format!("{member}/privileges"),
        &with_owner(&env, vec![&admin, &env.a2]),
        &[&non_admin, &env.a1],
        &env.member,
        &env.all,
        &[],
        &a3,
        k.view_privs,
        false,
    )
    .await;
}

/// `update_group_privileges_test` / `update_child_privileges_test`.
pub async fn update_group_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.set_privs]).await;
    let (_, non_admin) = c.user().await;
    let (_, a3) = c.user().await;
    let g1 = c.s.group(&a3, "group1").await;
    let member = format!("{}/{}/{g1}", env.base, k.groups_seg);
    c.s.put(&member, &c.root, json!({})).await.expect(201);
    let admin = c.admin(&[&k.oz("set_privileges")]).await;
    c.update_privileges(
        &format!("{member}/privileges"),
        &with_owner(&env, vec![&admin, &env.a2]),
        &[&non_admin, &env.a1],
        &env.all,
        &a3,
        k.set_privs,
    )
    .await;
}

/// `add_user_test` / `add_user_with_privileges_test` of the group_users and space_users suites:
/// only self-add (a user holding the add privilege effectively, through a member group) or an
/// admin; the creator may not add another user (others join with invite tokens).
pub async fn self_add_user_test(c: &Ctx, k: &Kind, with_privileges: bool) {
    let (_, creator) = c.user().await;
    let (eff_user, a_eff) = c.user().await;
    let (eff_user_no_priv, a_eff_no_priv) = c.user().await;
    let (_, non_admin) = c.user().await;
    let target = if k.plural == "spaces" {
        let r =
            c.s.post("/user/spaces", &creator, json!({"name": "space1"}))
                .await;
        r.expect(201);
        r.location_id()
    } else {
        c.s.group(&creator, "group1").await
    };
    let base = format!("/{}/{target}", k.plural);
    let sub1 = c.s.group(&a_eff, "group2").await;
    let sub2 = c.s.group(&a_eff_no_priv, "group2").await;
    for sub in [&sub1, &sub2] {
        c.s.put(
            &format!("{base}/{}/{sub}", k.groups_seg),
            &c.root,
            json!({}),
        )
        .await
        .expect(201);
    }
    let mut granted = vec![k.add_user.to_owned()];
    if with_privileges {
        granted.push(k.set_privs.to_owned());
    }
    c.set_privs(
        &format!("{base}/{}/{sub1}/privileges", k.groups_seg),
        &granted,
        &[],
    )
    .await;
    let mut admin_privs = vec![
        k.oz("add_relationships"),
        "oz_users_add_relationships".into(),
    ];
    if with_privileges {
        admin_privs.push(k.oz("set_privileges"));
    }
    let admin = c.admin(&refs(&admin_privs)).await;
    let bodies: Vec<Value> = if with_privileges {
        k.correct_privs
            .iter()
            .map(|p| json!({ "privileges": p }))
            .collect()
    } else {
        vec![json!({})]
    };
    let users = format!("{base}/users");
    for (correct, subject, a_subject) in [
        (true, &eff_user, &a_eff),
        (false, &eff_user_no_priv, &a_eff_no_priv),
    ] {
        let path = format!("{base}/users/{subject}");
        let mut forbidden = vec![&creator, &non_admin];
        if !correct {
            forbidden.push(a_subject);
        }
        for body in &bodies {
            c.expect_denied(Method::PUT, &path, Some(body.clone()), &forbidden)
                .await;
            c.expect_partial_admins_forbidden(
                Method::PUT,
                &path,
                Some(body.clone()),
                &refs(&admin_privs),
            )
            .await;
            assert!(!c.list(&users, "users").await.contains(subject));
        }
        let mut clients = vec![&admin];
        if correct {
            clients.push(a_subject);
        }
        for client in clients {
            if with_privileges {
                c.expect_bad_values(
                    Method::PUT,
                    &path,
                    client,
                    &bodies[0],
                    &[
                        ("privileges", json!(""), "badValueListOfStrings"),
                        (
                            "privileges",
                            json!(["space_view", "group_view"]),
                            "badValueListNotAllowed",
                        ),
                    ],
                )
                .await;
            }
            for body in &bodies {
                let r = c.s.put(&path, client, body.clone()).await;
                r.expect(201);
                expect_location(&r, &path);
                let privs = c.privs(&format!("{path}/privileges")).await;
                if with_privileges {
                    assert_eq!(privs, sorted(&strings(&body["privileges"])));
                } else {
                    assert_eq!(privs, c.privs_level(k.plural, "member").await);
                }
                c.s.delete(&path, &c.root).await.expect(204);
            }
        }
    }
}

/// `api_test_scenarios:create_{space,hservice,handle}_eff_users_env`: the basic env with the view
/// privilege, plus Group1 of `create_eff_child_groups_env` as a member:
///
/// ```text
///                  Group1
///             Group6     Group2
///           User4       /     User1'
///                    Group3
///                Group4  Group5
///              User2'        User3'
/// ```
/// Returns the env, the six groups and the four users (id, username, fullName).
pub async fn eff_users_env(c: &Ctx, k: &Kind) -> (Env, Vec<String>, Vec<(String, String, String)>) {
    let env = basic_env(c, k, &[k.view]).await;
    let mut users = vec![];
    for i in 0..4 {
        let n = format!("effuser{i}x{:x}", c.uniform(1 << 30));
        let r =
            c.s.post(
                "/users",
                &c.root,
                json!({"username": n, "fullName": format!("Full {n}")}),
            )
            .await;
        r.expect(201);
        users.push((r.location_id(), n.clone(), format!("Full {n}")));
    }
    let mut groups = vec![];
    for i in 0..6 {
        groups.push(root_group(c, &format!("group{i}")).await);
    }
    for (p, ch) in [(0, 5), (0, 1), (1, 2), (2, 3), (2, 4)] {
        c.s.put(
            &format!("/groups/{}/children/{}", groups[p], groups[ch]),
            &c.root,
            json!({}),
        )
        .await
        .expect(201);
    }
    for (g, u) in [(1, 0), (5, 3), (3, 1), (4, 2)] {
        add_user(c, &format!("/groups/{}", groups[g]), &users[u].0).await;
    }
    c.s.put(
        &format!("{}/{}/{}", env.base, k.groups_seg, groups[0]),
        &c.root,
        json!({}),
    )
    .await
    .expect(201);
    (env, groups, users)
}

async fn owner_id(c: &Ctx, env: &Env) -> Option<String> {
    match &env.owner {
        Some(o) => Some(
            c.s.get("/user", o).await.body["userId"]
                .as_str()?
                .to_owned(),
        ),
        None => None,
    }
}

/// `list_eff_users_test`.
pub async fn list_eff_users_test(c: &Ctx, k: &Kind) {
    let (env, _, users) = eff_users_env(c, k).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&[&k.oz("list_relationships")]).await;
    let mut expected: Vec<String> = users.iter().map(|u| u.0.clone()).collect();
    expected.extend([env.u1.clone(), env.u2.clone()]);
    expected.extend(owner_id(c, &env).await);
    let path = format!("{}/effective_users", env.base);
    c.expect_denied(Method::GET, &path, None, &[&env.a1, &non_admin])
        .await;
    for client in with_owner(&env, vec![&admin, &env.a2]) {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set("users"), sorted(&expected));
    }
}

/// `get_eff_user_test`: the shared data of each effective user.
pub async fn get_eff_user_test(c: &Ctx, k: &Kind) {
    let (env, _, users) = eff_users_env(c, k).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&["oz_users_view"]).await;
    for (id, username, full_name) in &users {
        let path = format!("{}/effective_users/{id}", env.base);
        c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
            .await;
        for client in with_owner(&env, vec![&admin, &env.a2]) {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            assert_eq!(r.body["userId"], json!(id));
            assert_eq!(r.body["username"], json!(username));
            assert_eq!(r.body["fullName"], json!(full_name));
            assert!(
                r.body.get("emails").is_none(),
                "shared scope only: {}",
                r.text
            );
        }
    }
}

/// `list_eff_groups_test`.
pub async fn list_eff_groups_test(c: &Ctx, k: &Kind) {
    let (env, groups, _) = eff_users_env(c, k).await;
    let (_, non_admin) = c.user().await;
    let admin = c.admin(&[&k.oz("list_relationships")]).await;
    let path = format!("{}/{}", env.base, eff_groups_seg(k));
    c.expect_denied(Method::GET, &path, None, &[&env.a1, &non_admin])
        .await;
    for client in with_owner(&env, vec![&admin, &env.a2]) {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set("groups"), sorted(&groups));
    }
}

/// An entity of kind `k` created by `user` through `/user/…` (its creator, holding all privileges).
pub async fn create_by(c: &Ctx, k: &Kind, user: &str, auth: &Auth) -> String {
    let id = match k.plural {
        "groups" => c.s.group(auth, "group1").await,
        "spaces" => {
            let r =
                c.s.post("/user/spaces", auth, json!({"name": "space1"}))
                    .await;
            r.expect(201);
            r.location_id()
        }
        "handle_services" => create_hservice(c, user, auth).await,
        _ => {
            let hs = create_hservice(c, user, auth).await;
            let share = create_share(c, auth).await;
            let r =
                c.s.post("/user/handles", auth, handle_body(&hs, &share))
                    .await;
            r.expect(201);
            r.location_id()
        }
    };
    format!("/{}/{id}", k.plural)
}

/// `get_user_test` (`get_user_details_test` for groups): a member's shared record needs the view
/// privilege (or self, or oz_users_view); the creator's is visible to every member, even after
/// the creator left.
pub async fn get_user_test(c: &Ctx, k: &Kind) {
    let n = c.uniform(1 << 30);
    let (creator, a_creator) = c.s.user(&format!("creator{n:x}")).await;
    let (with_view, a_with) = c.user().await;
    let (without_view, a_without) = c.user().await;
    let (member, a_member) = c.s.user(&format!("member{n:x}")).await;
    let (_, non_admin) = c.user().await;
    let base = create_by(c, k, &creator, &a_creator).await;
    for u in [&with_view, &without_view, &member] {
        add_user(c, &base, u).await;
    }
    let v = vec![k.view.to_owned()];
    c.set_privs(&format!("{base}/users/{with_view}/privileges"), &v, &[])
        .await;
    c.set_privs(&format!("{base}/users/{without_view}/privileges"), &[], &v)
        .await;
    if k.plural == "spaces" {
        // the creator is the only owner; make Member one so that the creator may leave
        c.s.put(&format!("{base}/owners/{member}"), &c.root, json!({}))
            .await
            .expect(204);
    }
    c.s.delete(&format!("{base}/users/{creator}"), &c.root)
        .await
        .expect(204);
    let admin = c.admin(&["oz_users_view"]).await;
    for (subject, a_subject, name) in [
        (&creator, &a_creator, format!("creator{n:x}")),
        (&member, &a_member, format!("member{n:x}")),
    ] {
        let path = format!("{base}/users/{subject}");
        let mut correct = vec![&admin, a_subject, &a_with];
        let mut forbidden = vec![&non_admin];
        if subject == &creator {
            correct.push(&a_without);
        } else {
            forbidden.push(&a_without);
        }
        c.expect_denied(Method::GET, &path, None, &forbidden).await;
        for client in correct {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            assert_eq!(r.body["userId"], json!(subject));
            assert_eq!(r.body["username"], json!(name));
            assert_eq!(r.body["fullName"], json!(name));
        }
    }
}

/// A fresh target of kind `seg` (`handle_services`, `handles`, `spaces`, `groups`) created by
/// root with `member` (a group) in it; returns its id.
pub async fn target_with_group(c: &Ctx, seg: &str, member: &str) -> String {
    let id = match seg {
        "handle_services" => {
            let r = c
                .s
                .post(
                    "/handle_services",
                    &c.root,
                    json!({"name": "hs1", "proxyEndpoint": "https://p.example.org", "serviceProperties": {"type": "DOI"}}),
                )
                .await;
            r.expect(201);
            r.location_id()
        }
        "handles" => {
            let (u, a) = c.user().await;
            let hs = create_hservice(c, &u, &a).await;
            let share = create_share(c, &a).await;
            let r =
                c.s.post("/handles", &c.root, handle_body(&hs, &share))
                    .await;
            r.expect(201);
            r.location_id()
        }
        "spaces" => {
            let (_, a) = c.user().await;
            let r =
                c.s.post("/user/spaces", &a, json!({"name": "space1"}))
                    .await;
            r.expect(201);
            r.location_id()
        }
        _ => root_group(c, "group2").await,
    };
    let seg_of_member = if seg == "groups" {
        "children"
    } else {
        "groups"
    };
    c.s.put(
        &format!("/{seg}/{id}/{seg_of_member}/{member}"),
        &c.root,
        json!({}),
    )
    .await
    .expect(201);
    id
}

/// `leave_{handle_service,handle,space,parent}_test` of the group_* suites: DELETE
/// /groups/{G1}/{seg}/{id} by the leave privilege in G1 or an admin holding both
/// remove_relationships privileges; `delete_entity`: then 404 for everybody.
pub async fn group_leave_test(c: &Ctx, path_seg: &str, target_seg: &str, privilege: &str) {
    let env = basic_env(c, &GROUP, &[privilege]).await;
    let (_, non_admin) = c.user().await;
    let g1 = env.base.trim_start_matches("/groups/").to_owned();
    let mut admin_privs = vec!["oz_groups_remove_relationships".to_owned()];
    if target_seg != "groups" {
        admin_privs.push(format!("oz_{target_seg}_remove_relationships"));
    }
    let admin = c.admin(&refs(&admin_privs)).await;
    let listing = format!("{}/{path_seg}", env.base);
    let key = if path_seg == "parents" {
        "groups"
    } else {
        path_seg
    };
    let id = target_with_group(c, target_seg, &g1).await;
    let path = format!("{listing}/{id}");
    c.expect_denied(Method::DELETE, &path, None, &[&non_admin, &env.a1])
        .await;
    c.expect_partial_admins_forbidden(Method::DELETE, &path, None, &refs(&admin_privs))
        .await;
    assert!(c.list(&listing, key).await.contains(&id));
    for client in [&env.a2, &admin] {
        let id = target_with_group(c, target_seg, &g1).await;
        c.s.delete(&format!("{listing}/{id}"), client)
            .await
            .expect(204);
        assert!(!c.list(&listing, key).await.contains(&id));
    }
    c.s.delete(&path, &c.root).await.expect(204);
    c.expect_not_found_for_all(
        Method::DELETE,
        &path,
        &[&env.a2, &admin, &non_admin, &env.a1],
    )
    .await;
}

/// `leave_{group,space,handle_service,handle}_test` of the user_* suites: DELETE /user/{seg}/{id}
/// by the member itself; `delete_entity`: then 404.
pub async fn user_leave_test(c: &Ctx, seg: &str) {
    let (u1, a1) = c.user().await;
    let (u2, _) = c.user().await;
    let new_membership = || async {
        let (o, ao) = c.user().await;
        let base = create_by(c, &kind_of(seg), &o, &ao).await;
        add_user(c, &base, &u1).await;
        add_user(c, &base, &u2).await;
        base.rsplit('/').next().unwrap_or_default().to_owned()
    };
    let id = new_membership().await;
    let path = format!("/user/{seg}/{id}");
    c.s.delete(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    c.s.delete(&path, &a1).await.expect(204);
    let members = c.list(&format!("/{seg}/{id}/users"), "users").await;
    assert!(
        !members.contains(&u1) && members.contains(&u2),
        "{members:?}"
    );
    c.s.delete(&path, &a1).await.expect_error(404, "notFound");
}

fn kind_of(seg: &str) -> Kind {
    match seg {
        "groups" => GROUP,
        "spaces" => SPACE,
        "handle_services" => HSERVICE,
        _ => HANDLE,
    }
}

/// `create_{child,parent,handle_service,space}_test` of the group_* suites: POST
/// /groups/{G1}/{seg} by `privilege` in G1 (U2; U1 holds every other one) or an admin holding
/// all of `admin_privs`; `oz_extra` is granted to U1 and U2 (upstream does so for handle services).
/// Returns nothing; checks Location and that G1 is related to the new entity (listed at `seg`).
pub async fn group_create_test(
    c: &Ctx,
    seg: &str,
    privilege: &str,
    admin_privs: &[&str],
    oz_extra: &[&str],
    body: Value,
    bad: &[(&str, Value, &str)],
) {
    let env = basic_env(c, &GROUP, &[privilege]).await;
    for u in [&env.u1, &env.u2] {
        if !oz_extra.is_empty() {
            c.s.grant_oz(u, oz_extra).await;
        }
    }
    let (_, non_admin) = c.user().await;
    let admin = c.admin(admin_privs).await;
    let path = format!("{}/{seg}", env.base);
    let key = match seg {
        "children" | "parents" => "groups",
        s => s,
    };
    c.expect_denied(
        Method::POST,
        &path,
        Some(body.clone()),
        &[&env.a1, &non_admin],
    )
    .await;
    c.expect_partial_admins_forbidden(Method::POST, &path, Some(body.clone()), admin_privs)
        .await;
    assert!(c.list(&path, key).await.is_empty());
    c.expect_bad_values(Method::POST, &path, &env.a2, &body, bad)
        .await;
    assert!(
        c.list(&path, key).await.is_empty(),
        "bad values created nothing"
    );
    for client in [&env.a2, &admin] {
        let r = c.s.post(&path, client, body.clone()).await;
        r.expect(201);
        let id = r.location_id();
        expect_location(&r, &format!("{path}/{id}"));
        assert!(c.list(&path, key).await.contains(&id));
    }
}

/// `create_{group,space,handle_service}_test` of the user_* suites: POST /user/{seg} by any
/// user (allowed to create the kind); the creator becomes an admin member.
pub async fn user_create_test(
    c: &Ctx,
    seg: &str,
    oz_needed: &[&str],
    body: Value,
    bad: &[(&str, Value, &str)],
) {
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    for u in [&u1, &u2] {
        if !oz_needed.is_empty() {
            c.s.grant_oz(u, oz_needed).await;
        }
    }
    let path = format!("/user/{seg}");
    let forbidden: Vec<&Auth> = if oz_needed.is_empty() {
        vec![]
    } else {
        vec![&non_admin]
    };
    c.expect_denied(Method::POST, &path, Some(body.clone()), &forbidden)
        .await;
    c.expect_bad_values(Method::POST, &path, &a1, &body, bad)
        .await;
    let all = c.all_privs(seg).await;
    for (u, client) in [(&u1, &a1), (&u2, &a2)] {
        let r = c.s.post(&path, client, body.clone()).await;
        r.expect(201);
        let id = r.location_id();
        expect_location(&r, &format!("{path}/{id}"));
        assert_eq!(
            c.privs(&format!("/{seg}/{id}/users/{u}/privileges")).await,
            all
        );
        let r = c.s.get(&path, client).await;
        assert!(r.set(seg).contains(&id), "{}", r.text);
    }
}

/// `get_eff_group_privileges_test` (`get_eff_child_privileges_test` for groups): G4 is under G1
/// (through G3) and under G2; G1 and G2 are members. G4's effective privileges are the union of
/// G1's and G2's (granted privileges split at random between them); U3, a member of G4, gets its
/// rights from them, so without the view privilege it is forbidden (G4 is the subject, not U3).
pub async fn get_eff_group_privileges_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view_privs]).await;
    let (_, non_admin) = c.user().await;
    let (u3, a3) = c.user().await;
    let g: Vec<String> = {
        let mut v = vec![];
        for i in 1..=4 {
            v.push(root_group(c, &format!("group{i}")).await);
        }
        v
    };
    let (g1, g2, g3, g4) = (&g[0], &g[1], &g[2], &g[3]);
    for m in [g1, g2] {
        c.s.put(
            &format!("{}/{}/{m}", env.base, k.groups_seg),
            &c.root,
            json!({}),
        )
        .await
        .expect(201);
    }
    for (p, ch) in [(g1, g3), (g2, g4), (g3, g4)] {
        c.s.put(&format!("/groups/{p}/children/{ch}"), &c.root, json!({}))
            .await
            .expect(201);
    }
    add_user(c, &format!("/groups/{g4}"), &u3).await;
    let admin = c.admin(&[&k.oz("view_privileges")]).await;
    let eff = if k.groups_seg == "children" {
        "effective_children"
    } else {
        "effective_groups"
    };
    let path = format!("{}/{eff}/{g4}/privileges", env.base);
    let p1 = [format!("{}/{}/{g1}/privileges", env.base, k.groups_seg)];
    let p2 = [format!("{}/{}/{g2}/privileges", env.base, k.groups_seg)];
    c.state_at(&path, &[&p1, &p2]);
    c.get_privileges(
        &path,
        &with_owner(&env, vec![&admin, &env.a2]),
        &[&env.a1, &non_admin],
        &env.member,
        &env.all,
        &[],
        &a3,
        k.view_privs,
        false,
    )
    .await;
}

fn id_key(seg: &str) -> &'static str {
    match seg {
        "groups" => "groupId",
        "spaces" => "spaceId",
        "handle_services" => "handleServiceId",
        _ => "handleId",
    }
}

/// `list_{groups,spaces,handle_services,handles}_test` of the user_* suites: U1 created five,
/// U2 is a member of each; both list them at /user/…; /users/{U1}/… (upstream's second spec, a
/// logic call there, a REST route here) is for U1 itself or oz_users_list_relationships.
pub async fn user_list_test(c: &Ctx, seg: &str) {
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let k = kind_of(seg);
    let mut expected = vec![];
    for _ in 0..5 {
        let base = create_by(c, &k, &u1, &a1).await;
        add_user(c, &base, &u2).await;
        expected.push(base.rsplit('/').next().unwrap_or_default().to_owned());
    }
    let path = format!("/user/{seg}");
    c.s.get(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    for client in [&a1, &a2] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set(seg), sorted(&expected));
    }
    let admin = c.admin(&["oz_users_list_relationships"]).await;
    let path = format!("/users/{u1}/{seg}");
    c.expect_denied(Method::GET, &path, None, &[&a2, &non_admin])
        .await;
    for client in [&a1, &admin] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set(seg), sorted(&expected));
    }
}

/// `list_eff_*_test` of the user_* suites: U1 is a direct member of E1 and, through its group
/// G, of E2 (for groups: G's parent); /user/effective_… lists both (and G for groups).
pub async fn user_list_eff_test(c: &Ctx, seg: &str) {
    let (u1, a1) = c.user().await;
    let (_, a2) = c.user().await;
    let (_, non_admin) = c.user().await;
    let k = kind_of(seg);
    let (o, ao) = c.user().await;
    let e1 = create_by(c, &k, &o, &ao).await;
    add_user(c, &e1, &u1).await;
    let e2 = create_by(c, &k, &o, &ao).await;
    let g = c.s.group(&a1, "groupU1").await;
    c.s.put(&format!("{e2}/{}/{g}", k.groups_seg), &c.root, json!({}))
        .await
        .expect(201);
    let mut expected: Vec<String> = [&e1, &e2]
        .iter()
        .map(|b| b.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    if seg == "groups" {
        expected.push(g.clone());
    }
    let r = c.s.get(&format!("/user/effective_{seg}"), &a1).await;
    r.expect(200);
    assert_eq!(r.set(seg), sorted(&expected));
    let admin = c.admin(&["oz_users_list_relationships"]).await;
    let path = format!("/users/{u1}/effective_{seg}");
    c.expect_denied(Method::GET, &path, None, &[&a2, &non_admin])
        .await;
    for client in [&a1, &admin] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set(seg), sorted(&expected));
    }
    // get_eff_*_test: each is readable through /user/effective_…/{id}
    for id in &expected {
        let r = c.s.get(&format!("/user/effective_{seg}/{id}"), &a1).await;
        r.expect(200);
        assert_eq!(r.body[id_key(seg)], json!(id));
        c.s.get(&format!("/user/effective_{seg}/{id}"), &a2)
            .await
            .expect_error(404, "notFound");
    }
}

/// `get_{group,space,handle_service,handle}_test` of the user_* suites: members read it at
/// /user/{seg}/{id}; for anybody else it is not theirs (404).
pub async fn user_get_test(c: &Ctx, seg: &str) {
    let (u1, a1) = c.user().await;
    let (u2, a2) = c.user().await;
    let (_, non_member) = c.user().await;
    let base = create_by(c, &kind_of(seg), &u1, &a1).await;
    add_user(c, &base, &u2).await;
    let id = base.rsplit('/').next().unwrap_or_default().to_owned();
    let path = format!("/user/{seg}/{id}");
    for client in [&a1, &a2] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.body[id_key(seg)], json!(id));
    }
    c.s.get(&path, &non_member)
        .await
        .expect_error(404, "notFound");
}

/// `list_{spaces,handle_services,handles,parents}_test` of the group_* suites and their
/// `list_eff_*` (G1's member group chain adds a parent whose memberships G1 inherits) and
/// `get_*_details_test` (any member of G1, or the kind's oz view privilege).
pub async fn group_list_test(c: &Ctx, path_seg: &str, target_seg: &str) {
    let env = basic_env(c, &GROUP, &["group_view"]).await;
    let (_, non_admin) = c.user().await;
    let g1 = env.base.trim_start_matches("/groups/").to_owned();
    let key = if path_seg == "parents" {
        "groups"
    } else {
        path_seg
    };
    let mut expected = vec![];
    for _ in 0..4 {
        expected.push(target_with_group(c, target_seg, &g1).await);
    }
    let admin = c.admin(&["oz_groups_list_relationships"]).await;
    let path = format!("{}/{path_seg}", env.base);
    c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
        .await;
    for client in [&env.a2, &admin] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set(key), sorted(&expected));
    }
    // effective: also what a parent of G1 belongs to
    let parent = root_group(c, "parent").await;
    c.s.put(
        &format!("/groups/{parent}/children/{g1}"),
        &c.root,
        json!({}),
    )
    .await
    .expect(201);
    let via_parent = target_with_group(c, target_seg, &parent).await;
    let mut eff = expected.clone();
    eff.push(via_parent);
    if path_seg == "parents" {
        eff.push(parent.clone());
    }
    let path = format!("{}/effective_{path_seg}", env.base);
    c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
        .await;
    for client in [&env.a2, &admin] {
        let r = c.s.get(&path, client).await;
        r.expect(200);
        assert_eq!(r.set(key), sorted(&eff));
    }
    // details: every member of G1 (view privilege or not), or the target kind's oz view
    let oz_view = if target_seg == "groups" {
        "oz_groups_view".to_owned()
    } else {
        format!("oz_{target_seg}_view")
    };
    let admin = c.admin(&[&oz_view]).await;
    for id in &expected {
        let path = format!("{}/{path_seg}/{id}", env.base);
        c.expect_denied(Method::GET, &path, None, &[&non_admin])
            .await;
        for client in [&admin, &env.a1, &env.a2] {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            assert_eq!(r.body[id_key(target_seg)], json!(id), "{}", r.text);
        }
    }
}

/// `add_group_with_privileges_test` of space_groups / `add_child_with_privileges_test` of
/// group_children: with `privileges` the client also needs the set privilege in the parent (a
/// user holding everything else is forbidden), the admin also oz_*_set_privileges.
pub async fn add_group_with_privileges_test(c: &Ctx, k: &Kind) {
    let (_, user) = c.user().await;
    let (no_set, a_no_set) = c.user().await;
    let (_, non_admin) = c.user().await;
    let g1 = c.s.group(&user, "group1").await;
    let parent = create_by(c, k, "", &user).await;
    let all_target = c.all_privs(k.plural).await;
    let all_group = c.all_privs("groups").await;
    add_user(c, &parent, &no_set).await;
    add_user(c, &format!("/groups/{g1}"), &no_set).await;
    c.put_privs(
        &format!("/groups/{g1}/users/{no_set}/privileges"),
        &all_group,
        &all_group,
    )
    .await;
    c.put_privs(
        &format!("{parent}/users/{no_set}/privileges"),
        &minus(&all_target, &[k.set_privs]),
        &all_target,
    )
    .await;
    let path = format!("{parent}/{}/{g1}", k.groups_seg);
    let mut admin_privs = oz_pair(k, "add_relationships", "groups");
    admin_privs.push(k.oz("set_privileges"));
    let admin = c.admin(&refs(&admin_privs)).await;
    let bodies: Vec<Value> = k
        .correct_privs
        .iter()
        .map(|p| json!({ "privileges": p }))
        .collect();
    for body in &bodies {
        c.expect_denied(
            Method::PUT,
            &path,
            Some(body.clone()),
            &[&non_admin, &a_no_set],
        )
        .await;
        c.expect_partial_admins_forbidden(
            Method::PUT,
            &path,
            Some(body.clone()),
            &refs(&admin_privs),
        )
        .await;
    }
    c.expect_bad_values(
        Method::PUT,
        &path,
        &user,
        &bodies[0],
        &[
            ("privileges", json!(""), "badValueListOfStrings"),
            (
                "privileges",
                json!(["space_view", "group_view", "handle_view"]),
                "badValueListNotAllowed",
            ),
        ],
    )
    .await;
    for client in [&user, &admin] {
        for body in &bodies {
            let r = c.s.put(&path, client, body.clone()).await;
            r.expect(201);
            expect_location(&r, &path);
            assert_eq!(
                c.privs(&format!("{path}/privileges")).await,
                sorted(&strings(&body["privileges"]))
            );
            c.s.delete(&path, &c.root).await.expect(204);
        }
    }
}

/// `create_user_invite_token_test` / `create_group_invite_token_test`: POST …/{users,groups or
/// children}/token by the add privilege, or an admin holding oz_tokens_manage and the kind's
/// add_relationships; 200 with a token that the invitee can join with.
pub async fn create_invite_token_test(c: &Ctx, k: &Kind, for_groups: bool) {
    let privilege = if for_groups { k.add_group } else { k.add_user };
    let env = basic_env(c, k, &[privilege]).await;
    let (_, non_admin) = c.user().await;
    let seg = if for_groups { k.groups_seg } else { "users" };
    let path = format!("{}/{seg}/token", env.base);
    let admin_privs = ["oz_tokens_manage".to_owned(), k.oz("add_relationships")];
    let admin = c.admin(&refs(&admin_privs)).await;
    c.expect_denied(Method::POST, &path, Some(json!({})), &[&env.a1, &non_admin])
        .await;
    // upstream's admin holds both, but only add_relationships is required
    // (invite_tokens:has_admin_privileges_to_invite; the admin's own token needs no oz_tokens_manage)
    let tokens_only = c.admin(&["oz_tokens_manage"]).await;
    c.expect_denied(Method::POST, &path, Some(json!({})), &[&tokens_only])
        .await;
    let add_only = c.admin(&[&k.oz("add_relationships")]).await;
    for client in with_owner(&env, vec![&env.a2, &admin, &add_only]) {
        let r = c.s.post(&path, client, json!({})).await;
        r.expect(200);
        let token = r.body["token"].as_str().unwrap_or_default().to_owned();
        assert!(!token.is_empty(), "{}", r.text);
        // the invitee may join with it
        let (_, invitee) = c.user().await;
        let r = if for_groups {
            let g = c.s.group(&invitee, "joiner").await;
            let join = if k.plural == "groups" {
                "parents"
            } else {
                k.plural
            };
            c.s.post(
                &format!("/groups/{g}/{join}/join"),
                &invitee,
                json!({ "token": token }),
            )
            .await
        } else {
            c.s.post(
                &format!("/user/{}/join", k.plural),
                &invitee,
                json!({ "token": token }),
            )
            .await
        };
        r.expect(201);
    }
}

fn eff_groups_seg(k: &Kind) -> &'static str {
    if k.groups_seg == "children" {
        "effective_children"
    } else {
        "effective_groups"
    }
}

/// `get_group_test` of the hservice/handle/space *_groups suites (`get_child_details_test` for
/// groups) and its `get_eff_*` twin: a member group's shared record, for the view privilege, for
/// members of that group (whatever they hold in the entity) and for oz_groups_view.
pub async fn get_group_test(c: &Ctx, k: &Kind) {
    let env = basic_env(c, k, &[k.view]).await;
    let (_, non_admin) = c.user().await;
    let g = root_group(c, "shared group").await;
    c.s.put(
        &format!("{}/{}/{g}", env.base, k.groups_seg),
        &c.root,
        json!({}),
    )
    .await
    .expect(201);
    // a member of the group who lacks the view privilege in the entity
    let (from_group, a_from_group) = c.user().await;
    add_user(c, &format!("/groups/{g}"), &from_group).await;
    if k.plural != "groups" {
        add_user(c, &env.base, &from_group).await;
        c.put_privs(
            &format!("{}/users/{from_group}/privileges", env.base),
            &minus(&env.all, &[k.view]),
            &env.all,
        )
        .await;
    }
    let admin = c.admin(&["oz_groups_view"]).await;
    for seg in [k.groups_seg, eff_groups_seg(k)] {
        let path = format!("{}/{seg}/{g}", env.base);
        c.expect_denied(Method::GET, &path, None, &[&non_admin, &env.a1])
            .await;
        for client in with_owner(&env, vec![&admin, &env.a2, &a_from_group]) {
            let r = c.s.get(&path, client).await;
            r.expect(200);
            assert_eq!(r.body["groupId"], json!(g));
            assert_eq!(r.body["name"], json!("shared group"));
            assert_eq!(r.body["type"], json!("team"));
        }
    }
}

/// `join_parent_test` of group_parents / `join_space_test` of group_spaces: G1 joins with an
/// invite-group token at /groups/{G1}/{parents,spaces}/join, by group_add_parent /
/// group_add_space in G1 (U2) or oz_groups_add_relationships; upstream's bad_values for `token`.
pub async fn group_join_test(c: &Ctx, target: &Kind, privilege: &str) {
    let env = basic_env(c, &GROUP, &[privilege]).await;
    let (_, non_admin) = c.user().await;
    let (_, creator) = c.user().await;
    let admin = c.admin(&["oz_groups_add_relationships"]).await;
    let seg = if target.plural == "groups" {
        "parents"
    } else {
        target.plural
    };
    let path = format!("{}/{seg}/join", env.base);
    let new_target = || async {
        let base = create_by(c, target, "", &creator).await;
        let token = invite_group_token(c, target, &base, &creator).await;
        (
            base.rsplit('/').next().unwrap_or_default().to_owned(),
            token,
        )
    };
    let (id, token) = new_target().await;
    let body = json!({ "token": token });
    c.expect_denied(
        Method::POST,
        &path,
        Some(body.clone()),
        &[&non_admin, &env.a1],
    )
    .await;
    c.expect_bad_values(
        Method::POST,
        &path,
        &env.a2,
        &body,
        &[
            ("token", json!(""), "badValueEmpty"),
            ("token", json!(1234), "badValueToken"),
            ("token", json!("123qwe"), "badValueToken"),
        ],
    )
    .await;
    let key = if seg == "parents" { "groups" } else { seg };
    assert!(!c
        .list(&format!("{}/{seg}", env.base), key)
        .await
        .contains(&id));
    for client in [&env.a2, &admin] {
        let (id, token) = new_target().await;
        let r = c.s.post(&path, client, json!({ "token": token })).await;
        r.expect(201);
        expect_location(&r, &format!("{}/{seg}/{id}", env.base));
        assert!(c
            .list(&format!("{}/{seg}", env.base), key)
            .await
            .contains(&id));
        // joining again with a fresh token: 409 (upstream: the token is not consumed then)
        let again =
            invite_group_token(c, target, &format!("/{}/{id}", target.plural), &creator).await;
        let r = c.s.post(&path, client, json!({ "token": again })).await;
        r.expect_error(409, "relationAlreadyExists");
    }
}

/// An invite-group token for `base` issued by `issuer` (`POST {base}/{groups|children}/token`).
async fn invite_group_token(c: &Ctx, target: &Kind, base: &str, issuer: &Auth) -> String {
    let r =
        c.s.post(
            &format!("{base}/{}/token", target.groups_seg),
            issuer,
            json!({}),
        )
        .await;
    r.expect(200);
    r.body["token"].as_str().unwrap_or_default().to_owned()
}
