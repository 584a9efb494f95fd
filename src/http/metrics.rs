//! `GET /metrics`: the Prometheus exposition (see [`crate::metrics`]). On the main
//! listener unless `SOCIALGATE_METRICS_LISTEN` gives it one of its own; behind a
//! bearer token when `SOCIALGATE_METRICS_TOKEN` is set. One rendering serves every
//! scrape for five seconds.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use sha2::{Digest, Sha256};

use crate::service::App;

/// How long one rendering is served again: the gauges it reads cost an aggregate over
/// the integrations, which an open endpoint must not run on every hit.
const FRESH_FOR: Duration = Duration::from_secs(5);

/// The last rendering, and when it was made.
type Kept = Arc<tokio::sync::Mutex<Option<(Instant, String)>>>;

/// The metrics endpoint alone, for a listener of its own.
pub fn router(app: Arc<App>) -> Router {
    let kept: Kept = Arc::default();
    Router::new()
        .route("/metrics", get(scrape))
        .with_state((app, kept))
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

/// A rendering younger than [`FRESH_FOR`], or a new one; scrapes that arrive together
/// wait for the one rendering under way.
async fn rendered(app: &App, kept: &Kept) -> crate::error::AppResult<Option<String>> {
    let mut last = kept.lock().await;
    if let Some((at, text)) = last.as_ref()
        && at.elapsed() < FRESH_FOR
    {
        return Ok(Some(text.clone()));
    }
    let text =
        crate::metrics::render(&app.store, app.config.metrics_by_tenant.unwrap_or(false)).await?;
    if let Some(text) = &text {
        *last = Some((Instant::now(), text.clone()));
    }
    Ok(text)
}

pub(super) async fn scrape(
    State((app, kept)): State<(Arc<App>, Kept)>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token of SOCIALGATE_METRICS_TOKEN\n",
        )
            .into_response();
    }
    match rendered(&app, &kept).await {
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
