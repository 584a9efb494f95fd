//! `GET /oauth/{network}/callback`: where the network sends the browser back. With a
//! `returnTo`, the browser goes there with the outcome in the URL fragment (never the
//! query: the completion code must not reach server logs or a `Referer`). Without one,
//! a small page hands the outcome to the window that opened the popup and closes; a
//! popup that lost its opener says where to finish instead.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use entity::enums::ConnectFailure;
use serde_json::json;

use super::{
    HttpState,
    html::{self, escape},
};
use crate::{
    domain::network::from_slug,
    graphql::ids::AttemptGid,
    service::connect::{self, CallbackParams, Outcome},
};

/// The outcome as the frontend reads it: `confirm`, `cancelled` or `failed`, with the
/// completion code or the failure's code and sentence.
struct Told {
    status: &'static str,
    completion: Option<String>,
    accounts: Option<usize>,
    code: Option<&'static str>,
    message: Option<String>,
}

fn told(outcome: &Outcome) -> Told {
    match outcome {
        Outcome::Confirm {
            completion_code,
            accounts,
        } => Told {
            status: "confirm",
            completion: Some(completion_code.clone()),
            accounts: Some(*accounts),
            code: None,
            message: None,
        },
        Outcome::Failed { failure, message } => Told {
            status: if *failure == ConnectFailure::Cancelled {
                "cancelled"
            } else {
                "failed"
            },
            completion: None,
            accounts: None,
            code: Some(failure.code()),
            message: Some(message.clone()),
        },
    }
}

pub(super) async fn callback(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(network) = from_slug(&name) else {
        return (StatusCode::NOT_FOUND, "unknown network").into_response();
    };
    let result = connect::callback(&state.app, network, params).await;
    let told = told(&result.outcome);
    let attempt_id = result.attempt_id.map(|id| AttemptGid(id).encoded());
    if let Some(return_to) = &result.return_to {
        let fields = [
            ("socialgate_status", Some(told.status)),
            ("socialgate_attempt", attempt_id.as_deref()),
            ("socialgate_code", told.completion.as_deref()),
            ("socialgate_error", told.code),
            ("socialgate_message", told.message.as_deref()),
        ];
        return redirect(return_to, &fields);
    }
    let payload = json!({
        "type": "socialgate:connection",
        "status": told.status,
        "attemptId": attempt_id,
        "completionCode": told.completion,
        "accounts": told.accounts,
        "code": told.code,
        "message": told.message,
    });
    let nonce = html::nonce();
    let page = page(&state, &told, &payload, &nonce);
    let http_status = if told.status == "failed" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let policy = html::policy_with_script(&nonce);
    (
        http_status,
        [(axum::http::header::CONTENT_SECURITY_POLICY, policy)],
        Html(page),
    )
        .into_response()
}

/// The popup's page. The message carries a completion code, which must reach only the
/// product's own frontend: it is posted to allowed origins, and broadcast to pages of
/// this server's own origin (the console), which is how a popup that lost its opener
/// still finishes there. A page that no window opened (the sign-in URL pasted into a
/// browser from GraphiQL or curl) shows how to finish right there: the mutation to send,
/// with the attempt and its code, which stay on this page.
fn page(state: &HttpState, told: &Told, payload: &serde_json::Value, nonce: &str) -> String {
    let targets = state.app.config.origins().message_targets();
    // JSON inside <script>: escape `<` so no value can close the tag.
    let data = payload.to_string().replace('<', "\\u003c");
    let targets = serde_json::to_string(&targets)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let text = told.message.clone().unwrap_or_else(|| {
        "Signed in. If a window is waiting for this sign-in it finishes there, and this one \
         closes."
            .to_owned()
    });
    let console = if state.app.config.console_enabled() && told.status == "confirm" {
        "<p id=\"console\" hidden>Started from the console? It has been told; \
         <a href=\"../../console/\">open the console</a> if it is closed.</p>"
    } else {
        ""
    };
    let finish = finish_here(told, payload);
    let body = format!(
        "<p id=\"result\" data-status=\"{status}\" role=\"status\">{text}</p>{console}{finish}",
        status = told.status,
        text = escape(&text),
    );
    let script = format!(
        "(function(){{var d={data};var t={targets};\
         try{{var c=new BroadcastChannel('socialgate:connection');c.postMessage(d);c.close();}}catch(e){{}}\
         if(window.opener){{t.forEach(function(o){{try{{window.opener.postMessage(d,o);}}catch(e){{}}}});window.close();}}\
         else{{['console','finish'].forEach(function(i){{var p=document.getElementById(i);if(p)p.hidden=false;}});}}}})();"
    );
    html::document("Connecting your account", &body, Some((nonce, &script)))
}

/// The "finish here" step of a confirmed sign-in: the mutation that completes it, for
/// a person who started it from GraphiQL or a script (no window waits for it). Hidden
/// while a window opened this page.
fn finish_here(told: &Told, payload: &serde_json::Value) -> String {
    let (Some(code), Some(attempt)) = (&told.completion, payload["attemptId"].as_str()) else {
        return String::new();
    };
    let choose = match told.accounts {
        Some(n) if n > 1 => format!(
            "<p>This sign-in offers {n} accounts: first ask \
             <code>connectionAttempt(id: \"{attempt}\") {{ candidates {{ id name }} }}</code>, \
             then add <code>accountId: \"…\"</code> with the one to connect.</p>",
            attempt = escape(attempt)
        ),
        _ => String::new(),
    };
    format!(
        "<section id=\"finish\" hidden><h2>Finish here</h2>\
         <p>If no other window finished this sign-in (it was started from GraphiQL or \
         a script?), send this mutation with the same token that started it; the code \
         works once, for a few minutes:</p>\
         <pre id=\"finish-mutation\">mutation {{\n  completeConnection(\n    attemptId: \"{attempt}\"\n    \
         completionCode: \"{code}\"\n  ) {{ id status displayName }}\n}}</pre>{choose}</section>",
        attempt = escape(attempt),
        code = escape(code),
    )
}

/// Sends the browser back to the attempt's `returnTo` with the outcome in the fragment
/// (after the route, when `returnTo` already has one).
fn redirect(return_to: &str, fields: &[(&str, Option<&str>)]) -> Response {
    let Ok(mut url) = url::Url::parse(return_to) else {
        return (StatusCode::BAD_REQUEST, "bad returnTo").into_response();
    };
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        if let Some(value) = value {
            fragment.append_pair(name, value);
        }
    }
    let outcome = fragment.finish();
    // A hash-routed frontend keeps its route: the outcome goes after it, as the
    // route's own query (`#/settings/social?socialgate_status=…`).
    let fragment = match url.fragment().filter(|f| !f.is_empty()) {
        Some(route) if route.contains('?') => format!("{route}&{outcome}"),
        Some(route) => format!("{route}?{outcome}"),
        None => outcome,
    };
    url.set_fragment(Some(&fragment));
    Redirect::to(url.as_str()).into_response()
}
