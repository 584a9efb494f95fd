//! Relay pagination: cursors are stable, pages cover every row once, `first` is capped
//! and a bad cursor is BAD_USER_INPUT.

use serde_json::{Value, json};
use socialgate::auth::Role;

use crate::{
    common::{TestApp, codes},
    db_test,
};

const PAGE: &str = r#"query($first: Int, $after: String, $filter: IntegrationFilter) {
  integrations(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id status network } }
  }
}"#;

async fn walk(app: &TestApp, token: &str, size: i64, filter: Value) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let vars = json!({ "first": size, "after": after, "filter": filter });
        let body = app.gql(Some(token), PAGE, vars).await;
        assert!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["integrations"];
        for edge in page["edges"].as_array().expect("edges") {
            seen.push((
                edge["cursor"].as_str().expect("cursor").to_owned(),
                edge["node"]["id"].as_str().expect("id").to_owned(),
            ));
        }
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        if page["pageInfo"]["hasNextPage"] == false {
            return seen;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

db_test!(
    cursors_are_stable_and_cover_every_row_once,
    async |app: TestApp| {
        let seeded = app.seed(1, 12).await;
        let tenant = &seeded[0];
        let token = app.token(&tenant.tenant_id, "compliance-1", &[Role::Compliance]);

        let first_walk = walk(&app, &token, 7, Value::Null).await;
        assert_eq!(first_walk.len(), tenant.integrations);
        let mut unique: Vec<_> = first_walk.iter().map(|(_, id)| id.clone()).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), tenant.integrations, "no row twice");

        let second_walk = walk(&app, &token, 7, Value::Null).await;
        assert_eq!(
            first_walk, second_walk,
            "same cursors and order on a second walk"
        );
        let one_page = walk(&app, &token, 100, Value::Null).await;
        assert_eq!(
            first_walk, one_page,
            "page size does not change order or cursors"
        );

        // Filters page the same way and agree with totalCount.
        let filter =
            json!({ "statuses": ["ACTIVE", "EXPIRED"], "networks": ["LINKEDIN", "FACEBOOK"] });
        let filtered = walk(&app, &token, 3, filter.clone()).await;
        let body = app
            .gql(Some(&token), PAGE, json!({ "first": 1, "filter": filter }))
            .await;
        assert_eq!(body["data"]["integrations"]["totalCount"], filtered.len());
        let body = app
            .gql(
                Some(&token),
                PAGE,
                json!({ "first": 100, "filter": filter }),
            )
            .await;
        for edge in body["data"]["integrations"]["edges"]
            .as_array()
            .expect("edges")
        {
            assert!(["ACTIVE", "EXPIRED"].contains(&edge["node"]["status"].as_str().expect("s")));
            assert!(
                ["LINKEDIN", "FACEBOOK"].contains(&edge["node"]["network"].as_str().expect("n"))
            );
        }
    }
);

db_test!(
    page_size_is_capped_and_cursors_checked,
    async |app: TestApp| {
        let seeded = app.seed(1, 2).await;
        let token = app.token(&seeded[0].tenant_id, "compliance-1", &[Role::Compliance]);
        for (vars, why) in [
            (json!({ "first": 101 }), "over the cap"),
            (json!({ "first": -1 }), "negative"),
            (
                json!({ "first": 5, "after": "bm90LWEtY3Vyc29y" }),
                "a cursor we never issued",
            ),
            (json!({ "first": 5, "after": "%%%" }), "not base64"),
        ] {
            let body = app.gql(Some(&token), PAGE, vars).await;
            assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{why}: {body}");
        }
        let body = app.gql(Some(&token), PAGE, json!({ "first": 100 })).await;
        assert!(body["errors"].is_null(), "{body}");
        let body = app.gql(Some(&token), PAGE, json!({})).await;
        let default_page = body["data"]["integrations"]["edges"]
            .as_array()
            .expect("edges")
            .len();
        assert_eq!(default_page, seeded[0].integrations.min(20));
    }
);
