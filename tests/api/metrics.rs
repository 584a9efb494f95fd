//! `/metrics`: after a little traffic (a named query, a refused one, a subscription, a
//! job, a health check), every listed series is there, in the Prometheus text format;
//! with `SOCIALGATE_METRICS_TOKEN` it needs that bearer token.

use std::time::Duration;

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::Network,
    jobs::Job,
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Protocol, Ws},
};

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = app.http.get(format!("{}/metrics", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("scrape");
    let status = response.status().as_u16();
    (status, response.text().await.expect("text"))
}

db_test!(metrics_show_every_listed_series, async |app: TestApp| {
    let advisor = app.token("metrics", "avery", &[Advisor]);
    let owner = app.actor("metrics", "avery", &[Advisor]).await;
    let id = app.connect(&owner, Network::Linkedin, "li-metrics").await;
    let body = app
        .gql(
            Some(&advisor),
            "query Dashboard { integrationCounts { status count } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql(
            Some(&advisor),
            "mutation($id: ID!) { approveIntegration(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(crate::common::codes(&body), ["FORBIDDEN"], "{body}");
    // One with a token for the probe job to ask the (sandbox) network about.
    crate::common::connected(
        &app.app,
        &owner,
        crate::common::account(Network::Linkedin, "li-probed", "AQVnot-issued"),
    )
    .await;
    let server = app.instance(|c| c.sandbox = Some(true)).await;
    server.jobs().run_once(Job::Expiry).await.expect("job");
    app.rewind("integrations", "last_checked_at", 1).await;
    server.jobs().run_once(Job::Probe).await.expect("probe");

    let compliance = app.token("metrics", "dana", &[Compliance]);
    let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
    ws.init(&compliance).await;
    ws.subscribe(
        "1",
        "subscription { integrationStatusChanged { cursor } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    for series in [
        r#"socialgate_graphql_requests_total{operation="Dashboard",outcome="ok"}"#,
        r#"socialgate_graphql_request_duration_seconds_bucket{operation="Dashboard",le="0.005"}"#,
        r#"socialgate_graphql_errors_total{code="FORBIDDEN"}"#,
        "socialgate_websockets_open ",
        "socialgate_subscriptions_active ",
        r#"socialgate_job_runs_total{job="expiry",outcome="ok"}"#,
        r#"socialgate_probe_outcomes_total{network="linkedin","#,
        r#"socialgate_integrations{status="pending"}"#,
        r#"socialgate_integrations{status="rejected"}"#,
        r#"socialgate_db_pool_connections{state="idle"}"#,
        r#"socialgate_db_pool_connections{state="in_use"}"#,
    ] {
        assert!(text.contains(series), "no {series} in:\n{text}");
    }
    ws.close().await;
});

db_test!(
    metrics_need_their_token_when_one_is_set,
    config = |c: &mut socialgate::config::Config| {
        c.metrics_token = Some(socialgate::config::Secret::new("scrape-me"));
        c.metrics_by_tenant = Some(true);
    },
    async |app: TestApp| {
        let owner = app.actor("by-tenant", "avery", &[Advisor]).await;
        app.connect(&owner, Network::Facebook, "fb-metrics").await;
        assert_eq!(scrape(&app, None).await.0, 401);
        assert_eq!(scrape(&app, Some("guess")).await.0, 401);
        let (status, text) = scrape(&app, Some("scrape-me")).await;
        assert_eq!(status, 200);
        assert!(
            text.contains(r#"tenant="by-tenant""#),
            "per tenant when asked:\n{text}"
        );
    }
);

db_test!(
    anonymous_names_make_no_labels_and_scrapes_share_a_rendering,
    async |app: TestApp| {
        // An anonymous client names its operations as it likes: none becomes a label.
        let name = format!("Anonymous{}", std::process::id());
        let body = app
            .gql(None, &format!("query {name} {{ __typename }}"), json!({}))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        // A signed-in caller's validated operation does.
        let token = app.token("labels", "avery", &[Advisor]);
        let signed = format!("Signed{}", std::process::id());
        app.gql(
            Some(&token),
            &format!("query {signed} {{ viewer {{ subject }} }}"),
            json!({}),
        )
        .await;
        let (_, first) = scrape(&app, None).await;
        assert!(!first.contains(&name), "an anonymous name became a label");
        assert!(
            first.contains(&format!("operation=\"{signed}\"")),
            "{first}"
        );
        // Traffic in between: a scrape within five seconds is the same rendering.
        app.gql(Some(&token), "{ viewer { subject } }", json!({}))
            .await;
        let (_, second) = scrape(&app, None).await;
        assert_eq!(
            first, second,
            "one rendering serves scrapes for a few seconds"
        );
    }
);
