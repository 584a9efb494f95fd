//! `sandboxSimulate`: tell a sandbox network what to report about an integration's
//! token at its next check. Merged into the schema only in builds with the sandbox,
//! and shown by introspection only while sandboxes are on.

use async_graphql::{Context, Enum, Object, ResultExt};

use super::Condition;
use crate::{
    app::App,
    auth::Actor,
    domain::IntegrationId,
    error::{AppError, AppResult},
    graphql::{context::ContextExt, ids::IntegrationGid},
    service::{integrations, tokens},
};

/// What a sandbox network can be told to report at the next check.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxEvent {
    /// The token expired (Facebook 190/463, LinkedIn EXPIRED_ACCESS_TOKEN).
    Expire,
    /// The password changed (190/460).
    PasswordChange,
    /// Access was revoked (190, LinkedIn REVOKED_ACCESS_TOKEN).
    RevokeAccess,
    /// The user lost their Page role (190/492).
    LosePageRole,
    /// The account is checkpointed (190/459).
    Checkpoint,
    /// A passing outage: 5xx until RESTORE.
    Outage,
    /// Healthy again.
    Restore,
}

impl SandboxEvent {
    fn condition(self) -> Option<Condition> {
        match self {
            SandboxEvent::Expire => Some(Condition::Expired),
            SandboxEvent::PasswordChange => Some(Condition::PasswordChanged),
            SandboxEvent::RevokeAccess => Some(Condition::Revoked),
            SandboxEvent::LosePageRole => Some(Condition::PageRoleLost),
            SandboxEvent::Checkpoint => Some(Condition::Checkpoint),
            SandboxEvent::Outage => Some(Condition::Outage),
            SandboxEvent::Restore => None,
        }
    }
}

fn sandboxes_on(ctx: &Context<'_>) -> bool {
    ctx.data::<std::sync::Arc<App>>()
        .is_ok_and(|app| app.sandbox.is_some())
}

#[derive(Default)]
pub struct SandboxMutation;

#[Object]
impl SandboxMutation {
    /// Sandbox networks only: make the network report `event` for this integration at
    /// the next check, so a frontend can walk every status without a real app.
    #[graphql(visible = "sandboxes_on")]
    async fn sandbox_simulate(
        &self,
        ctx: &Context<'_>,
        integration_id: IntegrationGid,
        event: SandboxEvent,
    ) -> async_graphql::Result<bool> {
        simulate(
            ctx.app()?,
            ctx.actor().await?,
            integration_id.0,
            event.condition(),
        )
        .await
        .extend()?;
        Ok(true)
    }
}

/// Makes the sandbox report `condition` (or, with `None`, nothing) for the token of
/// the integration `id`, which the actor must be able to see.
pub async fn simulate(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    condition: Option<Condition>,
) -> AppResult<()> {
    let current = integrations::get(app, actor, id).await?;
    let sandbox = match (
        &app.sandbox,
        app.providers.sandboxed().contains(&current.network),
    ) {
        (Some(sandbox), true) => sandbox,
        _ => {
            return Err(AppError::BadUserInput(
                "sandboxSimulate works only for integrations of sandbox networks".into(),
            ));
        }
    };
    let stored = tokens::open(app, current.tenant_id, current.id)
        .await?
        .ok_or_else(|| AppError::BadUserInput("no token is stored for this integration".into()))?;
    if !sandbox.simulate(stored.access.expose(), condition) {
        return Err(AppError::BadUserInput(
            "this sandbox did not issue the integration's token (was the server restarted?); \
             reconnect it"
                .into(),
        ));
    }
    Ok(())
}
