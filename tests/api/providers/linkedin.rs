//! The LinkedIn client: OpenID Connect sign-in, refresh tokens kept with their own end,
//! errors classified by the documented `serviceErrorCode` as well as the newer string
//! `code`, and both documented refusals of a refresh read as a dead refresh token.

use std::collections::HashMap;

use axum::{
    Form, Router,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Json, Response},
    routing::{get, post},
};
use socialgate::{
    config::Secret,
    domain::StatusReason,
    providers::{
        Provider, ProviderError, http_client,
        linkedin::{Linkedin, Urls},
    },
};

use super::{answer, app, grant, serve};
use crate::{api_test, documented::linkedin};

const REDIRECT: &str = "https://sg.example.com/oauth/linkedin/callback";

async fn token(Form(form): Form<HashMap<String, String>>) -> Response {
    match form.get("refresh_token").map(String::as_str) {
        Some("AQRdead") => return answer(linkedin::refresh_refused()),
        Some("AQRgone") => return answer(linkedin::refresh_refused_seen()),
        Some(_) => return Json(linkedin::token("AQXrenewed", None)).into_response(),
        None => {}
    }
    if form.get("code").map(String::as_str) == Some("bad") {
        return answer((
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": "invalid_request", "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired." }),
        ));
    }
    if form.get("code_verifier").is_some_and(|v| v != "verifier") {
        return answer((
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": "invalid_request", "error_description": "code verifier does not match" }),
        ));
    }
    Json(linkedin::token(
        "AQXtoken",
        Some(("AQRrefresh", 31_536_000)),
    ))
    .into_response()
}

async fn introspect(Form(form): Form<HashMap<String, String>>) -> Response {
    let status = match form.get("token").map(String::as_str) {
        Some("AQXrevoked" | "AQXdocumented") => "revoked",
        _ => "active",
    };
    Json(linkedin::introspection(status)).into_response()
}

async fn userinfo(headers: HeaderMap) -> Response {
    let unauthorized = StatusCode::UNAUTHORIZED;
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer AQXrevoked" | "Bearer AQXflaky") => answer(linkedin::error(
            unauthorized,
            65601,
            Some("REVOKED_ACCESS_TOKEN"),
            "The token used in the request has been revoked by the user",
        )),
        // The documented body: the number only.
        Some("Bearer AQXdocumented") => answer(linkedin::error(
            unauthorized,
            65601,
            None,
            "The token used in the request has been revoked by the user",
        )),
        Some("Bearer AQXinvalid") => answer(linkedin::error(
            unauthorized,
            65600,
            None,
            "Invalid access token",
        )),
        Some("Bearer AQXtoken") => {
            Json(linkedin::userinfo("782bbtaQ", "Jordan Okafor")).into_response()
        }
        _ => answer(linkedin::error(
            unauthorized,
            65602,
            Some("EXPIRED_ACCESS_TOKEN"),
            "The token used in the request has expired",
        )),
    }
}

async fn client(pkce: bool) -> Linkedin {
    let router = Router::new()
        .route("/oauth/v2/accessToken", post(token))
        .route("/oauth/v2/introspectToken", post(introspect))
        .route("/v2/userinfo", get(userinfo));
    let base = serve(router).await;
    let urls = Urls {
        oauth: format!("{base}/oauth/v2"),
        api: base.clone(),
        web: base,
        version: "202603".into(),
    };
    Linkedin::new(http_client().expect("client"), app("789", pkce), &urls).expect("client")
}

api_test!(linkedin_signs_in_with_openid_and_keeps_refresh_tokens);
async fn linkedin_signs_in_with_openid_and_keeps_refresh_tokens() {
    let li = client(false).await;
    let url = li.authorize_url("st4te", None, REDIRECT);
    assert!(
        url.contains("/oauth/v2/authorization?response_type=code&client_id=789")
            && url.contains("state=st4te")
            && url.contains("openid+profile+email+w_member_social")
            && !url.contains("code_challenge"),
        "{url}"
    );
    assert!(!li.uses_pkce(), "web apps sign in without PKCE");
    let with_pkce = client(true).await;
    assert!(with_pkce.uses_pkce());
    let url = with_pkce.authorize_url("st4te", Some("ch4llenge"), REDIRECT);
    assert!(
        url.contains("code_challenge=ch4llenge&code_challenge_method=S256"),
        "{url}"
    );
    assert!(
        with_pkce
            .exchange("good", Some("verifier"), REDIRECT)
            .await
            .is_ok()
    );
    assert!(
        with_pkce
            .exchange("good", Some("wrong"), REDIRECT)
            .await
            .is_err()
    );

    let grant_ = li.exchange("good", None, REDIRECT).await.expect("exchange");
    assert_eq!(
        grant_.refresh_token.as_ref().map(|r| r.expose()),
        Some("AQRrefresh")
    );
    // LinkedIn sends no `token_type`; the refresh token's own end is kept.
    let refresh_left = grant_.refresh_expires_at.expect("refresh end") - chrono::Utc::now();
    assert!(
        refresh_left > chrono::Duration::days(364) && refresh_left <= chrono::Duration::days(365)
    );
    assert_eq!(
        grant_.scopes,
        ["email", "openid", "profile", "w_member_social"],
        "comma-separated scopes are split"
    );
    let accounts = li.accounts(&grant_).await.expect("userinfo");
    assert_eq!(
        (
            accounts[0].external_account_id.as_str(),
            accounts[0].display_name.as_str()
        ),
        ("782bbtaQ", "Jordan Okafor")
    );
    assert!(matches!(
        li.exchange("bad", None, REDIRECT).await,
        Err(ProviderError::Failed(_))
    ));
    assert_eq!(
        li.accounts(&grant("expired", &[])).await.err(),
        Some(ProviderError::Dead(StatusReason::TokenExpired))
    );
}

api_test!(linkedin_errors_are_read_by_their_documented_numbers);
async fn linkedin_errors_are_read_by_their_documented_numbers() {
    let li = client(false).await;
    assert_eq!(li.probe(&Secret::new("AQXtoken")).await, Ok(()));
    // A reported revocation counts only when introspection confirms it, whether the
    // body carries the string code or only the documented number.
    for token in ["AQXrevoked", "AQXdocumented"] {
        assert_eq!(
            li.probe(&Secret::new(token)).await,
            Err(ProviderError::Dead(StatusReason::AccessRevoked)),
            "{token}"
        );
    }
    assert!(
        matches!(
            li.probe(&Secret::new("AQXflaky")).await,
            Err(ProviderError::Transient(_))
        ),
        "no phantom disconnect"
    );
    assert_eq!(
        li.probe(&Secret::new("AQXinvalid")).await,
        Err(ProviderError::Dead(StatusReason::TokenInvalidated))
    );
}

api_test!(linkedin_refresh_refusals_mean_a_dead_refresh_token);
async fn linkedin_refresh_refusals_mean_a_dead_refresh_token() {
    let li = client(false).await;
    let access = Secret::new("AQXtoken");
    let renewed = li
        .refresh(&access, Some(&Secret::new("AQRlive")))
        .await
        .expect("renewed");
    assert_eq!(renewed.access_token.expose(), "AQXrenewed");
    // Documented (`invalid_request`) and seen in practice (`invalid_grant`).
    for refresh in ["AQRdead", "AQRgone"] {
        assert_eq!(
            li.refresh(&access, Some(&Secret::new(refresh))).await.err(),
            Some(ProviderError::Dead(StatusReason::RefreshRevoked)),
            "{refresh}"
        );
    }
}
