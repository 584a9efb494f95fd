//! Reads across tenants for the repairs the server makes at start: rows that an earlier
//! version left in a state it should not have. Each returns only what the repair needs
//! to act on every row in its own tenant's scope, through the change road.

use entity::{
    enums::{Network, Status, StatusReason},
    ids::{IntegrationId, TenantId},
    integration,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Store;
use crate::error::AppResult;

/// An integration a repair moves, with whether compliance's approval stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToRepair {
    pub tenant_id: TenantId,
    pub id: IntegrationId,
    pub approved: bool,
    /// The row's version as read: the repair applies only if it has not moved since.
    pub version: i32,
}

impl Store {
    /// Across tenants on purpose: live integrations of `network` that are EXPIRED for
    /// `reason`, oldest first.
    pub async fn expired_for(
        &self,
        network: Network,
        reason: StatusReason,
    ) -> AppResult<Vec<ToRepair>> {
        type Row = (
            TenantId,
            IntegrationId,
            Option<chrono::DateTime<chrono::Utc>>,
            i32,
        );
        let rows: Vec<Row> = integration::Entity::find()
            .select_only()
            .column(integration::Column::TenantId)
            .column(integration::Column::Id)
            .column(integration::Column::ApprovedAt)
            .column(integration::Column::Version)
            .filter(integration::Column::Network.eq(network))
            .filter(integration::Column::Status.eq(Status::Expired))
            .filter(integration::Column::StatusReason.eq(reason))
            .filter(integration::Column::DisconnectedAt.is_null())
            .order_by_asc(integration::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(tenant_id, id, approved_at, version)| ToRepair {
                tenant_id,
                id,
                approved: approved_at.is_some(),
                version,
            })
            .collect())
    }
}
