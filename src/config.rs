//! Typed configuration, loaded once.
//!
//! The library never reads the environment: `main.rs` hands [`Config::load`] the
//! process's variables and the optional `--config` TOML file, and everything else
//! receives a finished `Config`. File keys are the variable names without the
//! `SOCIALGATE_` prefix, in lower case (`jwt_secret = "…"`); a variable wins over the file.

use std::{fmt, net::SocketAddr, path::PathBuf};

use serde::Deserialize;

use crate::error::{AppError, AppResult};

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

/// Everything socialgate can be told. See the README's configuration table.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
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
    /// Serve sandbox networks for networks without credentials
    /// (`SOCIALGATE_SANDBOX`; default: only in dev mode).
    #[serde(deserialize_with = "flag")]
    pub sandbox: Option<bool>,
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
    /// LinkedIn's API base (`/v2/userinfo`).
    pub linkedin_api_url: String,
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
    /// Instagram Graph base (`/access_token`, `/me`).
    pub instagram_graph_url: String,
    /// Most GraphQL requests over HTTP one tenant (or one anonymous address) runs at
    /// once (`SOCIALGATE_TENANT_CONCURRENCY`; 0 turns the limit off). Kept below the
    /// database pool (8 connections on SQLite, 16 on PostgreSQL) so that one tenant
    /// cannot hold every connection.
    #[serde(deserialize_with = "number")]
    pub tenant_concurrency: u32,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://socialgate.db?mode=rwc".to_owned(),
            public_url: None,
            data_dir: PathBuf::from(".socialgate"),
            jwt_secret: None,
            jwt_public_key: None,
            jwt_issuer: None,
            jwt_audience: None,
            log: "info".to_owned(),
            sandbox: None,
            dev: false,
            token_keys: None,
            allowed_origins: None,
            linkedin_client_id: None,
            linkedin_client_secret: None,
            linkedin_oauth_url: "https://www.linkedin.com/oauth/v2".to_owned(),
            linkedin_api_url: "https://api.linkedin.com".to_owned(),
            facebook_app_id: None,
            facebook_app_secret: None,
            facebook_dialog_url: "https://www.facebook.com".to_owned(),
            facebook_graph_url: "https://graph.facebook.com".to_owned(),
            facebook_api_version: "v25.0".to_owned(),
            instagram_app_id: None,
            instagram_app_secret: None,
            instagram_auth_url: "https://www.instagram.com".to_owned(),
            instagram_api_url: "https://api.instagram.com".to_owned(),
            instagram_graph_url: "https://graph.instagram.com".to_owned(),
            tenant_concurrency: 4,
            tenant_queue_ms: 2_000,
            tenant_rate: 50,
            anonymous_rate: 10,
        }
    }
}

/// A boolean given as TOML `true` or as the text of a variable (`1`, `true`, `yes`).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Bool(b)) => Ok(Some(b)),
        Some(Raw::Text(t)) => match t.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "off" => Ok(Some(false)),
            other => Err(serde::de::Error::custom(format!(
                "{other:?} is not a boolean"
            ))),
        },
    }
}

/// A number given as a TOML number or as the text of a variable.
fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + std::str::FromStr,
    T::Err: fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw<T> {
        Number(T),
        Text(String),
    }
    match Raw::<T>::deserialize(d)? {
        Raw::Number(n) => Ok(n),
        Raw::Text(t) => t
            .trim()
            .parse()
            .map_err(|e| serde::de::Error::custom(format!("{t:?} is not a number: {e}"))),
    }
}

const PREFIX: &str = "SOCIALGATE_";

/// Variables with the prefix that are not configuration (they steer the test suite).
const NOT_CONFIG: &[&str] = &["TEST_DATABASE_URL", "REQUIRE_POSTGRES"];

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
        Ok(config)
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
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
        Origins {
            any: listed.is_empty() && self.dev,
            listed,
        }
    }

    /// True when no verification key is configured: `serve` then runs in dev mode.
    pub fn is_dev_mode(&self) -> bool {
        self.jwt_secret.is_none() && self.jwt_public_key.is_none()
    }
}

/// Which browser origins the server deals with: where `returnTo` may send the user,
/// who receives the callback page's message (it carries a one-time completion code)
/// and who may open a WebSocket. With no origins configured, dev mode on loopback
/// accepts any origin for messages and sockets; redirects always need a listed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    listed: Vec<String>,
    any: bool,
}

impl Origins {
    /// The configured origins (`scheme://host[:port]`).
    pub fn listed(&self) -> &[String] {
        &self.listed
    }

    /// Whether a page of `origin` may open a socket.
    pub fn accepts(&self, origin: &str) -> bool {
        self.any
            || self
                .listed
                .iter()
                .any(|o| o == origin.trim_end_matches('/'))
    }

    /// Whether `url` is on a listed origin (a redirect target).
    pub fn lists_url(&self, url: &str) -> bool {
        url::Url::parse(url).is_ok_and(|u| {
            let origin = u.origin().ascii_serialization();
            self.listed.contains(&origin)
        })
    }

    /// The `targetOrigin`s of `postMessage`: the listed ones, or `*` when any is fine.
    pub fn message_targets(&self) -> Vec<String> {
        if self.any {
            vec!["*".to_owned()]
        } else {
            self.listed.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_file_and_secrets_do_not_print() {
        let file = "listen = \"127.0.0.1:9000\"\njwt_secret = \"from-file\"\n";
        let vars = [
            ("SOCIALGATE_JWT_SECRET".to_owned(), "from-env".to_owned()),
            (
                "SOCIALGATE_TEST_DATABASE_URL".to_owned(),
                "ignored".to_owned(),
            ),
            ("HOME".to_owned(), "/root".to_owned()),
        ];
        let config = Config::load(Some(file), vars).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.jwt_secret.as_ref().unwrap().expose(), "from-env");
        assert!(!format!("{config:?}").contains("from-env"));
        assert_eq!(config.public_url(), "http://127.0.0.1:9000");
    }

    #[test]
    fn a_bad_value_names_the_key() {
        let err =
            Config::load(None, [("SOCIALGATE_LISTEN".to_owned(), "nope".to_owned())]).unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
    }

    #[test]
    fn limits_read_from_variables_and_files() {
        let file = "tenant_rate = 7\n";
        let vars = [
            ("SOCIALGATE_TENANT_CONCURRENCY".to_owned(), "3".to_owned()),
            ("SOCIALGATE_ANONYMOUS_RATE".to_owned(), "0".to_owned()),
        ];
        let config = Config::load(Some(file), vars).unwrap();
        assert_eq!(
            (
                config.tenant_concurrency,
                config.tenant_rate,
                config.anonymous_rate
            ),
            (3, 7, 0)
        );
        assert_eq!(config.tenant_queue_ms, 2_000);
        let err = Config::load(
            None,
            [("SOCIALGATE_TENANT_RATE".to_owned(), "lots".to_owned())],
        )
        .unwrap_err();
        assert!(err.to_string().contains("tenant_rate"), "{err}");
    }
}
