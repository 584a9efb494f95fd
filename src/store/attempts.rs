//! Connection attempts: created by `connectIntegration`, claimed once by the callback.

use chrono::{DateTime, Utc};
use entity::{connection_attempt, enums::AttemptStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::now;
use crate::error::AppResult;

pub async fn insert(
    db: &impl ConnectionTrait,
    model: connection_attempt::Model,
) -> AppResult<connection_attempt::Model> {
    use sea_orm::ActiveModelTrait;
    Ok(
        connection_attempt::Entity::insert(model.into_active_model().reset_all())
            .exec_with_returning(db)
            .await?,
    )
}

/// The attempt whose `state` hashes to `state_hash` (any tenant: the callback has no
/// token, the state is its credential).
pub async fn by_state(
    db: &impl ConnectionTrait,
    state_hash: &str,
) -> AppResult<Option<connection_attempt::Model>> {
    Ok(connection_attempt::Entity::find()
        .filter(connection_attempt::Column::StateHash.eq(state_hash))
        .one(db)
        .await?)
}

/// The attempt `id` of this user.
pub async fn of_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> AppResult<Option<connection_attempt::Model>> {
    Ok(connection_attempt::Entity::find()
        .filter(connection_attempt::Column::Id.eq(id))
        .filter(connection_attempt::Column::TenantId.eq(tenant_id))
        .filter(connection_attempt::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Takes the attempt out of `from` into `to` if it is still in `from` and unexpired;
/// false when someone else (a replayed callback) took it first.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: AttemptStatus,
    to: AttemptStatus,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let result = connection_attempt::Entity::update_many()
        .col_expr(connection_attempt::Column::Status, Expr::value(to))
        .filter(connection_attempt::Column::Id.eq(id))
        .filter(connection_attempt::Column::Status.eq(from))
        .filter(connection_attempt::Column::ExpiresAt.gt(at))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// How a claimed attempt moves on; fields left `None` are cleared.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub failure: Option<String>,
    pub integration_id: Option<Uuid>,
    pub candidates: Option<serde_json::Value>,
    pub sealed_grant: Option<Vec<u8>>,
    pub completion_hash: Option<String>,
}

/// Records where a claimed attempt stands now.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: AttemptStatus,
    update: Update,
) -> AppResult<()> {
    let mut row = connection_attempt::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        status: Set(status),
        failure: Set(update.failure),
        candidates: Set(update.candidates),
        sealed_grant: Set(update.sealed_grant),
        completion_hash: Set(update.completion_hash),
        ..Default::default()
    };
    if update.integration_id.is_some() {
        row.integration_id = Set(update.integration_id);
    }
    if matches!(status, AttemptStatus::Completed | AttemptStatus::Failed) {
        row.completed_at = Set(Some(now()));
    }
    connection_attempt::Entity::update(row).exec(db).await?;
    Ok(())
}
