//! Each person is told their own next step: the owner of a pending account waits for
//! review while a compliance officer is asked to review it; a rejected or broken
//! account tells its owner what to do and the officer that it is the owner's move.

use serde_json::json;
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::{Network, StatusReason},
    graphql::ids::IntegrationGid,
    service::lifecycle,
};

use crate::{common::TestApp, db_test};

const CARD: &str =
    "query($id: ID!) { integration(id: $id) { status statusRemedy availableActions } }";

async fn remedy(app: &TestApp, token: &str, id: &str) -> String {
    let body = app.gql(Some(token), CARD, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["integration"]["statusRemedy"]
        .as_str()
        .unwrap_or("(none)")
        .to_owned()
}

db_test!(each_role_is_told_its_own_next_step, async |app: TestApp| {
    let owner = app.actor("remedy", "ann", &[Advisor]).await;
    app.actor("remedy", "col", &[Compliance]).await;
    let account = crate::common::account(Network::Facebook, "page-1", "token");
    let id = crate::common::connected(&app.app, &owner, account).await;
    let gid = IntegrationGid(id).encoded();
    let ann = app.token("remedy", "ann", &[Advisor]);
    let col = app.token("remedy", "col", &[Compliance]);

    assert_eq!(
        remedy(&app, &ann, &gid).await,
        "Wait for compliance to review the account."
    );
    assert_eq!(
        remedy(&app, &col, &gid).await,
        "Review the account, then approve it or reject it with a note for its owner."
    );

    let reject =
        "mutation($id: ID!) { rejectIntegration(id: $id, note: \"Wrong page\") { status } }";
    let body = app.gql(Some(&col), reject, json!({ "id": gid })).await;
    assert_eq!(
        body["data"]["rejectIntegration"]["status"], "REJECTED",
        "{body}"
    );
    assert_eq!(
        remedy(&app, &ann, &gid).await,
        "Read compliance's note; reconnect to resubmit or disconnect it."
    );
    assert!(
        remedy(&app, &col, &gid)
            .await
            .starts_with("Nothing to do now: its owner"),
        "a reviewer is not told to reconnect"
    );

    let other = crate::common::account(Network::Linkedin, "member-1", "token");
    let broken = crate::common::connected(&app.app, &owner, other).await;
    lifecycle::invalidate(
        &app.app,
        owner.tenant_id,
        broken,
        StatusReason::PasswordChanged,
    )
    .await
    .expect("invalidate");
    let broken = IntegrationGid(broken).encoded();
    assert_eq!(
        remedy(&app, &ann, &broken).await,
        "Reconnect the account, signing in with the new password."
    );
    assert_eq!(
        remedy(&app, &col, &broken).await,
        "Only its owner can fix this, by reconnecting it; they are told how."
    );
});
