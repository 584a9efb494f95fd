//! Request limits: depth, complexity, directives, batching, GET mutations, body size.
//! GraphiQL's own introspection query must still pass.

use serde_json::json;
use socialgate::auth::Role;

use crate::{
    common::{TestApp, codes},
    db_test,
};

/// graphql-js's introspection query, as GraphiQL sends it (13 levels deep).
const GRAPHIQL_INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}"#;

const FULL_PAGE: &str = r#"integrations(first: 100) { totalCount edges { cursor node {
  id network accountKind externalAccountId displayName profileUrl status statusReason
  statusExplanation statusRemedy statusChangedAt connectedAt tokenExpiresAt expiresSoon
  lastCheckedAt availableActions owner { id subject name email }
  complianceNotes(last: 3) { id body createdAt author { id subject } }
  history(last: 3) { sequence kind fromStatus toStatus reason note occurredAt actor { id subject } }
} } }"#;

db_test!(
    limits_refuse_abuse_but_not_graphiql,
    async |app: TestApp| {
        let seeded = app.seed(1, 1).await;
        let token = app.token(&seeded[0].tenant_id, "compliance-1", &[Role::Compliance]);

        let body = app
            .gql(Some(&token), GRAPHIQL_INTROSPECTION, json!({}))
            .await;
        assert!(body["errors"].is_null(), "GraphiQL introspection: {body}");

        // Thirteen levels of selection are refused before anything runs.
        let deep = format!("{{ {}x{} }}", "a { ".repeat(12), " }".repeat(12));
        let body = app.gql(Some(&token), &deep, json!({})).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .expect("msg")
                .contains("limit is 12"),
            "{body}"
        );

        // One full page with every nested field fits; three in one request do not.
        let body = app
            .gql(Some(&token), &format!("{{ {FULL_PAGE} }}"), json!({}))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let triple = format!("{{ a: {FULL_PAGE} b: {FULL_PAGE} c: {FULL_PAGE} }}");
        let body = app.gql(Some(&token), &triple, json!({})).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .expect("msg")
                .contains("complex"),
            "{body}"
        );

        // Too many directives on one field.
        let directives = format!("{{ __typename {} }}", "@include(if: true) ".repeat(9));
        let body = app.gql(Some(&token), &directives, json!({})).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    }
);

db_test!(
    http_refuses_batches_get_mutations_and_big_bodies,
    async |app: TestApp| {
        let url = format!("{}/graphql", app.base);

        let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]);
        let response = app.http.post(&url).json(&batch).send().await.expect("send");
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");

        let response = app
            .http
            .get(&url)
            .query(&[("query", "{ __typename }")])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "queries are fine over GET");
        let response = app
            .http
            .get(&url)
            .query(&[("query", "mutation { __typename }")])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 405);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");

        let padding = " ".repeat(300 * 1024);
        let big = json!({ "query": format!("{{ __typename }}{padding}") });
        let response = app.http.post(&url).json(&big).send().await.expect("send");
        assert_eq!(response.status(), 413);
        assert_eq!(
            response.headers()[reqwest::header::CONNECTION],
            "close",
            "the unread body ends the connection, and the client is told"
        );

        let response = app
            .http
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        let response = app
            .http
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers().contains_key("x-request-id"),
            "every answer carries a request id"
        );
    }
);
