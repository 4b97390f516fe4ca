//! How a CLI command fails: a usage problem, an Onezone error body from the server, or no answer
//! at all. Each maps to its own exit code (docs/operations.md, "Exit codes").

use std::fmt;

use serde_json::Value;

/// Exit codes of the CLI subcommands (2 is also what clap uses for a bad command line).
pub mod exit {
    pub const USAGE: u8 = 2;
    pub const UNAUTHORIZED: u8 = 3;
    pub const FORBIDDEN: u8 = 4;
    pub const NOT_FOUND: u8 = 5;
    pub const BAD_REQUEST: u8 = 6;
    pub const UNAVAILABLE: u8 = 7;
}

#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or configuration, found before any request.
    Usage(String),
    /// The server answered with an error status.
    Api {
        status: u16,
        /// Onezone error id (`notFound`, `forbidden`, …), when the body had one.
        id: Option<String>,
        description: String,
        details: Option<Value>,
        /// `METHOD /path` of the request, to tell which one failed.
        request: String,
    },
    /// No usable answer: connection refused, TLS failure, timeout, unreadable body.
    Unavailable(String),
    /// A name or id on the command line that names nothing (exit code 5), or several things (2),
    /// or that the caller may not look up (4).
    Lookup { code: u8, message: String },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::Api { status, .. } => match status {
                401 => exit::UNAUTHORIZED,
                403 => exit::FORBIDDEN,
                404 => exit::NOT_FOUND,
                400 | 409 | 413 | 415 | 422 => exit::BAD_REQUEST,
                _ => exit::UNAVAILABLE,
            },
            CliError::Unavailable(_) => exit::UNAVAILABLE,
            CliError::Lookup { code, .. } => *code,
        }
    }

    /// The error of a non-2xx response, from Onezone's `{"error":{"id","description","details"}}`
    /// (or the older `{"error":"message"}`), else from the status alone.
    pub fn from_response(status: u16, body: &Value, text: &str, request: String) -> CliError {
        let error = &body["error"];
        let (id, description, details) = match error {
            Value::Object(e) => (
                e.get("id").and_then(Value::as_str).map(str::to_owned),
                e.get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                e.get("details").cloned().filter(|d| !d.is_null()),
            ),
            Value::String(message) => (None, Some(message.clone()), None),
            _ => (None, None, None),
        };
        let description = description.unwrap_or_else(|| {
            let text = text.trim();
            if text.is_empty() || text.len() > 300 {
                format!("the server answered HTTP {status}")
            } else {
                format!("the server answered HTTP {status}: {text}")
            }
        });
        CliError::Api {
            status,
            id,
            description,
            details,
            request,
        }
    }

    /// What to do about it, for the errors an operator can fix locally.
    fn hint(&self) -> Option<&'static str> {
        match self {
            CliError::Api { status: 401, .. } => Some(
                "check the credentials: --token / PRIVZONE_TOKEN, or --user and --password / \
                 PRIVZONE_USER and PRIVZONE_PASSWORD, or the config file",
            ),
            CliError::Api {
                status: 403, id, ..
            } if id.as_deref() == Some("forbidden") => Some(
                "the credentials are valid, but lack the privilege this operation needs \
                 (see `privzone privileges oz effective me`)",
            ),
            CliError::Unavailable(_) => {
                Some("is the server running, and is --url / PRIVZONE_URL right?")
            }
            _ => None,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message)
            | CliError::Unavailable(message)
            | CliError::Lookup { message, .. } => f.write_str(message)?,
            CliError::Api {
                status,
                id,
                description,
                details,
                request,
            } => {
                write!(f, "{description}")?;
                // A 401 wraps the real reason (`badBasicCredentials`, `tokenRevoked`, …).
                let auth_error = details.as_ref().and_then(|d| d.get("authError"));
                if let Some(auth) = auth_error {
                    if let Some(d) = auth.get("description").and_then(Value::as_str) {
                        write!(f, " {d}")?;
                    }
                }
                write!(f, " (HTTP {status}")?;
                if let Some(id) = id {
                    write!(f, ", {id}")?;
                }
                if let Some(auth_id) = auth_error.and_then(|a| a.get("id")).and_then(Value::as_str)
                {
                    write!(f, "/{auth_id}")?;
                }
                write!(f, "; {request})")?;
                if let Some(details) = details.as_ref().filter(|_| auth_error.is_none()) {
                    write!(f, "\n  details: {details}")?;
                }
            }
        }
        if let Some(hint) = self.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}
