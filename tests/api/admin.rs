//! The admin page at `/admin`: served without credentials, with a strict Content-Security-Policy,
//! and every asset it references embedded in the binary (nothing from another origin).

use crate::harness::TestServer;

struct Asset {
    status: u16,
    content_type: String,
    csp: String,
    nosniff: bool,
    text: String,
}

async fn fetch(s: &TestServer, path: &str, authorization: Option<&str>) -> Asset {
    let root = s.base.trim_end_matches("/api/v3/onezone");
    let mut req = s.client.get(format!("{root}{path}"));
    if let Some(a) = authorization {
        req = req.header("Authorization", a);
    }
    let res = req.send().await.expect("sent");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    Asset {
        status: res.status().as_u16(),
        content_type: header("content-type"),
        csp: header("content-security-policy"),
        nosniff: header("x-content-type-options") == "nosniff",
        text: res.text().await.expect("body"),
    }
}

#[tokio::test]
async fn page_is_html_with_a_strict_content_security_policy() {
    let s = TestServer::start().await;
    for path in ["/admin", "/admin/"] {
        let page = fetch(&s, path, None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.content_type.starts_with("text/html"),
            "{}",
            page.content_type
        );
        assert!(page.csp.starts_with("default-src 'self'"), "{}", page.csp);
        assert!(
            page.csp.contains("script-src 'self'"),
            "no inline scripts: {}",
            page.csp
        );
        assert!(page.csp.contains("frame-ancestors 'none'"), "{}", page.csp);
        assert!(page.nosniff);
        assert!(page.text.contains(r#"<form id="login">"#));
    }
}

#[tokio::test]
async fn page_needs_no_credentials_and_ignores_bad_ones() {
    let s = TestServer::start().await;
    // The page holds no data; wrong credentials matter only to the API calls it makes.
    let page = fetch(&s, "/admin", Some("Basic YWRtaW46d3Jvbmc=")).await;
    assert_eq!(page.status, 200);
    let api = fetch(&s, "/api/v3/onezone/user", Some("Basic YWRtaW46d3Jvbmc=")).await;
    assert_eq!(api.status, 401);
}

#[tokio::test]
async fn assets_are_served_with_their_content_types_and_nothing_is_external() {
    let s = TestServer::start().await;
    let page = fetch(&s, "/admin", None).await;
    for (path, content_type) in [
        ("/admin/app.js", "text/javascript"),
        ("/admin/style.css", "text/css"),
    ] {
        assert!(
            page.text.contains(&format!("\"{path}\"")),
            "the page references {path}"
        );
        let asset = fetch(&s, path, None).await;
        assert_eq!(asset.status, 200, "{path}");
        assert!(
            asset.content_type.starts_with(content_type),
            "{path}: {}",
            asset.content_type
        );
        assert!(asset.nosniff, "{path}");
        assert!(!asset.csp.is_empty(), "{path}");
        assert!(!asset.text.is_empty(), "{path}");
    }
    // No CDN, no external fonts: the page works on machines without internet.
    for path in ["/admin", "/admin/app.js", "/admin/style.css"] {
        let text = fetch(&s, path, None).await.text;
        assert!(
            !text.contains("http://") && !text.contains("https://") && !text.contains("src=\"//"),
            "{path} refers to another origin"
        );
    }
    // The script talks to this server's API only.
    let script = fetch(&s, "/admin/app.js", None).await.text;
    assert!(script.contains("const API = '/api/v3/onezone';"));
}

#[tokio::test]
async fn unknown_admin_paths_are_onezone_not_found() {
    let s = TestServer::start().await;
    let missing = fetch(&s, "/admin/missing.js", None).await;
    assert_eq!(missing.status, 404);
    let body: serde_json::Value = serde_json::from_str(&missing.text).expect("json");
    assert_eq!(body["error"]["id"], "notFound");
}
