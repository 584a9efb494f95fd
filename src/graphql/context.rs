//! Typed access to what resolvers need from the context: the [`App`] and the caller.
//!
//! The token is verified by the HTTP layer (no database needed), but the actor is
//! provisioned only when the first data field asks for it, so introspection works
//! without a token and a request costs no query until it reads data.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions};
use tokio::sync::OnceCell;

use crate::{
    app::App,
    auth::{Actor, Claims},
    error::AppError,
    service::viewer,
};

/// Per-request authentication state, put in the request data by the HTTP layer.
#[derive(Debug)]
pub struct RequestAuth {
    /// `Ok(None)`: no token. `Err`: a token that failed verification (with why).
    claims: Result<Option<Claims>, String>,
    request_id: Option<String>,
    actor: OnceCell<Actor>,
}

impl RequestAuth {
    pub fn new(claims: Result<Option<Claims>, String>, request_id: Option<String>) -> Self {
        RequestAuth {
            claims,
            request_id,
            actor: OnceCell::new(),
        }
    }
}

/// Reaching the app and the actor from any resolver.
pub trait ContextExt {
    fn app(&self) -> async_graphql::Result<&Arc<App>>;
    /// The authenticated caller, provisioned on first use; `UNAUTHENTICATED` otherwise.
    fn actor(&self) -> impl Future<Output = async_graphql::Result<&Actor>> + Send;
}

impl ContextExt for Context<'_> {
    fn app(&self) -> async_graphql::Result<&Arc<App>> {
        self.data::<Arc<App>>()
            .map_err(|_| AppError::internal("schema built without App data").extend())
    }

    async fn actor(&self) -> async_graphql::Result<&Actor> {
        let app = self.app()?;
        let auth = self
            .data::<RequestAuth>()
            .map_err(|_| AppError::Unauthenticated("a bearer token is required".into()).extend())?;
        let claims = match &auth.claims {
            Ok(Some(claims)) => claims,
            Ok(None) => {
                return Err(AppError::Unauthenticated(
                    "a bearer token is required: send `Authorization: Bearer <token>`".into(),
                )
                .extend());
            }
            Err(why) => return Err(AppError::Unauthenticated(why.clone()).extend()),
        };
        auth.actor
            .get_or_try_init(|| viewer::authenticate(&app.store, claims, auth.request_id.clone()))
            .await
            .map_err(|e| e.extend())
    }
}
