//! (being written)

use crate::app::App;

pub fn routes(router: axum::Router<App>) -> axum::Router<App> {
    router
}
