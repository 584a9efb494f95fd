//! Meta's requests that do not name a person, or that do not come through a callback:
//! a Page that removes the app is named by `profile_id` (with `user_id` 0) and its
//! integrations are withdrawn; a data-deletion request received by email is carried
//! out with the `data-deletion` command, exactly as the callback would.

use serde_json::json;
use socialgate::{
    Config,
    auth::{Actor, Role::Advisor},
    config::Secret,
    domain::{IntegrationId, Network, Status, StatusReason},
    providers::signed_request::sign,
    store::Scope,
};

use crate::{
    common::{AUDIENCE, ISSUER, SECRET, TestApp},
    db_test,
};

const FB_SECRET: &str = "facebook-app-secret";

fn meta_app(config: &mut Config) {
    config.facebook_app_id = Some("fb-app".into());
    config.facebook_app_secret = Some(Secret::new(FB_SECRET));
}

/// A Page `page` connected by `owner`, signed in as the Facebook user `person`.
async fn page(app: &TestApp, owner: &Actor, page: &str, person: &str) -> IntegrationId {
    let mut new = crate::common::account(Network::Facebook, page, &format!("token-of-{page}"));
    new.network_user_id = Some(person.into());
    crate::common::connected(&app.app, owner, new).await
}

async fn row(app: &TestApp, owner: &Actor, id: IntegrationId) -> entity::integration::Model {
    app.store
        .tenant(Scope::tenant(owner.tenant_id))
        .integration(id)
        .await
        .expect("read")
        .expect("row")
}

db_test!(
    a_page_that_removes_the_app_is_withdrawn,
    config = meta_app,
    async |app: TestApp| {
        let alice = app.actor("pages-a", "alice", &[Advisor]).await;
        let bob = app.actor("pages-b", "bob", &[Advisor]).await;
        let carol = app.actor("pages-b", "carol", &[Advisor]).await;
        let removed = page(&app, &alice, "100000000000009", "fb-alice").await;
        let same_page = page(&app, &bob, "100000000000009", "fb-bob").await;
        let other = page(&app, &carol, "100000000000010", "fb-bob").await;
        // The payload Meta documented for a Page removing the app: the Page as
        // `profile_id`, and `user_id` 0.
        let payload = json!({
            "algorithm": "HMAC-SHA256",
            "issued_at": chrono::Utc::now().timestamp(),
            "user_id": 0,
            "profile_id": "100000000000009",
        });
        let signed = sign(&payload, &Secret::new(FB_SECRET));
        let response = app
            .http
            .post(format!("{}/callbacks/facebook/deauthorize", app.base))
            .form(&[("signed_request", signed.as_str())])
            .send()
            .await
            .expect("callback");
        assert_eq!(response.status(), 200);
        for (owner, id) in [(&alice, removed), (&bob, same_page)] {
            let moved = row(&app, owner, id).await;
            assert_eq!(
                (moved.status, moved.status_reason),
                (Status::Invalid, StatusReason::AppDeauthorized)
            );
        }
        let untouched = row(&app, &carol, other).await;
        assert_eq!(untouched.status, Status::Pending);
    }
);

db_test!(
    a_deletion_request_by_email_is_carried_out_by_the_command,
    config = meta_app,
    async |app: TestApp| {
        let alice = app.actor("deletion", "alice", &[Advisor]).await;
        let bob = app.actor("deletion", "bob", &[Advisor]).await;
        let asked = page(&app, &alice, "100000000000011", "fb-writes-in").await;
        let kept = page(&app, &bob, "100000000000012", "fb-someone-else").await;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_socialgate"));
        command
            .args([
                "data-deletion",
                "--network",
                "facebook",
                "--user-id",
                "fb-writes-in",
            ])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SOCIALGATE_DATABASE_URL", &app.url)
            .env("SOCIALGATE_JWT_SECRET", SECRET)
            .env("SOCIALGATE_JWT_ISSUER", ISSUER)
            .env("SOCIALGATE_JWT_AUDIENCE", AUDIENCE)
            .env("SOCIALGATE_TOKEN_KEYS", app.token_keys.expose())
            .env("SOCIALGATE_FACEBOOK_APP_ID", "fb-app")
            .env("SOCIALGATE_FACEBOOK_APP_SECRET", FB_SECRET)
            .env("SOCIALGATE_JOBS", "false");
        let out = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("the command runs");
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{printed}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let code = printed
            .lines()
            .find_map(|l| l.strip_prefix("confirmation code: "))
            .expect("the confirmation code is printed")
            .trim()
            .to_owned();

        let withdrawn = row(&app, &alice, asked).await;
        assert_eq!(withdrawn.status_reason, StatusReason::DataDeletionRequested);
        let scoped = app.store.tenant(Scope::tenant(alice.tenant_id));
        assert!(
            scoped.credentials(asked).await.expect("read").is_none(),
            "the tokens are destroyed"
        );
        assert!(scoped.credentials(kept).await.expect("read").is_some());
        assert_eq!(row(&app, &bob, kept).await.status, Status::Pending);

        // The status page resolves the code, as for a callback's request.
        let status = app
            .http
            .get(format!("{}/data-deletion/{code}", app.base))
            .send()
            .await
            .expect("status page");
        assert_eq!(status.status(), 200);
        let page = status.text().await.expect("text");
        assert!(page.contains("1 Facebook connection"), "{page}");
    }
);

/// POSTs `signed` to the callback at `path`; the status and JSON body.
async fn post(app: &TestApp, path: &str, signed: &str) -> (u16, serde_json::Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.base))
        .form(&[("signed_request", signed)])
        .send()
        .await
        .expect("callback");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

db_test!(
    a_replayed_callback_changes_nothing,
    config = meta_app,
    async |app: TestApp| {
        let alice = app.actor("replay", "alice", &[Advisor]).await;
        let first = page(&app, &alice, "100000000000021", "fb-replayed").await;
        let payload = json!({
            "algorithm": "HMAC-SHA256",
            "issued_at": chrono::Utc::now().timestamp(),
            "user_id": "fb-replayed",
        });
        let signed = sign(&payload, &Secret::new(FB_SECRET));
        let (status, _) = post(&app, "/callbacks/facebook/deauthorize", &signed).await;
        assert_eq!(status, 200);
        assert_eq!(row(&app, &alice, first).await.status, Status::Invalid);

        // The person connects again (another Page, another advisor); the same request,
        // captured and sent again within its 24 hours, must not withdraw it.
        let bob = app.actor("replay", "bob", &[Advisor]).await;
        let again = page(&app, &bob, "100000000000022", "fb-replayed").await;
        let (status, _) = post(&app, "/callbacks/facebook/deauthorize", &signed).await;
        assert_eq!(status, 200, "answered as before");
        assert_eq!(row(&app, &bob, again).await.status, Status::Pending);
        // Padding that base64url allows makes no new request of it.
        let (signature, payload) = signed.split_once('.').expect("two parts");
        let padded = format!("{signature}==.{payload}");
        let (status, _) = post(&app, "/callbacks/facebook/deauthorize", &padded).await;
        assert_eq!(status, 200);
        assert_eq!(row(&app, &bob, again).await.status, Status::Pending);

        // A repeated data-deletion request gets the first one's code and does nothing.
        let deletion = sign(
            &json!({
                "algorithm": "HMAC-SHA256",
                "issued_at": chrono::Utc::now().timestamp(),
                "user_id": "fb-someone",
            }),
            &Secret::new(FB_SECRET),
        );
        let (_, one) = post(&app, "/callbacks/facebook/data-deletion", &deletion).await;
        let (_, two) = post(&app, "/callbacks/facebook/data-deletion", &deletion).await;
        assert!(one["confirmation_code"].is_string(), "{one}");
        assert_eq!(one, two);
        use sea_orm::{EntityTrait, PaginatorTrait};
        let records = entity::data_deletion_request::Entity::find()
            .count(app.store.db())
            .await
            .expect("count");
        assert_eq!(records, 1, "one request recorded");
    }
);
