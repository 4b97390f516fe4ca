//! `privzone spaces …`.

use clap::Subcommand;
use serde_json::json;

use super::{create, delete, list, membership, show, Membership};
use crate::cli::entity::{parse_id, Kind};
use crate::cli::error::CliError;
use crate::cli::Ctx;

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create a space; prints its id. Without --mine or --group it needs oz_spaces_create.
    Create {
        name: String,
        /// Create it as the caller's space (the caller becomes its owner).
        #[arg(long, conflicts_with = "group")]
        mine: bool,
        /// Create it for this group (needs group_add_space there).
        #[arg(long, value_parser = parse_id)]
        group: Option<String>,
    },
    /// List all spaces (needs oz_spaces_list), or the caller's with --mine.
    List {
        #[arg(long)]
        mine: bool,
        #[arg(long, requires = "mine")]
        effective: bool,
    },
    /// Show a space.
    Show {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Delete a space.
    Delete {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    #[command(flatten)]
    Membership(Membership),
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create { name, mine, group } => {
            let path = match (mine, group) {
                (true, _) => "/user/spaces".to_owned(),
                (false, Some(g)) => format!("/groups/{g}/spaces"),
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
            list(ctx, path, |id| format!("/spaces/{id}"), &[("NAME", "name")])
        }
        Action::Show { id } => show(ctx, &format!("/spaces/{id}")),
        Action::Delete { id } => delete(ctx, &format!("/spaces/{id}"), &format!("space {id}")),
        Action::Membership(m) => membership(ctx, Kind::Space, m),
    }
}
