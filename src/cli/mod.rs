//! The operator's command line: subcommands of `privzone` that talk to a running server over its
//! REST API (never to its database). See docs/operations.md, "Command line".

mod client;
mod commands;
mod entity;
mod error;
mod output;
mod resolve;
mod secret;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use client::Client;
use error::CliError;
use settings::Settings;

/// Server and credentials, accepted after any client subcommand (shown apart, under
/// "Connection", from the options of the command itself).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct Remote {
    /// Server URL (`/api/v3/onezone` is added). [default: http://127.0.0.1:8080]
    #[arg(long, env = "PRIVZONE_URL", global = true, value_name = "URL")]
    url: Option<String>,
    /// Access token (sent as X-Auth-Token).
    #[arg(long, env = "PRIVZONE_TOKEN", global = true, hide_env_values = true)]
    token: Option<String>,
    /// Your username, to log in with HTTP Basic authentication (with --password).
    #[arg(long, env = "PRIVZONE_USER", global = true, value_name = "USERNAME")]
    user: Option<String>,
    /// Your password, to log in as --user (never a password being set: those are prompted for
    /// or read with --new-password-stdin). Prefer PRIVZONE_PASSWORD or the config file (argv
    /// is visible in ps); on a terminal it is asked for when missing.
    #[arg(long, env = "PRIVZONE_PASSWORD", global = true, hide_env_values = true)]
    password: Option<String>,
    /// PEM file of CA certificates to trust for https:// (besides the system's).
    #[arg(long, env = "PRIVZONE_CA_CERT", global = true, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
    /// Config file [default: ~/.config/privzone/cli.toml].
    #[arg(long, env = "PRIVZONE_CLI_CONFIG", global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the server's JSON instead of tables.
    #[arg(long, global = true, help_heading = "Output")]
    json: bool,
}

/// A client subcommand with its connection options.
#[derive(Args, Debug)]
pub struct On<A: Subcommand> {
    #[command(flatten)]
    remote: Remote,
    #[command(subcommand)]
    action: A,
}

/// The client subcommands.
#[derive(Subcommand, Debug)]
pub enum RemoteCommand {
    /// Users: create, list, show, rename, block, passwords, Basic auth, delete.
    Users(On<commands::users::Action>),
    /// Groups: create, list, show, rename, delete, members, nesting, invites, join.
    Groups(On<commands::groups::Action>),
    /// Spaces: create, list, show, rename, delete, members, invites, join.
    Spaces(On<commands::spaces::Action>),
    /// Handle services: create, list, show, rename, delete, members.
    HandleServices(On<commands::handle_services::Action>),
    /// Handles: create, list, show, delete, members.
    Handles(On<commands::handles::Action>),
    /// Privileges of a user or group in a group, space, handle service or handle; oz privileges.
    Privileges(On<commands::privileges::Action>),
    /// Named access tokens: create, list, show, revoke, delete.
    Tokens(On<commands::tokens::Action>),
    /// The authenticated user (checks the URL and credentials).
    Whoami(WhoamiArgs),
}

#[derive(Args, Debug)]
pub struct WhoamiArgs {
    #[command(flatten)]
    remote: Remote,
}

/// What every command gets: the client and the output style.
pub struct Ctx {
    pub client: Client,
    pub json: bool,
}

/// Runs one client subcommand; the error is printed on stderr and becomes the exit code.
pub fn run(command: RemoteCommand) -> ExitCode {
    match dispatch(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("privzone: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn connect(remote: &Remote) -> Result<Ctx, CliError> {
    let settings = Settings::resolve(remote)?;
    Ok(Ctx {
        client: Client::new(&settings)?,
        json: settings.json,
    })
}

fn dispatch(command: RemoteCommand) -> Result<(), CliError> {
    match command {
        RemoteCommand::Users(c) => commands::users::run(&connect(&c.remote)?, c.action),
        RemoteCommand::Groups(c) => commands::groups::run(&connect(&c.remote)?, c.action),
        RemoteCommand::Spaces(c) => commands::spaces::run(&connect(&c.remote)?, c.action),
        RemoteCommand::HandleServices(c) => {
            commands::handle_services::run(&connect(&c.remote)?, c.action)
        }
        RemoteCommand::Handles(c) => commands::handles::run(&connect(&c.remote)?, c.action),
        RemoteCommand::Privileges(c) => commands::privileges::run(&connect(&c.remote)?, c.action),
        RemoteCommand::Tokens(c) => commands::tokens::run(&connect(&c.remote)?, c.action),
        RemoteCommand::Whoami(c) => commands::users::whoami(&connect(&c.remote)?),
    }
}
