//! Meta's deauthorize and data-deletion callbacks through the real router: a
//! `signed_request` signed with the right app's secret moves that person's
//! integrations (in every tenant) through the change road; a bad signature, another
//! app's secret or another algorithm is 400 and changes nothing; an unknown person is
//! answered normally and changes nothing; the data-deletion status page resolves the
//! confirmation code without naming the person.

use entity::enums::Status;
use serde_json::{Value, json};
use socialgate::{
    Config,
    auth::{Actor, Role::Advisor},
    config::Secret,
    domain::{IntegrationId, Network, StatusReason},
    providers::signed_request::sign,
    service::lifecycle,
    store::Scope,
};

use crate::{common::TestApp, db_test};

const FB_SECRET: &str = "facebook-app-secret";
const IG_SECRET: &str = "instagram-app-secret";

fn meta_apps(config: &mut Config) {
    config.facebook_app_id = Some("fb-app".into());
    config.facebook_app_secret = Some(Secret::new(FB_SECRET));
    config.instagram_app_id = Some("ig-app".into());
    config.instagram_app_secret = Some(Secret::new(IG_SECRET));
}

/// A connected integration of `owner` signed in by the network user `person`, with
/// a stored token.
async fn connected(
    app: &TestApp,
    owner: &Actor,
    network: Network,
    account: &str,
    person: &str,
) -> IntegrationId {
    let mut new = crate::common::account(network, account, &format!("token-of-{account}"));
    new.network_user_id = Some(person.into());
    crate::common::connected(&app.app, owner, new).await
}

fn signed(person: &str, secret: &str) -> String {
    signed_at(person, secret, chrono::Utc::now().timestamp())
}

fn signed_at(person: &str, secret: &str, issued_at: i64) -> String {
    let payload = json!({ "algorithm": "HMAC-SHA256", "issued_at": issued_at, "user_id": person });
    sign(&payload, &Secret::new(secret))
}

/// POSTs `signed_request` as Meta does (a form) and returns the status and JSON body.
async fn callback(app: &TestApp, path: &str, signed_request: Option<&str>) -> (u16, Value) {
    let mut form = Vec::new();
    if let Some(signed) = signed_request {
        form.push(("signed_request", signed));
    }
    let response = app
        .http
        .post(format!("{}{path}", app.base))
        .form(&form)
        .send()
        .await
        .expect("callback");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn row(app: &TestApp, owner: &Actor, id: IntegrationId) -> entity::integration::Model {
    app.store
        .tenant(Scope::tenant(owner.tenant_id))
        .integration(id)
        .await
        .expect("read")
        .expect("row")
}

async fn has_credentials(app: &TestApp, owner: &Actor, id: IntegrationId) -> bool {
    app.store
        .tenant(Scope::tenant(owner.tenant_id))
        .credentials(id)
        .await
        .expect("read")
        .is_some()
}

async fn deletion_requests(app: &TestApp) -> usize {
    use sea_orm::EntityTrait;
    entity::data_deletion_request::Entity::find()
        .all(app.store.db())
        .await
        .expect("read")
        .len()
}

db_test!(
    deauthorize_invalidates_that_persons_integrations_in_every_tenant,
    config = meta_apps,
    async |app: TestApp| {
        let alice = app.actor("meta-a", "alice", &[Advisor]).await;
        let bob = app.actor("meta-b", "bob", &[Advisor]).await;
        let page_a = connected(&app, &alice, Network::Facebook, "page-a", "fb-person").await;
        let page_b = connected(&app, &bob, Network::Facebook, "page-b", "fb-person").await;
        let carol = app.actor("meta-b", "carol", &[Advisor]).await;
        let other = connected(&app, &carol, Network::Facebook, "page-c", "fb-other").await;
        // An id from the Instagram app is another id space: untouched by Facebook's call.
        let insta = connected(&app, &alice, Network::Instagram, "ig-1", "fb-person").await;
        let (head_a, head_b) = (app.head("meta-a").await, app.head("meta-b").await);

        let answer = callback(
            &app,
            "/callbacks/facebook/deauthorize",
            Some(&signed("fb-person", FB_SECRET)),
        )
        .await;
        assert_eq!(answer.0, 200, "{answer:?}");
        for (owner, id) in [(&alice, page_a), (&bob, page_b)] {
            let moved = row(&app, owner, id).await;
            assert_eq!(moved.status, Status::Invalid);
            assert_eq!(moved.status_reason, StatusReason::AppDeauthorized);
            assert!(
                has_credentials(&app, owner, id).await,
                "deauthorize keeps tokens"
            );
        }
        assert_eq!(row(&app, &carol, other).await.status, Status::Pending);
        assert_eq!(row(&app, &alice, insta).await.status, Status::Pending);
        // One audit event in each tenant, by the system.
        let next = |head: &str| (head.parse::<i64>().expect("seq") + 1).to_string();
        assert_eq!(app.head("meta-a").await, next(&head_a));
        assert_eq!(app.head("meta-b").await, next(&head_b));

        // Meta retries: the work is done, nothing moves again.
        let again = callback(
            &app,
            "/callbacks/facebook/deauthorize",
            Some(&signed("fb-person", FB_SECRET)),
        )
        .await;
        assert_eq!(again.0, 200);
        assert_eq!(app.head("meta-a").await, next(&head_a));

        // Instagram's own callback, with Instagram's secret, reaches the Instagram one.
        let answer = callback(
            &app,
            "/callbacks/instagram/deauthorize",
            Some(&signed("fb-person", IG_SECRET)),
        )
        .await;
        assert_eq!(answer.0, 200);
        assert_eq!(
            row(&app, &alice, insta).await.status_reason,
            StatusReason::AppDeauthorized
        );
    }
);

db_test!(
    a_bad_signature_or_algorithm_is_refused_and_changes_nothing,
    config = meta_apps,
    async |app: TestApp| {
        let alice = app.actor("meta-a", "alice", &[Advisor]).await;
        let page = connected(&app, &alice, Network::Facebook, "page-a", "person").await;
        let insta = connected(&app, &alice, Network::Instagram, "ig-1", "person").await;
        let head = app.head("meta-a").await;
        let sha1 = sign(
            &json!({ "algorithm": "HMAC-SHA1", "user_id": "person" }),
            &Secret::new(FB_SECRET),
        );
        // A genuine signature (of a request about someone else) over another payload.
        let forged = {
            let genuine = signed("someone-else", FB_SECRET);
            let wanted = signed("person", "any");
            let signature = genuine.split_once('.').expect("two parts").0;
            let payload = wanted.split_once('.').expect("two parts").1;
            format!("{signature}.{payload}")
        };
        for callback_name in ["deauthorize", "data-deletion"] {
            let cases = [
                (
                    "facebook",
                    Some(signed("person", "not-the-secret")),
                    "wrong secret",
                ),
                (
                    "facebook",
                    Some(forged.clone()),
                    "payload swapped under a signature",
                ),
                ("facebook", Some(sha1.clone()), "another algorithm"),
                (
                    "facebook",
                    Some(signed_at(
                        "person",
                        FB_SECRET,
                        chrono::Utc::now().timestamp() - 2 * 86_400,
                    )),
                    "a request replayed two days later",
                ),
                (
                    "facebook",
                    Some("garbage".to_owned()),
                    "not a signed_request",
                ),
                ("facebook", None, "no signed_request"),
                // Each app's callbacks take only that app's signature.
                (
                    "instagram",
                    Some(signed("person", FB_SECRET)),
                    "Facebook's secret on Instagram's route",
                ),
                (
                    "facebook",
                    Some(signed("person", IG_SECRET)),
                    "Instagram's secret on Facebook's route",
                ),
            ];
            for (network, request, why) in cases {
                let path = format!("/callbacks/{network}/{callback_name}");
                let (status, body) = callback(&app, &path, request.as_deref()).await;
                assert_eq!(status, 400, "{path}: {why}: {body}");
                assert!(
                    body["url"].is_null() && body["error"].is_string(),
                    "{why}: {body}"
                );
            }
        }
        // LinkedIn sends no such callbacks.
        let (status, _) = callback(
            &app,
            "/callbacks/linkedin/deauthorize",
            Some(&signed("person", FB_SECRET)),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(app.head("meta-a").await, head, "no event");
        for id in [page, insta] {
            let same = row(&app, &alice, id).await;
            assert_eq!(same.status, Status::Pending);
            assert!(has_credentials(&app, &alice, id).await);
        }
        assert_eq!(deletion_requests(&app).await, 0);
    }
);

db_test!(
    an_unknown_person_is_answered_and_nothing_changes,
    config = meta_apps,
    async |app: TestApp| {
        let alice = app.actor("meta-a", "alice", &[Advisor]).await;
        let page = connected(&app, &alice, Network::Facebook, "page-a", "known").await;
        let head = app.head("meta-a").await;
        for (network, secret) in [("facebook", FB_SECRET), ("instagram", IG_SECRET)] {
            let (status, _) = callback(
                &app,
                &format!("/callbacks/{network}/deauthorize"),
                Some(&signed("stranger", secret)),
            )
            .await;
            assert_eq!(status, 200, "{network}");
            let (status, body) = callback(
                &app,
                &format!("/callbacks/{network}/data-deletion"),
                Some(&signed("stranger", secret)),
            )
            .await;
            assert_eq!(status, 200, "{network}: {body}");
            let url = body["url"].as_str().expect("url");
            let code = body["confirmation_code"].as_str().expect("code");
            assert!(code.chars().all(|c| c.is_ascii_alphanumeric()) && code.len() >= 16);
            assert_eq!(url, format!("{}/data-deletion/{code}", app.base));
            let status: Value = app
                .http
                .get(url)
                .header("accept", "application/json")
                .send()
                .await
                .expect("status page")
                .json()
                .await
                .expect("json");
            assert_eq!(status["integrations"], 0, "{status}");
            assert!(
                status["done"]
                    .as_str()
                    .expect("done")
                    .contains("nothing to delete")
            );
        }
        assert_eq!(app.head("meta-a").await, head, "no event");
        assert_eq!(row(&app, &alice, page).await.status, Status::Pending);
        assert!(has_credentials(&app, &alice, page).await);
    }
);

db_test!(
    data_deletion_destroys_credentials_and_the_status_page_resolves_the_code,
    config = meta_apps,
    async |app: TestApp| {
        let alice = app.actor("meta-a", "alice", &[Advisor]).await;
        // The same person signed in for two advisors; a third is someone else.
        let ann = app.actor("meta-a", "ann", &[Advisor]).await;
        let al = app.actor("meta-a", "al", &[Advisor]).await;
        let live = connected(&app, &alice, Network::Instagram, "ig-live", "1784100").await;
        let old = connected(&app, &ann, Network::Instagram, "ig-old", "1784100").await;
        let kept = connected(&app, &al, Network::Instagram, "ig-kept", "1784999").await;
        lifecycle::expire(&app.app, alice.tenant_id, old, StatusReason::TokenExpired)
            .await
            .expect("expire");
        let head: i64 = app.head("meta-a").await.parse().expect("seq");

        let (status, body) = callback(
            &app,
            "/callbacks/instagram/data-deletion",
            Some(&signed("1784100", IG_SECRET)),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let url = body["url"].as_str().expect("url").to_owned();
        let code = body["confirmation_code"].as_str().expect("code").to_owned();

        let withdrawn = row(&app, &alice, live).await;
        assert_eq!(withdrawn.status, Status::Invalid);
        assert_eq!(withdrawn.status_reason, StatusReason::DataDeletionRequested);
        // Already expired: the status stays, the reason and the lost tokens say why.
        let expired = row(&app, &alice, old).await;
        assert_eq!(expired.status, Status::Expired);
        assert_eq!(expired.status_reason, StatusReason::DataDeletionRequested);
        for id in [live, old] {
            assert!(
                !has_credentials(&app, &alice, id).await,
                "credentials destroyed"
            );
        }
        assert!(
            has_credentials(&app, &alice, kept).await,
            "another person's stay"
        );
        let after: i64 = app.head("meta-a").await.parse().expect("seq");
        assert_eq!(after, head + 2, "one event per integration");

        let page = app.http.get(&url).send().await.expect("status page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains(&code) && html.contains("completed"), "{html}");
        assert!(html.contains("2 Instagram connections"), "{html}");
        assert!(
            !html.contains("1784100") && !html.contains("token-of"),
            "no personal data: {html}"
        );
        let json: Value = app
            .http
            .get(&url)
            .header("accept", "application/json")
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("json");
        assert_eq!(json["confirmation_code"], code.as_str());
        assert_eq!(json["integrations"], 2);
        assert_eq!(json["network"], "Instagram");
        assert_eq!(json["status"], "completed");
        assert!(json["requested_at"].is_string());
        assert!(!json.to_string().contains("1784100"));

        let unknown = app
            .http
            .get(format!("{}/data-deletion/0123456789abcdef", app.base))
            .send()
            .await
            .expect("unknown");
        assert_eq!(unknown.status(), 404);
    }
);
