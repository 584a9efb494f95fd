//! The auth matrix: every kind of bad token is UNAUTHENTICATED; a valid one reads data;
//! introspection needs no token.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    common::{AUDIENCE, ISSUER, SECRET, TestApp, codes},
    db_test,
};

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims(overrides: Value) -> Value {
    let mut base = json!({
        "sub": "alice",
        "tenant_id": "acme",
        "roles": ["advisor"],
        "exp": now() + 600,
        "iss": ISSUER,
        "aud": AUDIENCE,
    });
    for (k, v) in overrides.as_object().expect("object") {
        if v.is_null() {
            base.as_object_mut().expect("object").remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn sign(alg: Algorithm, secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// `alg: none`: a header and payload with an empty signature.
fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("json"));
    format!("{header}.{payload}.")
}

const VIEWER: &str = "{ viewer { subject roles tenant { externalId } } }";

db_test!(bad_tokens_are_unauthenticated, async |app: TestApp| {
    let cases: Vec<(&str, String)> = vec![
        ("alg none", unsigned(&claims(json!({})))),
        (
            "wrong algorithm",
            sign(Algorithm::HS512, SECRET, &claims(json!({}))),
        ),
        (
            "bad signature",
            sign(
                Algorithm::HS256,
                "another-secret-of-enough-length!!",
                &claims(json!({})),
            ),
        ),
        (
            "missing exp",
            sign(Algorithm::HS256, SECRET, &claims(json!({ "exp": null }))),
        ),
        (
            "past exp",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(json!({ "exp": now() - 3600 })),
            ),
        ),
        (
            "future nbf",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(json!({ "nbf": now() + 3600 })),
            ),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(json!({ "iss": "someone-else" })),
            ),
        ),
        (
            "missing iss",
            sign(Algorithm::HS256, SECRET, &claims(json!({ "iss": null }))),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(json!({ "aud": "other-app" })),
            ),
        ),
        (
            "no roles",
            sign(Algorithm::HS256, SECRET, &claims(json!({ "roles": [] }))),
        ),
        (
            "mistyped exp",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(json!({ "exp": "tomorrow" })),
            ),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (case, token) in cases {
        let body = app.gql(Some(&token), VIEWER, json!({})).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{case}: {body}");
        assert!(body["data"].is_null(), "{case}: {body}");
    }
    let body = app.gql(None, VIEWER, json!({})).await;
    assert_eq!(codes(&body), ["UNAUTHENTICATED"], "no token: {body}");

    let valid = sign(Algorithm::HS256, SECRET, &claims(json!({})));
    let body = app.gql(Some(&valid), VIEWER, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["viewer"]["subject"], "alice");
    assert_eq!(body["data"]["viewer"]["roles"], json!(["ADVISOR"]));
    assert_eq!(body["data"]["viewer"]["tenant"]["externalId"], "acme");
});

db_test!(
    introspection_needs_a_token_unless_published,
    async |app: TestApp| {
        // This server is not in dev mode and does not publish its schema.
        let query = "{ __schema { queryType { name } types { name } } }";
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
        let through_fragment =
            "{ ...S } fragment S on QueryRoot { __type(name: \"Integration\") { name } }";
        let body = app.gql(None, through_fragment, json!({})).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
        // `__typename` is no introspection of the schema.
        let body = app.gql(None, "{ __typename }", json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        // Any signed-in caller may read the schema.
        let token = app.token("schema-readers", "bob", &[socialgate::auth::Role::Advisor]);
        let body = app.gql(Some(&token), query, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot");
        // The server now keeps that document parsed; the permission is still the
        // caller's, on every request.
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "kept document: {body}");
    }
);

db_test!(first_sight_provisions_once, async |app: TestApp| {
    let token = app.token("first-sight", "bob", &[socialgate::auth::Role::Advisor]);
    let (a, b) = tokio::join!(
        app.gql(Some(&token), VIEWER, json!({})),
        app.gql(Some(&token), VIEWER, json!({}))
    );
    assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
    let viewer_id = |v: &Value| v["data"]["viewer"]["subject"].clone();
    assert_eq!(viewer_id(&a), viewer_id(&b));
    let ids = "{ viewer { id tenant { id } } }";
    let first = app.gql(Some(&token), ids, json!({})).await;
    let second = app.gql(Some(&token), ids, json!({})).await;
    assert_eq!(
        first["data"], second["data"],
        "the same user and tenant rows each time"
    );
});
