//! The Daily Digest: settings over GraphQL, the job against a real SMTP server (right
//! people, right items, both parts, the headers mail clients rely on, nothing for
//! people with nothing to report or the digest off), one-click unsubscribe, and the
//! preview showing what the mail says.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use socialgate::{
    Config,
    auth::{
        Actor, Claims,
        Role::{self, Advisor, Compliance},
    },
    domain::{IntegrationId, Network, StatusReason, notifications::NotificationChange},
    graphql::ids::IntegrationGid,
    jobs::{Job, Jobs},
    service::{
        digest,
        lifecycle::{self, NewAccount},
        viewer,
    },
};

use crate::{
    common::TestApp,
    db_test,
    smtp::{self, Mail, SmtpServer},
};

/// A person of `tenant` with `email` in their token.
pub async fn person(
    app: &TestApp,
    tenant: &str,
    sub: &str,
    roles: &[Role],
    email: Option<&str>,
) -> Actor {
    let claims = Claims {
        sub: sub.to_owned(),
        tenant_id: tenant.to_owned(),
        roles: roles.to_vec(),
        email: email.map(str::to_owned),
        name: Some(format!("{sub} Example")),
        exp: 0,
        nbf: None,
        iss: None,
        aud: None,
    };
    viewer::authenticate(&app.store, &app.app.callers, &claims, None)
        .await
        .expect("authenticate")
}

/// Turns `who`'s digest on at `hour` in `zone`.
pub async fn subscribe(app: &TestApp, who: &Actor, zone: &str, hour: i32) {
    let change = NotificationChange {
        daily_digest: Some(true),
        time_zone: Some(zone.to_owned()),
        hour_of_day: Some(hour),
        ..Default::default()
    };
    digest::update(&app.app, who, change)
        .await
        .expect("subscribe");
}

/// A new PENDING integration of `owner` named `name`.
pub async fn account(
    app: &TestApp,
    owner: &Actor,
    network: Network,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> IntegrationId {
    let account = NewAccount {
        network,
        external_account_id: name.to_lowercase().replace(' ', "-"),
        network_user_id: None,
        display_name: name.to_owned(),
        profile_url: None,
        scopes: vec!["openid".into()],
        token_expires_at: expires_at,
        tokens: None,
    };
    lifecycle::connected(&app.app, owner, account)
        .await
        .expect("connect")
        .integration
        .id
}

/// A new integration of `owner` that the network has since refused.
pub async fn broken(app: &TestApp, owner: &Actor, network: Network, name: &str) -> IntegrationId {
    let id = account(app, owner, network, name, None).await;
    lifecycle::expire(&app.app, owner.tenant_id, id, StatusReason::TokenExpired)
        .await
        .expect("expire");
    id
}

/// The recipients of `mails`, sorted.
pub fn recipients(mails: &[Mail]) -> Vec<String> {
    let mut all: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    all.sort();
    all
}

/// A moment after `now` that is still the same calendar day in UTC and in London (the
/// zones this file's people live in), so the test means the same at 23:50 as at noon.
fn later_the_same_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let until_midnight = |zone: chrono_tz::Tz| {
        let local = now.with_timezone(&zone).date_naive();
        let next = local.succ_opt().expect("a next day").and_hms_opt(0, 0, 0);
        let next = next.expect("midnight").and_local_timezone(zone).earliest();
        next.expect("midnight exists").with_timezone(&Utc) - now
    };
    let room = until_midnight(chrono_tz::UTC).min(until_midnight(chrono_tz::Europe::London));
    now + Duration::minutes(30).min(room / 2)
}

fn with_smtp(config: &mut Config) {
    smtp::reserve(config);
    config.frontend_url = Some("https://admin.example.com/review/{id}".to_owned());
}

db_test!(
    the_digest_reaches_the_right_people_with_both_parts_and_headers,
    config = with_smtp,
    async |app: TestApp| {
        let smtp = SmtpServer::serve(&app.app.config);
        let t = "digest-acme";
        let ann = person(&app, t, "ann", &[Advisor], Some("ann@acme.test")).await;
        let bob = person(&app, t, "bob", &[Advisor], Some("bob@acme.test")).await;
        let cat = person(&app, t, "cat", &[Advisor], Some("cat@acme.test")).await;
        let col = person(&app, t, "col", &[Compliance], Some("col@acme.test")).await;
        let now = Utc::now();

        let expired = broken(&app, &ann, Network::Linkedin, "Ann on LinkedIn").await;
        let page = account(&app, &ann, Network::Facebook, "Ann Advisory Page", None).await;
        lifecycle::invalidate(&app.app, ann.tenant_id, page, StatusReason::PageRoleLost)
            .await
            .expect("invalidate");
        let soon = Some(now + Duration::days(3));
        account(&app, &ann, Network::Instagram, "Ann on Instagram", soon).await;
        let gone = broken(&app, &ann, Network::Linkedin, "Ann Retired Profile").await;
        lifecycle::disconnect(&app.app, &ann, gone, None)
            .await
            .expect("disconnect");
        let later = Some(now + Duration::days(90));
        account(&app, &bob, Network::Linkedin, "Bob Waiting", later).await;
        broken(&app, &cat, Network::Facebook, "Cat Page").await;

        subscribe(&app, &ann, "UTC", 0).await;
        subscribe(&app, &bob, "UTC", 0).await;
        subscribe(&app, &col, "Europe/London", 0).await;
        let review = NotificationChange {
            compliance_digest: Some(true),
            email: Some(Some("review@acme.test".into())),
            ..Default::default()
        };
        digest::update(&app.app, &col, review)
            .await
            .expect("opt in");
        let link = crate::digest_address::confirmation_link(&smtp, "review@acme.test");
        assert_eq!(crate::digest_address::follow(&app, &link).await.0, 200);

        let jobs = Jobs::new(app.app.clone());
        let report = jobs.run_once_at(Job::Digest, now).await.expect("run");
        assert_eq!((report.ran, report.changed), (true, 2), "{report:?}");
        let mails = smtp.mails();
        assert_eq!(
            recipients(&mails),
            ["ann@acme.test", "review@acme.test"],
            "bob has nothing to report, cat has the digest off"
        );

        let ann_mail = mails
            .iter()
            .find(|m| m.to == ["ann@acme.test"])
            .expect("ann");
        let body = ann_mail.body();
        assert_eq!(ann_mail.from, "<digest@socialgate.test>");
        for name in ["Ann on LinkedIn", "Ann Advisory Page", "Ann on Instagram"] {
            assert!(body.contains(name), "{name} missing:\n{body}");
        }
        for name in ["Ann Retired Profile", "Bob Waiting", "Cat Page"] {
            assert!(!body.contains(name), "{name} listed:\n{body}");
        }
        for words in [
            "You no longer have a role on this Facebook Page that allows posting.",
            "The network's sign-in for this account expired.",
            "Reconnect the account to restore access.",
            "Your accounts that stop working soon",
        ] {
            assert!(body.contains(words), "{words:?} missing:\n{body}");
        }
        let link = format!(
            "https://admin.example.com/review/{}",
            IntegrationGid(expired).encoded()
        );
        assert!(body.contains(&link), "review link missing:\n{body}");
        let content_type = ann_mail.header("Content-Type").expect("content type");
        assert!(
            content_type.starts_with("multipart/alternative"),
            "{content_type}"
        );
        assert!(body.contains("Content-Type: text/plain"), "{body}");
        assert!(body.contains("Content-Type: text/html"), "{body}");
        assert!(
            body.contains("<a href=\"https://admin.example.com/review/"),
            "{body}"
        );
        let subject = ann_mail.header("Subject").expect("subject");
        assert!(
            subject.ends_with(": 3 things need your attention"),
            "{subject}"
        );
        let message_id = ann_mail.header("Message-ID").expect("message id");
        assert!(
            message_id.starts_with('<') && message_id.ends_with(".digest@socialgate.test>"),
            "{message_id}"
        );
        let date = ann_mail.header("Date").expect("date");
        let date = DateTime::parse_from_rfc2822(&date).expect("an RFC 5322 date");
        assert_eq!(date.timestamp(), now.timestamp());
        assert_eq!(
            ann_mail.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        let unsubscribe = ann_mail
            .header("List-Unsubscribe")
            .expect("list-unsubscribe");
        let unsubscribe = unsubscribe.trim_matches(['<', '>']).to_owned();
        assert!(
            unsubscribe.starts_with(&format!("{}/digest/unsubscribe?token=", app.base)),
            "{unsubscribe}"
        );

        let col_body = mails
            .iter()
            .find(|m| m.to == ["review@acme.test"])
            .expect("compliance")
            .body();
        for words in [
            "Waiting for compliance approval",
            "Bob Waiting",
            "Ann on Instagram",
            "Accounts in your firm that stopped working since yesterday",
            "Cat Page",
            "Ann on LinkedIn",
            "cat Example",
        ] {
            assert!(col_body.contains(words), "{words:?} missing:\n{col_body}");
        }
        assert!(!col_body.contains("Ann Retired Profile"), "{col_body}");

        // The same day again: nothing more, whoever had something to say.
        let again = jobs
            .run_once_at(Job::Digest, later_the_same_day(now))
            .await
            .expect("run");
        assert_eq!(again.changed, 0);
        assert_eq!(smtp.mails().len(), 2);
        let bob_rows = entity::digest_delivery::Entity::find()
            .filter(entity::digest_delivery::Column::UserId.eq(bob.user_id))
            .all(app.store.db())
            .await
            .expect("rows");
        assert_eq!(bob_rows.len(), 1);
        assert_eq!(bob_rows[0].status, entity::enums::DeliveryStatus::Skipped);

        // The preview says what the mail said.
        let token = app.token(t, "ann", &[Advisor]);
        let preview = app
            .gql(
                Some(&token),
                "{ digestPreview { empty subject to items { kind accountName status reason reviewUrl } text html } }",
                json!({}),
            )
            .await;
        let preview = &preview["data"]["digestPreview"];
        assert_eq!(preview["subject"], subject.as_str(), "{preview}");
        assert_eq!(preview["to"], "ann@acme.test");
        assert_eq!(preview["empty"], false);
        let kinds: Vec<(String, String)> = preview["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["kind"].as_str().unwrap_or_default().to_owned(),
                    i["accountName"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("PROBLEM".to_owned(), "Ann on LinkedIn".to_owned()),
                ("PROBLEM".to_owned(), "Ann Advisory Page".to_owned()),
                ("EXPIRING_SOON".to_owned(), "Ann on Instagram".to_owned()),
            ]
        );
        assert_eq!(preview["items"][0]["reviewUrl"], link.as_str());
        assert!(
            preview["html"]
                .as_str()
                .is_some_and(|h| h.contains("Ann Advisory Page"))
        );

        // One click: a GET only shows a page; the POST turns the digest off.
        let page = app.http.get(&unsubscribe).send().await.expect("get");
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .expect("page")
                .contains("<form method=\"post\"")
        );
        let settings = "{ viewer { notificationSettings { dailyDigest } } }";
        let on = app.gql(Some(&token), settings, json!({})).await;
        assert_eq!(
            on["data"]["viewer"]["notificationSettings"]["dailyDigest"],
            true
        );
        let tampered = format!("{}x", unsubscribe);
        let refused = app
            .http
            .post(&tampered)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("post");
        assert_eq!(refused.status(), 400);
        let done = app
            .http
            .post(&unsubscribe)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("post");
        assert_eq!(done.status(), 200);
        let off = app.gql(Some(&token), settings, json!({})).await;
        assert_eq!(
            off["data"]["viewer"]["notificationSettings"]["dailyDigest"],
            false
        );
    }
);
