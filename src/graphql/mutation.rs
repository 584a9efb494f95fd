//! Mutation roots, one per domain, merged into [`MutationRoot`]. Each resolver: typed
//! context, one service call, one conversion.

use async_graphql::{Context, Enum, InputObject, MergedObject, Object, ResultExt, SimpleObject};

use super::{
    context::ContextExt,
    ids::{AttemptGid, IntegrationGid},
    types::{
        ComplianceNote, Integration,
        enums::{ComplianceMode, Network},
        user::Tenant,
    },
};
use crate::{
    domain::settings::SettingsChange,
    error::AppError,
    service::{connect, health, integrations, lifecycle, review, settings},
};

// Every mutation, by domain.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    ConnectMutation,
    ReviewMutation,
    LifecycleMutation,
    HealthMutation,
    super::simulate::SandboxMutation,
    SettingsMutation,
    super::digest::NotificationMutation,
    super::posts::PostMutation,
    super::host_access::HostAccessMutation,
);

#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// PENDING → ACTIVE. Compliance or admin; never one's own in a BROKER_DEALER tenant.
    /// Pass `expectedVersion` (the `version` you displayed) to get CONFLICT instead of
    /// acting on an integration that changed meanwhile.
    async fn approve_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<Integration> {
        let id = id.0;
        let applied = review::approve(
            ctx.app()?,
            ctx.actor().await?,
            id,
            note.as_deref(),
            expected_version,
        )
        .await
        .extend()?;
        Ok(Integration(applied.integration))
    }

    /// PENDING or ACTIVE → REJECTED, with a required note.
    async fn reject_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
        note: String,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<Integration> {
        let id = id.0;
        let applied = review::reject(ctx.app()?, ctx.actor().await?, id, &note, expected_version)
            .await
            .extend()?;
        Ok(Integration(applied.integration))
    }

    /// A compliance note on an integration (compliance or admin).
    async fn add_compliance_note(
        &self,
        ctx: &Context<'_>,
        integration_id: IntegrationGid,
        body: String,
    ) -> async_graphql::Result<ComplianceNote> {
        let id = integration_id.0;
        let applied = review::add_note(ctx.app()?, ctx.actor().await?, id, &body)
            .await
            .extend()?;
        applied
            .note
            .map(ComplianceNote)
            .ok_or_else(|| AppError::internal("note not recorded"))
            .extend()
    }
}

/// What the owner does from the "Review" screen.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    /// Sign in at the network again (expired, invalid or rejected integrations).
    Reconnect,
    /// Remove the integration: credentials destroyed, history kept.
    Disconnect,
}

/// The result of `reviewIntegration`.
#[derive(SimpleObject)]
pub struct ReviewIntegrationPayload {
    pub integration: Integration,
    /// For RECONNECT: where to send the user to sign in (open it in a popup); null
    /// for DISCONNECT.
    pub authorization_url: Option<String>,
    /// For RECONNECT: the attempt to follow with `connectionAttempt`.
    pub attempt_id: Option<AttemptGid>,
}

/// The result of `connectIntegration`.
#[derive(SimpleObject)]
pub struct ConnectIntegrationPayload {
    /// Follow it with `connectionAttempt(id)`; the callback page also posts it.
    pub attempt_id: AttemptGid,
    /// Open this in a popup: the network's sign-in and consent screen.
    pub authorization_url: String,
    /// The sign-in must finish before this.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Default)]
pub struct ConnectMutation;

#[Object]
impl ConnectMutation {
    /// Starts connecting an account of `network` (LIMIT_REACHED up front when the
    /// user's slots are used). `returnTo` must be on an allowed origin; without it
    /// the callback page posts the result to the opener window and closes.
    async fn connect_integration(
        &self,
        ctx: &Context<'_>,
        network: Network,
        return_to: Option<String>,
    ) -> async_graphql::Result<ConnectIntegrationPayload> {
        let app = ctx.app()?;
        let started = connect::start(app, ctx.actor().await?, network.into(), return_to, None)
            .await
            .extend()?;
        Ok(ConnectIntegrationPayload {
            attempt_id: started.attempt.id.into(),
            authorization_url: started.authorization_url,
            expires_at: started.attempt.expires_at,
        })
    }

    /// Finishes a sign-in: the popup hands the opener `completionCode`; the attempt's
    /// owner sends it here. `accountId` picks one of the candidates when the login
    /// offers several (a reconnect is bound to its own account).
    async fn complete_connection(
        &self,
        ctx: &Context<'_>,
        attempt_id: AttemptGid,
        completion_code: String,
        account_id: Option<String>,
    ) -> async_graphql::Result<Integration> {
        let id = attempt_id.0;
        let (app, actor) = (ctx.app()?, ctx.actor().await?);
        let applied =
            connect::complete_attempt(app, actor, id, &completion_code, account_id.as_deref())
                .await
                .extend()?;
        Ok(Integration(applied.integration))
    }

    /// `completeConnection` for a login that administers several accounts: connect
    /// `accountId` (one of `connectionAttempt.candidates`).
    async fn select_account(
        &self,
        ctx: &Context<'_>,
        attempt_id: AttemptGid,
        account_id: String,
        completion_code: String,
    ) -> async_graphql::Result<Integration> {
        let id = attempt_id.0;
        let (app, actor) = (ctx.app()?, ctx.actor().await?);
        let applied =
            connect::complete_attempt(app, actor, id, &completion_code, Some(&account_id))
                .await
                .extend()?;
        Ok(Integration(applied.integration))
    }
}

#[derive(Default)]
pub struct LifecycleMutation;

#[Object]
impl LifecycleMutation {
    /// Reconnect or disconnect an integration that needs attention.
    async fn review_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
        action: ReviewAction,
    ) -> async_graphql::Result<ReviewIntegrationPayload> {
        let id = id.0;
        match action {
            ReviewAction::Disconnect => {
                let applied = lifecycle::disconnect(ctx.app()?, ctx.actor().await?, id, None)
                    .await
                    .extend()?;
                Ok(ReviewIntegrationPayload {
                    integration: Integration(applied.integration),
                    authorization_url: None,
                    attempt_id: None,
                })
            }
            ReviewAction::Reconnect => {
                let (app, actor) = (ctx.app()?, ctx.actor().await?);
                let integration = integrations::get(app, actor, id).await.extend()?;
                let started = connect::start(app, actor, integration.network, None, Some(id))
                    .await
                    .extend()?;
                Ok(ReviewIntegrationPayload {
                    integration: Integration(integration),
                    authorization_url: Some(started.authorization_url),
                    attempt_id: Some(started.attempt.id.into()),
                })
            }
        }
    }

    /// Disconnect: credentials destroyed, the integration and its history kept (and
    /// hidden from lists and limits). The owner or an admin.
    async fn disconnect_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<Integration> {
        let id = id.0;
        let applied = lifecycle::disconnect(ctx.app()?, ctx.actor().await?, id, expected_version)
            .await
            .extend()?;
        Ok(Integration(applied.integration))
    }
}

#[derive(Default)]
pub struct HealthMutation;

#[Object]
impl HealthMutation {
    /// Asks the network now whether the integration's token still works. A definitive
    /// answer moves it to EXPIRED or INVALID; a passing fault only counts as a failed
    /// check (`consecutiveFailures`, `lastCheckedAt`).
    async fn check_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationGid,
    ) -> async_graphql::Result<Integration> {
        let id = id.0;
        let model = health::check(ctx.app()?, ctx.actor().await?, id)
            .await
            .extend()?;
        Ok(Integration(model))
    }
}

/// New tenant settings; omitted fields keep their value.
#[derive(InputObject, Debug, Default)]
pub struct TenantSettingsInput {
    pub compliance_mode: Option<ComplianceMode>,
    /// Every reconnect needs approval again, even with the same account and permissions.
    pub reapproval_on_reconnect: Option<bool>,
    pub linkedin_limit: Option<i32>,
    pub facebook_limit: Option<i32>,
    pub instagram_limit: Option<i32>,
    /// Let the host's server-side code (tokens with the role `service`) read the access
    /// token of an ACTIVE integration, each read in the audit trail. Off by default.
    pub host_token_access: Option<bool>,
}

impl From<TenantSettingsInput> for SettingsChange {
    fn from(input: TenantSettingsInput) -> Self {
        SettingsChange {
            compliance_mode: input.compliance_mode.map(Into::into),
            reapproval_on_reconnect: input.reapproval_on_reconnect,
            linkedin_limit: input.linkedin_limit,
            facebook_limit: input.facebook_limit,
            instagram_limit: input.instagram_limit,
            host_token_access: input.host_token_access,
        }
    }
}

#[derive(Default)]
pub struct SettingsMutation;

#[Object]
impl SettingsMutation {
    /// Change the tenant's settings (admins).
    async fn update_tenant_settings(
        &self,
        ctx: &Context<'_>,
        input: TenantSettingsInput,
    ) -> async_graphql::Result<Tenant> {
        let tenant = settings::update(ctx.app()?, ctx.actor().await?, input.into())
            .await
            .extend()?;
        Ok(Tenant(std::sync::Arc::new(tenant)))
    }
}
