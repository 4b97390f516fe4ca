//! §7 authentication: header order X-Auth-Token > Bearer > Macaroon > Basic, Basic auth of
//! created users, and the `details.authError` of every failure.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Auth, TestServer};

/// GET `/user` with the given raw headers; (status, body).
async fn whoami(s: &TestServer, headers: &[(&str, String)]) -> (u16, Value) {
    let mut req = s.client.get(format!("{}/user", s.base));
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn auth_error(body: &Value) -> &str {
    body["error"]["details"]["authError"]["id"]
        .as_str()
        .unwrap_or_default()
}

fn secret(a: &Auth) -> String {
    match a {
        Auth::Token(t) => t.clone(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn first_present_credential_wins() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, b) = s.user_with_password("bob", "bob-password").await;
    let good = secret(&a);
    let bad = "pz1-definitely-not-valid".to_owned();

    // X-Auth-Token beats a bad Bearer and a bad Macaroon; a bad one loses to nothing.
    let (st, body) = whoami(
        &s,
        &[
            ("X-Auth-Token", good.clone()),
            ("Authorization", format!("Bearer {bad}")),
            ("Macaroon", bad.clone()),
        ],
    )
    .await;
    assert_eq!((st, body["userId"].as_str()), (200, Some(alice.as_str())));
    let (st, body) = whoami(
        &s,
        &[
            ("X-Auth-Token", bad.clone()),
            ("Authorization", format!("Bearer {good}")),
        ],
    )
    .await;
    assert_eq!((st, auth_error(&body)), (401, "badToken"));

    // Bearer beats Macaroon.
    let (st, body) = whoami(
        &s,
        &[
            ("Authorization", format!("Bearer {good}")),
            ("Macaroon", bad.clone()),
        ],
    )
    .await;
    assert_eq!((st, body["userId"].as_str()), (200, Some(alice.as_str())));
    let (st, body) = whoami(
        &s,
        &[
            ("Authorization", format!("Bearer {bad}")),
            ("Macaroon", good.clone()),
        ],
    )
    .await;
    assert_eq!((st, auth_error(&body)), (401, "badToken"));

    // Macaroon beats Basic, both ways.
    let (st, body) = whoami(
        &s,
        &[
            ("Macaroon", good.clone()),
            ("Authorization", basic("bob", "wrong-password")),
        ],
    )
    .await;
    assert_eq!((st, body["userId"].as_str()), (200, Some(alice.as_str())));
    let (st, body) = whoami(
        &s,
        &[
            ("Macaroon", bad.clone()),
            ("Authorization", basic("bob", "bob-password")),
        ],
    )
    .await;
    assert_eq!((st, auth_error(&body)), (401, "badToken"));

    // Basic alone.
    let (st, body) = whoami(&s, &[("Authorization", basic("bob", "bob-password"))]).await;
    assert_eq!((st, body["userId"].as_str()), (200, Some(bob.as_str())));
    s.get("/user", &b).await.expect(200);
}

#[tokio::test]
async fn basic_auth_failures() {
    let s = TestServer::start().await;
    s.user_with_password("carol", "carol-password").await;
    s.user("tokenonly").await;
    let cases = [
        (basic("carol", "wrong-password"), "badBasicCredentials"),
        (
            basic("nobody-here", "carol-password"),
            "badBasicCredentials",
        ),
        ("Basic !!!not-base64!!!".to_owned(), "badBasicCredentials"),
        (
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("no-colon")
            ),
            "badBasicCredentials",
        ),
        (basic("tokenonly", "any-password"), "basicAuthDisabled"),
    ];
    for (header, expected) in cases {
        let mut req = s.client.get(format!("{}/user", s.base));
        req = req.header("Authorization", &header);
        let res = req.send().await.expect("sent");
        assert_eq!(res.status().as_u16(), 401, "{header}");
        // As Onezone: no Basic challenge, so browsers never prompt for and keep credentials
        // that pages of other sites could ride on.
        assert!(
            !res.headers().contains_key("www-authenticate"),
            "401 carries no WWW-Authenticate"
        );
        let body: Value =
            serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
        assert_eq!(body["error"]["id"], "unauthorized", "{header}");
        assert_eq!(auth_error(&body), expected, "{header}");
    }
    // The admin logs in with Basic; a created user with its password.
    s.get("/user", &Auth::admin()).await.expect(200);
    s.get(
        "/user",
        &Auth::Basic("carol".into(), "carol-password".into()),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn no_credentials_is_nobody() {
    let s = TestServer::start().await;
    let r = s.get("/user", &Auth::Nobody).await;
    r.expect_error(401, "unauthorized");
    assert!(
        r.body["error"].get("details").is_none(),
        "nobody gets no authError: {}",
        r.text
    );
    // Public catalogs stay open to nobody.
    s.get("/privileges", &Auth::Nobody).await.expect(200);
}

#[tokio::test]
async fn token_kinds_and_states() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let group = s.group(&a, "team").await;
    let invite = s
        .post(&format!("/groups/{group}/users/token"), &a, json!({}))
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for auth in [
        Auth::Token(invite.clone()),
        Auth::Bearer(invite.clone()),
        Auth::Macaroon(invite),
    ] {
        let r = s.get("/user", &auth).await;
        r.expect_error(401, "unauthorized");
        assert_eq!(
            r.body["error"]["details"]["authError"]["id"],
            "notAnAccessToken"
        );
    }
}

/// Every user and token route: nobody → 401 `unauthorized` without details, a bad token → 401
/// with `badToken`, whatever the body.
#[tokio::test]
async fn every_user_and_token_route_rejects_missing_and_bad_credentials() {
    use reqwest::Method;
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let group = s.group(&a, "team").await;
    let tid = s
        .post("/user/tokens/named", &a, json!({"name": "extra"}))
        .await
        .body["tokenId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let routes: Vec<(Method, String)> = vec![
        (Method::POST, "/users".into()),
        (Method::GET, "/users".into()),
        (Method::GET, format!("/users/{alice}")),
        (Method::PATCH, format!("/users/{alice}")),
        (Method::DELETE, format!("/users/{alice}")),
        (Method::PATCH, format!("/users/{alice}/basic_auth")),
        (Method::GET, format!("/users/{alice}/groups")),
        (Method::GET, format!("/users/{alice}/effective_spaces")),
        (Method::GET, "/user".into()),
        (Method::PATCH, "/user".into()),
        (Method::DELETE, "/user".into()),
        (Method::PATCH, "/user/password".into()),
        (Method::GET, "/user/groups".into()),
        (Method::GET, "/user/effective_groups".into()),
        (Method::GET, format!("/user/groups/{group}")),
        (Method::DELETE, format!("/user/groups/{group}")),
        (Method::GET, "/user/spaces".into()),
        (Method::GET, "/user/effective_handle_services".into()),
        (Method::GET, "/user/handles".into()),
        (Method::GET, "/user/tokens/named".into()),
        (Method::POST, "/user/tokens/named".into()),
        (Method::DELETE, "/user/tokens/named".into()),
        (Method::GET, "/user/tokens/named/name/extra".into()),
        (Method::GET, format!("/tokens/named/{tid}")),
        (Method::PATCH, format!("/tokens/named/{tid}")),
        (Method::DELETE, format!("/tokens/named/{tid}")),
        (Method::GET, format!("/users/{alice}/tokens/named")),
        (Method::POST, format!("/users/{alice}/tokens/named")),
        (Method::POST, format!("/groups/{group}/users/token")),
        (Method::POST, format!("/groups/{group}/children/token")),
        (Method::POST, "/user/groups/join".into()),
        (Method::POST, "/user/spaces/join".into()),
        (Method::POST, format!("/groups/{group}/parents/join")),
        (Method::POST, format!("/groups/{group}/spaces/join")),
    ];
    for (method, path) in routes {
        let body = if method == Method::GET || method == Method::DELETE {
            None
        } else {
            Some(json!({}))
        };
        let r = s
            .request(method.clone(), &path, &Auth::Nobody, body.clone())
            .await;
        assert_eq!(r.status.as_u16(), 401, "{method} {path}: {}", r.text);
        assert_eq!(r.error_id(), Some("unauthorized"), "{method} {path}");
        assert!(r.body["error"].get("details").is_none(), "{method} {path}");
        let r = s
            .request(method.clone(), &path, &Auth::Bearer("bogus".into()), body)
            .await;
        assert_eq!(r.status.as_u16(), 401, "{method} {path}: {}", r.text);
        assert_eq!(
            r.body["error"]["details"]["authError"]["id"], "badToken",
            "{method} {path}"
        );
    }
}

/// Reference §2: authentication comes right after route matching, so credentials that do not
/// verify are a 401 on public routes too, while nobody is served.
#[tokio::test]
async fn bad_credentials_are_rejected_on_public_routes() {
    let s = TestServer::start().await;
    let (_, a) = s.user("alice").await;
    let svc = s
        .post(
            "/handle_services",
            &Auth::admin(),
            json!({"name": "Svc", "proxyEndpoint": "http://p", "serviceProperties": {"type": "local"}}),
        )
        .await
        .expect(201)
        .location_id();
    let public = [
        "/privileges".to_owned(),
        "/groups/privileges".into(),
        "/spaces/privileges".into(),
        "/handle_services/privileges".into(),
        "/handles/privileges".into(),
        "/harvesters/privileges".into(),
        "/clusters/privileges".into(),
        "/atm_inventories/privileges".into(),
        "/configuration".into(),
        format!("/handle_services/{svc}/public"),
    ];
    for (i, path) in public.iter().enumerate() {
        s.get(path, &Auth::Nobody).await.expect(200);
        s.get(path, &a).await.expect(200);
        // A name per path: more wrong passwords for one name would be backed off (429).
        for bad in [
            Auth::Token("pz1-not-a-token".into()),
            Auth::Basic(format!("someone{i}"), "wrong-password".into()),
        ] {
            let r = s.get(path, &bad).await;
            r.expect_error(401, "unauthorized");
            assert!(
                r.body["error"]["details"]["authError"]["id"].is_string(),
                "{path}: {}",
                r.text
            );
        }
    }
    // The readiness probe answers whatever the credentials.
    let r = s
        .get("/health", &Auth::Token("pz1-not-a-token".into()))
        .await;
    r.expect(200);
    assert_eq!(r.body, json!({"status": "healthy"}));
    // Unknown paths and other methods are decided before authentication.
    let bad = Auth::Token("pz1-not-a-token".into());
    s.get("/no/such/route", &bad)
        .await
        .expect_error(404, "notFound");
    s.delete("/privileges", &bad).await.expect(405);
}

/// Reference §2: credentials are checked before the body is parsed.
#[tokio::test]
async fn bad_credentials_win_over_a_malformed_body() {
    let s = TestServer::start().await;
    let bad = Auth::Token("pz1-not-a-token".into());
    for (method, path) in [
        (Method::PATCH, "/user/privileges"),
        (Method::POST, "/user/groups"),
        (Method::POST, "/handle_services"),
        (Method::PATCH, "/user"),
        (Method::POST, "/user/tokens/named"),
    ] {
        let r = s
            .raw(
                method.clone(),
                path,
                &bad,
                "application/json",
                b"{".to_vec(),
            )
            .await;
        r.expect_error(401, "unauthorized");
        assert_eq!(
            r.body["error"]["details"]["authError"]["id"], "badToken",
            "{method} {path}"
        );
        // Good credentials then see the body error.
        s.raw(
            method,
            path,
            &Auth::admin(),
            "application/json",
            b"{".to_vec(),
        )
        .await
        .expect_error(400, "malformedData");
    }
}

#[tokio::test]
async fn a_credential_header_that_is_not_text_is_a_bad_credential_not_none() {
    let s = TestServer::start().await;
    let snowman = "☃☃".as_bytes();
    for (header, value, expected) in [
        ("X-Auth-Token", snowman.to_vec(), "badToken"),
        ("Macaroon", vec![0xff, 0xfe], "badToken"),
        (
            "Authorization",
            [b"Bearer ".as_slice(), snowman].concat(),
            "badToken",
        ),
        (
            "Authorization",
            [b"Basic ".as_slice(), snowman].concat(),
            "badBasicCredentials",
        ),
    ] {
        let value = reqwest::header::HeaderValue::from_bytes(&value).expect("obs-text is allowed");
        // A public route and a missing entity: a bad credential still answers 401 first.
        for path in ["/privileges", "/users/no-such-user/privileges"] {
            let res = s
                .client
                .get(format!("{}{path}", s.base))
                .header(header, value.clone())
                .send()
                .await
                .expect("request sent");
            let status = res.status().as_u16();
            let body: Value =
                serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
            assert_eq!(
                (status, auth_error(&body)),
                (401, expected),
                "{header} on {path}: {body}"
            );
        }
    }
}
