//! Tenant settings: compliance mode, re-approval on reconnect, per-network limits.

use entity::{enums::ComplianceMode, tenant};
use sea_orm::{ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::{
    auth::Actor,
    domain::policy,
    error::{AppError, AppResult},
    store::{Store, now, tenants},
};

/// The most integrations of one network a tenant may allow per user.
pub const MAX_LIMIT: i32 = 20;

/// A change of settings; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub compliance_mode: Option<ComplianceMode>,
    pub reapproval_on_reconnect: Option<bool>,
    pub linkedin_limit: Option<i32>,
    pub facebook_limit: Option<i32>,
    pub instagram_limit: Option<i32>,
}

fn limit(name: &str, value: Option<i32>) -> AppResult<Option<i32>> {
    match value {
        Some(v) if !(0..=MAX_LIMIT).contains(&v) => Err(AppError::BadUserInput(format!(
            "{name} must be between 0 and {MAX_LIMIT}"
        ))),
        other => Ok(other),
    }
}

/// Admins only. Lowering a limit never disconnects anything; it stops new connections.
pub async fn update(
    store: &Store,
    actor: &Actor,
    change: SettingsChange,
) -> AppResult<tenant::Model> {
    policy::settings(&actor.roles).map_err(|d| AppError::Forbidden(d.0))?;
    let linkedin = limit("linkedinLimit", change.linkedin_limit)?;
    let facebook = limit("facebookLimit", change.facebook_limit)?;
    let instagram = limit("instagramLimit", change.instagram_limit)?;
    let txn = store.begin_write().await?;
    let mut row = tenants::get(&txn, actor.tenant_id)
        .await?
        .into_active_model();
    if let Some(mode) = change.compliance_mode {
        row.compliance_mode = Set(mode);
    }
    if let Some(flag) = change.reapproval_on_reconnect {
        row.reapproval_on_reconnect = Set(flag);
    }
    if let Some(v) = linkedin {
        row.linkedin_limit = Set(v);
    }
    if let Some(v) = facebook {
        row.facebook_limit = Set(v);
    }
    if let Some(v) = instagram {
        row.instagram_limit = Set(v);
    }
    row.updated_at = Set(now());
    let saved = tenant::Entity::update(row).exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(tenant = %actor.tenant_id, by = %actor.subject, "tenant settings changed");
    Ok(saved)
}
