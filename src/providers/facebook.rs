//! Facebook Pages: code → user token → long-lived user token → the Pages the user
//! administers (`/me/accounts`). Only Pages where the user holds CREATE_CONTENT or
//! MANAGE can be connected; a login with no Page is a personal profile and is refused.

use chrono::{Duration, Utc};
use serde::Deserialize;

use super::{
    Account, ConnectFailure, Grant, Provider, ProviderError, ProviderResult, Revocation, http,
};
use crate::{config::Secret, domain::Network};

/// What socialgate asks Facebook for.
pub const SCOPES: [&str; 4] = [
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
];

/// Page tasks that allow posting.
pub const POSTING_TASKS: [&str; 2] = ["CREATE_CONTENT", "MANAGE"];

pub struct Facebook {
    pub http: reqwest::Client,
    pub app_id: String,
    pub app_secret: Secret,
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

/// `debug_token`'s answer, the part socialgate reads.
#[derive(Deserialize)]
struct DebugToken {
    data: DebugData,
}

#[derive(Deserialize)]
struct DebugData {
    /// Unix seconds; 0 or absent when Facebook gives none.
    #[serde(default)]
    data_access_expires_at: Option<i64>,
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

#[derive(Deserialize)]
struct Pages {
    data: Vec<Page>,
    #[serde(default)]
    paging: Option<Paging>,
}

/// Graph's cursor paging: `next` is present when there is another page.
#[derive(Deserialize)]
struct Paging {
    next: Option<String>,
    cursors: Option<Cursors>,
}

#[derive(Deserialize)]
struct Cursors {
    after: Option<String>,
}

/// Most pages of `/me/accounts` read (25 Pages each): a login administering more is
/// not a financial advisor's.
const MAX_ACCOUNT_PAGES: usize = 20;

#[derive(Deserialize)]
struct Page {
    id: String,
    name: String,
    access_token: Option<String>,
    #[serde(default)]
    tasks: Vec<String>,
    link: Option<String>,
}

impl Facebook {
    /// Every Page of the login, following Graph's cursors (never the `next` URL the
    /// network sends, so a request only ever goes to the configured Graph base).
    async fn all_pages(&self, grant: &Grant) -> ProviderResult<Vec<Page>> {
        let mut pages = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_ACCOUNT_PAGES {
            let mut query = vec![
                ("fields", "id,name,access_token,tasks,link".to_owned()),
                ("access_token", grant.access_token.expose().to_owned()),
            ];
            if let Some(cursor) = after.take() {
                query.push(("after", cursor));
            }
            let page: Pages =
                http::json(self.http.get(self.graph("me/accounts")).query(&query)).await?;
            pages.extend(page.data);
            after = page
                .paging
                .filter(|p| p.next.is_some())
                .and_then(|p| p.cursors)
                .and_then(|c| c.after);
            if after.is_none() {
                break;
            }
        }
        Ok(pages)
    }

    /// When the app's data access for this login ends, from `debug_token` (checked with
    /// the app's own token). Best effort: a login is not refused because this one
    /// read failed; the integration then only learns of it from a probe.
    async fn data_access_end(&self, user_token: &str) -> Option<chrono::DateTime<Utc>> {
        let app_token = format!("{}|{}", self.app_id, self.app_secret.expose());
        let answer: ProviderResult<DebugToken> = http::json(
            self.http
                .get(self.graph("debug_token"))
                .query(&[("input_token", user_token), ("access_token", &app_token)]),
        )
        .await;
        match answer {
            Ok(debug) => debug
                .data
                .data_access_expires_at
                .filter(|at| *at > 0)
                .and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
            Err(error) => {
                tracing::info!(?error, "Facebook did not say when data access ends");
                None
            }
        }
    }

    fn graph(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.graph_url,
            self.version,
            path.trim_start_matches('/')
        )
    }
}

#[async_trait::async_trait]
impl Provider for Facebook {
    fn network(&self) -> Network {
        Network::Facebook
    }

    fn uses_pkce(&self) -> bool {
        true
    }

    fn authorize_url(
        &self,
        state: &str,
        pkce_challenge: Option<&str>,
        redirect_uri: &str,
    ) -> String {
        let mut url = match url::Url::parse(&format!(
            "{}/{}/dialog/oauth",
            self.dialog_url, self.version
        )) {
            Ok(url) => url,
            Err(_) => return String::new(),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.app_id)
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
            ("client_id", self.app_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("client_secret", self.app_secret.expose()),
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
                ("client_id", self.app_id.as_str()),
                ("client_secret", self.app_secret.expose()),
                ("fb_exchange_token", short.access_token.as_str()),
            ]))
            .await?;
        let permissions: Permissions = http::json(
            self.http
                .get(self.graph("me/permissions"))
                .query(&[("access_token", long.access_token.as_str())]),
        )
        .await?;
        let data_access_expires_at = self.data_access_end(&long.access_token).await;
        Ok(Grant {
            access_token: Secret::new(long.access_token),
            refresh_token: None,
            expires_at: long.expires_in.map(|s| Utc::now() + Duration::seconds(s)),
            refresh_expires_at: None,
            data_access_expires_at,
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
        let _: serde_json::Value = http::json(
            self.http
                .get(self.graph("me"))
                .query(&[("fields", "id,name"), ("access_token", token.expose())]),
        )
        .await?;
        Ok(())
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
        let app_token = format!("{}|{}", self.app_id, self.app_secret.expose());
        let answer: ProviderResult<serde_json::Value> = http::json(
            self.http
                .delete(self.graph(&format!("{user}/permissions")))
                .query(&[("access_token", app_token.as_str())]),
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
        // Who signed in: Meta's deauthorize and data-deletion callbacks, and the
        // revocation at disconnect, name the person by this app-scoped id; the Page
        // token stored later cannot tell it.
        let me: Me = http::json(self.http.get(self.graph("me")).query(&[
            ("fields", "id"),
            ("access_token", grant.access_token.expose()),
        ]))
        .await?;
        let pages = self.all_pages(grant).await?;
        if pages.is_empty() {
            return Err(ProviderError::Refused(
                ConnectFailure::PersonalProfile,
                "This Facebook login manages no Page. Personal profiles cannot be connected: \
                 connect a Facebook Page you manage instead."
                    .into(),
            ));
        }
        let postable: Vec<Account> = pages
            .into_iter()
            .filter(|page| {
                page.tasks
                    .iter()
                    .any(|t| POSTING_TASKS.contains(&t.as_str()))
            })
            .filter_map(|page| {
                let token = page.access_token?;
                let mut permissions = grant.scopes.clone();
                permissions.extend(page.tasks);
                Some(Account {
                    profile_url: page
                        .link
                        .or_else(|| Some(format!("https://www.facebook.com/{}", page.id))),
                    external_account_id: page.id,
                    network_user_id: Some(me.id.clone()),
                    display_name: page.name,
                    permissions,
                    grant: Grant {
                        access_token: Secret::new(token),
                        refresh_token: None,
                        // Page tokens from a long-lived user token: lifetime documented
                        // inconsistently (60 days, or none); probes tell, not a guess.
                        expires_at: None,
                        refresh_expires_at: None,
                        data_access_expires_at: grant.data_access_expires_at,
                        scopes: grant.scopes.clone(),
                    },
                })
            })
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
