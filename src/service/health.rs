//! Health checks: ask the network whether an integration's token still works.
//!
//! Only a definitive signal from the network changes a status: an expired token goes
//! EXPIRED, a withdrawn one INVALID with the mapped reason. Timeouts, 5xx, throttling
//! and malformed answers only count as a failed check on the integration, because a
//! phantom disconnect costs users more than a late one. The scheduler that runs this
//! for every integration is not built yet; `checkIntegration` runs it on demand.

use entity::integration;

use super::{integrations, lifecycle, tokens};
use crate::{
    app::App,
    auth::Actor,
    domain::{IntegrationId, status::is_expiry},
    error::{AppError, AppResult},
    providers::ProviderError,
    store::{Scope, now},
};

/// Probes the integration `id` now and applies what the network said.
pub async fn check(app: &App, actor: &Actor, id: IntegrationId) -> AppResult<integration::Model> {
    let current = integrations::get(app, actor, id).await?;
    if current.disconnected_at.is_some() {
        return Err(AppError::InvalidTransition(
            "the integration is disconnected".into(),
        ));
    }
    let stored = tokens::open(app, current.tenant_id, current.id)
        .await?
        .ok_or_else(|| {
            AppError::Provider("no token is stored for this integration; reconnect it".into())
        })?;
    let at = now();
    let outcome = app
        .providers
        .get(current.network)?
        .probe(&stored.access)
        .await;
    let data = app.store.tenant(Scope::tenant(current.tenant_id));
    match outcome {
        Ok(()) => data.record_check(id, at, false).await?,
        Err(ProviderError::Dead(reason)) => {
            data.record_check(id, at, false).await?;
            let changed = if is_expiry(reason) {
                lifecycle::expire(app, current.tenant_id, id, reason).await
            } else {
                lifecycle::invalidate(app, current.tenant_id, id, reason).await
            };
            match changed {
                // Already EXPIRED/INVALID/REJECTED: the network agrees; nothing moves.
                Ok(_) | Err(AppError::InvalidTransition(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Err(error) => {
            tracing::info!(integration = %id, ?error, "passing fault at a health check");
            data.record_check(id, at, true).await?;
        }
    }
    integrations::get(app, actor, id).await
}
