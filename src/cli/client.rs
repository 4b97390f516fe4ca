//! A blocking client of privzone's REST API (`<url>/api/v3/onezone`) for the CLI.

use std::cell::Cell;
use std::time::Duration;

use reqwest::blocking::Client as Http;
use reqwest::Method;
use serde_json::Value;

use super::error::CliError;
use super::settings::{Credentials, Settings};

const API_PATH: &str = "/api/v3/onezone";
/// Header of every write's response, sent back as `MIN_REVISION` so that the reads which follow
/// see the write on any node behind a load balancer.
const REVISION: &str = "x-privzone-revision";
const MIN_REVISION: &str = "x-privzone-min-revision";

pub struct Client {
    http: Http,
    base: String,
    credentials: Credentials,
    revision: Cell<Option<u64>>,
}

/// A successful answer.
pub struct Reply {
    pub location: Option<String>,
    pub body: Value,
}

impl Reply {
    /// The id of a created entity: the last segment of `Location`.
    pub fn created_id(&self) -> Option<&str> {
        self.location
            .as_deref()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|id| !id.is_empty())
    }
}

impl Client {
    pub fn new(settings: &Settings) -> Result<Client, CliError> {
        let mut builder = Http::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("privzone-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &settings.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::Usage(format!(
                    "cannot read the CA certificate {}: {e}",
                    path.display()
                ))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                CliError::Usage(format!("{} is not a PEM certificate: {e}", path.display()))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| CliError::Unavailable(format!("cannot set up HTTP: {e}")))?;
        let url = settings.url.trim_end_matches('/');
        let base = if url.ends_with(API_PATH) {
            url.to_owned()
        } else {
            format!("{url}{API_PATH}")
        };
        Ok(Client {
            http,
            base,
            credentials: settings.credentials.clone(),
            revision: Cell::new(None),
        })
    }

    pub fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send(Method::GET, path, None).map(|r| r.body)
    }

    /// Sends one request; any non-2xx answer becomes a [`CliError`].
    pub fn send(&self, method: Method, path: &str, body: Option<Value>) -> Result<Reply, CliError> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method} {path}");
        let mut request = self.http.request(method, &url);
        request = match &self.credentials {
            Credentials::Nobody => request,
            Credentials::Token(token) => request.header("X-Auth-Token", token),
            Credentials::Basic { user, password } => request.basic_auth(user, Some(password)),
        };
        if let Some(revision) = self.revision.get() {
            request = request.header(MIN_REVISION, revision.to_string());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().map_err(|e| {
            CliError::Unavailable(format!("cannot reach {}: {}", self.base, error_chain(&e)))
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        // privzone sends its revision on every answer, errors included: without it, whatever
        // answered is not privzone's API (a wrong --url), whatever its status says.
        if header(REVISION).is_none() {
            return Err(CliError::Unavailable(format!(
                "{url} answered HTTP {status} without X-Privzone-Revision: it is not a privzone \
                 API; check --url"
            )));
        }
        if let Some(revision) = header(REVISION).and_then(|r| r.parse::<u64>().ok()) {
            self.revision.set(Some(
                self.revision.get().map_or(revision, |r| r.max(revision)),
            ));
        }
        let text = response.text().map_err(|e| {
            CliError::Unavailable(format!(
                "cannot read the answer of {url}: {}",
                error_chain(&e)
            ))
        })?;
        let body: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        if !(200..300).contains(&status) {
            return Err(CliError::from_response(status, &body, &text, what));
        }
        if body.is_null() && !text.trim().is_empty() {
            return Err(CliError::Unavailable(format!(
                "the answer of {url} is not JSON; is --url a privzone server?"
            )));
        }
        Ok(Reply { location, body })
    }
}

/// reqwest's top-level message ("error sending request") hides the cause (refused, DNS, TLS).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
