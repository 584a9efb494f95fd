//! Sandbox simulations walk every status at the next check, the sandbox remembers its
//! tokens across a restart, and a reconnect confirms its own Page without a choice.

use super::*;

db_test!(
    sandbox_simulations_walk_every_status_at_the_next_check,
    async |app: TestApp| {
        let advisor = app.token("walk", "riley", &[Advisor]);
        let compliance = app.token("walk", "dana", &[Compliance]);
        let check = "mutation($id: ID!) { checkIntegration(id: $id) { status statusReason statusRemedy consecutiveFailures lastCheckedAt } }";
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";

        let page = connect_as(&app, &advisor, "FACEBOOK", "fb-riley").await;
        app.gql(Some(&compliance), approve, json!({ "id": page }))
            .await;

        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        let checked = &body["data"]["checkIntegration"];
        assert_eq!(
            (
                checked["status"].as_str(),
                checked["consecutiveFailures"].as_i64()
            ),
            (Some("ACTIVE"), Some(0)),
            "{body}"
        );
        assert!(checked["lastCheckedAt"].is_string());

        // A passing outage never turns it INVALID; it is counted, and forgotten when over.
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "OUTAGE" }),
        )
        .await;
        for failures in 1..=2 {
            let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
            assert_eq!(
                body["data"]["checkIntegration"]["status"], "ACTIVE",
                "{body}"
            );
            assert_eq!(
                body["data"]["checkIntegration"]["consecutiveFailures"],
                failures
            );
        }
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "RESTORE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        assert_eq!(body["data"]["checkIntegration"]["consecutiveFailures"], 0);

        // A lost Page role is definitive.
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "LOSE_PAGE_ROLE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        let checked = &body["data"]["checkIntegration"];
        assert_eq!(
            (checked["status"].as_str(), checked["statusReason"].as_str()),
            (Some("INVALID"), Some("PAGE_ROLE_LOST")),
            "{body}"
        );
        assert!(
            checked["statusRemedy"]
                .as_str()
                .expect("remedy")
                .contains("Page admin")
        );

        // LinkedIn expiry and password change map to their documented reasons.
        let member = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": member, "e": "EXPIRE" }),
        )
        .await;
        let body = app
            .gql(Some(&advisor), check, json!({ "id": member }))
            .await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "TOKEN_EXPIRED",
            "{body}"
        );
        assert_eq!(body["data"]["checkIntegration"]["status"], "EXPIRED");
        let jordan = app.token("walk", "jordan", &[Advisor]);
        let revoked = connect_as(&app, &jordan, "LINKEDIN", "li-jordan").await;
        app.gql(
            Some(&jordan),
            simulate,
            json!({ "id": revoked, "e": "REVOKE_ACCESS" }),
        )
        .await;
        let body = app
            .gql(Some(&jordan), check, json!({ "id": revoked }))
            .await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "ACCESS_REVOKED",
            "confirmed by introspection: {body}"
        );
        let insta = connect_as(&app, &advisor, "INSTAGRAM", "ig-lindqvist").await;
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": insta, "e": "PASSWORD_CHANGE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": insta })).await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "PASSWORD_CHANGED",
            "{body}"
        );

        // Only conditions the network has: a LinkedIn profile has no Page role.
        let body = app
            .gql(
                Some(&jordan),
                simulate,
                json!({ "id": revoked, "e": "LOSE_PAGE_ROLE" }),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        let offered = app
            .gql(
                Some(&advisor),
                "{ networks { key sandboxSimulations } }",
                json!({}),
            )
            .await;
        let offered = |key: &str| -> Vec<String> {
            let networks = offered["data"]["networks"].as_array().expect("networks");
            let network = networks.iter().find(|n| n["key"] == key).expect(key);
            serde_json::from_value(network["sandboxSimulations"].clone()).expect("list")
        };
        assert!(offered("FACEBOOK").contains(&"LOSE_PAGE_ROLE".to_owned()));
        assert!(!offered("LINKEDIN").contains(&"LOSE_PAGE_ROLE".to_owned()));
        assert!(!offered("INSTAGRAM").contains(&"REFUSE_POSTS_AS_DUPLICATES".to_owned()));
        assert_eq!(offered("X"), Vec::<String>::new());
    }
);

db_test!(
    the_sandbox_remembers_its_tokens_across_a_restart,
    async |app: TestApp| {
        let advisor = app.token("restart", "riley", &[Advisor]);
        let check =
            "mutation($id: ID!) { checkIntegration(id: $id) { status consecutiveFailures } }";
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        let page = connect_as(&app, &advisor, "FACEBOOK", "fb-riley").await;
        let member = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        let body = app
            .gql(
                Some(&advisor),
                simulate,
                json!({ "id": page, "e": "OUTAGE" }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        // The sandbox writes behind its answers; wait until the condition is stored.
        let mut stored = false;
        for _ in 0..100 {
            let rows = app.store.sandbox_tokens().await.expect("rows");
            if rows
                .iter()
                .any(|r| r.condition.as_deref() == Some("outage"))
            {
                assert!(
                    rows.iter().all(|r| r.token_hash.len() == 64),
                    "only hashes are kept"
                );
                stored = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(stored, "the condition reached the database");

        // A new server on the same database, as after `cargo run` again.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = app.app.config.clone();
        config.public_url = Some(base.clone());
        let again = socialgate::Socialgate::with_store(config, app.store.clone())
            .await
            .expect("restart");
        let limits = again.app().config.serve_limits();
        tokio::spawn(socialgate::http::serve(
            listener,
            again.router(),
            limits,
            std::future::pending(),
        ));
        let ask = |id: &str| {
            let body = json!({ "query": check, "variables": { "id": id } });
            app.http
                .post(format!("{base}/graphql"))
                .bearer_auth(&advisor)
                .json(&body)
                .send()
        };
        let body: Value = ask(&member)
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            body["data"]["checkIntegration"],
            json!({ "status": "PENDING", "consecutiveFailures": 0 }),
            "the restarted sandbox still knows the token: {body}"
        );
        let body: Value = ask(&page).await.expect("send").json().await.expect("json");
        assert_eq!(
            body["data"]["checkIntegration"],
            json!({ "status": "PENDING", "consecutiveFailures": 1 }),
            "and what it was told to simulate: {body}"
        );
        again.begin_shutdown();
    }
);

db_test!(
    a_reconnect_confirms_its_own_page_without_a_choice,
    async |app: TestApp| {
        let advisor = app.token("again-fb", "morgan", &[Advisor]);
        let compliance = app.token("again-fb", "dana", &[Compliance]);
        let (attempt, url) = connect(&app, &advisor, "FACEBOOK").await;
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        let page = body["data"]["connectionAttempt"]["candidates"][1]["id"].clone();
        let body = complete(&app, &advisor, &popup, page.as_str()).await;
        let id = body["data"]["completeConnection"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let reject = "mutation($id: ID!) { rejectIntegration(id: $id, note: \"Use the firm's Page\") { status } }";
        let body = app
            .gql(Some(&compliance), reject, json!({ "id": id }))
            .await;
        assert!(body["errors"].is_null(), "{body}");

        // The same login offers two Pages again, but a reconnect is bound to its own:
        // the frontend confirms, there is nothing to choose.
        let review = "mutation($id: ID!) { reviewIntegration(id: $id, action: RECONNECT) { authorizationUrl attemptId } }";
        let body = app.gql(Some(&advisor), review, json!({ "id": id })).await;
        let payload = &body["data"]["reviewIntegration"];
        let url = payload["authorizationUrl"]
            .as_str()
            .expect("url")
            .to_owned();
        let attempt = payload["attemptId"].as_str().expect("attempt").to_owned();
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "AWAITING_CONFIRMATION",
            "{body}"
        );
        let body = complete(&app, &advisor, &popup, None).await;
        assert_eq!(
            body["data"]["completeConnection"]["id"],
            id.as_str(),
            "{body}"
        );
        assert_eq!(
            body["data"]["completeConnection"]["displayName"],
            "Lindqvist Retirement Planning"
        );
    }
);
