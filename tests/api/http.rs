//! HTTP hardening: only JSON bodies are executed; request errors are the caller's and
//! media types follow `Accept`. (The listener's bounds on connections are in
//! `listener`.)

use crate::{
    common::{TestApp, codes},
    db_test,
};

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
        // Unknown operation, undefined variable, a subscription over HTTP, a missing
        // nullable variable where an input field needs a value: the request's fault,
        // never INTERNAL, and no data entry when nothing ran.
        let cases = [
            r#"{"query":"{ __typename }","operationName":"Nope"}"#,
            r#"{"query":"query($id: ID!) { integration(id: $id) { id } }"}"#,
            r#"{"query":"subscription { integrationStatusChanged { cursor } }"}"#,
            r#"{"query":"query($x: Boolean) { integrations(filter: { includeDisconnected: $x }) { edges { cursor } } }"}"#,
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

        // Root fields of different kinds finish in whatever order their reads do; the
        // answer is the same bytes every time, in the order asked, fragments in place.
        let query = "query Many { networks { key used } integrationCounts { status count } \
                     ...Me posts(first: 1) { edges { cursor } } __typename \
                     integrations(first: 1) { totalCount edges { cursor } } } \
                     fragment Me on QueryRoot { viewer { roles __typename id } }";
        let mut answers = Vec::new();
        for _ in 0..12 {
            let response = app
                .http
                .post(format!("{}/graphql", app.base))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "query": query }))
                .send()
                .await
                .expect("post");
            answers.push(response.text().await.expect("body"));
        }
        let first = &answers[0];
        assert!(answers.iter().all(|a| a == first), "{answers:#?}");
        let keys = [
            "networks",
            "integrationCounts",
            "viewer",
            "roles",
            "__typename",
            "posts",
            "integrations",
        ];
        let at = |key: &str| first.find(&format!("\"{key}\"")).expect(key);
        assert!(keys.windows(2).all(|w| at(w[0]) < at(w[1])), "{first}");
    }
);
