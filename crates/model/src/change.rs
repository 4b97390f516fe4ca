//! Every mutation of privzone's state is a [`Change`]: a serializable value. Applying the same
//! sequence of changes to an empty [`crate::State`] always gives the same state; the store persists
//! them in revision order and the state is rebuilt from them on start.
//!
//! Changes carry results, not requests: a PATCH of privileges is recorded as the resulting set, a
//! create carries its generated id and time, so replay never depends on clocks or randomness.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::{
    GroupPrivileges, HandlePrivileges, HandleServicePrivileges, OzPrivileges, SpacePrivileges,
};

/// An entity that has members with privileges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Group(String),
    Space(String),
    HandleService(String),
    Handle(String),
}

/// A member of a [`Target`], or the subject of oz privileges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Member {
    User(String),
    Group(String),
}

/// A privilege set of the kind that matches a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privileges {
    Group(GroupPrivileges),
    Space(SpacePrivileges),
    HandleService(HandleServicePrivileges),
    Handle(HandlePrivileges),
}

impl Privileges {
    /// Current names, alphabetical.
    pub fn to_names(&self) -> Vec<&'static str> {
        match self {
            Privileges::Group(p) => p.to_names(),
            Privileges::Space(p) => p.to_names(),
            Privileges::HandleService(p) => p.to_names(),
            Privileges::Handle(p) => p.to_names(),
        }
    }
}

/// A password hash in PHC string form (argon2id). Its Debug output is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// SHA-256 of a token secret, hex. Only hashes are stored; Debug is redacted anyway.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(pub String);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupType {
    Organization,
    Unit,
    Team,
    RoleHolders,
}

impl GroupType {
    pub const ALL: [&'static str; 4] = ["organization", "unit", "team", "role_holders"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "organization" => Some(GroupType::Organization),
            "unit" => Some(GroupType::Unit),
            "team" => Some(GroupType::Team),
            "role_holders" => Some(GroupType::RoleHolders),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Organization => "organization",
            GroupType::Unit => "unit",
            GroupType::Team => "team",
            GroupType::RoleHolders => "role_holders",
        }
    }
}

/// What a token may be used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Authenticates its user on the REST API.
    Access,
    /// Proves its user's identity to services; never accepted as REST authentication.
    Identity,
    /// Lets a user (or a group the joiner manages) join `target` with `privileges`.
    Invite {
        target: Target,
        invitee: InviteeKind,
        privileges: Privileges,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteeKind {
    User,
    Group,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    CreateUser {
        user: String,
        username: Option<String>,
        full_name: String,
        time: i64,
    },
    UpdateUser {
        user: String,
        username: Option<String>,
        full_name: Option<String>,
    },
    SetPassword {
        user: String,
        hash: Option<PasswordHash>,
    },
    SetUserBlocked {
        user: String,
        blocked: bool,
    },
    DeleteUser {
        user: String,
    },

    CreateGroup {
        group: String,
        name: String,
        group_type: GroupType,
        creator: Option<String>,
        time: i64,
        protected: bool,
    },
    UpdateGroup {
        group: String,
        name: Option<String>,
        group_type: Option<GroupType>,
    },
    DeleteGroup {
        group: String,
    },

    CreateSpace {
        space: String,
        name: String,
        creator: Option<String>,
        time: i64,
    },
    UpdateSpace {
        space: String,
        name: String,
    },
    DeleteSpace {
        space: String,
    },
    AddOwner {
        space: String,
        user: String,
    },
    RemoveOwner {
        space: String,
        user: String,
    },

    CreateShare {
        share: String,
        space: String,
        name: String,
        root_file_id: String,
        file_type: String,
        time: i64,
    },
    UpdateShare {
        share: String,
        name: String,
    },
    DeleteShare {
        share: String,
    },

    CreateHandleService {
        service: String,
        name: String,
        proxy_endpoint: String,
        service_properties: serde_json::Value,
        creator: Option<String>,
        time: i64,
    },
    UpdateHandleService {
        service: String,
        name: Option<String>,
        proxy_endpoint: Option<String>,
        service_properties: Option<serde_json::Value>,
    },
    DeleteHandleService {
        service: String,
    },

    CreateHandle {
        handle: String,
        service: String,
        resource_type: String,
        resource_id: String,
        metadata_prefix: String,
        metadata: String,
        public_handle: String,
        creator: Option<String>,
        time: i64,
    },
    UpdateHandle {
        handle: String,
        metadata: String,
        time: i64,
    },
    DeleteHandle {
        handle: String,
    },

    /// A new direct membership; the member must not be a direct member yet.
    AddMember {
        target: Target,
        member: Member,
        privileges: Privileges,
    },
    /// Replaces the privileges of an existing direct member.
    SetPrivileges {
        target: Target,
        member: Member,
        privileges: Privileges,
    },
    RemoveMember {
        target: Target,
        member: Member,
    },
    /// Replaces the direct oz privileges of a user or group.
    SetOzPrivileges {
        subject: Member,
        privileges: OzPrivileges,
    },

    CreateToken {
        token: String,
        user: String,
        name: String,
        secret: TokenHash,
        kind: TokenKind,
        time: i64,
        /// The token's time caveat: unusable after this unix second. Older logs have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_until: Option<i64>,
    },
    SetTokenRevoked {
        token: String,
        revoked: bool,
    },
    DeleteToken {
        token: String,
    },
}
