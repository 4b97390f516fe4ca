//! The route table of `/api/v3/onezone`, one module per API area.

use axum::http::{HeaderValue, Method};
use axum::response::Response;
use axum::Router;
use privzone_model::authorize::Client;
use privzone_model::state::UserIx;
use privzone_model::Error;

use crate::app::App;
use crate::http::{method_not_allowed, not_found};

pub mod catalog;
pub mod entity;
pub mod groups;
pub mod handle_services;
pub mod handles;
pub mod kinds;
pub mod member_of;
pub mod members;
pub mod oz_privileges;
pub mod records;
pub mod spaces;
pub mod tokens;
pub mod users;

pub const BASE: &str = "/api/v3/onezone";
/// Older API pages address the same routes without the service segment.
pub const LEGACY_BASE: &str = "/api/v3";

/// The route table under construction: every route is registered under [`BASE`] and again under
/// [`LEGACY_BASE`], directly rather than through nested routers, so a request pays for one match
/// and no prefix rewriting.
pub struct Api(Router<App>);

impl Api {
    pub fn route(self, path: &str, method_router: axum::routing::MethodRouter<App>) -> Self {
        Api(self
            .0
            .route(&format!("{BASE}{path}"), method_router.clone())
            .route(&format!("{LEGACY_BASE}{path}"), method_router))
    }
}

/// Every route, with Onezone's error bodies for unknown paths, other methods and panics.
///
/// Middleware that needs no route information (CORS, panics) wraps the router once, in
/// [`service`]; only `observe` (route templates for metrics, read-your-writes) and `authenticate`
/// (matched API routes only) are per-route layers.
pub fn router(app: App) -> Router {
    use axum::routing::get;
    let api = Api(Router::new())
        .route("/privileges", get(catalog::oz))
        .route("/groups/privileges", get(catalog::groups))
        .route("/spaces/privileges", get(catalog::spaces))
        .route("/handle_services/privileges", get(catalog::handle_services))
        .route("/handles/privileges", get(catalog::handles))
        .route("/harvesters/privileges", get(catalog::harvesters))
        .route("/clusters/privileges", get(catalog::clusters))
        .route("/atm_inventories/privileges", get(catalog::atm_inventories))
        .route("/configuration", get(catalog::configuration));
    let api = oz_privileges::routes(api);
    let api = kind_routes::<kinds::GroupKind>(api);
    let api = kind_routes::<kinds::SpaceKind>(api);
    let api = kind_routes::<kinds::ServiceKind>(api);
    let api = kind_routes::<kinds::HandleKind>(api);
    let api = groups::routes(api);
    let api = spaces::routes(api);
    let api = handle_services::routes(api);
    let api = handles::routes(api);
    let api = users::routes(api);
    let api = tokens::routes(api);
    // Cross-site writes are refused before credentials are even looked at (`origin.rs`).
    let authenticated = Api(api
        .0
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            authenticate,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::origin::check,
        )));
    // The readiness probe never authenticates, so it can never answer 401.
    let open = authenticated
        .route("/health", get(catalog::health))
        .route("/openapi.json", get(crate::openapi::serve_document))
        .route("/docs", get(crate::openapi::serve_docs));
    open.0
        .route("/metrics", get(metrics))
        .merge(crate::admin::routes())
        // Unknown paths and other methods are told apart before authentication (reference §2).
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// The whole HTTP service: [`router`] inside the middleware every request passes once.
pub fn service(
    app: App,
) -> impl tower::Service<
    axum::extract::Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
       + Send
       + 'static {
    use tower::ServiceBuilder;
    ServiceBuilder::new()
        .map_response(|res: axum::http::Response<_>| cors(res.map(axum::body::Body::new)))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .service(router(app))
}

/// The routes every entity kind with members serves the same way.
fn kind_routes<K: entity::Create>(api: Api) -> Api {
    let api = entity::routes::<K>(api);
    let api = members::routes::<K>(api);
    member_of::routes::<K>(api)
}

/// Header a client sends with the `X-Privzone-Revision` of its last write, so that a read on any
/// node sees that write (the node waits, at most [`MIN_REVISION_WAIT`], until it has applied it).
pub const MIN_REVISION: &str = "x-privzone-min-revision";
pub const MIN_REVISION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn read_your_writes(
    app: &App,
    about_state: bool,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::response::IntoResponse;
    // Only answers drawn from the state wait: an unknown path, the health probe and the metrics
    // answer at once whatever revision is asked for.
    let wanted = req.headers().get(MIN_REVISION).filter(|_| about_state);
    let refused = match wanted {
        None => None,
        Some(v) => match v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            None => Some(Error::BadValueInteger("X-Privzone-Min-Revision".into())),
            Some(wanted) if !app.wait_for_revision(wanted, MIN_REVISION_WAIT).await => {
                Some(Error::ServiceUnavailable)
            }
            Some(_) => None,
        },
    };
    let mut res = match refused {
        Some(e) => crate::http::ApiError(e).into_response(),
        None => next.run(req).await,
    };
    if !res.headers().contains_key(crate::http::REVISION_HEADER) {
        res.headers_mut().insert(
            crate::http::REVISION_HEADER,
            HeaderValue::from(app.revision()),
        );
    }
    res
}

/// The signed-in user of a request; nobody → 401.
pub fn signed_in(client: Client) -> Result<UserIx, Error> {
    match client {
        Client::User(u) => Ok(u),
        Client::Nobody => Err(Error::Unauthorized),
    }
}

/// Reference §2 step 2: a matched route authenticates before anything else, public ones too
/// (credentials that do not verify are a 401, even on a catalog or with a malformed body);
/// handlers then take the [`Caller`](crate::auth::Caller) found here.
async fn authenticate(
    axum::extract::State(app): axum::extract::State<App>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::response::IntoResponse;
    let client = req
        .extensions()
        .get::<crate::connections::ClientAddr>()
        .map(|c| c.0);
    match crate::auth::authenticate(&app, req.headers(), client).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// GET `/metrics`: Prometheus text format (no credentials, like `/health`: scrape it on a private
/// network).
async fn metrics(axum::extract::State(app): axum::extract::State<App>) -> Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics().render(app.revision(), app.healthy()),
    )
        .into_response()
}

tokio::task_local! {
    /// The id of the request the current task is answering (see [`request_id`]).
    static REQUEST_ID: u64;
}

/// The id of the request being answered, for log lines written while handling it (`0` outside
/// a request). Every line a request causes at `info` or above carries it as `request`.
pub fn request_id() -> u64 {
    REQUEST_ID.try_with(|id| *id).unwrap_or(0)
}

/// Gives every request an id (in the `X-Request-Id` response header and on every log line of
/// the request) and records it in the metrics by route template.
///
/// A request that logs nothing costs nothing for logging: a tracing span (whose fields the
/// formatter writes out eagerly, a quarter of a read's cost at `info`) is only made when `debug`
/// lines would use it; the lines written at `info` and above name the request themselves.
async fn observe(
    axum::extract::State(app): axum::extract::State<App>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tracing::Instrument;
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let route = route.as_ref().map_or("unmatched", |m| m.as_str());
    let method = req.method().clone();
    // Reads never wait for the writer; other methods may change state.
    let _intent = (!matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS))
        .then(|| app.write_intent());
    let started = std::time::Instant::now();
    let span = if tracing::enabled!(tracing::Level::DEBUG) {
        tracing::debug_span!("request", id, %method, %route)
    } else {
        tracing::Span::none()
    };
    // A stale memory answers nothing but its own health; reads resume once the writer has read
    // the log back (`writer.rs`), so no uncommitted change is ever served.
    let about_state = !(route == "unmatched" || route.ends_with("/health") || route == "/metrics");
    let mut res = if about_state && app.stale() {
        use axum::response::IntoResponse;
        crate::http::ApiError(Error::ServiceUnavailable).into_response()
    } else {
        REQUEST_ID
            .scope(id, read_your_writes(&app, about_state, req, next))
            .instrument(span.clone())
            .await
    };
    let took = started.elapsed();
    let status = res.status().as_u16();
    if let Some(e) = res.extensions().get::<crate::http::ErrorId>() {
        // Refused credentials and server-side failures are worth a line at the production
        // level (info); other client errors only when debugging.
        span.in_scope(|| match (e.auth, status) {
            (Some(auth), _) => {
                app.metrics().auth_failure(auth);
                tracing::info!(
                    request = id,
                    %method,
                    %route,
                    status,
                    error = e.id,
                    auth_error = auth,
                    "credentials refused"
                );
            }
            (None, 500..) => tracing::warn!(
                request = id,
                %method,
                %route,
                status,
                error = e.id,
                "answered with an error"
            ),
            (None, _) => tracing::debug!(status, error = e.id, "answered"),
        });
    } else {
        span.in_scope(|| tracing::debug!(status, micros = took.as_micros() as u64, "answered"));
    }
    app.metrics().request(route, &method, status, took);
    res.headers_mut()
        .insert("x-request-id", HeaderValue::from(id));
    res
}

/// Onezone sends `Access-Control-Allow-Origin: *` on every REST response.
fn cors(mut res: Response) -> Response {
    res.headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    res
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    use axum::response::IntoResponse;
    crate::http::ApiError(privzone_model::Error::Internal("handler panicked".into()))
        .into_response()
}
