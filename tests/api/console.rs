//! The built-in console and what it leans on: its files served with a strict policy,
//! dev tokens for the two people of the dev tenant (dev mode, this machine only), and a
//! `networks` listing that says which networks can be connected now.

use serde_json::{Value, json};

use crate::{common::TestApp, db_test};

async fn dev_token(app: &TestApp, body: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = app
        .http
        .post(format!("{}/dev/token", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("dev token");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

db_test!(
    dev_people_get_tokens_on_this_machine_only,
    config = |c: &mut socialgate::config::Config| c.dev = true,
    async |app: TestApp| {
        let (status, advisor) = dev_token(&app, r#"{"person":"advisor"}"#, &[]).await;
        assert_eq!(status, 200, "{advisor}");
        assert_eq!(advisor["roles"], json!(["ADVISOR"]));
        let (_, compliance) = dev_token(&app, r#"{"person":"compliance"}"#, &[]).await;
        let viewer = "{ viewer { subject user { name } roles tenant { externalId } } }";
        let body = app
            .gql(compliance["token"].as_str(), viewer, json!({}))
            .await;
        assert_eq!(
            body["data"]["viewer"],
            json!({ "subject": "dev-compliance", "user": { "name": "Casey Lin" }, "roles": ["COMPLIANCE"], "tenant": { "externalId": "dev" } }),
            "{body}"
        );
        let body = app.gql(advisor["token"].as_str(), viewer, json!({})).await;
        assert_eq!(body["data"]["viewer"]["subject"], "dev-advisor", "{body}");

        // Through a proxy, under another name (DNS rebinding), without a JSON body, or
        // for someone else: refused.
        let refused = [
            (
                r#"{"person":"advisor"}"#,
                ("x-forwarded-for", "203.0.113.9"),
                403,
            ),
            (
                r#"{"person":"advisor"}"#,
                ("host", "evil.example.net:8080"),
                403,
            ),
            (r#"{"person":"admin"}"#, ("x-request-id", "1"), 400),
            (r#"person=advisor"#, ("x-request-id", "2"), 400),
        ];
        for (body, header, expected) in refused {
            let (status, answer) = dev_token(&app, body, &[header]).await;
            assert_eq!(status, expected, "{body} {header:?}: {answer}");
            assert!(answer.get("token").is_none(), "{answer}");
        }
        let plain = app
            .http
            .post(format!("{}/dev/token", app.base))
            .header("content-type", "text/plain")
            .body(r#"{"person":"advisor"}"#)
            .send()
            .await
            .expect("send");
        assert_eq!(
            plain.status(),
            415,
            "a form post from another site is refused"
        );
    }
);

db_test!(
    no_dev_tokens_and_no_console_outside_dev_mode,
    async |app: TestApp| {
        let (status, _) = dev_token(&app, r#"{"person":"compliance"}"#, &[]).await;
        assert_eq!(status, 404, "the route does not exist");
        let console = app
            .http
            .get(format!("{}/console/", app.base))
            .send()
            .await
            .expect("console");
        assert_eq!(console.status(), 404);
    }
);

db_test!(
    the_console_is_served_with_a_strict_policy,
    config = |c: &mut socialgate::config::Config| c.console = Some(true),
    async |app: TestApp| {
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let bare = no_redirects
            .get(format!("{}/console", app.base))
            .send()
            .await
            .expect("bare");
        assert_eq!(bare.status(), 308);
        assert_eq!(
            bare.headers()["location"],
            "console/",
            "relative, so a mount point is kept"
        );
        let page = app
            .http
            .get(format!("{}/console/", app.base))
            .send()
            .await
            .expect("index");
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        let policy = page.headers()["content-security-policy"]
            .to_str()
            .expect("policy")
            .to_owned();
        assert!(
            policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
            "{policy}"
        );
        let html = page.text().await.expect("html");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no CDN, no absolute link: {html}"
        );
        let missing = app
            .http
            .get(format!("{}/console/nothing.js", app.base))
            .send()
            .await
            .expect("missing");
        assert_eq!(missing.status(), 404);
        // The console's own origin receives the popup's message and opens sockets.
        let origins = app.app.config.origins();
        assert!(origins.accepts(&app.base));
        assert!(origins.message_targets().contains(&app.base));
        assert!(
            !origins.lists_url(&format!("{}/graphiql", app.base)),
            "but it is no returnTo"
        );
    }
);

const NETWORKS: &str = "{ networks { key supported unsupportedReason } }";

db_test!(
    networks_without_credentials_or_sandbox_are_not_offered,
    config = |c: &mut socialgate::config::Config| c.sandbox = Some(false),
    async |app: TestApp| {
        let token = app.token("bare", "avery", &[socialgate::auth::Role::Advisor]);
        let body = app.gql(Some(&token), NETWORKS, json!({})).await;
        let networks = body["data"]["networks"].as_array().expect("networks");
        assert_eq!(networks.len(), 4, "{body}");
        for network in networks {
            assert_eq!(network["supported"], false, "{network}");
        }
        assert!(
            networks[0]["unsupportedReason"]
                .as_str()
                .expect("reason")
                .contains("SOCIALGATE_LINKEDIN_CLIENT_ID"),
            "{body}"
        );
        let body = app
            .gql(
                Some(&token),
                "mutation { connectIntegration(network: LINKEDIN) { attemptId } }",
                json!({}),
            )
            .await;
        assert_eq!(
            crate::common::codes(&body),
            ["UNSUPPORTED_NETWORK"],
            "{body}"
        );
    }
);

db_test!(sandboxed_networks_are_offered, async |app: TestApp| {
    let token = app.token("sbx", "avery", &[socialgate::auth::Role::Advisor]);
    let body = app.gql(Some(&token), NETWORKS, json!({})).await;
    let supported: Vec<(&str, bool)> = body["data"]["networks"]
        .as_array()
        .expect("networks")
        .iter()
        .map(|n| {
            (
                n["key"].as_str().unwrap_or(""),
                n["supported"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        supported,
        [
            ("LINKEDIN", true),
            ("FACEBOOK", true),
            ("INSTAGRAM", true),
            ("X", false)
        ],
        "{body}"
    );
});
