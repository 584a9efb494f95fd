//! `GET /metrics`: the Prometheus exposition (see [`crate::metrics`]). On the main
//! listener unless `SOCIALGATE_METRICS_LISTEN` gives it one of its own; behind a
//! bearer token when `SOCIALGATE_METRICS_TOKEN` is set.

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use sha2::{Digest, Sha256};

use crate::app::App;

/// The metrics endpoint alone, for a listener of its own.
pub fn router(app: Arc<App>) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(app)
}

/// Whether `headers` carry the configured token (always, when none is configured).
/// Compared as digests, so the time taken says nothing about the token.
fn allowed(app: &App, headers: &HeaderMap) -> bool {
    let Some(expected) = &app.config.metrics_token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.expose().as_bytes())
}

pub(super) async fn scrape(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !allowed(&app, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token of SOCIALGATE_METRICS_TOKEN\n",
        )
            .into_response();
    }
    match crate::metrics::render(&app).await {
        Ok(Some(text)) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            "this process records socialgate's metrics in its host's recorder\n",
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the metrics gauges");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "metrics unavailable; see the log\n",
            )
                .into_response()
        }
    }
}
