//! Liveness and readiness for orchestrators.

use axum::{extract::State, http::StatusCode};

use super::HttpState;

/// The process is up.
pub(super) async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: it is not shutting down, and the database answers. While it
/// drains, a load balancer that asks is told to send new work elsewhere.
pub(super) async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if *state.app.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
