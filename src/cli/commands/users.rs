//! `privzone users …` and `privzone whoami`. Users are named by id, by username, or `me`.

use clap::{ArgGroup, Subcommand};
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::{change, create, delete, list, show};
use crate::cli::error::CliError;
use crate::cli::secret::{self, NewPassword};
use crate::cli::{output, resolve, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Create a user (needs oz_users_create); prints its id. With --basic-auth,
    /// --new-password-stdin or --generate it gets a password for Basic auth.
    Create {
        username: String,
        /// The user's full name.
        #[arg(long)]
        full_name: Option<String>,
        /// Give the user a password, prompted for on a terminal.
        #[arg(long)]
        basic_auth: bool,
        #[command(flatten)]
        new_password: NewPassword,
        /// The new user's password on the command line (visible in ps; prefer the prompt or
        /// --new-password-stdin).
        #[arg(long, hide = true, conflicts_with_all = ["new_password_stdin", "generate"])]
        set_password: Option<String>,
    },
    /// List all users (needs oz_users_list).
    List,
    /// Show a user (id, username or `me`).
    Show {
        #[arg(value_name = "USER")]
        who: String,
    },
    /// Delete a user (needs oz_users_delete).
    Delete {
        #[arg(value_name = "USER")]
        who: String,
    },
    /// Change a user's username or full name (`me`: your own; others need oz_users_update).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)))]
    Rename {
        /// Id, username or `me`.
        #[arg(value_name = "USER")]
        who: String,
        /// The new username.
        #[arg(long, group = "change")]
        username: Option<String>,
        /// The new full name.
        #[arg(long, group = "change")]
        full_name: Option<String>,
    },
    /// Block a user: their credentials stop working (needs oz_users_update; not yourself).
    Block {
        #[arg(value_name = "USER")]
        who: String,
    },
    /// Unblock a user.
    Unblock {
        #[arg(value_name = "USER")]
        who: String,
    },
    /// Set (reset) a user's password without the old one (needs oz_users_manage_passwords; the
    /// user's Basic auth must be enabled: see enable-basic-auth).
    #[command(visible_alias = "reset-password")]
    SetPassword {
        #[arg(value_name = "USER")]
        who: String,
        #[command(flatten)]
        new_password: NewPassword,
    },
    /// Change your own password: asks for the current one and the new one (on a terminal), or
    /// reads both, one per line, from stdin with --stdin.
    ChangePassword {
        /// Read the current password (line 1) and the new one (line 2) from stdin.
        #[arg(long)]
        stdin: bool,
    },
    /// Let a user log in with a username and password (needs oz_users_manage_passwords); sets
    /// the password.
    EnableBasicAuth {
        #[arg(value_name = "USER")]
        who: String,
        #[command(flatten)]
        new_password: NewPassword,
    },
    /// Stop a user's Basic auth: the password is dropped.
    DisableBasicAuth {
        #[arg(value_name = "USER")]
        who: String,
    },
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Create {
            username,
            full_name,
            basic_auth,
            new_password,
            set_password,
        } => {
            let password = match set_password {
                Some(p) => Some((p, false)),
                None if basic_auth || new_password.new_password_stdin || new_password.generate => {
                    let o = new_password.obtain(&username)?;
                    Some((o.password, o.generated))
                }
                None => None,
            };
            let mut body = Map::new();
            body.insert("username".into(), json!(username));
            if let Some((p, _)) = &password {
                body.insert("password".into(), json!(p));
            }
            if let Some(f) = full_name {
                body.insert("fullName".into(), json!(f));
            }
            create(ctx, "/users", Value::Object(body))?;
            if let Some((p, true)) = password {
                // stdout is the id, for `ID=$(privzone users create …)`.
                eprintln!("password of {username} (shown only now): {p}");
            }
            Ok(())
        }
        Action::List => list(
            ctx,
            "/users",
            |id| format!("/users/{id}"),
            &[
                ("USERNAME", "username"),
                ("FULL NAME", "fullName"),
                ("BASIC AUTH", "basicAuthEnabled"),
                ("BLOCKED", "blocked"),
                ("CREATED", "creationTime"),
            ],
        ),
        Action::Show { who } if who == "me" => show(ctx, "/user"),
        Action::Show { who } => show(ctx, &format!("/users/{}", resolve::user(ctx, &who)?)),
        Action::Delete { who } => {
            let id = resolve::user(ctx, &who)?;
            delete(ctx, &format!("/users/{id}"), &format!("user {id}"))
        }
        Action::Rename {
            who,
            username,
            full_name,
        } => {
            let mut body = Map::new();
            if let Some(u) = username {
                body.insert("username".into(), json!(u));
            }
            if let Some(f) = full_name {
                body.insert("fullName".into(), json!(f));
            }
            let (path, who) = if who == "me" {
                ("/user".to_owned(), "you".to_owned())
            } else {
                let id = resolve::user(ctx, &who)?;
                (format!("/users/{id}"), format!("user {id}"))
            };
            change(
                ctx,
                Method::PATCH,
                &path,
                Some(Value::Object(body)),
                &format!("renamed {who}"),
            )
            .map(|_| ())
        }
        Action::Block { who } => set_blocked(ctx, &who, true),
        Action::Unblock { who } => set_blocked(ctx, &who, false),
        Action::SetPassword { who, new_password } => {
            basic_auth(ctx, &who, None, &new_password, "set the password of")
        }
        Action::EnableBasicAuth { who, new_password } => basic_auth(
            ctx,
            &who,
            Some(true),
            &new_password,
            "enabled Basic auth, with a new password, for",
        ),
        Action::DisableBasicAuth { who } => {
            let id = resolve::user(ctx, &who)?;
            change(
                ctx,
                Method::PATCH,
                &format!("/users/{id}/basic_auth"),
                Some(json!({ "basicAuthEnabled": false })),
                &format!("disabled Basic auth for user {id}"),
            )
            .map(|_| ())
        }
        Action::ChangePassword { stdin } => {
            let (old, new) = if stdin {
                let mut lines = secret::stdin_lines(2, "the current and the new password")?;
                let new = lines.pop().unwrap_or_default();
                (lines.pop().unwrap_or_default(), new)
            } else {
                let old = secret::prompt("Current password: ", "--stdin")?;
                (old, secret::prompt_new("you")?)
            };
            change(
                ctx,
                Method::PATCH,
                "/user/password",
                Some(json!({ "oldPassword": old, "newPassword": new })),
                "changed your password (credentials holding the old one stop working)",
            )
            .map(|_| ())
        }
    }
}

fn set_blocked(ctx: &Ctx, user: &str, blocked: bool) -> Result<(), CliError> {
    let id = resolve::user(ctx, user)?;
    let done = if blocked { "blocked" } else { "unblocked" };
    change(
        ctx,
        Method::PATCH,
        &format!("/users/{id}"),
        Some(json!({ "blocked": blocked })),
        &format!("{done} user {id}"),
    )
    .map(|_| ())
}

/// PATCH `/users/{id}/basic_auth` with a new password (and `basicAuthEnabled` if given).
fn basic_auth(
    ctx: &Ctx,
    user: &str,
    enable: Option<bool>,
    new_password: &NewPassword,
    done: &str,
) -> Result<(), CliError> {
    let id = resolve::user(ctx, user)?;
    let obtained = new_password.obtain(user)?;
    let mut body = json!({ "newPassword": obtained.password });
    if let Some(enabled) = enable {
        body["basicAuthEnabled"] = json!(enabled);
    }
    let path = format!("/users/{id}/basic_auth");
    ctx.client.send(Method::PATCH, &path, Some(body))?;
    if obtained.generated {
        // The generated password alone on stdout (`P=$(privzone users set-password … --generate)`).
        if ctx.json {
            output::json(&json!({ "userId": id, "password": obtained.password }));
        } else {
            eprintln!("{done} user {id}; the password (shown only now):");
            output::line(&obtained.password);
        }
    } else if !ctx.json {
        output::line(&format!("{done} user {id}"));
    }
    Ok(())
}

pub fn whoami(ctx: &Ctx) -> Result<(), CliError> {
    show(ctx, "/user")
}
