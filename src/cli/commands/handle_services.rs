//! `privzone handle-services …`.

use clap::Subcommand;
use serde_json::{json, Map, Value};

use super::{create, delete, list, membership, show, Membership};
use crate::cli::entity::Kind;
use crate::cli::error::CliError;
use crate::cli::{resolve, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Register a handle service; prints its id. Needs oz_handle_services_create.
    Create {
        name: String,
        /// URL of the handle proxy.
        #[arg(long)]
        proxy_endpoint: String,
        /// A service property KEY=VALUE (repeatable), e.g. `--property prefix=21.T12345`.
        #[arg(long = "property", value_name = "KEY=VALUE", value_parser = property)]
        properties: Vec<(String, String)>,
        /// All service properties as one JSON object (merged with --property).
        #[arg(long, value_name = "JSON")]
        properties_json: Option<String>,
        /// Create it as the caller's (the caller gets every handle-service privilege).
        #[arg(long, conflicts_with = "group")]
        mine: bool,
        /// Create it for this group, id or name (needs group_create_handle_service there).
        #[arg(long)]
        group: Option<String>,
    },
    /// List all handle services (needs oz_handle_services_list), or the caller's with --mine.
    List {
        #[arg(long)]
        mine: bool,
        #[arg(long, requires = "mine")]
        effective: bool,
    },
    /// Show a handle service (id or name).
    Show { id: String },
    /// Delete a handle service (refused while handles are registered in it).
    Delete { id: String },
    /// Rename a handle service (needs handle_service_update).
    Rename { id: String, new_name: String },
    #[command(flatten)]
    Membership(Membership),
}

fn property(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            name,
            proxy_endpoint,
            properties,
            properties_json,
            mine,
            group,
        } => {
            let mut props = match properties_json {
                Some(text) => match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(m)) => m,
                    _ => {
                        return Err(CliError::Usage(
                            "--properties-json must be a JSON object".into(),
                        ))
                    }
                },
                None => Map::new(),
            };
            for (k, v) in properties {
                props.insert(k, json!(v));
            }
            let path = match (mine, group) {
                (true, _) => "/user/handle_services".to_owned(),
                (false, Some(g)) => format!(
                    "/groups/{}/handle_services",
                    resolve::entity_id(ctx, Kind::Group, &g)?
                ),
                (false, None) => "/handle_services".to_owned(),
            };
            let body = json!({
                "name": name,
                "proxyEndpoint": proxy_endpoint,
                "serviceProperties": props,
            });
            create(ctx, &path, body).map(|_| ())
        }
        Action::List { mine, effective } => {
            let path = match (mine, effective) {
                (false, _) => "/handle_services",
                (true, false) => "/user/handle_services",
                (true, true) => "/user/effective_handle_services",
            };
            list(
                ctx,
                path,
                |id| format!("/handle_services/{id}"),
                &[
                    ("NAME", "name"),
                    ("PROXY ENDPOINT", "proxyEndpoint"),
                    ("CREATED", "creationTime"),
                ],
            )
        }
        Action::Show { id } => show(
            ctx,
            &format!(
                "/handle_services/{}",
                resolve::entity_id(ctx, Kind::HandleService, &id)?
            ),
        ),
        Action::Delete { id } => {
            let id = resolve::entity_id(ctx, Kind::HandleService, &id)?;
            delete(
                ctx,
                &format!("/handle_services/{id}"),
                &format!("handle service {id}"),
            )
        }
        Action::Rename { id, new_name } => super::rename(ctx, Kind::HandleService, &id, &new_name),
        Action::Membership(m) => membership(ctx, Kind::HandleService, m),
    }
}
