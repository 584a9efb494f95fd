//! Tenant isolation: two tenants × three roles; no read crosses a tenant, advisors see
//! only their own, and guessed or foreign ids are NOT_FOUND (never FORBIDDEN).

use serde_json::{Value, json};
use socialgate::auth::Role;

use crate::{
    common::{TestApp, codes},
    db_test,
};

const LIST: &str = r#"query($filter: IntegrationFilter) {
  integrations(first: 100, filter: $filter) {
    totalCount
    edges { node { id owner { id subject } } }
  }
  integrationCounts { status count }
}"#;

const ONE: &str = "query($id: ID!) { integration(id: $id) { id displayName } }";

fn ids(body: &Value) -> Vec<String> {
    body["data"]["integrations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

fn owners(body: &Value) -> Vec<String> {
    body["data"]["integrations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            e["node"]["owner"]["subject"]
                .as_str()
                .expect("subject")
                .to_owned()
        })
        .collect()
}

db_test!(no_read_crosses_tenants_or_owners, async |app: TestApp| {
    let seeded = app.seed(2, 3).await;
    let (a, b) = (&seeded[0], &seeded[1]);
    let tokens = |tenant: &str| {
        [
            ("advisor", app.token(tenant, "advisor-1", &[Role::Advisor])),
            (
                "compliance",
                app.token(tenant, "compliance-1", &[Role::Compliance]),
            ),
            ("admin", app.token(tenant, "admin-1", &[Role::Admin])),
        ]
    };

    // Compliance and admin see the whole tenant; the advisor sees only their own.
    let mut all_ids = Vec::new();
    for tenant in [a, b] {
        let mut tenant_ids = Vec::new();
        for (role, token) in tokens(&tenant.tenant_id) {
            let body = app.gql(Some(&token), LIST, json!({})).await;
            assert!(body["errors"].is_null(), "{role}: {body}");
            let total = body["data"]["integrations"]["totalCount"]
                .as_u64()
                .expect("total");
            let counted: i64 = body["data"]["integrationCounts"]
                .as_array()
                .expect("counts")
                .iter()
                .map(|c| c["count"].as_i64().expect("count"))
                .sum();
            assert_eq!(counted as u64, total, "{role}: counts agree with the list");
            if role == "advisor" {
                assert!(
                    owners(&body).iter().all(|s| s == "advisor-1"),
                    "{role}: {body}"
                );
                assert!(total >= 1 && (total as usize) < tenant.integrations);
            } else {
                assert_eq!(
                    total as usize, tenant.integrations,
                    "{role} sees the tenant"
                );
                tenant_ids = ids(&body);
            }
        }
        all_ids.push(tenant_ids);
    }

    // Every id of one tenant is NOT_FOUND for every role of the other.
    for (mine, theirs) in [(a, &all_ids[1]), (b, &all_ids[0])] {
        for (role, token) in tokens(&mine.tenant_id) {
            for id in theirs {
                let body = app.gql(Some(&token), ONE, json!({ "id": id })).await;
                assert_eq!(
                    codes(&body),
                    ["NOT_FOUND"],
                    "{role} reading a foreign id: {body}"
                );
                assert!(body["data"]["integration"].is_null());
            }
        }
    }

    // Within a tenant, an advisor cannot read a colleague's integration.
    let compliance = app.token(&a.tenant_id, "compliance-1", &[Role::Compliance]);
    let tenant_a = app.gql(Some(&compliance), LIST, json!({})).await;
    let advisor = app.token(&a.tenant_id, "advisor-1", &[Role::Advisor]);
    let mut colleague_ids = 0;
    for edge in tenant_a["data"]["integrations"]["edges"]
        .as_array()
        .expect("edges")
    {
        let id = edge["node"]["id"].as_str().expect("id");
        let body = app.gql(Some(&advisor), ONE, json!({ "id": id })).await;
        if edge["node"]["owner"]["subject"] == "advisor-1" {
            assert!(body["errors"].is_null(), "{body}");
            assert_eq!(body["data"]["integration"]["id"], id);
        } else {
            colleague_ids += 1;
            assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
        }
    }
    assert!(colleague_ids > 0, "the seed gives colleagues integrations");

    // A guessed id is NOT_FOUND; a malformed one is BAD_USER_INPUT.
    let guessed =
        socialgate::graphql::ids::IntegrationGid(socialgate::domain::IntegrationId::generate())
            .encoded();
    let body = app
        .gql(Some(&compliance), ONE, json!({ "id": guessed }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    let body = app
        .gql(Some(&compliance), ONE, json!({ "id": "12345" }))
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");

    // Filtering by another tenant's owner finds nothing.
    let b_compliance = app.token(&b.tenant_id, "compliance-1", &[Role::Compliance]);
    let b_list = app.gql(Some(&b_compliance), LIST, json!({})).await;
    let b_owner = b_list["data"]["integrations"]["edges"][0]["node"]["owner"]["id"].clone();
    let body = app
        .gql(
            Some(&compliance),
            LIST,
            json!({ "filter": { "owner": b_owner } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["integrations"]["totalCount"], 0);
});
