//! Health checks: ask the network whether an integration's token still works.
//!
//! Only a definitive signal changes a status (DESIGN §1, "dead tokens versus passing
//! faults"): an expired token goes EXPIRED, a withdrawn one INVALID with the mapped
//! reason. Timeouts, 5xx, throttling and malformed answers only count as a failed
//! check on the integration. The scheduler that runs this for every integration is
//! not built yet; `checkIntegration` runs it on demand.

use entity::integration;
use uuid::Uuid;

use super::{lifecycle, tokens};
use crate::{
    app::App,
    auth::Actor,
    domain::status::is_expiry,
    error::{AppError, AppResult},
    providers::ProviderError,
    store::{integrations, now},
};

/// Probes the integration `id` now and applies what the network said.
pub async fn check(app: &App, actor: &Actor, id: Uuid) -> AppResult<integration::Model> {
    let db = app.store.db();
    let current = integrations::find(db, actor.scope(), id)
        .await?
        .ok_or(AppError::NotFound("integration"))?;
    if current.disconnected_at.is_some() {
        return Err(AppError::InvalidTransition(
            "the integration is disconnected".into(),
        ));
    }
    let stored = tokens::open(&app.store, &app.keyring, current.tenant_id, id)
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
    match outcome {
        Ok(()) => integrations::record_check(db, current.tenant_id, id, at, false).await?,
        Err(ProviderError::Dead(reason)) => {
            integrations::record_check(db, current.tenant_id, id, at, false).await?;
            let changed = if is_expiry(reason) {
                lifecycle::expire(&app.store, current.tenant_id, id, reason).await
            } else {
                lifecycle::invalidate(&app.store, current.tenant_id, id, reason).await
            };
            match changed {
                // Already EXPIRED/INVALID/REJECTED: the network agrees; nothing moves.
                Ok(_) | Err(AppError::InvalidTransition(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Err(error) => {
            tracing::info!(integration = %id, ?error, "passing fault at a health check");
            integrations::record_check(db, current.tenant_id, id, at, true).await?;
        }
    }
    integrations::find(db, actor.scope(), id)
        .await?
        .ok_or(AppError::NotFound("integration"))
}

/// `sandboxSimulate`: make a sandbox network report `condition` (or, with `None`,
/// nothing) for this integration's token at the next check.
pub async fn simulate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    condition: Option<crate::providers::sandbox::Condition>,
) -> AppResult<()> {
    let current = integrations::find(app.store.db(), actor.scope(), id)
        .await?
        .ok_or(AppError::NotFound("integration"))?;
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
    let stored = tokens::open(&app.store, &app.keyring, current.tenant_id, id)
        .await?
        .ok_or_else(|| AppError::BadUserInput("no token is stored for this integration".into()))?;
    if !sandbox.simulate(stored.access.expose(), condition) {
        return Err(AppError::BadUserInput(
            "this sandbox did not issue the integration's token (was the server restarted?); reconnect it".into(),
        ));
    }
    Ok(())
}
