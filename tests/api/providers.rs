//! Each network's client against a local HTTP server that answers in the network's
//! documented formats, success and error bodies alike.

use crate::api_test;

use std::collections::HashMap;

use axum::{
    Form, Json, Router,
    extract::Query,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde_json::json;
use socialgate::{
    config::Secret,
    domain::StatusReason,
    providers::{
        ConnectFailure, Grant, Provider, ProviderError, facebook::Facebook, http_client,
        instagram::Instagram, linkedin::Linkedin,
    },
};
use tokio::net::TcpListener;

type Params = Query<HashMap<String, String>>;

fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Response {
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf" });
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn fb_token(Query(q): Params) -> Response {
    if q.contains_key("fb_exchange_token") {
        return Json(
            json!({ "access_token": "EAAlong", "token_type": "bearer", "expires_in": 5_183_944 }),
        )
        .into_response();
    }
    // The exchange must carry the secret, the redirect URI and the PKCE verifier.
    if q.get("client_secret").map(String::as_str) != Some("shh")
        || !q.contains_key("redirect_uri")
        || q.get("code_verifier").map(String::as_str) != Some("verifier")
    {
        return graph_error(
            100,
            None,
            "Missing or invalid client_secret, redirect_uri or code_verifier",
        );
    }
    if q.get("code").map(String::as_str) == Some("bad") {
        return graph_error(100, Some(36007), "This authorization code has expired.");
    }
    Json(json!({ "access_token": "EAAshort", "token_type": "bearer", "expires_in": 5400 }))
        .into_response()
}

/// `debug_token`, asked with the app's own token.
async fn fb_debug(Query(q): Params) -> Response {
    if q.get("access_token").map(String::as_str) != Some("123|shh") {
        return graph_error(190, None, "Invalid OAuth access token signature.");
    }
    assert_eq!(q.get("input_token").map(String::as_str), Some("EAAlong"));
    Json(json!({ "data": { "app_id": "123", "type": "USER", "is_valid": true, "expires_at": 0, "data_access_expires_at": 1_900_000_000 } }))
        .into_response()
}

async fn fb_permissions() -> Response {
    Json(json!({ "data": [
        { "permission": "pages_show_list", "status": "granted" },
        { "permission": "pages_manage_posts", "status": "granted" },
        { "permission": "pages_read_engagement", "status": "declined" },
    ] }))
    .into_response()
}

async fn fb_accounts(Query(q): Params) -> Response {
    match q.get("access_token").map(String::as_str) {
        Some("EAAlong") => Json(json!({ "data": [
            { "id": "1111", "name": "Okafor Advisory", "access_token": "EAApage1", "category": "Financial Service",
              "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"] },
            { "id": "2222", "name": "Okafor Fan Club", "access_token": "EAApage2", "category": "Community",
              "tasks": ["ANALYZE"] },
        ], "paging": { "cursors": { "before": "MTEx", "after": "MjIy" } } }))
        .into_response(),
        Some("EAAnopages") => Json(json!({ "data": [] })).into_response(),
        // Two pages of Pages: the first says there is a next one (its `next` URL points
        // elsewhere on purpose: the client must follow the cursor, not the URL).
        Some("EAAmany") => match q.get("after").map(String::as_str) {
            None => Json(json!({ "data": [
                { "id": "3331", "name": "First Page", "access_token": "EAAp31", "tasks": ["CREATE_CONTENT"] },
            ], "paging": { "cursors": { "before": "a", "after": "second" },
                           "next": "http://127.0.0.1:9/v25.0/me/accounts?after=second" } }))
            .into_response(),
            Some("second") => Json(json!({ "data": [
                { "id": "3332", "name": "Second Page", "access_token": "EAAp32", "tasks": ["MANAGE"] },
            ], "paging": { "cursors": { "before": "second", "after": "end" } } }))
            .into_response(),
            Some(_) => graph_error(100, None, "Invalid cursor"),
        },
        Some("EAApwd") => graph_error(190, Some(460), "Error validating access token: The session has been invalidated because the user changed their password."),
        Some("EAAthrottled") => graph_error(613, None, "Calls to this api have exceeded the rate limit."),
        Some("EAAredirect") => Redirect::to("http://127.0.0.1:9/elsewhere").into_response(),
        _ => graph_error(190, None, "Invalid OAuth access token."),
    }
}

async fn ig_code(Form(form): Form<HashMap<String, String>>) -> Response {
    match form.get("code").map(String::as_str) {
        Some("personal") => Json(json!({ "access_token": "IGshort-personal", "user_id": 17841400000002_u64, "permissions": "instagram_business_basic" })).into_response(),
        Some(_) => Json(json!({ "access_token": "IGshort", "user_id": 17841400000001_u64, "permissions": ["instagram_business_basic", "instagram_business_content_publish"] })).into_response(),
        None => (StatusCode::BAD_REQUEST, Json(json!({ "error_type": "OAuthException", "code": 400, "error_message": "Missing required field code" }))).into_response(),
    }
}

async fn ig_long(Query(q): Params) -> Response {
    let long = match q.get("access_token").map(String::as_str) {
        Some("IGshort-personal") => "IGlong-personal",
        _ => "IGlong",
    };
    Json(json!({ "access_token": long, "token_type": "bearer", "expires_in": 5_183_944 }))
        .into_response()
}

async fn ig_me(Query(q): Params) -> Response {
    match q.get("access_token").map(String::as_str) {
        Some("IGlong") => Json(json!({ "user_id": "17841400000001", "username": "okafor.advisory", "account_type": "BUSINESS", "id": "17841400000001" })).into_response(),
        Some("IGlong-personal") => Json(json!({ "user_id": "17841400000002", "username": "jordan.at.home", "account_type": "PERSONAL", "id": "17841400000002" })).into_response(),
        _ => graph_error(190, Some(463), "Error validating access token: Session has expired."),
    }
}

async fn li_token(Form(form): Form<HashMap<String, String>>) -> Response {
    if form.get("code").map(String::as_str) == Some("bad") {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant", "error_description": "The authorization code has expired" }))).into_response();
    }
    Json(json!({
        "access_token": "AQXtoken", "expires_in": 5_183_999,
        "refresh_token": "AQRrefresh", "refresh_token_expires_in": 31_536_000,
        "scope": "email,openid,profile,w_member_social",
    }))
    .into_response()
}

async fn li_introspect(Form(form): Form<HashMap<String, String>>) -> Response {
    match form.get("token").map(String::as_str) {
        Some("AQXrevoked") => Json(json!({ "active": false, "status": "revoked" })).into_response(),
        _ => Json(json!({ "active": true, "status": "active", "scope": "email,openid,profile,w_member_social", "expires_at": 1_900_000_000 })).into_response(),
    }
}

async fn li_userinfo(headers: HeaderMap) -> Response {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer AQXrevoked" | "Bearer AQXflaky") => (StatusCode::UNAUTHORIZED, Json(json!({ "status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "The token used in the request has been revoked by the user" }))).into_response(),
        Some("Bearer AQXtoken") => Json(json!({ "sub": "782bbtaQ", "name": "Jordan Okafor", "given_name": "Jordan", "family_name": "Okafor", "email": "jordan@example.com", "email_verified": true })).into_response(),
        _ => (StatusCode::UNAUTHORIZED, Json(json!({ "status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired" }))).into_response(),
    }
}

/// `/me` with a user token: the person's app-scoped id. Tokens the Page list refuses
/// are refused here the same way.
async fn fb_me(Query(q): Params) -> Response {
    match q.get("access_token").map(String::as_str) {
        Some("EAAlong" | "EAAmany" | "EAAnopages") => {
            Json(json!({ "id": "10158000000001", "name": "Jordan Okafor" })).into_response()
        }
        _ => fb_accounts(Query(q)).await,
    }
}

/// Serves the fixtures on a loopback port; returns the base URL.
async fn fixtures() -> String {
    let router = Router::new()
        .route("/v25.0/oauth/access_token", get(fb_token))
        .route("/v25.0/me/permissions", get(fb_permissions))
        .route("/v25.0/debug_token", get(fb_debug))
        .route("/v25.0/me/accounts", get(fb_accounts))
        .route("/v25.0/me", get(fb_me))
        .route("/oauth/access_token", post(ig_code))
        .route("/access_token", get(ig_long))
        .route("/me", get(ig_me))
        .route("/oauth/v2/accessToken", post(li_token))
        .route("/v2/userinfo", get(li_userinfo))
        .route("/oauth/v2/introspectToken", post(li_introspect));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

fn grant(token: &str) -> Grant {
    Grant {
        access_token: Secret::new(token),
        refresh_token: None,
        expires_at: None,
        refresh_expires_at: None,
        data_access_expires_at: None,
        scopes: vec!["pages_show_list".into()],
    }
}

api_test!(facebook_exchanges_long_lived_and_lists_postable_pages);
async fn facebook_exchanges_long_lived_and_lists_postable_pages() {
    let base = fixtures().await;
    let fb = Facebook {
        http: http_client().expect("client"),
        app_id: "123".into(),
        app_secret: Secret::new("shh"),
        dialog_url: "https://www.facebook.com".into(),
        graph_url: base,
        version: "v25.0".into(),
    };
    let url = fb.authorize_url(
        "st4te",
        Some("ch4llenge"),
        "https://sg.example.com/oauth/facebook/callback",
    );
    assert!(
        url.starts_with("https://www.facebook.com/v25.0/dialog/oauth?client_id=123"),
        "{url}"
    );
    assert!(
        url.contains("state=st4te")
            && url.contains("code_challenge=ch4llenge")
            && url.contains("pages_manage_posts")
    );

    let grant_ = fb
        .exchange("good", Some("verifier"), "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert_eq!(
        grant_.access_token.expose(),
        "EAAlong",
        "the long-lived token is kept"
    );
    assert!(grant_.expires_at.is_some());
    assert_eq!(
        grant_.data_access_expires_at.map(|at| at.timestamp()),
        Some(1_900_000_000),
        "data access ends when debug_token says"
    );
    assert_eq!(
        grant_.scopes,
        ["pages_show_list", "pages_manage_posts"],
        "declined permissions are not granted"
    );

    let pages = fb.accounts(&grant_).await.expect("pages");
    assert_eq!(
        pages.len(),
        1,
        "the Page without CREATE_CONTENT or MANAGE is left out"
    );
    assert_eq!(pages[0].external_account_id, "1111");
    assert_eq!(
        pages[0].grant.access_token.expose(),
        "EAApage1",
        "the Page token acts for the Page"
    );
    assert!(pages[0].permissions.contains(&"MANAGE".to_owned()));
    assert_eq!(
        pages[0].grant.data_access_expires_at, grant_.data_access_expires_at,
        "a Page's data access ends with its person's"
    );
    assert_eq!(
        pages[0].network_user_id.as_deref(),
        Some("10158000000001"),
        "the person who signed in is known by their app-scoped id"
    );

    // More Pages than one answer holds: every page of them is read.
    let many = fb.accounts(&grant("EAAmany")).await.expect("pages");
    let ids: Vec<&str> = many
        .iter()
        .map(|p| p.external_account_id.as_str())
        .collect();
    assert_eq!(ids, ["3331", "3332"]);

    assert!(matches!(
        fb.exchange("bad", None, "https://sg.example.com/cb").await,
        Err(ProviderError::Failed(_))
    ));
    assert!(
        matches!(fb.accounts(&grant("EAAnopages")).await, Err(ProviderError::Refused(ConnectFailure::PersonalProfile, m)) if m.contains("Personal profiles cannot be connected"))
    );
    assert_eq!(
        fb.accounts(&grant("EAApwd")).await.err(),
        Some(ProviderError::Dead(StatusReason::PasswordChanged))
    );
    assert!(matches!(
        fb.accounts(&grant("EAAthrottled")).await,
        Err(ProviderError::RateLimited(..))
    ));
    assert_eq!(
        fb.accounts(&grant("EAAunknown")).await.err(),
        Some(ProviderError::Dead(StatusReason::AccessRevoked))
    );
    assert!(
        matches!(
            fb.accounts(&grant("EAAredirect")).await,
            Err(ProviderError::Failed(_))
        ),
        "redirects are not followed"
    );
}

api_test!(instagram_takes_professional_accounts_only);
async fn instagram_takes_professional_accounts_only() {
    let base = fixtures().await;
    let ig = Instagram {
        http: http_client().expect("client"),
        app_id: "456".into(),
        app_secret: Secret::new("shh"),
        auth_url: "https://www.instagram.com".into(),
        api_url: base.clone(),
        graph_url: base,
    };
    let url = ig.authorize_url(
        "st4te",
        None,
        "https://sg.example.com/oauth/instagram/callback",
    );
    assert!(
        url.starts_with("https://www.instagram.com/oauth/authorize?client_id=456")
            && url.contains("instagram_business_content_publish")
    );

    let grant_ = ig
        .exchange("good#_", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert_eq!(grant_.access_token.expose(), "IGlong");
    let accounts = ig.accounts(&grant_).await.expect("accounts");
    assert_eq!(accounts[0].external_account_id, "17841400000001");
    assert_eq!(
        accounts[0].network_user_id.as_deref(),
        Some("17841400000001")
    );
    assert_eq!(accounts[0].display_name, "@okafor.advisory");
    assert_eq!(
        accounts[0].permissions,
        [
            "instagram_business_basic",
            "instagram_business_content_publish"
        ]
    );

    let personal = ig
        .exchange("personal", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert!(
        matches!(ig.accounts(&personal).await, Err(ProviderError::Refused(ConnectFailure::PersonalInstagramAccount, m)) if m.contains("personal Instagram account"))
    );
    assert_eq!(
        ig.accounts(&grant("IGgone")).await.err(),
        Some(ProviderError::Dead(StatusReason::TokenExpired))
    );
}

api_test!(linkedin_signs_in_with_openid_and_keeps_refresh_tokens);
async fn linkedin_signs_in_with_openid_and_keeps_refresh_tokens() {
    let base = fixtures().await;
    let li = Linkedin::new(
        http_client().expect("client"),
        "789".into(),
        Secret::new("shh"),
        &format!("{base}/oauth/v2"),
        &base,
    )
    .expect("client");
    let url = li.authorize_url(
        "st4te",
        None,
        "https://sg.example.com/oauth/linkedin/callback",
    );
    assert!(
        url.contains("/oauth/v2/authorization?response_type=code&client_id=789")
            && url.contains("state=st4te"),
        "{url}"
    );
    assert!(
        url.contains("openid+profile+email+w_member_social"),
        "{url}"
    );

    let grant_ = li
        .exchange(
            "good",
            None,
            "https://sg.example.com/oauth/linkedin/callback",
        )
        .await
        .expect("exchange");
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
        li.exchange(
            "bad",
            None,
            "https://sg.example.com/oauth/linkedin/callback"
        )
        .await,
        Err(ProviderError::Failed(_))
    ));
    assert_eq!(
        li.accounts(&grant("expired")).await.err(),
        Some(ProviderError::Dead(StatusReason::TokenExpired))
    );

    // A reported revocation counts only when introspection confirms it.
    assert_eq!(li.probe(&Secret::new("AQXtoken")).await, Ok(()));
    assert_eq!(
        li.probe(&Secret::new("AQXrevoked")).await,
        Err(ProviderError::Dead(StatusReason::AccessRevoked))
    );
    assert!(
        matches!(
            li.probe(&Secret::new("AQXflaky")).await,
            Err(ProviderError::Transient(_))
        ),
        "no phantom disconnect"
    );
}
