//! `privzone tokens …`: named access tokens of the caller, or of any user (`--owner`, needs
//! oz_tokens_manage).

use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::{change, delete, list, show};
use crate::cli::entity::parse_id;
use crate::cli::error::CliError;
use crate::cli::{output, resolve, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create an access token; prints its id and the token (shown only this once).
    Create {
        name: String,
        /// User who owns the token, id or username (default: the caller).
        #[arg(long)]
        owner: Option<String>,
        /// Seconds until the token expires (a time caveat); by default it does not.
        #[arg(long)]
        valid_for: Option<u32>,
    },
    /// List tokens of the caller, or of --owner (id or username).
    List {
        #[arg(long)]
        owner: Option<String>,
    },
    /// Show a token.
    Show {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Revoke a token: it stops authenticating, and stays listed.
    Revoke {
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Delete a token.
    Delete {
        #[arg(value_parser = parse_id)]
        id: String,
    },
}

fn owner_path(ctx: &Ctx, owner: &Option<String>) -> Result<String, CliError> {
    Ok(match owner {
        Some(u) => format!("/users/{}/tokens/named", resolve::user(ctx, u)?),
        None => "/user/tokens/named".to_owned(),
    })
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            name,
            owner,
            valid_for,
        } => {
            let mut body = json!({ "name": name });
            if let Some(secs) = valid_for {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                body["caveats"] = json!([{"type": "time", "validUntil": now + u64::from(secs)}]);
            }
            let reply = ctx
                .client
                .send(Method::POST, &owner_path(ctx, &owner)?, Some(body))?;
            if ctx.json {
                output::json(&reply.body);
            } else {
                // The token alone on stdout, so `T=$(privzone tokens create x)` is the token;
                // its id (for revoke) goes to stderr.
                let field = |k: &str| reply.body[k].as_str().unwrap_or_default().to_owned();
                eprintln!("token id: {}", field("tokenId"));
                println!("{}", field("token"));
            }
            Ok(())
        }
        Action::List { owner } => list(
            ctx,
            &owner_path(ctx, &owner)?,
            |id| format!("/tokens/named/{id}"),
            &[
                ("NAME", "name"),
                ("REVOKED", "revoked"),
                ("CREATED", "/metadata/creationTime"),
                ("EXPIRES", "/caveats/0/validUntil"),
            ],
        ),
        Action::Show { id } => show(ctx, &format!("/tokens/named/{id}")),
        Action::Revoke { id } => change(
            ctx,
            Method::PATCH,
            &format!("/tokens/named/{id}"),
            Some(json!({ "revoked": true })),
            &format!("revoked token {id}"),
        )
        .map(|_| ()),
        Action::Delete { id } => {
            delete(ctx, &format!("/tokens/named/{id}"), &format!("token {id}"))
        }
    }
}
