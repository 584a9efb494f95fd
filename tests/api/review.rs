//! Compliance review and lifecycle over HTTP and through the services: the role ×
//! mode × ownership matrix, the review flow, reconnect rules and limits.

use entity::enums::Status;
use serde_json::json;
use socialgate::{
    auth::Role::{self, Admin, Advisor, Compliance},
    domain::{Network, StatusReason},
    service::lifecycle,
};

use crate::{
    common::{TestApp, codes},
    db_test,
};

pub const HISTORY: &str = "query($id: ID!) { integration(id: $id) { status version history { sequence kind selfApproval reason } } }";
pub const APPROVE: &str = "mutation($id: ID!, $v: Int) { approveIntegration(id: $id, note: \"ok\", expectedVersion: $v) { status } }";
pub const REJECT: &str = "mutation($id: ID!, $v: Int) { rejectIntegration(id: $id, note: \"no\", expectedVersion: $v) { status } }";
pub const NOTE: &str =
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
    /// An admin of another tenant: sees nothing here.
    ForeignAdmin,
}

impl Persona {
    const ALL: [Persona; 6] = [
        Persona::OwnerAdvisor,
        Persona::OtherAdvisor,
        Persona::OwnerCompliance,
        Persona::Compliance,
        Persona::Admin,
        Persona::ForeignAdmin,
    ];

    fn sub_and_roles(self) -> (&'static str, Vec<Role>) {
        match self {
            Persona::OwnerAdvisor => ("owner-adv", vec![Advisor]),
            Persona::OtherAdvisor => ("other-adv", vec![Advisor]),
            Persona::OwnerCompliance => ("owner-co", vec![Compliance, Advisor]),
            Persona::Compliance => ("co", vec![Compliance]),
            Persona::Admin | Persona::ForeignAdmin => ("admin", vec![Admin]),
        }
    }
}

/// The spec, written out: what each persona may do to integration A (owned by the
/// owner-advisor) or B (owned by the owner-compliance officer) while PENDING.
fn expected(mutation: &str, who: Persona, target: char, self_managed: bool) -> &'static str {
    use Persona::*;
    let visible = match who {
        OwnerAdvisor => target == 'A',
        OtherAdvisor | ForeignAdmin => false,
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
                    let token_tenant = if who == Persona::ForeignAdmin {
                        format!("elsewhere-{checked}")
                    } else {
                        tenant.clone()
                    };
                    let token = app.token(&token_tenant, sub, &roles);
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
    assert_eq!(checked, 96);
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
    let store = &*app.app;
    let id_text = app.connect(&owner, Network::Linkedin, "member-1").await;
    let id = crate::common::integration_id(&id_text);
    socialgate::service::review::approve(store, &co, id, None, None)
        .await
        .expect("approve");

    // Reconnecting the same account after expiry: the approval stands → ACTIVE.
    lifecycle::expire(store, owner.tenant_id, id, StatusReason::TokenExpired)
        .await
        .expect("expire");
    let again = |account: &str, scopes: &[&str]| lifecycle::NewAccount {
        network: Network::Linkedin,
        display_name: "Member".into(),
        profile_url: None,
        external_account_id: account.to_owned(),
        network_user_id: None,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        token_expires_at: None,
        tokens: None,
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
    assert_eq!(applied.integration.status, Status::Active);

    // Fewer permissions than approved: back to PENDING.
    lifecycle::invalidate(store, owner.tenant_id, id, StatusReason::PasswordChanged)
        .await
        .expect("invalidate");
    let applied = lifecycle::reconnected(store, &owner, id, again("member-1", &["openid"]))
        .await
        .expect("reconnect");
    assert_eq!(applied.integration.status, Status::Pending);
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
            network_user_id: None,
            display_name: "Third".into(),
            profile_url: None,
            scopes: vec![],
            token_expires_at: None,
            tokens: None,
        },
    )
    .await
    .expect_err("limit");
    assert_eq!(third.code(), "LIMIT_REACHED");

    // A rejection frees the slot; resubmitting it needs the slot back.
    socialgate::service::review::reject(store, &co, id, "wrong profile", None)
        .await
        .expect("reject");
    app.connect(&owner, Network::Linkedin, "member-3").await;
    let err = lifecycle::reconnected(
        store,
        &owner,
        id,
        again("member-1", &["openid", "w_member_social"]),
    )
    .await
    .expect_err("resubmitting over the limit");
    assert_eq!(err.code(), "LIMIT_REACHED");

    // With re-approval required, even a standing approval goes back to PENDING.
    let admin = app.actor("recon", "admin", &[Admin]).await;
    let change = socialgate::domain::settings::SettingsChange {
        reapproval_on_reconnect: Some(true),
        ..Default::default()
    };
    socialgate::service::settings::update(store, &admin, change)
        .await
        .expect("settings");
    let second =
        crate::common::integration_id(&app.connect(&owner, Network::Linkedin, "member-2").await);
    socialgate::service::review::approve(store, &co, second, None, None)
        .await
        .expect("approve");
    lifecycle::expire(store, owner.tenant_id, second, StatusReason::TokenExpired)
        .await
        .expect("expire");
    let applied = lifecycle::reconnected(
        store,
        &owner,
        second,
        again("member-2", &["openid", "w_member_social"]),
    )
    .await
    .expect("reconnect");
    assert_eq!(applied.integration.status, Status::Pending);
});
