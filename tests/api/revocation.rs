//! Disconnect revokes at the network where it can: against a local server that answers
//! like the Graph API (it counts the DELETEs it receives and checks the token), a
//! Facebook disconnect revokes the person's login with the app access token, after the
//! policy check and only when no other integration uses that login; with Facebook down
//! the disconnect still succeeds; the audit event says what happened either way.

use std::sync::{Arc, Mutex};

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::delete,
};
use serde_json::{Value, json};
use socialgate::{
    Socialgate,
    auth::{
        Actor,
        Role::{Admin, Advisor, Compliance},
    },
    config::Secret,
    domain::{IntegrationId, Network},
    service::lifecycle,
    store::Scope,
};

use crate::{
    common::{TestApp, codes},
    connect::connect_as,
    db_test,
};

/// Every `DELETE /{user-id}/permissions` the look-alike received: (user id, token).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, String)>>>);

impl Seen {
    fn all(&self) -> Vec<(String, String)> {
        self.0.lock().expect("lock").clone()
    }
}

async fn revoke_login(
    State(seen): State<Seen>,
    Path(user): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    seen.0.lock().expect("lock").push((user, token.clone()));
    if token != "fb-app|fb-secret" {
        let error = json!({ "error": { "message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190, "fbtrace_id": "x" } });
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    Json(json!({ "success": true })).into_response()
}

/// A Graph look-alike; its base URL.
async fn graph(seen: Seen) -> String {
    let router = Router::new()
        .route("/v25.0/{user}/permissions", delete(revoke_login))
        .with_state(seen);
    crate::common::lookalike(router).await
}

/// An instance of the app on the test's database whose Facebook app talks to `graph_url`.
async fn facebook_instance(app: &TestApp, graph_url: String) -> Socialgate {
    app.instance(|config| {
        config.facebook_app_id = Some("fb-app".into());
        config.facebook_app_secret = Some(Secret::new("fb-secret"));
        config.facebook_graph_url = graph_url;
    })
    .await
}

/// A Facebook Page of `owner`, signed in by the Facebook user `person`.
async fn page(server: &Socialgate, owner: &Actor, id: &str, person: &str) -> IntegrationId {
    let mut new = crate::common::account(Network::Facebook, id, &format!("EAApage-{id}"));
    new.network_user_id = Some(person.into());
    crate::common::connected(server.app(), owner, new).await
}

async fn credentials_kept(app: &TestApp, owner: &Actor, id: IntegrationId) -> bool {
    app.store
        .tenant(Scope::tenant(owner.tenant_id))
        .credentials(id)
        .await
        .expect("read")
        .is_some()
}

db_test!(
    disconnect_revokes_the_facebook_login_with_the_app_token,
    async |app: TestApp| {
        let seen = Seen::default();
        let server = facebook_instance(&app, graph(seen.clone()).await).await;
        let owner = app.actor("revoke", "owner", &[Advisor]).await;
        let first = page(&server, &owner, "1111", "10158").await;
        // The same Facebook login connected a Page for a second advisor too.
        let partner = app.actor("revoke", "partner", &[Advisor]).await;
        let second = page(&server, &partner, "2222", "10158").await;

        // Refusals come before the network hears anything.
        let colleague = app.actor("revoke", "colleague", &[Advisor]).await;
        let officer = app.actor("revoke", "officer", &[Compliance]).await;
        let refused = lifecycle::disconnect(server.app(), &colleague, first, None).await;
        assert_eq!(refused.err().map(|e| e.code()), Some("NOT_FOUND"));
        let refused = lifecycle::disconnect(server.app(), &officer, first, None).await;
        assert_eq!(refused.err().map(|e| e.code()), Some("FORBIDDEN"));
        let stale = lifecycle::disconnect(server.app(), &owner, first, Some(99)).await;
        assert_eq!(stale.err().map(|e| e.code()), Some("CONFLICT"));
        assert!(
            seen.all().is_empty(),
            "nothing sent for a refused disconnect"
        );

        // The same login still holds the other Page: revoking would cut it off too.
        let applied = lifecycle::disconnect(server.app(), &owner, first, None)
            .await
            .expect("disconnect");
        let note = applied.event.note.clone().unwrap_or_default();
        assert!(
            note.contains("the login may still be in use elsewhere"),
            "{note}"
        );
        assert!(seen.all().is_empty());
        assert!(!credentials_kept(&app, &owner, first).await);

        // The last integration of the login: revoked, with the app access token.
        let admin = app.actor("revoke", "admin", &[Admin]).await;
        let applied = lifecycle::disconnect(server.app(), &admin, second, None)
            .await
            .expect("disconnect");
        assert_eq!(
            seen.all(),
            [("10158".to_owned(), "fb-app|fb-secret".to_owned())],
            "one DELETE /{{user-id}}/permissions"
        );
        assert!(applied.integration.disconnected_at.is_some());
        assert_eq!(
            applied.event.reason,
            Some(entity::enums::StatusReason::Disconnected)
        );
        assert_eq!(
            applied.event.note.as_deref(),
            Some("Access revoked at Facebook; stored credentials destroyed.")
        );
        assert!(!credentials_kept(&app, &partner, second).await);
        server.begin_shutdown();
    }
);

db_test!(
    disconnect_succeeds_with_the_network_down_and_says_so,
    async |app: TestApp| {
        // Nothing listens on the discard port: every call is refused at once.
        let server = facebook_instance(&app, "http://127.0.0.1:9".into()).await;
        let owner = app.actor("down", "owner", &[Advisor]).await;
        let id = page(&server, &owner, "3333", "10159").await;
        let applied = lifecycle::disconnect(server.app(), &owner, id, None)
            .await
            .expect("a network failure never blocks a disconnect");
        assert!(applied.integration.disconnected_at.is_some());
        let note = applied.event.note.unwrap_or_default();
        assert!(
            note.starts_with("Revocation at Facebook failed") && note.contains("anyway"),
            "{note}"
        );
        assert!(!credentials_kept(&app, &owner, id).await);

        // LinkedIn documents no revocation: the event says so.
        let member = app.connect(&owner, Network::Linkedin, "member-1").await;
        let member = crate::common::integration_id(&member);
        let applied = lifecycle::disconnect(&app.app, &owner, member, None)
            .await
            .expect("disconnect");
        assert_eq!(
            applied.event.note.as_deref(),
            Some("Not revoked: LinkedIn offers no revocation; stored credentials destroyed.")
        );
        server.begin_shutdown();
    }
);

db_test!(
    the_sandbox_facebook_accepts_the_revocation,
    async |app: TestApp| {
        let token = app.token("sbx", "advisor", &[Advisor]);
        let id = connect_as(&app, &token, "FACEBOOK", "fb-riley").await;
        let body = app
            .gql(
                Some(&token),
                "mutation($id: ID!) { disconnectIntegration(id: $id) { id history { reason note } } }",
                json!({ "id": id }),
            )
            .await;
        assert!(codes(&body).is_empty(), "{body}");
        let history = body["data"]["disconnectIntegration"]["history"]
            .as_array()
            .expect("history");
        let last: &Value = history.last().expect("an event");
        assert_eq!(last["reason"], "DISCONNECTED");
        assert_eq!(
            last["note"], "Access revoked at Facebook; stored credentials destroyed.",
            "{body}"
        );
    }
);
