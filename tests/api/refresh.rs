//! Token renewal on the scheduler's `refresh` job, against a local server that answers
//! like LinkedIn's token endpoint and Instagram's `refresh_access_token`: due tokens
//! are renewed once even with two instances running the job at the same moment, the
//! renewal is an audit event, refused renewals map to the refresh reasons, and passing
//! faults change nothing.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{Duration, Utc};
use entity::enums::{EventKind, Status, StatusReason};
use serde_json::{Value, json};
use socialgate::{
    Socialgate,
    auth::Role::Advisor,
    config::Secret,
    domain::{IntegrationId, Network},
    jobs::{Job, Jobs},
    service::{lifecycle::Tokens, tokens},
    store::Scope,
};

use crate::{common::TestApp, db_test};

const TENANT: &str = "renewals";

/// What the look-alike answers, per token presented (the refresh token for LinkedIn,
/// the access token for Instagram); a token without a scripted answer is renewed.
#[derive(Clone, Default)]
struct Lookalike {
    answers: Arc<Mutex<HashMap<String, (StatusCode, Value)>>>,
    linkedin: Arc<AtomicUsize>,
    instagram: Arc<AtomicUsize>,
}

impl Lookalike {
    fn answer(&self, token: &str, status: StatusCode, body: Value) {
        self.answers
            .lock()
            .expect("lock")
            .insert(token.to_owned(), (status, body));
    }

    fn scripted(&self, token: &str) -> Option<Response> {
        let answers = self.answers.lock().expect("lock");
        let (status, body) = answers.get(token)?.clone();
        Some((status, Json(body)).into_response())
    }
}

async fn linkedin_token(
    State(net): State<Lookalike>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    net.linkedin.fetch_add(1, Ordering::SeqCst);
    assert_eq!(
        form.get("grant_type").map(String::as_str),
        Some("refresh_token")
    );
    assert_eq!(
        form.get("client_secret").map(String::as_str),
        Some("secret")
    );
    let refresh = form.get("refresh_token").cloned().unwrap_or_default();
    if let Some(answer) = net.scripted(&refresh) {
        return answer;
    }
    Json(json!({
        "access_token": format!("AQV-renewed-{refresh}"),
        "expires_in": 60 * 24 * 3600,
        "refresh_token": refresh,
        "refresh_token_expires_in": 200 * 24 * 3600,
        "scope": "openid,profile,w_member_social",
    }))
    .into_response()
}

async fn instagram_refresh(
    State(net): State<Lookalike>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    net.instagram.fetch_add(1, Ordering::SeqCst);
    assert_eq!(
        query.get("grant_type").map(String::as_str),
        Some("ig_refresh_token")
    );
    let token = query.get("access_token").cloned().unwrap_or_default();
    if let Some(answer) = net.scripted(&token) {
        return answer;
    }
    Json(json!({ "access_token": format!("IGQV-renewed-{token}"), "token_type": "bearer", "expires_in": 5_184_000 }))
        .into_response()
}

/// An instance of the app whose LinkedIn and Instagram clients talk to the look-alike.
async fn instance(app: &TestApp, net: &Lookalike) -> Socialgate {
    let router = Router::new()
        .route("/oauth/v2/accessToken", post(linkedin_token))
        .route("/refresh_access_token", get(instagram_refresh))
        .with_state(net.clone());
    let base = crate::common::lookalike(router).await;
    app.instance(|config| {
        config.linkedin_client_id = Some("client".into());
        config.linkedin_client_secret = Some(Secret::new("secret"));
        config.linkedin_oauth_url = format!("{base}/oauth/v2");
        config.linkedin_api_url = base.clone();
        config.instagram_app_id = Some("ig-app".into());
        config.instagram_app_secret = Some(Secret::new("ig-secret"));
        config.instagram_graph_url = base;
    })
    .await
}

/// A connected integration of its own advisor whose token ends in three days.
async fn connected(
    server: &Socialgate,
    app: &TestApp,
    network: Network,
    who: &str,
    refresh: Option<(&str, Duration)>,
) -> IntegrationId {
    let owner = app.actor(TENANT, who, &[Advisor]).await;
    let prefix = match network {
        Network::Instagram => "IGQV",
        _ => "AQV",
    };
    let mut account = crate::common::account(
        network,
        &format!("account-{who}"),
        &format!("{prefix}-{who}"),
    );
    account.token_expires_at = Some(Utc::now() + Duration::days(3));
    account.tokens = Some(Tokens {
        access: Secret::new(format!("{prefix}-{who}")),
        refresh: refresh.map(|(token, _)| Secret::new(token)),
        refresh_expires_at: refresh.map(|(_, left)| Utc::now() + left),
    });
    crate::common::connected(server.app(), &owner, account).await
}

/// As if every stored token had been issued two days ago.
async fn tokens_two_days_old(app: &TestApp) {
    app.rewind("credentials", "updated_at", 2).await;
}

async fn row(app: &TestApp, id: IntegrationId) -> entity::integration::Model {
    let tenant = app.store.provision_tenant(TENANT).await.expect("tenant");
    app.store
        .tenant(Scope::tenant(tenant.id))
        .integration(id)
        .await
        .expect("read")
        .expect("row")
}

async fn events(app: &TestApp, id: IntegrationId) -> Vec<entity::integration_event::Model> {
    let tenant = app.store.provision_tenant(TENANT).await.expect("tenant");
    app.store
        .tenant(Scope::tenant(tenant.id))
        .events_for(&[id], true, None)
        .await
        .expect("events")
}

db_test!(
    due_tokens_are_renewed_once_with_two_instances_running,
    async |app: TestApp| {
        let net = Lookalike::default();
        let (one, two) = (instance(&app, &net).await, instance(&app, &net).await);
        let partner = connected(
            &one,
            &app,
            Network::Linkedin,
            "partner",
            Some(("rt-partner", Duration::days(200))),
        )
        .await;
        let plain = connected(&one, &app, Network::Linkedin, "plain", None).await;
        let insta = connected(&one, &app, Network::Instagram, "insta", None).await;
        tokens_two_days_old(&app).await;
        // Connected after the ageing: less than a day old, not renewable yet.
        let young = connected(&one, &app, Network::Instagram, "young", None).await;

        let (a, b) = (Jobs::new(one.app().clone()), Jobs::new(two.app().clone()));
        let (ra, rb) = tokio::join!(a.run_once(Job::Refresh), b.run_once(Job::Refresh));
        let changed = ra.expect("run").changed + rb.expect("run").changed;
        assert_eq!(changed, 2, "the partner's and the old Instagram token");
        assert_eq!(
            net.linkedin.load(Ordering::SeqCst),
            1,
            "one LinkedIn renewal"
        );
        assert_eq!(
            net.instagram.load(Ordering::SeqCst),
            1,
            "one Instagram renewal"
        );

        for (id, token) in [
            (partner, "AQV-renewed-rt-partner"),
            (insta, "IGQV-renewed-IGQV-insta"),
        ] {
            let renewed = row(&app, id).await;
            let left = renewed.token_expires_at.expect("expiry") - Utc::now();
            assert!(left > Duration::days(59), "{token}: {left}");
            assert_eq!(renewed.status, Status::Pending, "no status change");
            let stored = tokens::open(one.app(), renewed.tenant_id, id)
                .await
                .expect("open")
                .expect("stored");
            assert_eq!(stored.access.expose(), token);
            let events = events(&app, id).await;
            let last = events.last().expect("event");
            assert_eq!(last.kind, EventKind::Refresh);
            assert_eq!(last.actor_id, None, "the system renewed it");
            assert!(
                last.note
                    .as_deref()
                    .is_some_and(|n| n.contains("valid until"))
            );
        }
        // LinkedIn's refresh token keeps its own end, as the network reported it.
        let partner_tokens = tokens::open(one.app(), row(&app, partner).await.tenant_id, partner)
            .await
            .expect("open")
            .expect("stored");
        let refresh_left = partner_tokens.refresh_expires_at.expect("refresh end") - Utc::now();
        assert!(refresh_left > Duration::days(199) && refresh_left <= Duration::days(200));
        for id in [plain, young] {
            assert_eq!(events(&app, id).await.len(), 1, "only the connection event");
        }

        // Renewed tokens are not due again.
        a.run_once(Job::Refresh).await.expect("run");
        assert_eq!(
            net.linkedin.load(Ordering::SeqCst) + net.instagram.load(Ordering::SeqCst),
            2
        );
        one.begin_shutdown();
        two.begin_shutdown();
    }
);

db_test!(
    refused_renewals_map_to_the_refresh_reasons,
    async |app: TestApp| {
        let net = Lookalike::default();
        let server = instance(&app, &net).await;
        // LinkedIn documents `invalid_request`; `invalid_grant` is seen in practice.
        let (status, documented) = crate::documented::linkedin::refresh_refused();
        net.answer("rt-revoked", status, documented);
        let (status, seen) = crate::documented::linkedin::refresh_refused_seen();
        net.answer("rt-ended", status, seen);
        net.answer("IGQV-gone", StatusCode::BAD_REQUEST, json!({ "error": { "message": "Error validating access token: The user has not authorized application.", "type": "OAuthException", "code": 190, "fbtrace_id": "t" } }));
        net.answer("IGQV-outage", StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": { "message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2, "fbtrace_id": "t" } }));
        let revoked = connected(
            &server,
            &app,
            Network::Linkedin,
            "revoked",
            Some(("rt-revoked", Duration::days(100))),
        )
        .await;
        let ended = connected(
            &server,
            &app,
            Network::Linkedin,
            "ended",
            Some(("rt-ended", -Duration::hours(1))),
        )
        .await;
        let gone = connected(&server, &app, Network::Instagram, "gone", None).await;
        let outage = connected(&server, &app, Network::Instagram, "outage", None).await;
        tokens_two_days_old(&app).await;

        let jobs = Jobs::new(server.app().clone());
        let report = jobs.run_once(Job::Refresh).await.expect("run");
        assert_eq!(report.changed, 3);
        for (id, status, reason) in [
            (revoked, Status::Invalid, StatusReason::RefreshRevoked),
            (ended, Status::Expired, StatusReason::RefreshExpired),
            (gone, Status::Invalid, StatusReason::AccessRevoked),
            (outage, Status::Pending, StatusReason::Connected),
        ] {
            let moved = row(&app, id).await;
            assert_eq!(moved.status, status, "{reason:?}");
            assert_eq!(moved.status_reason, reason);
            let events = events(&app, id).await;
            let expected = if status == Status::Pending { 1 } else { 2 };
            assert_eq!(
                events.len(),
                expected,
                "{reason:?}: exactly one event for the move"
            );
        }
        // The passing fault is tried again on the next round; the dead ones are not.
        let asked = net.instagram.load(Ordering::SeqCst);
        jobs.run_once(Job::Refresh).await.expect("run");
        assert_eq!(net.instagram.load(Ordering::SeqCst), asked + 1);
        assert_eq!(net.linkedin.load(Ordering::SeqCst), 2);
        server.begin_shutdown();
    }
);
