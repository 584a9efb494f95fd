//! An address a person chooses for their digest takes effect only once the link
//! mailed to it is followed: until then the digest keeps its address, and the link
//! works once, for the settings it was sent under.

use serde_json::{Value, json};
use socialgate::{
    Config,
    auth::Role::{Advisor, Compliance},
};

use crate::{
    common::{TestApp, codes},
    db_test,
    digest::person,
    smtp::{self, SmtpServer},
};

const UPDATE: &str = "mutation($input: NotificationSettingsInput!) { updateNotificationSettings(input: $input) { email emailFromToken pendingEmail } }";
const READ: &str = "{ viewer { notificationSettings { email emailFromToken pendingEmail } } }";

/// The confirmation link of the one mail `smtp` got since it was last asked, which
/// must have gone to `address` alone and be no digest.
pub fn confirmation_link(smtp: &SmtpServer, address: &str) -> String {
    let mails = smtp.take();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, [address]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Confirm the address for your Daily Digest")
    );
    assert_eq!(mail.header("List-Unsubscribe"), None, "not a subscription");
    let body = mail.body();
    let start = body.find("http").expect("a link");
    let link: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    assert!(link.contains("/digest/confirm-address?token="), "{link}");
    link
}

/// Follows a confirmation link as a person's browser does: the page, then its button.
pub async fn follow(app: &TestApp, link: &str) -> (u16, String) {
    let page = app.http.get(link).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page");
    assert!(page.contains("Confirm this address"), "{page}");
    let done = app.http.post(link).send().await.expect("post");
    let status = done.status().as_u16();
    (status, done.text().await.expect("text"))
}

fn settings(body: &Value) -> &Value {
    &body["data"]["updateNotificationSettings"]
}

db_test!(
    a_chosen_address_takes_effect_once_its_link_is_followed,
    config = |c: &mut Config| smtp::reserve(c),
    async |app: TestApp| {
        let smtp = SmtpServer::serve(&app.app.config);
        person(&app, "addr", "ada", &[Advisor], Some("ada@s.test")).await;
        let ada = app.token("addr", "ada", &[Advisor]);
        let choose = |email: Value| json!({ "input": { "email": email } });

        let asked = app
            .gql(Some(&ada), UPDATE, choose(json!("ada@home.test")))
            .await;
        assert_eq!(
            settings(&asked),
            &json!({ "email": "ada@s.test", "emailFromToken": true, "pendingEmail": "ada@home.test" }),
            "the digest keeps its address until the new one is confirmed"
        );
        let link = confirmation_link(&smtp, "ada@home.test");
        let (status, page) = follow(&app, &link).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("ada@home.test"), "{page}");
        let now = app.gql(Some(&ada), READ, json!({})).await;
        assert_eq!(
            now["data"]["viewer"]["notificationSettings"],
            json!({ "email": "ada@home.test", "emailFromToken": false, "pendingEmail": null })
        );
        let again = app.http.post(&link).send().await.expect("again");
        assert_eq!(again.status(), 400, "a link works once");

        // A newer choice withdrawn before its link is followed: the link no longer works.
        app.gql(Some(&ada), UPDATE, choose(json!("ada@other.test")))
            .await;
        let stale = confirmation_link(&smtp, "ada@other.test");
        let back = app.gql(Some(&ada), UPDATE, choose(Value::Null)).await;
        assert_eq!(
            settings(&back),
            &json!({ "email": "ada@s.test", "emailFromToken": true, "pendingEmail": null })
        );
        let refused = app.http.post(&stale).send().await.expect("stale");
        assert_eq!(refused.status(), 400);
        assert!(
            refused
                .text()
                .await
                .expect("text")
                .contains("choose the address again")
        );

        // A link confirms only the address it was mailed to, whatever waits now.
        app.gql(Some(&ada), UPDATE, choose(json!("ada@one.test")))
            .await;
        let first = confirmation_link(&smtp, "ada@one.test");
        app.gql(Some(&ada), UPDATE, choose(json!("ada@two.test")))
            .await;
        let second = confirmation_link(&smtp, "ada@two.test");
        let refused = app.http.post(&first).send().await.expect("first");
        assert_eq!(
            refused.status(),
            400,
            "the first link cannot confirm the second address"
        );
        let (status, page) = follow(&app, &second).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("ada@two.test"), "{page}");

        // The token's own address, or the one confirmed before, needs no link.
        let own = app
            .gql(Some(&ada), UPDATE, choose(json!("ADA@s.test")))
            .await;
        assert_eq!(settings(&own)["pendingEmail"], Value::Null, "{own}");
        assert!(smtp.take().is_empty(), "no mail for a vouched address");

        // A changed link is refused.
        let forged = link.replace("token=", "token=x");
        let refused = app.http.post(&forged).send().await.expect("forged");
        assert_eq!(refused.status(), 400);
    }
);

db_test!(
    without_mail_a_new_address_cannot_be_chosen,
    async |app: TestApp| {
        person(&app, "addr-off", "cy", &[Compliance], Some("cy@s.test")).await;
        let cy = app.token("addr-off", "cy", &[Compliance]);
        let body = app
            .gql(
                Some(&cy),
                UPDATE,
                json!({ "input": { "email": "cy@home.test" } }),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("mail is off"), "{message}");
        let read = app.gql(Some(&cy), READ, json!({})).await;
        assert_eq!(
            read["data"]["viewer"]["notificationSettings"]["pendingEmail"],
            Value::Null,
            "nothing half-written"
        );
    }
);
