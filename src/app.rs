//! The shared state every request sees.

use crate::{
    auth::Verifier, config::Config, crypto::Keyring, events::EventBus, providers::Providers,
    store::Store,
};

/// Built once by [`Socialgate::build`](crate::Socialgate::build) and shared by reference
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
    /// State of the sandbox networks, when any network is sandboxed.
    #[cfg(feature = "sandbox")]
    pub sandbox: Option<std::sync::Arc<crate::sandbox::Sandbox>>,
    /// Turns true when the server shuts down: sockets close, feeds and the listener end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// Fair sharing between tenants: concurrent requests and request rates per tenant
    /// (see [`crate::service::limits`]).
    pub limits: crate::service::limits::Limits,
    /// The whole-chain audit walks running, one of each kind per tenant
    /// (see [`crate::service::walks`]).
    pub walks: crate::service::walks::Walks,
    /// Open WebSocket connections, for the per-tenant and per-user caps.
    pub sockets: crate::http::sockets::OpenSockets,
    /// The host's own authentication, when it replaces bearer tokens.
    pub authenticate: Option<crate::auth::HostAuth>,
}
