//! Bad input of every kind gets a §6 error body: never a 500, a panic or a dropped connection.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Auth, TestServer};

#[tokio::test]
async fn unknown_paths_and_methods_get_error_bodies() {
    let s = TestServer::start().await;
    s.get("/no/such/route", &Auth::Nobody)
        .await
        .expect_error(404, "notFound");
    let r = s
        .request(Method::DELETE, "/privileges", &Auth::Nobody, None)
        .await;
    r.expect(405);
    assert!(r.error_id().is_some(), "405 has an error body: {}", r.text);
    let r = s
        .client
        .get(format!("{}/../../etc/passwd", s.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn malformed_bodies() {
    let s = TestServer::start().await;
    let admin = Auth::admin();
    for body in [&b"{"[..], b"nul", b"{\"grant\": [}", b"\xff\xfe{}", b"[1,2"] {
        let r = s
            .raw(
                Method::PATCH,
                "/user/privileges",
                &admin,
                "application/json",
                body.to_vec(),
            )
            .await;
        r.expect_error(400, "malformedData");
    }
    // Deep nesting stays an error, not a crash.
    let deep = "[".repeat(100_000);
    let r = s
        .raw(
            Method::PATCH,
            "/user/privileges",
            &admin,
            "application/json",
            deep.into_bytes(),
        )
        .await;
    r.expect_error(400, "malformedData");
    // JSON that is not an object, after authorization.
    let r = s
        .raw(
            Method::PATCH,
            "/user/privileges",
            &admin,
            "application/json",
            b"\"grant\"".to_vec(),
        )
        .await;
    r.expect_error(400, "malformedData");
    // Another media type.
    let r = s
        .raw(
            Method::PATCH,
            "/user/privileges",
            &admin,
            "text/xml",
            b"<grant/>".to_vec(),
        )
        .await;
    r.expect(415);
    assert!(r.error_id().is_some());
    // Even when the text happens to be JSON (reference §2 step 1).
    let r = s
        .raw(
            Method::PATCH,
            "/user/privileges",
            &admin,
            "text/plain",
            b"{\"grant\": []}".to_vec(),
        )
        .await;
    r.expect(415);
    // Neither is curl's default form type (a page of another site can send one without a
    // CORS preflight), nor a body without any media type; `+json` types and parameters are.
    for other in [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "*/*",
        "",
    ] {
        let r = s
            .raw(
                Method::PATCH,
                "/user/privileges",
                &admin,
                other,
                b"{\"grant\": []}".to_vec(),
            )
            .await;
        r.expect_error(415, "unsupportedMediaType");
    }
    for json in [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
        "Application/JSON",
    ] {
        let r = s
            .raw(
                Method::PATCH,
                "/user/privileges",
                &admin,
                json,
                b"{\"grant\": []}".to_vec(),
            )
            .await;
        r.expect(204);
    }
}

#[tokio::test]
async fn oversized_body_is_413_with_error_body() {
    let s = TestServer::start().await;
    let big = format!("{{\"grant\": [\"{}\"]}}", "x".repeat(2 * 1024 * 1024));
    let r = s
        .raw(
            Method::PATCH,
            "/user/privileges",
            &Auth::admin(),
            "application/json",
            big.into_bytes(),
        )
        .await;
    r.expect(413);
    assert!(r.error_id().is_some(), "{}", r.text);
}

#[tokio::test]
async fn enormous_privilege_lists_and_wrong_types() {
    let s = TestServer::start().await;
    let many: Vec<&str> = std::iter::repeat_n("oz_users_list", 50_000).collect();
    s.patch("/user/privileges", &Auth::admin(), json!({"grant": many}))
        .await
        .expect(204);
    let r = s.get("/user/privileges", &Auth::admin()).await;
    assert_eq!(r.set("privileges"), vec!["oz_users_list"]);
    let mut bad: Vec<String> = (0..20_000).map(|i| format!("p{i}")).collect();
    bad.insert(0, "oz_users_list".into());
    s.patch("/user/privileges", &Auth::admin(), json!({"revoke": bad}))
        .await
        .expect_error(400, "badValueListNotAllowed");
    s.patch(
        "/user/privileges",
        &Auth::admin(),
        json!({"grant": [{"a": 1}]}),
    )
    .await
    .expect_error(400, "badValueListOfStrings");
    s.patch("/user/privileges", &Auth::admin(), json!({"grant": [true]}))
        .await
        .expect_error(400, "badValueListNotAllowed");
    s.patch(
        "/user/privileges",
        &Auth::admin(),
        json!({"privileges": ["oz_users_list"], "operation": "update"}),
    )
    .await
    .expect_error(400, "badValueNotAllowed");
}

#[tokio::test]
async fn odd_and_huge_ids_in_paths() {
    let s = TestServer::start().await;
    // Just under what an HTTP client can send in one request line.
    let huge = "a".repeat(60_000);
    let r = s
        .get(&format!("/users/{huge}/privileges"), &Auth::admin())
        .await;
    assert!(
        matches!(r.status.as_u16(), 404 | 414 | 431),
        "status {}",
        r.status
    );
    // (".." is resolved by the client before sending, so it is not among them.)
    for id in ["%00", "%FF%FE", "%E2%98%83", "a%2Fb", "%20", "x%0Ay"] {
        let r = s.get(&format!("/groups/{id}/users"), &Auth::admin()).await;
        r.expect_error(404, "notFound");
    }
}

#[tokio::test]
async fn bad_credentials_never_crash() {
    let s = TestServer::start().await;
    for header in [
        "Basic",
        "Basic !!!",
        "Basic Zm9v",
        "Bearer",
        "Bearer ",
        "Basic 8J+Ygg==",
    ] {
        let r = s
            .client
            .get(format!("{}/user", s.base))
            .header("Authorization", header)
            .send()
            .await
            .expect("sent");
        let status = r.status().as_u16();
        assert!(
            status == 401 || status == 404 || status == 200,
            "{header}: {status}"
        );
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        if status == 401 {
            assert_eq!(body["error"]["id"], "unauthorized");
        }
    }
    let r = s.get("/user", &Auth::Token("x".repeat(10_000))).await;
    r.expect_error(401, "unauthorized");
    assert_eq!(r.body["error"]["details"]["authError"]["id"], "badToken");
}

/// Sends raw bytes to the server and reads the answer until the server closes or 2 s pass.
async fn raw_exchange(s: &TestServer, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(s.running.addr)
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        stream.read_to_end(&mut out),
    )
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_body_with_broken_chunked_framing_is_malformed_data_not_too_large() {
    use base64::Engine;
    let s = TestServer::start().await;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("admin:{}", crate::harness::ADMIN_PASSWORD));
    let request = format!(
        "PATCH /api/v3/onezone/user/privileges HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {basic}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         zz\r\n{{\"grant\":[]}}\r\n0\r\n\r\n"
    );
    let answer = raw_exchange(&s, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"malformedData\""), "{answer}");
}

/// Errors a person can act on: a 404 keeps Onezone's id `notFound` but says what was not found;
/// a misspelt privilege is named next to the allowed ones; no message shows Erlang terms.
#[tokio::test]
async fn errors_say_what_is_wrong() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    let (bob, _) = s.user("bob").await;
    let g = s.group(&a, "team").await;
    let description = |r: &crate::harness::Response| {
        r.body["error"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let cases = [
        (
            "/groups/nosuch".to_owned(),
            "group \"nosuch\" does not exist",
        ),
        (
            "/spaces/nosuch/users".to_owned(),
            "space \"nosuch\" does not exist",
        ),
        (
            "/handle_services/nosuch".to_owned(),
            "handle service \"nosuch\" does not exist",
        ),
        (
            format!("/groups/{g}/users/nosuch"),
            "user \"nosuch\" does not exist",
        ),
        (
            format!("/groups/{g}/users/{bob}/privileges"),
            &*format!("user \"{bob}\" is not a direct member of this group"),
        ),
        (
            format!("/groups/{g}/effective_users/{bob}"),
            &*format!("user \"{bob}\" is not a member of this group"),
        ),
        (
            "/user/tokens/named/nosuch".to_owned(),
            "token \"nosuch\" does not exist",
        ),
        ("/no/such/route".to_owned(), "no such path"),
    ]
    .map(|(p, w)| (p, w.to_owned()));
    for (path, what) in &cases {
        let r = s.get(path, &a).await;
        r.expect_error(404, "notFound");
        let d = description(&r);
        assert!(
            d.starts_with("The resource could not be found") && d.contains(what.as_str()),
            "{path}: {d}"
        );
        assert!(r.body["error"].get("details").is_none(), "{}", r.text);
    }

    // A misspelt privilege: the bad value and the allowed ones.
    let path = format!("/groups/{g}/users/{alice}/privileges");
    let r = s
        .patch(&path, &a, json!({"grant": ["group_view", "group_veiw"]}))
        .await;
    r.expect_error(400, "badValueListNotAllowed");
    let details = &r.body["error"]["details"];
    assert_eq!(details["key"], "grant");
    assert_eq!(details["value"], "group_veiw");
    assert!(details["allowed"]
        .as_array()
        .is_some_and(|a| a.contains(&json!("group_view"))));
    assert!(description(&r).contains("\"group_veiw\""), "{}", r.text);
    // The legacy operation: the same.
    let r = s
        .patch(
            &path,
            &a,
            json!({"privileges": ["group_view"], "operation": "replace"}),
        )
        .await;
    r.expect_error(400, "badValueNotAllowed");
    assert_eq!(r.body["error"]["details"]["value"], "replace");
    assert_eq!(
        r.body["error"]["details"]["allowed"],
        json!(["grant", "revoke", "set"])
    );

    // Onezone prints `[<<"grant">>,<<"revoke">>]`; privzone the plain names.
    let r = s.patch(&path, &a, json!({})).await;
    r.expect_error(400, "missingAtLeastOneValue");
    let d = description(&r);
    assert!(!d.contains("<<"), "{d}");
    assert!(d.contains("grant, revoke"), "{d}");
    assert_eq!(
        r.body["error"]["details"]["keys"],
        json!(["grant", "revoke"])
    );
}
