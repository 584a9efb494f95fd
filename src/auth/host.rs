//! A host's own authentication in place of socialgate's bearer tokens: an embedding
//! app that signs people in with a session cookie or a gateway header supplies an
//! [`Authenticate`], and every request (GraphQL over HTTP, and WebSocket upgrades)
//! is asked of it instead of the JWT check.

use std::{sync::Arc, time::Duration};

use super::{Claims, Role};

/// Turns a request's headers into its caller.
#[async_trait::async_trait]
pub trait Authenticate: Send + Sync + 'static {
    /// `Ok(Some(claims))` for a known caller, `Ok(None)` for an anonymous one, and
    /// `Err(why)` to refuse the request as `UNAUTHENTICATED`. For a socket, `exp` is
    /// when it closes (the caller's session ends).
    async fn caller(&self, headers: &http::HeaderMap) -> Result<Option<Claims>, String>;
}

impl Claims {
    /// The claims of a caller a host vouches for: `subject` in the tenant
    /// `tenant` (external ids) with `roles`, for `valid` from now.
    pub fn vouched(tenant: &str, subject: &str, roles: &[Role], valid: Duration) -> Claims {
        Claims {
            sub: subject.to_owned(),
            tenant_id: tenant.to_owned(),
            roles: roles.to_vec(),
            email: None,
            name: None,
            exp: jsonwebtoken::get_current_timestamp().saturating_add(valid.as_secs()),
            nbf: None,
            iss: None,
            aud: None,
        }
    }
}

/// The host's [`Authenticate`], as the server holds it.
#[derive(Clone)]
pub struct HostAuth(pub Arc<dyn Authenticate>);

impl std::fmt::Debug for HostAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostAuth")
    }
}
