//! The Instagram client (Instagram API with Instagram Login): code → short-lived →
//! 60-day token, `/{version}/me` for the account; professional accounts only, and only
//! with the permission to publish.

use axum::{
    Form, Router,
    extract::Query,
    response::{IntoResponse, Json, Response},
    routing::{get, post},
};
use socialgate::{
    domain::StatusReason,
    providers::{ConnectFailure, Provider, ProviderError, http_client, instagram::Instagram},
};
use std::collections::HashMap;

use super::{Params, answer, app, grant, serve};
use crate::{
    api_test,
    documented::{graph, instagram},
};

const BASIC: &str = "instagram_business_basic";
const PUBLISH: &str = "instagram_business_content_publish";

async fn code(Form(form): Form<HashMap<String, String>>) -> Response {
    let body = match form.get("code").map(String::as_str) {
        // As documented: wrapped in `data`, permissions comma-separated.
        Some("good") => instagram::short_lived("IGshort", 17841400000001, &[BASIC, PUBLISH], true),
        // As captured: flat, permissions as an array.
        Some("flat") => instagram::short_lived("IGshort", 17841400000001, &[BASIC, PUBLISH], false),
        Some("personal") => {
            instagram::short_lived("IGshort-personal", 17841400000002, &[BASIC, PUBLISH], true)
        }
        Some("creator") => {
            instagram::short_lived("IGshort-creator", 17841400000003, &[BASIC, PUBLISH], true)
        }
        Some("no-publish") => instagram::short_lived("IGshort", 17841400000001, &[BASIC], true),
        Some(_) => return answer(instagram::oauth_error("Invalid platform app")),
        None => return answer(instagram::oauth_error("Missing required field code")),
    };
    Json(body).into_response()
}

/// `GET /access_token?grant_type=ig_exchange_token` (documented at the host's root).
async fn long_lived(Query(q): Params) -> Response {
    let long = match q.get("access_token").map(String::as_str) {
        Some("IGshort-personal") => "IGlong-personal",
        Some("IGshort-creator") => "IGlong-creator",
        _ => "IGlong",
    };
    Json(graph::token(long, 5_183_944)).into_response()
}

async fn me(Query(q): Params) -> Response {
    let body = match q.get("access_token").map(String::as_str) {
        Some("IGlong") => instagram::me("17841400000001", "okafor.advisory", "BUSINESS"),
        Some("IGlong-personal") => instagram::me("17841400000002", "jordan.at.home", "PERSONAL"),
        // Mixed case, as some of Meta's references write it.
        Some("IGlong-creator") => {
            instagram::me("17841400000003", "okafor.creates", "Media_Creator")
        }
        _ => {
            return answer(graph::error(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ));
        }
    };
    Json(body).into_response()
}

async fn instagram() -> Instagram {
    let router = Router::new()
        .route("/oauth/access_token", post(code))
        .route("/access_token", get(long_lived))
        .route("/v25.0/me", get(me));
    let base = serve(router).await;
    Instagram {
        http: http_client().expect("client"),
        app: app("456", false),
        auth_url: "https://www.instagram.com".into(),
        api_url: base.clone(),
        graph_url: base,
        version: "v25.0".into(),
    }
}

api_test!(instagram_takes_professional_accounts_that_may_publish);
async fn instagram_takes_professional_accounts_that_may_publish() {
    let ig = instagram().await;
    let url = ig.authorize_url(
        "st4te",
        None,
        "https://sg.example.com/oauth/instagram/callback",
    );
    assert!(
        url.starts_with("https://www.instagram.com/oauth/authorize?client_id=456")
            && url.contains(PUBLISH)
            && !url.contains("code_challenge")
    );

    for code in ["good#_", "flat"] {
        let grant_ = ig
            .exchange(code, None, "https://sg.example.com/cb")
            .await
            .expect("exchange");
        assert_eq!(grant_.access_token.expose(), "IGlong");
        assert_eq!(grant_.scopes, [BASIC, PUBLISH], "{code}");
        let accounts = ig.accounts(&grant_).await.expect("accounts");
        assert_eq!(accounts[0].external_account_id, "17841400000001");
        assert_eq!(
            accounts[0].network_user_id.as_deref(),
            Some("17841400000001")
        );
        assert_eq!(accounts[0].display_name, "@okafor.advisory");
    }

    let creator = ig
        .exchange("creator", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert!(
        ig.accounts(&creator).await.is_ok(),
        "account_type is compared without case"
    );

    let personal = ig
        .exchange("personal", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert!(
        matches!(ig.accounts(&personal).await, Err(ProviderError::Refused(ConnectFailure::PersonalInstagramAccount, m)) if m.contains("personal Instagram account"))
    );
    let unticked = ig
        .exchange("no-publish", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    let refusal = ig.accounts(&unticked).await;
    assert!(
        matches!(&refusal, Err(ProviderError::Refused(ConnectFailure::PermissionDeclined, m)) if m.contains(PUBLISH)),
        "{refusal:?}"
    );
    assert_eq!(
        ig.accounts(&grant("IGgone", &[BASIC, PUBLISH])).await.err(),
        Some(ProviderError::Dead(StatusReason::TokenExpired))
    );
    // api.instagram.com's own error body keeps its words.
    assert_eq!(
        ig.exchange("unknown", None, "https://sg.example.com/cb")
            .await
            .err(),
        Some(ProviderError::Failed(
            "OAuthException: Invalid platform app".into()
        ))
    );
}
