//! The Daily Digest's links, each a signed, expiring token that is the credential (no
//! sign-in):
//! - `/digest/unsubscribe?token=…`, the one-click unsubscribe (RFC 8058): a mail client
//!   POSTs to it (`List-Unsubscribe=One-Click`) and the digest is off;
//! - `/digest/confirm-address?token=…`, which makes an address a person chose their
//!   digest's address.
//!
//! A person who opens either link in a browser gets a page with a button that makes the
//! POST, because link checkers and previews follow GET links and must act for no one.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    HttpState,
    html::{self, escape},
};
use crate::{error::AppError, service::digest};

#[derive(Deserialize)]
pub(super) struct Link {
    #[serde(default)]
    token: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(html::document(title, body, None))).into_response()
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
        Err(error) => refused(error, "unsubscribe failed"),
    }
}

/// The page of an address confirmation link.
pub(super) async fn confirm_address_page(Query(link): Query<Link>) -> Response {
    let form = format!(
        "<p>Send your Daily Digest to this address from now on?</p>\
         <form method=\"post\" action=\"?token={}\">\
         <button type=\"submit\">Confirm this address</button></form>",
        escape(&link.token)
    );
    page(StatusCode::OK, "Daily Digest address", &form)
}

/// The confirmation itself (the page's button).
pub(super) async fn confirm_address(
    State(state): State<HttpState>,
    Query(link): Query<Link>,
) -> Response {
    match digest::confirm_address(&state.app, &link.token, crate::service::now()).await {
        Ok(address) => page(
            StatusCode::OK,
            "Address confirmed",
            &format!(
                "<p>Your Daily Digest goes to <strong>{}</strong> from now on.</p>",
                escape(&address)
            ),
        ),
        Err(error) => refused(error, "digest address confirmation failed"),
    }
}

/// The page for a link that did not work, in words the person can act on.
fn refused(error: AppError, what: &'static str) -> Response {
    match error {
        error @ AppError::BadUserInput(_) => page(
            StatusCode::BAD_REQUEST,
            "This link does not work",
            &format!("<p>{}</p>", escape(&error.to_string())),
        ),
        AppError::NotFound(_) => page(
            StatusCode::NOT_FOUND,
            "This link does not work",
            "<p>The person it was sent to is not known here any more.</p>",
        ),
        error => {
            tracing::error!(%error, "{what}");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>Please try again in a minute.</p>",
            )
        }
    }
}
