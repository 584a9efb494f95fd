//! Fair sharing on `/graphql`: every request is admitted by [`crate::service::limits`]
//! before its body is read, so one tenant's flood or expensive queries cannot make
//! other tenants wait.
//!
//! The caller is the tenant of a valid bearer token (verifying needs no database), or
//! else the client address ([`client::address`]: the peer, or behind a trusted proxy
//! the address it forwarded); a host that serves
//! the router without connect info puts every client without a valid token in one
//! shared budget. A request over its tenant's rate or concurrency is answered 429
//! with `RATE_LIMITED` and a `Retry-After` in whole seconds. The verdict on the token
//! travels to the handler in [`Verified`], so it is checked once per request. The
//! WebSocket endpoint has limits of its own.

use std::{net::SocketAddr, time::Duration};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    middleware::Next,
    response::Response,
};

use super::{
    HttpState, client,
    graphql::{claims, error_response},
};
use crate::{
    auth::Claims,
    service::limits::{Caller, Refusal},
};

/// The bearer token's verdict, as the handler needs it (see `graphql::claims`).
#[derive(Clone)]
pub(super) struct Verified(pub Result<Option<Claims>, String>);

/// Who `verified` and the connection say the caller is.
fn caller(state: &HttpState, verified: &Verified, request: &Request) -> Caller {
    if let Ok(Some(claims)) = &verified.0 {
        return Caller::Tenant(claims.tenant_id.clone());
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    match client::address(peer, request.headers(), &state.trusted) {
        Some(address) => Caller::address(address),
        None => Caller::Anonymous,
    }
}

/// Whole seconds to wait, rounded up and at least one.
fn retry_after(wait: Duration) -> HeaderValue {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    HeaderValue::from(seconds.max(1))
}

/// 429 with the GraphQL error shape and `Retry-After`.
fn refused(refusal: Refusal) -> Response {
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        refusal.error.code(),
        &refusal.error.public_message(),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, retry_after(refusal.retry_after));
    response
}

/// Middleware of `/graphql`: admits the request against its caller's budget and
/// concurrency, runs it while holding a slot, and hands the token's verdict on.
pub(super) async fn admit(
    State(state): State<HttpState>,
    mut request: Request,
    next: Next,
) -> Response {
    let verified = Verified(claims(&state, request.headers()).await);
    let caller = caller(&state, &verified, &request);
    let slot = match state.app.limits.admit(&caller).await {
        Ok(slot) => slot,
        Err(refusal) => {
            tracing::debug!(?caller, "request refused by the fairness limits");
            return refused(refusal);
        }
    };
    request.extensions_mut().insert(verified);
    let response = next.run(request).await;
    drop(slot);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(retry_after(Duration::ZERO), "1");
        assert_eq!(retry_after(Duration::from_millis(20)), "1");
        assert_eq!(retry_after(Duration::from_secs(2)), "2");
        assert_eq!(retry_after(Duration::from_millis(2_001)), "3");
    }
}
