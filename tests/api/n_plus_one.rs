//! The N+1 guard: a page of 5 and a page of 100 integrations, with owner, notes,
//! history (and their authors and actors), coverage and upcoming deliveries, cost the
//! same number of SQL statements,
//! and no more than one per relation.

use serde_json::json;
use socialgate::auth::Role;

use crate::{common::TestApp, db_test};

const PAGE: &str = r#"query($first: Int!) { integrations(first: $first) { totalCount edges { node {
  id displayName status availableActions
  owner { id subject name }
  complianceNotes(last: 5) { body author { subject } }
  history(last: 5) { sequence toStatus reason actor { subject } }
  upcomingDeliveries(first: 3) { status dueAt }
  coverage { activeSeconds }
} } } }"#;

db_test!(
    a_page_costs_the_same_statements_whatever_its_size,
    async |app: TestApp| {
        let seeded = app.seed(1, 100).await;
        assert!(seeded[0].integrations >= 100);
        let token = app.token(&seeded[0].tenant_id, "compliance-1", &[Role::Compliance]);
        // Provision the caller first (once the listener, which forgets remembered
        // callers when it starts listening, is listening), so both measured requests
        // take the same path.
        app.quiesce().await;
        app.gql(Some(&token), "{ viewer { id } }", json!({})).await;
        app.quiesce().await;

        let mut measured = Vec::new();
        for first in [5, 100] {
            let before = app.statements();
            let body = app.gql(Some(&token), PAGE, json!({ "first": first })).await;
            let cost = app.statements() - before;
            assert!(body["errors"].is_null(), "{body}");
            let edges = body["data"]["integrations"]["edges"]
                .as_array()
                .expect("edges");
            assert_eq!(edges.len(), first);
            assert!(
                edges
                    .iter()
                    .all(|e| !e["node"]["history"].as_array().expect("h").is_empty())
            );
            measured.push(cost);
        }
        eprintln!(
            "N+1 guard ({:?}): page of 5 = {} statements, page of 100 = {} statements",
            app.backend, measured[0], measured[1]
        );
        assert_eq!(
            measured[0], measured[1],
            "statement count grows with page size"
        );
        // The page, its total, the newest history, the whole history (coverage), notes,
        // upcoming deliveries, and the users of owners, authors and actors together;
        // the caller was remembered, so nothing before the page.
        assert_eq!(measured[0], 7, "statements per page");
    }
);
