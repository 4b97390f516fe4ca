//! The route table of `/api/v3/onezone`, one module per API area.

use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;

use crate::app::App;
use crate::http::{method_not_allowed, not_found};

pub mod catalog;
pub mod groups;
pub mod handle_services;
pub mod handles;
pub mod kinds;
pub mod members;
pub mod oz_privileges;
pub mod spaces;
pub mod tokens;
pub mod users;

pub const BASE: &str = "/api/v3/onezone";

/// Every route, with Onezone's error bodies for unknown paths, other methods and panics.
pub fn router(app: App) -> Router {
    use axum::routing::get;
    let mut api: Router<App> = Router::new()
        .route("/privileges", get(catalog::oz))
        .route("/groups/privileges", get(catalog::groups))
        .route("/spaces/privileges", get(catalog::spaces))
        .route("/handle_services/privileges", get(catalog::handle_services))
        .route("/handles/privileges", get(catalog::handles))
        .route("/harvesters/privileges", get(catalog::harvesters))
        .route("/clusters/privileges", get(catalog::clusters))
        .route("/atm_inventories/privileges", get(catalog::atm_inventories))
        .route("/configuration", get(catalog::configuration))
        .route("/health", get(catalog::health));
    api = oz_privileges::routes(api);
    api = members::routes::<kinds::GroupKind>(api);
    api = members::routes::<kinds::SpaceKind>(api);
    api = members::routes::<kinds::ServiceKind>(api);
    api = members::routes::<kinds::HandleKind>(api);
    api = groups::routes(api);
    api = spaces::routes(api);
    api = handle_services::routes(api);
    api = handles::routes(api);
    api = users::routes(api);
    api = tokens::routes(api);
    let api = api.fallback(not_found).method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest(BASE, api)
        .fallback(not_found)
        .with_state(app)
        .layer(axum::middleware::map_response(cors))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
}

/// Onezone sends `Access-Control-Allow-Origin: *` on every REST response.
async fn cors(mut res: Response) -> Response {
    res.headers_mut().insert("access-control-allow-origin", HeaderValue::from_static("*"));
    res
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    use axum::response::IntoResponse;
    crate::http::ApiError(privzone_model::Error::Internal("handler panicked".into())).into_response()
}
