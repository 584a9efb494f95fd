//! Each client publishing against a local server that answers as the network documents
//! it: the request each network asks for (headers, fields, the Page token's proof), its
//! answer read (the URN header, a photo's post, a container's status, the permalink),
//! and each refusal mapped: a duplicate, a dead token, a throttle with its wait, an
//! outage, a timeout, a used-up Instagram quota.

use std::{collections::HashMap, time::Duration};

use axum::{
    Form, Json, Router,
    extract::{Path, Query},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::Value;
use socialgate::{
    config::Secret,
    domain::StatusReason,
    providers::{
        Provider, ProviderError,
        facebook::Facebook,
        instagram::Instagram,
        linkedin::{Linkedin, Urls},
        publishing::Outgoing,
    },
};

use super::{answer, app, serve};
use crate::{
    api_test,
    documented::{graph, linkedin, publishing as documented},
};

type FormMap = Form<HashMap<String, String>>;

/// A client that gives up after 300 ms, so a hanging network is quick to test.
fn impatient() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client")
}

fn outgoing<'a>(
    account: &'a str,
    text: &'a str,
    link: Option<&'a str>,
    images: &'a [String],
) -> Outgoing<'a> {
    Outgoing {
        account,
        text,
        link,
        image_urls: images,
    }
}

async fn linkedin_posts(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let versioned = headers
        .get("linkedin-version")
        .is_some_and(|v| v == "202603")
        && headers
            .get("x-restli-protocol-version")
            .is_some_and(|v| v == "2.0.0");
    if !versioned
        || body["author"] != "urn:li:person:782bbtaQ"
        || body["lifecycleState"] != "PUBLISHED"
    {
        return answer(linkedin::error(
            StatusCode::BAD_REQUEST,
            100,
            None,
            "bad request",
        ));
    }
    match body["commentary"].as_str() {
        Some("dup") => answer(documented::linkedin_duplicate(
            "urn:li:share:7141138937766391808",
        )),
        Some("expired") => answer(linkedin::error(
            StatusCode::UNAUTHORIZED,
            65602,
            Some("EXPIRED_ACCESS_TOKEN"),
            "The token used in the request has expired",
        )),
        Some("busy") => {
            let (status, body) = linkedin::error(
                StatusCode::TOO_MANY_REQUESTS,
                0,
                None,
                "Resource level throttle limit for calls to this resource is reached.",
            );
            (status, [("retry-after", "30")], Json(body)).into_response()
        }
        Some("down") => answer(linkedin::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            0,
            None,
            "Internal Server Error",
        )),
        Some("slow") => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            StatusCode::CREATED.into_response()
        }
        _ if body["content"]["article"]["source"] == "https://example.com/outlook" => (
            StatusCode::CREATED,
            [("x-restli-id", "urn:li:share:6844785523593134080")],
        )
            .into_response(),
        _ => answer(linkedin::error(
            StatusCode::BAD_REQUEST,
            100,
            None,
            "no article",
        )),
    }
}

api_test!(linkedin_publishes_through_the_posts_api_and_maps_each_refusal);
async fn linkedin_publishes_through_the_posts_api_and_maps_each_refusal() {
    let base = serve(Router::new().route("/rest/posts", post(linkedin_posts))).await;
    let urls = Urls {
        oauth: format!("{base}/oauth/v2"),
        api: base.clone(),
        web: "https://www.linkedin.com".into(),
        version: "202603".into(),
    };
    let client = Linkedin::new(impatient(), app("789", false), &urls).expect("client");
    let token = Secret::new("AQXtoken");
    let sent = client
        .publish(
            &token,
            &outgoing(
                "782bbtaQ",
                "Our outlook",
                Some("https://example.com/outlook"),
                &[],
            ),
        )
        .await
        .expect("published");
    assert_eq!(sent.network_post_id, "urn:li:share:6844785523593134080");
    assert_eq!(
        sent.permalink.as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080/")
    );
    let refusal = |text: &'static str| {
        let (client, token) = (&client, &token);
        async move {
            client
                .publish(token, &outgoing("782bbtaQ", text, None, &[]))
                .await
                .expect_err(text)
        }
    };
    assert_eq!(
        refusal("dup").await,
        ProviderError::Duplicate(
            "LinkedIn already has this post (urn:li:share:7141138937766391808)".into()
        )
    );
    assert_eq!(
        refusal("expired").await,
        ProviderError::Dead(StatusReason::TokenExpired)
    );
    assert!(
        matches!(refusal("busy").await, ProviderError::RateLimited(_, Some(wait)) if wait == Duration::from_secs(30))
    );
    assert!(matches!(refusal("down").await, ProviderError::Transient(_)));
    assert!(
        matches!(refusal("slow").await, ProviderError::Transient(why) if why.contains("timed out"))
    );
}

async fn page_feed(Path(page): Path<String>, Form(form): FormMap) -> Response {
    if !form.contains_key("appsecret_proof")
        || form.get("access_token").map(String::as_str) != Some("EAApage")
    {
        return answer(graph::proof_refused(false));
    }
    match form.get("message").map(String::as_str) {
        Some("dup") => answer(documented::duplicate_status()),
        Some("gone") => answer(graph::error(
            190,
            Some(460),
            "Error validating access token: The session has been invalidated because the user changed their password.",
        )),
        _ if form.contains_key("attached_media[1]") => {
            Json(documented::page_post(&format!("{page}_2002"))).into_response()
        }
        _ if form.get("link").map(String::as_str) == Some("https://example.com/outlook") => {
            Json(documented::page_post(&format!("{page}_2001"))).into_response()
        }
        _ => answer(graph::error(100, None, "Invalid parameter")),
    }
}

async fn page_photos(Path(page): Path<String>, Form(form): FormMap) -> Response {
    match (
        form.get("published").map(String::as_str),
        form.get("caption"),
    ) {
        (Some("false"), None) => {
            Json(documented::created(&format!("photo-{}", form["url"].len()))).into_response()
        }
        (None, Some(_)) => Json(documented::photo("3001", &format!("{page}_3002"))).into_response(),
        _ => answer(graph::error(100, None, "Invalid parameter")),
    }
}

async fn page_object(Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("fields").map(String::as_str) {
        Some("permalink_url") => Json(documented::permalink_url(
            &id,
            &format!("https://www.facebook.com/{id}"),
        ))
        .into_response(),
        _ => answer(graph::error(100, None, "Unknown fields")),
    }
}

api_test!(a_page_publishes_text_photos_and_albums_and_maps_refusals);
async fn a_page_publishes_text_photos_and_albums_and_maps_refusals() {
    let router = Router::new()
        .route("/v25.0/{page}/feed", post(page_feed))
        .route("/v25.0/{page}/photos", post(page_photos))
        .route("/v25.0/{id}", get(page_object));
    let client = Facebook {
        http: impatient(),
        app: app("123", false),
        dialog_url: "https://www.facebook.com".into(),
        graph_url: serve(router).await,
        version: "v25.0".into(),
    };
    let token = Secret::new("EAApage");
    let page = "100000000000003";
    let text = client
        .publish(
            &token,
            &outgoing(page, "Outlook", Some("https://example.com/outlook"), &[]),
        )
        .await
        .expect("text");
    assert_eq!(text.network_post_id, format!("{page}_2001"));
    assert_eq!(
        text.permalink,
        Some(format!("https://www.facebook.com/{page}_2001"))
    );
    let one = vec!["https://cdn.example.com/a.jpg".to_owned()];
    let photo = client
        .publish(&token, &outgoing(page, "Chart", None, &one))
        .await
        .expect("photo");
    assert_eq!(
        photo.network_post_id,
        format!("{page}_3002"),
        "the feed post, not the photo"
    );
    let two = vec![
        "https://cdn.example.com/a.jpg".to_owned(),
        "https://cdn.example.com/bb.jpg".to_owned(),
    ];
    let album = client
        .publish(&token, &outgoing(page, "Charts", None, &two))
        .await
        .expect("album");
    assert_eq!(album.network_post_id, format!("{page}_2002"));
    let dup = client
        .publish(&token, &outgoing(page, "dup", None, &[]))
        .await
        .expect_err("dup");
    assert!(
        matches!(dup, ProviderError::Duplicate(ref why) if why.contains("Duplicate status message")),
        "{dup:?}"
    );
    let gone = client
        .publish(&token, &outgoing(page, "gone", None, &[]))
        .await
        .expect_err("gone");
    assert_eq!(gone, ProviderError::Dead(StatusReason::PasswordChanged));
}

async fn ig_quota(Path(account): Path<String>) -> Response {
    let used = if account == "full" { 50 } else { 3 };
    Json(documented::quota(used, 50)).into_response()
}

async fn ig_media(Form(form): FormMap) -> Response {
    match (
        form.get("image_url"),
        form.get("caption").map(String::as_str),
    ) {
        (Some(_), Some("broken")) => Json(documented::created("c-err")).into_response(),
        (Some(_), Some(_)) => Json(documented::created("c-1")).into_response(),
        _ => answer(graph::error(
            100,
            None,
            "The parameter image_url is required",
        )),
    }
}

async fn ig_object(Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    match (q.get("fields").map(String::as_str), id.as_str()) {
        (Some("status_code"), "c-err") => Json(documented::container(&id, "ERROR")).into_response(),
        (Some("status_code"), _) => Json(documented::container(&id, "FINISHED")).into_response(),
        (Some("permalink"), _) => Json(documented::permalink(
            &id,
            "https://www.instagram.com/p/DAbc123/",
        ))
        .into_response(),
        _ => answer(graph::error(100, None, "Unknown fields")),
    }
}

async fn ig_publish(Path(account): Path<String>, Form(form): FormMap) -> Response {
    match (
        account.as_str(),
        form.get("creation_id").map(String::as_str),
    ) {
        ("limited", _) => answer(documented::quota_reached()),
        (_, Some("c-1")) => Json(documented::created("17920238422030506")).into_response(),
        _ => answer(graph::error(100, Some(33), "Unsupported post request.")),
    }
}

api_test!(instagram_reads_its_quota_then_publishes_a_container);
async fn instagram_reads_its_quota_then_publishes_a_container() {
    let router = Router::new()
        .route("/v25.0/{account}/content_publishing_limit", get(ig_quota))
        .route("/v25.0/{account}/media", post(ig_media))
        .route("/v25.0/{account}/media_publish", post(ig_publish))
        .route("/v25.0/{id}", get(ig_object));
    let base = serve(router).await;
    let client = Instagram {
        http: impatient(),
        app: app("456", false),
        auth_url: "https://www.instagram.com".into(),
        api_url: base.clone(),
        graph_url: base,
        version: "v25.0".into(),
    };
    let token = Secret::new("IGlong");
    let image = vec!["https://cdn.example.com/chart.jpg".to_owned()];
    let sent = client
        .publish(
            &token,
            &outgoing("17841400000001", "Chart of the week", None, &image),
        )
        .await
        .expect("published");
    assert_eq!(sent.network_post_id, "17920238422030506");
    assert_eq!(
        sent.permalink.as_deref(),
        Some("https://www.instagram.com/p/DAbc123/")
    );
    let full = client
        .publish(&token, &outgoing("full", "Chart", None, &image))
        .await
        .expect_err("full");
    assert!(
        matches!(full, ProviderError::RateLimited(_, Some(wait)) if wait >= Duration::from_secs(3600)),
        "{full:?}"
    );
    let limited = client
        .publish(&token, &outgoing("limited", "Chart", None, &image))
        .await
        .expect_err("limited");
    assert!(
        matches!(limited, ProviderError::RateLimited(..)),
        "{limited:?}"
    );
    let broken = client
        .publish(&token, &outgoing("17841400000001", "broken", None, &image))
        .await
        .expect_err("broken");
    assert!(
        matches!(broken, ProviderError::Failed(ref why) if why.contains("could not process")),
        "{broken:?}"
    );
}
