//! Cross-site writes. A page of another site can make a browser send forms and text bodies to
//! any URL without asking first (no CORS preflight), with whatever credentials the browser
//! holds for it; every such request carries the page's `Origin`.
//!
//! Enforces: a request that may change state (any method but GET, HEAD and OPTIONS) and names
//! an `Origin` is refused with 403 unless that origin is the server's own (the scheme and host
//! the request was sent to, as `Location` is built) or one of the configured allowed origins.
//! Requests without `Origin` (curl, scripts, the CLI, other services) are not affected.

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use privzone_model::Error;

use crate::app::App;
use crate::http::{origin_of, ApiError};

/// Origins, besides the server's own, whose pages may send writes (`--allowed-origins`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    any: bool,
    listed: Vec<String>,
}

impl AllowedOrigins {
    /// A comma-separated list of `scheme://host[:port]`, or `*` for any origin.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allowed = AllowedOrigins::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "*" {
                allowed.any = true;
                continue;
            }
            let origin = normalize(item);
            let plain = origin
                .split_once("://")
                .filter(|(scheme, host)| {
                    matches!(*scheme, "http" | "https") && !host.is_empty() && !host.contains('/')
                })
                .is_some();
            if !plain {
                return Err(format!(
                    "allowed origin {item:?} is not of the form scheme://host[:port] (or *)"
                ));
            }
            allowed.listed.push(origin);
        }
        Ok(allowed)
    }

    fn allows(&self, origin: &str) -> bool {
        self.any || self.listed.iter().any(|o| o == origin)
    }
}

fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Whether a request's `Origin` may send it; `None` when it may.
pub fn refusal(
    method: &Method,
    headers: &axum::http::HeaderMap,
    tls: bool,
    allowed: &AllowedOrigins,
) -> Option<Error> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let origin = headers.get(header::ORIGIN)?;
    let origin = normalize(origin.to_str().unwrap_or("null"));
    if origin == origin_of(headers, tls) || allowed.allows(&origin) {
        return None;
    }
    Some(Error::OriginNotAllowed { origin })
}

/// The route layer applying [`refusal`] before anything else of a matched route.
pub async fn check(State(app): State<App>, req: Request, next: Next) -> Response {
    match refusal(req.method(), req.headers(), app.tls(), app.origins()) {
        None => next.run(req).await,
        Some(e) => ApiError(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn writes_from_other_sites_are_refused_and_the_own_origin_and_listed_ones_pass() {
        let none = AllowedOrigins::default();
        let listed = AllowedOrigins::parse("https://portal.example.org, http://localhost:3000/")
            .expect("valid list");
        let own = headers(
            "zone.example.org:8080",
            Some("http://zone.example.org:8080"),
        );
        let evil = headers("zone.example.org:8080", Some("https://evil.example.com"));
        let portal = headers("zone.example.org:8080", Some("https://Portal.example.org"));
        let script = headers("zone.example.org:8080", None);
        let null = headers("zone.example.org:8080", Some("null"));
        assert_eq!(refusal(&Method::POST, &own, false, &none), None);
        assert_eq!(refusal(&Method::POST, &script, false, &none), None);
        assert_eq!(refusal(&Method::GET, &evil, false, &none), None);
        assert!(refusal(&Method::POST, &evil, false, &none).is_some());
        assert!(refusal(&Method::DELETE, &null, false, &listed).is_some());
        assert!(refusal(&Method::PATCH, &portal, false, &none).is_some());
        assert_eq!(refusal(&Method::PATCH, &portal, false, &listed), None);
        // The own origin is the scheme the request came over: https here, not http.
        assert!(refusal(&Method::PUT, &own, true, &none).is_some());
        let any = AllowedOrigins::parse("*").expect("star");
        assert_eq!(refusal(&Method::POST, &evil, false, &any), None);
    }

    #[test]
    fn malformed_lists_are_refused() {
        assert!(AllowedOrigins::parse("portal.example.org").is_err());
        assert!(AllowedOrigins::parse("https://a.example/path").is_err());
        assert!(AllowedOrigins::parse("ftp://a.example").is_err());
        assert_eq!(AllowedOrigins::parse(""), Ok(AllowedOrigins::default()));
    }
}
