//! `GET /oauth/{network}/callback`: where the network sends the popup back. It answers
//! with a small page that tells the opener window the result and closes, or redirects
//! to the attempt's `returnTo` (an allowed origin).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use serde_json::json;

use super::HttpState;
use crate::{
    domain::{
        Network,
        ids::{IdKind, encode},
    },
    service::connect::{self, CallbackParams, Outcome},
};

fn network(name: &str) -> Option<Network> {
    [Network::Linkedin, Network::Facebook, Network::Instagram]
        .into_iter()
        .find(|n| connect::slug(*n) == name)
}

pub(super) async fn callback(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(network) = network(&name) else {
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
    let attempt_id = result
        .attempt_id
        .map(|id| encode(IdKind::ConnectionAttempt, id));
    if let Some(return_to) = &result.return_to {
        let mut url = match url::Url::parse(return_to) {
            Ok(url) => url,
            Err(_) => return (StatusCode::BAD_REQUEST, "bad returnTo").into_response(),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("socialgate_status", status);
            if let Some(id) = &attempt_id {
                q.append_pair("socialgate_attempt", id);
            }
            if let Some(completion) = &completion {
                q.append_pair("socialgate_code", completion);
            }
            if let Some(code) = code {
                q.append_pair("socialgate_error", code);
            }
        }
        return Redirect::to(url.as_str()).into_response();
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
    // Post only to configured origins; "*" only in dev mode on loopback (the message
    // carries a completion code, which must reach only the product's own frontend).
    let origins = state.app.config.origins();
    let targets = if origins.is_empty() && state.app.config.dev {
        vec!["*".to_owned()]
    } else {
        origins
    };
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
        text.replace('&', "&amp;").replace('<', "&lt;")
    );
    let http_status = if status == "failed" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (http_status, Html(page)).into_response()
}
