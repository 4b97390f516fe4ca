//! Passwords and invite tokens a command needs and does not take on its command line (where `ps`
//! would show them): read from stdin, prompted for on a terminal without echo, or generated.
//! Never prompted for when stdin is not a terminal: a script gets a clear error instead of a hang.

use std::io::{BufRead, IsTerminal, Read};

use clap::Args;

use super::error::CliError;

/// Where a new password (of a user being created or changed, never the caller's `--password`)
/// comes from.
#[derive(Args, Debug, Default)]
pub struct NewPassword {
    /// Read the new password from the first line of stdin (default: prompt on a terminal).
    #[arg(long, alias = "set-password-stdin", conflicts_with = "generate")]
    pub new_password_stdin: bool,
    /// Generate a random password and print it (once).
    #[arg(long)]
    pub generate: bool,
}

/// A password obtained for a user, and whether it was generated (then the caller must show it).
pub struct Obtained {
    pub password: String,
    pub generated: bool,
}

impl NewPassword {
    pub fn obtain(&self, whose: &str) -> Result<Obtained, CliError> {
        if self.generate {
            return Ok(Obtained {
                password: generate()?,
                generated: true,
            });
        }
        let password = if self.new_password_stdin {
            stdin_lines(1, "the new password")?.swap_remove(0)
        } else {
            prompt_new(whose)?
        };
        Ok(Obtained {
            password,
            generated: false,
        })
    }
}

/// The first `n` lines of stdin, none of them empty.
pub fn stdin_lines(n: usize, what: &str) -> Result<Vec<String>, CliError> {
    let mut lines = Vec::with_capacity(n);
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    for _ in 0..n {
        let mut line = String::new();
        stdin
            .read_line(&mut line)
            .map_err(|e| CliError::Usage(format!("cannot read {what} from stdin: {e}")))?;
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            return Err(CliError::Usage(format!(
                "{what}: expected {n} non-empty line(s) on stdin"
            )));
        }
        lines.push(line);
    }
    Ok(lines)
}

/// Everything on stdin, trimmed (an invite token given as `-`).
pub fn stdin_text(what: &str) -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("cannot read {what} from stdin: {e}")))?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(CliError::Usage(format!("{what}: stdin is empty")));
    }
    Ok(text)
}

fn no_terminal(what: &str, flag: &str) -> CliError {
    CliError::Usage(format!(
        "{what} is needed and stdin is not a terminal, so it cannot be asked for: give it on \
         stdin with {flag}"
    ))
}

/// One password typed without echo (`prompt` ends with `: `).
pub fn prompt(prompt: &str, flag: &str) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal("a password", flag));
    }
    let password = rpassword::prompt_password(prompt)
        .map_err(|e| CliError::Usage(format!("cannot read the password: {e}")))?;
    if password.is_empty() {
        return Err(CliError::Usage("the password is empty".into()));
    }
    Ok(password)
}

/// A new password, typed twice.
pub fn prompt_new(whose: &str) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal(
            &format!("a new password for {whose}"),
            "--new-password-stdin (or use --generate)",
        ));
    }
    let first = prompt(
        &format!("New password for {whose}: "),
        "--new-password-stdin",
    )?;
    let again = prompt("Repeat it: ", "--new-password-stdin")?;
    if first != again {
        return Err(CliError::Usage("the two passwords differ".into()));
    }
    Ok(first)
}

/// 20 random letters and digits (about 119 bits) from the system's random source.
pub fn generate() -> Result<String, CliError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut file = std::fs::File::open("/dev/urandom")
        .map_err(|e| CliError::Unavailable(format!("cannot read /dev/urandom: {e}")))?;
    let mut password = String::with_capacity(20);
    let mut buf = [0u8; 64];
    while password.len() < 20 {
        file.read_exact(&mut buf)
            .map_err(|e| CliError::Unavailable(format!("cannot read /dev/urandom: {e}")))?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        for b in buf {
            if usize::from(b) < limit && password.len() < 20 {
                password.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(password)
}
