//! Facebook Pages: code → user token → long-lived user token → the Pages the person
//! may act for. Pages come from two places, as Meta documents them: `/me/accounts`
//! (Pages where the person has a direct role and that they ticked in the dialog's Page
//! picker, with their tasks) and, with `business_management`, the Pages of the
//! Business Managers the person belongs to (`/me/businesses` → `owned_pages`,
//! `client_pages`), the usual set-up at firms. A login that shares no Page is refused
//! with both possible causes; one that unticked the permission to post is refused
//! naming it.
//!
//! Page tokens got from a long-lived user token do not expire, and Meta lists the Page
//! permissions among those that "do not expire" with the person's data access, so a
//! Page integration carries no expiry: probes tell when it dies.

use chrono::{Duration, Utc};
use serde::Deserialize;

mod pages;
mod posts;

use pages::Page;

use super::{
    Account, AppCredentials, ConnectFailure, Grant, Provider, ProviderError, ProviderResult,
    Revocation,
    publishing::{Outgoing, Published},
};
use crate::providers::{graph, http};
use crate::{config::Secret, domain::Network};

/// What socialgate asks Facebook for. `business_management` reaches Pages held through
/// a Business Manager; `pages_manage_metadata` is not needed to post, and is kept so
/// that integrations approved with it do not count as reduced on their next reconnect.
pub const SCOPES: [&str; 5] = [
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
    "business_management",
];

/// Permissions without which a Page cannot be listed or posted to: a login that
/// unticked one of them in the dialog is refused.
pub const NEEDED: [(&str, &str); 2] = [
    (
        "pages_manage_posts",
        "Create and manage content on your Page",
    ),
    ("pages_show_list", "Show a list of the Pages you manage"),
];

/// Page tasks that allow posting.
pub const POSTING_TASKS: [&str; 2] = ["CREATE_CONTENT", "MANAGE"];

pub struct Facebook {
    pub http: reqwest::Client,
    pub app: AppCredentials,
    /// Where `/{version}/dialog/oauth` lives.
    pub dialog_url: String,
    /// The Graph API base.
    pub graph_url: String,
    pub version: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<i64>,
}

/// `/me` with a user token: the person's app-scoped id.
#[derive(Deserialize)]
struct Me {
    id: String,
}

#[derive(Deserialize)]
struct Permissions {
    data: Vec<PermissionRow>,
}

#[derive(Deserialize)]
struct PermissionRow {
    permission: String,
    status: String,
}

impl Facebook {
    fn graph(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.graph_url,
            self.version,
            path.trim_start_matches('/')
        )
    }

    /// A Graph GET carrying `token` and its `appsecret_proof`.
    fn get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let proof = graph::appsecret_proof(&self.app.secret, token);
        self.http
            .get(self.graph(path))
            .query(query)
            .query(&[("access_token", token), ("appsecret_proof", proof.as_str())])
    }
}

#[async_trait::async_trait]
impl Provider for Facebook {
    fn network(&self) -> Network {
        Network::Facebook
    }

    fn uses_pkce(&self) -> bool {
        self.app.pkce
    }

    fn authorize_url(
        &self,
        state: &str,
        pkce_challenge: Option<&str>,
        redirect_uri: &str,
    ) -> String {
        let Ok(mut url) = url::Url::parse(&format!(
            "{}/{}/dialog/oauth",
            self.dialog_url, self.version
        )) else {
            return String::new();
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.app.id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", state)
                .append_pair("response_type", "code")
                .append_pair("scope", &SCOPES.join(","));
            if let Some(challenge) = pkce_challenge {
                q.append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        url.to_string()
    }

    async fn exchange(
        &self,
        code: &str,
        verifier: Option<&str>,
        redirect_uri: &str,
    ) -> ProviderResult<Grant> {
        let mut query = vec![
            ("client_id", self.app.id.as_str()),
            ("redirect_uri", redirect_uri),
            ("client_secret", self.app.secret.expose()),
            ("code", code),
        ];
        if let Some(verifier) = verifier {
            query.push(("code_verifier", verifier));
        }
        let short: TokenAnswer = http::json(
            self.http
                .get(self.graph("oauth/access_token"))
                .query(&query),
        )
        .await?;
        // The long-lived exchange carries the app secret, so it happens here, server-side.
        let long: TokenAnswer =
            http::json(self.http.get(self.graph("oauth/access_token")).query(&[
                ("grant_type", "fb_exchange_token"),
                ("client_id", self.app.id.as_str()),
                ("client_secret", self.app.secret.expose()),
                ("fb_exchange_token", short.access_token.as_str()),
            ]))
            .await?;
        let permissions: Permissions =
            http::json(self.get("me/permissions", &long.access_token, &[])).await?;
        Ok(Grant {
            access_token: Secret::new(long.access_token),
            refresh_token: None,
            expires_at: long.expires_in.map(|s| Utc::now() + Duration::seconds(s)),
            refresh_expires_at: None,
            scopes: permissions
                .data
                .into_iter()
                .filter(|p| p.status == "granted")
                .map(|p| p.permission)
                .collect(),
        })
    }

    async fn probe(&self, token: &Secret) -> ProviderResult<()> {
        // With a Page token, /me is the Page: a lost role shows as 190/492 here.
        let _: serde_json::Value =
            http::json(self.get("me", token.expose(), &[("fields", "id,name")])).await?;
        Ok(())
    }

    async fn publish(&self, token: &Secret, post: &Outgoing<'_>) -> ProviderResult<Published> {
        self.publish_post(token, post).await
    }

    /// `DELETE /{user-id}/permissions` (Facebook's "revoke login"), which removes
    /// every permission the person granted the app. We keep only the Page token, which
    /// acts as the Page and cannot speak for its user, so the call carries the app
    /// access token (`{app-id}|{app-secret}`), which the Graph API accepts on a user's
    /// permissions edge.
    fn offers_revocation(&self) -> bool {
        true
    }

    async fn revoke(&self, _token: Option<&Secret>, network_user_id: Option<&str>) -> Revocation {
        let Some(user) = network_user_id else {
            return Revocation::Skipped(
                "the Facebook user who connected it was not recorded".into(),
            );
        };
        if user.is_empty() || !user.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Revocation::Skipped("the recorded Facebook user id is not a Graph id".into());
        }
        let app_token = format!("{}|{}", self.app.id, self.app.secret.expose());
        let proof = graph::appsecret_proof(&self.app.secret, &app_token);
        let answer: ProviderResult<serde_json::Value> = http::json(
            self.http
                .delete(self.graph(&format!("{user}/permissions")))
                .query(&[
                    ("access_token", app_token.as_str()),
                    ("appsecret_proof", proof.as_str()),
                ]),
        )
        .await;
        match answer {
            // Documented as `true`; current versions wrap it as `{"success": true}`.
            Ok(serde_json::Value::Bool(true)) => Revocation::Revoked,
            Ok(body) if body.get("success") == Some(&serde_json::Value::Bool(true)) => {
                Revocation::Revoked
            }
            Ok(_) => Revocation::Failed("Facebook did not confirm the revocation".into()),
            Err(e) => Revocation::Failed(e.describe()),
        }
    }

    async fn accounts(&self, grant: &Grant) -> ProviderResult<Vec<Account>> {
        if let Some(refusal) = graph::declined("Facebook", &NEEDED, &grant.scopes) {
            return Err(refusal);
        }
        // Who signed in: Meta's deauthorize and data-deletion callbacks, and the
        // revocation at disconnect, name the person by this app-scoped id; the Page
        // token stored later cannot tell it.
        let me: Me =
            http::json(self.get("me", grant.access_token.expose(), &[("fields", "id")])).await?;
        let pages = self.pages(grant).await?;
        if pages.is_empty() {
            return Err(ProviderError::Refused(
                ConnectFailure::PersonalProfile,
                "No Facebook Page was shared with this app: either this is a personal profile \
                 (personal profiles cannot be connected), or no Page was ticked in Facebook's \
                 Page picker. Connect again and tick the Page you manage."
                    .into(),
            ));
        }
        let postable: Vec<Account> = pages
            .into_iter()
            .filter(Page::postable)
            .filter_map(|page| Facebook::account(page, &me.id, grant))
            .collect();
        if postable.is_empty() {
            return Err(ProviderError::Refused(
                ConnectFailure::NoPostingRole,
                "You have no role that allows posting on any of your Pages (Facebook needs \
                 'create content' or full control). Ask a Page admin, then connect again."
                    .into(),
            ));
        }
        Ok(postable)
    }
}
