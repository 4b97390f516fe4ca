//! `privzone groups …`.

use clap::Subcommand;
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::{
    change, create, delete, list, membership, privilege_names, show, Invitee, JoinArgs, Membership,
};
use crate::cli::entity::{EntityRef, Kind, MemberRef};
use crate::cli::error::CliError;
use crate::cli::{resolve, Ctx};

const COLUMNS: &[super::Column] = &[
    ("NAME", "name"),
    ("TYPE", "type"),
    ("CREATED", "creationTime"),
];

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create a group; prints its id. Without --mine or --parent it needs oz_groups_create and
    /// the caller does not become a member.
    Create {
        name: String,
        /// organization, unit, team (default) or role_holders.
        #[arg(long = "type")]
        group_type: Option<String>,
        /// Create it as the caller's group, with the caller as its admin.
        #[arg(long, conflicts_with = "parent")]
        mine: bool,
        /// Create it as a child of this group, id or name (needs group_add_child there).
        #[arg(long)]
        parent: Option<String>,
    },
    /// List all groups (needs oz_groups_list), or the caller's with --mine.
    List {
        #[arg(long)]
        mine: bool,
        /// With --mine: also groups the caller belongs to through other groups.
        #[arg(long, requires = "mine")]
        effective: bool,
    },
    /// Show a group (id or name).
    Show { id: String },
    /// Delete a group.
    Delete { id: String },
    /// Rename a group (needs group_update).
    Rename { id: String, new_name: String },
    /// Create an invite token for a user or a group to join GROUP with the default member
    /// privileges (needs group_add_user / group_add_child); prints the token alone.
    Invite {
        id: String,
        #[arg(value_enum)]
        invitee: Invitee,
    },
    /// Join a group with an invite token, yourself or --as-group; prints the group's id.
    Join(JoinArgs),
    #[command(flatten)]
    Membership(Membership),
    /// Make CHILD a member (subgroup) of PARENT (ids or names).
    Nest {
        child: String,
        parent: String,
        /// Privileges of CHILD in PARENT, comma-separated (default: the API's member set).
        #[arg(long, value_delimiter = ',')]
        privileges: Vec<String>,
    },
    /// Remove CHILD from PARENT.
    Unnest { child: String, parent: String },
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            name,
            group_type,
            mine,
            parent,
        } => {
            let mut body = Map::new();
            body.insert("name".into(), json!(name));
            if let Some(t) = group_type {
                body.insert("type".into(), json!(t));
            }
            let path = match (mine, parent) {
                (true, _) => "/user/groups".to_owned(),
                (false, Some(p)) => {
                    format!(
                        "/groups/{}/children",
                        resolve::entity_id(ctx, Kind::Group, &p)?
                    )
                }
                (false, None) => "/groups".to_owned(),
            };
            create(ctx, &path, Value::Object(body)).map(|_| ())
        }
        Action::List { mine, effective } => {
            let path = match (mine, effective) {
                (false, _) => "/groups",
                (true, false) => "/user/groups",
                (true, true) => "/user/effective_groups",
            };
            list(ctx, path, |id| format!("/groups/{id}"), COLUMNS)
        }
        Action::Show { id } => show(ctx, &format!("/groups/{}", group(ctx, &id)?)),
        Action::Delete { id } => {
            let id = group(ctx, &id)?;
            delete(ctx, &format!("/groups/{id}"), &format!("group {id}"))
        }
        Action::Rename { id, new_name } => super::rename(ctx, Kind::Group, &id, &new_name),
        Action::Invite { id, invitee } => super::invite(ctx, Kind::Group, &id, invitee),
        Action::Join(args) => super::join(ctx, Kind::Group, args),
        Action::Membership(m) => membership(ctx, Kind::Group, m),
        Action::Nest {
            child,
            parent,
            privileges,
        } => super::add_member(
            ctx,
            &EntityRef {
                kind: Kind::Group,
                id: group(ctx, &parent)?,
            },
            &MemberRef::Group(group(ctx, &child)?),
            &privilege_names(&privileges),
        ),
        Action::Unnest { child, parent } => {
            let (child, parent) = (group(ctx, &child)?, group(ctx, &parent)?);
            change(
                ctx,
                Method::DELETE,
                &format!("/groups/{parent}/children/{child}"),
                None,
                &format!("removed group {child} from group {parent}"),
            )
            .map(|_| ())
        }
    }
}

fn group(ctx: &Ctx, text: &str) -> Result<String, CliError> {
    resolve::entity_id(ctx, Kind::Group, text)
}
