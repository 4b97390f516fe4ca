//! Idempotent bootstrap on every start (DESIGN.md): the protected group `admins` holds every oz
//! privilege; the admin user exists, can log in with Basic auth and is a direct member of
//! `admins`. Without a configured password, the first start generates one, prints it once on
//! stderr and writes it (mode 0600) to `<data-dir>/initial-admin-password`.

use std::io::Write;
use std::path::Path;

use privzone_model::catalog::{GroupPrivileges, OzPrivileges};
use privzone_model::change::{Change, GroupType};
use privzone_model::{Error, Member, Privileges, Target};

use crate::app::App;
use crate::auth::{hash_password, new_id, new_token_secret};
use crate::config::{Config, Secret};
use crate::writer::Actor;

pub const ADMINS_GROUP: &str = "admins";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("bootstrap failed: {0}")]
    Write(Error),
    #[error("cannot write {path}: {source}")]
    PasswordFile {
        path: String,
        source: std::io::Error,
    },
}

pub async fn run(app: &App, config: &Config) -> Result<(), BootstrapError> {
    let username = config.admin_username.clone();
    let (needs_password, password_matches) = {
        let state = app.read();
        match state
            .user_by_username(&username)
            .and_then(|u| state.users.get(u))
        {
            Some(user) => {
                let matches = match (&config.admin_password, &user.password) {
                    (Some(p), Some(h)) => crate::auth::verify_password_blocking(p.expose(), &h.0),
                    _ => false,
                };
                (user.password.is_none(), matches)
            }
            None => (true, false),
        }
    };
    // A configured password always wins; a generated one only on first start.
    let (password, generated) = match &config.admin_password {
        Some(p) if !password_matches => (Some(p.clone()), false),
        Some(_) => (None, false),
        None if needs_password => (Some(Secret::new(new_token_secret())), true),
        None => (None, false),
    };
    let hash = match &password {
        Some(p) => Some(
            hash_password(p.expose().to_owned())
                .await
                .map_err(BootstrapError::Write)?,
        ),
        None => None,
    };
    let user_id = new_id();
    app.write(Actor::default(), move |tx| {
        let now = tx.now();
        let state = tx.state();
        let group_exists = state.groups.find(ADMINS_GROUP).is_some();
        let user = state
            .user_by_username(&username)
            .and_then(|u| state.users.get(u))
            .map(|u| u.id.clone());
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
        let user_id = match user {
            Some(id) => id,
            None => {
                tx.apply(Change::CreateUser {
                    user: user_id.clone(),
                    username: Some(username.clone()),
                    full_name: "Admin".into(),
                    time: now,
                })?;
                user_id
            }
        };
        if let Some(hash) = hash {
            tx.apply(Change::SetPassword {
                user: user_id.clone(),
                hash: Some(hash),
            })?;
        }
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
        Ok(())
    })
    .await
    .map_err(BootstrapError::Write)?;
    let file = config.data_dir.join("initial-admin-password");
    if !generated && password.is_some() {
        // A configured password replaced the generated one: its file would only mislead.
        match std::fs::remove_file(&file) {
            Ok(()) => eprintln!(
                "privzone: removed {} (the configured admin password replaced it)",
                file.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %file.display(), error = %e, "cannot remove the stale password file")
            }
        }
    }
    if let (true, Some(p)) = (generated, password) {
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

fn write_password_file(dir: &Path, password: &str) -> Result<(), BootstrapError> {
    let path = dir.join("initial-admin-password");
    let err = |source| BootstrapError::PasswordFile {
        path: path.display().to_string(),
        source,
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
