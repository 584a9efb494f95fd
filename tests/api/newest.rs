//! Notes and history answer their newest entries, as many as asked (`last`, default
//! 20, at most 100), oldest first, each integration its own, in one statement per
//! relation whatever the page; `auditTrail` keeps the whole past.

use serde_json::{Value, json};
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

const ONE: &str = r#"query($id: ID!, $notes: Int, $history: Int) { integration(id: $id) {
  complianceNotes(last: $notes) { body }
  history(last: $history) { sequence kind note }
} }"#;

fn bodies(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|n| n["body"].as_str().expect("body").to_owned())
        .collect()
}

fn numbered(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("{prefix} {n}")).collect()
}

db_test!(
    notes_and_history_answer_the_newest_as_many_as_asked,
    async |app: TestApp| {
        let owner = app.actor("newest", "owner", &[Advisor]).await;
        let officer = app.actor("newest", "officer", &[Compliance]).await;
        let first = crate::common::connected(
            &app.app,
            &owner,
            crate::common::account(Network::Linkedin, "first", "t1"),
        )
        .await;
        let second = crate::common::connected(
            &app.app,
            &owner,
            crate::common::account(Network::Linkedin, "second", "t2"),
        )
        .await;
        for n in 1..=25 {
            review::add_note(&app.app, &officer, first, &format!("first {n}"))
                .await
                .expect("note");
        }
        for n in 1..=3 {
            review::add_note(&app.app, &officer, second, &format!("second {n}"))
                .await
                .expect("note");
        }
        let token = app.token("newest", "officer", &[Compliance]);
        let id = IntegrationGid(first).encoded();

        // Default: the newest 20, oldest first.
        let body = app.gql(Some(&token), ONE, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        let answer = &body["data"]["integration"];
        assert_eq!(
            bodies(&answer["complianceNotes"]),
            numbered("first", 6..=25)
        );
        let history = answer["history"].as_array().expect("history");
        assert_eq!(history.len(), 20);
        assert_eq!(history[19]["note"], "first 25", "the newest entry is last");

        // As many as asked, still oldest first.
        let vars = json!({ "id": id, "notes": 3, "history": 2 });
        let body = app.gql(Some(&token), ONE, vars).await;
        let answer = &body["data"]["integration"];
        assert_eq!(
            bodies(&answer["complianceNotes"]),
            numbered("first", 23..=25)
        );
        let sequences: Vec<i64> = answer["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|e| e["sequence"].as_i64().expect("sequence"))
            .collect();
        assert_eq!(sequences.len(), 2);
        assert!(sequences[0] < sequences[1], "{sequences:?}");

        // The whole past stays one query away: connect + 25 notes.
        let trail = app
            .gql(
                Some(&token),
                "query($id: ID!) { auditTrail(integrationId: $id) { sequence } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            trail["data"]["auditTrail"].as_array().map(Vec::len),
            Some(26)
        );

        // On a page each integration answers its own newest, in one statement each.
        let page = app
            .gql(
                Some(&token),
                "{ integrations { edges { node { displayName complianceNotes(last: 2) { body } } } } }",
                json!({}),
            )
            .await;
        let edges = page["data"]["integrations"]["edges"]
            .as_array()
            .expect("edges");
        let mut seen: Vec<Vec<String>> = edges
            .iter()
            .map(|e| bodies(&e["node"]["complianceNotes"]))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [numbered("first", 24..=25), numbered("second", 2..=3)]
        );

        // Past the bound, the client is told where the rest is.
        let body = app
            .gql(Some(&token), ONE, json!({ "id": id, "notes": 101 }))
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("auditTrail"), "{message}");
    }
);

db_test!(a_list_costs_what_it_may_hold, async |app: TestApp| {
    let token = app.token("priced", "officer", &[Compliance]);
    // 100 aliases of 100 notes each are 10,000 entries a request could ask for:
    // refused before anything runs, with what to change.
    let aliases: String = (0..100)
        .map(|n| format!("a{n}: complianceNotes(last: 100) {{ body }} "))
        .collect();
    let query = format!("query($id: ID!) {{ integration(id: $id) {{ {aliases} }} }}");
    let id = IntegrationGid(socialgate::domain::IntegrationId::generate()).encoded();
    let body = app.gql(Some(&token), &query, json!({ "id": id })).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("`first` or `last`"), "{message}");
    // The same with the default 20 each fits.
    let aliases: String = (0..100)
        .map(|n| format!("a{n}: complianceNotes {{ body }} "))
        .collect();
    let query = format!("query($id: ID!) {{ integration(id: $id) {{ {aliases} }} }}");
    let body = app.gql(Some(&token), &query, json!({ "id": id })).await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
});
