//! §3.3 Handles: registration for shares (as admin, as the current user, as a group) with locally
//! minted identifiers, protected/public data, metadata update, delete, and the generic membership
//! routes for this kind.

use serde_json::{json, Value};

use crate::handle_services::{bad_token, expect_bad_credentials, sorted, user_service};
use crate::harness::{Auth, TestServer};

const ALL: [&str; 3] = ["handle_delete", "handle_update", "handle_view"];
const METADATA: &str =
    "<metadata><dc:title>Data</dc:title><dc:creator>Alice</dc:creator></metadata>";

fn handle_body(service: &str, share: &str) -> Value {
    json!({
        "handleServiceId": service,
        "resourceType": "Share",
        "resourceId": share,
        "metadataPrefix": "oai_dc",
        "metadata": METADATA,
    })
}

/// A space created by `auth` (its owner) with one share in it.
async fn space_with_share(s: &TestServer, auth: &Auth, name: &str) -> (String, String) {
    let r = s.post("/user/spaces", auth, json!({"name": name})).await;
    r.expect(201);
    let space = r.location_id();
    let r = s
        .post(
            "/shares",
            auth,
            json!({"name": format!("{name} share"), "spaceId": space, "rootFileId": "root-file"}),
        )
        .await;
    r.expect(201);
    (space, r.location_id())
}

struct World {
    s: TestServer,
    alice: String,
    a: Auth,
    service: String,
    space: String,
    share: String,
}

/// alice: admin of a DOI handle service and owner of a space with a share.
async fn world() -> World {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let service = user_service(&s, &alice, &a, "Datacite").await;
    let (space, share) = space_with_share(&s, &a, "Research").await;
    World {
        s,
        alice,
        a,
        service,
        space,
        share,
    }
}

async fn privileges(s: &TestServer, path: &str) -> Vec<String> {
    let r = s.get(path, &Auth::admin()).await;
    r.expect(200);
    r.set("privileges")
}

#[tokio::test]
async fn create_as_user_needs_register_handle_and_manage_shares() {
    let w = world().await;
    let s = &w.s;
    let (bob, b) = s.user("bob").await;
    let ok = handle_body(&w.service, &w.share);
    s.post("/user/handles", &Auth::Nobody, ok.clone())
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.post("/user/handles", &bad_token(), ok.clone()).await);
    s.post("/user/handles", &b, ok.clone())
        .await
        .expect_error(403, "forbidden");
    // Unknown ids are reported while authorizing, even to a caller who would be forbidden.
    let r = s
        .post("/user/handles", &b, handle_body("nope", &w.share))
        .await;
    r.expect_error(400, "badValueIdNotFound");
    assert_eq!(r.body["error"]["details"]["key"], "handleServiceId");
    let r = s
        .post("/user/handles", &b, handle_body(&w.service, "nope"))
        .await;
    r.expect_error(400, "badValueIdNotFound");
    assert_eq!(r.body["error"]["details"]["key"], "resourceId");
    // Member of the service (register_handle by default) but not of the space.
    s.put(
        &format!("/handle_services/{}/users/{bob}", w.service),
        &w.a,
        json!({}),
    )
    .await
    .expect(201);
    s.post("/user/handles", &b, ok.clone())
        .await
        .expect_error(403, "forbidden");
    // Space member without space_manage_shares.
    s.put(
        &format!("/spaces/{}/users/{bob}", w.space),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.post("/user/handles", &b, ok.clone())
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &format!("/spaces/{}/users/{bob}/privileges", w.space),
        &w.a,
        json!({"grant": ["space_manage_shares"]}),
    )
    .await
    .expect(204);
    let r = s.post("/user/handles", &b, ok.clone()).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/api/v3/onezone/user/handles/{id}")));
    assert_eq!(
        privileges(s, &format!("/handles/{id}/users/{bob}/privileges")).await,
        sorted(&ALL)
    );
    let h = s.get(&format!("/handles/{id}"), &b).await;
    h.expect(200);
    assert_eq!(h.body["handleId"], json!(id));
    assert_eq!(h.body["handleServiceId"], json!(w.service));
    assert_eq!(h.body["resourceType"], "Share");
    assert_eq!(h.body["resourceId"], json!(w.share));
    assert_eq!(h.body["metadataPrefix"], "oai_dc");
    assert_eq!(h.body["metadata"], METADATA);
    assert_eq!(h.body["creator"], json!({"type": "user", "id": bob}));
    assert!(h.body["creationTime"].is_i64(), "{}", h.text);
    let ts = h.body["timestamp"].as_str().unwrap_or_default();
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && ts.contains('T'),
        "{ts}"
    );
    // Minted locally from the service's prefix, resolved through doi.org for a DOI service.
    let public_handle = h.body["publicHandle"].as_str().unwrap_or_default();
    let suffix = public_handle
        .strip_prefix("https://doi.org/10.5072/")
        .unwrap_or_else(|| panic!("minted from the prefix: {public_handle}"));
    assert!(
        !suffix.is_empty() && !suffix.contains('/'),
        "{public_handle}"
    );
    // One handle per share.
    s.post("/user/handles", &b, ok)
        .await
        .expect_error(409, "alreadyExists");
}

#[tokio::test]
async fn create_as_admin_needs_oz_handles_create_and_validates() {
    let w = world().await;
    let s = &w.s;
    let admin = Auth::admin();
    let ok = handle_body(&w.service, &w.share);
    s.post("/handles", &Auth::Nobody, ok.clone())
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.post("/handles", &bad_token(), ok.clone()).await);
    // alice holds every entity privilege needed, but /handles is for admins only.
    s.post("/handles", &w.a, ok.clone())
        .await
        .expect_error(403, "forbidden");
    let with = |key: &str, v: Value| {
        let mut b = ok.clone();
        b[key] = v;
        b
    };
    let without = |key: &str| {
        let mut b = ok.clone();
        b.as_object_mut().map(|o| o.remove(key));
        b
    };
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (json!([1]), "malformedData", None),
        (
            without("handleServiceId"),
            "missingRequiredValue",
            Some("handleServiceId"),
        ),
        (
            with("handleServiceId", json!("nope")),
            "badValueIdNotFound",
            Some("handleServiceId"),
        ),
        (
            with("resourceType", json!("File")),
            "badValueNotAllowed",
            Some("resourceType"),
        ),
        (
            with("resourceId", json!("nope")),
            "badValueIdNotFound",
            Some("resourceId"),
        ),
        // Onezone checks only that these ids exist, not their JSON type.
        (
            with("handleServiceId", json!(1234)),
            "badValueIdNotFound",
            Some("handleServiceId"),
        ),
        (
            with("handleServiceId", json!(null)),
            "badValueIdNotFound",
            Some("handleServiceId"),
        ),
        (
            with("resourceId", json!(["x"])),
            "badValueIdNotFound",
            Some("resourceId"),
        ),
        (
            with("resourceId", json!({"id": "x"})),
            "badValueIdNotFound",
            Some("resourceId"),
        ),
        (
            with("metadataPrefix", json!("marc21")),
            "badValueNotAllowed",
            Some("metadataPrefix"),
        ),
        (
            without("metadata"),
            "missingRequiredValue",
            Some("metadata"),
        ),
        (
            with("metadata", json!("plain text")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!("<a></b>")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!("<a><b></a></b>")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!("<a>")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!("<a/><b/>")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!("<a x=1/>")),
            "badValueXML",
            Some("metadata"),
        ),
        // xmerl finds no document in an empty text either.
        (with("metadata", json!("")), "badValueXML", Some("metadata")),
        (
            with("metadata", json!("  ")),
            "badValueXML",
            Some("metadata"),
        ),
        (
            with("metadata", json!(format!("<a>{}</a>", "x".repeat(100_000)))),
            "badValueTextTooLarge",
            Some("metadata"),
        ),
    ];
    for (b, id, key) in cases {
        let r = s.post("/handles", &admin, b.clone()).await;
        r.expect_error(400, id);
        if let Some(key) = key {
            assert_eq!(r.body["error"]["details"]["key"], key, "{}", r.text);
        }
    }
    assert!(s.get("/handles", &admin).await.set("handles").is_empty());
    // metadataPrefix may be left out (pre-21.02 clients): oai_dc.
    let r = s.post("/handles", &admin, without("metadataPrefix")).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/api/v3/onezone/handles/{id}")));
    let h = s.get(&format!("/handles/{id}"), &admin).await;
    assert_eq!(h.body["metadataPrefix"], "oai_dc");
    // Nobody became a member.
    let users = s.get(&format!("/handles/{id}/users"), &admin).await;
    users.expect(200);
    assert!(users.set("users").is_empty(), "{}", users.text);
    // Membership of the service gives no membership of its handles.
    s.get(&format!("/handles/{id}"), &w.a)
        .await
        .expect_error(403, "forbidden");
    // The service lists it; handle_service_view reads it through the service.
    let listed = s
        .get(&format!("/handle_services/{}/handles", w.service), &w.a)
        .await;
    listed.expect(200);
    assert_eq!(listed.set("handles"), vec![id.clone()]);
    let via = s
        .get(
            &format!("/handle_services/{}/handles/{id}", w.service),
            &w.a,
        )
        .await;
    via.expect(200);
    assert_eq!(via.body["handleId"], json!(id));
    let _ = &w.alice;
}

#[tokio::test]
async fn create_on_behalf_of_a_group() {
    let w = world().await;
    let s = &w.s;
    let g = s.group(&w.a, "Publishers").await;
    let ok = handle_body(&w.service, &w.share);
    let path = format!("/groups/{g}/handles");
    s.post("/groups/nope/handles", &Auth::Nobody, ok.clone())
        .await
        .expect_error(404, "notFound");
    s.post(&path, &Auth::Nobody, ok.clone())
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.post(&path, &bad_token(), ok.clone()).await);
    // The group is not a member of the service yet.
    s.post(&path, &w.a, ok.clone())
        .await
        .expect_error(403, "forbidden");
    s.put(
        &format!("/handle_services/{}/groups/{g}", w.service),
        &w.a,
        json!({}),
    )
    .await
    .expect(201);
    // Without group_create_handle in the group.
    s.patch(
        &format!("/groups/{g}/users/{}/privileges", w.alice),
        &w.a,
        json!({"revoke": ["group_create_handle"]}),
    )
    .await
    .expect(204);
    s.post(&path, &w.a, ok.clone())
        .await
        .expect_error(403, "forbidden");
    s.patch(
        &format!("/groups/{g}/users/{}/privileges", w.alice),
        &Auth::admin(),
        json!({"grant": ["group_create_handle"]}),
    )
    .await
    .expect(204);
    let r = s.post(&path, &w.a, ok).await;
    r.expect(201);
    let id = r.location_id();
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/api/v3/onezone/groups/{g}/handles/{id}")));
    assert_eq!(
        privileges(s, &format!("/handles/{id}/groups/{g}/privileges")).await,
        sorted(&ALL)
    );
    let eff = s.get(&format!("/handles/{id}/effective_users"), &w.a).await;
    eff.expect(200);
    assert_eq!(eff.set("users"), vec![w.alice.clone()]);
    assert_eq!(
        privileges(
            s,
            &format!("/handles/{id}/effective_users/{}/privileges", w.alice)
        )
        .await,
        sorted(&ALL)
    );
}

#[tokio::test]
async fn list_get_and_public() {
    let w = world().await;
    let s = &w.s;
    let (bob, b) = s.user("bob").await;
    let r = s
        .post("/user/handles", &w.a, handle_body(&w.service, &w.share))
        .await;
    r.expect(201);
    let id = r.location_id();
    s.get("/handles", &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.get("/handles", &bad_token()).await);
    s.get("/handles", &w.a).await.expect_error(403, "forbidden");
    let all = s.get("/handles", &Auth::admin()).await;
    all.expect(200);
    assert_eq!(all.set("handles"), vec![id.clone()]);
    s.grant_oz(&bob, &["oz_handles_list"]).await;
    assert_eq!(s.get("/handles", &b).await.set("handles"), vec![id.clone()]);

    let path = format!("/handles/{id}");
    s.get("/handles/nope", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.get(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.get(&path, &bad_token()).await);
    s.get(&path, &b).await.expect_error(403, "forbidden");
    s.get(&path, &w.a).await.expect(200);
    s.get(&path, &Auth::admin()).await.expect(200);
    // An effective member through a group with no privileges may read.
    let g = s.group(&Auth::admin(), "Readers").await;
    s.put(
        &format!("/groups/{g}/users/{bob}"),
        &Auth::admin(),
        json!({}),
    )
    .await
    .expect(201);
    s.put(
        &format!("{path}/groups/{g}"),
        &w.a,
        json!({"privileges": []}),
    )
    .await
    .expect(201);
    s.get(&path, &b).await.expect(200);

    let public = s.get(&format!("{path}/public"), &Auth::Nobody).await;
    public.expect(200);
    assert_eq!(public.body["handleId"], json!(id));
    assert_eq!(public.body["metadata"], METADATA);
    assert!(public.body["publicHandle"].is_string());
    assert!(public.body.get("creator").is_none(), "{}", public.text);
    s.get("/handles/nope/public", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
}

#[tokio::test]
async fn update_metadata_by_handle_update_or_manage_handles() {
    let w = world().await;
    let s = &w.s;
    let (bob, b) = s.user("bob").await;
    let (carol, c) = s.user("carol").await;
    let id = s
        .post(
            "/handles",
            &Auth::admin(),
            handle_body(&w.service, &w.share),
        )
        .await
        .location_id();
    let path = format!("/handles/{id}");
    s.put(&format!("{path}/users/{bob}"), &Auth::admin(), json!({}))
        .await
        .expect(201);
    let new = json!({"metadata": "<metadata><dc:title>New</dc:title></metadata>"});
    s.patch("/handles/nope", &Auth::Nobody, new.clone())
        .await
        .expect_error(404, "notFound");
    s.patch(&path, &Auth::Nobody, new.clone())
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.patch(&path, &bad_token(), new.clone()).await);
    // bob has handle_view only; carol nothing.
    s.patch(&path, &b, new.clone())
        .await
        .expect_error(403, "forbidden");
    s.patch(&path, &c, new.clone())
        .await
        .expect_error(403, "forbidden");
    // alice is no member of the handle but holds handle_service_manage_handles in its service.
    s.patch(&path, &w.a, json!({}))
        .await
        .expect_error(400, "missingRequiredValue");
    // Malformed XML is refused on update as on create, and nothing changes.
    let r = s.patch(&path, &w.a, json!({"metadata": "<a></b>"})).await;
    r.expect_error(400, "badValueXML");
    assert_eq!(r.body["error"]["details"], json!({"key": "metadata"}));
    assert_eq!(
        s.get(&path, &Auth::admin()).await.body["metadata"],
        METADATA
    );
    s.patch(&path, &w.a, new.clone()).await.expect(204);
    assert_eq!(
        s.get(&path, &Auth::admin()).await.body["metadata"],
        new["metadata"]
    );
    // Legacy name for handle_update.
    s.patch(
        &format!("{path}/users/{bob}/privileges"),
        &Auth::admin(),
        json!({"grant": ["modify_handle"]}),
    )
    .await
    .expect(204);
    s.patch(&path, &b, json!({"metadata": "<m>bob</m>"}))
        .await
        .expect(204);
    s.patch(&path, &Auth::admin(), json!({"metadata": "<m>admin</m>"}))
        .await
        .expect(204);
    assert_eq!(s.get(&path, &b).await.body["metadata"], "<m>admin</m>");
    let _ = carol;
}

#[tokio::test]
async fn delete_by_handle_delete_or_manage_handles_and_non_empty_service() {
    let w = world().await;
    let s = &w.s;
    let (bob, b) = s.user("bob").await;
    let id = s
        .post(
            "/handles",
            &Auth::admin(),
            handle_body(&w.service, &w.share),
        )
        .await
        .location_id();
    let path = format!("/handles/{id}");
    s.put(
        &format!("{path}/users/{bob}"),
        &Auth::admin(),
        json!({"privileges": ["handle_view", "handle_update"]}),
    )
    .await
    .expect(201);
    // A service with handles cannot be deleted.
    s.delete(&format!("/handle_services/{}", w.service), &w.a)
        .await
        .expect_error(400, "cannotDeleteNonEmptyHandleService");
    s.delete("/handles/nope", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    s.delete(&path, &Auth::Nobody)
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.delete(&path, &bad_token()).await);
    s.delete(&path, &b).await.expect_error(403, "forbidden");
    // Service admin (handle_service_manage_handles).
    s.delete(&path, &w.a).await.expect(204);
    s.get(&path, &Auth::admin())
        .await
        .expect_error(404, "notFound");
    // The share may get a handle again; delete by a handle_delete holder and by an admin.
    let r = s
        .post("/user/handles", &w.a, handle_body(&w.service, &w.share))
        .await;
    r.expect(201);
    let again = r.location_id();
    s.put(
        &format!("/handles/{again}/users/{bob}"),
        &w.a,
        json!({"privileges": ["delete_handle"]}),
    )
    .await
    .expect(201);
    s.delete(&format!("/handles/{again}"), &b).await.expect(204);
    let (_, share2) = space_with_share(s, &w.a, "Second").await;
    let third = s
        .post("/handles", &Auth::admin(), handle_body(&w.service, &share2))
        .await
        .location_id();
    s.delete(&format!("/handles/{third}"), &Auth::admin())
        .await
        .expect(204);
    assert!(s
        .get(&format!("/handle_services/{}/handles", w.service), &w.a)
        .await
        .set("handles")
        .is_empty());
    s.delete(&format!("/handle_services/{}", w.service), &w.a)
        .await
        .expect(204);
}

#[tokio::test]
async fn members_privileges_and_effective_with_legacy_names() {
    let w = world().await;
    let s = &w.s;
    let admin = Auth::admin();
    let (bob, b) = s.user("bob").await;
    let (carol, c) = s.user("carol").await;
    let (dave, d) = s.user("dave").await;
    let r = s
        .post("/user/handles", &w.a, handle_body(&w.service, &w.share))
        .await;
    r.expect(201);
    let id = r.location_id();
    let base = format!("/handles/{id}");
    // Default member privileges.
    let r = s.put(&format!("{base}/users/{bob}"), &w.a, json!({})).await;
    r.expect(201);
    assert!(r
        .header("location")
        .unwrap_or_default()
        .ends_with(&format!("/handles/{id}/users/{bob}")));
    assert_eq!(
        privileges(s, &format!("{base}/users/{bob}/privileges")).await,
        vec!["handle_view".to_string()]
    );
    // Legacy names stored under current ones.
    s.put(
        &format!("{base}/users/{carol}"),
        &w.a,
        json!({"privileges": ["view_handle", "modify_handle"]}),
    )
    .await
    .expect(201);
    let own = s.get(&format!("{base}/users/{carol}/privileges"), &c).await;
    own.expect(200);
    assert_eq!(
        own.set("privileges"),
        sorted(&["handle_view", "handle_update"])
    );
    // Caller matrix on a privilege write: bob has handle_view only.
    let set = format!("{base}/users/{bob}/privileges");
    s.patch(&set, &Auth::Nobody, json!({"grant": []}))
        .await
        .expect_error(401, "unauthorized");
    expect_bad_credentials(&s.patch(&set, &bad_token(), json!({"grant": []})).await);
    s.patch(&set, &b, json!({"grant": ["handle_delete"]}))
        .await
        .expect_error(403, "forbidden");
    s.patch(&set, &c, json!({"grant": ["delete_handle"]}))
        .await
        .expect(204);
    assert_eq!(
        privileges(s, &set).await,
        sorted(&["handle_view", "handle_delete"])
    );
    s.patch(
        &set,
        &admin,
        json!({"privileges": ["view_handle"], "operation": ["set"]}),
    )
    .await
    .expect(204);
    assert_eq!(privileges(s, &set).await, vec!["handle_view".to_string()]);
    let r = s
        .patch(&set, &w.a, json!({"grant": ["handle_service_view"]}))
        .await;
    r.expect_error(400, "badValueListNotAllowed");
    assert_eq!(r.body["error"]["details"]["allowed"], json!(sorted(&ALL)));
    // Caller matrix on reads.
    for path in [
        format!("{base}/users"),
        format!("{base}/effective_users"),
        format!("{base}/groups"),
        format!("{base}/effective_groups"),
        format!("{base}/users/{carol}/privileges"),
    ] {
        s.get(&path, &Auth::Nobody)
            .await
            .expect_error(401, "unauthorized");
        expect_bad_credentials(&s.get(&path, &bad_token()).await);
        s.get(&path, &d).await.expect_error(403, "forbidden");
        s.get(&path, &b).await.expect(200);
        s.get(&path, &admin).await.expect(200);
    }
    // Effective: dave through two groups, union of the groups' privileges in the handle.
    // Created by alice, already a member: admin stays out of the handle's effective users.
    let g1 = s.group(&w.a, "G1").await;
    let g2 = s.group(&w.a, "G2").await;
    for g in [&g1, &g2] {
        s.put(&format!("/groups/{g}/users/{dave}"), &admin, json!({}))
            .await
            .expect(201);
    }
    s.put(
        &format!("{base}/groups/{g1}"),
        &w.a,
        json!({"privileges": ["view_handle"]}),
    )
    .await
    .expect(201);
    s.put(
        &format!("{base}/groups/{g2}"),
        &w.a,
        json!({"privileges": ["delete_handle"]}),
    )
    .await
    .expect(201);
    let eff = s
        .get(&format!("{base}/effective_users/{dave}/privileges"), &d)
        .await;
    eff.expect(200);
    assert_eq!(
        eff.set("privileges"),
        sorted(&["handle_view", "handle_delete"])
    );
    assert_eq!(
        s.get(&format!("{base}/effective_users"), &b)
            .await
            .set("users"),
        sorted(&[&w.alice, &bob, &carol, &dave])
    );
    s.get(&format!("{base}/users/{dave}/privileges"), &admin)
        .await
        .expect_error(404, "notFound");
    // dave deletes the handle through G2's privilege.
    s.delete(&base, &d).await.expect(204);
}

#[tokio::test]
async fn minted_identifier_is_logged_and_replayed_unchanged() {
    let w = world().await;
    let s = &w.s;
    let r = s
        .post("/user/handles", &w.a, handle_body(&w.service, &w.share))
        .await;
    r.expect(201);
    let id = r.location_id();
    let served = s.get(&format!("/handles/{id}"), &w.a).await.body["publicHandle"].clone();
    assert!(served.is_string());
    // Rebuild the state from a copy of the log (the live data dir is locked): replay must give
    // the identifier that was served, not mint a new one.
    let data = s.dir.path().join("data");
    let copy = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&data).expect("data dir").flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("privzone.sqlite") {
            std::fs::copy(entry.path(), copy.path().join(&name)).expect("copy");
        }
    }
    let mut log = privzone_store::SqliteLog::open(copy.path()).expect("log opens");
    let (state, _) = privzone_server::writer::rebuild(&mut log).expect("replay");
    let (_, h) = state.handles.by_id(&id).expect("handle replayed");
    assert_eq!(json!(h.public_handle), served);
    assert_eq!(h.creator.as_deref(), Some(w.alice.as_str()));
}
