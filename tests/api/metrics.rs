//! `/metrics` (Prometheus) and request ids, as an operator's scraper and log reader meet them.

use crate::harness::{Auth, TestServer};

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_auth_failures() {
    let s = TestServer::start().await;
    let (alice, a) = s.user("alice").await;
    s.get(&format!("/users/{alice}/privileges"), &a)
        .await
        .expect(200);
    s.get("/user", &Auth::Token("not-a-token".into()))
        .await
        .expect_error(401, "unauthorized");
    let root = s.base.trim_end_matches("/api/v3/onezone").to_owned();
    let res = s
        .client
        .get(format!("{root}/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain")));
    let text = res.text().await.expect("text");
    // The template, never the id: series do not grow with the number of users.
    assert!(
        text.contains(
            "route=\"/api/v3/onezone/users/{id}/privileges\",method=\"GET\",status=\"200\""
        ),
        "{text}"
    );
    assert!(!text.contains(&alice), "raw ids never become labels");
    assert!(
        text.contains("privzone_auth_failures_total{auth_error=\"badToken\"} 1"),
        "{text}"
    );
    assert!(text.contains("privzone_store_commit_duration_seconds_count"));
    assert!(text.contains("privzone_store_healthy 1"));
    let revision = s.get("/configuration", &Auth::Nobody).await.body["revision"].clone();
    assert!(
        text.contains(&format!("privzone_revision {revision}")),
        "{text}"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let s = TestServer::start().await;
    let a = s.get("/configuration", &Auth::Nobody).await;
    let b = s.get("/no/such/path", &Auth::Nobody).await;
    let ida = a.header("x-request-id").expect("request id");
    let idb = b.header("x-request-id").expect("request id on errors too");
    assert_ne!(ida, idb);
}
