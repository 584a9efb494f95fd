//! Compliance review and lifecycle over HTTP: the role × mode × ownership matrix, one
//! winner under concurrency, the tamper-evident trail, offline re-verification, and
//! coverage.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use socialgate::{
    auth::Role::{self, Admin, Advisor, Compliance},
    domain::{
        Network, StatusReason,
        ids::{IdKind, decode},
    },
    service::lifecycle,
};

use crate::{
    common::{Backend, TestApp, codes},
    db_test,
};

const HISTORY: &str = "query($id: ID!) { integration(id: $id) { status version history { sequence kind selfApproval reason } } }";
const APPROVE: &str = "mutation($id: ID!, $v: Int) { approveIntegration(id: $id, note: \"ok\", expectedVersion: $v) { status } }";
const REJECT: &str = "mutation($id: ID!, $v: Int) { rejectIntegration(id: $id, note: \"no\", expectedVersion: $v) { status } }";
const NOTE: &str =
    "mutation($id: ID!) { addComplianceNote(integrationId: $id, body: \"looked at it\") { body } }";
const DISCONNECT: &str = "mutation($id: ID!) { disconnectIntegration(id: $id) { disconnectedAt } }";
const SETTINGS: &str = "mutation($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { complianceMode linkedinLimit } }";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    OwnerAdvisor,
    OtherAdvisor,
    OwnerCompliance,
    Compliance,
    Admin,
}

impl Persona {
    const ALL: [Persona; 5] = [
        Persona::OwnerAdvisor,
        Persona::OtherAdvisor,
        Persona::OwnerCompliance,
        Persona::Compliance,
        Persona::Admin,
    ];

    fn sub_and_roles(self) -> (&'static str, Vec<Role>) {
        match self {
            Persona::OwnerAdvisor => ("owner-adv", vec![Advisor]),
            Persona::OtherAdvisor => ("other-adv", vec![Advisor]),
            Persona::OwnerCompliance => ("owner-co", vec![Compliance, Advisor]),
            Persona::Compliance => ("co", vec![Compliance]),
            Persona::Admin => ("admin", vec![Admin]),
        }
    }
}

/// The spec, written out: what each persona may do to integration A (owned by the
/// owner-advisor) or B (owned by the owner-compliance officer) while PENDING.
fn expected(mutation: &str, who: Persona, target: char, self_managed: bool) -> &'static str {
    use Persona::*;
    let visible = match who {
        OwnerAdvisor => target == 'A',
        OtherAdvisor => false,
        _ => true,
    };
    if !visible {
        return "NOT_FOUND";
    }
    let owner = matches!((who, target), (OwnerAdvisor, 'A') | (OwnerCompliance, 'B'));
    let reviewer = matches!(who, OwnerCompliance | Compliance | Admin);
    let ok = match mutation {
        "approve" | "reject" => reviewer && (!owner || self_managed),
        "note" => reviewer,
        "disconnect" => owner || who == Admin,
        other => panic!("unknown mutation {other}"),
    };
    if ok { "OK" } else { "FORBIDDEN" }
}

db_test!(role_mode_ownership_matrix, async |app: TestApp| {
    let mut checked = 0;
    for self_managed in [false, true] {
        for mutation in ["approve", "reject", "note", "disconnect"] {
            for who in Persona::ALL {
                for target in ['A', 'B'] {
                    checked += 1;
                    let tenant = format!("matrix-{checked}");
                    let admin = app.token(&tenant, "admin", &[Admin]);
                    let mode = if self_managed {
                        "SELF_MANAGED"
                    } else {
                        "BROKER_DEALER"
                    };
                    let body = app
                        .gql(
                            Some(&admin),
                            SETTINGS,
                            json!({ "input": { "complianceMode": mode } }),
                        )
                        .await;
                    assert!(body["errors"].is_null(), "{body}");
                    let owner = match target {
                        'A' => app.actor(&tenant, "owner-adv", &[Advisor]).await,
                        _ => app.actor(&tenant, "owner-co", &[Compliance, Advisor]).await,
                    };
                    let id = app.connect(&owner, Network::Linkedin, "acct-1").await;
                    let (sub, roles) = who.sub_and_roles();
                    let token = app.token(&tenant, sub, &roles);
                    let query = match mutation {
                        "approve" => APPROVE,
                        "reject" => REJECT,
                        "note" => NOTE,
                        _ => DISCONNECT,
                    };
                    let body = app.gql(Some(&token), query, json!({ "id": id })).await;
                    let want = expected(mutation, who, target, self_managed);
                    let got = codes(&body).first().cloned().unwrap_or_else(|| "OK".into());
                    assert_eq!(
                        got, want,
                        "{mutation} by {who:?} on {target} ({mode}): {body}"
                    );

                    let trail = app.gql(Some(&admin), HISTORY, json!({ "id": id })).await;
                    let events = trail["data"]["integration"]["history"]
                        .as_array()
                        .expect("history")
                        .clone();
                    let expected_events = if want == "OK" { 2 } else { 1 };
                    assert_eq!(
                        events.len(),
                        expected_events,
                        "one event per accepted action: {trail}"
                    );
                    if want == "OK" && mutation == "approve" {
                        let owner_acting = matches!((who, target), (Persona::OwnerCompliance, 'B'));
                        assert_eq!(events[1]["selfApproval"], owner_acting, "{trail}");
                    }
                }
            }
        }
    }
    assert_eq!(checked, 80);
});

db_test!(review_flow_over_http, async |app: TestApp| {
    let owner = app.actor("flow", "adv", &[Advisor]).await;
    let id = app.connect(&owner, Network::Facebook, "page-1").await;
    let co = app.token("flow", "co", &[Compliance]);
    let adv = app.token("flow", "adv", &[Advisor]);

    // An empty rejection note is refused and changes nothing.
    let body = app
        .gql(
            Some(&co),
            "mutation($id: ID!) { rejectIntegration(id: $id, note: \"  \") { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");

    let body = app
        .gql(Some(&co), "mutation($id: ID!) { approveIntegration(id: $id, note: \"Page name matches\") { status statusReason approvedAt availableActions complianceNotes { body author { subject } } } }", json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let approved = &body["data"]["approveIntegration"];
    assert_eq!(approved["status"], "ACTIVE");
    assert_eq!(approved["statusReason"], "COMPLIANCE_APPROVED");
    assert!(approved["approvedAt"].is_string());
    assert_eq!(approved["availableActions"], json!(["REJECT", "ADD_NOTE"]));
    assert_eq!(approved["complianceNotes"][0]["body"], "Page name matches");

    // Approving twice is an invalid transition.
    let body = app.gql(Some(&co), APPROVE, json!({ "id": id })).await;
    assert_eq!(codes(&body), ["INVALID_TRANSITION"], "{body}");

    // The advisor sees the history and can disconnect; it then leaves default lists and
    // frees the slot, but keeps its history.
    let body = app
        .gql(Some(&adv), "{ networks { key used } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["networks"][1],
        json!({ "key": "FACEBOOK", "used": 1 })
    );
    let body = app.gql(Some(&adv), DISCONNECT, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql(
            Some(&adv),
            "{ integrations { totalCount } networks { key used } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["integrations"]["totalCount"], 0);
    assert_eq!(body["data"]["networks"][1]["used"], 0);
    let body = app
        .gql(Some(&co), "{ integrations(filter: { includeDisconnected: true }) { edges { node { statusReason disconnectedAt availableActions history { reason } } } } }", json!({}))
        .await;
    let node = &body["data"]["integrations"]["edges"][0]["node"];
    assert_eq!(node["statusReason"], "DISCONNECTED");
    assert_eq!(node["availableActions"], json!([]));
    assert_eq!(node["history"].as_array().expect("history").len(), 3);
    let body = app.gql(Some(&co), NOTE, json!({ "id": id })).await;
    assert_eq!(
        codes(&body),
        ["INVALID_TRANSITION"],
        "nothing happens to a disconnected integration: {body}"
    );

    // Settings: admins only, limits bounded.
    let body = app
        .gql(
            Some(&co),
            SETTINGS,
            json!({ "input": { "linkedinLimit": 3 } }),
        )
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let admin = app.token("flow", "admin", &[Admin]);
    let body = app
        .gql(
            Some(&admin),
            SETTINGS,
            json!({ "input": { "linkedinLimit": 99 } }),
        )
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let body = app
        .gql(
            Some(&admin),
            SETTINGS,
            json!({ "input": { "linkedinLimit": 3 } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateTenantSettings"]["linkedinLimit"], 3,
        "{body}"
    );
});

db_test!(reconnect_rules_and_limits, async |app: TestApp| {
    let owner = app.actor("recon", "adv", &[Advisor]).await;
    let co = app.actor("recon", "co", &[Compliance]).await;
    let store = &app.store;
    let id_text = app.connect(&owner, Network::Linkedin, "member-1").await;
    let id = decode(IdKind::Integration, &id_text).expect("id");
    socialgate::service::review::approve(store, &co, id, None, None)
        .await
        .expect("approve");

    // Reconnecting the same account after expiry: the approval stands → ACTIVE.
    lifecycle::expire(store, owner.tenant_id, id, StatusReason::TokenExpired)
        .await
        .expect("expire");
    let again = |account: &str, scopes: &[&str]| lifecycle::Reconnection {
        external_account_id: account.to_owned(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        token_expires_at: None,
    };
    let err = lifecycle::reconnected(
        store,
        &owner,
        id,
        again("member-2", &["openid", "w_member_social"]),
    )
    .await
    .expect_err("another account");
    assert_eq!(err.code(), "ACCOUNT_MISMATCH");
    let applied = lifecycle::reconnected(
        store,
        &owner,
        id,
        again("member-1", &["openid", "w_member_social"]),
    )
    .await
    .expect("reconnect");
    assert_eq!(format!("{:?}", applied.integration.status), "Active");

    // Fewer permissions than approved: back to PENDING.
    lifecycle::invalidate(store, owner.tenant_id, id, StatusReason::PasswordChanged)
        .await
        .expect("invalidate");
    let applied = lifecycle::reconnected(store, &owner, id, again("member-1", &["openid"]))
        .await
        .expect("reconnect");
    assert_eq!(format!("{:?}", applied.integration.status), "Pending");
    assert_eq!(
        applied.integration.status_reason,
        StatusReason::PermissionsReduced
    );

    // Connecting the same account again renews it; a third LinkedIn is over the limit.
    let renewed = app.connect(&owner, Network::Linkedin, "member-1").await;
    assert_eq!(renewed, id_text, "no second slot for the same account");
    app.connect(&owner, Network::Linkedin, "member-2").await;
    let third = lifecycle::connected(
        store,
        &owner,
        lifecycle::NewAccount {
            network: Network::Linkedin,
            external_account_id: "member-3".into(),
            display_name: "Third".into(),
            profile_url: None,
            scopes: vec![],
            token_expires_at: None,
        },
    )
    .await
    .expect_err("limit");
    assert_eq!(third.code(), "LIMIT_REACHED");
});

db_test!(one_winner_under_concurrency, async |app: TestApp| {
    let owner = app.actor("race", "adv", &[Advisor]).await;
    let co1 = app.token("race", "co-1", &[Compliance]);
    let co2 = app.token("race", "co-2", &[Compliance]);

    // Approvals and rejections at once, each from a screen that showed version 1.
    let id = app.connect(&owner, Network::Linkedin, "contested").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (token, query) = if i % 2 == 0 {
            (co1.clone(), APPROVE)
        } else {
            (co2.clone(), REJECT)
        };
        let app_ref = &app;
        let id = id.clone();
        tasks.push(async move {
            app_ref
                .gql(Some(&token), query, json!({ "id": id, "v": 1 }))
                .await
        });
    }
    let results = futures_util::future::join_all(tasks).await;
    let winners = results.iter().filter(|b| b["errors"].is_null()).count();
    let losers: Vec<String> = results.iter().flat_map(codes).collect();
    assert_eq!(winners, 1, "{results:?}");
    assert!(
        losers
            .iter()
            .all(|c| c == "CONFLICT" || c == "INVALID_TRANSITION"),
        "{losers:?}"
    );
    let trail = app.gql(Some(&co1), HISTORY, json!({ "id": id })).await;
    assert_eq!(
        trail["data"]["integration"]["history"]
            .as_array()
            .expect("h")
            .len(),
        2
    );
    let conflicts = losers.iter().filter(|c| *c == "CONFLICT").count();

    // Without expectedVersion, concurrent approvals still give one winner.
    let id = app
        .connect(&owner, Network::Facebook, "contested-page")
        .await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (app_ref, token, id) = (&app, co1.clone(), id.clone());
            async move {
                app_ref
                    .gql(Some(&token), APPROVE, json!({ "id": id }))
                    .await
            }
        })
        .collect();
    let results = futures_util::future::join_all(tasks).await;
    assert_eq!(results.iter().filter(|b| b["errors"].is_null()).count(), 1);
    let codes_second: Vec<String> = results.iter().flat_map(codes).collect();
    assert!(
        codes_second.iter().all(|c| c == "INVALID_TRANSITION"),
        "{codes_second:?}"
    );
    let body = app
        .gql(
            Some(&co1),
            "{ verifyAuditTrail { intact eventCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["verifyAuditTrail"]["intact"], true, "{body}");
    assert_eq!(body["data"]["verifyAuditTrail"]["eventCount"], 4);
    eprintln!(
        "concurrency ({:?}): 16 approve/reject attempts with expectedVersion: 1 winner, {conflicts} CONFLICT, {} INVALID_TRANSITION; 16 approvals without: 1 winner, 15 INVALID_TRANSITION",
        app.backend,
        15 - conflicts
    );
});

db_test!(
    tampering_is_found_and_the_trigger_refuses_updates,
    async |app: TestApp| {
        let owner = app.actor("tamper", "adv", &[Advisor]).await;
        let co = app.token("tamper", "co", &[Compliance]);
        for account in ["a", "b"] {
            let id = app
                .connect(
                    &owner,
                    if account == "a" {
                        Network::Linkedin
                    } else {
                        Network::Instagram
                    },
                    account,
                )
                .await;
            app.gql(Some(&co), APPROVE, json!({ "id": id })).await;
        }
        let verify = "{ verifyAuditTrail { intact eventCount firstBrokenSequence } }";
        let body = app.gql(Some(&co), verify, json!({})).await;
        assert_eq!(
            body["data"]["verifyAuditTrail"],
            json!({ "intact": true, "eventCount": 4, "firstBrokenSequence": null })
        );

        let db = app.store.db();
        let tenant = owner.tenant_id;
        assert!(
            forge(db, tenant).await.is_err(),
            "the database refuses to rewrite an event"
        );
        match app.backend {
            Backend::Postgres => {
                let txn = db.begin().await.expect("begin");
                txn.execute_unprepared("SET LOCAL session_replication_role = replica")
                    .await
                    .expect("bypass");
                forge(&txn, tenant).await.expect("tamper with triggers off");
                txn.commit().await.expect("commit");
            }
            Backend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER integration_events_no_update")
                    .await
                    .expect("drop trigger");
                forge(db, tenant).await.expect("tamper without the trigger");
            }
        }
        let body = app.gql(Some(&co), verify, json!({})).await;
        assert_eq!(
            body["data"]["verifyAuditTrail"],
            json!({ "intact": false, "eventCount": 4, "firstBrokenSequence": 3 })
        );
    }
);

/// Rewrites the note of event 3 straight in the database, as an intruder would.
async fn forge(
    db: &impl ConnectionTrait,
    tenant: uuid::Uuid,
) -> Result<sea_orm::UpdateResult, sea_orm::DbErr> {
    entity::integration_event::Entity::update_many()
        .col_expr(
            entity::integration_event::Column::Note,
            Expr::value("forged approval"),
        )
        .filter(entity::integration_event::Column::TenantId.eq(tenant))
        .filter(entity::integration_event::Column::Seq.eq(3))
        .exec(db)
        .await
}

/// Recomputes every hash of an export with nothing but JSON and SHA-256.
fn verify_offline(export: &str) -> usize {
    let mut prev = "0".repeat(64);
    let mut n = 0;
    for line in export.lines() {
        let mut event: BTreeMap<String, Value> = serde_json::from_str(line).expect("json line");
        let hash = event.remove("hash").expect("hash");
        let prev_hash = event.remove("prev_hash").expect("prev_hash");
        assert_eq!(prev_hash, prev.as_str());
        let mut hasher = Sha256::new();
        hasher.update(prev.as_bytes());
        hasher.update(serde_json::to_vec(&event).expect("json"));
        assert_eq!(hash, hex::encode(hasher.finalize()).as_str(), "line {line}");
        prev = hash.as_str().expect("hex").to_owned();
        n += 1;
    }
    n
}

db_test!(
    export_reverifies_offline_and_coverage_shows_gaps,
    async |app: TestApp| {
        let owner = app.actor("examiner", "adv", &[Advisor]).await;
        let co = app.token("examiner", "co", &[Compliance]);
        let id = app.connect(&owner, Network::Linkedin, "m").await;
        app.gql(Some(&co), APPROVE, json!({ "id": id })).await;
        app.gql(Some(&co), NOTE, json!({ "id": id })).await;
        let raw = decode(IdKind::Integration, &id).expect("id");
        lifecycle::expire(&app.store, owner.tenant_id, raw, StatusReason::TokenExpired)
            .await
            .expect("expire");

        let body = app.gql(Some(&co), "{ auditExport }", json!({})).await;
        let export = body["data"]["auditExport"].as_str().expect("export");
        assert_eq!(verify_offline(export), 4);
        let adv = app.token("examiner", "adv", &[Advisor]);
        let body = app.gql(Some(&adv), "{ auditExport }", json!({})).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
        let body = app
            .gql(
                Some(&co),
                "query($id: ID!) { auditTrail(integrationId: $id) { sequence reason note } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            body["data"]["auditTrail"].as_array().expect("trail").len(),
            4,
            "{body}"
        );

        let body = app
        .gql(Some(&co), "query($id: ID!) { integration(id: $id) { connectedAt coverage { activeSeconds activeRatio gaps { status } } } }", json!({ "id": id }))
        .await;
        let coverage = &body["data"]["integration"]["coverage"];
        let statuses: Vec<&Value> = coverage["gaps"]
            .as_array()
            .expect("gaps")
            .iter()
            .map(|g| &g["status"])
            .collect();
        assert_eq!(statuses.last(), Some(&&json!("EXPIRED")), "{body}");
        assert!(coverage["activeRatio"].as_f64().expect("ratio") < 1.0);
    }
);
