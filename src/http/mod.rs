//! The axum router: GraphQL over HTTP, GraphiQL, the console, health and readiness.
//!
//! [`router`] returns a `Router<()>` ready to serve or to nest inside another app.
//! Limits that protect the server sit here: a 256 KiB request body, single (never
//! batched) operations, mutations only over POST, and per-tenant rate and concurrency
//! on `/graphql` ([`fairness`]).

mod admission;
mod client;
mod console;
mod dev;
mod digest_links;
mod fairness;
mod first_bytes;
pub mod graphiql;
mod graphql;
mod health;
pub(crate) mod html;
mod meta;
pub mod metrics;
mod oauth;
mod serve;
pub mod sockets;
mod ws;

pub use serve::{ServeLimits, serve};

use std::{sync::Arc, time::Duration};

use axum::{
    Router, middleware,
    routing::{get, post},
};
use http::{HeaderName, Request};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{graphql::AppSchema, service::App};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Header that carries the request id in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct HttpState {
    pub app: Arc<App>,
    pub schema: AppSchema,
    /// The proxies whose forwarded client addresses are believed.
    pub trusted: Arc<[ipnet::IpNet]>,
    /// Open WebSocket connections, for the per-tenant and per-user caps.
    pub sockets: sockets::OpenSockets,
}

/// The complete HTTP surface of socialgate, with `plugged` (routes the composition
/// root adds, such as the sandbox's) merged in under the same layers.
pub fn router(
    app: Arc<App>,
    schema: AppSchema,
    sockets: sockets::OpenSockets,
    plugged: Router,
) -> Router {
    let state = HttpState {
        trusted: app.config.serve_limits().trusted.into(),
        app: app.clone(),
        schema,
        sockets,
    };
    let admit = middleware::from_fn_with_state(state.clone(), fairness::admit);
    let routes = Router::new()
        .route(
            "/graphql",
            get(graphql::handle)
                .post(graphql::handle)
                .route_layer(admit)
                // Outermost: a body that will never run costs no admission.
                .route_layer(axum::middleware::from_fn(graphql::require_json)),
        )
        .route("/graphql/ws", get(ws::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/oauth/{network}/callback", get(oauth::callback))
        .route("/callbacks/{network}/deauthorize", post(meta::deauthorize))
        .route(
            "/callbacks/{network}/data-deletion",
            post(meta::data_deletion),
        )
        .route("/data-deletion/{code}", get(meta::deletion_status))
        .route(
            "/digest/unsubscribe",
            get(digest_links::confirm).post(digest_links::stop),
        )
        .route(
            "/digest/confirm-address",
            get(digest_links::confirm_address_page).post(digest_links::confirm_address),
        );
    // GraphiQL only where anonymous callers may read the schema it needs.
    let routes = match (app.config.publishes_schema(), &app.config.graphiql_assets) {
        (true, Some(_)) => routes
            .route("/graphiql", get(graphiql::page))
            .route("/graphiql/assets/{name}", get(graphiql::asset)),
        (true, None) => routes.route("/graphiql", get(graphiql::page)),
        (false, _) => routes,
    };
    let routes = if app.config.console_enabled() {
        routes
            .route("/console", get(console::bare))
            .route("/console/", get(console::index))
            .route("/console/{file}", get(console::asset))
    } else {
        routes
    };
    // Only in dev mode does the route exist at all.
    let routes = if app.config.dev {
        routes.route("/dev/token", post(dev::token))
    } else {
        routes
    };
    let routes = routes.with_state(state);
    let routes = match app.config.metrics_listen {
        None => routes.merge(metrics::router(app.clone())),
        Some(_) => routes,
    };
    routes
        .merge(plugged)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(close_after_refused_body))
        .layer(axum::middleware::map_response(html::secure))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // `operation` is filled in once GraphQL has chosen the operation.
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id, operation = tracing::field::Empty)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// A body refused for its size is left unread, so the connection cannot carry another
/// request: saying so keeps a client from sending its next request down a connection
/// the server is about to close.
async fn close_after_refused_body(
    mut response: axum::response::Response,
) -> axum::response::Response {
    if response.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    response
}
