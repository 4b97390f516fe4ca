//! `privzone handles …`.

use clap::Subcommand;
use serde_json::json;

use super::{create, delete, list, membership, show, Membership};
use crate::cli::entity::{parse_id, Kind};
use crate::cli::error::CliError;
use crate::cli::Ctx;

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Register a handle for a share; prints its id. Without --mine or --group it needs
    /// oz_handles_create.
    Create {
        /// Handle service that mints the identifier.
        #[arg(long, value_parser = parse_id)]
        handle_service: String,
        /// Share the handle points to.
        #[arg(long, value_parser = parse_id)]
        share: String,
        /// Metadata format.
        #[arg(long, default_value = "oai_dc")]
        metadata_prefix: String,
        /// Metadata XML.
        #[arg(
            long,
            conflicts_with = "metadata_file",
            required_unless_present = "metadata_file"
        )]
        metadata: Option<String>,
        /// File holding the metadata XML.
        #[arg(long, value_name = "FILE")]
        metadata_file: Option<std::path::PathBuf>,
        /// Create it as the caller's handle (needs space_manage_shares and
        /// handle_service_register_handle).
        #[arg(long, conflicts_with = "group")]
        mine: bool,
        /// Create it for this group.
        #[arg(long, value_parser = parse_id)]
        group: Option<String>,
    },
    /// List all handles (needs oz_handles_list), or the caller's with --mine.
    List {
        #[arg(long)]
        mine: bool,
        #[arg(long, requires = "mine")]
        effective: bool,
    },
    /// Show a handle.
    Show {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Delete a handle.
    Delete {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    #[command(flatten)]
    Membership(Membership),
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            handle_service,
            share,
            metadata_prefix,
            metadata,
            metadata_file,
            mine,
            group,
        } => {
            let metadata = match (metadata, metadata_file) {
                (Some(m), _) => m,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?,
                (None, None) => return Err(CliError::Usage("--metadata is required".into())),
            };
            let path = match (mine, group) {
                (true, _) => "/user/handles".to_owned(),
                (false, Some(g)) => format!("/groups/{g}/handles"),
                (false, None) => "/handles".to_owned(),
            };
            let body = json!({
                "handleServiceId": handle_service,
                "resourceType": "Share",
                "resourceId": share,
                "metadataPrefix": metadata_prefix,
                "metadata": metadata,
            });
            create(ctx, &path, body).map(|_| ())
        }
        Action::List { mine, effective } => {
            let path = match (mine, effective) {
                (false, _) => "/handles",
                (true, false) => "/user/handles",
                (true, true) => "/user/effective_handles",
            };
            list(
                ctx,
                path,
                |id| format!("/handles/{id}"),
                &[
                    ("PUBLIC HANDLE", "publicHandle"),
                    ("HANDLE SERVICE", "handleServiceId"),
                    ("CREATED", "creationTime"),
                ],
            )
        }
        Action::Show { id } => show(ctx, &format!("/handles/{id}")),
        Action::Delete { id } => delete(ctx, &format!("/handles/{id}"), &format!("handle {id}")),
        Action::Membership(m) => membership(ctx, Kind::Handle, m),
    }
}
