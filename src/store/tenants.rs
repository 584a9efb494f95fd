//! Tenants: provisioning on first sight and settings.

use entity::{enums::ComplianceMode, ids::TenantId, tenant};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, sea_query::OnConflict,
};

use super::{Scoped, Store, now};
use crate::{
    domain::{Network, network::default_limit, settings::SettingsChange},
    error::{AppError, AppResult},
};

/// Hash that precedes a tenant's first audit event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Store {
    /// Finds the tenant with this external id (the token's `tenant_id` claim), creating
    /// it with default settings if new. Two first requests at once both end with the
    /// same row. This is where a tenant's key comes from, so it takes no scope.
    pub async fn provision_tenant(&self, external_id: &str) -> AppResult<tenant::Model> {
        if let Some(found) = self.tenant_by_external_id(external_id).await? {
            return Ok(found);
        }
        let at = now();
        let row = tenant::ActiveModel {
            id: Set(TenantId::generate()),
            external_id: Set(external_id.to_owned()),
            compliance_mode: Set(ComplianceMode::BrokerDealer),
            reapproval_on_reconnect: Set(false),
            linkedin_limit: Set(default_limit(Network::Linkedin)),
            facebook_limit: Set(default_limit(Network::Facebook)),
            instagram_limit: Set(default_limit(Network::Instagram)),
            host_token_access: Set(false),
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
            .exec_without_returning(self.db())
            .await?;
        self.tenant_by_external_id(external_id)
            .await?
            .ok_or_else(|| AppError::internal("tenant vanished right after provisioning"))
    }

    async fn tenant_by_external_id(&self, external_id: &str) -> AppResult<Option<tenant::Model>> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::ExternalId.eq(external_id))
            .one(self.db())
            .await?)
    }
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// The scope's tenant row.
    pub async fn tenant(&self) -> AppResult<tenant::Model> {
        tenant::Entity::find_by_id(self.tenant_id())
            .one(self.db)
            .await?
            .ok_or(AppError::NotFound("tenant"))
    }
}

impl Scoped<'_, DatabaseTransaction> {
    /// Writes new settings. Run it in a write transaction that locked the tenant's
    /// chain head first, so no change decides on half of them.
    pub async fn update_settings(&self, change: &SettingsChange) -> AppResult<tenant::Model> {
        let mut row = self.tenant().await?.into_active_model();
        if let Some(mode) = change.compliance_mode {
            row.compliance_mode = Set(mode);
        }
        if let Some(flag) = change.reapproval_on_reconnect {
            row.reapproval_on_reconnect = Set(flag);
        }
        if let Some(v) = change.linkedin_limit {
            row.linkedin_limit = Set(v);
        }
        if let Some(v) = change.facebook_limit {
            row.facebook_limit = Set(v);
        }
        if let Some(v) = change.instagram_limit {
            row.instagram_limit = Set(v);
        }
        if let Some(flag) = change.host_token_access {
            row.host_token_access = Set(flag);
        }
        row.updated_at = Set(now());
        Ok(tenant::Entity::update(row).exec(self.db).await?)
    }
}

impl Store {
    /// Background work goes tenant by tenant: every tenant's key, in key order.
    pub async fn tenant_ids(&self) -> AppResult<Vec<TenantId>> {
        use sea_orm::{QueryOrder, QuerySelect};
        Ok(tenant::Entity::find()
            .select_only()
            .column(tenant::Column::Id)
            .order_by_asc(tenant::Column::Id)
            .into_tuple::<TenantId>()
            .all(self.db())
            .await?)
    }

    /// Across tenants on purpose, for the expiry sweep: the tenants with a live
    /// integration in one of `statuses` whose token ended before `at`, in key order. One
    /// statement, however many tenants have nothing due.
    pub async fn tenants_with_ended_tokens(
        &self,
        statuses: &[entity::enums::Status],
        at: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<Vec<TenantId>> {
        use entity::integration;
        use sea_orm::{QueryOrder, QuerySelect};
        Ok(integration::Entity::find()
            .select_only()
            .column(integration::Column::TenantId)
            .distinct()
            .filter(integration::Column::Status.is_in(statuses.iter().copied()))
            .filter(integration::Column::DisconnectedAt.is_null())
            .filter(integration::Column::TokenExpiresAt.lt(at))
            .order_by_asc(integration::Column::TenantId)
            .into_tuple::<TenantId>()
            .all(self.db())
            .await?)
    }
}
