//! The operator's CLI (`privzone users|groups|privileges|tokens …`): the real binary run against
//! an in-process server, its changes checked through the API, its errors through exit codes.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::harness::{Auth, TestServer, ADMIN_PASSWORD};

/// One run of the binary: output, exit code.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    #[track_caller]
    fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    /// The id printed by a `create`.
    #[track_caller]
    fn id(&self) -> String {
        self.ok();
        let id = self.stdout.trim().to_owned();
        assert!(
            !id.is_empty() && !id.contains(char::is_whitespace),
            "{}",
            self.stdout
        );
        id
    }
}

/// The server's root URL (the CLI adds `/api/v3/onezone`).
fn url(s: &TestServer) -> String {
    format!("http://{}", s.running.addr)
}

/// Runs `privzone ARGS` with only the given `PRIVZONE_*` variables, and a HOME without a config
/// file, so that nothing from the machine leaks in.
async fn privzone(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privzone"));
    command.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("PRIVZONE_") || key == "XDG_CONFIG_HOME" {
            command.env_remove(key);
        }
    }
    command.env("HOME", home);
    for (k, v) in env {
        command.env(k, v);
    }
    let output: Output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("the privzone binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// [`privzone`] with `input` on its stdin (a pipe: never a terminal).
async fn privzone_stdin(home: &Path, env: &[(&str, &str)], args: &[&str], input: &str) -> Run {
    privzone_stdin_with(env!("CARGO_BIN_EXE_privzone"), home, env, args, input).await
}

async fn privzone_stdin_with(
    program: &str,
    home: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    input: &str,
) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut command = Command::new(program);
    command.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("PRIVZONE_") || key == "XDG_CONFIG_HOME" {
            command.env_remove(key);
        }
    }
    command.env("HOME", home);
    for (k, v) in env {
        command.env(k, v);
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = input.to_owned();
    let output: Output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("the privzone binary runs");
        if let Some(mut stdin) = child.stdin.take() {
            // The command may exit before reading it all.
            let _ = stdin.write_all(input.as_bytes());
        }
        child.wait_with_output()
    })
    .await
    .expect("join")
    .expect("the privzone binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// An access token of the admin (Basic auth would hash the password on every request).
async fn admin_token(s: &TestServer) -> String {
    let r = s
        .post(
            "/user/tokens/named",
            &Auth::admin(),
            json!({"name": "cli-test"}),
        )
        .await;
    r.expect(201);
    r.body["token"].as_str().expect("token").to_owned()
}

fn set(value: &Value, key: &str) -> BTreeSet<String> {
    value[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn cli_creates_members_and_grants_and_revokes_privileges() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let token = admin_token(&s).await;
    let url = url(&s);
    let env = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", token.as_str()),
    ];
    let cli = |args: &'static [&'static str]| privzone(&home, &env, args);

    let user = privzone(
        &home,
        &env,
        &["users", "create", "carol", "--full-name", "Carol C"],
    )
    .await
    .id();
    let r = s.get(&format!("/users/{user}"), &Auth::admin()).await;
    r.expect(200);
    assert_eq!(r.body["username"], "carol");
    assert_eq!(r.body["fullName"], "Carol C");

    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    let org = privzone(
        &home,
        &env,
        &["groups", "create", "org", "--type", "organization"],
    )
    .await
    .id();
    privzone(
        &home,
        &env,
        &["groups", "add-member", &team, &format!("user:{user}")],
    )
    .await
    .ok();
    privzone(&home, &env, &["groups", "nest", &team, &org])
        .await
        .ok();
    let r = s
        .get(&format!("/groups/{org}/children"), &Auth::admin())
        .await;
    assert_eq!(r.set("groups"), vec![team.clone()]);

    // The table lists the new user with its name.
    let list = cli(&["users", "list"]).await;
    list.ok();
    assert!(
        list.stdout
            .lines()
            .any(|l| l.contains(&user) && l.contains("carol")),
        "{}",
        list.stdout
    );

    // Carol belongs to org through team: grant to team, see it effective for carol.
    let org_ref = format!("group:{org}");
    let team_ref = format!("group:{team}");
    let carol_ref = format!("user:{user}");
    privzone(
        &home,
        &env,
        &[
            "privileges",
            "grant",
            &org_ref,
            &team_ref,
            "group_view,group_add_user",
            "group_update",
        ],
    )
    .await
    .ok();
    let api = s
        .get(
            &format!("/groups/{org}/effective_users/{user}/privileges"),
            &Auth::admin(),
        )
        .await;
    api.expect(200);
    assert!(api.set("privileges").contains(&"group_add_user".to_owned()));
    assert!(api.set("privileges").contains(&"group_update".to_owned()));
    let shown = privzone(
        &home,
        &env,
        &["privileges", "effective", &org_ref, &carol_ref, "--json"],
    )
    .await;
    shown.ok();
    assert_eq!(
        set(&shown.json(), "privileges"),
        api.set("privileges").into_iter().collect()
    );

    privzone(
        &home,
        &env,
        &[
            "privileges",
            "revoke",
            &org_ref,
            &team_ref,
            "group_add_user",
        ],
    )
    .await
    .ok();
    let api = s
        .get(
            &format!("/groups/{org}/effective_users/{user}/privileges"),
            &Auth::admin(),
        )
        .await;
    let after: BTreeSet<String> = api.set("privileges").into_iter().collect();
    assert!(!after.contains("group_add_user"), "{after:?}");
    assert!(after.contains("group_update"), "{after:?}");
    let shown = privzone(
        &home,
        &env,
        &["privileges", "effective", &org_ref, &carol_ref, "--json"],
    )
    .await;
    assert_eq!(set(&shown.json(), "privileges"), after);
    // Direct privileges of team in org, as a table: one name per line.
    let direct = privzone(&home, &env, &["privileges", "get", &org_ref, &team_ref]).await;
    direct.ok();
    let lines: BTreeSet<String> = direct.stdout.lines().map(str::to_owned).collect();
    let api = s
        .get(
            &format!("/groups/{org}/children/{team}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(lines, api.set("privileges").into_iter().collect());

    // `set` replaces the list.
    privzone(
        &home,
        &env,
        &["privileges", "set", &org_ref, &team_ref, "group_view"],
    )
    .await
    .ok();
    let api = s
        .get(
            &format!("/groups/{org}/children/{team}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert_eq!(api.set("privileges"), vec!["group_view"]);

    // Effective members through the nesting.
    let members = privzone(
        &home,
        &env,
        &["groups", "members", &org, "--effective", "--json"],
    )
    .await;
    members.ok();
    assert!(set(&members.json(), "users").contains(&user));
    assert!(set(&members.json(), "groups").contains(&team));

    // Oz privileges of a user.
    privzone(
        &home,
        &env,
        &["privileges", "oz", "grant", &carol_ref, "oz_users_list"],
    )
    .await
    .ok();
    let api = s
        .get(&format!("/users/{user}/privileges"), &Auth::admin())
        .await;
    assert_eq!(api.set("privileges"), vec!["oz_users_list"]);
    privzone(
        &home,
        &env,
        &["privileges", "oz", "revoke", &carol_ref, "oz_users_list"],
    )
    .await
    .ok();
    let api = s
        .get(&format!("/users/{user}/privileges"), &Auth::admin())
        .await;
    assert!(api.set("privileges").is_empty(), "{}", api.text);

    // Removing the member.
    privzone(&home, &env, &["groups", "remove-member", &team, &carol_ref])
        .await
        .ok();
    let r = s
        .get(&format!("/groups/{team}/users"), &Auth::admin())
        .await;
    assert!(r.set("users").is_empty(), "{}", r.text);
}

#[tokio::test]
async fn cli_errors_become_messages_and_exit_codes() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let url = url(&s);
    let token = admin_token(&s).await;

    // Wrong password: 401 → 3, with Onezone's reason.
    let wrong = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_USER", "admin"),
        ("PRIVZONE_PASSWORD", "not-the-password"),
    ];
    let r = privzone(&home, &wrong, &["users", "list"]).await;
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("Invalid username or password"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("badBasicCredentials"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // The right one works (flags win over the environment).
    let r = privzone(
        &home,
        &wrong,
        &["whoami", "--json", "--password", ADMIN_PASSWORD],
    )
    .await;
    r.ok();
    assert_eq!(r.json()["username"], "admin");

    let env = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", token.as_str()),
    ];
    // Unknown entity: 404 → 5.
    let r = privzone(&home, &env, &["groups", "show", "no-such-group"]).await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("notFound"), "{}", r.stderr);
    let r = privzone(
        &home,
        &env,
        &["privileges", "get", "space:nope", "user:nope"],
    )
    .await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);

    // Unknown privilege: 400 → 6, naming the error id.
    let (alice, alice_auth) = s.user("alice").await;
    let r = privzone(
        &home,
        &env,
        &[
            "privileges",
            "oz",
            "grant",
            &format!("user:{alice}"),
            "oz_no_such_privilege",
        ],
    )
    .await;
    assert_eq!(r.code, 6, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("badValueListNotAllowed"), "{}", r.stderr);

    // Authenticated without the privilege: 403 → 4.
    let Auth::Token(alice_token) = alice_auth else {
        panic!("token auth")
    };
    let as_alice = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", alice_token.as_str()),
    ];
    let r = privzone(&home, &as_alice, &["users", "list"]).await;
    assert_eq!(r.code, 4, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("forbidden"), "{}", r.stderr);
    // Flags beat the environment as a whole: an exported token does not override --user.
    let r = privzone(
        &home,
        &as_alice,
        &[
            "whoami",
            "--json",
            "--user",
            "admin",
            "--password",
            ADMIN_PASSWORD,
        ],
    )
    .await;
    r.ok();
    assert_eq!(r.json()["username"], "admin");
    let r = privzone(&home, &as_alice, &["whoami", "--user", "admin"]).await;
    assert_eq!(
        r.code, 2,
        "a flag user without a password is an error: {}",
        r.stderr
    );

    // Already a member: 409 → 6.
    let g = privzone(&home, &as_alice, &["groups", "create", "mine", "--mine"])
        .await
        .id();
    let r = privzone(
        &home,
        &as_alice,
        &["groups", "add-member", &g, &format!("user:{alice}")],
    )
    .await;
    assert_eq!(r.code, 6, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("relationAlreadyExists"), "{}", r.stderr);

    // Bad command line: 2, before any request.
    let r = privzone(&home, &env, &["privileges", "get", "planet:1", "user:x"]).await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    // Nobody listening: 7.
    let r = privzone(
        &home,
        &[
            ("PRIVZONE_URL", "http://127.0.0.1:9"),
            ("PRIVZONE_TOKEN", "x"),
        ],
        &["whoami"],
    )
    .await;
    assert_eq!(r.code, 7, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("cannot reach"), "{}", r.stderr);
}

#[tokio::test]
async fn cli_tokens_and_config_file() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let url = url(&s);
    let (bob, _) = s.user("bob").await;
    let admin = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", &*admin_token(&s).await),
    ]
    .map(|(k, v)| (k, v.to_owned()));
    let admin: Vec<(&str, &str)> = admin.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // A token for bob, created by the admin.
    let created = privzone(
        &home,
        &admin,
        &["tokens", "create", "laptop", "--owner", &bob, "--json"],
    )
    .await;
    created.ok();
    let token = created.json()["token"].as_str().expect("token").to_owned();
    let token_id = created.json()["tokenId"]
        .as_str()
        .expect("tokenId")
        .to_owned();
    let listed = privzone(
        &home,
        &admin,
        &["tokens", "list", "--owner", &bob, "--json"],
    )
    .await;
    assert!(set(&listed.json(), "tokens").contains(&token_id));
    // The owner by username.
    let listed = privzone(
        &home,
        &admin,
        &["tokens", "list", "--owner", "bob", "--json"],
    )
    .await;
    assert!(set(&listed.json(), "tokens").contains(&token_id));
    // Without --json, stdout is the token alone.
    let plain = privzone(
        &home,
        &admin,
        &["tokens", "create", "plain", "--owner", &bob],
    )
    .await;
    plain.ok();
    let plain_token = plain.stdout.trim().to_owned();
    let r = s.get("/user", &Auth::Token(plain_token)).await;
    assert_eq!(
        r.body["userId"],
        bob.as_str(),
        "stdout was not the token: {}",
        plain.stdout
    );
    // --valid-for becomes a time caveat.
    let expiring = privzone(
        &home,
        &admin,
        &[
            "tokens",
            "create",
            "short",
            "--owner",
            &bob,
            "--valid-for",
            "600",
            "--json",
        ],
    )
    .await;
    expiring.ok();
    let expiring_id = expiring.json()["tokenId"]
        .as_str()
        .expect("tokenId")
        .to_owned();
    let r = s
        .get(&format!("/tokens/named/{expiring_id}"), &Auth::admin())
        .await;
    assert_eq!(r.body["caveats"][0]["type"], "time", "{}", r.text);
    assert!(r.body["caveats"][0]["validUntil"]
        .as_i64()
        .is_some_and(|t| t > 0));

    // Bob uses it from the default config file (~/.config/privzone/cli.toml).
    let dir = home.join(".config").join("privzone");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(
        dir.join("cli.toml"),
        format!("url = \"{url}\"\ntoken = \"{token}\"\n"),
    )
    .expect("config file");
    let r = privzone(&home, &[], &["whoami", "--json"]).await;
    r.ok();
    assert_eq!(r.json()["userId"], bob.as_str());

    // Revoked: 401 → 3 with the token's reason.
    privzone(&home, &admin, &["tokens", "revoke", &token_id])
        .await
        .ok();
    let r = s
        .get(&format!("/tokens/named/{token_id}"), &Auth::admin())
        .await;
    assert_eq!(r.body["revoked"], true);
    let r = privzone(&home, &[], &["whoami"]).await;
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);

    // A config file named by PRIVZONE_CLI_CONFIG that is not valid: usage error.
    let bad = home.join("bad.toml");
    std::fs::write(&bad, "colour = \"blue\"\n").expect("bad config");
    let r = privzone(
        &home,
        &[("PRIVZONE_CLI_CONFIG", bad.to_str().expect("utf-8 path"))],
        &["whoami"],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("bad.toml"), "{}", r.stderr);
}

#[tokio::test]
async fn version_and_completions() {
    let home = tempfile::tempdir().expect("temp dir");
    let r = privzone(home.path(), &[], &["--version"]).await;
    r.ok();
    let line = r.stdout.trim();
    let build = line
        .strip_prefix(concat!("privzone ", env!("CARGO_PKG_VERSION"), " (build "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected --version: {line}"));
    assert!(!build.is_empty() && !build.contains(' '), "{line}");

    let r = privzone(home.path(), &[], &["completions", "bash"]).await;
    r.ok();
    assert!(r.stdout.contains("privzone") && r.stdout.contains("handle-services"));
    let r = privzone(home.path(), &[], &["completions", "klingon"]).await;
    assert_eq!(r.code, 2);
}

#[tokio::test]
async fn cli_over_https_trusts_the_given_ca_only() {
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).expect("write key");
    let mut config = privzone_server::Config::with_data_dir(dir.path().join("data"));
    config.listen = "127.0.0.1:0".parse().expect("addr");
    config.admin_password = Some(privzone_server::Secret::new(ADMIN_PASSWORD));
    config.tls_cert = Some(cert_path.clone());
    config.tls_key = Some(key_path);
    let running = privzone_server::start(config)
        .await
        .expect("starts with TLS");

    let url = format!("https://localhost:{}", running.addr.port());
    let env = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_USER", "admin"),
        ("PRIVZONE_PASSWORD", ADMIN_PASSWORD),
    ];
    // Not signed by a CA the system knows: refused, as unavailable.
    let r = privzone(dir.path(), &env, &["whoami"]).await;
    assert_eq!(r.code, 7, "stderr: {}", r.stderr);
    let ca = cert_path.to_str().expect("utf-8 path");
    let r = privzone(dir.path(), &env, &["whoami", "--json", "--ca-cert", ca]).await;
    r.ok();
    assert_eq!(r.json()["username"], "admin");
}

/// The environment of a CLI run as the admin (with a token).
async fn admin_env(s: &TestServer) -> Vec<(&'static str, String)> {
    vec![
        ("PRIVZONE_URL", url(s)),
        ("PRIVZONE_TOKEN", admin_token(s).await),
    ]
}

fn env_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn cli_members_by_username_and_group_name() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let (alice, _) = s.user("alice").await;
    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    let org = privzone(&home, &env, &["groups", "create", "Physics Org"])
        .await
        .id();

    // By username, and by group names (one with a space).
    privzone(&home, &env, &["groups", "add-member", "team", "user:alice"])
        .await
        .ok();
    let r = s
        .get(&format!("/groups/{team}/users"), &Auth::admin())
        .await;
    assert_eq!(r.set("users"), vec![alice.clone()]);
    privzone(&home, &env, &["groups", "nest", "team", "Physics Org"])
        .await
        .ok();
    privzone(
        &home,
        &env,
        &[
            "privileges",
            "grant",
            "group:Physics Org",
            "group:team",
            "group_update",
        ],
    )
    .await
    .ok();
    let r = s
        .get(
            &format!("/groups/{org}/children/{team}/privileges"),
            &Auth::admin(),
        )
        .await;
    assert!(r.set("privileges").contains(&"group_update".to_owned()));
    let r = privzone(
        &home,
        &env,
        &[
            "privileges",
            "effective",
            "group:Physics Org",
            "user:alice",
            "--json",
        ],
    )
    .await;
    r.ok();
    assert!(set(&r.json(), "privileges").contains("group_update"));
    // Ids still work, and `me`.
    privzone(
        &home,
        &env,
        &["privileges", "oz", "get", &format!("user:{alice}")],
    )
    .await
    .ok();
    privzone(&home, &env, &["users", "show", "me"]).await.ok();

    // A name that matches nothing: exit 5, naming it.
    let r = privzone(
        &home,
        &env,
        &["groups", "add-member", "team", "user:nobody"],
    )
    .await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("\"nobody\""), "{}", r.stderr);
    let r = privzone(
        &home,
        &env,
        &["groups", "add-member", "No Such", "user:alice"],
    )
    .await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("\"No Such\""), "{}", r.stderr);

    // Two groups of one name: exit 2, listing both ids; nothing changed.
    let c1 = privzone(&home, &env, &["groups", "create", "Curators"])
        .await
        .id();
    let c2 = privzone(&home, &env, &["groups", "create", "Curators"])
        .await
        .id();
    let r = privzone(
        &home,
        &env,
        &["groups", "add-member", "team", "group:Curators"],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains(&c1) && r.stderr.contains(&c2),
        "{}",
        r.stderr
    );
    let r = s
        .get(&format!("/groups/{team}/children"), &Auth::admin())
        .await;
    assert!(r.set("groups").is_empty(), "{}", r.text);

    // Without oz_users_list a username cannot be looked up: said so, exit 4.
    let (_, bob_auth) = s.user("bob").await;
    let Auth::Token(bob_token) = bob_auth else {
        panic!("token auth")
    };
    let url = url(&s);
    let as_bob = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", bob_token.as_str()),
    ];
    let r = privzone(&home, &as_bob, &["privileges", "oz", "get", "user:alice"]).await;
    assert_eq!(r.code, 4, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("oz_users_list"), "{}", r.stderr);
    // …but one's own username can.
    privzone(&home, &as_bob, &["privileges", "oz", "get", "user:bob"])
        .await
        .ok();
}

#[tokio::test]
async fn cli_members_table_shows_names_and_privileges() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let (alice, _) = s.user("alice").await;
    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    let org = privzone(&home, &env, &["groups", "create", "org"])
        .await
        .id();
    privzone(
        &home,
        &env,
        &[
            "groups",
            "add-member",
            &team,
            "user:alice",
            "--privileges",
            "group_view,group_update",
        ],
    )
    .await
    .ok();
    privzone(&home, &env, &["groups", "nest", &team, &org])
        .await
        .ok();

    let r = privzone(&home, &env, &["groups", "members", "team"]).await;
    r.ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(&alice))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.starts_with("user"), "{line}");
    assert!(line.contains("alice"), "{line}");
    assert!(
        line.contains("group_update") && line.contains("group_view"),
        "{line}"
    );
    assert!(r.stdout.lines().next().is_some_and(|h| h.contains("NAME")));

    // Effective members of org: alice through team, with her effective privileges there.
    let r = privzone(&home, &env, &["groups", "members", "org", "--effective"]).await;
    r.ok();
    assert!(r.stdout.contains("EFFECTIVE PRIVILEGES"), "{}", r.stdout);
    let alice_line = r
        .stdout
        .lines()
        .find(|l| l.contains(&alice))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(alice_line.contains("alice"), "{alice_line}");
    let team_line = r
        .stdout
        .lines()
        .find(|l| l.contains(&team))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        team_line.starts_with("group") && team_line.contains("team"),
        "{team_line}"
    );
    // --json keeps its shape.
    let r = privzone(&home, &env, &["groups", "members", &org, "--json"]).await;
    assert_eq!(set(&r.json(), "groups"), [team].into_iter().collect());
}

#[tokio::test]
async fn cli_privileges_get_of_an_indirect_member_points_to_effective_and_membership() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let (alice, _) = s.user("alice").await;
    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    let org = privzone(&home, &env, &["groups", "create", "org"])
        .await
        .id();
    privzone(&home, &env, &["groups", "add-member", "team", "user:alice"])
        .await
        .ok();
    privzone(&home, &env, &["groups", "nest", "team", "org"])
        .await
        .ok();

    let r = privzone(
        &home,
        &env,
        &["privileges", "get", "group:org", "user:alice"],
    )
    .await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("only through groups"), "{}", r.stderr);
    assert!(r.stderr.contains(&team), "names the path: {}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "privzone privileges effective group:{org} user:{alice}"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("/groups/{org}/effective_users/{alice}/membership")),
        "{}",
        r.stderr
    );
    // The membership command shows the path.
    let r = privzone(
        &home,
        &env,
        &["privileges", "membership", "group:org", "user:alice"],
    )
    .await;
    r.ok();
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("via group") && l.contains(&team) && l.contains("team")),
        "{}",
        r.stdout
    );
    // A direct member still gets its privileges; a stranger the plain 404.
    privzone(
        &home,
        &env,
        &["privileges", "get", "group:team", "user:alice"],
    )
    .await
    .ok();
    let (_, _) = s.user("stranger").await;
    let r = privzone(
        &home,
        &env,
        &["privileges", "get", "group:org", "user:stranger"],
    )
    .await;
    assert_eq!(r.code, 5, "stderr: {}", r.stderr);
    assert!(!r.stderr.contains("only through groups"), "{}", r.stderr);
}

#[tokio::test]
async fn cli_privileges_set_without_names_needs_none() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let (alice, _) = s.user("alice").await;
    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    privzone(&home, &env, &["groups", "add-member", "team", "user:alice"])
        .await
        .ok();
    let path = format!("/groups/{team}/users/{alice}/privileges");
    let before = s.get(&path, &Auth::admin()).await.set("privileges");
    assert!(!before.is_empty());

    let r = privzone(
        &home,
        &env,
        &["privileges", "set", "group:team", "user:alice"],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("--none"), "{}", r.stderr);
    assert_eq!(s.get(&path, &Auth::admin()).await.set("privileges"), before);
    let r = privzone(
        &home,
        &env,
        &[
            "privileges",
            "set",
            "group:team",
            "user:alice",
            "group_view",
            "--none",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);

    privzone(
        &home,
        &env,
        &["privileges", "set", "group:team", "user:alice", "--none"],
    )
    .await
    .ok();
    assert!(s
        .get(&path, &Auth::admin())
        .await
        .set("privileges")
        .is_empty());

    // The same for oz privileges.
    privzone(
        &home,
        &env,
        &["privileges", "oz", "grant", "user:alice", "oz_users_list"],
    )
    .await
    .ok();
    let r = privzone(&home, &env, &["privileges", "oz", "set", "user:alice"]).await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    let oz = format!("/users/{alice}/privileges");
    assert_eq!(
        s.get(&oz, &Auth::admin()).await.set("privileges"),
        vec!["oz_users_list"]
    );
    privzone(
        &home,
        &env,
        &["privileges", "oz", "set", "user:alice", "--none"],
    )
    .await
    .ok();
    assert!(s
        .get(&oz, &Auth::admin())
        .await
        .set("privileges")
        .is_empty());
}

#[tokio::test]
async fn cli_users_rename_block_and_passwords() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let basic = |u: &str, p: &str| Auth::Basic(u.to_owned(), p.to_owned());

    // A new user's password from stdin (the old flag name still works).
    let alice = privzone_stdin(
        &home,
        &env,
        &["users", "create", "alice", "--new-password-stdin"],
        "alice-pass-1\n",
    )
    .await
    .id();
    s.get("/user", &basic("alice", "alice-pass-1"))
        .await
        .expect(200);
    privzone_stdin(
        &home,
        &env,
        &["users", "create", "bob", "--set-password-stdin"],
        "bob-pass-1\n",
    )
    .await
    .ok();
    s.get("/user", &basic("bob", "bob-pass-1"))
        .await
        .expect(200);

    // Rename by username.
    privzone(
        &home,
        &env,
        &[
            "users",
            "rename",
            "alice",
            "--username",
            "alice2",
            "--full-name",
            "Alice Two",
        ],
    )
    .await
    .ok();
    let r = s.get(&format!("/users/{alice}"), &Auth::admin()).await;
    assert_eq!(r.body["username"], "alice2");
    assert_eq!(r.body["fullName"], "Alice Two");
    let r = privzone(&home, &env, &["users", "rename", "alice2"]).await;
    assert_eq!(r.code, 2, "nothing to change: {}", r.stderr);

    // Block and unblock.
    privzone(&home, &env, &["users", "block", "alice2"])
        .await
        .ok();
    let r = s.get(&format!("/users/{alice}"), &Auth::admin()).await;
    assert_eq!(r.body["blocked"], true);
    s.get("/user", &basic("alice2", "alice-pass-1"))
        .await
        .expect(401);
    privzone(&home, &env, &["users", "unblock", alice.as_str()])
        .await
        .ok();
    s.get("/user", &basic("alice2", "alice-pass-1"))
        .await
        .expect(200);

    // The admin's path: a generated password, printed alone on stdout.
    let r = privzone(
        &home,
        &env,
        &["users", "set-password", "alice2", "--generate"],
    )
    .await;
    r.ok();
    let generated = r.stdout.trim().to_owned();
    assert!(generated.len() >= 16, "{}", r.stdout);
    s.get("/user", &basic("alice2", &generated))
        .await
        .expect(200);
    s.get("/user", &basic("alice2", "alice-pass-1"))
        .await
        .expect(401);
    privzone_stdin(
        &home,
        &env,
        &["users", "reset-password", "alice2", "--new-password-stdin"],
        "alice-pass-2\n",
    )
    .await
    .ok();
    s.get("/user", &basic("alice2", "alice-pass-2"))
        .await
        .expect(200);

    // The user's own path: current and new password on stdin.
    let url = url(&s);
    let as_alice = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_USER", "alice2"),
        ("PRIVZONE_PASSWORD", "alice-pass-2"),
    ];
    let r = privzone_stdin(
        &home,
        &as_alice,
        &["users", "change-password", "--stdin"],
        "wrong-pass\nalice-pass-3\n",
    )
    .await;
    assert_eq!(r.code, 3, "wrong current password: {}", r.stderr);
    privzone_stdin(
        &home,
        &as_alice,
        &["users", "change-password", "--stdin"],
        "alice-pass-2\nalice-pass-3\n",
    )
    .await
    .ok();
    s.get("/user", &basic("alice2", "alice-pass-3"))
        .await
        .expect(200);

    // Basic auth off, then on again with a new password.
    privzone(&home, &env, &["users", "disable-basic-auth", "alice2"])
        .await
        .ok();
    s.get("/user", &basic("alice2", "alice-pass-3"))
        .await
        .expect(401);
    privzone_stdin(
        &home,
        &env,
        &[
            "users",
            "enable-basic-auth",
            "alice2",
            "--new-password-stdin",
        ],
        "alice-pass-4\n",
    )
    .await
    .ok();
    let r = s.get(&format!("/users/{alice}"), &Auth::admin()).await;
    assert_eq!(r.body["basicAuthEnabled"], true);
    s.get("/user", &basic("alice2", "alice-pass-4"))
        .await
        .expect(200);
}

#[tokio::test]
async fn cli_passwords_are_never_confused_nor_awaited_without_a_terminal() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);

    // A password is needed, none is given, stdin is no terminal: an error, not a hang.
    let r = privzone(&home, &env, &["users", "create", "carol", "--basic-auth"]).await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("not a terminal"), "{}", r.stderr);
    assert!(r.stderr.contains("--new-password-stdin"), "{}", r.stderr);
    let r = privzone(&home, &env, &["users", "set-password", "admin"]).await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("not a terminal"), "{}", r.stderr);
    let r = privzone(&home, &env, &["users", "change-password"]).await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    // The caller's own password too.
    let url = url(&s);
    let r = privzone(
        &home,
        &[("PRIVZONE_URL", url.as_str())],
        &["whoami", "--user", "admin"],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("not a terminal"), "{}", r.stderr);

    // `--password` is the caller's: given beside a token, it is refused rather than ignored
    // (it would have created carol without the password meant for her).
    let r = privzone(
        &home,
        &env,
        &["users", "create", "carol", "--password", "carol-pass-1"],
    )
    .await;
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("--new-password-stdin"), "{}", r.stderr);
    let r = s.get("/users", &Auth::admin()).await;
    assert_eq!(r.set("users").len(), 1, "nobody was created: {}", r.text);

    // A generated password for a new user goes to stderr; stdout stays the id.
    let r = privzone(&home, &env, &["users", "create", "carol", "--generate"]).await;
    let carol = r.id();
    let password = r
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("password of carol (shown only now): "))
        .unwrap_or_else(|| panic!("{}", r.stderr))
        .to_owned();
    let me = s.get("/user", &Auth::Basic("carol".into(), password)).await;
    assert_eq!(me.body["userId"], carol.as_str());
}

#[tokio::test]
async fn cli_rename_invite_and_join() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let (bob, bob_auth) = s.user("bob").await;
    let Auth::Token(bob_token) = bob_auth else {
        panic!("token auth")
    };
    let url = url(&s);
    let as_bob = [
        ("PRIVZONE_URL", url.as_str()),
        ("PRIVZONE_TOKEN", bob_token.as_str()),
    ];

    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    privzone(&home, &env, &["groups", "rename", "team", "Team B"])
        .await
        .ok();
    let r = s.get(&format!("/groups/{team}"), &Auth::admin()).await;
    assert_eq!(r.body["name"], "Team B");
    let space = privzone(&home, &env, &["spaces", "create", "Physics"])
        .await
        .id();
    privzone(&home, &env, &["spaces", "rename", "Physics", "Physics 2"])
        .await
        .ok();
    let r = s.get(&format!("/spaces/{space}"), &Auth::admin()).await;
    assert_eq!(r.body["name"], "Physics 2");
    let hs = privzone(
        &home,
        &env,
        &[
            "handle-services",
            "create",
            "HS",
            "--proxy-endpoint",
            "https://proxy.example.org",
            "--property",
            "type=Handle",
        ],
    )
    .await
    .id();
    privzone(&home, &env, &["handle-services", "rename", &hs, "HS 2"])
        .await
        .ok();
    let r = s
        .get(&format!("/handle_services/{hs}"), &Auth::admin())
        .await;
    assert_eq!(r.body["name"], "HS 2");

    // A user invite into the group; bob joins with it (given on stdin).
    let r = privzone(&home, &env, &["groups", "invite", "Team B", "user"]).await;
    r.ok();
    let invite = r.stdout.trim().to_owned();
    let r = privzone_stdin(&home, &as_bob, &["groups", "join", "-"], &invite).await;
    r.ok();
    assert_eq!(r.stdout.trim(), team);
    let r = s
        .get(&format!("/groups/{team}/users"), &Auth::admin())
        .await;
    assert_eq!(r.set("users"), vec![bob.clone()]);

    // A group invite into the space; the group joins it, named by its name.
    let r = privzone(&home, &env, &["spaces", "invite", "Physics 2", "group"]).await;
    r.ok();
    let invite = r.stdout.trim().to_owned();
    privzone(
        &home,
        &env,
        &["spaces", "join", &invite, "--as-group", "Team B"],
    )
    .await
    .ok();
    let r = s
        .get(&format!("/spaces/{space}/groups"), &Auth::admin())
        .await;
    assert_eq!(r.set("groups"), vec![team.clone()]);
    // A user invite into the space, and a group invite into the group.
    let r = privzone(&home, &env, &["spaces", "invite", &space, "user", "--json"]).await;
    let invite = r.json()["token"].as_str().expect("token").to_owned();
    privzone(&home, &as_bob, &["spaces", "join", &invite])
        .await
        .ok();
    let r = s
        .get(&format!("/spaces/{space}/users"), &Auth::admin())
        .await;
    assert_eq!(r.set("users"), vec![bob.clone()]);
    let org = privzone(&home, &env, &["groups", "create", "org"])
        .await
        .id();
    let r = privzone(&home, &env, &["groups", "invite", "org", "group"]).await;
    let invite = r.stdout.trim().to_owned();
    privzone(
        &home,
        &env,
        &["groups", "join", &invite, "--as-group", &team],
    )
    .await
    .ok();
    let r = s
        .get(&format!("/groups/{org}/children"), &Auth::admin())
        .await;
    assert_eq!(r.set("groups"), vec![team]);
    // A used-up or wrong token: the server's reason, exit 6.
    let r = privzone(&home, &as_bob, &["groups", "join", "not-a-token"]).await;
    assert_eq!(r.code, 6, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("badValueToken"), "{}", r.stderr);
}

/// `2026-12-01 14:05:09 UTC`.
fn is_readable_time(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 23
        && text.ends_with(" UTC")
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            19..=22 => true,
            _ => c.is_ascii_digit(),
        })
}

#[tokio::test]
async fn cli_tables_show_readable_times() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let team = privzone(&home, &env, &["groups", "create", "team"])
        .await
        .id();
    let raw = s.get(&format!("/groups/{team}"), &Auth::admin()).await.body["creationTime"]
        .as_i64()
        .expect("creationTime");

    let r = privzone(&home, &env, &["groups", "show", "team"]).await;
    r.ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("creationTime"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let shown = line.trim_start_matches("creationTime").trim();
    assert!(is_readable_time(shown), "{line}");
    assert!(!r.stdout.contains(&raw.to_string()), "{}", r.stdout);
    // --json stays the server's.
    let r = privzone(&home, &env, &["groups", "show", &team, "--json"]).await;
    assert_eq!(r.json()["creationTime"], raw);

    let r = privzone(&home, &env, &["groups", "list"]).await;
    r.ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(&team))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.trim_end().ends_with(" UTC"), "{line}");
    assert!(r.stdout.contains("CREATED"), "{}", r.stdout);

    // Tokens: created and expiry.
    privzone(
        &home,
        &env,
        &["tokens", "create", "short", "--valid-for", "3600"],
    )
    .await
    .ok();
    let r = privzone(&home, &env, &["tokens", "list"]).await;
    r.ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("short"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert_eq!(line.matches(" UTC").count(), 2, "{line}");
    assert!(r.stdout.contains("EXPIRES"), "{}", r.stdout);
}

#[test]
fn help_separates_connection_flags_from_the_command_s() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_privzone"))
        .args(["users", "create", "--help"])
        .env("HOME", home.path())
        .output()
        .expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    let at = |s: &str| help.find(s).unwrap_or_else(|| panic!("no {s} in {help}"));
    let connection = at("\nConnection:");
    assert!(at("--new-password-stdin") < connection, "{help}");
    assert!(at("--full-name") < connection, "{help}");
    for global in ["--url", "--token", "--user", "--password", "--ca-cert"] {
        assert!(
            at(global) > connection,
            "{global} not under Connection: {help}"
        );
    }
    assert!(at("\nOutput:") > connection, "{help}");
}

/// `privzone ARGS` on a terminal (a pty of util-linux's `script`), typing `input`; `None` where
/// `script` is missing.
async fn privzone_on_terminal(
    home: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    input: &str,
) -> Option<Run> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let mut line = format!("'{}'", env!("CARGO_BIN_EXE_privzone"));
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("PATH", "/usr/bin:/bin"));
    // `script -qec CMD /dev/null` runs CMD on a new pty fed from our stdin.
    let mut run =
        privzone_stdin_with(script, home, &env, &["-qec", &line, "/dev/null"], input).await;
    run.stdout = run.stdout.replace('\r', "");
    Some(run)
}

#[tokio::test]
async fn cli_prompts_for_passwords_on_a_terminal() {
    let s = TestServer::start().await;
    let home = s.dir.path().to_owned();
    let env = admin_env(&s).await;
    let env = env_refs(&env);
    let Some(r) = privzone_on_terminal(
        &home,
        &env,
        &["users", "create", "erin", "--basic-auth"],
        "erin-pass-1\nerin-pass-1\n",
    )
    .await
    else {
        eprintln!("note: no `script` (util-linux) here: the terminal prompt is not tested");
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("New password for erin: "), "{}", r.stdout);
    s.get("/user", &Auth::Basic("erin".into(), "erin-pass-1".into()))
        .await
        .expect(200);
    // Typed twice, differently: refused.
    let r = privzone_on_terminal(
        &home,
        &env,
        &["users", "set-password", "erin"],
        "erin-pass-2\nerin-pass-3\n",
    )
    .await
    .expect("script");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("differ"), "{}", r.stdout);
    // The caller's own password, missing: asked for.
    let url = url(&s);
    let r = privzone_on_terminal(
        &home,
        &[("PRIVZONE_URL", url.as_str())],
        &["whoami", "--json", "--user", "erin"],
        "erin-pass-1\n",
    )
    .await
    .expect("script");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Password for erin: "), "{}", r.stdout);
    assert!(r.stdout.contains("\"username\": \"erin\""), "{}", r.stdout);
}
