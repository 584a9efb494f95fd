//! The `networks` listing: what can be connected, the tenant's limit, and how many
//! slots the viewer already uses, so a "Connect" button can be disabled up front.

use crate::{
    auth::Actor,
    domain::network::{LISTED, ListedNetwork},
    error::AppResult,
    store::{Store, integrations, tenants::limit_of},
};

/// One listed network as the viewer sees it.
#[derive(Debug, Clone)]
pub struct NetworkView {
    pub listed: ListedNetwork,
    /// The tenant's per-user limit (0 for unsupported networks).
    pub limit: i32,
    /// The viewer's integrations that take a slot.
    pub used: i32,
}

pub async fn list(store: &Store, actor: &Actor) -> AppResult<Vec<NetworkView>> {
    let used = integrations::slots_used(store.db(), actor.tenant_id, actor.user_id).await?;
    Ok(LISTED
        .into_iter()
        .map(|listed| match listed {
            ListedNetwork::Supported(network) => NetworkView {
                listed,
                limit: limit_of(&actor.tenant, network),
                used: used
                    .iter()
                    .find(|(n, _)| *n == network)
                    .map_or(0, |(_, c)| *c as i32),
            },
            ListedNetwork::X => NetworkView {
                listed,
                limit: 0,
                used: 0,
            },
        })
        .collect())
}
