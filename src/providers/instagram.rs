//! Instagram professional accounts through "Instagram API with Instagram Login": code →
//! short-lived token → 60-day token, then `/me` tells the account type. Personal
//! accounts are refused: only business and creator accounts can be connected.

use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Account, ConnectFailure, Grant, Provider, ProviderError, ProviderResult, http};
use crate::{config::Secret, domain::Network};

/// What socialgate asks Instagram for.
pub const SCOPES: [&str; 2] = [
    "instagram_business_basic",
    "instagram_business_content_publish",
];

pub struct Instagram {
    pub http: reqwest::Client,
    pub app_id: String,
    pub app_secret: Secret,
    /// Where `/oauth/authorize` lives.
    pub auth_url: String,
    /// Where `/oauth/access_token` (code exchange) lives.
    pub api_url: String,
    /// The Instagram Graph base (`/access_token`, `/me`).
    pub graph_url: String,
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
            data_access_expires_at: None,
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

    fn authorize_url(&self, state: &str, _pkce: Option<&str>, redirect_uri: &str) -> String {
        let Ok(mut url) = url::Url::parse(&format!("{}/oauth/authorize", self.auth_url)) else {
            return String::new();
        };
        url.query_pairs_mut()
            .append_pair("client_id", &self.app_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &SCOPES.join(","))
            .append_pair("state", state);
        url.to_string()
    }

    async fn exchange(
        &self,
        code: &str,
        _verifier: Option<&str>,
        redirect_uri: &str,
    ) -> ProviderResult<Grant> {
        // Meta appends `#_` to the redirect; a code copied with it would not match.
        let code = code.trim_end_matches("#_");
        let body: Value = http::json(
            self.http
                .post(format!("{}/oauth/access_token", self.api_url))
                .form(&[
                    ("client_id", self.app_id.as_str()),
                    ("client_secret", self.app_secret.expose()),
                    ("grant_type", "authorization_code"),
                    ("redirect_uri", redirect_uri),
                    ("code", code),
                ]),
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
                    ("client_secret", self.app_secret.expose()),
                    ("access_token", short.as_str()),
                ]),
        )
        .await?;
        Ok(long.grant(scopes))
    }

    async fn probe(&self, token: &Secret) -> ProviderResult<()> {
        let _: serde_json::Value = http::json(
            self.http
                .get(format!("{}/me", self.graph_url))
                .query(&[("fields", "user_id"), ("access_token", token.expose())]),
        )
        .await?;
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

    async fn accounts(&self, grant: &Grant) -> ProviderResult<Vec<Account>> {
        let me: Me = http::json(self.http.get(format!("{}/me", self.graph_url)).query(&[
            ("fields", "user_id,username,account_type"),
            ("access_token", grant.access_token.expose()),
        ]))
        .await?;
        let kind = me.account_type.as_deref().unwrap_or("");
        if !matches!(kind, "BUSINESS" | "MEDIA_CREATOR" | "CREATOR") {
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
