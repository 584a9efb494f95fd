//! `POST/GET /graphql`: GraphQL over HTTP.

use async_graphql::{
    ParseRequestError,
    parser::{parse_query, types::OperationType},
};
use async_graphql_axum::GraphQLRequest;
use axum::{
    Extension, Json,
    extract::State,
    http::{
        HeaderMap, HeaderValue, Method, StatusCode,
        header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, ORIGIN},
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{HttpState, REQUEST_ID, fairness::Verified};
use crate::{
    auth::Claims,
    error::Code,
    graphql::{context::RequestAuth, operation::NamedOperation},
};

/// A GraphQL-shaped error answer outside execution (bad body, wrong method, limits).
pub(super) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// Why a request body could not be read as one GraphQL operation.
pub(super) struct Rejected(ParseRequestError);

impl From<ParseRequestError> for Rejected {
    fn from(e: ParseRequestError) -> Self {
        Rejected(e)
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        match self.0 {
            ParseRequestError::UnsupportedBatch => error_response(
                StatusCode::BAD_REQUEST,
                Code::BadUserInput.as_str(),
                "batched requests are not accepted: send one operation per request",
            ),
            ParseRequestError::PayloadTooLarge => error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                Code::BadUserInput.as_str(),
                "request body is larger than 256 KiB",
            ),
            ParseRequestError::Io(e) if e.to_string().contains("length limit exceeded") => {
                error_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Code::BadUserInput.as_str(),
                    "request body is larger than 256 KiB",
                )
            }
            other => error_response(
                StatusCode::BAD_REQUEST,
                Code::BadUserInput.as_str(),
                &format!("cannot read the GraphQL request: {other}"),
            ),
        }
    }
}

/// The caller of a request: the host's authentication when it supplied one, else the
/// bearer token. `Ok(None)` for an anonymous caller, `Err` with why when refused.
pub(super) async fn claims(
    state: &HttpState,
    headers: &HeaderMap,
) -> Result<Option<Claims>, String> {
    match &state.app.authenticate {
        Some(host) => host.0.caller(headers).await,
        None => bearer(state, headers),
    }
}

/// Reads the bearer token: `Ok(None)` without one, `Err` with why when it is bad.
fn bearer(state: &HttpState, headers: &HeaderMap) -> Result<Option<Claims>, String> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| "Authorization header is not text".to_owned())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| "Authorization must be `Bearer <token>`".to_owned())?;
    state
        .app
        .verifier
        .verify(token.trim())
        .map(Some)
        .map_err(|e| e.to_string())
}

/// True when the operation the request would run is a mutation or subscription.
fn writes(request: &async_graphql::Request) -> bool {
    let Ok(document) = parse_query(&request.query) else {
        return false; // execution reports the syntax error
    };
    let chosen = match &request.operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => document.operations.iter().next().map(|(_, op)| op.node.ty),
    };
    matches!(
        chosen,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

/// The media type of GraphQL answers: `application/graphql-response+json` when the
/// client lists it, else `application/json` (what every client understands, and what
/// GraphQL over HTTP requires for `Accept: application/json`, `*/*` or no `Accept`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    GraphqlResponse,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

impl Media {
    fn of(headers: &HeaderMap) -> Media {
        // The highest weight the client gives each of the two; a range it does not
        // list weighs nothing.
        let (mut graphql, mut json) = (0.0_f32, 0.0_f32);
        let ranges = headers
            .get_all(ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','));
        for range in ranges {
            let mut parts = range.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match name.as_str() {
                GRAPHQL_RESPONSE => graphql = graphql.max(q),
                "application/json" | "application/*" | "*/*" => json = json.max(q),
                _ => {}
            }
        }
        if graphql > 0.0 && graphql >= json {
            Media::GraphqlResponse
        } else {
            Media::Json
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::Json => "application/json",
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// Whether `response` failed before execution (the document did not parse or validate,
/// a variable did not coerce, the operation was not found): only field errors carry a
/// `path`, and an executed operation has `data`.
fn request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Whether async-graphql's `message` says an argument's value did not coerce (a missing
/// or mistyped variable reaches the resolver as such).
fn coercion(message: &str) -> bool {
    message.starts_with("Invalid value for argument")
        || message.starts_with("Failed to parse")
        || message.starts_with("Expected input type")
        || (message.starts_with("Variable ") && message.ends_with(" is not defined."))
}

/// An answer's body, borrowed from the execution result and written straight to
/// JSON: the response keeps the order of the selection (GraphQL requires it, and a
/// detour through `serde_json::Value` would sort every object's keys), and a large
/// page is not copied into a second tree first.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// The execution result as GraphQL over HTTP wants it. A request error has no `data`
/// entry, and is a 400 under `application/graphql-response+json` (a client that asked
/// for plain JSON gets 200, as that media type's rules say).
fn answer(media: Media, response: async_graphql::Response) -> Response {
    let failed = request_error(&response);
    let status = if failed && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = Body {
        data: (!failed).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    match serde_json::to_vec(&body) {
        Ok(bytes) => (status, [(CONTENT_TYPE, media.header())], bytes).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "answer does not serialize");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::Internal.as_str(),
                "internal error; it has been logged",
            )
        }
    }
}

/// The request's id, which lands in the audit trail: the caller's only when it is a
/// plain token of at most 64 characters, otherwise our own.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

pub(super) async fn handle(
    State(state): State<HttpState>,
    method: Method,
    headers: HeaderMap,
    verified: Option<Extension<Verified>>,
    request: Result<GraphQLRequest<Rejected>, Rejected>,
) -> Response {
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejected) => return rejected.into_response(),
    };
    if request.query.trim().is_empty() {
        return error_response(
            StatusCode::BAD_REQUEST,
            Code::BadUserInput.as_str(),
            "the request has no `query`: send {\"query\": \"{ viewer { subject } }\"}",
        );
    }
    let media = Media::of(&headers);
    let started = std::time::Instant::now();
    let named = NamedOperation::default();
    if method == Method::GET && writes(&request) {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            Code::BadUserInput.as_str(),
            "mutations are accepted only over POST",
        );
    }
    let request_id = request_id(&headers);
    // The fairness middleware verified the token already.
    let claims = match verified {
        Some(Extension(Verified(claims))) => claims,
        None => claims(&state, &headers).await,
    };
    let auth = RequestAuth::new(claims, Some(request_id));
    let signed_in = auth.is_signed_in();
    let from_browser = crate::graphql::host_access::FromBrowser(headers.contains_key(ORIGIN));
    let request = request
        .data(auth)
        .data(named.clone())
        .data(from_browser)
        .data(crate::graphql::Standalone);
    let mut response = state.schema.execute(request).await;
    // Every error the request could cause carries its code from where it was raised
    // (resolvers, argument parsing, parse and validation). One without is a mapping
    // somebody forgot: log it and say INTERNAL, never blame the caller.
    // A request error (unknown operation, a subscription over HTTP) and a value that
    // does not coerce into an argument's type are the request's fault, whoever raised
    // them: BAD_USER_INPUT, with async-graphql's message.
    let refused = request_error(&response);
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        if refused || coercion(&error.message) {
            tracing::debug!(error = %error.message, "request refused");
            extensions.set("code", Code::BadUserInput.as_str());
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "error without a code");
            error.message = "internal error; it has been logged".to_owned();
            extensions.set("code", Code::Internal.as_str());
        }
    }
    let outcome = match (refused, response.errors.is_empty()) {
        (true, _) => "refused",
        (false, true) => "ok",
        (false, false) => "error",
    };
    let codes: Vec<&str> = response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("code"))
        .filter_map(|code| match code {
            async_graphql::Value::String(code) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    // An operation's name becomes a label only once it passed validation (it is known
    // to the execute hook only then) and only for a caller with a token: anonymous
    // clients cannot fill the bounded set of names.
    crate::metrics::graphql_request(
        named.get().filter(|_| signed_in),
        outcome,
        started.elapsed().as_secs_f64(),
        &codes,
    );
    answer(media, response)
}

/// A POST to `/graphql` must say its body is JSON. Browsers send `text/plain`, form and
/// multipart bodies across origins without asking first (no CORS preflight), so
/// accepting them would let any page make a signed-in user's browser run mutations.
pub(super) async fn require_json(request: axum::extract::Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::BadUserInput.as_str(),
                "POST /graphql takes `Content-Type: application/json`",
            );
        }
    }
    next.run(request).await
}
