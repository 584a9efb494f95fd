//! The Facebook client: code → long-lived token → Pages, direct and through Business
//! Managers; refusals in Meta's words; `appsecret_proof` on every Graph call.

use axum::{
    Router,
    extract::Query,
    response::{IntoResponse, Json, Redirect, Response},
    routing::get,
};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use socialgate::{
    config::Secret,
    domain::StatusReason,
    providers::{ConnectFailure, Provider, ProviderError, facebook::Facebook, http_client},
};

use super::{Params, answer, app, grant, ids, serve};
use crate::{api_test, documented::graph};

/// The app secret the fixture's app has ("Require App Secret" is on).
const SECRET: &str = "shh";

/// Graph's refusal when a token-carrying call lacks the right `appsecret_proof`,
/// computed here on its own (HMAC-SHA256 of the token with the app secret, hex).
fn proof_refused(q: &std::collections::HashMap<String, String>) -> Option<Response> {
    let token = q.get("access_token")?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(token.as_bytes());
    let want = hex::encode(mac.finalize().into_bytes());
    match q.get("appsecret_proof") {
        Some(proof) if *proof == want => None,
        given => Some(answer(graph::proof_refused(given.is_some()))),
    }
}

async fn token(Query(q): Params) -> Response {
    if q.contains_key("fb_exchange_token") {
        return Json(graph::token("EAAlong", 5_183_944)).into_response();
    }
    // The exchange carries the secret and the redirect URI, and the verifier only
    // when the sign-in sent a challenge.
    if q.get("client_secret").map(String::as_str) != Some(SECRET)
        || !q.contains_key("redirect_uri")
        || q.get("code_verifier").is_some_and(|v| v != "verifier")
    {
        return answer(graph::error(
            100,
            None,
            "Missing or invalid client_secret, redirect_uri or code_verifier",
        ));
    }
    if q.get("code").map(String::as_str) == Some("bad") {
        return answer(graph::error(
            100,
            Some(36007),
            "This authorization code has expired.",
        ));
    }
    Json(graph::token("EAAshort", 5400)).into_response()
}

async fn permissions(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    Json(graph::permissions(
        &[
            "pages_show_list",
            "pages_manage_posts",
            "pages_manage_metadata",
            "business_management",
        ],
        &["pages_read_engagement"],
    ))
    .into_response()
}

async fn accounts(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    let all = [
        "ANALYZE",
        "ADVERTISE",
        "MODERATE",
        "CREATE_CONTENT",
        "MANAGE",
    ];
    let body = match q.get("access_token").map(String::as_str) {
        Some("EAAlong" | "EAAdirect") => graph::edge(
            vec![
                graph::account("1111", "Okafor Advisory", "EAApage1", &all),
                graph::account("2222", "Okafor Fan Club", "EAApage2", &["ANALYZE"]),
            ],
            "MjIy",
            None,
        ),
        Some("EAAnopages" | "EAAfirm") => json!({ "data": [] }),
        // Two pages of Pages: the first's `next` URL points elsewhere on purpose (the
        // client must follow the cursor, not the URL).
        Some("EAAmany") => match q.get("after").map(String::as_str) {
            None => graph::edge(
                vec![graph::account(
                    "3331",
                    "First Page",
                    "EAAp31",
                    &["CREATE_CONTENT"],
                )],
                "second",
                Some("http://127.0.0.1:9/v25.0/me/accounts?after=second"),
            ),
            Some("second") => graph::edge(
                vec![graph::account("3332", "Second Page", "EAAp32", &["MANAGE"])],
                "end",
                None,
            ),
            Some(_) => return answer(graph::error(100, None, "Invalid cursor")),
        },
        Some("EAApwd") => {
            return answer(graph::error(
                190,
                Some(460),
                "Error validating access token: The session has been invalidated because the user changed their password.",
            ));
        }
        Some("EAAthrottled") => {
            return answer(graph::error(
                613,
                None,
                "Calls to this api have exceeded the rate limit.",
            ));
        }
        Some("EAAredirect") => return Redirect::to("http://127.0.0.1:9/elsewhere").into_response(),
        _ => return answer(graph::error(190, None, "Invalid OAuth access token.")),
    };
    Json(body).into_response()
}

/// `/me/businesses`, "User Businesses":
/// <https://developers.facebook.com/docs/graph-api/reference/user/businesses/>.
async fn businesses(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    match q.get("access_token").map(String::as_str) {
        Some("EAAlong" | "EAAfirm") => Json(graph::edge(
            vec![json!({ "id": "5550001", "name": "Okafor Wealth LLC" })],
            "NTU1",
            None,
        ))
        .into_response(),
        Some("EAAnopages" | "EAAmany") => Json(json!({ "data": [] })).into_response(),
        // Asked without `business_management`, as Graph answers it.
        _ => answer(graph::error(
            200,
            None,
            "(#200) Requires business_management permission to manage the object",
        )),
    }
}

async fn owned_pages(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    Json(graph::edge(
        vec![
            graph::business_page("4441", "Okafor Wealth", Some("EAApage41")),
            // Also a direct Page of the person: listed once.
            graph::business_page("1111", "Okafor Advisory", Some("EAApage11")),
        ],
        "NDQ0",
        None,
    ))
    .into_response()
}

async fn client_pages(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    // For one person the client business's Pages are off limits: a permission error
    // on this edge must hide only them.
    if q.get("access_token").map(String::as_str) == Some("EAAfirm") {
        return answer(graph::error(
            200,
            None,
            "(#200) Requires business_management permission to manage the object",
        ));
    }
    // A client's Page the person has no task on: Graph gives no token for it.
    Json(graph::edge(
        vec![graph::business_page("4442", "A Client's Page", None)],
        "NDQ0",
        None,
    ))
    .into_response()
}

/// `/me`: the person's app-scoped id; with a Page token, the Page. Tokens the Page
/// list refuses are refused here the same way.
async fn me(Query(q): Params) -> Response {
    if let Some(refused) = proof_refused(&q) {
        return refused;
    }
    match q.get("access_token").map(String::as_str) {
        Some("EAAlong" | "EAAmany" | "EAAnopages" | "EAAfirm" | "EAAdirect") => {
            Json(json!({ "id": "10158000000001", "name": "Jordan Okafor" })).into_response()
        }
        Some("EAApage1") => {
            Json(json!({ "id": "1111", "name": "Okafor Advisory" })).into_response()
        }
        _ => accounts(Query(q)).await,
    }
}

async fn facebook(secret: &str) -> Facebook {
    let router = Router::new()
        .route("/v25.0/oauth/access_token", get(token))
        .route("/v25.0/me/permissions", get(permissions))
        .route("/v25.0/me/accounts", get(accounts))
        .route("/v25.0/me/businesses", get(businesses))
        .route("/v25.0/5550001/owned_pages", get(owned_pages))
        .route("/v25.0/5550001/client_pages", get(client_pages))
        .route("/v25.0/me", get(me));
    Facebook {
        http: http_client().expect("client"),
        app: socialgate::providers::AppCredentials {
            secret: Secret::new(secret),
            ..app("123", false)
        },
        dialog_url: "https://www.facebook.com".into(),
        graph_url: serve(router).await,
        version: "v25.0".into(),
    }
}

/// Every scope the fixture grants to `EAAlong`.
const GRANTED: [&str; 4] = [
    "pages_show_list",
    "pages_manage_posts",
    "pages_manage_metadata",
    "business_management",
];

api_test!(facebook_signs_in_without_pkce_and_keeps_granted_permissions);
async fn facebook_signs_in_without_pkce_and_keeps_granted_permissions() {
    let mut fb = facebook(SECRET).await;
    let url = fb.authorize_url("st4te", None, "https://sg.example.com/cb");
    assert!(
        url.starts_with("https://www.facebook.com/v25.0/dialog/oauth?client_id=123"),
        "{url}"
    );
    assert!(url.contains("state=st4te") && url.contains("business_management"));
    assert!(!url.contains("code_challenge"), "no PKCE by default: {url}");
    assert!(!fb.uses_pkce());
    fb.app.pkce = true;
    assert!(fb.uses_pkce(), "PKCE is a setting");
    let url = fb.authorize_url("st4te", Some("ch4llenge"), "https://sg.example.com/cb");
    assert!(url.contains("code_challenge=ch4llenge&code_challenge_method=S256"));

    let grant_ = fb
        .exchange("good", None, "https://sg.example.com/cb")
        .await
        .expect("exchange");
    assert_eq!(
        grant_.access_token.expose(),
        "EAAlong",
        "the long-lived token"
    );
    assert!(grant_.expires_at.is_some());
    assert_eq!(
        grant_.scopes, GRANTED,
        "declined permissions are not granted"
    );
    assert!(
        fb.exchange("good", Some("verifier"), "https://sg.example.com/cb")
            .await
            .is_ok(),
        "a verifier travels when PKCE is on"
    );
    assert!(matches!(
        fb.exchange("bad", None, "https://sg.example.com/cb").await,
        Err(ProviderError::Failed(_))
    ));
}

api_test!(facebook_lists_direct_and_business_manager_pages_once);
async fn facebook_lists_direct_and_business_manager_pages_once() {
    let fb = facebook(SECRET).await;
    let pages = fb
        .accounts(&grant("EAAlong", &GRANTED))
        .await
        .expect("pages");
    assert_eq!(
        ids(&pages),
        ["1111", "4441"],
        "no posting task (2222) and no token (4442) are left out; 1111 is listed once"
    );
    assert_eq!(
        pages[0].grant.access_token.expose(),
        "EAApage1",
        "the direct Page's token"
    );
    assert!(pages[0].permissions.contains(&"MANAGE".to_owned()));
    assert_eq!(pages[1].grant.access_token.expose(), "EAApage41");
    for page in &pages {
        assert_eq!(page.grant.expires_at, None, "a Page token has no expiry");
        assert_eq!(page.network_user_id.as_deref(), Some("10158000000001"));
    }

    // A person with no direct role reaches the firm's Pages through its Business
    // Manager (its client Pages, refused to them, are simply left out).
    let firm = fb
        .accounts(&grant("EAAfirm", &GRANTED))
        .await
        .expect("pages");
    assert_eq!(ids(&firm), ["4441", "1111"]);
    assert_eq!(firm[1].grant.access_token.expose(), "EAApage11");

    // Without `business_management` no Business Manager is asked (the fixture would
    // answer #200, a permission error).
    let direct = fb
        .accounts(&grant(
            "EAAdirect",
            &["pages_show_list", "pages_manage_posts"],
        ))
        .await
        .expect("pages");
    assert_eq!(ids(&direct), ["1111"]);

    // More Pages than one answer holds: every page of them is read.
    let many = fb
        .accounts(&grant("EAAmany", &GRANTED))
        .await
        .expect("pages");
    assert_eq!(ids(&many), ["3331", "3332"]);
}

api_test!(facebook_refusals_say_what_to_do_in_metas_words);
async fn facebook_refusals_say_what_to_do_in_metas_words() {
    let fb = facebook(SECRET).await;
    let refusal = fb
        .accounts(&grant(
            "EAAlong",
            &["pages_show_list", "business_management"],
        ))
        .await;
    assert!(
        matches!(&refusal, Err(ProviderError::Refused(ConnectFailure::PermissionDeclined, m)) if m.contains("(pages_manage_posts)")),
        "{refusal:?}"
    );
    let refusal = fb.accounts(&grant("EAAnopages", &GRANTED)).await;
    assert!(
        matches!(&refusal, Err(ProviderError::Refused(ConnectFailure::PersonalProfile, m))
            if m.contains("personal profile") && m.contains("Page picker")),
        "{refusal:?}"
    );
    assert_eq!(
        fb.accounts(&grant("EAApwd", &GRANTED)).await.err(),
        Some(ProviderError::Dead(StatusReason::PasswordChanged))
    );
    assert!(matches!(
        fb.accounts(&grant("EAAthrottled", &GRANTED)).await,
        Err(ProviderError::RateLimited(..))
    ));
    assert_eq!(
        fb.accounts(&grant("EAAunknown", &GRANTED)).await.err(),
        Some(ProviderError::Dead(StatusReason::AccessRevoked))
    );
    assert!(
        matches!(
            fb.accounts(&grant("EAAredirect", &GRANTED)).await,
            Err(ProviderError::Failed(_))
        ),
        "redirects are not followed"
    );
}

api_test!(facebook_sends_the_appsecret_proof_with_every_graph_call);
async fn facebook_sends_the_appsecret_proof_with_every_graph_call() {
    let fb = facebook(SECRET).await;
    assert_eq!(fb.probe(&Secret::new("EAApage1")).await, Ok(()));
    // A client whose proof does not match (another secret) is refused by Graph, and a
    // refusal of the request is no verdict on the token.
    let other = facebook("not-the-secret").await;
    let refused = other.probe(&Secret::new("EAApage1")).await;
    assert!(
        matches!(&refused, Err(ProviderError::Failed(m)) if m.contains("appsecret_proof")),
        "{refused:?}"
    );
}
