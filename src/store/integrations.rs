//! Integrations: scoped lookups, keyset pages, counts.

use chrono::{DateTime, Utc};
use entity::{
    enums::{Network, Status},
    integration,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::Scope;
use crate::error::AppResult;

/// Which integrations a list shows. Empty vectors mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub statuses: Vec<Status>,
    pub networks: Vec<Network>,
    pub owner_id: Option<Uuid>,
    /// Only those whose token expires before this time.
    pub expiring_before: Option<DateTime<Utc>>,
    /// Disconnected integrations are hidden unless asked for.
    pub include_disconnected: bool,
}

fn scoped(scope: Scope) -> Condition {
    let mut cond = Condition::all().add(integration::Column::TenantId.eq(scope.tenant_id));
    if let Some(owner) = scope.owner_id {
        cond = cond.add(integration::Column::OwnerId.eq(owner));
    }
    cond
}

fn filtered(scope: Scope, filter: &ListFilter) -> Condition {
    let mut cond = scoped(scope);
    if !filter.statuses.is_empty() {
        cond = cond.add(integration::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if !filter.networks.is_empty() {
        cond = cond.add(integration::Column::Network.is_in(filter.networks.iter().copied()));
    }
    if let Some(owner) = filter.owner_id {
        cond = cond.add(integration::Column::OwnerId.eq(owner));
    }
    if let Some(before) = filter.expiring_before {
        cond = cond.add(integration::Column::TokenExpiresAt.lt(before));
    }
    if !filter.include_disconnected {
        cond = cond.add(integration::Column::DisconnectedAt.is_null());
    }
    cond
}

/// One integration the scope may see.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: Scope,
    id: Uuid,
) -> AppResult<Option<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(scoped(scope).add(integration::Column::Id.eq(id)))
        .one(db)
        .await?)
}

/// Up to `limit` integrations after the one with id `after`, in creation order
/// (UUIDv7 ids sort by creation), so cursors stay valid while rows are added.
pub async fn page(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<integration::Model>> {
    let mut cond = filtered(scope, filter);
    if let Some(after) = after {
        cond = cond.add(integration::Column::Id.gt(after));
    }
    Ok(integration::Entity::find()
        .filter(cond)
        .order_by_asc(integration::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// How many integrations the filter matches in the scope.
pub async fn count(db: &impl ConnectionTrait, scope: Scope, filter: &ListFilter) -> AppResult<u64> {
    Ok(integration::Entity::find()
        .filter(filtered(scope, filter))
        .count(db)
        .await?)
}

/// Live (not disconnected) integrations of the scope per status.
pub async fn count_by_status(
    db: &impl ConnectionTrait,
    scope: Scope,
) -> AppResult<Vec<(Status, i64)>> {
    Ok(integration::Entity::find()
        .select_only()
        .column(integration::Column::Status)
        .column_as(Expr::col(integration::Column::Id).count(), "n")
        .filter(scoped(scope).add(integration::Column::DisconnectedAt.is_null()))
        .group_by(integration::Column::Status)
        .into_tuple::<(Status, i64)>()
        .all(db)
        .await?)
}

/// Integrations of one owner that take a slot of the per-network limit: neither
/// disconnected nor rejected (DESIGN §1), per network.
pub async fn slots_used(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    owner_id: Uuid,
) -> AppResult<Vec<(Network, i64)>> {
    Ok(integration::Entity::find()
        .select_only()
        .column(integration::Column::Network)
        .column_as(Expr::col(integration::Column::Id).count(), "n")
        .filter(
            scoped(Scope {
                tenant_id,
                owner_id: Some(owner_id),
            })
            .add(integration::Column::DisconnectedAt.is_null())
            .add(integration::Column::Status.ne(Status::Rejected)),
        )
        .group_by(integration::Column::Network)
        .into_tuple::<(Network, i64)>()
        .all(db)
        .await?)
}

/// Writes `changed` (a copy of `current` with new values) if nobody wrote the row since
/// `current` was read; the version moves on by one. A lost race is `CONFLICT`.
pub async fn save(
    txn: &sea_orm::DatabaseTransaction,
    current: &integration::Model,
    mut changed: integration::Model,
) -> AppResult<integration::Model> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    changed.version = current.version + 1;
    changed.updated_at = super::now();
    let mut row = changed.clone().into_active_model().reset_all();
    row.id = sea_orm::ActiveValue::Unchanged(current.id);
    let result = integration::Entity::update_many()
        .set(row)
        .filter(integration::Column::Id.eq(current.id))
        .filter(integration::Column::TenantId.eq(current.tenant_id))
        .filter(integration::Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(crate::error::AppError::Conflict(
            "the integration changed while this request ran; read it again".into(),
        ));
    }
    Ok(changed)
}

/// The owner's live (not disconnected) integration of this account, if any.
pub async fn live_account(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    owner_id: Uuid,
    network: Network,
    external_account_id: &str,
) -> AppResult<Option<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(
            scoped(Scope {
                tenant_id,
                owner_id: Some(owner_id),
            })
            .add(integration::Column::Network.eq(network))
            .add(integration::Column::ExternalAccountId.eq(external_account_id))
            .add(integration::Column::DisconnectedAt.is_null()),
        )
        .one(db)
        .await?)
}

/// Inserts a new integration inside the caller's write transaction.
pub async fn insert(
    txn: &sea_orm::DatabaseTransaction,
    model: integration::Model,
) -> AppResult<integration::Model> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    Ok(
        integration::Entity::insert(model.into_active_model().reset_all())
            .exec_with_returning(txn)
            .await?,
    )
}

/// The tenant's integrations among `ids`, in one statement.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> AppResult<Vec<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(integration::Column::TenantId.eq(tenant_id))
        .filter(integration::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Records a health check: when it ran, and passing faults in a row (reset by a
/// success). No version bump: a check must not make a reviewer's action conflict.
pub async fn record_check(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
    failed: bool,
) -> AppResult<()> {
    let failures = if failed {
        Expr::col(integration::Column::ConsecutiveFailures).add(1)
    } else {
        Expr::value(0)
    };
    integration::Entity::update_many()
        .col_expr(integration::Column::LastCheckedAt, Expr::value(at))
        .col_expr(integration::Column::ConsecutiveFailures, failures)
        .filter(integration::Column::TenantId.eq(tenant_id))
        .filter(integration::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
