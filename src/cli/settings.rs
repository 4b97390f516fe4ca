//! Where the CLI finds its server and credentials: flags, then `PRIVZONE_*` environment variables
//! (clap merges those two), then the config file (`PRIVZONE_CLI_CONFIG`, else
//! `$XDG_CONFIG_HOME/privzone/cli.toml`, else `~/.config/privzone/cli.toml`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::CliError;
use super::Remote;

pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// How requests authenticate.
#[derive(Clone)]
pub enum Credentials {
    Nobody,
    /// Sent as `X-Auth-Token`.
    Token(String),
    /// HTTP Basic.
    Basic {
        user: String,
        password: String,
    },
}

/// Everything a command needs to reach the server.
pub struct Settings {
    pub url: String,
    pub credentials: Credentials,
    pub ca_cert: Option<PathBuf>,
    pub json: bool,
}

/// The config file: `key = "value"` lines (TOML).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    url: Option<String>,
    token: Option<String>,
    user: Option<String>,
    password: Option<String>,
    ca_cert: Option<PathBuf>,
}

impl Settings {
    pub fn resolve(remote: &Remote) -> Result<Settings, CliError> {
        let file = match &remote.config {
            // A file asked for by name must exist.
            Some(path) => read_config(path)?,
            None => match default_config_path() {
                Some(path) if path.is_file() => read_config(&path)?,
                _ => ConfigFile::default(),
            },
        };
        let credentials = credentials(remote, &file)?;
        let url = nonempty(&remote.url)
            .or(nonempty(&file.url))
            .unwrap_or_else(|| DEFAULT_URL.to_owned());
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::Usage(format!(
                "--url must start with http:// or https://, got {url:?}"
            )));
        }
        Ok(Settings {
            url,
            credentials,
            ca_cert: remote.ca_cert.clone().or(file.ca_cert),
            json: remote.json,
        })
    }
}

fn nonempty(value: &Option<String>) -> Option<String> {
    value.as_ref().filter(|v| !v.is_empty()).cloned()
}

/// Whether a value clap merged from flag and environment came from the environment variable.
/// (Equal values from both are the same credential either way.)
fn from_env(value: &Option<String>, var: &str) -> bool {
    value.is_some() && std::env::var(var).ok() == *value
}

/// Credentials are taken as a whole from the first place that has any: flags, then the
/// environment, then the config file. So `--user` on the command line is never overridden by an
/// exported `PRIVZONE_TOKEN`, nor paired with the file's token. A user's password may come from
/// a later place (`PRIVZONE_PASSWORD`, or the file when it names the same user), so it need not be
/// typed on the command line.
fn credentials(remote: &Remote, file: &ConfigFile) -> Result<Credentials, CliError> {
    let credentials = credentials_unchecked(remote, file)?;
    // `--password` typed on the command line is always the caller's own: one that logs nobody
    // in was meant as something else (a new user's password, say), and would be ignored.
    let password_flag =
        nonempty(&remote.password).filter(|_| !from_env(&remote.password, "PRIVZONE_PASSWORD"));
    if password_flag.is_some() && matches!(credentials, Credentials::Token(_)) {
        return Err(CliError::Usage(
            "--password is your own password, to log in with --user, but you log in with a \
             token here; a password being set (a new user's, a changed one) is prompted for or \
             read with --new-password-stdin"
                .into(),
        ));
    }
    Ok(credentials)
}

fn credentials_unchecked(remote: &Remote, file: &ConfigFile) -> Result<Credentials, CliError> {
    let password = nonempty(&remote.password);
    let token = nonempty(&remote.token);
    let user = nonempty(&remote.user);
    let (token_from_env, user_from_env) = (
        from_env(&token, "PRIVZONE_TOKEN"),
        from_env(&user, "PRIVZONE_USER"),
    );
    // Flags first, then the environment: within each, a token before a user.
    let order = [
        (token.as_ref().filter(|_| !token_from_env), None),
        (None, user.as_ref().filter(|_| !user_from_env)),
        (token.as_ref().filter(|_| token_from_env), None),
        (None, user.as_ref().filter(|_| user_from_env)),
    ];
    for (token, user) in order {
        if let Some(token) = token {
            return Ok(Credentials::Token(token.clone()));
        }
        if let Some(user) = user {
            let from_file = match &file.user {
                Some(u) if u != user => None,
                _ => nonempty(&file.password),
            };
            let password = match password.clone().or(from_file) {
                Some(p) => p,
                None => ask_password(
                    user,
                    format!("no password for user {user:?}: give --password or PRIVZONE_PASSWORD"),
                )?,
            };
            return Ok(Credentials::Basic {
                user: user.clone(),
                password,
            });
        }
    }
    if let Some(token) = nonempty(&file.token) {
        return Ok(Credentials::Token(token));
    }
    if let Some(user) = nonempty(&file.user) {
        let password = match password.or(nonempty(&file.password)) {
            Some(p) => p,
            None => ask_password(
                &user,
                format!(
                    "no password for user {user:?} of the config file: add `password = \"…\"` or set PRIVZONE_PASSWORD"
                ),
            )?,
        };
        return Ok(Credentials::Basic { user, password });
    }
    if password.is_some() {
        return Err(CliError::Usage(
            "--password / PRIVZONE_PASSWORD needs --user / PRIVZONE_USER".into(),
        ));
    }
    Ok(Credentials::Nobody)
}

/// The caller's password, asked for on a terminal; elsewhere (a script, a pipe) `missing` is
/// the error, so that nothing waits for input that will not come.
fn ask_password(user: &str, missing: String) -> Result<String, CliError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "{missing} (stdin is not a terminal, so it is not asked for)"
        )));
    }
    super::secret::prompt(&format!("Password for {user}: "), "PRIVZONE_PASSWORD")
}

fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("privzone").join("cli.toml"))
}

fn read_config(path: &Path) -> Result<ConfigFile, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the config file {}: {e}",
            path.display()
        ))
    })?;
    warn_if_readable_by_others(path);
    toml::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "the config file {} is not valid: {}",
            path.display(),
            e.message()
        ))
    })
}

/// The file may hold a password or token.
#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "privzone: warning: {} is readable by other users; run `chmod 600` on it",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
