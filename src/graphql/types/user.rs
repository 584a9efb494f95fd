//! People: `User` (owners, authors, actors) and `Viewer` (the caller).

use async_graphql::{Context, Object, ResultExt};
use chrono::{DateTime, Utc};
use entity::{tenant, user};
use std::sync::Arc;

use super::enums::{ComplianceMode, Role};
use crate::{
    auth::Actor,
    domain::{Network, limits::limit_of},
    graphql::{
        context::ContextExt,
        digest::NotificationSettings,
        ids::{TenantGid, UserGid},
    },
    service::digest,
};

/// A person of the tenant.
pub struct User(pub user::Model);

#[Object]
impl User {
    async fn id(&self) -> UserGid {
        self.0.id.into()
    }
    /// The `sub` claim of the person's tokens.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
}

/// The caller, as the server knows them.
pub struct Viewer {
    pub actor: Actor,
}

#[Object]
impl Viewer {
    async fn id(&self) -> UserGid {
        self.actor.user_id.into()
    }
    async fn subject(&self) -> &str {
        &self.actor.subject
    }
    /// The caller as the rest of the tenant sees them (name and email from their
    /// token), for a "signed in as" line.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        ctx.user(self.actor.user_id).await
    }
    async fn roles(&self) -> Vec<Role> {
        self.actor.roles.iter().copied().map(Role::from).collect()
    }
    async fn tenant(&self) -> Tenant {
        Tenant(self.actor.tenant.clone())
    }
    /// The caller's Daily Digest settings.
    async fn notification_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<NotificationSettings> {
        let settings = digest::settings(ctx.app()?, &self.actor).await.extend()?;
        Ok(NotificationSettings(settings))
    }
}

/// The caller's tenant and its settings.
pub struct Tenant(pub Arc<tenant::Model>);

#[Object]
impl Tenant {
    async fn id(&self) -> TenantGid {
        self.0.id.into()
    }
    /// The `tenant_id` claim of this tenant's tokens.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    async fn compliance_mode(&self) -> ComplianceMode {
        self.0.compliance_mode.into()
    }
    /// Whether every reconnect needs approval again.
    async fn reapproval_on_reconnect(&self) -> bool {
        self.0.reapproval_on_reconnect
    }
    /// Whether the host's server-side code may read access tokens of ACTIVE
    /// integrations (`hostAccessToken`).
    async fn host_token_access(&self) -> bool {
        self.0.host_token_access
    }
    async fn linkedin_limit(&self) -> i32 {
        limit_of(&self.0, Network::Linkedin)
    }
    async fn facebook_limit(&self) -> i32 {
        limit_of(&self.0, Network::Facebook)
    }
    async fn instagram_limit(&self) -> i32 {
        limit_of(&self.0, Network::Instagram)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
