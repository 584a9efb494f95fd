//! `GET /oauth/{network}/callback`: where the network sends the popup back. It answers
//! with a small page that tells the opener window the result and closes, or redirects
//! to the attempt's `returnTo` (an allowed origin).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use serde_json::json;

use super::{HttpState, html::escape};
use crate::{
    domain::network::from_slug,
    graphql::ids::AttemptGid,
    service::connect::{self, CallbackParams, Outcome},
};

pub(super) async fn callback(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(network) = from_slug(&name) else {
        return (StatusCode::NOT_FOUND, "unknown network").into_response();
    };
    let result = connect::callback(&state.app, network, params).await;
    let (status, completion, accounts, code, message) = match &result.outcome {
        Outcome::Confirm {
            completion_code,
            accounts,
        } => (
            "confirm",
            Some(completion_code.clone()),
            Some(*accounts),
            None,
            None,
        ),
        Outcome::Cancelled => (
            "cancelled",
            None,
            None,
            None,
            Some("You cancelled the sign-in; nothing was connected.".to_owned()),
        ),
        Outcome::Failed { code, message } => {
            ("failed", None, None, Some(*code), Some(message.clone()))
        }
    };
    let attempt_id = result.attempt_id.map(|id| AttemptGid(id).encoded());
    if let Some(return_to) = &result.return_to {
        let fields = [
            ("socialgate_status", Some(status)),
            ("socialgate_attempt", attempt_id.as_deref()),
            ("socialgate_code", completion.as_deref()),
            ("socialgate_error", code),
        ];
        return redirect(return_to, &fields);
    }
    let payload = json!({
        "type": "socialgate:connection",
        "status": status,
        "attemptId": attempt_id,
        "completionCode": completion,
        "accounts": accounts,
        "code": code,
        "message": message,
    });
    // The message carries a completion code, which must reach only the product's own
    // frontend: post only to allowed origins.
    let targets = state.app.config.origins().message_targets();
    // JSON inside <script>: escape `<` so no value can close the tag.
    let data = payload.to_string().replace('<', "\\u003c");
    let targets = serde_json::to_string(&targets)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let text = message.unwrap_or_else(|| match status {
        "confirm" => "Signed in. Return to the app to finish connecting.".to_owned(),
        _ => String::new(),
    });
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>socialgate</title></head><body>\
         <p id=\"result\" data-status=\"{status}\">{}</p><script>\
         (function(){{var d={data};var t={targets};\
         if(window.opener){{t.forEach(function(o){{try{{window.opener.postMessage(d,o);}}catch(e){{}}}});window.close();}}}})();\
         </script></body></html>",
        escape(&text)
    );
    let http_status = if status == "failed" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (http_status, Html(page)).into_response()
}

/// Sends the browser back to the attempt's `returnTo` with the outcome in the query.
fn redirect(return_to: &str, fields: &[(&str, Option<&str>)]) -> Response {
    let Ok(mut url) = url::Url::parse(return_to) else {
        return (StatusCode::BAD_REQUEST, "bad returnTo").into_response();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in fields {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    Redirect::to(url.as_str()).into_response()
}
