//! Turns what an operator types (an id, a username, a group or space name) into the id the API
//! needs. An id is tried first (one GET); only if nothing has that id is the text looked up as a
//! name, among everything the caller may list (one GET per entity: names are not indexed by the
//! API). A name that matches nothing, or several entities, is an error that says so.

use super::commands::ids;
use super::entity::{id_segment, EntityRef, Kind, MemberRef, Subject};
use super::error::{exit, CliError};
use super::Ctx;

/// What can be looked up: a user (by username) or an entity kind (by name).
#[derive(Clone, Copy)]
enum What {
    User,
    Entity(Kind),
}

impl What {
    fn collection(self) -> &'static str {
        match self {
            What::User => "users",
            What::Entity(kind) => kind.path(),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            What::User => "user",
            What::Entity(kind) => kind.name(),
        }
    }

    fn name_field(self) -> Option<&'static str> {
        match self {
            What::User => Some("username"),
            What::Entity(kind) => kind.name_field(),
        }
    }

    /// The caller's own list, for a caller who may not list them all.
    fn own_list(self) -> Option<String> {
        match self {
            What::User => None,
            What::Entity(kind) => Some(format!("/user/effective_{}", kind.path())),
        }
    }
}

/// The id of a user given by id, username or `me`.
pub fn user(ctx: &Ctx, text: &str) -> Result<String, CliError> {
    if text == "me" {
        return own_id(ctx);
    }
    lookup(ctx, What::User, text)
}

/// The id of a group, space, handle service (given by id or name) or handle (by id).
pub fn entity_id(ctx: &Ctx, kind: Kind, text: &str) -> Result<String, CliError> {
    lookup(ctx, What::Entity(kind), text)
}

pub fn entity(ctx: &Ctx, e: &EntityRef) -> Result<EntityRef, CliError> {
    Ok(EntityRef {
        kind: e.kind,
        id: entity_id(ctx, e.kind, &e.id)?,
    })
}

pub fn member(ctx: &Ctx, m: &MemberRef) -> Result<MemberRef, CliError> {
    Ok(match m {
        MemberRef::User(text) => MemberRef::User(user(ctx, text)?),
        MemberRef::Group(text) => MemberRef::Group(entity_id(ctx, Kind::Group, text)?),
    })
}

pub fn subject(ctx: &Ctx, s: &Subject) -> Result<Subject, CliError> {
    Ok(match s {
        Subject::Me => Subject::Me,
        Subject::Member(m) => Subject::Member(member(ctx, m)?),
    })
}

fn own_id(ctx: &Ctx) -> Result<String, CliError> {
    let me = ctx.client.get("/user")?;
    me["userId"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Unavailable("GET /user answered without a userId".into()))
}

fn lookup(ctx: &Ctx, what: What, text: &str) -> Result<String, CliError> {
    let collection = what.collection();
    let noun = what.noun();
    let mut by_id = None;
    if let Some(id) = id_segment(text) {
        let path = format!("/{collection}/{id}");
        match ctx.client.get(&path) {
            // It exists, even if the caller may not view it: the command itself will tell.
            Ok(_) | Err(CliError::Api { status: 403, .. }) => return Ok(id),
            Err(CliError::Api {
                status: 404, id: e, ..
            }) => by_id = Some(format!("GET {path}: {}", e.as_deref().unwrap_or("404"))),
            Err(e) => return Err(e),
        }
    }
    let not_found = |among: &str| {
        let mut message = match what.name_field() {
            Some(_) => format!("no {noun} has the id or name {text:?}"),
            None => format!("no {noun} has the id {text:?}"),
        };
        let mut notes: Vec<String> = by_id.iter().cloned().collect();
        if !among.is_empty() {
            notes.push(among.to_owned());
        }
        if !notes.is_empty() {
            message.push_str(&format!(" ({})", notes.join("; ")));
        }
        CliError::Lookup {
            code: exit::NOT_FOUND,
            message,
        }
    };
    let Some(field) = what.name_field() else {
        return Err(not_found(""));
    };
    let (list, scope) = match ctx.client.get(&format!("/{collection}")) {
        Ok(list) => (list, format!("all {collection}")),
        Err(CliError::Api { status: 403, .. }) => match what.own_list() {
            Some(own) => (ctx.client.get(&own)?, format!("your {collection}")),
            None => {
                // Without oz_users_list only the caller's own username can be matched.
                let me = ctx.client.get("/user")?;
                if me[field].as_str() == Some(text) {
                    return own_id(ctx);
                }
                return Err(CliError::Lookup {
                    code: exit::FORBIDDEN,
                    message: format!(
                        "{text:?} is not a user id, and looking a user up by username needs \
                         oz_users_list; give the user's id"
                    ),
                });
            }
        },
        Err(e) => return Err(e),
    };
    let mut matches = Vec::new();
    for id in ids(&list) {
        match ctx.client.get(&format!("/{collection}/{id}")) {
            Ok(record) if record[field].as_str() == Some(text) => matches.push(id),
            Ok(_)
            | Err(CliError::Api {
                status: 403 | 404, ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    match matches.len() {
        0 => Err(not_found(&format!("no {field} matched among {scope}"))),
        1 => Ok(matches.swap_remove(0)),
        n => Err(CliError::Lookup {
            code: exit::USAGE,
            message: format!(
                "{n} {collection} are named {text:?}: {}; give the id instead",
                matches.join(", ")
            ),
        }),
    }
}
