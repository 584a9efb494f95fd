//! Facebook and Instagram signals reached by the scheduler on its own: a local server
//! answers like the Graph API (the error bodies Meta documents), every definitive
//! signal ends in its mapped status and reason with exactly one audit event and one
//! subscription event, and throttling, policy blocks and transient codes change nothing.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use entity::enums::{CheckOutcome, Status};
use serde_json::{Value, json};
use socialgate::{
    Socialgate,
    auth::Role::{Advisor, Compliance},
    config::Secret,
    domain::{IntegrationId, Network},
    graphql::ids::IntegrationGid,
    store::Scope,
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Protocol, Ws},
};

const TENANT: &str = "graph-signals";

/// Error answers per access token; a token without one is healthy.
type Script = Arc<Mutex<HashMap<String, (StatusCode, Value)>>>;

async fn me(State(script): State<Script>, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    match script.lock().expect("lock").get(&token) {
        Some((status, body)) => (*status, Json(body.clone())).into_response(),
        None => Json(json!({ "id": "1790", "name": "Healthy", "user_id": "1790" })).into_response(),
    }
}

fn graph_error(code: i64, subcode: Option<i64>) -> Value {
    crate::documented::graph::error(code, subcode, "Error validating access token").1
}

/// A Graph look-alike (Facebook under `/v25.0`, Instagram at the root) and a served
/// instance probing every second.
async fn instance(app: &TestApp, script: Script) -> (Socialgate, String) {
    let router = Router::new().route("/v25.0/me", get(me)).with_state(script);
    let base = crate::common::lookalike(router).await;
    let server = app
        .instance(|config| {
            config.facebook_app_id = Some("fb-app".into());
            config.facebook_app_secret = Some(Secret::new("fb-secret"));
            config.facebook_graph_url = base.clone();
            config.instagram_app_id = Some("ig-app".into());
            config.instagram_app_secret = Some(Secret::new("ig-secret"));
            config.instagram_graph_url = base;
            config.probe_interval = "1s".into();
            config.expiry_interval_secs = 3600;
        })
        .await;
    let served = crate::common::served(&server).await;
    (server, served)
}

/// A connected integration on `network` whose stored token is `token`, of its own
/// advisor (one Page and one Instagram account per person).
async fn connected(
    server: &Socialgate,
    app: &TestApp,
    network: Network,
    token: &str,
) -> IntegrationId {
    let owner = app.actor(TENANT, token, &[Advisor]).await;
    let account = crate::common::account(network, &format!("account-{token}"), token);
    crate::common::connected(server.app(), &owner, account).await
}

db_test!(
    graph_signals_move_integrations_on_the_schedulers_own_rounds,
    async |app: TestApp| {
        use Network::{Facebook, Instagram};
        let dead = [
            (Facebook, 190, Some(463), "EXPIRED", "TOKEN_EXPIRED"),
            (Facebook, 190, Some(460), "INVALID", "PASSWORD_CHANGED"),
            (Facebook, 190, Some(458), "INVALID", "APP_DEAUTHORIZED"),
            (Facebook, 190, Some(459), "INVALID", "CHECKPOINT_REQUIRED"),
            (Facebook, 190, Some(464), "INVALID", "USER_UNCONFIRMED"),
            (Facebook, 190, Some(467), "INVALID", "TOKEN_INVALIDATED"),
            (Facebook, 190, Some(492), "INVALID", "PAGE_ROLE_LOST"),
            (Facebook, 190, None, "INVALID", "ACCESS_REVOKED"),
            (Facebook, 10, None, "INVALID", "PERMISSION_REVOKED"),
            (Facebook, 200, None, "INVALID", "PERMISSION_REVOKED"),
            (Instagram, 190, Some(463), "EXPIRED", "TOKEN_EXPIRED"),
            (Instagram, 190, None, "INVALID", "ACCESS_REVOKED"),
            (Instagram, 10, None, "INVALID", "PERMISSION_REVOKED"),
        ];
        // A policy block and transient codes: counted, never a status change.
        let passing = [
            (Facebook, 368, StatusCode::BAD_REQUEST),
            (Facebook, 1, StatusCode::INTERNAL_SERVER_ERROR),
            (Instagram, 2, StatusCode::SERVICE_UNAVAILABLE),
        ];
        let script: Script = Arc::default();
        let (server, served) = instance(&app, script.clone()).await;
        let mut expected = HashMap::new();
        for (i, (network, code, sub, status, reason)) in dead.iter().enumerate() {
            let token = format!("dead-{i}-{code}");
            script.lock().expect("lock").insert(
                token.clone(),
                (StatusCode::BAD_REQUEST, graph_error(*code, *sub)),
            );
            let id = connected(&server, &app, *network, &token).await;
            expected.insert(IntegrationGid(id).encoded(), (id, *status, *reason));
        }
        let mut unchanged = Vec::new();
        for (i, (network, code, http)) in passing.iter().enumerate() {
            let token = format!("passing-{i}-{code}");
            script
                .lock()
                .expect("lock")
                .insert(token.clone(), (*http, graph_error(*code, None)));
            unchanged.push(connected(&server, &app, *network, &token).await);
        }

        let mut ws = Ws::connect(&served, Protocol::TransportWs).await;
        ws.init(&app.token(TENANT, "co", &[Compliance])).await;
        ws.subscribe(
            "feed",
            "subscription($after: String) { integrationStatusChanged(after: $after) { status reason integration { id } } }",
            json!({ "after": app.head(TENANT).await }),
        )
        .await;
        // The scheduler, as `serve` runs it: nothing here asks for a check.
        let scheduler = tokio::spawn(server.jobs().run(server.app().shutdown.subscribe()));
        let mut seen = HashSet::new();
        while seen.len() < expected.len() {
            let event = ws.event(Duration::from_secs(60)).await;
            let change = &event["integrationStatusChanged"];
            let gid = change["integration"]["id"].as_str().expect("id").to_owned();
            let (_, status, reason) = expected.get(&gid).expect("a dead integration moved");
            assert_eq!(change["status"], *status, "{reason}");
            assert_eq!(change["reason"], *reason);
            assert!(seen.insert(gid), "one event per integration");
        }
        // A few more rounds: nothing else moves.
        tokio::time::sleep(Duration::from_secs(3)).await;
        server.begin_shutdown();
        let _ = scheduler.await;

        let tenant = app.store.provision_tenant(TENANT).await.expect("tenant");
        let data = app.store.tenant(Scope::tenant(tenant.id));
        for (id, status, reason) in expected.values() {
            let row = data.integration(*id).await.expect("read").expect("row");
            assert_eq!(serde_json::json!(row.status), *status);
            let events = data.events_for(&[*id], true, None).await.expect("events");
            assert_eq!(
                events.len(),
                2,
                "{reason}: the connection and exactly one move"
            );
        }
        for id in unchanged {
            let row = data.integration(id).await.expect("read").expect("row");
            assert_eq!(row.status, Status::Pending, "a passing fault moved {id}");
            assert!(row.consecutive_failures >= 1, "the fault was counted");
            assert_eq!(
                data.events_for(&[id], true, None)
                    .await
                    .expect("events")
                    .len(),
                1
            );
        }
    }
);

db_test!(
    graph_throttling_pauses_the_network_and_changes_nothing,
    async |app: TestApp| {
        let script: Script = Arc::default();
        let (server, _) = instance(&app, script.clone()).await;
        let mut throttled = Vec::new();
        for code in [4, 17, 32, 613, 80001] {
            let token = format!("throttled-{code}");
            script.lock().expect("lock").insert(
                token.clone(),
                (StatusCode::BAD_REQUEST, graph_error(code, None)),
            );
            throttled.push(connected(&server, &app, Network::Facebook, &token).await);
        }
        let healthy = connected(&server, &app, Network::Instagram, "healthy").await;
        let tenant = app.store.provision_tenant(TENANT).await.expect("tenant");
        let data = app.store.tenant(Scope::tenant(tenant.id));
        // Each round with fresh jobs (no pause remembered) reaches the ones not yet
        // asked; the first throttle answer of a round pauses Facebook for that instance.
        for _ in 0..throttled.len() {
            server
                .jobs()
                .run_once(socialgate::jobs::Job::Probe)
                .await
                .expect("round");
        }
        for id in &throttled {
            let row = data.integration(*id).await.expect("read").expect("row");
            assert_eq!(row.status, Status::Pending);
            assert_eq!(row.last_check_outcome, Some(CheckOutcome::Throttled));
            assert_eq!(row.consecutive_failures, 1);
            assert_eq!(
                data.events_for(&[*id], true, None)
                    .await
                    .expect("events")
                    .len(),
                1
            );
        }
        // Instagram is another network: not paused.
        let other = data.integration(healthy).await.expect("read").expect("row");
        assert_eq!(other.last_check_outcome, Some(CheckOutcome::Ok));

        // One instance remembers the pause across rounds: while Facebook asked to wait,
        // its due integrations are not asked again.
        let jobs = server.jobs();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        jobs.run_once(socialgate::jobs::Job::Probe)
            .await
            .expect("round");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let before: Vec<_> =
            futures_util::future::join_all(throttled.iter().map(|id| data.integration(*id))).await;
        jobs.run_once(socialgate::jobs::Job::Probe)
            .await
            .expect("round");
        for (id, before) in throttled.iter().zip(before) {
            let before = before.expect("read").expect("row");
            let after = data.integration(*id).await.expect("read").expect("row");
            assert_eq!(
                before.last_checked_at, after.last_checked_at,
                "asked while paused"
            );
        }
        server.begin_shutdown();
    }
);
