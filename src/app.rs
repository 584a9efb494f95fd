//! The shared state every request sees.

use std::sync::Arc;

use crate::{
    auth::Verifier,
    config::Config,
    crypto::Keyring,
    providers::{Providers, sandbox::Sandbox},
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
    /// Verifies bearer tokens with the pinned algorithm.
    pub verifier: Verifier,
    /// Seals and opens stored network tokens.
    pub keyring: Keyring,
    /// The network clients (real or sandbox).
    pub providers: Providers,
    /// State of the sandbox networks, when any network is sandboxed.
    pub sandbox: Option<Arc<Sandbox>>,
    /// Turns true when the server shuts down: sockets close, feeds and the listener end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// Open WebSocket connections per tenant, for the per-tenant cap.
    pub sockets: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, usize>>,
}
