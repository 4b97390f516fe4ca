//! `privzone groups …`.

use clap::Subcommand;
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::{change, create, delete, list, membership, privilege_names, show, Membership};
use crate::cli::entity::{parse_id, EntityRef, Kind, MemberRef};
use crate::cli::error::CliError;
use crate::cli::Ctx;

const COLUMNS: &[super::Column] = &[("NAME", "name"), ("TYPE", "type")];

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
        /// Create it as a child of this group (needs group_add_child there).
        #[arg(long, value_parser = parse_id)]
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
    /// Show a group.
    Show {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Delete a group.
    Delete {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    #[command(flatten)]
    Membership(Membership),
    /// Make CHILD a member (subgroup) of PARENT.
    Nest {
        #[arg(value_parser = parse_id)]
        child: String,
        #[arg(value_parser = parse_id)]
        parent: String,
        /// Privileges of CHILD in PARENT, comma-separated (default: the API's member set).
        #[arg(long, value_delimiter = ',')]
        privileges: Vec<String>,
    },
    /// Remove CHILD from PARENT.
    Unnest {
        #[arg(value_parser = parse_id)]
        child: String,
        #[arg(value_parser = parse_id)]
        parent: String,
    },
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
                (false, Some(p)) => format!("/groups/{p}/children"),
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
        Action::Show { id } => show(ctx, &format!("/groups/{id}")),
        Action::Delete { id } => delete(ctx, &format!("/groups/{id}"), &format!("group {id}")),
        Action::Membership(m) => membership(ctx, Kind::Group, m),
        Action::Nest {
            child,
            parent,
            privileges,
        } => super::add_member(
            ctx,
            &EntityRef {
                kind: Kind::Group,
                id: parent,
            },
            &MemberRef::Group(child),
            &privilege_names(&privileges),
        ),
        Action::Unnest { child, parent } => change(
            ctx,
            Method::DELETE,
            &format!("/groups/{parent}/children/{child}"),
            None,
            &format!("removed group {child} from group {parent}"),
        )
        .map(|_| ()),
    }
}
