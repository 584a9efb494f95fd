//! Meta's callbacks over HTTP, one set per app so that the secret that must have signed
//! a request is never in doubt:
//!
//! - `POST /callbacks/{facebook|instagram}/deauthorize`: the person removed the app;
//! - `POST /callbacks/{facebook|instagram}/data-deletion`: they asked for their data
//!   to be deleted; answered `{"url", "confirmation_code"}`;
//! - `GET /data-deletion/{code}`: the status page that `url` points at (HTML, or JSON
//!   with `Accept: application/json`).
//!
//! A request that is not signed by the app is `400` and changes nothing.

use std::collections::HashMap;

use axum::{
    Form, Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header::ACCEPT},
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

use super::{
    HttpState,
    html::{self, escape},
};
use crate::{
    domain::{
        Network,
        network::{from_slug, name},
    },
    error::AppError,
    service::meta_callbacks::{self, DeletionStatus},
};

/// Facebook and Instagram send these callbacks; other networks have none.
fn meta_network(slug: &str) -> Option<Network> {
    from_slug(slug).filter(|n| matches!(n, Network::Facebook | Network::Instagram))
}

fn error(e: &AppError) -> Response {
    let status = match e {
        AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => {
            tracing::error!(error = %e, "Meta callback failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    (status, Json(json!({ "error": e.public_message() }))).into_response()
}

/// The callback's network and its `signed_request`, or why they are refused.
fn read(slug: &str, form: &HashMap<String, String>) -> Result<(Network, String), AppError> {
    let network = meta_network(slug).ok_or(AppError::NotFound("callback"))?;
    match form.get("signed_request") {
        Some(signed) if !signed.is_empty() => Ok((network, signed.clone())),
        _ => Err(AppError::BadUserInput("signed_request is missing".into())),
    }
}

pub(super) async fn deauthorize(
    State(state): State<HttpState>,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (network, signed) = match read(&slug, &form) {
        Ok(read) => read,
        Err(refused) => return error(&refused),
    };
    match meta_callbacks::deauthorize(&state.app, network, &signed).await {
        Ok(_) => Json(json!({ "success": true })).into_response(),
        Err(e) => error(&e),
    }
}

pub(super) async fn data_deletion(
    State(state): State<HttpState>,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (network, signed) = match read(&slug, &form) {
        Ok(read) => read,
        Err(refused) => return error(&refused),
    };
    match meta_callbacks::delete_data(&state.app, network, &signed).await {
        Ok(deletion) => Json(json!({
            "url": deletion.url,
            "confirmation_code": deletion.confirmation_code,
        }))
        .into_response(),
        Err(e) => error(&e),
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub(super) async fn deletion_status(
    State(state): State<HttpState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let found = match meta_callbacks::status(&state.app, &code).await {
        Ok(found) => found,
        Err(e) => return error(&e),
    };
    match (found, wants_json(&headers)) {
        (Some(status), true) => Json(json!({
            "confirmation_code": status.confirmation_code,
            "network": name(status.network),
            "requested_at": status.requested_at.to_rfc3339(),
            "status": "completed",
            "integrations": status.integrations,
            "done": status.done(),
            "kept": status.kept(),
        }))
        .into_response(),
        (Some(status), false) => Html(page(&status)).into_response(),
        (None, true) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no data deletion request has this confirmation code" })),
        )
            .into_response(),
        (None, false) => (
            StatusCode::NOT_FOUND,
            Html(html::document(
                "Data deletion request",
                "<p>No data deletion request has this confirmation code.</p>",
                None,
            )),
        )
            .into_response(),
    }
}

/// The human-readable status page.
fn page(status: &DeletionStatus) -> String {
    let body = format!(
        "<p>Confirmation code: <code id=\"code\">{}</code></p>\
         <p>Requested through {} on <time id=\"requested\">{}</time>. Status: \
         <strong id=\"status\">completed</strong>.</p>\
         <p id=\"done\">{}</p><p id=\"kept\">{}</p>",
        escape(&status.confirmation_code),
        escape(name(status.network)),
        escape(&status.requested_at.format("%Y-%m-%d %H:%M UTC").to_string()),
        escape(&status.done()),
        escape(status.kept()),
    );
    html::document("Your data deletion request", &body, None)
}
