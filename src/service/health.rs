//! Health checks: ask the network whether an integration's token still works.
//!
//! Only a definitive signal from the network changes a status: an expired token goes
//! EXPIRED, a withdrawn one INVALID with the mapped reason. Timeouts, 5xx, throttling
//! and malformed answers only count as a failed check on the integration, because a
//! phantom disconnect costs users more than a late one. `checkIntegration` runs a
//! check on demand; the probe job runs them on its own schedule.

use std::time::Duration;

use entity::{enums::CheckOutcome, integration};

use super::{integrations, lifecycle, tokens};
use crate::{
    auth::Actor,
    domain::{IntegrationId, StatusReason, status::is_expiry},
    error::{AppError, AppResult},
    providers::ProviderError,
    service::App,
    store::{Scope, now},
};

/// How long to leave a network alone that throttled us without saying for how long.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);

/// What a probe found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probed {
    /// The token works.
    Alive,
    /// The network says the token is dead, and why.
    Dead(StatusReason),
    /// The network asked us to slow down for this long.
    Throttled(Duration),
    /// Timeout, 5xx, malformed answer: ask again later.
    Passing(String),
}

/// Asks the network about `integration`'s token (one cheap read as the account).
pub async fn probe(app: &App, integration: &integration::Model) -> AppResult<Probed> {
    let stored = tokens::open(app, integration.tenant_id, integration.id)
        .await?
        .ok_or_else(|| {
            AppError::Provider("no token is stored for this integration; reconnect it".into())
        })?;
    let outcome = app
        .providers
        .get(integration.network)?
        .probe(&stored.access)
        .await;
    Ok(match outcome {
        Ok(()) => Probed::Alive,
        Err(ProviderError::Dead(reason)) => Probed::Dead(reason),
        Err(ProviderError::RateLimited(_, wait)) => {
            Probed::Throttled(wait.unwrap_or(THROTTLE_PAUSE))
        }
        Err(error) => Probed::Passing(format!("{error:?}")),
    })
}

/// Records what a probe found on `integration` and, for a definitive answer, moves it
/// through the change road (as the system). Returns whether its status changed.
pub async fn record(
    app: &App,
    integration: &integration::Model,
    probed: Probed,
) -> AppResult<bool> {
    let (outcome, failed) = match &probed {
        Probed::Alive => (CheckOutcome::Ok, false),
        Probed::Dead(reason) if is_expiry(*reason) => (CheckOutcome::Expired, false),
        Probed::Dead(_) => (CheckOutcome::Invalid, false),
        Probed::Throttled(_) => (CheckOutcome::Throttled, true),
        Probed::Passing(why) => {
            tracing::info!(integration = %integration.id, why, "passing fault at a health check");
            (CheckOutcome::Failed, true)
        }
    };
    crate::metrics::probe_outcome(
        integration.network,
        match outcome {
            CheckOutcome::Ok => "ok",
            CheckOutcome::Expired => "expired",
            CheckOutcome::Invalid => "invalid",
            CheckOutcome::Throttled => "throttled",
            CheckOutcome::Failed => "failed",
        },
    );
    let (tenant, id) = (integration.tenant_id, integration.id);
    app.store
        .tenant(Scope::tenant(tenant))
        .record_check(id, now(), outcome, failed)
        .await?;
    let Probed::Dead(reason) = probed else {
        return Ok(false);
    };
    lifecycle::network_said(app, tenant, id, None, reason).await
}

/// `checkIntegration`: probes the integration `id` now and applies what the network
/// said.
pub async fn check(app: &App, actor: &Actor, id: IntegrationId) -> AppResult<integration::Model> {
    let current = integrations::get(app, actor, id).await?;
    if current.disconnected_at.is_some() {
        return Err(AppError::InvalidTransition(
            "the integration is disconnected".into(),
        ));
    }
    let probed = probe(app, &current).await?;
    record(app, &current, probed).await?;
    integrations::get(app, actor, id).await
}
