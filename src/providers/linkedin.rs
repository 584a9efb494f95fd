//! LinkedIn: OpenID Connect sign-in (`openid profile email`) plus `w_member_social`,
//! standard authorization-code exchange through the `oauth2` crate, identity from
//! `/v2/userinfo`. Refresh tokens are kept when LinkedIn grants them.

use chrono::{Duration, Utc};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
    basic::BasicClient,
};
use serde::Deserialize;

use super::{Account, Grant, Provider, ProviderError, ProviderResult, http};
use crate::{
    config::Secret,
    domain::{Network, StatusReason},
    error::{AppError, AppResult},
};

/// What socialgate asks LinkedIn for.
pub const SCOPES: [&str; 4] = ["openid", "profile", "email", "w_member_social"];

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub struct Linkedin {
    http: reqwest::Client,
    oauth: Client,
    api_url: String,
    /// `{oauth}/introspectToken`, to confirm a reported revocation.
    introspect_url: String,
    client_id: String,
    client_secret: Secret,
}

/// `introspectToken`'s answer.
#[derive(Deserialize)]
struct Introspection {
    active: bool,
    status: Option<String>,
}

impl Linkedin {
    /// `oauth_url` holds `/authorization` and `/accessToken`; `api_url` holds `/v2/userinfo`.
    pub fn new(
        http: reqwest::Client,
        client_id: String,
        client_secret: Secret,
        oauth_url: &str,
        api_url: &str,
    ) -> AppResult<Self> {
        let oauth_url = oauth_url.trim_end_matches('/');
        let bad = |e: url::ParseError| AppError::BadUserInput(format!("LinkedIn URL: {e}"));
        let oauth = BasicClient::new(ClientId::new(client_id.clone()))
            .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::new(format!("{oauth_url}/authorization")).map_err(bad)?)
            .set_token_uri(TokenUrl::new(format!("{oauth_url}/accessToken")).map_err(bad)?)
            .set_auth_type(AuthType::RequestBody);
        Ok(Linkedin {
            http,
            oauth,
            api_url: api_url.trim_end_matches('/').to_owned(),
            introspect_url: format!("{oauth_url}/introspectToken"),
            client_id,
            client_secret,
        })
    }
}

/// `/v2/userinfo`.
#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    name: Option<String>,
    email: Option<String>,
}

/// LinkedIn answers `scope` comma-separated; OAuth says space-separated. Accept both.
fn split_scopes(raw: &[String]) -> Vec<String> {
    raw.iter()
        .flat_map(|s| s.split([',', ' ']))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Linkedin {
    async fn confirm_revoked(&self, token: &Secret) -> ProviderResult<()> {
        let found: Introspection = http::json(self.http.post(&self.introspect_url).form(&[
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("token", token.expose()),
        ]))
        .await?;
        match (found.active, found.status.as_deref()) {
            (false, Some("expired")) => Err(ProviderError::Dead(StatusReason::TokenExpired)),
            (false, _) => Err(ProviderError::Dead(StatusReason::AccessRevoked)),
            (true, _) => Err(ProviderError::Transient(
                "LinkedIn called the token revoked, but introspection says it is active".into(),
            )),
        }
    }
}

#[async_trait::async_trait]
impl Provider for Linkedin {
    fn network(&self) -> Network {
        Network::Linkedin
    }

    fn authorize_url(&self, state: &str, _pkce: Option<&str>, redirect_uri: &str) -> String {
        let Ok(redirect) = RedirectUrl::new(redirect_uri.to_owned()) else {
            return String::new();
        };
        let state = state.to_owned();
        let (url, _) = self
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .url();
        url.to_string()
    }

    async fn exchange(
        &self,
        code: &str,
        _verifier: Option<&str>,
        redirect_uri: &str,
    ) -> ProviderResult<Grant> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|_| ProviderError::Failed("bad redirect URI".into()))?;
        let token = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    ProviderError::Failed(format!("LinkedIn refused the code: {}", r.error()))
                }
                RequestTokenError::Parse(..) => {
                    ProviderError::Transient("LinkedIn's token answer was malformed".into())
                }
                _ => ProviderError::Transient("LinkedIn could not be reached".into()),
            })?;
        let scopes = token
            .scopes()
            .map(|s| split_scopes(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
            .unwrap_or_else(|| SCOPES.iter().map(|s| (*s).to_owned()).collect());
        Ok(Grant {
            access_token: Secret::new(token.access_token().secret().clone()),
            refresh_token: token
                .refresh_token()
                .map(|r| Secret::new(r.secret().clone())),
            expires_at: token
                .expires_in()
                .and_then(|d| Duration::from_std(d).ok())
                .map(|d| Utc::now() + d),
            refresh_expires_at: None,
            scopes,
        })
    }

    async fn probe(&self, token: &Secret) -> ProviderResult<()> {
        let answer: ProviderResult<serde_json::Value> = http::json(
            self.http
                .get(format!("{}/v2/userinfo", self.api_url))
                .bearer_auth(token.expose()),
        )
        .await;
        match answer {
            Ok(_) => Ok(()),
            // REVOKED_ACCESS_TOKEN has been reported right after a successful
            // authorization: believe it only when introspection agrees.
            Err(ProviderError::Dead(StatusReason::AccessRevoked)) => {
                self.confirm_revoked(token).await
            }
            Err(other) => Err(other),
        }
    }

    async fn accounts(&self, grant: &Grant) -> ProviderResult<Vec<Account>> {
        let info: UserInfo = http::json(
            self.http
                .get(format!("{}/v2/userinfo", self.api_url))
                .bearer_auth(grant.access_token.expose()),
        )
        .await?;
        let display_name = info
            .name
            .or(info.email)
            .unwrap_or_else(|| "LinkedIn member".into());
        Ok(vec![Account {
            external_account_id: info.sub,
            // LinkedIn sends no callbacks that name a member; LinkedIn's documentation
            // describes no revocation endpoint either (only introspection), so the
            // default `revoke` (not offered) stands.
            network_user_id: None,
            display_name,
            profile_url: None,
            permissions: grant.scopes.clone(),
            grant: grant.clone(),
        }])
    }
}
