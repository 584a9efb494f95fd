//! Typed access to what resolvers need from the context: the [`App`] and the caller.
//!
//! The token is verified by the HTTP layer (no database needed), but the actor is
//! provisioned only when the first data field asks for it, so introspection works
//! without a token and a request costs no query until it reads data.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions};
use tokio::sync::OnceCell;

use super::{loaders::Loaders, types::User};
use crate::{
    auth::{Actor, Claims},
    domain::{IntegrationId, UserId},
    error::AppError,
    service::App,
    service::viewer,
};

/// Per-request authentication state, put in the request data by the HTTP layer.
#[derive(Debug)]
pub struct RequestAuth {
    /// `Ok(None)`: no token. `Err`: a token that failed verification (with why).
    claims: Result<Option<Claims>, String>,
    request_id: Option<String>,
    actor: OnceCell<Actor>,
    loaders: std::sync::OnceLock<Loaders>,
    /// Whether loaders cache for the request; off for sockets, which live for hours.
    cache: bool,
}

impl RequestAuth {
    pub fn new(claims: Result<Option<Claims>, String>, request_id: Option<String>) -> Self {
        RequestAuth {
            claims,
            request_id,
            actor: OnceCell::new(),
            loaders: std::sync::OnceLock::new(),
            cache: true,
        }
    }

    /// The tenant the request's valid token names.
    pub fn tenant(&self) -> Option<&str> {
        match &self.claims {
            Ok(Some(claims)) => Some(&claims.tenant_id),
            _ => None,
        }
    }

    /// Whether the request carries a valid token.
    pub fn is_signed_in(&self) -> bool {
        matches!(self.claims, Ok(Some(_)))
    }

    /// For a socket: its loaders never serve a cached row.
    pub fn uncached(mut self) -> Self {
        self.cache = false;
        self
    }
}

/// Reaching the app and the actor from any resolver.
pub trait ContextExt {
    fn app(&self) -> async_graphql::Result<&Arc<App>>;
    /// The authenticated caller, provisioned on first use; `UNAUTHENTICATED` otherwise.
    fn actor(&self) -> impl Future<Output = async_graphql::Result<&Actor>> + Send;
    /// The caller's loaders, made on first use.
    fn loaders(&self) -> impl Future<Output = async_graphql::Result<&Loaders>> + Send;
    /// A user of the caller's tenant, through the loader; a missing row is an internal
    /// error (foreign keys guarantee it exists).
    fn user(&self, id: UserId) -> impl Future<Output = async_graphql::Result<User>> + Send;
    /// An integration the caller sees, through the loader; `None` when they do not.
    fn integration(
        &self,
        id: IntegrationId,
    ) -> impl Future<Output = async_graphql::Result<Option<entity::integration::Model>>> + Send;
}

fn request_auth<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a RequestAuth> {
    ctx.data::<RequestAuth>()
        .map_err(|_| AppError::Unauthenticated("a bearer token is required".into()).extend())
}

impl ContextExt for Context<'_> {
    fn app(&self) -> async_graphql::Result<&Arc<App>> {
        self.data::<Arc<App>>()
            .map_err(|_| AppError::internal("schema built without App data").extend())
    }

    async fn actor(&self) -> async_graphql::Result<&Actor> {
        let app = self.app()?;
        let auth = request_auth(self)?;
        let claims = match &auth.claims {
            Ok(Some(claims)) => claims,
            // A host that signs people in its own way is where they sign in; a bearer
            // token would not help them.
            Ok(None) if app.authenticate.is_some() => {
                return Err(AppError::Unauthenticated(
                    "not signed in: sign in to the application this page belongs to".into(),
                )
                .extend());
            }
            Ok(None) => {
                return Err(AppError::Unauthenticated(
                    "a bearer token is required: send `Authorization: Bearer <token>`".into(),
                )
                .extend());
            }
            Err(why) => return Err(AppError::Unauthenticated(why.clone()).extend()),
        };
        // Boxed: every resolver that asks for the actor (or a loader, or a user) holds
        // this future, and async-graphql moves each field's future into a box of the
        // largest field's size; the provisioning reads inline would make every field of
        // a type cost a copy of them, though they run at most once per request.
        auth.actor
            .get_or_try_init(|| {
                Box::pin(viewer::authenticate(
                    &app.store,
                    &app.callers,
                    claims,
                    auth.request_id.clone(),
                ))
            })
            .await
            .map_err(|e| e.extend())
    }

    async fn loaders(&self) -> async_graphql::Result<&Loaders> {
        let actor = self.actor().await?;
        let auth = request_auth(self)?;
        let app = self.app()?;
        Ok(auth
            .loaders
            .get_or_init(|| Loaders::new(app.clone(), actor.clone(), auth.cache)))
    }

    async fn user(&self, id: UserId) -> async_graphql::Result<User> {
        self.loaders()
            .await?
            .users
            .load_one(id)
            .await
            .map_err(|e| e.extend())?
            .map(User)
            .ok_or_else(|| AppError::internal(format!("user {id} missing")).extend())
    }

    async fn integration(
        &self,
        id: IntegrationId,
    ) -> async_graphql::Result<Option<entity::integration::Model>> {
        self.loaders()
            .await?
            .integrations
            .load_one(id)
            .await
            .map_err(|e| e.extend())
    }
}
