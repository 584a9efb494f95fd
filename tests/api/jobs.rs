//! Background jobs: the expiry sweep reached by the scheduler on its own, with one
//! audit event and one subscription event per change; leases make each run happen
//! once across instances and let a crashed holder's job be taken over.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::Network,
    jobs::{Job, Jobs},
    service::{
        lifecycle::{self, NewAccount},
        review,
    },
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Protocol, Ws},
};

const WAIT: Duration = Duration::from_secs(30);

/// A connection of account `account` by an advisor of its own in `tenant`, whose
/// token expires at `expires_at`.
async fn connected(
    app: &TestApp,
    tenant: &str,
    account: &str,
    expires_at: chrono::DateTime<Utc>,
) -> socialgate::domain::IntegrationId {
    let owner = app
        .actor(tenant, &format!("adv-{account}"), &[Advisor])
        .await;
    let account = NewAccount {
        network: Network::Linkedin,
        external_account_id: account.into(),
        network_user_id: None,
        display_name: account.into(),
        profile_url: None,
        scopes: vec!["openid".into()],
        token_expires_at: Some(expires_at),
        tokens: None,
    };
    lifecycle::connected(&app.app, &owner, account)
        .await
        .expect("connect")
        .integration
        .id
}

db_test!(
    the_scheduler_expires_tokens_by_itself,
    async |app: TestApp| {
        let co = app.actor("sweep", "co", &[Compliance]).await;
        let past = Utc::now() - chrono::Duration::hours(1);
        let approved = connected(&app, "sweep", "approved", past).await;
        review::approve(&app.app, &co, approved, None, None)
            .await
            .expect("approve");
        let pending = connected(&app, "sweep", "pending", past).await;
        let fresh = connected(
            &app,
            "sweep",
            "fresh",
            Utc::now() + chrono::Duration::days(30),
        )
        .await;
        let gone = connected(&app, "sweep", "gone", past).await;
        let gone_owner = app.actor("sweep", "adv-gone", &[Advisor]).await;
        lifecycle::disconnect(&app.app, &gone_owner, gone, None)
            .await
            .expect("disconnect");

        let mut ws = Ws::connect(&app.base, Protocol::TransportWs).await;
        ws.init(&app.token("sweep", "co", &[Compliance])).await;
        ws.subscribe(
            "feed",
            "subscription($after: String) { integrationStatusChanged(after: $after) { previousStatus status reason actor { id } } }",
            json!({ "after": app.head("sweep").await }),
        )
        .await;

        // Nobody calls anything: the scheduler's first round runs at once.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let scheduler = tokio::spawn(Jobs::new(app.app.clone()).run(stopped));
        let mut seen = Vec::new();
        for _ in 0..2 {
            let event = ws.event(WAIT).await;
            seen.push(event["integrationStatusChanged"].clone());
        }
        let _ = stop.send(true);
        scheduler.await.expect("scheduler");
        seen.sort_by_key(|e| e["previousStatus"].to_string());
        assert_eq!(
            seen,
            [
                json!({ "previousStatus": "ACTIVE", "status": "EXPIRED", "reason": "TOKEN_EXPIRED", "actor": null }),
                json!({ "previousStatus": "PENDING", "status": "EXPIRED", "reason": "TOKEN_EXPIRED", "actor": null }),
            ]
        );

        let co_token = app.token("sweep", "co", &[Compliance]);
        let read = "query($id: ID!) { integration(id: $id) { status statusReason history { toStatus reason } } }";
        for (id, status) in [
            (approved, "EXPIRED"),
            (pending, "EXPIRED"),
            (fresh, "PENDING"),
        ] {
            let gid = socialgate::graphql::ids::IntegrationGid(id).encoded();
            let body = app.gql(Some(&co_token), read, json!({ "id": gid })).await;
            assert_eq!(body["data"]["integration"]["status"], status, "{body}");
            let expiries = body["data"]["integration"]["history"]
                .as_array()
                .expect("history")
                .iter()
                .filter(|e| e["reason"] == "TOKEN_EXPIRED")
                .count();
            assert_eq!(expiries, usize::from(status == "EXPIRED"), "{body}");
        }
        let verify = app
            .gql(
                Some(&co_token),
                "{ verifyAuditTrail { intact } }",
                json!({}),
            )
            .await;
        assert_eq!(
            verify["data"]["verifyAuditTrail"]["intact"], true,
            "{verify}"
        );

        // A second round finds nothing left to do.
        let report = Jobs::new(app.app.clone())
            .run_once(Job::Expiry)
            .await
            .expect("run");
        assert!(report.ran);
        assert_eq!(report.changed, 0);
    }
);

db_test!(
    each_run_happens_once_and_a_dead_holders_lease_is_taken_over,
    async |app: TestApp| {
        let past = Utc::now() - chrono::Duration::minutes(5);
        for n in 0..12 {
            connected(&app, "leases", &format!("acct-{n}"), past).await;
        }
        // Two instances at once: the twelve expire once, whoever runs.
        let (a, b) = (Jobs::new(app.app.clone()), Jobs::new(app.app.clone()));
        let (ra, rb) = tokio::join!(a.run_once(Job::Expiry), b.run_once(Job::Expiry));
        let (ra, rb) = (ra.expect("a"), rb.expect("b"));
        assert_eq!(ra.changed + rb.changed, 12, "{ra:?} {rb:?}");
        assert_eq!(
            app.head("leases").await,
            "24",
            "one event per connect and per expiry"
        );

        // An instance that took the lease and died: nobody runs until it expires.
        let until = Utc::now() + chrono::Duration::seconds(60);
        assert!(
            app.store
                .take_lease("expiry", "crashed", until)
                .await
                .expect("take")
        );
        let report = a.run_once(Job::Expiry).await.expect("run");
        assert!(!report.ran, "the lease is held");
        let expired = Utc::now() - chrono::Duration::seconds(1);
        assert!(
            app.store
                .take_lease("expiry", "crashed", expired)
                .await
                .expect("age")
        );
        let report = a.run_once(Job::Expiry).await.expect("run");
        assert!(report.ran, "an expired lease is taken over");
    }
);

db_test!(
    abandoned_sign_ins_lose_what_they_kept_sealed,
    async |app: TestApp| {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let token = app.token("attempts", "adv", &[Advisor]);
        let body = app
            .gql(
                Some(&token),
                "mutation { connectIntegration(network: FACEBOOK) { attemptId } }",
                json!({}),
            )
            .await;
        let gid = body["data"]["connectIntegration"]["attemptId"]
            .as_str()
            .expect("attempt id");
        let id = crate::common::attempt_id(gid);
        let attempt = || async {
            entity::connection_attempt::Entity::find_by_id(id)
                .one(app.store.db())
                .await
                .expect("read")
                .expect("attempt")
        };
        assert!(attempt().await.pkce_verifier.is_some(), "a sealed verifier");

        // Not expired yet: kept.
        let jobs = Jobs::new(app.app.clone());
        assert_eq!(jobs.run_once(Job::Attempts).await.expect("run").changed, 0);
        // Ten minutes later (moved back in the row rather than waited for).
        entity::connection_attempt::Entity::update_many()
            .col_expr(
                entity::connection_attempt::Column::ExpiresAt,
                Expr::value(Utc::now() - chrono::Duration::minutes(1)),
            )
            .filter(entity::connection_attempt::Column::Id.eq(id))
            .exec(app.store.db())
            .await
            .expect("age");
        assert_eq!(jobs.run_once(Job::Attempts).await.expect("run").changed, 1);
        let cleared = attempt().await;
        assert!(cleared.pkce_verifier.is_none() && cleared.sealed_grant.is_none());
        assert_eq!(format!("{:?}", cleared.status), "Failed");
    }
);
