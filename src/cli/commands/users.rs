//! `privzone users …` and `privzone whoami`.

use std::io::BufRead;

use clap::Subcommand;
use serde_json::{json, Map, Value};

use super::{create, delete, list, show};
use crate::cli::entity::parse_id;
use crate::cli::error::CliError;
use crate::cli::Ctx;

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create a user (needs oz_users_create); prints its id.
    Create {
        username: String,
        #[arg(long)]
        full_name: Option<String>,
        /// Password for HTTP Basic login (visible in ps: prefer --set-password-stdin).
        #[arg(long, conflicts_with = "set_password_stdin")]
        set_password: Option<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        set_password_stdin: bool,
    },
    /// List all users (needs oz_users_list).
    List,
    /// Show a user (`me` for the caller).
    Show { id: String },
    /// Delete a user (needs oz_users_delete).
    Delete {
        #[arg(value_parser = parse_id)]
        id: String,
    },
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            username,
            full_name,
            set_password,
            set_password_stdin,
        } => {
            let password = if set_password_stdin {
                Some(read_password()?)
            } else {
                set_password
            };
            let mut body = Map::new();
            body.insert("username".into(), json!(username));
            if let Some(p) = password {
                body.insert("password".into(), json!(p));
            }
            if let Some(f) = full_name {
                body.insert("fullName".into(), json!(f));
            }
            create(ctx, "/users", Value::Object(body)).map(|_| ())
        }
        Action::List => list(
            ctx,
            "/users",
            |id| format!("/users/{id}"),
            &[("USERNAME", "username"), ("FULL NAME", "fullName")],
        ),
        Action::Show { id } if id == "me" => show(ctx, "/user"),
        Action::Show { id } => show(
            ctx,
            &format!("/users/{}", parse_id(&id).map_err(CliError::Usage)?),
        ),
        Action::Delete { id } => delete(ctx, &format!("/users/{id}"), &format!("user {id}")),
    }
}

pub fn whoami(ctx: &Ctx) -> Result<(), CliError> {
    show(ctx, "/user")
}

fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage("the password on stdin is empty".into()));
    }
    Ok(password)
}
