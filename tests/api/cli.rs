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
