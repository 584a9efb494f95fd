//! Tenants: provisioning on first sight and settings.

use entity::{enums::ComplianceMode, tenant};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use uuid::Uuid;

use super::now;
use crate::{
    domain::{Network, network::default_limit},
    error::{AppError, AppResult},
};

/// Hash that precedes a tenant's first audit event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Finds the tenant with this external id, creating it with default settings if new.
/// Two first requests at once both end with the same row.
pub async fn provision(db: &impl ConnectionTrait, external_id: &str) -> AppResult<tenant::Model> {
    if let Some(found) = by_external_id(db, external_id).await? {
        return Ok(found);
    }
    let at = now();
    let row = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        external_id: Set(external_id.to_owned()),
        compliance_mode: Set(ComplianceMode::BrokerDealer),
        reapproval_on_reconnect: Set(false),
        linkedin_limit: Set(default_limit(Network::Linkedin)),
        facebook_limit: Set(default_limit(Network::Facebook)),
        instagram_limit: Set(default_limit(Network::Instagram)),
        chain_seq: Set(0),
        chain_hash: Set(GENESIS_HASH.to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    };
    tenant::Entity::insert(row)
        .on_conflict(
            OnConflict::column(tenant::Column::ExternalId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    by_external_id(db, external_id)
        .await?
        .ok_or_else(|| AppError::internal("tenant vanished right after provisioning"))
}

async fn by_external_id(
    db: &impl ConnectionTrait,
    external_id: &str,
) -> AppResult<Option<tenant::Model>> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::ExternalId.eq(external_id))
        .one(db)
        .await?)
}

/// The tenant by its storage id.
pub async fn get(db: &impl ConnectionTrait, tenant_id: Uuid) -> AppResult<tenant::Model> {
    tenant::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("tenant"))
}

/// The tenant's per-user limit for `network`.
pub fn limit_of(tenant: &tenant::Model, network: Network) -> i32 {
    match network {
        Network::Linkedin => tenant.linkedin_limit,
        Network::Facebook => tenant.facebook_limit,
        Network::Instagram => tenant.instagram_limit,
    }
}

/// New values for a tenant's settings; `None` keeps the current one.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub compliance_mode: Option<ComplianceMode>,
    pub reapproval_on_reconnect: Option<bool>,
    pub linkedin_limit: Option<i32>,
    pub facebook_limit: Option<i32>,
    pub instagram_limit: Option<i32>,
}

/// Writes new settings under the tenant's lock, so no change decides on half of them.
pub async fn update_settings(
    store: &super::Store,
    tenant_id: Uuid,
    settings: Settings,
) -> AppResult<tenant::Model> {
    use sea_orm::IntoActiveModel;
    let txn = store.begin_write().await?;
    let mut row = get(&txn, tenant_id).await?.into_active_model();
    if let Some(mode) = settings.compliance_mode {
        row.compliance_mode = Set(mode);
    }
    if let Some(flag) = settings.reapproval_on_reconnect {
        row.reapproval_on_reconnect = Set(flag);
    }
    if let Some(v) = settings.linkedin_limit {
        row.linkedin_limit = Set(v);
    }
    if let Some(v) = settings.facebook_limit {
        row.facebook_limit = Set(v);
    }
    if let Some(v) = settings.instagram_limit {
        row.instagram_limit = Set(v);
    }
    row.updated_at = Set(now());
    let saved = tenant::Entity::update(row).exec(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
