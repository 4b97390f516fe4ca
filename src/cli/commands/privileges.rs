//! `privzone privileges …`: a member's privileges in an entity, and oz (Onezone admin)
//! privileges. Changes use the current API's `PATCH {"grant","revoke"}`; `set` uses `PUT
//! {"privileges"}`, which replaces the whole list at once.

use clap::Subcommand;
use reqwest::Method;
use serde_json::json;

use super::{change, privilege_names};
use crate::cli::entity::{EntityRef, Kind, MemberRef, Subject};
use crate::cli::error::{exit, CliError};
use crate::cli::{output, resolve, Ctx};

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Direct privileges of MEMBER in ENTITY. ENTITY is `group:ID|NAME`, `space:ID|NAME`,
    /// `handle-service:ID|NAME` or `handle:ID`; MEMBER `user:ID|USERNAME` or `group:ID|NAME`.
    Get {
        entity: EntityRef,
        member: MemberRef,
    },
    /// How MEMBER belongs to ENTITY: directly, and/or through which of ENTITY's member groups.
    Membership {
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
    /// Replace the direct privileges of a member (`--none` to remove them all).
    Set {
        entity: EntityRef,
        member: MemberRef,
        privileges: Vec<String>,
        /// Leave the member with no privileges (a member all the same).
        #[arg(long, conflicts_with = "privileges")]
        none: bool,
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
    /// Replace the direct oz privileges (`--none` to remove them all).
    Set {
        subject: Subject,
        privileges: Vec<String>,
        /// Leave the subject with no direct oz privileges.
        #[arg(long, conflicts_with = "privileges")]
        none: bool,
    },
}

pub fn run(ctx: &Ctx, action: Action) -> Result<(), CliError> {
    let resolved = |entity: &EntityRef, member: &MemberRef| {
        Ok::<_, CliError>((resolve::entity(ctx, entity)?, resolve::member(ctx, member)?))
    };
    match action {
        Action::Get { entity, member } => {
            let (entity, member) = resolved(&entity, &member)?;
            let path = format!("{}/privileges", member.path_in(&entity, false));
            match ctx.client.get(&path) {
                Ok(body) => {
                    print_list(ctx, &body);
                    Ok(())
                }
                Err(e @ CliError::Api { status: 404, .. }) => {
                    Err(not_direct(ctx, &entity, &member).unwrap_or(e))
                }
                Err(e) => Err(e),
            }
        }
        Action::Membership { entity, member } => {
            let (entity, member) = resolved(&entity, &member)?;
            let body = ctx.client.get(&membership_path(&entity, &member))?;
            if ctx.json {
                output::json(&body);
                return Ok(());
            }
            let mut rows = Vec::new();
            for hop in body["intermediaries"].as_array().into_iter().flatten() {
                let id = hop["id"].as_str().unwrap_or("-");
                if id == "self" {
                    rows.push(vec!["direct".to_owned(), "-".to_owned(), "-".to_owned()]);
                } else {
                    let name = ctx
                        .client
                        .get(&format!("/groups/{id}"))
                        .map(|g| output::cell(&g["name"]))
                        .unwrap_or_else(|_| "-".to_owned());
                    rows.push(vec!["via group".to_owned(), id.to_owned(), name]);
                }
            }
            output::table(&["HOW", "GROUP", "NAME"], &rows);
            Ok(())
        }
        Action::Effective { entity, member } => {
            let (entity, member) = resolved(&entity, &member)?;
            print_privileges(
                ctx,
                &format!("{}/privileges", member.path_in(&entity, true)),
            )
        }
        Action::Grant {
            entity,
            member,
            privileges,
        } => {
            let (entity, member) = resolved(&entity, &member)?;
            update(
                ctx,
                &format!("{}/privileges", member.path_in(&entity, false)),
                Update::Grant(privilege_names(&privileges)),
                &describe(&member, &entity),
            )
        }
        Action::Revoke {
            entity,
            member,
            privileges,
        } => {
            let (entity, member) = resolved(&entity, &member)?;
            update(
                ctx,
                &format!("{}/privileges", member.path_in(&entity, false)),
                Update::Revoke(privilege_names(&privileges)),
                &describe(&member, &entity),
            )
        }
        Action::Set {
            entity,
            member,
            privileges,
            none,
        } => {
            let names = set_names(&privileges, none)?;
            let (entity, member) = resolved(&entity, &member)?;
            update(
                ctx,
                &format!("{}/privileges", member.path_in(&entity, false)),
                Update::Set(names),
                &describe(&member, &entity),
            )
        }
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
    let oz = match oz {
        Oz::Get { subject } => Oz::Get {
            subject: resolve::subject(ctx, &subject)?,
        },
        Oz::Effective { subject } => Oz::Effective {
            subject: resolve::subject(ctx, &subject)?,
        },
        Oz::Grant {
            subject,
            privileges,
        } => Oz::Grant {
            subject: resolve::subject(ctx, &subject)?,
            privileges,
        },
        Oz::Revoke {
            subject,
            privileges,
        } => Oz::Revoke {
            subject: resolve::subject(ctx, &subject)?,
            privileges,
        },
        Oz::Set {
            subject,
            privileges,
            none,
        } => {
            let privileges = set_names(&privileges, none)?;
            Oz::Set {
                subject: resolve::subject(ctx, &subject)?,
                privileges,
                none,
            }
        }
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
            ..
        } => update(
            ctx,
            &format!("{}/privileges", subject.path()),
            Update::Set(privileges),
            &who(&subject),
        ),
    }
}

fn describe(member: &MemberRef, entity: &EntityRef) -> String {
    format!("{member} in {} {}", entity.kind.name(), entity.id)
}

fn print_privileges(ctx: &Ctx, path: &str) -> Result<(), CliError> {
    let body = ctx.client.get(path)?;
    print_list(ctx, &body);
    Ok(())
}

fn print_list(ctx: &Ctx, body: &serde_json::Value) {
    if ctx.json {
        output::json(body);
    } else {
        output::lines(&output::strings(body, "privileges"));
    }
}

/// The names `set` replaces the list with: some, or none with `--none` only (an empty `set`
/// by mistake would strip a member of everything).
fn set_names(privileges: &[String], none: bool) -> Result<Vec<String>, CliError> {
    let names = privilege_names(privileges);
    match (names.is_empty(), none) {
        (false, false) | (true, true) => Ok(names),
        (true, false) => Err(CliError::Usage(
            "no privileges given: name the privileges to set, or give --none to leave the \
             member with none"
                .into(),
        )),
        (false, true) => Err(CliError::Usage(
            "--none cannot be given with privilege names".into(),
        )),
    }
}

/// `…/effective_{users|groups|children}/{id}/membership`.
fn membership_path(entity: &EntityRef, member: &MemberRef) -> String {
    format!("{}/membership", member.path_in(entity, true))
}

/// The error of `get` for a member that is not a direct one but belongs through groups: it says
/// so and where to look. `None` if it is no member at all (the 404 stands).
fn not_direct(ctx: &Ctx, entity: &EntityRef, member: &MemberRef) -> Option<CliError> {
    ctx.client.get(&member.path_in(entity, true)).ok()?;
    let via: Vec<String> = ctx
        .client
        .get(&membership_path(entity, member))
        .ok()
        .map(|body| {
            body["intermediaries"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|hop| hop["id"].as_str())
                .filter(|id| *id != "self")
                .map(|id| format!("group {id}"))
                .collect()
        })
        .unwrap_or_default();
    let kind = match entity.kind {
        Kind::HandleService => "handle-service",
        other => other.name(),
    };
    let member_arg = match member {
        MemberRef::User(id) => format!("user:{id}"),
        MemberRef::Group(id) => format!("group:{id}"),
    };
    let through = if via.is_empty() {
        String::new()
    } else {
        format!(" (through {})", via.join(", "))
    };
    Some(CliError::Lookup {
        code: exit::NOT_FOUND,
        message: format!(
            "{member} is not a direct member of {} {}, so it has no direct privileges there: it \
             is a member only through groups{through}.\n  \
             its effective privileges: privzone privileges effective {kind}:{} {member_arg}\n  \
             how it belongs:           privzone privileges membership {kind}:{} {member_arg}  \
             (GET {})",
            entity.kind.name(),
            entity.id,
            entity.id,
            entity.id,
            membership_path(entity, member),
        ),
    })
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
