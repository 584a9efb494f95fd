//! Probes on their own schedule against a local server that answers like LinkedIn:
//! definitive signals change the status (one audit event, one subscription event),
//! passing faults over many rounds change nothing, are counted, and a later success
//! is recorded. Time passing between rounds is simulated by moving `last_checked_at`
//! back, never by sleeping.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use entity::enums::{CheckOutcome, Status};
use serde_json::{Value, json};
use socialgate::{
    Socialgate,
    auth::Role::Advisor,
    config::Secret,
    domain::{IntegrationId, Network},
    jobs::{Job, Jobs},
    store::Scope,
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Protocol, Ws},
};

/// What the look-alike answers next on `/v2/userinfo`, per bearer token; healthy when
/// a token's script ends.
#[derive(Clone, Default)]
struct Script {
    answers: Arc<Mutex<HashMap<String, VecDeque<Response>>>>,
    asked: Arc<AtomicUsize>,
}

impl Script {
    fn push(&self, token: &str, answer: impl IntoResponse) {
        let mut answers = self.answers.lock().expect("lock");
        answers
            .entry(token.to_owned())
            .or_default()
            .push_back(answer.into_response());
    }
}

async fn userinfo(State(script): State<Script>, headers: HeaderMap) -> Response {
    script.asked.fetch_add(1, Ordering::SeqCst);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let next = script
        .answers
        .lock()
        .expect("lock")
        .get_mut(&token)
        .and_then(VecDeque::pop_front);
    next.unwrap_or_else(|| Json(json!({ "sub": "member-1", "name": "Member" })).into_response())
}

async fn introspect() -> Json<Value> {
    Json(json!({ "active": false, "status": "revoked" }))
}

/// A LinkedIn look-alike and an instance of the app whose LinkedIn client talks to it,
/// on the test's database; the instance is served, at the returned base URL (on SQLite
/// its changes are announced only to its own subscribers).
async fn linkedin_instance(app: &TestApp, script: Script) -> (Socialgate, String) {
    let router = Router::new()
        .route("/v2/userinfo", get(userinfo))
        .route("/oauth/v2/introspectToken", post(introspect))
        .with_state(script);
    let base = crate::common::lookalike(router).await;
    let server = app
        .instance(|config| {
            config.linkedin_client_id = Some("client".into());
            config.linkedin_client_secret = Some(Secret::new("secret"));
            config.linkedin_oauth_url = format!("{base}/oauth/v2");
            config.linkedin_api_url = base;
            config.probe_interval = "1h".into();
        })
        .await;
    let served = crate::common::served(&server).await;
    (server, served)
}

/// A connected LinkedIn integration with a stored token, of its own advisor.
async fn connected(server: &Socialgate, app: &TestApp, who: &str) -> IntegrationId {
    let owner = app.actor("probes", who, &[Advisor]).await;
    let account = crate::common::account(
        Network::Linkedin,
        &format!("member-{who}"),
        &format!("AQV-{who}"),
    );
    crate::common::connected(server.app(), &owner, account).await
}

/// As if a day passed since every check.
async fn a_day_later(app: &TestApp) {
    app.rewind("integrations", "last_checked_at", 1).await;
}

async fn row(app: &TestApp, server: &Socialgate, id: IntegrationId) -> entity::integration::Model {
    let tenant = server
        .app()
        .store
        .provision_tenant("probes")
        .await
        .expect("tenant");
    app.store
        .tenant(Scope::tenant(tenant.id))
        .integration(id)
        .await
        .expect("read")
        .expect("row")
}

db_test!(
    a_flaky_network_changes_nothing_and_recovery_is_recorded,
    async |app: TestApp| {
        let script = Script::default();
        let (server, _) = linkedin_instance(&app, script.clone()).await;
        let id = connected(&server, &app, "flaky").await;
        let jobs = Jobs::new(server.app().clone());
        const ROUNDS: usize = 12;
        for round in 0..ROUNDS {
            match round % 4 {
                0 => script.push("AQV-flaky", (StatusCode::INTERNAL_SERVER_ERROR, "oops")),
                1 => script.push("AQV-flaky", (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "0")],
                    Json(crate::documented::linkedin::error(StatusCode::TOO_MANY_REQUESTS, 0, Some("TOO_MANY_REQUESTS"), "Resource level throttle limit for calls to this resource is reached.").1),
                )),
                2 => script.push("AQV-flaky", (StatusCode::OK, "{ not json")),
                _ => script.push("AQV-flaky", (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})))),
            }
            let report = jobs.run_once(Job::Probe).await.expect("round");
            assert_eq!(report.changed, 0, "round {round}");
            a_day_later(&app).await;
        }
        let flaky = row(&app, &server, id).await;
        assert_eq!(flaky.consecutive_failures, ROUNDS as i32);
        assert_eq!(flaky.status, Status::Pending);
        assert_eq!(
            script.asked.load(Ordering::SeqCst),
            ROUNDS,
            "one probe a round"
        );

        // The network is healthy again: the count clears and the success is recorded.
        jobs.run_once(Job::Probe).await.expect("round");
        let healthy = row(&app, &server, id).await;
        assert_eq!(healthy.consecutive_failures, 0);
        assert_eq!(healthy.last_check_outcome, Some(CheckOutcome::Ok));
        // Not due again until the interval has passed.
        jobs.run_once(Job::Probe).await.expect("round");
        assert_eq!(script.asked.load(Ordering::SeqCst), ROUNDS + 1);
        server.begin_shutdown();
    }
);

db_test!(
    definitive_signals_move_integrations_on_the_probes_schedule,
    async |app: TestApp| {
        let script = Script::default();
        let (server, served) = linkedin_instance(&app, script.clone()).await;
        let mut ws = Ws::connect(&served, Protocol::TransportWs).await;
        ws.init(&app.token("probes", "co", &[socialgate::auth::Role::Compliance]))
            .await;
        let cases = [
            ("EXPIRED_ACCESS_TOKEN", 65602, "EXPIRED", "TOKEN_EXPIRED"),
            (
                "INVALID_ACCESS_TOKEN",
                65600,
                "INVALID",
                "TOKEN_INVALIDATED",
            ),
            ("REVOKED_ACCESS_TOKEN", 65601, "INVALID", "ACCESS_REVOKED"),
        ];
        let jobs = Jobs::new(server.app().clone());
        let ids = [
            connected(&server, &app, cases[0].0).await,
            connected(&server, &app, cases[1].0).await,
            connected(&server, &app, cases[2].0).await,
        ];
        // Everything healthy at first: one round checks all three and changes nothing.
        assert_eq!(jobs.run_once(Job::Probe).await.expect("round").changed, 0);
        a_day_later(&app).await;
        ws.subscribe(
            "feed",
            "subscription($after: String) { integrationStatusChanged(after: $after) { status reason integration { id } } }",
            json!({ "after": app.head("probes").await }),
        )
        .await;
        for ((code, service_code, status, reason), id) in cases.into_iter().zip(ids) {
            let head = app.head("probes").await;
            // Expired and invalid with the newer body (a string `code` too); revoked
            // with the documented one (the number only).
            let named = (code != "REVOKED_ACCESS_TOKEN").then_some(code);
            let (http, body) = crate::documented::linkedin::error(
                StatusCode::UNAUTHORIZED,
                service_code,
                named,
                "The token used in the request has been revoked or has expired",
            );
            script.push(&format!("AQV-{code}"), (http, Json(body)));
            let report = jobs.run_once(Job::Probe).await.expect("round");
            assert_eq!(report.changed, 1, "{code}");
            let event = ws.event(std::time::Duration::from_secs(30)).await;
            let gid = socialgate::graphql::ids::IntegrationGid(id).encoded();
            assert_eq!(
                event["integrationStatusChanged"],
                json!({ "status": status, "reason": reason, "integration": { "id": gid } }),
                "{code}"
            );
            let moved = row(&app, &server, id).await;
            assert_eq!(
                json!(moved.status),
                status,
                "the API name of the stored status"
            );
            // Exactly one event: the head moved by one since the subscription started.
            let after: i64 = app.head("probes").await.parse().expect("seq");
            assert_eq!(after, head.parse::<i64>().expect("seq") + 1, "{code}");
            a_day_later(&app).await;
        }
        server.begin_shutdown();
    }
);

db_test!(
    two_instances_probe_each_integration_once,
    async |app: TestApp| {
        let script = Script::default();
        let (one, _) = linkedin_instance(&app, script.clone()).await;
        let (two, _) = linkedin_instance(&app, script.clone()).await;
        for n in 0..6 {
            connected(&one, &app, &format!("twice-{n}")).await;
        }
        let (a, b) = (Jobs::new(one.app().clone()), Jobs::new(two.app().clone()));
        let (ra, rb) = tokio::join!(a.run_once(Job::Probe), b.run_once(Job::Probe));
        let (ra, rb) = (ra.expect("a"), rb.expect("b"));
        assert_eq!(
            script.asked.load(Ordering::SeqCst),
            6,
            "the network saw one probe per integration: {ra:?} {rb:?}"
        );
        // And again at once: nothing is due on either instance.
        let (ra, rb) = tokio::join!(a.run_once(Job::Probe), b.run_once(Job::Probe));
        ra.expect("a");
        rb.expect("b");
        assert_eq!(script.asked.load(Ordering::SeqCst), 6);
        one.begin_shutdown();
        two.begin_shutdown();
    }
);
