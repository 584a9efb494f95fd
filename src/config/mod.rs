//! Typed configuration, loaded once.
//!
//! The library never reads the environment: `main.rs` hands [`Config::load`] the
//! process's variables and the optional `--config` TOML file, and everything else
//! receives a finished `Config`. File keys are the variable names without the
//! `SOCIALGATE_` prefix, in lower case (`jwt_secret = "…"`); a variable wins over the file.

use std::{fmt, net::SocketAddr, path::PathBuf};

use serde::Deserialize;

use crate::error::{AppError, AppResult};

mod checks;
mod defaults;
mod origins;
mod serve;
mod values;

pub use origins::Origins;
pub use serve::ServeLimits;
pub use values::parse_duration;
use values::{flag, number};

/// A secret value that cannot be printed by accident: `Debug` shows `[redacted]`
/// and there is no `Display`. Read it with [`Secret::expose`].
#[derive(Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything socialgate can be told. See the README's configuration table. A key it
/// does not know (a misspelt variable, say) stops the start instead of being ignored.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`SOCIALGATE_LISTEN`).
    pub listen: SocketAddr,
    /// SeaORM database URL (`SOCIALGATE_DATABASE_URL`): SQLite or PostgreSQL.
    pub database_url: String,
    /// URL under which browsers reach this server, for OAuth redirects and links
    /// (`SOCIALGATE_PUBLIC_URL`); defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// Folder for generated development secrets (`SOCIALGATE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// HS256 secret for verifying tokens (`SOCIALGATE_JWT_SECRET`).
    pub jwt_secret: Option<Secret>,
    /// PEM public key, RS256 or ES256 (`SOCIALGATE_JWT_PUBLIC_KEY`).
    pub jwt_public_key: Option<Secret>,
    /// Required `iss` claim (`SOCIALGATE_JWT_ISSUER`).
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim (`SOCIALGATE_JWT_AUDIENCE`).
    pub jwt_audience: Option<String>,
    /// `tracing` filter (`SOCIALGATE_LOG`), e.g. `info,socialgate=debug`.
    pub log: String,
    /// `text` (default) or `json`: one JSON object per line, for log collectors
    /// (`SOCIALGATE_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// A tracing span per GraphQL resolver, under the request's span
    /// (`SOCIALGATE_TRACE_RESOLVERS`; off: it costs on every field).
    #[serde(deserialize_with = "flag")]
    pub trace_resolvers: Option<bool>,
    /// Serve sandbox networks for networks without credentials
    /// (`SOCIALGATE_SANDBOX`; default: only in dev mode).
    #[serde(deserialize_with = "flag")]
    pub sandbox: Option<bool>,
    /// Offer the schema (introspection, GraphiQL's documentation) to callers without
    /// a token (`SOCIALGATE_PUBLIC_SCHEMA`; default: only in dev mode).
    #[serde(deserialize_with = "flag")]
    pub public_schema: Option<bool>,
    /// Serve GraphiQL's scripts from this folder (an npm `node_modules` holding the
    /// pinned versions) instead of unpkg.com (`SOCIALGATE_GRAPHIQL_ASSETS`).
    pub graphiql_assets: Option<PathBuf>,
    /// Bearer token `/metrics` requires (`SOCIALGATE_METRICS_TOKEN`); without it the
    /// endpoint is open to whoever reaches the listener.
    pub metrics_token: Option<Secret>,
    /// Serve `/metrics` on this address instead of the main listener
    /// (`SOCIALGATE_METRICS_LISTEN`), e.g. one only the monitoring network reaches.
    pub metrics_listen: Option<SocketAddr>,
    /// Label `socialgate_integrations` by tenant too (`SOCIALGATE_METRICS_BY_TENANT`):
    /// one series per tenant and status, so only when the operator asks.
    #[serde(deserialize_with = "flag")]
    pub metrics_by_tenant: Option<bool>,
    /// Serve the built-in reference screen at `/console` (`SOCIALGATE_CONSOLE`;
    /// default: only in dev mode).
    #[serde(deserialize_with = "flag")]
    pub console: Option<bool>,
    /// Set by dev mode (loopback, generated keys); never read from the environment.
    #[serde(skip)]
    pub dev: bool,
    /// Token sealing keys, `id:base64` pairs newest first (`SOCIALGATE_TOKEN_KEYS`).
    pub token_keys: Option<Secret>,
    /// Origins that `returnTo` may point at and that the callback page posts to,
    /// comma-separated (`SOCIALGATE_ALLOWED_ORIGINS`).
    pub allowed_origins: Option<String>,
    pub linkedin_client_id: Option<String>,
    pub linkedin_client_secret: Option<Secret>,
    /// LinkedIn's OAuth base (`…/authorization`, `…/accessToken` live under it).
    pub linkedin_oauth_url: String,
    /// LinkedIn's API base (`/v2/userinfo`, `/rest/posts`).
    pub linkedin_api_url: String,
    /// Where LinkedIn members see posts (`/feed/update/{urn}/`): the permalinks of
    /// published posts are built from it.
    pub linkedin_web_url: String,
    /// The `LinkedIn-Version` (`YYYYMM`) sent to LinkedIn's versioned APIs (the Posts
    /// API). LinkedIn supports each version for at least a year: move it forward
    /// before LinkedIn's sunset date for it.
    pub linkedin_version: String,
    /// Send a PKCE challenge with each network's sign-in (`SOCIALGATE_LINKEDIN_PKCE`,
    /// `…_FACEBOOK_PKCE`, `…_INSTAGRAM_PKCE`; default off). LinkedIn documents PKCE only
    /// for native apps it enables on request; Meta only for its OIDC flow, not the
    /// Login dialog used here; web apps rely on `state` and the secret at exchange.
    #[serde(deserialize_with = "flag")]
    pub linkedin_pkce: Option<bool>,
    #[serde(deserialize_with = "flag")]
    pub facebook_pkce: Option<bool>,
    #[serde(deserialize_with = "flag")]
    pub instagram_pkce: Option<bool>,
    pub facebook_app_id: Option<String>,
    pub facebook_app_secret: Option<Secret>,
    /// Where the Facebook login dialog lives (`/{version}/dialog/oauth`).
    pub facebook_dialog_url: String,
    /// The Graph API base (`/{version}/oauth/access_token`, `/{version}/me/accounts`).
    pub facebook_graph_url: String,
    pub facebook_api_version: String,
    pub instagram_app_id: Option<String>,
    pub instagram_app_secret: Option<Secret>,
    /// Instagram Login's authorize base (`/oauth/authorize`).
    pub instagram_auth_url: String,
    /// Where codes are exchanged (`/oauth/access_token`).
    pub instagram_api_url: String,
    /// Instagram Graph base (`/access_token`, `/{version}/me`).
    pub instagram_graph_url: String,
    /// The Instagram Graph version of data calls (`/{version}/me`).
    pub instagram_api_version: String,
    /// Most open HTTP connections (`SOCIALGATE_MAX_CONNECTIONS`); past it a client
    /// gets a 503 and the connection closes.
    #[serde(deserialize_with = "number")]
    pub max_connections: u64,
    /// Most open connections from one client address (`SOCIALGATE_MAX_CONNECTIONS_PER_ADDRESS`);
    /// trusted proxies' addresses are not held to it.
    #[serde(deserialize_with = "number")]
    pub max_connections_per_address: u64,
    /// Addresses or CIDR ranges of the proxies in front of the server, comma-separated
    /// (`SOCIALGATE_TRUSTED_PROXIES`; default this machine's loopback; `none` for none).
    pub trusted_proxies: Option<String>,
    /// Seconds a client has to send a request's headers, which also bounds an idle
    /// kept-alive connection (`SOCIALGATE_HEADER_TIMEOUT_SECS`).
    #[serde(deserialize_with = "number")]
    pub header_timeout_secs: u64,
    /// Run background jobs in `serve` (`SOCIALGATE_JOBS`; default true). Turn off to
    /// leave them to another process.
    #[serde(deserialize_with = "flag")]
    pub jobs: Option<bool>,
    /// Seconds between expiry sweeps (`SOCIALGATE_EXPIRY_INTERVAL_SECS`).
    #[serde(deserialize_with = "number")]
    pub expiry_interval_secs: u64,
    /// How often each integration is probed at its network
    /// (`SOCIALGATE_PROBE_INTERVAL`: a duration such as `6h`, `30m` or `5s`).
    pub probe_interval: String,
    /// Days before its token's expiry an integration shows `expiresSoon`
    /// (`SOCIALGATE_EXPIRES_SOON_DAYS`).
    #[serde(deserialize_with = "number")]
    pub expires_soon_days: u64,
    /// Most GraphQL requests over HTTP one tenant (or one anonymous address) runs at
    /// once (`SOCIALGATE_TENANT_CONCURRENCY`; 0 turns the limit off). Kept below the
    /// database pool (8 connections on SQLite, 16 on PostgreSQL) so that one tenant
    /// cannot hold every connection.
    #[serde(deserialize_with = "number")]
    pub tenant_concurrency: u32,
    /// Events a second one tenant's subscriptions may read back from the database
    /// (a subscription started with an old `after`), bursts of twice as many
    /// (`SOCIALGATE_REPLAY_RATE`; 0 turns the budget off). A replay over it slows down;
    /// it is never refused.
    #[serde(deserialize_with = "number")]
    pub replay_rate: u32,
    /// Least time between two deliveries of identical content (the same text, however
    /// cased or spaced, and link) to accounts of one tenant, in seconds
    /// (`SOCIALGATE_POST_SPREAD_SECS`; 0 turns the spread off). A delivery that would
    /// leave closer moves later by the gap and a random part of up to half of it.
    #[serde(deserialize_with = "number")]
    pub post_spread_secs: u64,
    /// How long after its time a delivery held by a broken connection still leaves by
    /// itself once the connection works again, in hours
    /// (`SOCIALGATE_HELD_RESUME_HOURS`); older ones wait for their author.
    #[serde(deserialize_with = "number")]
    pub held_resume_hours: u64,
    /// How often the publish job looks for due deliveries, in seconds
    /// (`SOCIALGATE_PUBLISH_INTERVAL_SECS`).
    #[serde(deserialize_with = "number")]
    pub publish_interval_secs: u64,
    /// Most expensive requests (audit walks and exports, digest previews, pages with a
    /// validated complexity of 1,000 or more) running at once on the instance, all
    /// tenants together; a freed place goes to the tenant with the fewest running
    /// (`SOCIALGATE_HEAVY_SLOTS`; default one fewer than the processors, at least one;
    /// 0 turns the pool off).
    #[serde(deserialize_with = "number")]
    pub heavy_slots: u32,
    /// How long a request over [`Config::tenant_concurrency`] waits for a slot before
    /// it is refused, in milliseconds (`SOCIALGATE_TENANT_QUEUE_MS`).
    #[serde(deserialize_with = "number")]
    pub tenant_queue_ms: u64,
    /// GraphQL requests per second one tenant may send over HTTP, with bursts of twice
    /// as many (`SOCIALGATE_TENANT_RATE`; 0 turns the budget off).
    #[serde(deserialize_with = "number")]
    pub tenant_rate: u32,
    /// GraphQL requests per second one client address may send without a valid token,
    /// with bursts of twice as many (`SOCIALGATE_ANONYMOUS_RATE`; 0 turns it off).
    #[serde(deserialize_with = "number")]
    pub anonymous_rate: u32,
    /// Where Daily Digest mail goes out (`SOCIALGATE_SMTP_URL`): `smtp://host:25`
    /// (plain), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (TLS from the start). Unset: dev mode writes `.eml`
    /// files into the data folder, otherwise no digest is sent.
    pub smtp_url: Option<Secret>,
    /// The digest's `From` address (`SOCIALGATE_SMTP_FROM`).
    pub smtp_from: String,
    /// The frontend that digest links open (`SOCIALGATE_FRONTEND_URL`): a review link
    /// is `{frontend_url}/integrations/{id}`, or the URL with `{id}` replaced when it
    /// holds that placeholder. Defaults to the public URL.
    pub frontend_url: Option<String>,
    /// Key that signs one-click unsubscribe links (`SOCIALGATE_UNSUBSCRIBE_KEY`, at
    /// least 32 characters). Unset: derived from the newest token-sealing key, so links
    /// stop working when that key is retired (they expire after 60 days anyway).
    pub unsubscribe_key: Option<Secret>,
}

const PREFIX: &str = "SOCIALGATE_";

/// Variables with the prefix that are not configuration (they steer the test suite and
/// the browser walk).
const NOT_CONFIG: &[&str] = &[
    "TEST_DATABASE_URL",
    "REQUIRE_POSTGRES",
    "REQUIRE_BROWSER",
    "URL",
    "GRAPHQL_URL",
    "TOKEN",
];

impl Config {
    /// Builds the configuration from a TOML document (may be empty) overlaid with
    /// `SOCIALGATE_*` variables. Empty variables count as unset.
    pub fn load(
        file: Option<&str>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> AppResult<Config> {
        let mut table: toml::Table = match file {
            Some(text) => text
                .parse()
                .map_err(|e| AppError::BadUserInput(format!("config file: {e}")))?,
            None => toml::Table::new(),
        };
        for (name, value) in vars {
            let Some(key) = name.strip_prefix(PREFIX) else {
                continue;
            };
            if value.is_empty() || NOT_CONFIG.contains(&key) {
                continue;
            }
            table.insert(key.to_ascii_lowercase(), toml::Value::String(value));
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| AppError::BadUserInput(format!("configuration: {e}")))?;
        config.check()?;
        Ok(config)
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Whether `/console` is served: the built-in reference screen (`SOCIALGATE_CONSOLE`;
    /// default: only in dev mode).
    pub fn console_enabled(&self) -> bool {
        self.console.unwrap_or(self.dev)
    }

    /// Whether networks without credentials get a sandbox.
    pub fn sandbox_enabled(&self) -> bool {
        self.sandbox.unwrap_or(self.dev)
    }

    /// The origin policy for frontends (see [`Origins`]).
    pub fn origins(&self) -> Origins {
        let listed: Vec<String> = self
            .allowed_origins
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        // The console is served from our own origin: its popups post there and its
        // socket opens from there.
        let own_origin = url::Url::parse(&self.public_url())
            .ok()
            .map(|u| u.origin().ascii_serialization());
        let own = own_origin.clone().filter(|_| self.console_enabled());
        Origins {
            any: listed.is_empty() && self.dev,
            listed,
            own,
            own_redirect: own_origin.filter(|_| self.dev),
        }
    }

    /// [`Config::probe_interval`] as a duration; an unreadable value falls back to six
    /// hours (and `load` refuses it up front).
    pub fn probe_interval(&self) -> std::time::Duration {
        parse_duration(&self.probe_interval).unwrap_or(std::time::Duration::from_secs(6 * 3600))
    }

    /// How far ahead `expiresSoon` looks (`expires_soon_days`, at most a century so
    /// that dates computed with it stay representable).
    pub fn expires_soon_window(&self) -> chrono::Duration {
        chrono::Duration::days(i64::try_from(self.expires_soon_days.min(36_500)).unwrap_or(0))
    }

    /// Whether anonymous callers may introspect the schema.
    pub fn publishes_schema(&self) -> bool {
        self.public_schema.unwrap_or(self.dev)
    }

    /// True when no verification key is configured: `serve` then runs in dev mode.
    pub fn is_dev_mode(&self) -> bool {
        self.jwt_secret.is_none() && self.jwt_public_key.is_none()
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: aligned, coloured on a terminal.
    #[default]
    Text,
    /// For collectors: one JSON object per line, span fields included.
    Json,
}

#[cfg(test)]
mod tests;
