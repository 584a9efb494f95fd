//! Credentials rows: only what the lifecycle needs here (destruction on disconnect).
//! Sealing and opening tokens belongs to `crypto` and the connect flow.

use entity::credential;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;

/// Destroys the integration's credentials (disconnect).
pub async fn destroy(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    integration_id: Uuid,
) -> AppResult<()> {
    credential::Entity::delete_many()
        .filter(credential::Column::TenantId.eq(tenant_id))
        .filter(credential::Column::IntegrationId.eq(integration_id))
        .exec(db)
        .await?;
    Ok(())
}
