//! The `networks` listing: what can be connected, the tenant's limit, and how many
//! slots the viewer already uses, so a "Connect" button can be disabled up front.

use super::scope_of;
use crate::{
    auth::Actor,
    domain::{
        limits::{limit_of, used_in},
        network::{LISTED, ListedNetwork, X_UNSUPPORTED_REASON},
    },
    error::AppResult,
    providers::not_configured,
    service::App,
};

/// One listed network as the viewer sees it.
#[derive(Debug, Clone)]
pub struct NetworkView {
    pub listed: ListedNetwork,
    /// The tenant's per-user limit (0 for unsupported networks).
    pub limit: i32,
    /// The viewer's integrations that take a slot.
    pub used: i32,
    /// Why it cannot be connected now (X, or no app credentials and no sandbox).
    pub unavailable: Option<String>,
    /// What `sandboxSimulate` can make it report: empty unless it is a sandbox.
    pub simulations: Vec<super::simulate::Simulated>,
}

pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<NetworkView>> {
    let used = app
        .store
        .tenant(scope_of(actor))
        .slots_used(actor.user_id)
        .await?;
    Ok(LISTED
        .into_iter()
        .map(|listed| match listed {
            ListedNetwork::Supported(network) => NetworkView {
                listed,
                limit: limit_of(&actor.tenant, network),
                used: used_in(&used, network) as i32,
                unavailable: (!app.providers.connectable(network)).then(|| not_configured(network)),
                simulations: super::simulate::Simulated::offered(app, network),
            },
            ListedNetwork::X => NetworkView {
                listed,
                limit: 0,
                used: 0,
                unavailable: Some(X_UNSUPPORTED_REASON.to_owned()),
                simulations: Vec::new(),
            },
        })
        .collect())
}
