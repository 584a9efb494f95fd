//! The look-alike networks themselves: their state, answers, pages and clients.

mod answers;
mod feed;
mod instagram;
mod logins;
mod publishing;
mod routes;
mod state;

use std::sync::Arc;

pub use logins::{LOGINS, SandboxLogin, SandboxPage, logins};
pub use publishing::SandboxPost;
pub use routes::router;
pub use state::{Answer, Sandbox};

use crate::{
    config::{Config, Secret},
    domain::{Network, network::slug},
    error::AppResult,
    providers::{self, AppCredentials, Provider, Providers},
    service::simulate::{Simulate, Simulated},
    store::Store,
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
    /// Posts are refused as duplicates; everything else works.
    Duplicates,
    /// The publishing limit is reached; everything else works.
    PublishingLimit,
}

impl Condition {
    const ALL: [Condition; 8] = [
        Condition::Expired,
        Condition::PasswordChanged,
        Condition::Revoked,
        Condition::PageRoleLost,
        Condition::Checkpoint,
        Condition::Outage,
        Condition::Duplicates,
        Condition::PublishingLimit,
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
            Condition::Duplicates => "duplicates",
            Condition::PublishingLimit => "publishing_limit",
        }
    }

    fn named(name: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// With sandboxes on (dev mode, or `SOCIALGATE_SANDBOX`), serves every network that
/// has no configured app with its real client pointed at this server's look-alike,
/// and restores the look-alikes' memory of issued tokens.
pub async fn register(
    config: &Config,
    providers: &mut Providers,
    store: &Store,
) -> AppResult<Option<Arc<Sandbox>>> {
    if !config.sandbox_enabled() {
        return Ok(None);
    }
    let unserved = providers.unserved();
    if unserved.is_empty() {
        return Ok(None);
    }
    for network in unserved {
        let lookalike = client(network, config, providers.http())?;
        providers.serve_lookalike(network, lookalike, Secret::new(CLIENT_SECRET));
    }
    Ok(Some(Arc::new(Sandbox::restore(store.clone()).await?)))
}

impl Simulate for Sandbox {
    fn simulate(&self, access_token: &str, event: Simulated) -> bool {
        let condition = match event {
            Simulated::Expire => Some(Condition::Expired),
            Simulated::PasswordChange => Some(Condition::PasswordChanged),
            Simulated::RevokeAccess => Some(Condition::Revoked),
            Simulated::LosePageRole => Some(Condition::PageRoleLost),
            Simulated::Checkpoint => Some(Condition::Checkpoint),
            Simulated::Outage => Some(Condition::Outage),
            Simulated::RefusePostsAsDuplicates => Some(Condition::Duplicates),
            Simulated::ReachPublishingLimit => Some(Condition::PublishingLimit),
            Simulated::Restore => None,
        };
        self.report(access_token, condition)
    }
}

/// The real client of `network`, pointed at this server's sandbox of it, with the PKCE
/// setting of the network's real app.
fn client(
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
