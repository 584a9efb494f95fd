//! The flow end to end: connect, consent, callback, PENDING, approve, ACTIVE; Facebook
//! Page selection and the refusals a person can act on.

use super::*;

db_test!(
    connect_approve_end_to_end_through_the_sandbox,
    async |app: TestApp| {
        let advisor = app.token("e2e", "avery", &[Advisor]);
        let compliance = app.token("e2e", "dana", &[Compliance]);

        let (attempt, url) = connect(&app, &advisor, "LINKEDIN").await;
        assert!(
            url.starts_with(&format!(
                "{}/sandbox/linkedin/oauth/v2/authorization?",
                app.base
            )),
            "{url}"
        );
        assert!(
            url.contains("state=") && url.contains("w_member_social"),
            "{url}"
        );
        let popup = sign_in(&app, &url, Some("li-avery")).await;
        assert_eq!(popup.status, 200);
        assert_eq!(popup.message["attemptId"], attempt.as_str());
        assert_eq!(popup.message["accounts"], 1);
        // One account: the frontend confirms it, there is nothing to choose.
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "AWAITING_CONFIRMATION",
            "{body}"
        );
        // Nothing is stored until the owner's frontend completes with the code.
        assert_eq!(
            app.gql(Some(&advisor), COUNT, json!({})).await["data"]["integrations"]["totalCount"],
            0
        );
        let body = complete(&app, &advisor, &popup, None).await;
        assert!(body["errors"].is_null(), "{body}");
        let id = body["data"]["completeConnection"]["id"]
            .as_str()
            .expect("integration")
            .to_owned();

        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "COMPLETED",
            "{body}"
        );
        assert_eq!(
            body["data"]["connectionAttempt"]["integration"],
            json!({ "id": id, "status": "PENDING" })
        );

        let body = app
        .gql(Some(&compliance), "mutation($id: ID!) { approveIntegration(id: $id) { status displayName network accountKind permissions tokenExpiresAt } }", json!({ "id": id }))
        .await;
        assert!(body["errors"].is_null(), "{body}");
        let approved = &body["data"]["approveIntegration"];
        assert_eq!(approved["status"], "ACTIVE");
        assert_eq!(approved["displayName"], "Avery Chen");
        assert_eq!(approved["accountKind"], "MEMBER_PROFILE");
        assert!(
            approved["permissions"]
                .as_array()
                .expect("perms")
                .contains(&json!("w_member_social"))
        );
        assert!(
            approved["tokenExpiresAt"].is_string(),
            "the 60-day lifetime is recorded"
        );

        // The token is stored sealed: it opens for this row, and is in the API only as
        // the opt-in, audited host access (its own type and mutation).
        let raw = crate::common::integration_id(&id);
        let actor = app.actor("e2e", "avery", &[Advisor]).await;
        let tokens = socialgate::service::tokens::open(&app.app, actor.tenant_id, raw)
            .await
            .expect("open")
            .expect("stored");
        assert!(tokens.access.expose().starts_with("AQV"));
        let schema =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
                .expect("sdl");
        let schema = schema.to_lowercase();
        let host_type = schema
            .split("\ntype ")
            .filter(|t| !t.starts_with("hostaccesstoken "))
            .collect::<Vec<_>>()
            .join("\ntype ");
        let elsewhere = host_type
            .lines()
            .filter(|l| l.contains("accesstoken") && !l.contains("hostaccesstoken"))
            .collect::<Vec<_>>();
        assert!(
            elsewhere.is_empty(),
            "a token field outside host access: {elsewhere:?}"
        );
    }
);

db_test!(
    facebook_pages_selection_and_refusals,
    async |app: TestApp| {
        let advisor = app.token("fb", "morgan", &[Advisor]);

        // A login with two Pages waits for a choice.
        let (attempt, url) = connect(&app, &advisor, "FACEBOOK").await;
        assert!(
            !url.contains("code_challenge="),
            "Facebook's Login dialog documents no PKCE: {url}"
        );
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        assert_eq!(popup.message["status"], "confirm", "{}", popup.message);
        assert_eq!(popup.message["accounts"], 2);
        let code = popup.message["completionCode"].clone();
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        let attempt_view = &body["data"]["connectionAttempt"];
        assert_eq!(attempt_view["status"], "AWAITING_SELECTION");
        let candidates = attempt_view["candidates"]
            .as_array()
            .expect("candidates")
            .clone();
        assert_eq!(candidates.len(), 2);
        assert!(
            !body.to_string().contains("EAAG"),
            "candidates never carry tokens"
        );

        // Another user cannot see or complete the attempt.
        let other = app.token("fb", "intruder", &[Advisor]);
        let select = "mutation($a: ID!, $p: String!, $c: String!) { selectAccount(attemptId: $a, accountId: $p, completionCode: $c) { displayName status accountKind } }";
        let body = app
            .gql(
                Some(&other),
                select,
                json!({ "a": attempt, "p": candidates[0]["id"], "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": "not-offered", "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": candidates[1]["id"], "c": code }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(
            body["data"]["selectAccount"]["displayName"],
            "Lindqvist Retirement Planning"
        );
        assert_eq!(
            body["data"]["selectAccount"]["accountKind"],
            "FACEBOOK_PAGE"
        );
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": candidates[0]["id"], "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["INVALID_TRANSITION"], "single use: {body}");

        // The second Page is over the limit, before any redirect.
        let body = app
            .gql(Some(&advisor), CONNECT, json!({ "n": "FACEBOOK" }))
            .await;
        assert_eq!(codes(&body), ["LIMIT_REACHED"], "{body}");

        // A personal profile is refused clearly and nothing is stored.
        let personal = app.token("fb", "pat", &[Advisor]);
        let (attempt, url) = connect(&app, &personal, "FACEBOOK").await;
        let popup = sign_in(&app, &url, Some("fb-pat")).await;
        assert_eq!(popup.status, 400);
        assert_eq!(popup.message["status"], "failed");
        assert_eq!(
            popup.message["code"], "PERSONAL_PROFILE",
            "not a network outage"
        );
        assert!(
            popup.message["message"]
                .as_str()
                .expect("msg")
                .contains("personal profiles cannot be connected"),
            "{}",
            popup.message
        );
        let body = app
            .gql(Some(&personal), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(body["data"]["connectionAttempt"]["status"], "FAILED");
        assert_eq!(
            body["data"]["connectionAttempt"]["failureCode"],
            "PERSONAL_PROFILE"
        );
        assert_eq!(
            app.gql(Some(&personal), COUNT, json!({})).await["data"]["integrations"]["totalCount"],
            0
        );

        // Instagram: a personal account is refused, a business account connects.
        let (_, url) = connect(&app, &personal, "INSTAGRAM").await;
        let popup = sign_in(&app, &url, Some("ig-pat")).await;
        assert_eq!(popup.message["code"], "PERSONAL_INSTAGRAM_ACCOUNT");
        assert!(
            popup.message["message"]
                .as_str()
                .expect("msg")
                .contains("personal Instagram account"),
            "{}",
            popup.message
        );
        let (_, url) = connect(&app, &personal, "INSTAGRAM").await;
        let popup = sign_in(&app, &url, Some("ig-lindqvist")).await;
        let body = complete(&app, &personal, &popup, None).await;
        assert_eq!(
            body["data"]["completeConnection"]["accountKind"], "INSTAGRAM_PROFESSIONAL",
            "{body}"
        );
    }
);

db_test!(
    a_connect_is_finished_from_the_callback_page_without_a_console,
    config = |c: &mut socialgate::Config| c.dev = true,
    async |app: TestApp| {
        let advisor = app.token("anywhere", "riley", &[Advisor]);
        // In dev mode the server's own origin is a place to come back to.
        let own = format!("{}/graphiql", app.base);
        let body = app
            .gql(
                Some(&advisor),
                CONNECT,
                json!({ "n": "LINKEDIN", "r": own }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");

        // Started from GraphiQL: no window waits, so the page says how to finish.
        let (attempt, url) = connect(&app, &advisor, "LINKEDIN").await;
        let callback = consent(&app, &url, Some("li-avery")).await;
        let page = reqwest::get(&callback)
            .await
            .expect("callback")
            .text()
            .await
            .expect("html");
        assert!(page.contains("<h2>Finish here</h2>"), "{page}");
        let start = page.find("<pre id=\"finish-mutation\">").expect("mutation")
            + "<pre id=\"finish-mutation\">".len();
        let mutation = page[start..].split("</pre>").next().expect("end");
        let mutation = mutation.replace("&quot;", "\"");
        assert!(mutation.contains(&attempt), "{mutation}");
        let body = app.gql(Some(&advisor), &mutation, json!({})).await;
        assert_eq!(
            body["data"]["completeConnection"]["status"], "PENDING",
            "the mutation shown on the page completes the connection: {body}"
        );
    }
);
