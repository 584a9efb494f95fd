//! Background jobs: the expiry sweep reached by the scheduler on its own, with one
//! audit event and one subscription event per change; leases make each run happen
//! once across instances and let a crashed holder's job be taken over; the repairs
//! made at start.

use std::time::Duration;

use chrono::Utc;
use entity::enums::AttemptStatus;
use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::{Network, StatusReason},
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

/// PKCE on for Facebook (a setting; off by default, as Meta's Login dialog documents
/// none), so that a sign-in keeps a sealed verifier.
fn facebook_pkce(config: &mut socialgate::Config) {
    config.facebook_pkce = Some(true);
}

db_test!(
    abandoned_sign_ins_lose_what_they_kept_sealed,
    config = facebook_pkce,
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
        assert_eq!(cleared.status, AttemptStatus::Failed);
    }
);

db_test!(
    pages_expired_on_their_data_access_date_are_put_back_at_start,
    async |app: TestApp| {
        // An earlier version expired Facebook Pages when their person's data access
        // ended. Such rows are made here as it left them: expired through the change
        // road, then given the reason it wrote.
        let co = app.actor("pages", "co", &[Compliance]).await;
        let mut pages = Vec::new();
        for (n, approve) in [(1, true), (2, false), (3, true)] {
            let owner = app.actor("pages", &format!("owner-{n}"), &[Advisor]).await;
            let account = NewAccount {
                network: Network::Facebook,
                external_account_id: format!("10000000000000{n}"),
                display_name: format!("Page {n}"),
                profile_url: None,
                network_user_id: None,
                scopes: vec!["pages_manage_posts".into()],
                token_expires_at: None,
                tokens: None,
            };
            let id = lifecycle::connected(&app.app, &owner, account)
                .await
                .expect("connect")
                .integration
                .id;
            if approve {
                review::approve(&app.app, &co, id, None, None)
                    .await
                    .expect("approve");
            }
            let tenant = owner.tenant_id;
            lifecycle::expire(&app.app, tenant, id, StatusReason::TokenExpired)
                .await
                .expect("expire");
            pages.push((id, owner));
        }
        app.sql(
            "UPDATE integrations SET status_reason = 'data_access_expired' \
             WHERE status = 'expired' AND display_name <> 'Page 3'",
        )
        .await;

        // A start of the server (here: a second instance on the same database).
        let _started = app.instance(|_| {}).await;

        let read = "query($id: ID!) { integration(id: $id) { status statusReason statusExplanation history { fromStatus toStatus reason } } }";
        let co_token = app.token("pages", "co", &[Compliance]);
        let mut histories = Vec::new();
        for ((id, _), want) in pages.iter().zip([
            ("ACTIVE", "EXPIRY_WITHDRAWN"),
            ("PENDING", "EXPIRY_WITHDRAWN"),
            ("EXPIRED", "TOKEN_EXPIRED"),
        ]) {
            let gid = socialgate::graphql::ids::IntegrationGid(*id).encoded();
            let body = app.gql(Some(&co_token), read, json!({ "id": gid })).await;
            let integration = &body["data"]["integration"];
            assert_eq!(
                (
                    integration["status"].as_str(),
                    integration["statusReason"].as_str()
                ),
                (Some(want.0), Some(want.1)),
                "{body}"
            );
            let history = integration["history"].as_array().expect("history").clone();
            if want.1 == "EXPIRY_WITHDRAWN" {
                assert_eq!(
                    history
                        .last()
                        .map(|e| (e["fromStatus"].clone(), e["reason"].clone())),
                    Some((json!("EXPIRED"), json!("EXPIRY_WITHDRAWN"))),
                    "the audit trail says why: {body}"
                );
                assert!(
                    integration["statusExplanation"]
                        .as_str()
                        .is_some_and(|s| s.contains("in error")),
                    "{body}"
                );
            }
            histories.push(history.len());
        }

        // Another start finds nothing left to repair.
        let _again = app.instance(|_| {}).await;
        for ((id, _), before) in pages.iter().zip(histories) {
            let gid = socialgate::graphql::ids::IntegrationGid(*id).encoded();
            let body = app.gql(Some(&co_token), read, json!({ "id": gid })).await;
            let after = body["data"]["integration"]["history"]
                .as_array()
                .map_or(0, Vec::len);
            assert_eq!(after, before, "repairs run once: {body}");
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
    }
);
