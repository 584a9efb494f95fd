//! Daily Digest settings over GraphQL: defaults, changes, refusals (unknown time zone,
//! hour, address; the compliance digest for someone who is not compliance), and an
//! empty preview.

use serde_json::json;
use socialgate::auth::Role::{Advisor, Compliance};

use crate::{
    common::{TestApp, codes},
    db_test,
    digest::person,
};

db_test!(notification_settings_round_trip, async |app: TestApp| {
    person(&app, "digest-s", "ada", &[Advisor], Some("ada@s.test")).await;
    person(&app, "digest-s", "cy", &[Compliance], None).await;
    let ada = app.token("digest-s", "ada", &[Advisor]);
    let read = "{ viewer { notificationSettings { dailyDigest timeZone hourOfDay email emailFromToken complianceDigest } } }";
    let fresh = app.gql(Some(&ada), read, json!({})).await;
    assert_eq!(
        fresh["data"]["viewer"]["notificationSettings"],
        json!({ "dailyDigest": false, "timeZone": "UTC", "hourOfDay": 8, "email": "ada@s.test", "emailFromToken": true, "complianceDigest": false })
    );
    let update = "mutation($input: NotificationSettingsInput!) { updateNotificationSettings(input: $input) { dailyDigest timeZone hourOfDay email emailFromToken complianceDigest } }";
    let set = app
        .gql(
            Some(&ada),
            update,
            json!({ "input": { "dailyDigest": true, "timeZone": "America/New_York", "hourOfDay": 7, "email": "ada@s.test" } }),
        )
        .await;
    assert_eq!(
        set["data"]["updateNotificationSettings"],
        json!({ "dailyDigest": true, "timeZone": "America/New_York", "hourOfDay": 7, "email": "ada@s.test", "emailFromToken": false, "complianceDigest": false })
    );
    // Null goes back to the token's address; omitted fields stay. (Another address
    // waits for its confirmation link: `digest_address`.)
    let back = app
        .gql(Some(&ada), update, json!({ "input": { "email": null } }))
        .await;
    assert_eq!(
        back["data"]["updateNotificationSettings"]["emailFromToken"],
        true
    );
    assert_eq!(back["data"]["updateNotificationSettings"]["hourOfDay"], 7);
    for (input, code) in [
        (json!({ "timeZone": "Mars/Olympus_Mons" }), "BAD_USER_INPUT"),
        (json!({ "timeZone": "EST5EDT-ish" }), "BAD_USER_INPUT"),
        (json!({ "hourOfDay": 24 }), "BAD_USER_INPUT"),
        (json!({ "email": "not an address" }), "BAD_USER_INPUT"),
        (json!({ "complianceDigest": true }), "FORBIDDEN"),
    ] {
        let body = app
            .gql(Some(&ada), update, json!({ "input": input.clone() }))
            .await;
        assert_eq!(codes(&body), [code], "{input} -> {body}");
    }
    let cy = app.token("digest-s", "cy", &[Compliance]);
    let opted = app
        .gql(
            Some(&cy),
            update,
            json!({ "input": { "complianceDigest": true } }),
        )
        .await;
    assert_eq!(
        opted["data"]["updateNotificationSettings"]["complianceDigest"], true,
        "{opted}"
    );
    let empty = app
        .gql(
            Some(&cy),
            "{ digestPreview { empty items { kind } to } }",
            json!({}),
        )
        .await;
    assert_eq!(
        empty["data"]["digestPreview"],
        json!({ "empty": true, "items": [], "to": null })
    );
});

db_test!(
    the_compliance_digest_ends_with_the_role,
    async |app: TestApp| {
        let cy = person(&app, "digest-r", "cy", &[Compliance], None).await;
        let al = person(&app, "digest-r", "al", &[Advisor], None).await;
        let account = crate::common::account(
            socialgate::domain::Network::Linkedin,
            "pending-one",
            "token",
        );
        crate::common::connected(&app.app, &al, account).await;
        let update = "mutation($input: NotificationSettingsInput!) { updateNotificationSettings(input: $input) { complianceDigest } }";
        let officer = app.token("digest-r", "cy", &[Compliance]);
        let body = app
            .gql(
                Some(&officer),
                update,
                json!({ "input": { "complianceDigest": true } }),
            )
            .await;
        assert_eq!(
            body["data"]["updateNotificationSettings"]["complianceDigest"],
            true
        );
        let preview = "{ digestPreview { items { kind accountName } } }";
        let with_role = app.gql(Some(&officer), preview, json!({})).await;
        assert_eq!(
            with_role["data"]["digestPreview"]["items"][0]["accountName"], "Account pending-one",
            "{with_role}"
        );

        // The identity provider takes the role away: the next token says advisor.
        let demoted = app.token("digest-r", "cy", &[Advisor]);
        let without = app.gql(Some(&demoted), preview, json!({})).await;
        assert_eq!(
            without["data"]["digestPreview"]["items"],
            json!([]),
            "the review queue is not shown without the role: {without}"
        );
        // The daily mail goes by the role as last seen: it no longer lists the queue,
        // though the person never signs in again.
        let stored = app
            .store
            .tenant(socialgate::store::Scope::tenant(cy.tenant_id))
            .user(cy.user_id)
            .await
            .expect("read")
            .expect("row");
        assert!(!stored.reviewer, "the role as last seen is stored");
        let mail = socialgate::service::digest::compose(
            &app.app,
            &stored,
            stored.reviewer,
            chrono::Utc::now(),
        )
        .await
        .expect("compose");
        assert!(mail.digest.items.is_empty(), "{:?}", mail.digest.items);
    }
);

db_test!(
    a_used_unsubscribe_link_does_not_work_again,
    async |app: TestApp| {
        let ada = person(&app, "unsub", "ada", &[Advisor], Some("ada@s.test")).await;
        let token = app.token("unsub", "ada", &[Advisor]);
        let update = "mutation($input: NotificationSettingsInput!) { updateNotificationSettings(input: $input) { dailyDigest } }";
        let on = json!({ "input": { "dailyDigest": true } });
        app.gql(Some(&token), update, on.clone()).await;
        let row = || async {
            app.store
                .tenant(socialgate::store::Scope::tenant(ada.tenant_id))
                .user(ada.user_id)
                .await
                .expect("read")
                .expect("row")
        };
        let mail =
            socialgate::service::digest::compose(&app.app, &row().await, false, chrono::Utc::now())
                .await
                .expect("compose");
        let click = || async {
            app.http
                .post(&mail.unsubscribe_url)
                .form(&[("List-Unsubscribe", "One-Click")])
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        };
        assert_eq!(click().await, 200);
        assert!(
            !row().await.digest_enabled,
            "the link turned the digest off"
        );

        // The person turns it on again; the old mail's link must not switch it off.
        app.gql(Some(&token), update, on).await;
        assert_eq!(click().await, 400);
        assert!(row().await.digest_enabled, "a used link changed nothing");
    }
);
