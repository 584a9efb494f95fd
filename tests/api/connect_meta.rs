//! Connecting through the sandbox's Meta look-alikes the ways firms' advisors do: a
//! firm's Page held through its Business Manager connects; a login that unticked the
//! permission to post (Facebook) or to publish (Instagram) is refused with a code and
//! a sentence naming it, and nothing is stored.

use serde_json::json;
use socialgate::auth::Role::Advisor;

use crate::{
    common::TestApp,
    connect::{connect, connect_as, sign_in},
    db_test,
};

db_test!(a_business_manager_page_connects, async |app: TestApp| {
    let advisor = app.token("firm", "sam", &[Advisor]);
    let id = connect_as(&app, &advisor, "FACEBOOK", "fb-sam").await;
    let body = app
            .gql(
                Some(&advisor),
                "query($id: ID!) { integration(id: $id) { displayName accountKind externalAccountId status expiresAt } }",
                json!({ "id": id }),
            )
            .await;
    assert_eq!(
        body["data"]["integration"],
        json!({
            "displayName": "Ortega & Partners Wealth",
            "accountKind": "FACEBOOK_PAGE",
            "externalAccountId": "100000000000004",
            "status": "PENDING",
            "expiresAt": null,
        }),
        "a Page token has no expiry: {body}"
    );
});

db_test!(
    an_unticked_permission_is_refused_by_name,
    async |app: TestApp| {
        let advisor = app.token("unticked", "quinn", &[Advisor]);
        for (network, login, permission) in [
            ("FACEBOOK", "fb-quinn", "pages_manage_posts"),
            ("INSTAGRAM", "ig-hale", "instagram_business_content_publish"),
        ] {
            let (attempt, url) = connect(&app, &advisor, network).await;
            let popup = sign_in(&app, &url, Some(login)).await;
            assert_eq!(popup.message["status"], "failed", "{}", popup.message);
            assert_eq!(popup.message["code"], "PERMISSION_DECLINED");
            let sentence = popup.message["message"].as_str().expect("message");
            assert!(sentence.contains(permission), "{sentence}");
            let body = app
                .gql(
                    Some(&advisor),
                    "query($id: ID!) { connectionAttempt(id: $id) { status failureCode } }",
                    json!({ "id": attempt }),
                )
                .await;
            assert_eq!(
                body["data"]["connectionAttempt"],
                json!({ "status": "FAILED", "failureCode": "PERMISSION_DECLINED" })
            );
        }
        let count = app
            .gql(
                Some(&advisor),
                "{ integrations(filter: { includeDisconnected: true }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(count["data"]["integrations"]["totalCount"], 0, "{count}");
    }
);
