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
use super::{output, Ctx};

/// A column of a listing: header and field of the entity's record.
pub type Column = (&'static str, &'static str);

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
        row.extend(
            columns
                .iter()
                .map(|(_, field)| output::cell(&record[*field])),
        );
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

/// Users and groups of an entity, direct or effective.
pub fn members(ctx: &Ctx, entity: &EntityRef, effective: bool) -> Result<(), CliError> {
    let prefix = if effective { "effective_" } else { "" };
    let base = entity.path();
    let users = ctx.client.get(&format!("{base}/{prefix}users"))?;
    let groups = ctx
        .client
        .get(&format!("{base}/{prefix}{}", entity.kind.group_members()))?;
    let (users, groups) = (ids(&users), ids(&groups));
    if ctx.json {
        output::json(&json!({ "users": users, "groups": groups }));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = users
        .into_iter()
        .map(|id| vec!["user".to_owned(), id])
        .chain(groups.into_iter().map(|id| vec!["group".to_owned(), id]))
        .collect();
    output::table(&["TYPE", "ID"], &rows);
    Ok(())
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
    /// Id of the entity.
    #[arg(value_parser = super::entity::parse_id)]
    pub id: String,
    /// `user:ID` or `group:ID`.
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
    #[arg(value_parser = super::entity::parse_id)]
    pub id: String,
    /// Effective members (through groups) instead of direct ones.
    #[arg(long)]
    pub effective: bool,
}

/// The membership subcommands every entity kind has.
pub fn membership(ctx: &Ctx, kind: Kind, action: Membership) -> Result<(), CliError> {
    let entity = |id: String| EntityRef { kind, id };
    match action {
        Membership::Members(a) => members(ctx, &entity(a.id), a.effective),
        Membership::AddMember(a) => add_member(
            ctx,
            &entity(a.target.id),
            &a.target.member,
            &privilege_names(&a.privileges),
        ),
        Membership::RemoveMember(a) => remove_member(ctx, &entity(a.id), &a.member),
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
