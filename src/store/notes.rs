//! Compliance notes, read in batches for the notes loader.

use entity::compliance_note;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppResult;

/// Notes of the tenant's integrations among `integration_ids`, oldest first, in one
/// statement.
pub async fn for_integrations(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    integration_ids: &[Uuid],
) -> AppResult<Vec<compliance_note::Model>> {
    Ok(compliance_note::Entity::find()
        .filter(compliance_note::Column::TenantId.eq(tenant_id))
        .filter(compliance_note::Column::IntegrationId.is_in(integration_ids.iter().copied()))
        .order_by_asc(compliance_note::Column::CreatedAt)
        .order_by_asc(compliance_note::Column::Id)
        .all(db)
        .await?)
}

/// Records a note inside the caller's write transaction.
pub async fn insert(
    txn: &sea_orm::DatabaseTransaction,
    tenant_id: Uuid,
    integration_id: Uuid,
    author_id: Uuid,
    body: &str,
) -> AppResult<compliance_note::Model> {
    use sea_orm::ActiveValue::Set;
    let row = compliance_note::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        integration_id: Set(integration_id),
        author_id: Set(author_id),
        body: Set(body.to_owned()),
        created_at: Set(super::now()),
    };
    Ok(compliance_note::Entity::insert(row)
        .exec_with_returning(txn)
        .await?)
}
