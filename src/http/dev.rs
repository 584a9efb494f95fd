//! `POST /dev/token`: tokens for the two people of the dev tenant, so the console can
//! switch between an advisor and a compliance officer. The route exists only in dev
//! mode (which itself listens only on loopback), and answers only a loopback client
//! that names a loopback host, not through a proxy, with a JSON body: a page of another
//! site can neither read the answer (no CORS, and a JSON body needs a preflight) nor
//! reach it by pointing its own name at 127.0.0.1.

use std::net::SocketAddr;

use axum::{
    Json,
    body::to_bytes,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::HttpState;
use crate::dev;

#[derive(serde::Deserialize)]
struct Ask {
    person: String,
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Whether the request comes straight from this machine to a loopback name.
fn local(request: &Request) -> bool {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
    let headers: &HeaderMap = request.headers();
    // A proxy on this machine (a default nginx `proxy_pass` rewrites Host to loopback
    // and adds no forwarding header) may still add one of these, or be given away by a
    // page's Origin.
    let proxied = [
        "forwarded",
        "via",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-real-ip",
    ]
    .iter()
    .any(|h| headers.contains_key(*h));
    let loopback = |name: &str| matches!(name, "127.0.0.1" | "localhost" | "[::1]");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name))
        .is_some_and(loopback);
    let origin = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        None => true,
        Some(origin) => url::Url::parse(origin)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| loopback(h) || h == "[::1]" || h == "::1")
            })
            .unwrap_or(false),
    };
    peer && host && origin && !proxied
}

pub(super) async fn token(State(state): State<HttpState>, request: Request) -> Response {
    if !local(&request) {
        return refuse(
            StatusCode::FORBIDDEN,
            "dev tokens are given only to this machine, without a proxy",
        );
    }
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send {\"person\": \"advisor\"} as application/json",
        );
    }
    let Ok(body) = to_bytes(request.into_body(), 1024).await else {
        return refuse(StatusCode::BAD_REQUEST, "the body is too large");
    };
    let Ok(ask) = serde_json::from_slice::<Ask>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"person\": \"advisor\"} or {\"person\": \"compliance\"}",
        );
    };
    let Some(person) = dev::person(&ask.person) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "person is \"advisor\" or \"compliance\"",
        );
    };
    match dev::token(&state.app.config, person) {
        Ok(token) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "token": token,
                "person": person.person,
                "subject": person.subject,
                "name": person.name,
                // As the GraphQL API spells them (`viewer.roles`).
                "roles": person.roles.iter().map(|r| format!("{r:?}").to_uppercase()).collect::<Vec<_>>(),
                "tenant": dev::DEV_TENANT,
            })),
        )
            .into_response(),
        Err(e) => refuse(StatusCode::FORBIDDEN, &e.public_message()),
    }
}
