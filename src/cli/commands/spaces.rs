//! `privzone spaces …`.

use clap::Subcommand;
use serde_json::json;

use super::{create, delete, list, membership, show, Invitee, JoinArgs, Membership};
use crate::cli::entity::Kind;
use crate::cli::error::CliError;
use crate::cli::{resolve, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create a space; prints its id. Without --mine or --group it needs oz_spaces_create.
    Create {
        name: String,
        /// Create it as the caller's space (the caller becomes its owner).
        #[arg(long, conflicts_with = "group")]
        mine: bool,
        /// Create it for this group, id or name (needs group_add_space there).
        #[arg(long)]
        group: Option<String>,
    },
    /// List all spaces (needs oz_spaces_list), or the caller's with --mine.
    List {
        #[arg(long)]
        mine: bool,
        #[arg(long, requires = "mine")]
        effective: bool,
    },
    /// Show a space (id or name).
    Show { id: String },
    /// Delete a space.
    Delete { id: String },
    /// Rename a space (needs space_update).
    Rename { id: String, new_name: String },
    /// Create an invite token for a user or a group to join SPACE with the default member
    /// privileges (needs space_add_user / space_add_group); prints the token alone.
    Invite {
        id: String,
        #[arg(value_enum)]
        invitee: Invitee,
    },
    /// Join a space with an invite token, yourself or --as-group; prints the space's id.
    Join(JoinArgs),
    #[command(flatten)]
    Membership(Membership),
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create { name, mine, group } => {
            let path = match (mine, group) {
                (true, _) => "/user/spaces".to_owned(),
                (false, Some(g)) => {
                    format!(
                        "/groups/{}/spaces",
                        resolve::entity_id(ctx, Kind::Group, &g)?
                    )
                }
                (false, None) => "/spaces".to_owned(),
            };
            create(ctx, &path, json!({ "name": name })).map(|_| ())
        }
        Action::List { mine, effective } => {
            let path = match (mine, effective) {
                (false, _) => "/spaces",
                (true, false) => "/user/spaces",
                (true, true) => "/user/effective_spaces",
            };
            list(
                ctx,
                path,
                |id| format!("/spaces/{id}"),
                &[("NAME", "name"), ("CREATED", "creationTime")],
            )
        }
        Action::Show { id } => show(ctx, &format!("/spaces/{}", space(ctx, &id)?)),
        Action::Delete { id } => {
            let id = space(ctx, &id)?;
            delete(ctx, &format!("/spaces/{id}"), &format!("space {id}"))
        }
        Action::Rename { id, new_name } => super::rename(ctx, Kind::Space, &id, &new_name),
        Action::Invite { id, invitee } => super::invite(ctx, Kind::Space, &id, invitee),
        Action::Join(args) => super::join(ctx, Kind::Space, args),
        Action::Membership(m) => membership(ctx, Kind::Space, m),
    }
}

fn space(ctx: &Ctx, text: &str) -> Result<String, CliError> {
    resolve::entity_id(ctx, Kind::Space, text)
}
