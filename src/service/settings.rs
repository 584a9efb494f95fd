//! Tenant settings: compliance mode, re-approval on reconnect, per-network limits.
//! Written under the tenant's chain lock, so no integration change decides on half of
//! them, and announced at commit so every instance stops using the settings it
//! remembered for its callers.

use entity::tenant;

use crate::{
    auth::Actor,
    domain::{policy, settings::SettingsChange},
    error::{AppError, AppResult},
    events::wire,
    service::App,
    store::{Scope, Scoped},
};

/// Admins only. Lowering a limit never disconnects anything; it stops new connections.
pub async fn update(app: &App, actor: &Actor, change: SettingsChange) -> AppResult<tenant::Model> {
    policy::settings(&actor.roles)?;
    change.validate().map_err(AppError::BadUserInput)?;
    let txn = app.store.begin_write().await?;
    let data = Scoped::new(&txn, Scope::tenant(actor.tenant_id));
    data.lock_chain().await?;
    let saved = data.update_settings(&change).await?;
    wire::announce_settings(&txn, actor.tenant_id).await?;
    txn.commit().await?;
    app.callers.forget_tenant(actor.tenant_id);
    tracing::info!(tenant = %actor.tenant_id, by = %actor.subject, "tenant settings changed");
    Ok(saved)
}
