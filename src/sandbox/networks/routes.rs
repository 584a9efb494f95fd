//! HTTP face of the sandbox networks: consent pages and the networks' endpoints, at
//! the same paths (under `/sandbox/{network}`) the real clients call.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header::AUTHORIZATION},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde_json::json;

use super::{Answer, CLIENT_ID, Sandbox, feed, logins};
use crate::{
    domain::{Network, input, network::from_slug},
    http::html::{self, escape},
    service::App,
};

/// What the handlers share: the server's state and the look-alikes'.
#[derive(Clone)]
pub struct Shared {
    app: Arc<App>,
    sandbox: Arc<Sandbox>,
}

/// The sandbox networks' routes, to merge into the server's router.
pub fn router(app: Arc<App>, sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .route(
            "/sandbox/{network}/{*rest}",
            axum::routing::get(get).post(post).delete(delete),
        )
        .with_state(Shared { app, sandbox })
}

/// Whether `uri` is one of this server's OAuth callbacks, and safe to redirect to (a
/// line break would make an invalid `Location` header).
fn callback_uri(app: &App, uri: &str) -> bool {
    uri.starts_with(&format!("{}/oauth/", app.config.public_url()))
        && input::text("redirect_uri", uri, input::MAX_URL, input::Lines::Single).is_ok()
}

fn answer((status, body): Answer) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(body),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "no such sandbox endpoint" })),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The consent page: pick who signs in, or cancel.
fn consent_page(app: &App, net: &str, network: Network, q: &HashMap<String, String>) -> Response {
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !callback_uri(app, &redirect_uri)
        || q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        return (
            StatusCode::BAD_REQUEST,
            Html(html::document(
                "Sandbox sign-in refused",
                "<p>Unknown <code>client_id</code> or <code>redirect_uri</code>.</p>",
                None,
            )),
        )
            .into_response();
    }
    let link = |extra: &[(&str, &str)]| {
        // Absolute from the public URL, so a router nested under a prefix still works.
        let mut url = format!("{}/sandbox/{net}/consent?", app.config.public_url());
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        pairs.append_pair("redirect_uri", &redirect_uri);
        pairs.append_pair("state", q.get("state").map_or("", String::as_str));
        if let Some(challenge) = q.get("code_challenge") {
            pairs.append_pair("code_challenge", challenge);
        }
        for (k, v) in extra {
            pairs.append_pair(k, v);
        }
        url.push_str(&pairs.finish());
        escape(&url)
    };
    let mut items = String::new();
    for login in logins(network) {
        items.push_str(&format!(
            "<li><a class=\"login\" data-login=\"{}\" href=\"{}\">Continue as {}</a></li>",
            login.key,
            link(&[("login", login.key)]),
            escape(login.label)
        ));
    }
    let name = crate::domain::network::name(network);
    let body = format!(
        "<p>This stands in for {name}'s sign-in and consent screen: no real {name} \
         account is involved. socialgate asks to read the profile and post on its behalf. \
         Pick who signs in:</p><ul class=\"choices\">{items}</ul>\
         <p><a class=\"deny\" href=\"{}\">Cancel</a></p>",
        link(&[("deny", "1")])
    );
    Html(html::document(
        &format!("Sign in to {name} (sandbox)"),
        &body,
        None,
    ))
    .into_response()
}

/// The user's choice on the consent page: back to the app with a code or an error.
fn consent(app: &App, q: &HashMap<String, String>, sandbox: &Sandbox) -> Response {
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !callback_uri(app, &redirect_uri) {
        return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response();
    }
    let state_param = q.get("state").cloned().unwrap_or_default();
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    if q.contains_key("deny") {
        pairs.append_pair("error", "access_denied");
        pairs.append_pair("error_reason", "user_denied");
        pairs.append_pair("error_description", "Permissions error");
    } else {
        let code = q.get("login").and_then(|login| {
            sandbox.issue_code(login, &redirect_uri, q.get("code_challenge").cloned())
        });
        let Some(code) = code else {
            return (StatusCode::BAD_REQUEST, "unknown sandbox login").into_response();
        };
        pairs.append_pair("code", &code);
    }
    pairs.append_pair("state", &state_param);
    Redirect::to(&format!("{redirect_uri}?{}", pairs.finish())).into_response()
}

/// The network a path segment names and its sandbox, when that network is sandboxed.
fn sandboxed<'a>(shared: &'a Shared, slug: &str) -> Option<(Network, &'a Sandbox)> {
    let Shared { app, sandbox } = shared;
    let network = from_slug(slug)?;
    app.providers
        .sandboxed()
        .contains(&network)
        .then_some((network, sandbox))
}

async fn get(
    State(shared): State<Shared>,
    Path((net, rest)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some((network, sandbox)) = sandboxed(&shared, &net) else {
        return not_found();
    };
    let token = q.get("access_token").map(String::as_str);
    // Token endpoints take the secret itself (or are documented without a proof);
    // every other Graph call must carry its proof.
    let signs_in = rest == "consent"
        || rest == "posts"
        || rest.starts_with("posts/")
        || rest.starts_with("feed/update/")
        || rest.ends_with("/dialog/oauth")
        || rest.ends_with("oauth/authorize")
        || rest.ends_with("access_token");
    if network != Network::Linkedin
        && !signs_in
        && let Some(refused) = sandbox.proof_refused(&q)
    {
        return answer(refused);
    }
    match (network, rest.as_str()) {
        (_, "consent") => consent(&shared.app, &q, sandbox),
        (Network::Linkedin, "oauth/v2/authorization") => {
            consent_page(&shared.app, &net, network, &q)
        }
        (Network::Linkedin, "v2/userinfo") => answer(sandbox.linkedin_userinfo(bearer(&headers))),
        (Network::Facebook, path) if path.ends_with("/dialog/oauth") => {
            consent_page(&shared.app, &net, network, &q)
        }
        (Network::Facebook, path) if path.ends_with("/oauth/access_token") => {
            answer(sandbox.facebook_token(&q))
        }
        (Network::Facebook, path) if path.ends_with("/me/permissions") => {
            answer(sandbox.facebook_permissions(token))
        }
        (Network::Facebook, path) if path.ends_with("/me") => answer(sandbox.facebook_me(token)),
        (Network::Facebook, path) if path.ends_with("/me/accounts") => {
            answer(sandbox.facebook_accounts(token))
        }
        (Network::Facebook, path) if path.ends_with("/me/businesses") => {
            answer(sandbox.facebook_businesses(token))
        }
        (Network::Facebook, path) if path.ends_with("_pages") => {
            let edge = path.rsplit('/').next().unwrap_or("");
            answer(sandbox.facebook_business_pages(edge, token))
        }
        (Network::Instagram, "oauth/authorize") => consent_page(&shared.app, &net, network, &q),
        (Network::Instagram, "access_token") => answer(sandbox.instagram_long_lived(&q)),
        (Network::Instagram, path) if path.ends_with("/me") => answer(sandbox.instagram_me(token)),
        (Network::Instagram, "refresh_access_token") => answer(sandbox.instagram_refresh(&q)),
        (_, "posts") => feed::list(sandbox, network, q.get("account").map(String::as_str)),
        (_, path) if path.starts_with("posts/") => feed::one(sandbox, network, &path[6..]),
        (Network::Linkedin, path) if path.starts_with("feed/update/") => {
            feed::one(sandbox, network, &path[12..])
        }
        (Network::Instagram, path) if path.ends_with("/content_publishing_limit") => {
            let account = path.split('/').nth(1).unwrap_or("");
            answer(sandbox.instagram_quota(account, token))
        }
        (Network::Facebook | Network::Instagram, path) if path.split('/').count() == 2 => {
            let id = path.rsplit('/').next().unwrap_or("");
            let base = format!("{}/sandbox/{net}", shared.app.config.public_url());
            answer(sandbox.graph_object(network, id, token, &base))
        }
        _ => not_found(),
    }
}

async fn post(
    State(shared): State<Shared>,
    Path((net, rest)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((network, sandbox)) = sandboxed(&shared, &net) else {
        return not_found();
    };
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let segments: Vec<&str> = rest.split('/').collect();
    let graph = network != Network::Linkedin && !rest.starts_with("oauth/");
    if graph && let Some(refused) = sandbox.proof_refused(&form) {
        return answer(refused);
    }
    match (network, segments.as_slice()) {
        (Network::Linkedin, ["oauth", "v2", "accessToken"]) => {
            answer(sandbox.linkedin_token(&form))
        }
        (Network::Linkedin, ["oauth", "v2", "introspectToken"]) => {
            answer(sandbox.linkedin_introspect(&form))
        }
        (Network::Linkedin, ["rest", "posts"]) => {
            let json = serde_json::from_slice(&body).unwrap_or_default();
            let version = headers.contains_key("linkedin-version");
            match sandbox.linkedin_post(bearer(&headers), version, &json) {
                Ok(urn) => (StatusCode::CREATED, [("x-restli-id", urn)]).into_response(),
                Err(refused) => answer(refused),
            }
        }
        (Network::Instagram, ["oauth", "access_token"]) => answer(sandbox.instagram_token(&form)),
        (Network::Facebook, [_version, page, edge @ ("feed" | "photos")]) => {
            answer(sandbox.facebook_publish(page, edge, &form))
        }
        (Network::Instagram, [_version, account, "media"]) => {
            answer(sandbox.instagram_container(account, &form))
        }
        (Network::Instagram, [_version, account, "media_publish"]) => {
            answer(sandbox.instagram_publish(account, &form))
        }
        _ => not_found(),
    }
}

async fn delete(
    State(shared): State<Shared>,
    Path((net, rest)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((network, sandbox)) = sandboxed(&shared, &net) else {
        return not_found();
    };
    if let Some(refused) = sandbox.proof_refused(&q) {
        return answer(refused);
    }
    let token = q.get("access_token").map(String::as_str);
    match (network, rest.split('/').collect::<Vec<_>>().as_slice()) {
        (Network::Facebook, [_version, user, "permissions"]) => {
            answer(sandbox.facebook_revoke(user, token))
        }
        _ => not_found(),
    }
}
