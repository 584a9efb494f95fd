//! LinkedIn: OpenID Connect sign-in (`openid profile email`) plus `w_member_social`,
//! standard authorization-code exchange through the `oauth2` crate, identity from
//! `/v2/userinfo`. Refresh tokens are kept when LinkedIn grants them, with their own
//! lifetime (`refresh_token_expires_in`), which refreshing does not extend.

use chrono::{Duration, Utc};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, StandardRevocableToken, TokenResponse, TokenUrl,
    basic::{
        BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
        BasicTokenIntrospectionResponse, BasicTokenType,
    },
};
use serde::{Deserialize, Serialize};

mod posts;

use super::{
    Account, AppCredentials, Grant, Provider, ProviderError, ProviderResult,
    publishing::{Outgoing, Published},
};
use crate::providers::http;
use crate::{
    config::Secret,
    domain::{Network, StatusReason},
    error::{AppError, AppResult},
};

/// What socialgate asks LinkedIn for.
pub const SCOPES: [&str; 4] = ["openid", "profile", "email", "w_member_social"];

/// LinkedIn's token answer. Not the standard one: LinkedIn sends no `token_type`
/// (every token is a bearer token), lists `scope` comma-separated, and adds
/// `refresh_token_expires_in` (seconds left on the refresh token, counted from the
/// first sign-in) for partners granted refresh tokens.
#[derive(Debug, Serialize, Deserialize)]
struct TokenAnswer {
    access_token: AccessToken,
    #[serde(skip, default = "bearer")]
    token_type: BasicTokenType,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(default)]
    refresh_token_expires_in: Option<i64>,
    #[serde(default, rename = "scope", deserialize_with = "listed_scopes")]
    scopes: Option<Vec<Scope>>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

/// `scope` as LinkedIn writes it (commas) or as OAuth does (spaces).
fn listed_scopes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<Scope>>, D::Error> {
    let raw: Option<String> = Option::deserialize(deserializer)?;
    Ok(raw.map(|list| {
        list.split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| Scope::new(s.to_owned()))
            .collect()
    }))
}

impl TokenResponse for TokenAnswer {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<std::time::Duration> {
        self.expires_in.map(std::time::Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scopes.as_ref()
    }
}

/// The client before its endpoints are set.
type Bare = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

type Client = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where LinkedIn's endpoints are, and which version of its versioned (`/rest`) APIs
/// to ask for.
#[derive(Debug, Clone)]
pub struct Urls {
    /// The OAuth base (`/authorization`, `/accessToken`, `/introspectToken`).
    pub oauth: String,
    /// The API base (`/v2/userinfo`, `/rest/posts`).
    pub api: String,
    /// Where members see posts (`/feed/update/{urn}/`).
    pub web: String,
    /// The `LinkedIn-Version` header, `YYYYMM`.
    pub version: String,
}

pub struct Linkedin {
    http: reqwest::Client,
    oauth: Client,
    api_url: String,
    web_url: String,
    version: String,
    /// `{oauth}/introspectToken`, to confirm a reported revocation.
    introspect_url: String,
    app: AppCredentials,
}

/// `introspectToken`'s answer.
#[derive(Deserialize)]
struct Introspection {
    active: bool,
    status: Option<String>,
}

impl Linkedin {
    pub fn new(http: reqwest::Client, app: AppCredentials, urls: &Urls) -> AppResult<Self> {
        let oauth_url = urls.oauth.trim_end_matches('/');
        let bad = |e: url::ParseError| AppError::BadUserInput(format!("LinkedIn URL: {e}"));
        let oauth = Bare::new(ClientId::new(app.id.clone()))
            .set_client_secret(ClientSecret::new(app.secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::new(format!("{oauth_url}/authorization")).map_err(bad)?)
            .set_token_uri(TokenUrl::new(format!("{oauth_url}/accessToken")).map_err(bad)?)
            .set_auth_type(AuthType::RequestBody);
        Ok(Linkedin {
            http,
            oauth,
            api_url: urls.api.trim_end_matches('/').to_owned(),
            web_url: urls.web.trim_end_matches('/').to_owned(),
            version: urls.version.clone(),
            introspect_url: format!("{oauth_url}/introspectToken"),
            app,
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

/// A token answer as a grant. Scopes default to what was asked when LinkedIn does not
/// list them; the refresh token's end is counted from now.
fn grant_of(token: &TokenAnswer) -> Grant {
    let scopes = token
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect())
        .unwrap_or_else(|| SCOPES.iter().map(|s| (*s).to_owned()).collect());
    let refresh_token = token
        .refresh_token()
        .map(|r| Secret::new(r.secret().clone()));
    let refresh_expires_at = token
        .refresh_token_expires_in
        .filter(|_| refresh_token.is_some())
        .map(|s| Utc::now() + Duration::seconds(s));
    Grant {
        access_token: Secret::new(token.access_token().secret().clone()),
        refresh_token,
        expires_at: token
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| Utc::now() + d),
        refresh_expires_at,
        scopes,
    }
}

/// A failed call to the token endpoint. On a refresh, LinkedIn documents `400
/// invalid_request` ("The provided authorization grant or refresh token is invalid,
/// expired or revoked") and `invalid_grant` is seen in practice: both are definitive,
/// the refresh token is dead.
fn token_error<RE: std::error::Error>(
    error: RequestTokenError<RE, BasicErrorResponse>,
    refreshing: bool,
) -> ProviderError {
    let what = if refreshing {
        "the refresh token"
    } else {
        "the code"
    };
    match error {
        RequestTokenError::ServerResponse(r) if refreshing && refresh_token_dead(&r) => {
            ProviderError::Dead(StatusReason::RefreshRevoked)
        }
        RequestTokenError::ServerResponse(r) => {
            ProviderError::Failed(format!("LinkedIn refused {what}: {}", r.error()))
        }
        RequestTokenError::Parse(..) => {
            ProviderError::Transient("LinkedIn's token answer was malformed".into())
        }
        _ => ProviderError::Transient("LinkedIn could not be reached".into()),
    }
}

/// Whether a refused refresh says the refresh token is dead: `invalid_grant`, or the
/// documented `invalid_request` whose description speaks of the grant or refresh token
/// (an `invalid_request` about anything else is a malformed request of ours, and must
/// not end every LinkedIn integration at once).
fn refresh_token_dead(refusal: &BasicErrorResponse) -> bool {
    match refusal.error() {
        BasicErrorResponseType::InvalidGrant => true,
        BasicErrorResponseType::InvalidRequest => refusal
            .error_description()
            .is_some_and(|d| d.contains("refresh token") || d.contains("authorization grant")),
        _ => false,
    }
}

impl Linkedin {
    async fn confirm_revoked(&self, token: &Secret) -> ProviderResult<()> {
        let found: Introspection = http::json(self.http.post(&self.introspect_url).form(&[
            ("client_id", self.app.id.as_str()),
            ("client_secret", self.app.secret.expose()),
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

    fn uses_pkce(&self) -> bool {
        self.app.pkce
    }

    fn authorize_url(&self, state: &str, pkce: Option<&str>, redirect_uri: &str) -> String {
        let Ok(redirect) = RedirectUrl::new(redirect_uri.to_owned()) else {
            return String::new();
        };
        let state = state.to_owned();
        let (mut url, _) = self
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .url();
        if let Some(challenge) = pkce {
            url.query_pairs_mut()
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256");
        }
        url.to_string()
    }

    async fn exchange(
        &self,
        code: &str,
        verifier: Option<&str>,
        redirect_uri: &str,
    ) -> ProviderResult<Grant> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|_| ProviderError::Failed("bad redirect URI".into()))?;
        let mut request = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect));
        if let Some(verifier) = verifier {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()));
        }
        let token = request
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(e, false))?;
        Ok(grant_of(&token))
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

    async fn refresh(&self, _access: &Secret, refresh: Option<&Secret>) -> ProviderResult<Grant> {
        let refresh = refresh.ok_or_else(|| {
            ProviderError::Failed("LinkedIn granted no refresh token for this account".into())
        })?;
        let token = self
            .oauth
            .exchange_refresh_token(&RefreshToken::new(refresh.expose().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(e, true))?;
        Ok(grant_of(&token))
    }

    async fn publish(&self, token: &Secret, post: &Outgoing<'_>) -> ProviderResult<Published> {
        self.create_post(token, post).await
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
