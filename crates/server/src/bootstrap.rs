//! Idempotent bootstrap on every start (DESIGN.md): the protected group `admins` holds every oz
//! privilege; the admin user exists, can log in with Basic auth and is a direct member of
//! `admins`.
//!
//! The admin's password is set only when the admin gets one for the first time (it is created,
//! or has none): `PRIVZONE_ADMIN_PASSWORD` if configured, else a generated one, printed once on
//! stderr and written (mode 0600) to `<data-dir>/initial-admin-password`. Later starts never
//! touch it, so a password changed through the API stays changed; a configured value that
//! differs is ignored with a warning. [`reset_password`] (`privzone admin reset-password`) is
//! the way back in.

use std::io::Write;
use std::path::Path;

use privzone_model::catalog::{GroupPrivileges, OzPrivileges};
use privzone_model::change::{Change, GroupType};
use privzone_model::{Error, Member, Privileges, Target};
use rand::Rng;

use crate::app::App;
use crate::auth::{hash_password, new_id};
use crate::config::{Config, Secret};
use crate::writer::Actor;

pub const ADMINS_GROUP: &str = "admins";

/// Name of the file holding the generated password of a first start.
pub const PASSWORD_FILE: &str = "initial-admin-password";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("bootstrap failed: {0}")]
    Write(Error),
    #[error("cannot write {path}: {reason}")]
    PasswordFile {
        path: String,
        reason: std::io::Error,
    },
    #[error("{0}")]
    Refused(String),
}

/// A new admin password: four groups of five lowercase letters and digits joined by `-`
/// (about 103 bits from the OS's random source). It cannot be mistaken for a token, which
/// starts with `pz1`, and reads aloud or types well.
pub fn generated_password() -> Secret {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect()
        })
        .collect();
    Secret::new(groups.join("-"))
}

/// Whether `password` is one Onezone accepts: at least 8 characters, no colon, no whitespace.
pub fn acceptable_password(password: &str) -> bool {
    password.chars().count() >= 8 && !password.chars().any(|c| c == ':' || c.is_whitespace())
}

pub async fn run(app: &App, config: &Config) -> Result<(), BootstrapError> {
    let username = config.admin_username.clone();
    // The admin's current password hash, if the admin exists and has one.
    let current: Option<String> = {
        let state = app.read();
        state
            .user_by_username(&username)
            .and_then(|u| state.users.get(u))
            .and_then(|u| u.password.as_ref().map(|h| h.0.clone()))
    };
    let (password, generated) = match (&current, &config.admin_password) {
        (Some(_), _) => (None, false),
        (None, Some(p)) => (Some(p.clone()), false),
        (None, None) => (Some(generated_password()), true),
    };
    if let (Some(hash), Some(configured)) = (current, &config.admin_password) {
        let configured = configured.expose().to_owned();
        let same = tokio::task::spawn_blocking(move || {
            crate::auth::verify_password_blocking(&configured, &hash)
        })
        .await
        .unwrap_or(false);
        if !same {
            tracing::warn!(
                user = %username,
                "PRIVZONE_ADMIN_PASSWORD differs from the admin's password, which was set \
                 before (and may have been changed through the API): ignored. To set it, stop \
                 privzone and run `privzone admin reset-password`"
            );
        }
    }
    let hash = match &password {
        Some(p) => Some(
            hash_password(p.expose().to_owned())
                .await
                .map_err(BootstrapError::Write)?,
        ),
        None => None,
    };
    let user_id = new_id();
    let (password_set, _) = app
        .write(Actor::default(), move |tx| {
            let now = tx.now();
            let state = tx.state();
            let group_exists = state.groups.find(ADMINS_GROUP).is_some();
            let user = state
                .user_by_username(&username)
                .and_then(|u| state.users.get(u))
                .map(|u| (u.id.clone(), u.password.is_some()));
            if !group_exists {
                tx.apply(Change::CreateGroup {
                    group: ADMINS_GROUP.into(),
                    name: "Admins".into(),
                    group_type: GroupType::RoleHolders,
                    creator: None,
                    time: now,
                    protected: true,
                })?;
            }
            let all = OzPrivileges::all();
            let group_oz = tx
                .state()
                .groups
                .by_id(ADMINS_GROUP)
                .map(|(_, g)| g.oz)
                .unwrap_or_default();
            if group_oz != all {
                tx.apply(Change::SetOzPrivileges {
                    subject: Member::Group(ADMINS_GROUP.into()),
                    privileges: all,
                })?;
            }
            let (user_id, has_password) = match user {
                Some(found) => found,
                None => {
                    tx.apply(Change::CreateUser {
                        user: user_id.clone(),
                        username: Some(username.clone()),
                        full_name: "Admin".into(),
                        time: now,
                    })?;
                    (user_id, false)
                }
            };
            // Another node (same database) may have set it since we looked: theirs stays.
            let password_set = match hash {
                Some(hash) if !has_password => {
                    tx.apply(Change::SetPassword {
                        user: user_id.clone(),
                        hash: Some(hash),
                    })?;
                    true
                }
                _ => false,
            };
            let state = tx.state();
            let member = state
                .users
                .find(&user_id)
                .zip(state.groups.find(ADMINS_GROUP))
                .is_some_and(|(u, g)| {
                    state
                        .groups
                        .get(g)
                        .is_some_and(|g| g.users.contains_key(&u))
                });
            if !member {
                tx.apply(Change::AddMember {
                    target: Target::Group(ADMINS_GROUP.into()),
                    member: Member::User(user_id),
                    privileges: Privileges::Group(GroupPrivileges::all()),
                })?;
            }
            Ok(password_set)
        })
        .await
        .map_err(BootstrapError::Write)?;
    if let (true, true, Some(p)) = (password_set, generated, password) {
        let file = config.data_dir.join(PASSWORD_FILE);
        write_password_file(&config.data_dir, p.expose())?;
        eprintln!(
            "privzone: generated password for admin user {:?}: {}\nprivzone: (also written to {})",
            config.admin_username,
            p.expose(),
            file.display()
        );
    }
    Ok(())
}

/// `privzone admin reset-password`: sets the admin user's password in the store, appended to
/// the change log like any change. `password` or a generated one (which the caller shows).
pub async fn reset_password(
    app: &App,
    config: &Config,
    password: Option<Secret>,
) -> Result<Secret, BootstrapError> {
    let password = match password {
        Some(p) if acceptable_password(p.expose()) => p,
        Some(_) => {
            return Err(BootstrapError::Refused(
                "the password must be at least 8 characters long, without colons or whitespace"
                    .into(),
            ))
        }
        None => generated_password(),
    };
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(BootstrapError::Write)?;
    let username = config.admin_username.clone();
    let missing = format!(
        "there is no user {username:?} in this store (start privzone once to create it, or \
         give --admin-username)"
    );
    let found = app
        .write(Actor::default(), move |tx| {
            let state = tx.state();
            let Some(user) = state
                .user_by_username(&username)
                .and_then(|u| state.users.get(u))
                .map(|u| u.id.clone())
            else {
                return Ok(false);
            };
            tx.apply(Change::SetPassword {
                user,
                hash: Some(hash),
            })?;
            Ok(true)
        })
        .await
        .map_err(BootstrapError::Write)?
        .0;
    if !found {
        return Err(BootstrapError::Refused(missing));
    }
    // The first start's generated password no longer works: its file would only mislead.
    let file = config.data_dir.join(PASSWORD_FILE);
    match std::fs::remove_file(&file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %file.display(), error = %e, "cannot remove the stale password file")
        }
        _ => {}
    }
    Ok(password)
}

fn write_password_file(dir: &Path, password: &str) -> Result<(), BootstrapError> {
    let path = dir.join(PASSWORD_FILE);
    let err = |reason| BootstrapError::PasswordFile {
        path: path.display().to_string(),
        reason,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(err)?;
    writeln!(file, "{password}").map_err(err)?;
    file.sync_all().map_err(err)?;
    Ok(())
}
