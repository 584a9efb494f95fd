//! `/digest/unsubscribe?token=…`: the Daily Digest's one-click unsubscribe (RFC 8058).
//! A mail client POSTs to it (`List-Unsubscribe=One-Click`) and the digest is off, with
//! no sign-in: the signed, expiring token is the credential. A person who opens the
//! link in a browser gets a page with a button that makes the same POST, because link
//! checkers and previews follow GET links and must not unsubscribe anyone.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;

use super::{HttpState, html::escape};
use crate::{error::AppError, service::digest};

#[derive(Deserialize)]
pub(super) struct Link {
    #[serde(default)]
    token: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"font-family: sans-serif; max-width: 480px; margin: 48px auto;\">\
         <h1 style=\"font-size: 20px;\">{title}</h1>{body}</body></html>",
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

/// The confirm page.
pub(super) async fn confirm(Query(link): Query<Link>) -> Response {
    let form = format!(
        "<p>Stop receiving the Daily Digest? You can turn it on again in your settings.</p>\
         <form method=\"post\" action=\"?token={}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Stop the Daily Digest</button></form>",
        escape(&link.token)
    );
    page(StatusCode::OK, "Daily Digest", &form)
}

/// The one-click POST (from a mail client or the confirm page).
pub(super) async fn stop(State(state): State<HttpState>, Query(link): Query<Link>) -> Response {
    match digest::unsubscribe(&state.app, &link.token, crate::service::now()).await {
        Ok(()) => page(
            StatusCode::OK,
            "You will no longer receive the Daily Digest",
            "<p>You can turn it on again in your settings at any time.</p>",
        ),
        Err(error @ AppError::BadUserInput(_)) => page(
            StatusCode::BAD_REQUEST,
            "This link does not work",
            &format!("<p>{}</p>", escape(&error.to_string())),
        ),
        Err(AppError::NotFound(_)) => page(
            StatusCode::NOT_FOUND,
            "This link does not work",
            "<p>The person it was sent to is not known here any more.</p>",
        ),
        Err(error) => {
            tracing::error!(%error, "unsubscribe failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>Please try again in a minute.</p>",
            )
        }
    }
}
