//! The audit trail: appending under the tenant's chain head, and batch reads.

use entity::{
    enums::{EventKind, Status, StatusReason},
    integration_event, tenant,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::now;
use crate::{
    domain::audit::{CanonicalEvent, chain_hash},
    error::{AppError, AppResult},
};

/// What a service wants recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub integration_id: Uuid,
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<StatusReason>,
    pub note: Option<String>,
    pub self_approval: bool,
    pub request_id: Option<String>,
}

/// Appends one event to the tenant's chain inside `txn`.
///
/// The first statement bumps the tenant's `chain_seq`, which takes the row lock (the
/// write lock on SQLite) until `txn` ends: concurrent writers of the same tenant queue
/// there, so sequence numbers are gapless and in commit order.
pub async fn append(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    event: NewEvent,
) -> AppResult<integration_event::Model> {
    let head = tenant::Entity::update_many()
        .col_expr(
            tenant::Column::ChainSeq,
            Expr::col(tenant::Column::ChainSeq).add(1),
        )
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound("tenant"))?;
    let occurred_at = now();
    let canonical = CanonicalEvent {
        tenant_id,
        seq: head.chain_seq,
        integration_id: event.integration_id,
        kind: event.kind,
        actor_id: event.actor_id,
        from_status: event.from_status,
        to_status: event.to_status,
        reason: event.reason,
        note: event.note.as_deref(),
        self_approval: event.self_approval,
        request_id: event.request_id.as_deref(),
        occurred_at,
    };
    let hash = chain_hash(&head.chain_hash, &canonical);
    let row = integration_event::ActiveModel {
        tenant_id: Set(tenant_id),
        seq: Set(head.chain_seq),
        integration_id: Set(event.integration_id),
        kind: Set(event.kind),
        actor_id: Set(event.actor_id),
        from_status: Set(event.from_status),
        to_status: Set(event.to_status),
        reason: Set(event.reason),
        note: Set(event.note),
        self_approval: Set(event.self_approval),
        request_id: Set(event.request_id),
        occurred_at: Set(occurred_at),
        prev_hash: Set(head.chain_hash),
        hash: Set(hash.clone()),
    };
    let inserted = integration_event::Entity::insert(row)
        .exec_with_returning(txn)
        .await?;
    tenant::Entity::update_many()
        .col_expr(tenant::Column::ChainHash, Expr::value(hash))
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec(txn)
        .await?;
    Ok(inserted)
}

/// Events of the tenant's integrations among `integration_ids`, in sequence order, in
/// one statement.
pub async fn for_integrations(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    integration_ids: &[Uuid],
) -> AppResult<Vec<integration_event::Model>> {
    Ok(integration_event::Entity::find()
        .filter(integration_event::Column::TenantId.eq(tenant_id))
        .filter(integration_event::Column::IntegrationId.is_in(integration_ids.iter().copied()))
        .order_by_asc(integration_event::Column::Seq)
        .all(db)
        .await?)
}
