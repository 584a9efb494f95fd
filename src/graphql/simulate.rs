//! `sandboxSimulate`: tell a sandbox network what to report about an integration's
//! token at its next check. Shown by introspection only while a sandbox is
//! registered; without one it refuses with `BAD_USER_INPUT`.

use async_graphql::{Context, Enum, Object, ResultExt};

use super::{context::ContextExt, ids::IntegrationGid};
use crate::service::{App, simulate};

/// What a sandbox network can be told to report at the next check.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::service::simulate::Simulated")]
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
    /// Posts are refused as duplicates (LinkedIn, Facebook); checks still pass.
    RefusePostsAsDuplicates,
    /// The network's publishing limit is reached; checks still pass.
    ReachPublishingLimit,
    /// Healthy again.
    Restore,
}

fn sandboxes_on(ctx: &Context<'_>) -> bool {
    ctx.data::<std::sync::Arc<App>>()
        .is_ok_and(|app| app.simulator.is_some())
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
        simulate::simulate(
            ctx.app()?,
            ctx.actor().await?,
            integration_id.0,
            event.into(),
        )
        .await
        .extend()?;
        Ok(true)
    }
}
