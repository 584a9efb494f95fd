//! The tamper-evident trail: the database refuses rewrites, verification names the
//! forged event, exports re-verify offline, coverage derives from events.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::{Network, StatusReason},
    service::lifecycle,
};

use crate::{
    common::{Backend, TestApp, codes},
    db_test,
    review::{APPROVE, NOTE},
};

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
    tenant: socialgate::domain::TenantId,
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
        let raw = crate::common::integration_id(&id);
        lifecycle::expire(&app.app, owner.tenant_id, raw, StatusReason::TokenExpired)
            .await
            .expect("expire");

        let body = app.gql(Some(&co), "{ auditExport }", json!({})).await;
        let export = body["data"]["auditExport"].as_str().expect("export");
        assert_eq!(verify_offline(export), 4);
        // Paged: two lines, then the next two after the last one's sequence.
        let page = "query($after: Int) { auditExport(first: 2, after: $after) }";
        let body = app.gql(Some(&co), page, json!({})).await;
        let first_page = body["data"]["auditExport"]
            .as_str()
            .expect("page")
            .to_owned();
        assert_eq!(first_page.lines().count(), 2, "{body}");
        let last: Value =
            serde_json::from_str(first_page.lines().last().expect("line")).expect("json");
        let body = app
            .gql(Some(&co), page, json!({ "after": last["seq"] }))
            .await;
        let second_page = body["data"]["auditExport"].as_str().expect("page");
        assert_eq!(
            format!("{first_page}{second_page}"),
            export,
            "the pages make up the whole export"
        );
        let body = app
            .gql(Some(&co), "{ auditExport(first: 0) }", json!({}))
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
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
