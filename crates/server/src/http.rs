//! The HTTP edge: the one mapping of privzone's error vocabulary to status codes, the error body,
//! request bodies (size limit, media type, JSON) and success responses.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use privzone_model::Error;
use serde_json::Value;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Header carrying the revision a write was committed at.
pub const REVISION_HEADER: &str = "x-privzone-revision";

/// The Onezone error id (and `authError`) of an error response, kept as a response extension.
#[derive(Debug, Clone, Copy)]
pub struct ErrorId {
    pub id: &'static str,
    pub auth: Option<&'static str>,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

/// The single place where an error id becomes an HTTP status.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Unauthorized | Error::BadAuth(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden | Error::ProtectedGroup => StatusCode::FORBIDDEN,
        Error::NotFound | Error::Missing(_) => StatusCode::NOT_FOUND,
        Error::AlreadyExists | Error::RelationAlreadyExists { .. } => StatusCode::CONFLICT,
        Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Error::ServiceUnavailable | Error::TooManyConnections => StatusCode::SERVICE_UNAVAILABLE,
        Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Timeout => StatusCode::REQUEST_TIMEOUT,
        Error::OriginNotAllowed { .. } => StatusCode::FORBIDDEN,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::RelationDoesNotExist { .. }
        | Error::CannotAddRelationToSelf
        | Error::MalformedData
        | Error::MissingRequiredValue(_)
        | Error::MissingAtLeastOneValue(_)
        | Error::BadValueListOfStrings(_)
        | Error::BadValueListNotAllowed { .. }
        | Error::BadValueNotAllowed { .. }
        | Error::BadValueString(_)
        | Error::BadValueJson(_)
        | Error::BadValueEmpty(_)
        | Error::BadValueIdNotFound(_)
        | Error::BadValueName
        | Error::BadValueBoolean(_)
        | Error::BadValueInteger(_)
        | Error::BadValueXml(_)
        | Error::BadValueTextTooLarge { .. }
        | Error::BadValueTooLong { .. }
        | Error::BadValueToken(..)
        | Error::BadValuePassword
        | Error::BadValueUsername
        | Error::BadValueFullName
        | Error::BadValueIdentifierOccupied(_)
        | Error::BasicAuthDisabled
        | Error::CannotDeleteNonEmptyHandleService
        | Error::CannotRemoveLastOwner { .. }
        | Error::NotSupported => StatusCode::BAD_REQUEST,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Error::Internal(reason) = &self.0 {
            tracing::error!(request = crate::routes::request_id(), %reason, "internal error");
        }
        let status = status_of(&self.0);
        let mut res = (status, axum::Json(self.0.body())).into_response();
        // For the metrics and the request log, which see only the response.
        res.extensions_mut().insert(ErrorId {
            id: self.0.id(),
            auth: match &self.0 {
                Error::BadAuth(a) => Some(a.id()),
                _ => None,
            },
        });
        // No `WWW-Authenticate` on 401s, as Onezone: a Basic challenge makes browsers prompt
        // for and remember credentials, which pages of other sites could then ride on.
        match &self.0 {
            Error::TooManyRequests { retry_after } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            // The rest of the request was not read: the connection cannot carry another one.
            Error::PayloadTooLarge { .. } | Error::Timeout => {
                res.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        res
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// 200 with a JSON body.
pub fn ok_json(v: Value) -> ApiResult {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

/// 204 after a committed write.
pub fn no_content(revision: u64) -> ApiResult {
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(REVISION_HEADER, HeaderValue::from(revision));
    Ok(res)
}

/// 201 with an absolute `Location` under the API base, after a committed write.
pub fn created(base: &BaseUrl, path: &str, revision: u64) -> ApiResult {
    let mut res = StatusCode::CREATED.into_response();
    let location = format!("{}{}", base.0, path);
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(REVISION_HEADER, HeaderValue::from(revision));
    Ok(res)
}

/// 201 or 200 with a JSON body after a committed write.
pub fn json_after_write(status: StatusCode, v: Value, revision: u64) -> ApiResult {
    let mut res = (status, axum::Json(v)).into_response();
    res.headers_mut()
        .insert(REVISION_HEADER, HeaderValue::from(revision));
    Ok(res)
}

/// `scheme://host/api/v3/onezone`, from the request's Host header (and `X-Forwarded-Proto`, so
/// that `Location` is `https://…` behind a TLS-terminating proxy).
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl BaseUrl {
    pub fn from_headers(headers: &HeaderMap, tls: bool) -> Self {
        BaseUrl(format!("{}/api/v3/onezone", origin_of(headers, tls)))
    }
}

/// `scheme://host` the request was sent to: the origin of the server's own pages.
pub fn origin_of(headers: &HeaderMap, tls: bool) -> String {
    // Only a plain `host[:port]` is echoed: anything else (paths, user info, spaces) would
    // let a client point `Location` elsewhere.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let scheme = match forwarded.as_deref() {
        Some("https") => "https",
        Some("http") => "http",
        _ if tls => "https",
        _ => "http",
    };
    format!("{scheme}://{}", host.to_ascii_lowercase())
}

/// A request body parsed as JSON: empty → `{}`, not JSON → `malformedData` (Onezone checks this
/// before anything else), over [`BODY_LIMIT`] → 413, not `application/json` (or `+json`) → 415,
/// not all there by the request's deadline → 408.
/// Whether the value is an object is checked later, after authorization.
#[derive(Debug, Clone)]
pub struct JsonBody(pub Value);

/// Whether a `Content-Type` names JSON. Anything else is refused (415), as Onezone does: the
/// media types a page of another site can send without a CORS preflight (forms, text/plain)
/// must never be read as JSON.
fn is_json_media_type(value: &HeaderValue) -> bool {
    let Ok(s) = value.to_str() else {
        return false;
    };
    let essence = s
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", sub)) => sub == "json" || sub.ends_with("+json"),
        _ => false,
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let media_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(is_json_media_type);
        let deadline = req
            .extensions()
            .get::<crate::connections::RequestDeadline>()
            .map(|d| d.0);
        let read = axum::body::to_bytes(Body::new(req.into_body()), BODY_LIMIT);
        let read = match deadline {
            Some(at) => tokio::time::timeout_at(at, read)
                .await
                .map_err(|_| ApiError(Error::Timeout))?,
            None => read.await,
        };
        let bytes = read.map_err(|e| {
            // Over the limit is 413; a body the client could not even frame (broken chunked
            // encoding, a connection cut mid-body) is data we did not understand.
            let too_large = e.into_inner().is::<http_body_util::LengthLimitError>();
            ApiError(if too_large {
                Error::PayloadTooLarge { limit: BODY_LIMIT }
            } else {
                Error::MalformedData
            })
        })?;
        // A request without a body (`curl -X PUT …`) needs no media type.
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(JsonBody(Value::Object(Default::default())));
        }
        if media_ok != Some(true) {
            return Err(ApiError(Error::UnsupportedMediaType));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|_| ApiError(Error::MalformedData))
    }
}

/// Unknown path.
pub async fn not_found() -> ApiError {
    ApiError(Error::Missing(privzone_model::error::Missing::Path))
}

/// Known path, other method.
pub async fn method_not_allowed() -> ApiError {
    ApiError(Error::MethodNotAllowed)
}

/// Path parameters; a path that cannot be decoded names nothing, so it is a 404.
pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S>
    for Ids<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Ids(p.0))
            .map_err(|_| ApiError(Error::NotFound))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(pairs: &[(&'static str, &str)], tls: bool) -> String {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, HeaderValue::from_str(v).expect("header value"));
        }
        BaseUrl::from_headers(&headers, tls).0
    }

    #[test]
    fn base_url_echoes_only_a_plain_host_and_honours_forwarded_proto() {
        assert_eq!(
            base(&[("host", "zone.example.org:8443")], false),
            "http://zone.example.org:8443/api/v3/onezone"
        );
        assert_eq!(
            base(&[("host", "[::1]:8080")], true),
            "https://[::1]:8080/api/v3/onezone"
        );
        assert_eq!(
            base(
                &[
                    ("host", "evil.example.com:1/x"),
                    ("x-forwarded-proto", "https")
                ],
                false
            ),
            "https://localhost/api/v3/onezone"
        );
        assert_eq!(
            base(&[("host", "a@b"), ("x-forwarded-proto", "gopher")], true),
            "https://localhost/api/v3/onezone"
        );
    }
}
