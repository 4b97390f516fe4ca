//! privzone's one error vocabulary: each variant is an Onezone error id (reference §6) with its
//! details. The HTTP layer maps these to status codes in exactly one place.

use serde_json::{json, Value};

/// Why authentication failed: the `details.authError` of a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    BadToken,
    TokenRevoked,
    /// The token's time caveat has passed (`validUntil`, unix seconds).
    TokenExpired {
        valid_until: i64,
    },
    /// Another kind of token (`received`: `identity`, `invite`).
    NotAnAccessToken {
        received: &'static str,
    },
    UserBlocked,
    BadBasicCredentials,
    BasicAuthDisabled,
}

impl AuthError {
    pub fn id(&self) -> &'static str {
        match self {
            AuthError::BadToken => "badToken",
            AuthError::TokenRevoked => "tokenRevoked",
            AuthError::TokenExpired { .. } => "tokenCaveatUnverified",
            AuthError::NotAnAccessToken { .. } => "notAnAccessToken",
            AuthError::UserBlocked => "userBlocked",
            AuthError::BadBasicCredentials => "badBasicCredentials",
            AuthError::BasicAuthDisabled => "basicAuthDisabled",
        }
    }

    pub fn to_json(&self) -> Value {
        let description = match self {
            AuthError::BadToken => "Provided token could not be understood by the server.".into(),
            AuthError::TokenRevoked => "Provided token has been revoked.".into(),
            AuthError::TokenExpired { valid_until } => {
                format!("Token caveat unverified: time < {valid_until}.")
            }
            AuthError::NotAnAccessToken { .. } => "Provided token is not an access token.".into(),
            AuthError::UserBlocked => "This user account has been blocked.".into(),
            AuthError::BadBasicCredentials => "Invalid username or password.".into(),
            AuthError::BasicAuthDisabled => "Basic auth is disabled for this user.".into(),
        };
        let details = match self {
            AuthError::NotAnAccessToken { received } => Some(json!({"received": received})),
            AuthError::TokenExpired { valid_until } => {
                Some(json!({"caveat": {"type": "time", "validUntil": valid_until}}))
            }
            _ => None,
        };
        match details {
            Some(details) => {
                json!({"id": self.id(), "description": description, "details": details})
            }
            None => json!({"id": self.id(), "description": description}),
        }
    }
}

/// Why a token in a request body was refused: the `details.tokenError` of a `badValueToken`
/// (ctool `?ERROR_BAD_VALUE_TOKEN(Key, TokenError)`).
#[derive(Debug, Clone, PartialEq)]
pub enum TokenError {
    /// Not a token this service issued (unknown, or not a token at all).
    BadToken,
    TokenRevoked,
    /// A token of another type than the route consumes: `expected` is an invite type such as
    /// `userJoinGroup`, `received` the token's type as Onezone renders it
    /// (`{"accessToken":{}}`, `{"inviteToken":{"inviteType":…}}`).
    NotAnInviteToken {
        expected: &'static str,
        received: Value,
    },
    /// Whoever issued the invite may no longer invite (lost privileges, blocked).
    InviteTokenSubjectNotAuthorized,
}

impl TokenError {
    pub fn to_json(&self) -> Value {
        match self {
            TokenError::BadToken => json!({
                "id": "badToken",
                "description": "Provided token could not be understood by the server.",
            }),
            TokenError::TokenRevoked => json!({
                "id": "tokenRevoked",
                "description": "Provided token has been revoked.",
            }),
            TokenError::NotAnInviteToken { expected, received } => {
                let printable = match received.as_object().and_then(|o| o.iter().next()) {
                    Some((k, _)) if k == "accessToken" => "access token".to_owned(),
                    Some((k, _)) if k == "identityToken" => "identity token".to_owned(),
                    Some((_, v)) => match v["inviteType"].as_str() {
                        Some(t) => format!("invite token of type '{t}'"),
                        None => "invite token".to_owned(),
                    },
                    None => "token".to_owned(),
                };
                json!({
                    "id": "notAnInviteToken",
                    "description": format!(
                        "Expected an invitation token of type '{expected}', but received a(n) {printable}."
                    ),
                    "details": {"expectedInviteType": expected, "received": received},
                })
            }
            TokenError::InviteTokenSubjectNotAuthorized => json!({
                "id": "inviteTokenSubjectNotAuthorized",
                "description": "The subject of this token is not (or no longer) authorized to issue such invitations.",
            }),
        }
    }
}

/// What a 404 could not find. Onezone's `notFound` says only "The resource could not be
/// found."; privzone keeps that id and adds what was missing to the description, so a client
/// with several ids in its path knows which one to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No entity of this kind with this id.
    Entity(Noun, String),
    /// The member (kind, id) is not a member of the entity of kind `of` (`direct`: the route
    /// wants a direct member; an effective one is not enough).
    Member {
        member: Noun,
        id: String,
        of: Noun,
        direct: bool,
    },
    /// The entity (kind, id) exists but not in the entity of kind `.2` of the path (e.g. a
    /// handle of another handle service).
    NotIn(Noun, String, Noun),
    /// The user is not an owner of the space.
    Owner(String),
    /// The token (by id or name) is not one of the user's.
    Token(String),
    /// No route has this path.
    Path,
}

/// The things a request names, as said in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    User,
    Group,
    Space,
    HandleService,
    Handle,
    Share,
}

impl Noun {
    pub fn as_str(self) -> &'static str {
        match self {
            Noun::User => "user",
            Noun::Group => "group",
            Noun::Space => "space",
            Noun::HandleService => "handle service",
            Noun::Handle => "handle",
            Noun::Share => "share",
        }
    }
}

impl Missing {
    fn describe(&self) -> String {
        match self {
            Missing::Entity(noun, id) => format!("{} \"{id}\" does not exist", noun.as_str()),
            Missing::Member {
                member,
                id,
                of,
                direct,
            } => format!(
                "{} \"{id}\" is not a {}member of this {}",
                member.as_str(),
                if *direct { "direct " } else { "" },
                of.as_str()
            ),
            Missing::NotIn(noun, id, of) => {
                format!("{} \"{id}\" is not in this {}", noun.as_str(), of.as_str())
            }
            Missing::Owner(id) => format!("user \"{id}\" is not an owner of this space"),
            Missing::Token(t) => format!("token \"{t}\" does not exist or is not yours"),
            Missing::Path => "no such path in the API".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("unauthorized")]
    Unauthorized,
    #[error("unauthorized: {0:?}")]
    BadAuth(AuthError),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// `notFound` naming what is missing (see [`Missing`]).
    #[error("not found: {0:?}")]
    Missing(Missing),
    #[error("already exists")]
    AlreadyExists,
    #[error("relation already exists")]
    RelationAlreadyExists {
        child_type: &'static str,
        child_id: String,
        parent_type: &'static str,
        parent_id: String,
    },
    #[error("relation does not exist")]
    RelationDoesNotExist {
        child_type: &'static str,
        child_id: String,
        parent_type: &'static str,
        parent_id: String,
    },
    #[error("cannot add relation to self")]
    CannotAddRelationToSelf,
    #[error("malformed data")]
    MalformedData,
    #[error("missing required value {0}")]
    MissingRequiredValue(String),
    #[error("missing at least one of {0:?}")]
    MissingAtLeastOneValue(Vec<String>),
    #[error("bad value list of strings {0}")]
    BadValueListOfStrings(String),
    #[error("bad value list not allowed {key}")]
    BadValueListNotAllowed {
        key: String,
        allowed: Vec<String>,
        /// The offending element, when there is one to show (`details.value`).
        value: Option<Value>,
    },
    #[error("bad value not allowed {key}")]
    BadValueNotAllowed {
        key: String,
        allowed: Vec<String>,
        /// The offending value (`details.value`).
        value: Option<Value>,
    },
    #[error("bad value string {0}")]
    BadValueString(String),
    #[error("bad value json {0}")]
    BadValueJson(String),
    #[error("bad value empty {0}")]
    BadValueEmpty(String),
    #[error("bad value id not found {0}")]
    BadValueIdNotFound(String),
    #[error("bad value name")]
    BadValueName,
    #[error("bad value boolean {0}")]
    BadValueBoolean(String),
    #[error("bad value integer {0}")]
    BadValueInteger(String),
    #[error("bad value xml {0}")]
    BadValueXml(String),
    #[error("bad value text too large {key}")]
    BadValueTextTooLarge { key: String, limit: usize },
    #[error("bad value too long {key}")]
    BadValueTooLong { key: String, limit: usize },
    #[error("bad value token {0}: {1:?}")]
    BadValueToken(String, TokenError),
    #[error("bad value password")]
    BadValuePassword,
    #[error("bad value username")]
    BadValueUsername,
    #[error("bad value full name")]
    BadValueFullName,
    #[error("bad value identifier occupied {0}")]
    BadValueIdentifierOccupied(String),
    /// A password operation on a user whose Basic auth is off (outside authentication: 400).
    #[error("basic auth disabled")]
    BasicAuthDisabled,
    #[error("cannot delete non-empty handle service")]
    CannotDeleteNonEmptyHandleService,
    #[error("protected group")]
    ProtectedGroup,
    #[error("cannot remove last owner")]
    CannotRemoveLastOwner {
        entity_type: &'static str,
        entity_id: String,
    },
    #[error("not supported")]
    NotSupported,
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("service unavailable")]
    ServiceUnavailable,
    /// The connection table is full (refused before any request is read).
    #[error("too many connections")]
    TooManyConnections,
    /// A client over its share: too many connections, or password guesses backed off.
    #[error("too many requests, retry after {retry_after}s")]
    TooManyRequests { retry_after: u64 },
    /// The request (head, body) did not arrive within the request timeout.
    #[error("request timeout")]
    Timeout,
    /// A write sent by a page of another site (its `Origin` is not allowed).
    #[error("origin not allowed")]
    OriginNotAllowed { origin: String },
    #[error("internal server error: {0}")]
    Internal(String),
}

impl Error {
    pub fn id(&self) -> &'static str {
        match self {
            Error::Unauthorized | Error::BadAuth(_) => "unauthorized",
            Error::Forbidden => "forbidden",
            Error::NotFound | Error::Missing(_) => "notFound",
            Error::AlreadyExists => "alreadyExists",
            Error::RelationAlreadyExists { .. } => "relationAlreadyExists",
            Error::RelationDoesNotExist { .. } => "relationDoesNotExist",
            Error::CannotAddRelationToSelf => "cannotAddRelationToSelf",
            Error::MalformedData => "malformedData",
            Error::MissingRequiredValue(_) => "missingRequiredValue",
            Error::MissingAtLeastOneValue(_) => "missingAtLeastOneValue",
            Error::BadValueListOfStrings(_) => "badValueListOfStrings",
            Error::BadValueListNotAllowed { .. } => "badValueListNotAllowed",
            Error::BadValueNotAllowed { .. } => "badValueNotAllowed",
            Error::BadValueString(_) => "badValueString",
            Error::BadValueJson(_) => "badValueJSON",
            Error::BadValueEmpty(_) => "badValueEmpty",
            Error::BadValueIdNotFound(_) => "badValueIdNotFound",
            Error::BadValueName => "badValueName",
            Error::BadValueBoolean(_) => "badValueBoolean",
            Error::BadValueInteger(_) => "badValueInteger",
            Error::BadValueXml(_) => "badValueXML",
            Error::BadValueTextTooLarge { .. } => "badValueTextTooLarge",
            Error::BadValueTooLong { .. } => "badValueTooLong",
            Error::BadValueToken(..) => "badValueToken",
            Error::BadValuePassword => "badValuePassword",
            Error::BadValueUsername => "badValueUsername",
            Error::BadValueFullName => "badValueFullName",
            Error::BadValueIdentifierOccupied(_) => "badValueIdentifierOccupied",
            Error::BasicAuthDisabled => "basicAuthDisabled",
            Error::CannotDeleteNonEmptyHandleService => "cannotDeleteNonEmptyHandleService",
            Error::ProtectedGroup => "protectedGroup",
            Error::CannotRemoveLastOwner { .. } => "cannotRemoveLastOwner",
            Error::NotSupported => "notSupported",
            Error::PayloadTooLarge { .. } => "badValueTextTooLarge",
            Error::UnsupportedMediaType => "unsupportedMediaType",
            Error::MethodNotAllowed => "notSupported",
            Error::ServiceUnavailable | Error::TooManyConnections => "serviceUnavailable",
            Error::TooManyRequests { .. } => "tooManyRequests",
            Error::Timeout => "timeout",
            Error::OriginNotAllowed { .. } => "forbidden",
            Error::Internal(_) => "internalServerError",
        }
    }

    pub fn description(&self) -> String {
        fn list(v: &[String]) -> String {
            v.join(", ")
        }
        /// `"space_veiw" is not allowed; ` — the value as JSON, so `null` and `7` read as such.
        fn offending(value: Option<&Value>, key: &str) -> String {
            match value {
                Some(v) => format!("{v} is not allowed in \"{key}\"; "),
                None => String::new(),
            }
        }
        match self {
            Error::Unauthorized => "You must authenticate yourself to perform this operation.".into(),
            Error::BadAuth(_) => "Provided authentication is not valid (see details).".into(),
            Error::Forbidden => "You are not authorized to perform this operation.".into(),
            Error::NotFound => "The resource could not be found.".into(),
            Error::Missing(m) => format!("The resource could not be found: {}.", m.describe()),
            Error::AlreadyExists => "The resource already exists.".into(),
            Error::RelationAlreadyExists { child_type, child_id, parent_type, parent_id } => {
                format!("Bad value: {child_type}:{child_id} is already a member of {parent_type}:{parent_id}.")
            }
            Error::RelationDoesNotExist { child_type, child_id, parent_type, parent_id } => {
                format!("Bad value: {child_type}:{child_id} is not a member of {parent_type}:{parent_id}.")
            }
            Error::CannotAddRelationToSelf => "Cannot add relation to self.".into(),
            Error::MalformedData => "Provided data could not be understood by the server.".into(),
            Error::MissingRequiredValue(k) => format!("Missing required value: {k}."),
            Error::MissingAtLeastOneValue(keys) => {
                // Onezone prints the Erlang term (`[<<"grant">>,<<"revoke">>]`); plain names here.
                format!("Missing data, you must provide at least one of: {}.", keys.join(", "))
            }
            Error::BadValueListOfStrings(k) => format!("Bad value: provided \"{k}\" must be a list of strings."),
            Error::BadValueListNotAllowed { key, allowed, value } => format!(
                "Bad value: {}provided \"{key}\" must be a list containing zero or more following values: {}.",
                offending(value.as_ref(), key),
                list(allowed)
            ),
            Error::BadValueNotAllowed { key, allowed, value } => format!(
                "Bad value: {}provided \"{key}\" must be one of: {}.",
                offending(value.as_ref(), key),
                list(allowed)
            ),
            Error::BadValueString(k) => format!("Bad value: provided \"{k}\" must be a string."),
            Error::BadValueJson(k) => format!("Bad value: provided \"{k}\" must be a valid JSON."),
            Error::BadValueEmpty(k) => format!("Bad value: provided \"{k}\" must not be empty."),
            Error::BadValueIdNotFound(k) => format!("Bad value: provided ID (\"{k}\") does not exist."),
            Error::BadValueName => "Bad value: Name must be 2-128 characters long and composed only of UTF-8 letters, digits, brackets and underscores. Dashes, spaces and dots are allowed (but not at the beginning or the end).".into(),
            Error::BadValueBoolean(k) => format!("Bad value: provided \"{k}\" must be a boolean."),
            Error::BadValueInteger(k) => format!("Bad value: provided \"{k}\" must be an integer."),
            Error::BadValueXml(k) => format!("Bad value: provided \"{k}\" must be a valid XML."),
            Error::BadValueTextTooLarge { key, limit } => {
                format!("Bad value: provided \"{key}\" must not exceed {limit} characters.")
            }
            Error::BadValueTooLong { key, limit } => {
                format!("Bad value: provided \"{key}\" must not exceed {limit} characters.")
            }
            Error::BadValueToken(k, _) => {
                format!("Bad value: provided \"{k}\" is not a valid token (see details).")
            }
            Error::BadValueUsername => "Bad value: Username must be 2-32 characters long and composed only of letters and digits. Dashes and underscores are allowed (but not at the beginning or the end).".into(),
            Error::BadValueFullName => "Bad value: Full name must be 2-128 characters long and composed only of UTF-8 letters and digits. Dashes, spaces, dots, commas and apostrophes are allowed (but not at the beginning or the end).".into(),
            Error::BadValueIdentifierOccupied(k) => format!("Bad value: provided identifier (\"{k}\") is already occupied."),
            Error::BasicAuthDisabled => "Basic auth is disabled for this user.".into(),
            Error::BadValuePassword => "Bad value: password must be at least 8 characters long and must not contain colons, spaces or whitespace characters.".into(),
            Error::CannotDeleteNonEmptyHandleService => "This handle service cannot be deleted as it still has some handles registered. Delete all handles first.".into(),
            Error::ProtectedGroup => "Specified group is protected and cannot be deleted.".into(),
            Error::CannotRemoveLastOwner { entity_type, entity_id } => format!(
                "Cannot remove the last owner - {entity_type}:{entity_id} must have at least one owner. Add another owner first."
            ),
            Error::NotSupported => "This operation is not supported.".into(),
            Error::PayloadTooLarge { limit } => format!("Bad value: request body must not exceed {limit} bytes."),
            Error::UnsupportedMediaType => "Request body must be application/json.".into(),
            Error::MethodNotAllowed => "This operation is not supported.".into(),
            Error::ServiceUnavailable => "Service required for this operation is offline.".into(),
            Error::TooManyConnections => "The server has no room for another connection now; retry shortly.".into(),
            Error::TooManyRequests { retry_after } => format!("Too many requests from this client; retry after {retry_after} seconds."),
            Error::Timeout => "The request was not received in time.".into(),
            Error::OriginNotAllowed { origin } => format!(
                "Requests from pages of {origin} may not change data here (the server's allowed origins do not include it)."
            ),
            Error::Internal(_) => "The server has encountered an error while processing this request. If the problem persists, please contact the site administrators.".into(),
        }
    }

    pub fn details(&self) -> Option<Value> {
        match self {
            Error::BadAuth(a) => Some(json!({"authError": a.to_json()})),
            Error::RelationAlreadyExists {
                child_type,
                child_id,
                parent_type,
                parent_id,
            } => Some(json!({
                "childType": child_type, "childId": child_id, "parentType": parent_type, "parentId": parent_id
            })),
            Error::RelationDoesNotExist {
                child_type,
                child_id,
                parent_type,
                parent_id,
            } => Some(json!({
                "childType": child_type, "childId": child_id, "parentType": parent_type, "parentId": parent_id
            })),
            Error::MissingRequiredValue(k)
            | Error::BadValueListOfStrings(k)
            | Error::BadValueString(k)
            | Error::BadValueJson(k)
            | Error::BadValueEmpty(k)
            | Error::BadValueIdNotFound(k)
            | Error::BadValueBoolean(k)
            | Error::BadValueInteger(k)
            | Error::BadValueXml(k)
            | Error::BadValueIdentifierOccupied(k) => Some(json!({"key": k})),
            Error::BadValueToken(k, e) => Some(json!({"key": k, "tokenError": e.to_json()})),
            Error::MissingAtLeastOneValue(keys) => Some(json!({"keys": keys})),
            Error::BadValueListNotAllowed {
                key,
                allowed,
                value,
            }
            | Error::BadValueNotAllowed {
                key,
                allowed,
                value,
            } => Some(match value {
                Some(v) => json!({"key": key, "allowed": allowed, "value": v}),
                None => json!({"key": key, "allowed": allowed}),
            }),
            Error::BadValueTextTooLarge { key, limit } | Error::BadValueTooLong { key, limit } => {
                Some(json!({"key": key, "limit": limit}))
            }
            Error::PayloadTooLarge { limit } => Some(json!({"key": "body", "limit": limit})),
            Error::TooManyRequests { retry_after } => Some(json!({"retryAfter": retry_after})),
            Error::OriginNotAllowed { origin } => Some(json!({"origin": origin})),
            Error::CannotRemoveLastOwner {
                entity_type,
                entity_id,
            } => Some(json!({"entityType": entity_type, "entityId": entity_id})),
            _ => None,
        }
    }

    /// The Onezone error body `{"error":{"id","description","details"?}}`.
    pub fn body(&self) -> Value {
        let mut e = json!({"id": self.id(), "description": self.description()});
        if let (Some(d), Some(obj)) = (self.details(), e.as_object_mut()) {
            obj.insert("details".into(), d);
        }
        json!({ "error": e })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages are for people: no Erlang terms (`<<"grant">>`) in any description.
    #[test]
    fn descriptions_show_no_erlang_terms() {
        let errors = [
            Error::MissingAtLeastOneValue(vec!["grant".into(), "revoke".into()]),
            Error::BadValueListNotAllowed {
                key: "grant".into(),
                allowed: vec!["a".into()],
                value: Some(json!("b")),
            },
            Error::BadValueNotAllowed {
                key: "type".into(),
                allowed: vec!["a".into()],
                value: None,
            },
            Error::BadValueToken(
                "token".into(),
                TokenError::NotAnInviteToken {
                    expected: "userJoinGroup",
                    received: json!({"accessToken": {}}),
                },
            ),
            Error::Missing(Missing::Member {
                member: Noun::Group,
                id: "g".into(),
                of: Noun::Space,
                direct: true,
            }),
        ];
        for e in errors {
            let body = e.body().to_string();
            assert!(!body.contains("<<"), "{body}");
        }
        assert_eq!(
            Error::MissingAtLeastOneValue(vec!["grant".into(), "revoke".into()]).description(),
            "Missing data, you must provide at least one of: grant, revoke."
        );
        assert_eq!(
            Error::Missing(Missing::Member {
                member: Noun::Group,
                id: "g".into(),
                of: Noun::Space,
                direct: true,
            })
            .description(),
            "The resource could not be found: group \"g\" is not a direct member of this space."
        );
    }
}
