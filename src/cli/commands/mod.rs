//! One module per area of the API; what they share: show, list, create, delete, membership.

pub mod groups;
pub mod handle_services;
pub mod handles;
pub mod privileges;
pub mod spaces;
pub mod tokens;
pub mod users;

use reqwest::Method;
use serde_json::{json, Value};

use super::client::Reply;
use super::entity::{EntityRef, Kind, MemberRef};
use super::error::CliError;
use super::{output, resolve, secret, Ctx};

/// A column of a listing: header and field of the entity's record (a JSON pointer such as
/// `/metadata/creationTime` for a nested one).
pub type Column = (&'static str, &'static str);

/// The cell of `column`'s field in `record`.
fn column_cell(record: &Value, field: &str) -> String {
    let value = if field.starts_with('/') {
        record.pointer(field).unwrap_or(&Value::Null)
    } else {
        &record[field]
    };
    let key = field.rsplit('/').next().unwrap_or(field);
    output::field_cell(key, value)
}

/// GET of one record.
pub fn show(ctx: &Ctx, path: &str) -> Result<(), CliError> {
    let body = ctx.client.get(path)?;
    if ctx.json {
        output::json(&body);
    } else {
        output::record(&body);
    }
    Ok(())
}

/// The ids of a list answer (`{"users":[...]}` etc.: its one list).
pub fn ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body
        .as_object()
        .and_then(|o| o.values().find_map(Value::as_array))
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    ids
}

/// GET of a list of ids; the table has one row per id with the `columns` of its record (fetched
/// from `record_path(id)`; `-` where the caller may not read it).
pub fn list(
    ctx: &Ctx,
    path: &str,
    record_path: impl Fn(&str) -> String,
    columns: &[Column],
) -> Result<(), CliError> {
    let body = ctx.client.get(path)?;
    if ctx.json {
        output::json(&body);
        return Ok(());
    }
    let mut rows = Vec::new();
    for id in ids(&body) {
        let record = match ctx.client.get(&record_path(&id)) {
            Ok(record) => record,
            // A listed entity deleted meanwhile, or one the caller may list but not view.
            Err(CliError::Api {
                status: 403 | 404, ..
            }) => Value::Null,
            Err(e) => return Err(e),
        };
        let mut row = vec![id];
        row.extend(columns.iter().map(|(_, field)| column_cell(&record, field)));
        rows.push(row);
    }
    let mut headers = vec!["ID"];
    headers.extend(columns.iter().map(|(header, _)| *header));
    output::table(&headers, &rows);
    Ok(())
}

/// POST creating an entity: prints its id (`{"id"}` with `--json`), taken from `Location`.
pub fn create(ctx: &Ctx, path: &str, body: Value) -> Result<String, CliError> {
    let reply = ctx.client.send(Method::POST, path, Some(body))?;
    let id = reply
        .created_id()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Unavailable("the server answered without a Location".into()))?;
    if ctx.json {
        output::json(&json!({ "id": id, "location": reply.location }));
    } else {
        output::line(&id);
    }
    Ok(id)
}

/// A change without an interesting answer: a confirmation line unless `--json` (then the body,
/// if any).
pub fn change(
    ctx: &Ctx,
    method: Method,
    path: &str,
    body: Option<Value>,
    done: &str,
) -> Result<Reply, CliError> {
    let reply = ctx.client.send(method, path, body)?;
    if ctx.json {
        if !reply.body.is_null() {
            output::json(&reply.body);
        }
    } else {
        output::line(done);
    }
    Ok(reply)
}

pub fn delete(ctx: &Ctx, path: &str, what: &str) -> Result<(), CliError> {
    change(ctx, Method::DELETE, path, None, &format!("deleted {what}")).map(|_| ())
}

/// Users and groups of an entity, direct or effective, with their names and their (direct or
/// effective) privileges there (`-` where the caller may not read them).
pub fn members(ctx: &Ctx, entity: &EntityRef, effective: bool) -> Result<(), CliError> {
    let prefix = if effective { "effective_" } else { "" };
    let base = entity.path();
    let users_path = format!("{base}/{prefix}users");
    let groups_path = format!("{base}/{prefix}{}", entity.kind.group_members());
    let users = ctx.client.get(&users_path)?;
    let groups = ctx.client.get(&groups_path)?;
    let (users, groups) = (ids(&users), ids(&groups));
    if ctx.json {
        output::json(&json!({ "users": users, "groups": groups }));
        return Ok(());
    }
    let levels = privilege_levels(ctx, entity.kind);
    let optional = |path: String| match ctx.client.get(&path) {
        Ok(v) => Ok(v),
        Err(CliError::Api {
            status: 403 | 404, ..
        }) => Ok(Value::Null),
        Err(e) => Err(e),
    };
    let mut rows = Vec::new();
    let kinds = [
        ("user", &users_path, users),
        ("group", &groups_path, groups),
    ];
    for (kind, path, ids) in kinds {
        for id in ids {
            let record = optional(format!("{path}/{id}"))?;
            let name = if kind == "user" {
                match (record["username"].as_str(), record["fullName"].as_str()) {
                    (Some(u), Some(f)) if !f.is_empty() => format!("{u} ({f})"),
                    (Some(u), _) => u.to_owned(),
                    (None, Some(f)) => format!("({f})"),
                    (None, None) => "-".to_owned(),
                }
            } else {
                output::cell(&record["name"])
            };
            let privileges = optional(format!("{path}/{id}/privileges"))?;
            let privileges = if privileges.is_null() {
                "-".to_owned()
            } else {
                describe_privileges(&output::strings(&privileges, "privileges"), &levels)
            };
            rows.push(vec![kind.to_owned(), id, name, privileges]);
        }
    }
    let header = if effective {
        "EFFECTIVE PRIVILEGES"
    } else {
        "PRIVILEGES"
    };
    output::table(&["TYPE", "ID", "NAME", header], &rows);
    Ok(())
}

/// The named levels (`member`, `manager`, `admin`) of a kind's privileges, smallest first; empty
/// if the catalog cannot be read.
pub fn privilege_levels(ctx: &Ctx, kind: Kind) -> Vec<(String, Vec<String>)> {
    let Ok(body) = ctx.client.get(&format!("/{}/privileges", kind.path())) else {
        return Vec::new();
    };
    let mut levels: Vec<(String, Vec<String>)> = body
        .as_object()
        .map(|o| {
            o.keys()
                .map(|k| (k.clone(), output::strings(&body, k)))
                .collect()
        })
        .unwrap_or_default();
    levels.sort_by_key(|(_, names)| names.len());
    levels
}

/// A privilege list for a table: the level's name when it is exactly a level (`admin (all 21)`
/// reads better than 21 names), else the names.
pub fn describe_privileges(names: &[String], levels: &[(String, Vec<String>)]) -> String {
    if names.is_empty() {
        return "(none)".to_owned();
    }
    for (level, level_names) in levels {
        if level_names.as_slice() == names {
            return if names.len() <= 3 {
                format!("{} ({level})", names.join(", "))
            } else {
                format!("{level} level ({} privileges)", names.len())
            };
        }
    }
    names.join(", ")
}

/// PUT of a direct member, with its privileges if given (else the API's default).
pub fn add_member(
    ctx: &Ctx,
    entity: &EntityRef,
    member: &MemberRef,
    privileges: &[String],
) -> Result<(), CliError> {
    let body = (!privileges.is_empty()).then(|| json!({ "privileges": privileges }));
    let done = format!("added {member} to {} {}", entity.kind.name(), entity.id);
    change(
        ctx,
        Method::PUT,
        &member.path_in(entity, false),
        body,
        &done,
    )
    .map(|_| ())
}

pub fn remove_member(ctx: &Ctx, entity: &EntityRef, member: &MemberRef) -> Result<(), CliError> {
    let done = format!("removed {member} from {} {}", entity.kind.name(), entity.id);
    change(
        ctx,
        Method::DELETE,
        &member.path_in(entity, false),
        None,
        &done,
    )
    .map(|_| ())
}

/// Privilege names from arguments that may also be comma-separated.
pub fn privilege_names(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `ID MEMBER` of `remove-member`.
#[derive(clap::Args, Debug)]
pub struct MemberArgs {
    /// Id or name of the entity.
    pub id: String,
    /// `user:ID`, `user:USERNAME`, `group:ID` or `group:NAME`.
    pub member: MemberRef,
}

/// `ID MEMBER [--privileges …]` of `add-member`.
#[derive(clap::Args, Debug)]
pub struct AddMemberArgs {
    #[command(flatten)]
    pub target: MemberArgs,
    /// Privileges of the new member, comma-separated (default: the API's member set).
    #[arg(long, value_delimiter = ',')]
    pub privileges: Vec<String>,
}

/// `ID [--effective]` of `members`.
#[derive(clap::Args, Debug)]
pub struct MembersArgs {
    /// Id or name of the entity.
    pub id: String,
    /// Effective members (through groups) instead of direct ones.
    #[arg(long)]
    pub effective: bool,
}

/// The membership subcommands every entity kind has.
pub fn membership(ctx: &Ctx, kind: Kind, action: Membership) -> Result<(), CliError> {
    let entity = |id: String| -> Result<EntityRef, CliError> {
        Ok(EntityRef {
            kind,
            id: resolve::entity_id(ctx, kind, &id)?,
        })
    };
    match action {
        Membership::Members(a) => members(ctx, &entity(a.id)?, a.effective),
        Membership::AddMember(a) => add_member(
            ctx,
            &entity(a.target.id)?,
            &resolve::member(ctx, &a.target.member)?,
            &privilege_names(&a.privileges),
        ),
        Membership::RemoveMember(a) => {
            remove_member(ctx, &entity(a.id)?, &resolve::member(ctx, &a.member)?)
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Membership {
    /// List the users and groups that are members.
    Members(MembersArgs),
    /// Add a user or group as a direct member (PUT …/users/ID or …/groups/ID).
    AddMember(AddMemberArgs),
    /// Remove a direct member.
    RemoveMember(MemberArgs),
}

/// PATCH `{"name"}` of a group, space or handle service.
pub fn rename(ctx: &Ctx, kind: Kind, entity: &str, name: &str) -> Result<(), CliError> {
    let id = resolve::entity_id(ctx, kind, entity)?;
    change(
        ctx,
        Method::PATCH,
        &format!("/{}/{id}", kind.path()),
        Some(json!({ "name": name })),
        &format!("renamed {} {id} to {name:?}", kind.name()),
    )
    .map(|_| ())
}

/// Who an invite token admits.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Invitee {
    /// A user, who joins with `join TOKEN`.
    User,
    /// A group, joined by one of its admins with `join TOKEN --as-group GROUP`.
    Group,
}

/// POST `…/{users|groups|children}/token`: prints the invite token alone (once).
pub fn invite(ctx: &Ctx, kind: Kind, entity: &str, invitee: Invitee) -> Result<(), CliError> {
    let id = resolve::entity_id(ctx, kind, entity)?;
    let segment = match invitee {
        Invitee::User => "users",
        Invitee::Group => kind.group_members(),
    };
    let reply = ctx.client.send(
        Method::POST,
        &format!("/{}/{id}/{segment}/token", kind.path()),
        Some(json!({})),
    )?;
    if ctx.json {
        output::json(&reply.body);
    } else {
        let token = reply.body["token"].as_str().unwrap_or_default();
        eprintln!(
            "invite of a {} into {} {id}; join with `privzone {} join TOKEN{}`:",
            match invitee {
                Invitee::User => "user",
                Invitee::Group => "group",
            },
            kind.name(),
            kind.path(),
            match invitee {
                Invitee::User => "",
                Invitee::Group => " --as-group GROUP",
            }
        );
        output::line(token);
    }
    Ok(())
}

/// `TOKEN [--as-group GROUP]` of `join`.
#[derive(clap::Args, Debug)]
pub struct JoinArgs {
    /// The invite token; `-` reads it from stdin (tokens on the command line show in ps).
    #[arg(value_name = "INVITE_TOKEN")]
    pub invite_token: String,
    /// Join as this group (id or name; needs its privilege to join), not as yourself.
    #[arg(long, value_name = "GROUP")]
    pub as_group: Option<String>,
}

/// POST `/user/{groups|spaces}/join` or `/groups/{id}/{parents|spaces}/join`: prints the id
/// joined.
pub fn join(ctx: &Ctx, kind: Kind, args: JoinArgs) -> Result<(), CliError> {
    let token = if args.invite_token == "-" {
        secret::stdin_text("the invite token")?
    } else {
        args.invite_token
    };
    let (path, who) = match &args.as_group {
        None => (format!("/user/{}/join", kind.path()), "you".to_owned()),
        Some(g) => {
            let g = resolve::entity_id(ctx, Kind::Group, g)?;
            let segment = match kind {
                Kind::Group => "parents",
                _ => kind.path(),
            };
            (format!("/groups/{g}/{segment}/join"), format!("group {g}"))
        }
    };
    let reply = ctx
        .client
        .send(Method::POST, &path, Some(json!({ "token": token })))?;
    let id = reply.created_id().unwrap_or_default().to_owned();
    if ctx.json {
        output::json(&json!({ "id": id, "location": reply.location }));
    } else {
        eprintln!("{who} joined {} {id}", kind.name());
        output::line(&id);
    }
    Ok(())
}
