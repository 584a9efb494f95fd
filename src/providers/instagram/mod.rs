//! Instagram professional accounts through "Instagram API with Instagram Login": code →
//! short-lived token → 60-day token, then `/{version}/me` tells the account type.
//! Personal accounts are refused: only business and creator accounts can be connected;
//! so is a login whose person unticked the permission to publish.

use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

mod media;

use super::{
    Account, AppCredentials, ConnectFailure, Grant, Provider, ProviderError, ProviderResult,
    publishing::{Outgoing, Published},
};
use crate::providers::{graph, http};
use crate::{config::Secret, domain::Network};

/// What socialgate asks Instagram for.
pub const SCOPES: [&str; 2] = [
    "instagram_business_basic",
    "instagram_business_content_publish",
];

/// Permissions without which nothing can be published: a login that unticked one is
/// refused.
pub const NEEDED: [(&str, &str); 1] = [(
    "instagram_business_content_publish",
    "Publish content to your Instagram account",
)];

/// Instagram documents `account_type` as BUSINESS or MEDIA_CREATOR, and writes it in
/// mixed case in places: compared without case.
const PROFESSIONAL: [&str; 3] = ["BUSINESS", "MEDIA_CREATOR", "CREATOR"];

pub struct Instagram {
    pub http: reqwest::Client,
    pub app: AppCredentials,
    /// Where `/oauth/authorize` lives.
    pub auth_url: String,
    /// Where `/oauth/access_token` (code exchange) lives.
    pub api_url: String,
    /// The Instagram Graph base: token calls (`/access_token`,
    /// `/refresh_access_token`) live at its root, as documented; data calls under
    /// `/{version}`.
    pub graph_url: String,
    pub version: String,
}

impl Instagram {
    /// `GET /{version}/me` with `token` and its `appsecret_proof`.
    fn me(&self, token: &str, fields: &str) -> reqwest::RequestBuilder {
        let proof = graph::appsecret_proof(&self.app.secret, token);
        self.http
            .get(format!("{}/{}/me", self.graph_url, self.version))
            .query(&[
                ("fields", fields),
                ("access_token", token),
                ("appsecret_proof", proof.as_str()),
            ])
    }
}

#[derive(Deserialize)]
struct LongLived {
    access_token: String,
    expires_in: Option<i64>,
}

impl LongLived {
    /// The grant this 60-day token makes, holding `scopes`.
    fn grant(self, scopes: Vec<String>) -> Grant {
        Grant {
            access_token: Secret::new(self.access_token),
            refresh_token: None,
            expires_at: self.expires_in.map(|s| Utc::now() + Duration::seconds(s)),
            refresh_expires_at: None,
            scopes,
        }
    }
}

#[derive(Deserialize)]
struct Me {
    user_id: Option<Value>,
    id: Option<String>,
    username: String,
    account_type: Option<String>,
}

/// The short-lived answer comes flat or wrapped in `data` ⚠; permissions as an array
/// or a comma-separated string.
fn short_lived(body: &Value) -> Option<(String, Vec<String>)> {
    let row = body.get("data").and_then(|d| d.get(0)).unwrap_or(body);
    let token = row.get("access_token")?.as_str()?.to_owned();
    let permissions = match row.get("permissions") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(list)) => list.split(',').map(|s| s.trim().to_owned()).collect(),
        _ => SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    };
    Some((token, permissions))
}

#[async_trait::async_trait]
impl Provider for Instagram {
    fn network(&self) -> Network {
        Network::Instagram
    }

    fn uses_pkce(&self) -> bool {
        self.app.pkce
    }

    fn authorize_url(&self, state: &str, pkce: Option<&str>, redirect_uri: &str) -> String {
        let Ok(mut url) = url::Url::parse(&format!("{}/oauth/authorize", self.auth_url)) else {
            return String::new();
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.app.id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", &SCOPES.join(","))
                .append_pair("state", state);
            if let Some(challenge) = pkce {
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
        // Meta appends `#_` to the redirect; a code copied with it would not match.
        let code = code.trim_end_matches("#_");
        let mut form = vec![
            ("client_id", self.app.id.as_str()),
            ("client_secret", self.app.secret.expose()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        let body: Value = http::json(
            self.http
                .post(format!("{}/oauth/access_token", self.api_url))
                .form(&form),
        )
        .await?;
        let (short, scopes) = short_lived(&body).ok_or_else(|| {
            ProviderError::Transient("Instagram's token answer was malformed".into())
        })?;
        let long: LongLived = http::json(
            self.http
                .get(format!("{}/access_token", self.graph_url))
                .query(&[
                    ("grant_type", "ig_exchange_token"),
                    ("client_secret", self.app.secret.expose()),
                    ("access_token", short.as_str()),
                ]),
        )
        .await?;
        Ok(long.grant(scopes))
    }

    async fn probe(&self, token: &Secret) -> ProviderResult<()> {
        let _: serde_json::Value = http::json(self.me(token.expose(), "user_id")).await?;
        Ok(())
    }

    /// `GET /refresh_access_token`: a long-lived token at least a day old and not yet
    /// expired comes back good for another 60 days.
    async fn refresh(&self, access: &Secret, _refresh: Option<&Secret>) -> ProviderResult<Grant> {
        let long: LongLived = http::json(
            self.http
                .get(format!("{}/refresh_access_token", self.graph_url))
                .query(&[
                    ("grant_type", "ig_refresh_token"),
                    ("access_token", access.expose()),
                ]),
        )
        .await?;
        // A renewal says nothing of permissions: the stored ones stand.
        Ok(long.grant(Vec::new()))
    }

    async fn publish(&self, token: &Secret, post: &Outgoing<'_>) -> ProviderResult<Published> {
        self.publish_media(token, post).await
    }

    async fn accounts(&self, grant: &Grant) -> ProviderResult<Vec<Account>> {
        if let Some(refusal) = graph::declined("Instagram", &NEEDED, &grant.scopes) {
            return Err(refusal);
        }
        let me: Me =
            http::json(self.me(grant.access_token.expose(), "user_id,username,account_type"))
                .await?;
        let kind = me.account_type.as_deref().unwrap_or("");
        if !PROFESSIONAL.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
            return Err(ProviderError::Refused(
                ConnectFailure::PersonalInstagramAccount,
                format!(
                    "@{} is a personal Instagram account. Only professional (business or creator) \
                 accounts can be connected: switch it to a professional account in Instagram's \
                 settings, then connect again.",
                    me.username
                ),
            ));
        }
        let id = match (&me.user_id, &me.id) {
            (Some(Value::String(s)), _) => s.clone(),
            (Some(Value::Number(n)), _) => n.to_string(),
            (_, Some(id)) => id.clone(),
            _ => {
                return Err(ProviderError::Transient(
                    "Instagram did not say which account this is".into(),
                ));
            }
        };
        Ok(vec![Account {
            // Meta's callbacks for Instagram Login name the person by this id. The
            // Instagram API with Instagram Login documents no revocation endpoint, so
            // the default `revoke` (not offered) stands.
            network_user_id: Some(id.clone()),
            external_account_id: id,
            profile_url: Some(format!("https://www.instagram.com/{}", me.username)),
            display_name: format!("@{}", me.username),
            permissions: grant.scopes.clone(),
            grant: grant.clone(),
        }])
    }
}
