//! The OpenAPI 3.1 document of every route privzone serves, generated from the code: the
//! `#[utoipa::path]` annotations of the handlers, the operations of the generic handlers
//! ([`generic`]), the privilege schemas of the model's catalogs ([`privileges`]), and the rules
//! that hold for every route (errors, authentication, path parameters, headers) applied in
//! [`finish`]. Served at `GET /api/v3/onezone/openapi.json`, rendered by the page at
//! `GET /api/v3/onezone/docs`; `tests/api/openapi.rs` compares it with the router and with the
//! committed `docs/openapi.json`.

mod generic;
pub mod privileges;
pub mod schemas;

use std::sync::OnceLock;

use axum::http::{header, Method};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Map, Value};
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Content, PathItem, Paths, ResponseBuilder};
use utoipa::OpenApi;

use crate::routes;
use privileges as p;
use schemas as s;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "privzone REST API",
        description = "Onezone's REST API (v3) as privzone serves it: users, groups, spaces, shares, \
handle services, handles, tokens and the privileges of their members. Every path is also served \
without the `/onezone` segment (`/api/v3/...`), as older API pages address it. Requests authenticate \
with `X-Auth-Token`, `Authorization: Bearer`, `Macaroon` or HTTP Basic (the first present wins); \
without credentials the client is `nobody`. Every error has the body \
`{\"error\":{\"id\",\"description\",\"details\"?}}`. Every response carries `X-Privzone-Revision`, \
the store revision it reflects.",
        license(name = "Apache-2.0"),
    ),
    servers((url = "/api/v3/onezone")),
    paths(
        routes::catalog::oz,
        routes::catalog::groups,
        routes::catalog::spaces,
        routes::catalog::handle_services,
        routes::catalog::handles,
        routes::catalog::harvesters,
        routes::catalog::clusters,
        routes::catalog::atm_inventories,
        routes::catalog::configuration,
        routes::catalog::health,
        routes::oz_privileges::get_own,
        routes::oz_privileges::get_own_effective,
        routes::oz_privileges::patch_own,
        routes::oz_privileges::put_own,
        routes::oz_privileges::delete_own,
        routes::oz_privileges::get_user,
        routes::oz_privileges::get_user_effective,
        routes::oz_privileges::patch_user,
        routes::oz_privileges::put_user,
        routes::oz_privileges::delete_user,
        routes::oz_privileges::get_group,
        routes::oz_privileges::get_group_effective,
        routes::oz_privileges::patch_group,
        routes::oz_privileges::put_group,
        routes::oz_privileges::delete_group,
        routes::groups::create_child,
        routes::groups::update,
        routes::groups::delete,
        routes::spaces::update,
        routes::spaces::delete,
        routes::spaces::list_owners,
        routes::spaces::get_owner,
        routes::spaces::add_owner,
        routes::spaces::remove_owner,
        routes::spaces::list_shares,
        routes::spaces::create_share,
        routes::spaces::list_all_shares,
        routes::spaces::get_share,
        routes::spaces::get_public_share,
        routes::spaces::update_share,
        routes::spaces::delete_share,
        routes::handle_services::get_public,
        routes::handle_services::update,
        routes::handle_services::delete,
        routes::handle_services::list_handles,
        routes::handle_services::get_handle,
        routes::handles::get_public,
        routes::handles::update,
        routes::handles::delete,
        routes::users::create,
        routes::users::list,
        routes::users::get,
        routes::users::get_own,
        routes::users::patch_own,
        routes::users::patch,
        routes::users::delete,
        routes::users::delete_own,
        routes::users::change_password,
        routes::users::basic_auth,
        serve_document,
        serve_docs,
    ),
    components(schemas(
        s::ErrorBody, s::ErrorObject, s::Creator, s::UserShared, s::UserProtected,
        s::GroupShared, s::GroupProtected, s::GroupType, s::SpaceProtected,
        s::HandleServiceProtected, s::HandleServicePublic, s::HandlePublic, s::HandleProtected,
        s::ResourceType, s::MetadataPrefix, s::Share, s::FileType, s::TokenRecord,
        s::TokenMetadata, s::TokenCreated, s::InviteToken, s::Intermediaries, s::Intermediary,
        s::Configuration, s::Health, s::UserIds, s::GroupIds, s::SpaceIds, s::HandleServiceIds,
        s::HandleIds, s::ShareIds, s::TokenIds, s::NameBody, s::CreateSpace, s::CreateGroup,
        s::UpdateGroup, s::CreateHandleService, s::UpdateHandleService, s::CreateHandle,
        s::UpdateHandle, s::CreateShare, s::CreateUser, s::UpdateOwnUser, s::UpdateUser,
        s::ChangePassword, s::BasicAuthUpdate, s::UpdateToken, s::CreateToken, s::JoinWithToken, s::EmptyBody,
    )),
    tags(
        (name = "user", description = "The signed-in user (the client): its record, password, \
memberships and what it leaves or joins."),
        (name = "users", description = "Users, administered by holders of `oz_users_*`."),
        (name = "groups", description = "Groups: members (users and child groups), privileges, \
parents and what groups belong to."),
        (name = "spaces", description = "Spaces: members, privileges and owners."),
        (name = "shares", description = "Shares of spaces (privzone's extension)."),
        (name = "handle_services", description = "Handle services: members, privileges and the \
handles registered in them."),
        (name = "handles", description = "Handles (persistent identifiers of shares)."),
        (name = "tokens", description = "Named access tokens."),
        (name = "oz privileges", description = "Onezone administration (`oz_*`) privileges of \
users and groups."),
        (name = "catalogs", description = "Privilege names per entity kind, by level."),
        (name = "service", description = "Readiness, health, metrics and this documentation \
(no authentication)."),
    ),
)]
struct Annotated;

/// `GET /metrics` lives outside the API base and its handler is private to the router.
fn service_paths() -> Paths {
    let metrics = OperationBuilder::new()
        .summary(Some("Prometheus metrics (text format)"))
        .tag("service")
        .response(
            "200",
            ResponseBuilder::new()
                .description("Metrics in Prometheus' text format 0.0.4")
                .content(
                    "text/plain",
                    Content::new(Some(utoipa::openapi::RefOr::T(
                        utoipa::openapi::schema::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::String)
                            .build()
                            .into(),
                    ))),
                )
                .build(),
        )
        .security(utoipa::openapi::security::SecurityRequirement::default())
        .build();
    let mut item = PathItem::new(HttpMethod::Get, metrics);
    item.servers = Some(vec![Server::new("/")]);
    let mut paths = Paths::new();
    paths.paths.insert("/metrics".into(), item);
    paths
}

/// The document, as served.
pub fn document() -> Value {
    let mut doc = Annotated::openapi();
    doc.paths.merge(generic::paths());
    doc.paths.merge(service_paths());
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(p::all());
    let mut v = serde_json::to_value(&doc).unwrap_or(Value::Null);
    finish(&mut v);
    v
}

/// The document as pretty JSON, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
        text.push('\n');
        text
    })
}

/// Paths served without reading credentials.
const UNAUTHENTICATED: [&str; 4] = ["/health", "/metrics", "/openapi.json", "/docs"];

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// What a path parameter names.
fn describe_param(name: &str) -> &'static str {
    match name {
        "id" => "Id of the entity the path is about",
        "mid" => "Id of the member (user or group)",
        "uid" => "Id of the user",
        "rid" => "Id of the related entity",
        "hid" => "Id of the handle",
        "tid" => "Id of the token",
        "name" => "Name of the token",
        _ => "Path parameter",
    }
}

/// `patch /groups/{id}/users/{mid}/privileges` → `patchGroupsIdUsersMidPrivileges`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for word in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut c = word.chars();
        if let Some(first) = c.next() {
            id.extend(first.to_uppercase());
            id.push_str(c.as_str());
        }
    }
    id
}

fn default_tag(path: &str) -> &str {
    if path.contains("/tokens/named") {
        return "tokens";
    }
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
}

/// The components every operation refers to.
fn shared_components(components: &mut Map<String, Value>) {
    components.insert(
        "responses".into(),
        json!({
            "BadRequest": error_response("Malformed JSON (`malformedData`, checked first) or an invalid body (`badValue*`, `missingRequiredValue`, ...), checked after authorization"),
            "Unauthorized": error_response("No credentials where they are needed (`unauthorized`), or credentials that do not verify (`badToken`, `badBasicCredentials`, ... in `details.authError`)"),
            "Forbidden": error_response("The client lacks the privilege (`forbidden`)"),
            "NotFound": error_response("The entity in the path does not exist (`notFound`), checked before authorization"),
            "Conflict": error_response("It exists already (`alreadyExists`, `relationAlreadyExists`)"),
            "PayloadTooLarge": error_response("The body is over the size limit"),
            "UnsupportedMediaType": error_response("The body is not JSON"),
            "ServiceUnavailable": error_response("The store does not take writes, or the revision asked with `X-Privzone-Min-Revision` was not reached in time (`serviceUnavailable`)"),
        }),
    );
    components.insert(
        "headers".into(),
        json!({
            "Location": {
                "description": "URL of the created resource",
                "schema": {"type": "string"},
            },
            "Revision": {
                "description": "Store revision of the change; send it as `X-Privzone-Min-Revision` to read it on any node",
                "schema": {"type": "integer", "minimum": 0},
            },
        }),
    );
    components.insert(
        "parameters".into(),
        json!({
            "MinRevision": {
                "name": "X-Privzone-Min-Revision",
                "in": "header",
                "required": false,
                "description": "Wait (up to 5 s) until this node has applied this revision, e.g. the `X-Privzone-Revision` of an earlier write; not an integer → 400 `badValueInteger`, not reached → 503",
                "schema": {"type": "integer", "minimum": 0},
            },
        }),
    );
    components.insert(
        "securitySchemes".into(),
        json!({
            "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token", "description": "An access token"},
            "bearer": {"type": "http", "scheme": "bearer", "description": "An access token"},
            "macaroon": {"type": "apiKey", "in": "header", "name": "Macaroon", "description": "An access token"},
            "basic": {"type": "http", "scheme": "basic", "description": "Username and password of a user with Basic auth enabled"},
        }),
    );
}

/// Applies what holds for every route: tags, operation ids, path parameters, error responses by
/// what the operation does, and the revision and `Location` headers.
fn finish(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert(
        "security".into(),
        json!([{"token": []}, {"bearer": []}, {"macaroon": []}, {"basic": []}]),
    );
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        shared_components(components);
    }
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let mut params = vec![json!({"$ref": "#/components/parameters/MinRevision"})];
        for name in path_params(path) {
            params.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": describe_param(name),
                "schema": {"type": "string"},
            }));
        }
        item.insert("parameters".into(), Value::Array(params));
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                finish_operation(method, path, op);
            }
        }
    }
}

fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

fn finish_operation(method: &str, path: &str, op: &mut Map<String, Value>) {
    op.insert("operationId".into(), json!(operation_id(method, path)));
    let explicit = ["catalogs", "oz privileges", "service"];
    let tagged = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
        .is_some_and(|t| explicit.contains(&t));
    if !tagged {
        op.insert("tags".into(), json!([default_tag(path)]));
    }
    // Routed after the authentication layer (`routes/mod.rs`): credentials are not even read.
    let unauthenticated = UNAUTHENTICATED.contains(&path);
    // `security: [{}]`: anyone may call it (credentials, when sent, must still verify).
    let public = op.get("security") == Some(&json!([{}]));
    let has_body = op.contains_key("requestBody");
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let headers = match status.as_str() {
            "201" => json!({
                "Location": {"$ref": "#/components/headers/Location"},
                "X-Privzone-Revision": {"$ref": "#/components/headers/Revision"},
            }),
            "204" => json!({"X-Privzone-Revision": {"$ref": "#/components/headers/Revision"}}),
            _ => continue,
        };
        if let Some(r) = response.as_object_mut() {
            r.insert("headers".into(), headers);
        }
    }
    // Any request can be a 400: a malformed `X-Privzone-Min-Revision`, a body, or a rule of the
    // operation (e.g. deleting a handle service with handles, removing the last owner).
    let mut errors: Vec<(&str, &str)> = vec![("400", "BadRequest")];
    if has_body {
        errors.extend([("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]);
    }
    if !unauthenticated {
        errors.push(("401", "Unauthorized"));
    }
    if !unauthenticated && !public {
        errors.push(("403", "Forbidden"));
    }
    if path.contains('{') {
        errors.push(("404", "NotFound"));
    }
    if op_conflicts(method, path) {
        errors.push(("409", "Conflict"));
    }
    errors.push(("503", "ServiceUnavailable"));
    for (status, name) in errors {
        responses
            .entry(status)
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    }
}

/// Requests that can find what they create already there: adding a member or an owner,
/// joining with an invite, registering a handle for a share that has one.
fn op_conflicts(method: &str, path: &str) -> bool {
    let adds_member = method == "put"
        && (path.ends_with("/{mid}") || path.ends_with("/owners/{uid}"))
        && !path.contains("/effective_");
    let joins = method == "post" && path.ends_with("/join");
    let creates_handle = method == "post" && path.ends_with("/handles");
    adds_member || joins || creates_handle
}

/// GET `/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    summary = "This OpenAPI 3.1 document",
    tag = "service",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of the API", content_type = "application/json", body = Object)),
)]
pub async fn serve_document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json()).into_response()
}

/// The docs page: one self-contained HTML file that renders `openapi.json` (no external assets).
const DOCS_PAGE: &str = include_str!("openapi/docs.html");

/// GET `/docs`: the API documentation page.
#[utoipa::path(
    get,
    path = "/docs",
    summary = "The API documentation page (HTML)",
    tag = "service",
    security(()),
    responses((status = 200, description = "An HTML page rendering this document", content_type = "text/html", body = String)),
)]
pub async fn serve_docs() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

/// Every (method, path) `router` routes, read from the router itself so that the coverage test
/// sees exactly what is served. axum has no route listing; its `Debug` output names each route's
/// path and which methods it routes (`get: Route…` or `None`), which is parsed here. An axum
/// release that changes that output makes this return nothing, which the test reports.
pub fn route_table(router: &axum::Router) -> Vec<(Method, String)> {
    let text = format!("{router:?}");
    // Only the path router; the fallback router's catch-alls are not routes.
    let text = text.split("fallback_router:").next().unwrap_or("");
    let mut methods: Vec<(u64, Vec<Method>)> = Vec::new();
    let mut paths: Vec<(u64, String)> = Vec::new();
    for chunk in text.split("RouteId(").skip(1) {
        let Some((n, rest)) = chunk.split_once("): ") else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        if let Some(path) = rest.strip_prefix('"') {
            if let Some((path, _)) = path.split_once('"') {
                paths.push((n, path.to_owned()));
            }
        } else if let Some(fields) = rest.split_once("MethodRouter {").map(|(_, f)| f) {
            let fields = fields.split("fallback:").next().unwrap_or("");
            let routed = fields
                .split(", ")
                .filter_map(|f| f.split_once(": "))
                .filter(|(_, v)| !v.trim().starts_with("None"))
                .filter_map(|(k, _)| Method::from_bytes(k.trim().to_uppercase().as_bytes()).ok())
                .collect();
            methods.push((n, routed));
        }
    }
    let mut table: Vec<(Method, String)> = paths
        .iter()
        .flat_map(|(n, path)| {
            methods
                .iter()
                .filter(move |(m, _)| m == n)
                .flat_map(move |(_, ms)| ms.iter().map(move |m| (m.clone(), path.clone())))
        })
        .collect();
    table.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
    table.dedup();
    table
}
