//! Sandbox networks: LinkedIn, Facebook and Instagram look-alikes served by socialgate
//! itself under `/sandbox/{network}`, so a frontend can walk the whole connect flow,
//! and every status, with no real app at a network. They answer in the networks'
//! documented formats (success and error bodies); the real network clients are simply
//! given this server's sandbox URLs as their endpoints.
//!
//! Everything sandbox lives in this module: its routes, its `sandboxSimulate`
//! mutation, and the endpoints it hands the clients. It is built with the cargo
//! feature `sandbox` (on by default, so `cargo run` works with no app credentials) and
//! switched on at run time in dev mode or with `SOCIALGATE_SANDBOX=true`; a lean
//! production build leaves it out with `--no-default-features`.

mod answers;
mod graphql;
mod instagram;
mod logins;
mod routes;
mod state;

use std::sync::Arc;

pub use graphql::{SandboxEvent, SandboxMutation};
pub use logins::{LOGINS, SandboxLogin, SandboxPage, logins};
pub use routes::router;
pub use state::{Answer, Sandbox};

use crate::{
    config::{Config, Secret},
    domain::{Network, network::slug},
    error::AppResult,
    providers::{self, AppCredentials, Provider},
};

/// The client id the sandbox networks accept.
pub const CLIENT_ID: &str = "sandbox-client";
/// The client secret the sandbox networks accept.
pub const CLIENT_SECRET: &str = "sandbox-secret";
/// The id of the sandbox's one Business Manager.
const BUSINESS_ID: &str = "200000000000001";

/// What `sandboxSimulate` can make a sandbox network report at the next check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Expired,
    PasswordChanged,
    Revoked,
    PageRoleLost,
    Checkpoint,
    /// A passing outage: 503s until restored.
    Outage,
}

impl Condition {
    const ALL: [Condition; 6] = [
        Condition::Expired,
        Condition::PasswordChanged,
        Condition::Revoked,
        Condition::PageRoleLost,
        Condition::Checkpoint,
        Condition::Outage,
    ];

    /// Its name as stored.
    fn name(self) -> &'static str {
        match self {
            Condition::Expired => "expired",
            Condition::PasswordChanged => "password_changed",
            Condition::Revoked => "revoked",
            Condition::PageRoleLost => "page_role_lost",
            Condition::Checkpoint => "checkpoint",
            Condition::Outage => "outage",
        }
    }

    fn named(name: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The real client of `network`, pointed at this server's sandbox of it, with the PKCE
/// setting of the network's real app.
pub fn client(
    network: Network,
    config: &Config,
    http: reqwest::Client,
) -> AppResult<Arc<dyn Provider>> {
    let base = format!("{}/sandbox/{}", config.public_url(), slug(network));
    let pkce = match network {
        Network::Linkedin => config.linkedin_pkce,
        Network::Facebook => config.facebook_pkce,
        Network::Instagram => config.instagram_pkce,
    };
    let app = AppCredentials {
        id: CLIENT_ID.to_owned(),
        secret: Secret::new(CLIENT_SECRET),
        pkce: pkce.unwrap_or(false),
    };
    providers::client(network, config, http, app, Some(&base))
}
