//! HTTP hardening: only JSON bodies are executed; a client that sends half a header,
//! idles on a kept-alive connection or opens connections past the cap is cut off.

use std::time::Duration;

use socialgate::http::{ServeLimits, serve};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::{
    common::{TestApp, codes},
    db_test,
};

/// How long a test waits for the server to act before calling it a failure.
const PATIENCE: Duration = Duration::from_secs(10);

db_test!(only_json_bodies_are_executed, async |app: TestApp| {
    let url = format!("{}/graphql", app.base);
    let query = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let response = app
            .http
            .post(&url)
            .header("content-type", content_type)
            .body(query)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 415, "{content_type}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{content_type}");
    }
    let response = app
        .http
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .body(query)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
});

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

db_test!(
    slow_idle_and_excess_connections_are_cut_off,
    async |app: TestApp| {
        // A server of the same app with tight limits.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router =
            socialgate::http::router(app.app.clone(), socialgate::graphql::build(app.app.clone()));
        let limits = ServeLimits {
            max_connections: 2,
            header_timeout: Duration::from_secs(1),
        };
        tokio::spawn(serve(listener, router, limits, std::future::pending()));

        // Half a header: the connection is closed, not kept waiting.
        let mut slow = TcpStream::connect(addr).await.expect("connect");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        let mut idle = TcpStream::connect(addr).await.expect("connect");
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");

        // Both places are taken: a third connection is told so and closed.
        let mut third = TcpStream::connect(addr).await.expect("connect");
        let refused = read_to_close(&mut third).await;
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        assert!(refused.contains("RATE_LIMITED"), "{refused}");

        let cut = read_to_close(&mut slow).await;
        assert!(
            !cut.contains("200 OK"),
            "half a header got an answer: {cut}"
        );
        // A kept-alive connection is answered, then closed once it idles.
        let answered = read_to_close(&mut idle).await;
        assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");

        // With both gone, connections are accepted again.
        let ok = tokio::time::timeout(PATIENCE, async {
            loop {
                let mut next = TcpStream::connect(addr).await.expect("connect");
                next.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await
                    .expect("write");
                if read_to_close(&mut next).await.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
        })
        .await;
        assert!(ok.is_ok(), "the freed places were not given back");
    }
);

db_test!(
    request_errors_are_the_callers_and_media_types_follow_accept,
    async |app: TestApp| {
        let token = app.token("media", "avery", &[socialgate::auth::Role::Advisor]);
        let url = format!("{}/graphql", app.base);
        let post = |body: &'static str, accept: &'static str| {
            app.http
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .header("accept", accept)
                .body(body)
                .send()
        };
        // Unknown operation, undefined variable, a subscription over HTTP: the
        // request's fault, never INTERNAL, and no data entry when nothing ran.
        let cases = [
            r#"{"query":"{ __typename }","operationName":"Nope"}"#,
            r#"{"query":"query($id: ID!) { integration(id: $id) { id } }"}"#,
            r#"{"query":"subscription { integrationStatusChanged { cursor } }"}"#,
        ];
        for body in cases {
            let response = post(body, "application/json").await.expect("send");
            assert_eq!(response.status(), 200, "{body}");
            let json: serde_json::Value = response.json().await.expect("json");
            assert_eq!(codes(&json), ["BAD_USER_INPUT"], "{body}: {json}");
        }
        let response = post(cases[0], GRAPHQL_RESPONSE).await.expect("send");
        assert_eq!(response.status(), 400);
        let json: serde_json::Value = response.json().await.expect("json");
        assert!(json.get("data").is_none(), "{json}");

        // The media type is the one the client prefers.
        let ok = r#"{"query":"{ __typename }"}"#;
        for (accept, expected) in [
            ("application/json", "application/json"),
            ("*/*", "application/json"),
            (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
            (
                "application/graphql-response+json;q=0.5, application/json",
                "application/json",
            ),
            (
                "application/graphql-response+json;q=0.0, */*",
                "application/json",
            ),
        ] {
            let response = post(ok, accept).await.expect("send");
            let kind = response.headers()["content-type"]
                .to_str()
                .expect("type")
                .to_owned();
            assert!(kind.starts_with(expected), "{accept}: {kind}");
        }
    }
);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

db_test!(
    answers_keep_the_order_of_the_selection,
    async |app: TestApp| {
        let token = app.token("order", "avery", &[socialgate::auth::Role::Advisor]);
        let response = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "query": "{ zz: viewer { subject roles id } aa: viewer { id } }"
            }))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 200);
        let text = response.text().await.expect("body");
        // GraphQL answers each object's fields in the order the query selected them;
        // a client reading the raw text (or a streaming parser) must see that order.
        let at = |key: &str| {
            text.find(&format!("\"{key}\""))
                .unwrap_or_else(|| panic!("{key} missing from {text}"))
        };
        assert!(at("zz") < at("aa"), "{text}");
        assert!(at("subject") < at("roles"), "{text}");
        assert!(at("roles") < at("id"), "{text}");
    }
);
