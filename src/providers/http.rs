//! The HTTP client every network call uses, and the reading of answers: success
//! bodies parse into the expected type; error bodies map to a [`ProviderError`]
//! through the networks' documented error formats.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ProviderError, ProviderResult};
use crate::{
    domain::signals::{self, Signal},
    error::{AppError, AppResult},
};

/// No redirects (a token endpoint that redirects is misconfigured or hostile) and
/// timeouts on everything, so a hanging network never holds a request.
pub fn client() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("socialgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AppError::internal(format!("cannot build HTTP client: {e}")))
}

fn from_signal(signal: Signal, message: String) -> ProviderError {
    match signal {
        Signal::Dead(reason) => ProviderError::Dead(reason),
        Signal::Throttled => ProviderError::RateLimited(message, None),
        Signal::Transient => ProviderError::Transient(message),
        Signal::Duplicate => ProviderError::Duplicate(message),
        Signal::Blocked | Signal::Other => ProviderError::Failed(message),
    }
}

/// Maps an error body: Graph (`{"error": {code, error_subcode, message}}`), LinkedIn
/// (`{"status", "serviceErrorCode", "message"}`, newer bodies add a string `code`),
/// Instagram's code exchange (`{"error_type", "code", "error_message"}`), or OAuth
/// (`{"error", "error_description"}`).
fn error_of(status: u16, body: &Value) -> ProviderError {
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    if let Some(graph) = body.get("error").filter(|e| e.is_object()) {
        let code = graph.get("code").and_then(Value::as_i64).unwrap_or(0);
        let subcode = graph.get("error_subcode").and_then(Value::as_i64);
        let message = graph
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_owned();
        return from_signal(
            signals::graph(code, subcode),
            format!("network error {code}: {message}"),
        );
    }
    if let Some(message) = text("error_message") {
        // api.instagram.com's own shape; its `code` repeats the HTTP status.
        let kind = text("error_type").unwrap_or("error");
        return from_signal(signals::http_status(status), format!("{kind}: {message}"));
    }
    if let Some(duplicate) = linkedin_duplicate(body) {
        return ProviderError::Duplicate(duplicate);
    }
    let service_code = body.get("serviceErrorCode").and_then(Value::as_i64);
    let code = text("code");
    if service_code.is_some() || code.is_some() {
        let message = text("message").or(code).unwrap_or("error");
        let signal = match signals::linkedin(service_code, code) {
            Signal::Other => signals::http_status(status),
            known => known,
        };
        let label = code.map_or_else(|| service_code.unwrap_or(0).to_string(), str::to_owned);
        return from_signal(signal, format!("network error {label}: {message}"));
    }
    if let Some(error) = text("error") {
        let description = text("error_description").unwrap_or("");
        return from_signal(
            signals::http_status(status),
            format!("{error}: {description}"),
        );
    }
    from_signal(
        signals::http_status(status),
        format!("network answered HTTP {status}"),
    )
}

/// LinkedIn's refusal of a post it already has: a 422 whose `errorDetails.inputErrors`
/// carry the code `DUPLICATE_POST`, its message naming the earlier post's URN.
fn linkedin_duplicate(body: &Value) -> Option<String> {
    let errors = body
        .pointer("/errorDetails/inputErrors")
        .and_then(Value::as_array)?;
    errors
        .iter()
        .any(|e| e.get("code").and_then(Value::as_str) == Some("DUPLICATE_POST"))
        .then(|| {
            let message = body.get("message").and_then(Value::as_str).unwrap_or("");
            let earlier = message
                .split_whitespace()
                .find(|word| word.starts_with("urn:li:"));
            match earlier {
                Some(urn) => format!("LinkedIn already has this post ({urn})"),
                None => "LinkedIn already has this post".to_owned(),
            }
        })
}

/// Sends `request` and parses a 2xx JSON body as `T`.
pub(super) async fn json<T: DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> ProviderResult<T> {
    let (_, bytes) = send(request).await?;
    serde_json::from_slice(&bytes).map_err(|_| {
        ProviderError::Transient("the network's answer was not the expected JSON".into())
    })
}

/// Sends `request`: a 2xx answer's headers and body, or the error its body maps to.
pub(super) async fn send(
    request: reqwest::RequestBuilder,
) -> ProviderResult<(reqwest::header::HeaderMap, Vec<u8>)> {
    let response = request.send().await.map_err(|e| {
        // reqwest's error text carries the URL, which may carry a token: keep it short.
        let kind = if e.is_timeout() {
            "timed out"
        } else {
            "could not be reached"
        };
        ProviderError::Transient(format!("the network {kind}"))
    })?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|_| ProviderError::Transient("the network's answer was cut off".into()))?;
    if (200..300).contains(&status) {
        return Ok((headers, bytes.to_vec()));
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Err(match error_of(status, &body) {
        ProviderError::RateLimited(message, None) => {
            ProviderError::RateLimited(message, wait_asked(&headers))
        }
        other => other,
    })
}

/// How long the network asks us to wait: `Retry-After` in seconds, or the longest
/// `estimated_time_to_regain_access` (minutes) of Meta's business-use-case usage.
fn wait_asked(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let meta = headers
        .get("x-business-use-case-usage")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<Value>(v).ok())
        .and_then(|usage| {
            usage
                .as_object()?
                .values()
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|u| u.get("estimated_time_to_regain_access")?.as_u64())
                .max()
        })
        .filter(|minutes| *minutes > 0)
        .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)));
    retry_after.max(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StatusReason;
    use serde_json::json;

    #[test]
    fn error_bodies_map_to_signals() {
        let graph = json!({"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190, "error_subcode": 460, "fbtrace_id": "x"}});
        assert_eq!(
            error_of(400, &graph),
            ProviderError::Dead(StatusReason::PasswordChanged)
        );
        let linkedin = json!({"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired"});
        assert_eq!(
            error_of(401, &linkedin),
            ProviderError::Dead(StatusReason::TokenExpired)
        );
        let throttled = json!({"status": 429, "serviceErrorCode": 0, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle limit"});
        assert!(matches!(
            error_of(429, &throttled),
            ProviderError::RateLimited(..)
        ));
        assert!(matches!(
            error_of(503, &Value::Null),
            ProviderError::Transient(_)
        ));
        let oauth = json!({"error": "invalid_grant", "error_description": "code expired"});
        assert!(matches!(error_of(400, &oauth), ProviderError::Failed(_)));
        // LinkedIn's documented body has only the number.
        let documented = json!({"status": 401, "serviceErrorCode": 65601, "message": "The token used in the request has been revoked by the user"});
        assert_eq!(
            error_of(401, &documented),
            ProviderError::Dead(StatusReason::AccessRevoked)
        );
        // api.instagram.com keeps its words in `error_message`.
        let instagram = json!({"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"});
        assert_eq!(
            error_of(400, &instagram),
            ProviderError::Failed("OAuthException: Invalid platform app".into())
        );
    }
}
