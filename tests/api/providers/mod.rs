//! Each network's client against a local HTTP server that answers as the network
//! documents it (the answers are built by [`crate::documented`], which names the pages),
//! success and error bodies alike. One file per network; the server here serves them
//! all on one loopback port.

mod facebook;
mod instagram;
mod linkedin;
mod publishing;

use std::collections::HashMap;

use axum::{
    Router,
    extract::Query,
    http::StatusCode,
    response::{IntoResponse, Json, Response},
};
use serde_json::Value;
use socialgate::{
    config::Secret,
    providers::{AppCredentials, Grant},
};
use tokio::net::TcpListener;

type Params = Query<HashMap<String, String>>;

/// A documented answer as a response.
fn answer((status, body): (StatusCode, Value)) -> Response {
    (status, Json(body)).into_response()
}

/// Serves `router` on a loopback port; returns the base URL.
async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

/// The app a test's client signs in as: secret `shh`, PKCE as given.
fn app(id: &str, pkce: bool) -> AppCredentials {
    AppCredentials {
        id: id.into(),
        secret: Secret::new("shh"),
        pkce,
    }
}

/// A grant acting with `token` and holding `scopes`.
fn grant(token: &str, scopes: &[&str]) -> Grant {
    Grant {
        access_token: Secret::new(token),
        refresh_token: None,
        expires_at: None,
        refresh_expires_at: None,
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The external ids of `accounts`, in order.
fn ids(accounts: &[socialgate::providers::Account]) -> Vec<&str> {
    accounts
        .iter()
        .map(|a| a.external_account_id.as_str())
        .collect()
}
