//! The networks behind one trait. Each client speaks its network's documented HTTP:
//! authorize URL, code exchange, long-lived exchange, account
//! discovery. Base URLs and versions come from configuration, so tests and the sandbox
//! point them at local servers. Tokens travel as [`Secret`]s and are never logged.

pub mod facebook;
pub mod graph;
mod http;

pub use http::client as http_client;
pub mod instagram;
pub mod linkedin;
pub mod publishing;
pub mod signed_request;

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Utc};
pub use entity::enums::ConnectFailure;
use serde::{Deserialize, Serialize};

use crate::{
    config::{Config, Secret},
    domain::{Network, StatusReason, reason},
    error::{AppError, AppResult},
};

/// What an authorization gave us.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Permissions granted (scopes).
    pub scopes: Vec<String>,
}

/// One account the login may connect (a LinkedIn member, a Facebook Page, an
/// Instagram professional account), with the token that acts as it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub external_account_id: String,
    /// The network's id of the person who signed in, where the network's callbacks
    /// name people by it (Facebook: app-scoped user id; Instagram: user id).
    #[serde(default)]
    pub network_user_id: Option<String>,
    pub display_name: String,
    pub profile_url: Option<String>,
    /// Permissions held on it: scopes, plus Page tasks for Facebook.
    pub permissions: Vec<String>,
    pub grant: Grant,
}

/// Why a network call did not give what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The login cannot be connected, for a reason the user can act on (a personal
    /// profile, no Page with posting rights), with the sentence that says what to do.
    Refused(ConnectFailure, String),
    /// A definitive signal that the token is dead.
    Dead(StatusReason),
    /// Over a rate limit; with how long the network asked us to wait, when it said.
    RateLimited(String, Option<std::time::Duration>),
    /// Timeout, 5xx, malformed answer: try again later.
    Transient(String),
    /// The network already has this content (a duplicate post), in its words.
    Duplicate(String),
    /// Any other error answer.
    Failed(String),
}

impl From<ProviderError> for AppError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Refused(failure, why) => AppError::Refused(failure, why),
            ProviderError::Dead(r) => AppError::Provider(reason::explanation(r).to_owned()),
            ProviderError::RateLimited(why, _) => AppError::RateLimited(why),
            ProviderError::Transient(why)
            | ProviderError::Duplicate(why)
            | ProviderError::Failed(why) => AppError::Provider(why),
        }
    }
}

/// Why a network without app credentials or sandbox cannot be connected, and what the
/// operator sets to change that.
pub fn not_configured(network: Network) -> String {
    let (name, vars) = match network {
        Network::Linkedin => (
            "LinkedIn",
            "SOCIALGATE_LINKEDIN_CLIENT_ID and SOCIALGATE_LINKEDIN_CLIENT_SECRET",
        ),
        Network::Facebook => (
            "Facebook",
            "SOCIALGATE_FACEBOOK_APP_ID and SOCIALGATE_FACEBOOK_APP_SECRET",
        ),
        Network::Instagram => (
            "Instagram",
            "SOCIALGATE_INSTAGRAM_APP_ID and SOCIALGATE_INSTAGRAM_APP_SECRET",
        ),
    };
    format!(
        "{name} is not set up on this server yet: the operator sets {vars} \
         (or SOCIALGATE_SANDBOX=true for a sandbox)"
    )
}

pub type ProviderResult<T> = Result<T, ProviderError>;

impl ProviderError {
    /// A short description for people and the audit trail (never a token or URL).
    pub fn describe(&self) -> String {
        match self {
            ProviderError::Dead(r) => reason::explanation(*r).to_owned(),
            ProviderError::Refused(_, why)
            | ProviderError::RateLimited(why, _)
            | ProviderError::Transient(why)
            | ProviderError::Duplicate(why)
            | ProviderError::Failed(why) => why.clone(),
        }
    }
}

/// What asking the network to revoke the app's access came to. Best effort: a
/// disconnect destroys the stored credentials whatever this says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The network confirmed it.
    Revoked,
    /// The network documents no way for an app to revoke a grant.
    NotOffered,
    /// Not asked, and why.
    Skipped(String),
    /// Asked, and it failed or refused, with why.
    Failed(String),
}

/// One network's client.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    fn network(&self) -> Network;

    /// Whether the authorize request carries a PKCE challenge.
    fn uses_pkce(&self) -> bool {
        false
    }

    /// Where to send the user to sign in and consent.
    fn authorize_url(
        &self,
        state: &str,
        pkce_challenge: Option<&str>,
        redirect_uri: &str,
    ) -> String;

    /// Trades the callback's code for a (long-lived where the network has one) grant.
    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: Option<&str>,
        redirect_uri: &str,
    ) -> ProviderResult<Grant>;

    /// The accounts this grant may connect; refuses logins that cannot connect any.
    async fn accounts(&self, grant: &Grant) -> ProviderResult<Vec<Account>>;

    /// Asks the network whether `token` still works, with one cheap read as the
    /// account. `Ok` means alive; `Dead` is definitive; anything else is passing.
    async fn probe(&self, token: &Secret) -> ProviderResult<()>;

    /// Renews a token without the person signing in again: with `refresh` where the
    /// network grants refresh tokens, otherwise the access token renews itself. A
    /// refused refresh is `Dead(RefreshRevoked)`; the caller knows whether the refresh
    /// token's lifetime had ended (see `domain::refresh::refused`).
    async fn refresh(&self, access: &Secret, refresh: Option<&Secret>) -> ProviderResult<Grant> {
        let _ = (access, refresh);
        Err(ProviderError::Failed(format!(
            "{} tokens cannot be renewed; reconnect instead",
            crate::domain::network::name(self.network())
        )))
    }

    /// Publishes `post` as the account the integration connected (`account` is its
    /// external id), with its stored access token. Called once per delivery: an answer
    /// that does not say whether the post exists is never followed by a blind retry.
    async fn publish(
        &self,
        token: &Secret,
        post: &publishing::Outgoing<'_>,
    ) -> ProviderResult<publishing::Published>;

    /// Whether the network documents a way for an app to revoke its access. Only
    /// Facebook does (`DELETE /{user-id}/permissions`); LinkedIn's and Instagram
    /// Login's documentation describe none.
    fn offers_revocation(&self) -> bool {
        false
    }

    /// Revokes the app's access at the network, for a disconnect: `token` is the
    /// integration's stored access token (if any), `network_user_id` the id of the
    /// person who signed in. Networks without a documented revocation keep this default.
    async fn revoke(&self, _token: Option<&Secret>, _network_user_id: Option<&str>) -> Revocation {
        Revocation::NotOffered
    }
}

/// The app a client signs in as at its network, and whether its authorize requests
/// carry a PKCE challenge (a setting per network: see [`Config`]).
#[derive(Clone)]
pub struct AppCredentials {
    pub id: String,
    pub secret: Secret,
    pub pkce: bool,
}

/// The app configured for `network`, if its id and secret are both set.
pub fn configured_app(config: &Config, network: Network) -> Option<AppCredentials> {
    let (id, secret, pkce) = match network {
        Network::Linkedin => (
            &config.linkedin_client_id,
            &config.linkedin_client_secret,
            config.linkedin_pkce,
        ),
        Network::Facebook => (
            &config.facebook_app_id,
            &config.facebook_app_secret,
            config.facebook_pkce,
        ),
        Network::Instagram => (
            &config.instagram_app_id,
            &config.instagram_app_secret,
            config.instagram_pkce,
        ),
    };
    Some(AppCredentials {
        id: id.clone()?,
        secret: secret.clone()?,
        pkce: pkce.unwrap_or(false),
    })
}

/// The client of `network` for `app`. Its endpoints come from configuration, or all
/// from under `base` when one is given (the sandbox's look-alike of the network).
pub fn client(
    network: Network,
    config: &Config,
    http: reqwest::Client,
    app: AppCredentials,
    base: Option<&str>,
) -> AppResult<Arc<dyn Provider>> {
    let at = |configured: &str| base.unwrap_or(configured).trim_end_matches('/').to_owned();
    Ok(match network {
        Network::Linkedin => {
            let urls = linkedin::Urls {
                oauth: base.map_or_else(
                    || config.linkedin_oauth_url.clone(),
                    |b| format!("{b}/oauth/v2"),
                ),
                api: at(&config.linkedin_api_url),
                web: at(&config.linkedin_web_url),
                version: config.linkedin_version.clone(),
            };
            Arc::new(linkedin::Linkedin::new(http, app, &urls)?)
        }
        Network::Facebook => Arc::new(facebook::Facebook {
            http,
            app,
            dialog_url: at(&config.facebook_dialog_url),
            graph_url: at(&config.facebook_graph_url),
            version: config.facebook_api_version.clone(),
        }),
        Network::Instagram => Arc::new(instagram::Instagram {
            http,
            app,
            auth_url: at(&config.instagram_auth_url),
            api_url: at(&config.instagram_api_url),
            graph_url: at(&config.instagram_graph_url),
            version: config.instagram_api_version.clone(),
        }),
    })
}

/// The configured client of each network, and which are sandboxes.
/// The directory of network clients: every lookup of a network goes through it. A
/// network is served by its real client when its app is configured; a development
/// server may fill the others with look-alikes ([`Providers::serve_lookalike`]), which
/// the sandbox does when it is on.
#[derive(Clone)]
pub struct Providers {
    clients: HashMap<Network, Arc<dyn Provider>>,
    sandboxed: Vec<Network>,
    /// The secret the look-alikes sign Meta callbacks with (public: dev mode only).
    lookalike_secret: Option<Secret>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers")
            .field("sandboxed", &self.sandboxed)
            .finish()
    }
}

impl Providers {
    /// Real clients for networks with credentials; the others are not offered until a
    /// look-alike is registered (a fake network in production would let anyone
    /// connect made-up Pages, so only the sandbox, when switched on, registers one).
    pub fn from_config(config: &Config) -> AppResult<Providers> {
        let http = http::client()?;
        let mut clients: HashMap<Network, Arc<dyn Provider>> = HashMap::new();
        for network in [Network::Linkedin, Network::Facebook, Network::Instagram] {
            if let Some(app) = configured_app(config, network) {
                clients.insert(network, client(network, config, http.clone(), app, None)?);
            }
        }
        Ok(Providers {
            clients,
            sandboxed: Vec::new(),
            lookalike_secret: None,
            http,
        })
    }

    /// Networks no configured app serves, which a look-alike may fill.
    pub fn unserved(&self) -> Vec<Network> {
        [Network::Linkedin, Network::Facebook, Network::Instagram]
            .into_iter()
            .filter(|n| !self.clients.contains_key(n))
            .collect()
    }

    /// The HTTP client every network client shares.
    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// Serves `network`, which no configured app serves, with a look-alike whose
    /// Meta callbacks are signed with `secret`. A configured app is never replaced.
    pub fn serve_lookalike(&mut self, network: Network, client: Arc<dyn Provider>, secret: Secret) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.clients.entry(network) {
            slot.insert(client);
            self.sandboxed.push(network);
            self.lookalike_secret = Some(secret);
        }
    }

    /// The secret `network`'s look-alike signs callbacks with, when it is one.
    pub fn lookalike_secret(&self, network: Network) -> Option<&Secret> {
        self.sandboxed
            .contains(&network)
            .then_some(self.lookalike_secret.as_ref())
            .flatten()
    }

    pub fn get(&self, network: Network) -> AppResult<&Arc<dyn Provider>> {
        self.clients
            .get(&network)
            .ok_or_else(|| AppError::UnsupportedNetwork(not_configured(network)))
    }

    /// Whether `network` can be connected now: app credentials, or its sandbox.
    pub fn connectable(&self, network: Network) -> bool {
        self.clients.contains_key(&network)
    }

    /// Networks served by the built-in sandbox.
    pub fn sandboxed(&self) -> &[Network] {
        &self.sandboxed
    }

    /// Whether any network is served by the sandbox.
    pub fn any_sandbox(&self) -> bool {
        !self.sandboxed.is_empty()
    }
}
