//! Answers are priced by what they hold: an integration with many long notes read
//! under many aliases is a small query and would be a huge answer; it is stopped where
//! the answer crosses its ceiling, and a request with thousands of variables is
//! refused before validation.

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::Network,
    graphql::ids::IntegrationGid,
    service::review,
};

use crate::{
    common::{TestApp, codes},
    db_test,
};

db_test!(a_huge_answer_stops_at_its_ceiling, async |app: TestApp| {
    let owner = app.actor("sized", "owner", &[Advisor]).await;
    let officer = app.actor("sized", "officer", &[Compliance]).await;
    let account = crate::common::account(Network::Linkedin, "noted", "token");
    let id = crate::common::connected(&app.app, &owner, account).await;
    let body = "n".repeat(4000);
    for _ in 0..60 {
        review::add_note(&app.app, &officer, id, &body)
            .await
            .expect("note");
    }
    // 60 notes of 4,000 characters (240 KB) under 100 aliases: 24 MB of notes.
    let aliases: String = (0..100)
        .map(|n| format!("a{n}: complianceNotes(last: 60) {{ body }} "))
        .collect();
    let query = format!("query($id: ID!) {{ integration(id: $id) {{ {aliases} }} }}");
    let token = app.token("sized", "officer", &[Compliance]);
    let started = std::time::Instant::now();
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({ "query": query, "variables": { "id": IntegrationGid(id).encoded() } }))
        .send()
        .await
        .expect("post");
    let bytes = response.bytes().await.expect("body");
    let elapsed = started.elapsed();
    assert!(
        bytes.len() < 20 * 1024 * 1024,
        "the answer stops near its 16 MiB ceiling: {} bytes",
        bytes.len()
    );
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert!(
        codes(&body).iter().all(|c| c == "BAD_USER_INPUT") && !codes(&body).is_empty(),
        "{:?}",
        codes(&body)
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("larger than 16 MiB"), "{message}");
    eprintln!(
        "a 24 MB request was stopped in {elapsed:?} with {} bytes",
        bytes.len()
    );

    // A subscription beside the query in the document does not lift the ceiling.
    let mixed = format!("{query} subscription S {{ integrationStatusChanged {{ sequence }} }}")
        .replacen("query(", "query Q(", 1);
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({ "query": mixed, "operationName": "Q", "variables": { "id": IntegrationGid(id).encoded() } }))
        .send()
        .await
        .expect("post");
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.len() < 20 * 1024 * 1024, "{} bytes", bytes.len());

    // The same with two aliases is answered whole.
    let small = "query($id: ID!) { integration(id: $id) { a: complianceNotes(last: 60) { body } b: complianceNotes(last: 60) { body } } }";
    let fine = app
        .gql(
            Some(&token),
            small,
            json!({ "id": IntegrationGid(id).encoded() }),
        )
        .await;
    assert!(fine["errors"].is_null(), "{}", &fine.to_string()[..200]);
    assert_eq!(
        fine["data"]["integration"]["a"].as_array().map(Vec::len),
        Some(60)
    );
});

db_test!(
    thousands_of_variables_are_refused_before_validation,
    async |app: TestApp| {
        let token = app.token("vars", "ada", &[Advisor]);
        let declared: Vec<String> = (0..2000).map(|n| format!("$v{n}: Int")).collect();
        let query = format!("query({}) {{ viewer {{ subject }} }}", declared.join(", "));
        let body = app.gql(Some(&token), &query, json!({})).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "one error, not thousands");
        let sent: serde_json::Map<String, serde_json::Value> =
            (0..2000).map(|n| (format!("v{n}"), json!(n))).collect();
        let body = app
            .gql(
                Some(&token),
                "{ viewer { subject } }",
                serde_json::Value::Object(sent),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    }
);
