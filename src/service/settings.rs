//! Tenant settings: compliance mode, re-approval on reconnect, per-network limits.

use entity::{enums::ComplianceMode, tenant};

use crate::{
    auth::Actor,
    domain::policy,
    error::{AppError, AppResult},
    store::{Store, tenants},
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
    policy::settings(&actor.roles)?;
    let linkedin = limit("linkedinLimit", change.linkedin_limit)?;
    let facebook = limit("facebookLimit", change.facebook_limit)?;
    let instagram = limit("instagramLimit", change.instagram_limit)?;
    let saved = tenants::update_settings(
        store,
        actor.tenant_id,
        tenants::Settings {
            compliance_mode: change.compliance_mode,
            reapproval_on_reconnect: change.reapproval_on_reconnect,
            linkedin_limit: linkedin,
            facebook_limit: facebook,
            instagram_limit: instagram,
        },
    )
    .await?;
    tracing::info!(tenant = %actor.tenant_id, by = %actor.subject, "tenant settings changed");
    Ok(saved)
}
