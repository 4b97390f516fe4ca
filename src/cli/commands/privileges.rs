//! `privzone privileges …`: a member's privileges in an entity, and oz (Onezone admin)
//! privileges. Changes use the current API's `PATCH {"grant","revoke"}`; `set` uses `PUT
//! {"privileges"}`, which replaces the whole list at once.

use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::{change, privilege_names};
use crate::cli::entity::{EntityRef, MemberRef, Subject};
use crate::cli::error::CliError;
use crate::cli::{output, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Direct privileges of MEMBER in ENTITY.
    Get {
        entity: EntityRef,
        member: MemberRef,
    },
    /// Effective privileges of MEMBER in ENTITY (through every group path).
    Effective {
        entity: EntityRef,
        member: MemberRef,
    },
    /// Grant privileges to a direct member (names may be comma-separated).
    Grant {
        entity: EntityRef,
        member: MemberRef,
        #[arg(required = true)]
        privileges: Vec<String>,
    },
    /// Revoke privileges of a direct member.
    Revoke {
        entity: EntityRef,
        member: MemberRef,
        #[arg(required = true)]
        privileges: Vec<String>,
    },
    /// Replace the direct privileges of a member (none given: no privileges).
    Set {
        entity: EntityRef,
        member: MemberRef,
        privileges: Vec<String>,
    },
    /// The privilege names of a kind: group, space, handle-service, handle or oz.
    Catalog { kind: String },
    /// Onezone admin (oz_*) privileges of `me`, `user:ID` or `group:ID`.
    #[command(subcommand)]
    Oz(Oz),
}

#[derive(Subcommand, Debug)]
pub enum Oz {
    /// Direct oz privileges.
    Get { subject: Subject },
    /// Effective oz privileges (own and through groups).
    Effective { subject: Subject },
    /// Grant oz privileges (needs oz_set_privileges).
    Grant {
        subject: Subject,
        #[arg(required = true)]
        privileges: Vec<String>,
    },
    /// Revoke oz privileges (needs oz_set_privileges).
    Revoke {
        subject: Subject,
        #[arg(required = true)]
        privileges: Vec<String>,
    },
    /// Replace the direct oz privileges.
    Set {
        subject: Subject,
        privileges: Vec<String>,
    },
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    match action {
        Action::Get { entity, member } => print_privileges(
            ctx,
            &format!("{}/privileges", member.path_in(&entity, false)),
        ),
        Action::Effective { entity, member } => print_privileges(
            ctx,
            &format!("{}/privileges", member.path_in(&entity, true)),
        ),
        Action::Grant {
            entity,
            member,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", member.path_in(&entity, false)),
            Update::Grant(privilege_names(&privileges)),
            &describe(&member, &entity),
        ),
        Action::Revoke {
            entity,
            member,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", member.path_in(&entity, false)),
            Update::Revoke(privilege_names(&privileges)),
            &describe(&member, &entity),
        ),
        Action::Set {
            entity,
            member,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", member.path_in(&entity, false)),
            Update::Set(privilege_names(&privileges)),
            &describe(&member, &entity),
        ),
        Action::Catalog { kind } => {
            let path = match kind.as_str() {
                "oz" => "/privileges".to_owned(),
                other => {
                    let entity: EntityRef = format!("{other}:x").parse().map_err(|_| {
                        CliError::Usage(format!(
                            "expected group, space, handle-service, handle or oz, got {other:?}"
                        ))
                    })?;
                    format!("/{}/privileges", entity.kind.path())
                }
            };
            let body = ctx.client.get(&path)?;
            if ctx.json {
                output::json(&body);
            } else {
                // Levels (`member`, `manager`, `admin`) are cumulative: each name is shown with
                // the smallest level that includes it.
                let mut levels: Vec<(String, Vec<String>)> = body
                    .as_object()
                    .map(|o| {
                        o.keys()
                            .map(|k| (k.clone(), output::strings(&body, k)))
                            .collect()
                    })
                    .unwrap_or_default();
                levels.sort_by_key(|(_, names)| names.len());
                let mut rows: Vec<Vec<String>> = Vec::new();
                for (level, names) in &levels {
                    for name in names {
                        if !rows.iter().any(|r| r[0] == *name) {
                            rows.push(vec![name.clone(), level.clone()]);
                        }
                    }
                }
                output::table(&["PRIVILEGE", "LEVEL"], &rows);
            }
            Ok(())
        }
        Action::Oz(oz) => run_oz(ctx, oz),
    }
}

fn run_oz(ctx: &Ctx, oz: Oz) -> Result<(), CliError> {
    let who = |s: &Subject| match s {
        Subject::Me => "you".to_owned(),
        Subject::Member(m) => m.to_string(),
    };
    match oz {
        Oz::Get { subject } => print_privileges(ctx, &format!("{}/privileges", subject.path())),
        Oz::Effective { subject } => {
            print_privileges(ctx, &format!("{}/effective_privileges", subject.path()))
        }
        Oz::Grant {
            subject,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", subject.path()),
            Update::Grant(privilege_names(&privileges)),
            &who(&subject),
        ),
        Oz::Revoke {
            subject,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", subject.path()),
            Update::Revoke(privilege_names(&privileges)),
            &who(&subject),
        ),
        Oz::Set {
            subject,
            privileges,
        } => update(
            ctx,
            &format!("{}/privileges", subject.path()),
            Update::Set(privilege_names(&privileges)),
            &who(&subject),
        ),
    }
}

fn describe(member: &MemberRef, entity: &EntityRef) -> String {
    format!("{member} in {} {}", entity.kind.name(), entity.id)
}

fn print_privileges(ctx: &Ctx, path: &str) -> Result<(), CliError> {
    let body = ctx.client.get(path)?;
    if ctx.json {
        output::json(&body);
    } else {
        output::lines(&output::strings(&body, "privileges"));
    }
    Ok(())
}

enum Update {
    Grant(Vec<String>),
    Revoke(Vec<String>),
    Set(Vec<String>),
}

fn update(ctx: &Ctx, path: &str, update: Update, whom: &str) -> Result<(), CliError> {
    let (method, body, done) = match &update {
        Update::Grant(p) => (
            Method::PATCH,
            json!({ "grant": p }),
            format!("granted {} to {whom}", p.join(", ")),
        ),
        Update::Revoke(p) => (
            Method::PATCH,
            json!({ "revoke": p }),
            format!("revoked {} from {whom}", p.join(", ")),
        ),
        Update::Set(p) => (
            Method::PUT,
            json!({ "privileges": p }),
            format!("set the privileges of {whom} to [{}]", p.join(", ")),
        ),
    };
    change(ctx, method, path, Some(body), &done).map(|_| ())
}
