//! The entities a command names on the command line, and their API paths: `group:ID`,
//! `space:ID`, `handle-service:ID`, `handle:ID` for where privileges live, `user:ID` / `group:ID`
//! for who holds them. Where a name is allowed instead of an id (`user:alice`, `group:Curators`,
//! `space:Physics`), the text is kept as given and turned into an id by [`super::resolve`] before
//! any path is built.

use std::fmt;
use std::str::FromStr;

/// An entity that has members with privileges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Group,
    Space,
    HandleService,
    Handle,
}

impl Kind {
    /// The field of the entity's record that a name given on the command line is matched with
    /// (handles have no name).
    pub fn name_field(self) -> Option<&'static str> {
        match self {
            Kind::Handle => None,
            _ => Some("name"),
        }
    }

    /// Collection segment of the API.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Group => "groups",
            Kind::Space => "spaces",
            Kind::HandleService => "handle_services",
            Kind::Handle => "handles",
        }
    }

    /// Segment of member groups: a group's member groups are its children.
    pub fn group_members(self) -> &'static str {
        match self {
            Kind::Group => "children",
            _ => "groups",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Space => "space",
            Kind::HandleService => "handle service",
            Kind::Handle => "handle",
        }
    }

    fn parse(word: &str) -> Option<Kind> {
        match word {
            "group" | "groups" => Some(Kind::Group),
            "space" | "spaces" => Some(Kind::Space),
            "handle-service" | "handle_service" | "handle-services" | "handle_services" | "hs" => {
                Some(Kind::HandleService)
            }
            "handle" | "handles" => Some(Kind::Handle),
            _ => None,
        }
    }
}

/// `KIND:ID` (or `KIND:NAME`) of a group, space, handle service or handle.
#[derive(Clone, Debug)]
pub struct EntityRef {
    pub kind: Kind,
    pub id: String,
}

impl EntityRef {
    pub fn path(&self) -> String {
        format!("/{}/{}", self.kind.path(), self.id)
    }
}

impl FromStr for EntityRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "expected group:ID|NAME, space:ID|NAME, handle-service:ID|NAME or handle:ID, got {s:?}"
            )
        };
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let kind = Kind::parse(kind).ok_or_else(bad)?;
        if id.trim().is_empty() {
            return Err(bad());
        }
        Ok(EntityRef {
            kind,
            id: id.to_owned(),
        })
    }
}

/// `user:ID|USERNAME` or `group:ID|NAME`: a member of an entity.
#[derive(Clone, Debug)]
pub enum MemberRef {
    User(String),
    Group(String),
}

impl MemberRef {
    /// Path of this member's direct (or effective) membership in `entity`.
    pub fn path_in(&self, entity: &EntityRef, effective: bool) -> String {
        let (segment, id) = match self {
            MemberRef::User(id) => ("users", id),
            MemberRef::Group(id) => (entity.kind.group_members(), id),
        };
        let prefix = if effective { "effective_" } else { "" };
        format!("{}/{prefix}{segment}/{id}", entity.path())
    }
}

impl fmt::Display for MemberRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemberRef::User(id) => write!(f, "user {id}"),
            MemberRef::Group(id) => write!(f, "group {id}"),
        }
    }
}

impl FromStr for MemberRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected user:ID|USERNAME or group:ID|NAME, got {s:?}");
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        if id.trim().is_empty() {
            return Err(bad());
        }
        let id = id.to_owned();
        match kind {
            "user" | "users" => Ok(MemberRef::User(id)),
            "group" | "groups" => Ok(MemberRef::Group(id)),
            _ => Err(bad()),
        }
    }
}

/// Whose oz privileges: `me`, `user:ID` or `group:ID`.
#[derive(Clone, Debug)]
pub enum Subject {
    Me,
    Member(MemberRef),
}

impl Subject {
    /// `/user`, `/users/{id}` or `/groups/{id}`.
    pub fn path(&self) -> String {
        match self {
            Subject::Me => "/user".to_owned(),
            Subject::Member(MemberRef::User(id)) => format!("/users/{id}"),
            Subject::Member(MemberRef::Group(id)) => format!("/groups/{id}"),
        }
    }
}

impl FromStr for Subject {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "me" {
            return Ok(Subject::Me);
        }
        s.parse()
            .map(Subject::Member)
            .map_err(|_| format!("expected me, user:ID|USERNAME or group:ID|NAME, got {s:?}"))
    }
}

/// An id as one path segment: ids are never empty and never hold `/`, `?` or `#`.
pub fn id_segment(id: &str) -> Option<String> {
    let ok = !id.is_empty()
        && !id.contains(['/', '?', '#', '%'])
        && !id.chars().any(char::is_whitespace);
    ok.then(|| id.to_owned())
}

/// A plain id argument (clap value parser).
pub fn parse_id(s: &str) -> Result<String, String> {
    id_segment(s).ok_or_else(|| format!("not an id: {s:?}"))
}
