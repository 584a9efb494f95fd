//! The host's own code reading a connection's token: off until an admin turns it on,
//! only for a `service` token sent without a browser's Origin, only for an ACTIVE
//! integration of the caller's tenant, and every read in the audit trail first.

use serde_json::json;
use socialgate::auth::Role::{Admin, Advisor, Compliance, Service};

use crate::{
    common::{TestApp, codes},
    connect::connect_as,
    db_test,
    posts::ok,
};

async fn read(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    app.gql(Some(token), READ, json!({ "id": id })).await
}

const READ: &str = "mutation($id: ID!) { hostAccessToken(integrationId: $id) { accessToken expiresAt network accountId } }";

db_test!(
    only_the_hosts_service_reads_an_active_tokens_and_each_read_is_audited,
    async |app: TestApp| {
        let t = "host-access";
        let advisor = app.token(t, "avery", &[Advisor]);
        let co = app.token(t, "dana", &[Compliance]);
        let admin = app.token(t, "ari", &[Admin]);
        let service = app.token(t, "publisher", &[Service]);
        let li = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;

        // Off by default, even for the service.
        assert_eq!(codes(&read(&app, &service, &li).await), ["FORBIDDEN"]);
        let on = "mutation { updateTenantSettings(input: { hostTokenAccess: true }) { hostTokenAccess } }";
        assert_eq!(
            codes(&app.gql(Some(&co), on, json!({})).await),
            ["FORBIDDEN"]
        );
        let settings = ok(&app, &admin, on, json!({})).await;
        assert_eq!(settings["hostTokenAccess"], true);

        // Never a person's token, never from a browser, never a PENDING account.
        assert_eq!(codes(&read(&app, &advisor, &li).await), ["FORBIDDEN"]);
        assert_eq!(codes(&read(&app, &admin, &li).await), ["FORBIDDEN"]);
        let from_browser = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&service)
            .header("Origin", "https://admin.example.com")
            .json(&json!({ "query": READ, "variables": { "id": li } }))
            .send()
            .await
            .expect("send")
            .json::<serde_json::Value>()
            .await
            .expect("json");
        assert_eq!(codes(&from_browser), ["FORBIDDEN"], "{from_browser}");
        assert_eq!(
            codes(&read(&app, &service, &li).await),
            ["INVALID_TRANSITION"]
        );

        // ACTIVE: the token the sandbox issued, the read in the trail.
        let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";
        ok(&app, &co, approve, json!({ "id": li })).await;
        let granted = ok(&app, &service, READ, json!({ "id": li })).await;
        let token = granted["accessToken"].as_str().expect("token");
        assert!(
            token.starts_with("AQV"),
            "a sandbox LinkedIn token: {granted}"
        );
        assert_eq!(granted["network"], "LINKEDIN");
        let trail = ok(
            &app,
            &co,
            "query($id: ID!) { auditTrail(integrationId: $id) { kind actor { subject } } }",
            json!({ "id": li }),
        )
        .await;
        let last = trail
            .as_array()
            .and_then(|t| t.last())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            last,
            json!({ "kind": "TOKEN_READ", "actor": { "subject": "publisher" } })
        );
        let text = trail.to_string();
        assert!(!text.contains(token), "the token is never in the trail");

        // Another tenant's service sees nothing of it.
        let other = app.token("host-access-other", "publisher", &[Service]);
        assert_eq!(codes(&read(&app, &other, &li).await), ["NOT_FOUND"]);
    }
);
