//! Exactly one winner when compliance officers act on one integration at once.

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::Network,
};

use crate::{
    common::{TestApp, codes},
    db_test,
    review::{APPROVE, HISTORY, REJECT},
};

db_test!(one_winner_under_concurrency, async |app: TestApp| {
    let owner = app.actor("race", "adv", &[Advisor]).await;
    let co1 = app.token("race", "co-1", &[Compliance]);
    let co2 = app.token("race", "co-2", &[Compliance]);

    // Approvals and rejections at once, each from a screen that showed version 1.
    let id = app.connect(&owner, Network::Linkedin, "contested").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (token, query) = if i % 2 == 0 {
            (co1.clone(), APPROVE)
        } else {
            (co2.clone(), REJECT)
        };
        let app_ref = &app;
        let id = id.clone();
        tasks.push(async move {
            app_ref
                .gql(Some(&token), query, json!({ "id": id, "v": 1 }))
                .await
        });
    }
    let results = futures_util::future::join_all(tasks).await;
    let winners = results.iter().filter(|b| b["errors"].is_null()).count();
    let losers: Vec<String> = results.iter().flat_map(codes).collect();
    assert_eq!(winners, 1, "{results:?}");
    assert!(
        losers
            .iter()
            .all(|c| c == "CONFLICT" || c == "INVALID_TRANSITION"),
        "{losers:?}"
    );
    let trail = app.gql(Some(&co1), HISTORY, json!({ "id": id })).await;
    assert_eq!(
        trail["data"]["integration"]["history"]
            .as_array()
            .expect("h")
            .len(),
        2
    );
    let conflicts = losers.iter().filter(|c| *c == "CONFLICT").count();

    // Without expectedVersion, concurrent approvals still give one winner.
    let id = app
        .connect(&owner, Network::Facebook, "contested-page")
        .await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (app_ref, token, id) = (&app, co1.clone(), id.clone());
            async move {
                app_ref
                    .gql(Some(&token), APPROVE, json!({ "id": id }))
                    .await
            }
        })
        .collect();
    let results = futures_util::future::join_all(tasks).await;
    assert_eq!(results.iter().filter(|b| b["errors"].is_null()).count(), 1);
    let codes_second: Vec<String> = results.iter().flat_map(codes).collect();
    assert!(
        codes_second.iter().all(|c| c == "INVALID_TRANSITION"),
        "{codes_second:?}"
    );
    let body = app
        .gql(
            Some(&co1),
            "{ verifyAuditTrail { intact eventCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["verifyAuditTrail"]["intact"], true, "{body}");
    assert_eq!(body["data"]["verifyAuditTrail"]["eventCount"], 4);
    eprintln!(
        "concurrency ({:?}): 16 approve/reject attempts with expectedVersion: 1 winner, {conflicts} CONFLICT, {} INVALID_TRANSITION; 16 approvals without: 1 winner, 15 INVALID_TRANSITION",
        app.backend,
        15 - conflicts
    );
});
