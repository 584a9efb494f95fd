//! When posts leave: identical content spread apart across a tenant's accounts, the
//! time shown being the time it leaves; deliveries due after their account's token
//! ends flagged ahead; an account's upcoming deliveries listed on it.

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::Network,
};

use crate::{
    common::TestApp,
    db_test,
    posts::{POST, create, ok},
};

db_test!(
    identical_content_leaves_spread_apart_and_late_ones_are_flagged,
    async |app: TestApp| {
        let tenant = "post-spread";
        let co = app.token(tenant, "co", &[Compliance]);
        let at = "2030-01-02T09:00:00Z";
        let mut due = Vec::new();
        // Two advisors share the firm's article at 9:00, cased and spaced differently;
        // one of them to two LinkedIn profiles.
        for (sub, text, accounts) in [
            ("ann", "Our  Outlook for 2030", vec!["li-a1", "li-a2"]),
            ("bob", "our outlook for 2030", vec!["li-b1"]),
        ] {
            let person = app.actor(tenant, sub, &[Advisor]).await;
            let mut targets = Vec::new();
            for account in accounts {
                targets.push(app.connect(&person, Network::Linkedin, account).await);
            }
            let token = app.token(tenant, sub, &[Advisor]);
            let input = json!({ "text": text, "link": "https://example.com/o", "targets": targets, "scheduledAt": at });
            let post = ok(
                &app,
                &token,
                &create(POST),
                json!({ "input": input, "submit": true }),
            )
            .await;
            let approved = ok(&app, &co, "mutation($id: ID!, $hash: String!) { approvePost(id: $id, contentHash: $hash) { deliveries { dueAt atRisk } } }", json!({ "id": post["id"], "hash": post["contentHash"] })).await;
            for delivery in approved["deliveries"].as_array().expect("deliveries") {
                assert_eq!(
                    delivery["atRisk"], false,
                    "the sandbox-less account has no end"
                );
                let time: chrono::DateTime<chrono::Utc> = delivery["dueAt"]
                    .as_str()
                    .expect("due")
                    .parse()
                    .expect("time");
                due.push(time);
            }
        }
        due.sort();
        let nine: chrono::DateTime<chrono::Utc> = at.parse().expect("time");

        // A delivery due after its account's token ends is flagged ahead.
        let cy = app.actor(tenant, "cy", &[Advisor]).await;
        let ending = socialgate::service::lifecycle::NewAccount {
            network: Network::Linkedin,
            display_name: "Cy".into(),
            profile_url: None,
            external_account_id: "li-c1".into(),
            network_user_id: None,
            scopes: vec!["openid".into(), "w_member_social".into()],
            token_expires_at: Some(nine - chrono::Duration::days(1)),
            tokens: None,
        };
        let id = crate::common::connected(&app.app, &cy, ending).await;
        let gid = socialgate::graphql::ids::IntegrationGid(id).encoded();
        let token = app.token(tenant, "cy", &[Advisor]);
        let input = json!({ "text": "Rates", "targets": [gid], "scheduledAt": at });
        let post = ok(
            &app,
            &token,
            &create(POST),
            json!({ "input": input, "submit": true }),
        )
        .await;
        let approved = ok(&app, &co, "mutation($id: ID!, $hash: String!) { approvePost(id: $id, contentHash: $hash) { deliveries { atRisk } } }", json!({ "id": post["id"], "hash": post["contentHash"] })).await;
        assert_eq!(approved["deliveries"][0]["atRisk"], true);
        // Three posts in the tenant: pages of two, within the integrations' bounds.
        let page = ok(
            &app,
            &co,
            "{ posts(first: 2) { pageInfo { hasNextPage } edges { cursor } } }",
            json!({}),
        )
        .await;
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
        let after = page["edges"][1]["cursor"].clone();
        let rest = ok(&app, &co, "query($after: String) { posts(first: 2, after: $after) { pageInfo { hasNextPage } edges { cursor } } }", json!({ "after": after })).await;
        assert_eq!(rest["edges"].as_array().map(Vec::len), Some(1));
        assert_eq!(rest["pageInfo"]["hasNextPage"], false);
        let too_many = app
            .gql(
                Some(&co),
                "{ posts(first: 101) { edges { cursor } } }",
                json!({}),
            )
            .await;
        assert_eq!(crate::common::codes(&too_many), ["BAD_USER_INPUT"]);
        // The account lists what is still to leave through it.
        let account = ok(&app, &token, "query($id: ID!) { integration(id: $id) { upcomingDeliveries { status atRisk dueAt } } }", json!({ "id": gid })).await;
        assert_eq!(
            account["upcomingDeliveries"],
            json!([{ "status": "SCHEDULED", "atRisk": true, "dueAt": "2030-01-02T09:00:00+00:00" }])
        );
        assert_eq!(due[0], nine, "the first leaves when asked");
        for pair in due.windows(2) {
            assert!(
                pair[1] - pair[0] >= chrono::Duration::seconds(60),
                "{due:?}"
            );
        }
    }
);
