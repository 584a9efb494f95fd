//! Sandbox networks: LinkedIn, Facebook and Instagram look-alikes served by socialgate
//! itself under `/sandbox/{network}`, so a frontend can walk the whole connect flow,
//! and every status, with no real app at a network. They answer in the networks'
//! documented formats (success and error bodies); the real network clients are simply
//! given this server's sandbox URLs as their endpoints.
//!
//! This module is the sandbox's one seam: [`register`] fills the network directory
//! with look-alikes, the sandbox is the service layer's
//! [`Simulate`](crate::service::simulate::Simulate) (behind `sandboxSimulate`), and
//! [`router`] mounts its pages. The server's composition root calls them and nothing
//! else names the sandbox. It is built with the cargo feature `sandbox` (on by
//! default, so `cargo run` works with no app credentials) and switched on at run time
//! in dev mode or with `SOCIALGATE_SANDBOX=true`; a lean production build leaves it
//! out with `--no-default-features`, and then these functions register nothing.

#[cfg(feature = "sandbox")]
mod networks;

use std::sync::Arc;

use axum::Router;

#[cfg(feature = "sandbox")]
pub use networks::{Answer, LOGINS, Sandbox, SandboxLogin, SandboxPage, logins, register};

use crate::service::{App, simulate::Simulate};

/// Without the `sandbox` feature there is no sandbox: this type has no values.
#[cfg(not(feature = "sandbox"))]
#[derive(Debug)]
pub enum Sandbox {}

#[cfg(not(feature = "sandbox"))]
impl Simulate for Sandbox {
    fn simulate(&self, _: &str, _: crate::service::simulate::Simulated) -> bool {
        match *self {}
    }
}

/// Without the `sandbox` feature, no network is ever served by a look-alike.
#[cfg(not(feature = "sandbox"))]
pub async fn register(
    _: &crate::config::Config,
    _: &mut crate::providers::Providers,
    _: &crate::store::Store,
) -> crate::error::AppResult<Option<Arc<Sandbox>>> {
    Ok(None)
}

/// The sandbox as the service layer's simulator, when it is on.
pub fn simulator(sandbox: Option<&Arc<Sandbox>>) -> Option<Arc<dyn Simulate>> {
    sandbox.map(|s| s.clone() as Arc<dyn Simulate>)
}

/// The sandbox networks' pages and endpoints, to merge into the server's router
/// (empty when the sandbox is off).
pub fn router(app: Arc<App>, sandbox: Option<&Arc<Sandbox>>) -> Router {
    match sandbox {
        #[cfg(feature = "sandbox")]
        Some(sandbox) => networks::router(app, sandbox.clone()),
        _ => {
            drop(app);
            Router::new()
        }
    }
}
