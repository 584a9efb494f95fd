//! The shared state every use case sees: the lower layers' parts (configuration,
//! store, bus, keyring, mailer, network directory) and the service layer's own
//! registries. The HTTP layer's state (open sockets) and the sandbox's live above it
//! and are handed to those layers by the composition root (`Socialgate`).

use crate::{
    auth::Verifier, config::Config, crypto::Keyring, events::EventBus, providers::Providers,
    store::Store,
};

/// Built once by `Socialgate::build` and shared by reference
/// counting between the router, the schema and background work.
#[derive(Debug)]
pub struct App {
    /// The configuration the server was built with.
    pub config: Config,
    /// Database access; every query goes through it.
    pub store: Store,
    /// Where committed changes are published to subscriptions (and, on PostgreSQL,
    /// where the listener republishes other instances' changes).
    pub bus: EventBus,
    /// Recent callers' tenant and user rows, so a request by one costs no statement
    /// before it reads data (see [`crate::service::viewer`]).
    pub callers: std::sync::Arc<crate::service::viewer::Callers>,
    /// One reader of the bus per tenant with subscriptions, serving them all (see
    /// [`crate::service::feed`]).
    pub feeds: crate::service::feed::Feeds,
    /// Verifies bearer tokens with the pinned algorithm.
    pub verifier: Verifier,
    /// Seals and opens stored network tokens.
    pub keyring: Keyring,
    /// Sends the Daily Digest (SMTP, `.eml` files in dev mode, or off).
    pub mailer: crate::mail::Mailer,
    /// The network clients (real or sandbox).
    pub providers: Providers,
    /// What a sandbox network is told to report at its next check, when one is
    /// registered (see [`crate::service::simulate`]).
    pub simulator: Option<std::sync::Arc<dyn crate::service::simulate::Simulate>>,
    /// Turns true when the server shuts down: sockets close, feeds and the listener end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// Fair sharing between tenants: concurrent requests and request rates per tenant
    /// (see [`crate::service::limits`]).
    pub limits: crate::service::limits::Limits,
    /// How many events a tenant's subscriptions may read back a second
    /// (see [`crate::service::replay`]).
    pub replay: crate::service::replay::ReplayBudget,
    /// Expensive requests run here, a few at a time, shared fairly between tenants
    /// (see [`crate::service::heavy`]).
    pub heavy: crate::service::heavy::HeavyPool,
    /// The whole-chain audit walks running, one of each kind per tenant
    /// (see [`crate::service::walks`]).
    pub walks: crate::service::walks::Walks,
    /// The host's own authentication, when it replaces bearer tokens.
    pub authenticate: Option<crate::auth::HostAuth>,
}
