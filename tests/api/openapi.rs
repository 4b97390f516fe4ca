//! The OpenAPI document (`/openapi.json`) and the docs page (`/docs`): every route the router
//! serves is documented, the document equals the committed `docs/openapi.json`, and real
//! responses have the documented shapes.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::harness::{Auth, TestServer};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
const REFRESH: &str = "run `PRIVZONE_UPDATE_OPENAPI=1 cargo test --test api openapi::` to refresh";
const BASE: &str = "/api/v3/onezone";
const LEGACY_BASE: &str = "/api/v3";

fn document() -> Value {
    serde_json::from_str(privzone_server::openapi::json()).expect("the document is JSON")
}

#[test]
fn document_equals_committed_snapshot() {
    let generated = privzone_server::openapi::json();
    if std::env::var_os("PRIVZONE_UPDATE_OPENAPI").is_some() {
        std::fs::write(SNAPSHOT, generated).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT)
        .unwrap_or_else(|e| panic!("cannot read {SNAPSHOT} ({e}); {REFRESH}"));
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        let show = |text: &str| {
            text.lines()
                .skip(first.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "docs/openapi.json differs from the generated document from line {}; {REFRESH}\n\
             --- committed:\n{}\n--- generated:\n{}",
            first + 1,
            show(&committed),
            show(generated)
        );
    }
}

#[test]
fn document_is_openapi_3_1_with_error_schema() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], BASE);
    let error = &doc["components"]["schemas"]["ErrorObject"];
    let keys: BTreeSet<&str> = error["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["id", "description", "details"]));
    // Every error response of every operation has the error body.
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            operations += 1;
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let r = resolve(&doc, response);
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert!(operations > 200, "only {operations} operations");
    // Both API generations' bodies for a privilege PATCH.
    let update = &doc["components"]["schemas"]["SpacePrivilegeUpdate"]["oneOf"];
    assert_eq!(
        update,
        &json!([
            {"$ref": "#/components/schemas/SpacePrivilegeGrantRevoke"},
            {"$ref": "#/components/schemas/SpacePrivilegeOperation"}
        ])
    );
    let patch = &doc["paths"]["/spaces/{id}/users/{mid}/privileges"]["patch"];
    assert_eq!(
        patch["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SpacePrivilegeUpdate"
    );
    let names = &doc["components"]["schemas"]["SpacePrivilege"]["enum"];
    assert!(names
        .as_array()
        .expect("enum")
        .contains(&json!("space_set_privileges")));
}

/// The document's path template and method for a route the router serves, or `None` for routes
/// that are not the REST API.
fn documented_as(path: &str) -> Option<String> {
    // The admin web page is a UI, not part of the REST API.
    if path == "/admin" || path.starts_with("/admin/") {
        return None;
    }
    let rel = path
        .strip_prefix(BASE)
        .or_else(|| path.strip_prefix(LEGACY_BASE))
        .unwrap_or(path);
    Some(rel.to_owned())
}

#[tokio::test]
async fn every_route_the_router_serves_is_documented_and_back() {
    let s = TestServer::start().await;
    let router = privzone_server::routes::router(s.running.app.clone());
    let table = privzone_server::openapi::route_table(&router);
    assert!(
        table.len() > 200,
        "route_table found only {} routes: has axum's Debug output changed?",
        table.len()
    );
    assert!(table.contains(&(
        axum_method("PATCH"),
        format!("{BASE}/groups/{{id}}/users/{{mid}}/privileges")
    )));
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    let mut served = BTreeSet::new();
    for (method, path) in &table {
        let Some(rel) = documented_as(path) else {
            continue;
        };
        let m = method.as_str().to_ascii_lowercase();
        served.insert((m.clone(), rel.clone()));
        if paths.get(&rel).and_then(|item| item.get(&m)).is_none() {
            missing.push(format!("{} {path}", method.as_str()));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without documentation (add #[utoipa::path] to the handler or build the operation \
         in crates/server/src/openapi/generic.rs, then {REFRESH}):\n{}",
        missing.join("\n")
    );
    let mut extra = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().expect("item").keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str())
                && !served.contains(&(method.clone(), path.clone()))
            {
                extra.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        extra.is_empty(),
        "documented but not served:\n{}",
        extra.join("\n")
    );
}

fn axum_method(m: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(m.as_bytes()).expect("method")
}

#[tokio::test]
async fn document_and_docs_page_are_served_without_credentials() {
    let s = TestServer::start().await;
    let r = s.get("/openapi.json", &Auth::Nobody).await;
    r.expect(200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(r.body, document());
    // Bad credentials are not even read there.
    s.get("/openapi.json", &Auth::Token("not-a-token".into()))
        .await
        .expect(200);
    let r = s.get("/docs", &Auth::Nobody).await;
    r.expect(200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    assert!(
        r.text.contains("<title>privzone REST API</title>"),
        "{}",
        r.text
    );
    assert!(r.text.contains("openapi.json"));
    // Every asset is in the page: no URL outside the server (machines have no internet).
    for scheme in ["http://", "https://", "//cdn", "src=\"//", "href=\"//"] {
        assert!(
            !r.text.to_ascii_lowercase().contains(scheme),
            "the docs page refers to {scheme}"
        );
    }
    // The legacy base serves them too.
    let root = s.base.trim_end_matches(BASE).to_owned();
    let res = s
        .client
        .get(format!("{root}{LEGACY_BASE}/docs"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 200);
}

/// `{"$ref": "#/components/…/Name"}` → the referenced object.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => v,
    }
}

/// Whether `value` has the shape of `schema`: types, required keys, no undocumented keys (the
/// schemas describe every key privzone sends), enums, `oneOf`/`anyOf`.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return if options.iter().any(|o| conforms(doc, o, value, at).is_ok()) {
                Ok(())
            } else {
                Err(format!("{at}: {value} matches no {key}"))
            };
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            return Err(format!("{at}: {value} is not one of {options:?}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()),
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !(types.contains(&actual) || actual == "integer" && types.contains(&"number")) {
        return Err(format!("{at}: {value} is {actual}, documented {types:?}"));
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"))?;
            }
        }
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for req in schema["required"].as_array().into_iter().flatten() {
                let req = req.as_str().unwrap_or("");
                if !obj.contains_key(req) {
                    return Err(format!("{at}: required `{req}` missing in {value}"));
                }
            }
            if let Some(props) = props {
                for (k, v) in obj {
                    let Some(p) = props.get(k) else {
                        return Err(format!("{at}: `{k}` is not documented"));
                    };
                    conforms(doc, p, v, &format!("{at}.{k}"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sends a request and checks its response against the documented one for its status.
async fn check(
    s: &TestServer,
    doc: &Value,
    method: &str,
    template: &str,
    path: &str,
    auth: &Auth,
    body: Option<Value>,
) -> crate::harness::Response {
    let r = match (method, body) {
        ("get", _) => s.get(path, auth).await,
        ("delete", _) => s.delete(path, auth).await,
        ("post", b) => s.post(path, auth, b.unwrap_or(json!({}))).await,
        ("put", b) => s.put(path, auth, b.unwrap_or(json!({}))).await,
        (_, b) => s.patch(path, auth, b.unwrap_or(json!({}))).await,
    };
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not documented");
    let status = r.status.as_u16().to_string();
    let response = resolve(doc, &op["responses"][&status]);
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, not documented: {}",
        r.text
    );
    match response["content"]["application/json"].get("schema") {
        Some(schema) => {
            if let Err(e) = conforms(doc, schema, &r.body, "body") {
                panic!("{method} {path} ({status}): {e}");
            }
        }
        None => assert!(
            r.text.is_empty(),
            "{method} {path} ({status}) sent an undocumented body: {}",
            r.text
        ),
    }
    r
}

#[tokio::test]
async fn responses_have_the_documented_shapes() {
    let s = TestServer::start().await;
    let doc = document();
    let admin = Auth::admin();
    let (alice, a) = s.user("alice").await;
    let (bob, _) = s.user("bob").await;
    let d = &doc;

    for (t, p) in [
        ("/privileges", "/privileges"),
        ("/groups/privileges", "/groups/privileges"),
        ("/handles/privileges", "/handles/privileges"),
        ("/atm_inventories/privileges", "/atm_inventories/privileges"),
        ("/configuration", "/configuration"),
        ("/health", "/health"),
        ("/user", "/user"),
        ("/users", "/users"),
        ("/user/privileges", "/user/privileges"),
        ("/user/effective_privileges", "/user/effective_privileges"),
    ] {
        check(&s, d, "get", t, p, &admin, None).await;
    }
    check(
        &s,
        d,
        "get",
        "/users/{id}",
        &format!("/users/{alice}"),
        &a,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/users/{id}",
        "/users/nobody-here",
        &admin,
        None,
    )
    .await
    .expect(404);
    check(&s, d, "get", "/users", "/users", &a, None)
        .await
        .expect(403);
    check(
        &s,
        d,
        "get",
        "/user",
        "/user",
        &Auth::Token("bad".into()),
        None,
    )
    .await
    .expect(401);

    // A group with bob in it through a child group.
    let r = check(
        &s,
        d,
        "post",
        "/user/groups",
        "/user/groups",
        &a,
        Some(json!({"name": "Lab"})),
    )
    .await;
    r.expect(201);
    let lab = r.location_id();
    let r = check(
        &s,
        d,
        "post",
        "/groups/{id}/children",
        &format!("/groups/{lab}/children"),
        &a,
        Some(json!({"name": "Team", "type": "unit"})),
    )
    .await;
    r.expect(201);
    let team = r.location_id();
    check(
        &s,
        d,
        "put",
        "/groups/{id}/users/{mid}",
        &format!("/groups/{team}/users/{bob}"),
        &admin,
        None,
    )
    .await
    .expect(201);
    check(
        &s,
        d,
        "put",
        "/groups/{id}/users/{mid}",
        &format!("/groups/{team}/users/{bob}"),
        &admin,
        None,
    )
    .await
    .expect(409);
    check(
        &s,
        d,
        "patch",
        "/groups/{id}/users/{mid}/privileges",
        &format!("/groups/{lab}/users/{alice}/privileges"),
        &a,
        Some(json!({"grant": ["group_view"], "revoke": ["group_delete"]})),
    )
    .await
    .expect(204);
    check(
        &s,
        d,
        "patch",
        "/groups/{id}/users/{mid}/privileges",
        &format!("/groups/{lab}/users/{alice}/privileges"),
        &a,
        Some(json!({"grant": ["no_such_privilege"]})),
    )
    .await
    .expect(400);
    for (t, p) in [
        ("/groups/{id}", format!("/groups/{lab}")),
        ("/groups/{id}/children", format!("/groups/{lab}/children")),
        (
            "/groups/{id}/effective_users",
            format!("/groups/{lab}/effective_users"),
        ),
        (
            "/groups/{id}/effective_users/{mid}",
            format!("/groups/{lab}/effective_users/{bob}"),
        ),
        (
            "/groups/{id}/effective_users/{mid}/privileges",
            format!("/groups/{lab}/effective_users/{bob}/privileges"),
        ),
        (
            "/groups/{id}/effective_users/{mid}/membership",
            format!("/groups/{lab}/effective_users/{bob}/membership"),
        ),
        (
            "/groups/{id}/parents/{rid}",
            format!("/groups/{team}/parents/{lab}"),
        ),
        ("/user/groups/{rid}", format!("/user/groups/{lab}")),
        ("/user/effective_groups", "/user/effective_groups".into()),
    ] {
        check(&s, d, "get", t, &p, &a, None).await.expect(200);
    }
    let r = check(
        &s,
        d,
        "post",
        "/groups/{id}/users/token",
        &format!("/groups/{lab}/users/token"),
        &a,
        None,
    )
    .await;
    r.expect(200);

    // A space with a share, a handle service and a handle.
    let r = check(
        &s,
        d,
        "post",
        "/user/spaces",
        "/user/spaces",
        &a,
        Some(json!({"name": "Data"})),
    )
    .await;
    r.expect(201);
    let space = r.location_id();
    check(
        &s,
        d,
        "get",
        "/spaces/{id}",
        &format!("/spaces/{space}"),
        &a,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/spaces/{id}/owners",
        &format!("/spaces/{space}/owners"),
        &a,
        None,
    )
    .await;
    let r = check(
        &s,
        d,
        "post",
        "/shares",
        "/shares",
        &a,
        Some(json!({"name": "Public", "spaceId": space, "rootFileId": "root"})),
    )
    .await;
    r.expect(201);
    let share = r.location_id();
    check(
        &s,
        d,
        "get",
        "/shares/{id}",
        &format!("/shares/{share}"),
        &a,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/shares/{id}/public",
        &format!("/shares/{share}/public"),
        &Auth::Nobody,
        None,
    )
    .await;
    let r = check(
        &s,
        d,
        "post",
        "/handle_services",
        "/handle_services",
        &admin,
        Some(json!({
            "name": "Datacite",
            "proxyEndpoint": "local",
            "serviceProperties": {"type": "DOI", "prefix": "10.5072"},
        })),
    )
    .await;
    r.expect(201);
    let service = r.location_id();
    check(
        &s,
        d,
        "get",
        "/handle_services/{id}",
        &format!("/handle_services/{service}"),
        &admin,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/handle_services/{id}/public",
        &format!("/handle_services/{service}/public"),
        &a,
        None,
    )
    .await;
    let r = check(
        &s,
        d,
        "post",
        "/handles",
        "/handles",
        &admin,
        Some(json!({
            "handleServiceId": service,
            "resourceType": "Share",
            "resourceId": share,
            "metadata": "<metadata/>",
        })),
    )
    .await;
    r.expect(201);
    let handle = r.location_id();
    check(
        &s,
        d,
        "get",
        "/handles/{id}",
        &format!("/handles/{handle}"),
        &admin,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/handles/{id}/public",
        &format!("/handles/{handle}/public"),
        &Auth::Nobody,
        None,
    )
    .await;
    check(&s, d, "get", "/handles", "/handles", &admin, None).await;
    check(
        &s,
        d,
        "get",
        "/handle_services",
        "/handle_services",
        &admin,
        None,
    )
    .await;

    // Tokens.
    let r = check(
        &s,
        d,
        "post",
        "/user/tokens/named",
        "/user/tokens/named",
        &a,
        Some(json!({"name": "cli"})),
    )
    .await;
    r.expect(201);
    let tid = r.body["tokenId"].as_str().unwrap_or_default().to_owned();
    check(
        &s,
        d,
        "get",
        "/user/tokens/named",
        "/user/tokens/named",
        &a,
        None,
    )
    .await;
    check(
        &s,
        d,
        "get",
        "/tokens/named/{tid}",
        &format!("/tokens/named/{tid}"),
        &a,
        None,
    )
    .await
    .expect(200);
    check(
        &s,
        d,
        "get",
        "/user/tokens/named/name/{name}",
        "/user/tokens/named/name/cli",
        &a,
        None,
    )
    .await
    .expect(200);
}
