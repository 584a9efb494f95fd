//! `NetworkInfo`: what each network connects, and whether it is supported at all.

use async_graphql::Object;

use super::enums::{AccountKind, Network, NetworkKey};
use crate::{
    domain::network::{ListedNetwork, X_UNSUPPORTED_REASON, account_kind, describe},
    service::networks::NetworkView,
};

pub struct NetworkInfo(pub NetworkView);

#[Object]
impl NetworkInfo {
    async fn key(&self) -> NetworkKey {
        match self.0.listed {
            ListedNetwork::Supported(n) => match Network::from(n) {
                Network::Linkedin => NetworkKey::Linkedin,
                Network::Facebook => NetworkKey::Facebook,
                Network::Instagram => NetworkKey::Instagram,
            },
            ListedNetwork::X => NetworkKey::X,
        }
    }
    /// The network to pass to `connectIntegration`; null when unsupported.
    async fn network(&self) -> Option<Network> {
        match self.0.listed {
            ListedNetwork::Supported(n) => Some(n.into()),
            ListedNetwork::X => None,
        }
    }
    /// Whether it can be connected now: false for X, and for a network this server
    /// is not set up to connect (`unsupportedReason` says what the operator sets).
    async fn supported(&self) -> bool {
        self.0.unavailable.is_none()
    }
    /// What `sandboxSimulate` can make an integration of this network report: the
    /// conditions the network has, and only while it is a sandbox (empty otherwise).
    async fn sandbox_simulations(&self) -> Vec<crate::graphql::simulate::SandboxEvent> {
        self.0
            .simulations
            .iter()
            .map(|&event| event.into())
            .collect()
    }
    /// Why the network cannot be connected now; null when it can.
    async fn unsupported_reason(&self) -> Option<&str> {
        self.0.unavailable.as_deref()
    }
    async fn account_kind(&self) -> Option<AccountKind> {
        match self.0.listed {
            ListedNetwork::Supported(n) => Some(account_kind(n).into()),
            ListedNetwork::X => None,
        }
    }
    /// What connecting it means, in one sentence.
    async fn description(&self) -> &'static str {
        match self.0.listed {
            ListedNetwork::Supported(n) => describe(n),
            ListedNetwork::X => X_UNSUPPORTED_REASON,
        }
    }
    /// How many the viewer may connect (the tenant's per-user limit).
    async fn limit(&self) -> i32 {
        self.0.limit
    }
    /// How many of those slots the viewer already uses.
    async fn used(&self) -> i32 {
        self.0.used
    }
}
