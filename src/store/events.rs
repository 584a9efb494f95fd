//! The audit trail: appending under the tenant's chain head, and batch reads.

use super::{Scope, Scoped, first_rows::first_per_integration, now};
use crate::{
    domain::audit::{canonical, chain_hash},
    error::{AppError, AppResult},
};
use entity::{
    enums::{EventKind, Status, StatusReason},
    ids::{IntegrationId, TenantId, UserId},
    integration, integration_event, tenant,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};

/// What a service wants recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub integration_id: IntegrationId,
    pub kind: EventKind,
    pub actor_id: Option<UserId>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<StatusReason>,
    pub note: Option<String>,
    pub self_approval: bool,
    pub request_id: Option<String>,
    /// What a delivery event records; `None` for every other event.
    pub delivery: Option<DeliveryFacts>,
}

/// The facts a delivery event records.
#[derive(Debug, Clone)]
pub struct DeliveryFacts {
    pub post_id: entity::ids::PostId,
    pub status: entity::enums::DeliveryState,
    pub content_hash: Option<String>,
    pub network_post_id: Option<String>,
    pub permalink: Option<String>,
}

/// The tenant's chain head, held for the rest of a write transaction.
///
/// [`Scoped::lock_chain`] is the first statement of every write transaction: it takes
/// the tenant row's lock (the database write lock on SQLite) until the transaction
/// ends, so writers of one tenant queue there, read fresh state after it, and number
/// their events gaplessly in commit order.
#[derive(Debug)]
pub struct Chain {
    tenant_id: TenantId,
    seq: i64,
    hash: String,
    /// The tenant row as locked: its settings cannot change until the transaction ends.
    pub tenant: tenant::Model,
}

/// A committed event with the integration as it stood after it: what subscribers get.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub event: integration_event::Model,
    pub integration: integration::Model,
}

/// A page of the feed as read from the table.
#[derive(Debug)]
pub struct FeedPage {
    pub events: Vec<FeedEvent>,
    /// The sequence of the last event the page read, even one left out (its
    /// integration row missing): readers resume after it.
    pub scanned: Option<i64>,
    /// Whether the page read as many events as asked: more may follow.
    pub full: bool,
}

impl Scoped<'_, DatabaseTransaction> {
    /// Locks the tenant's chain head (see [`Chain`]).
    pub async fn lock_chain(&self) -> AppResult<Chain> {
        let head = tenant::Entity::update_many()
            .col_expr(
                tenant::Column::ChainSeq,
                Expr::col(tenant::Column::ChainSeq),
            )
            .filter(tenant::Column::Id.eq(self.tenant_id()))
            .exec_with_returning(self.db)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("tenant"))?;
        Ok(Chain {
            tenant_id: self.tenant_id(),
            seq: head.chain_seq,
            hash: head.chain_hash.clone(),
            tenant: head,
        })
    }
}

/// Rows per multi-row insert: under every engine's limit on bound parameters.
const INSERT_CHUNK: usize = 1000;

impl Chain {
    /// The next event after the head, hashed, and the head moved to it (in memory;
    /// [`Chain::write`] stores both).
    fn link(
        &mut self,
        event: NewEvent,
        at: chrono::DateTime<chrono::Utc>,
    ) -> integration_event::Model {
        self.seq += 1;
        let mut model = integration_event::Model {
            tenant_id: self.tenant_id,
            seq: self.seq,
            integration_id: event.integration_id,
            kind: event.kind,
            actor_id: event.actor_id,
            from_status: event.from_status,
            to_status: event.to_status,
            reason: event.reason,
            note: event.note,
            self_approval: event.self_approval,
            request_id: event.request_id,
            occurred_at: at,
            post_id: event.delivery.as_ref().map(|d| d.post_id),
            delivery_status: event.delivery.as_ref().map(|d| d.status),
            content_hash: event.delivery.as_ref().and_then(|d| d.content_hash.clone()),
            network_post_id: event
                .delivery
                .as_ref()
                .and_then(|d| d.network_post_id.clone()),
            permalink: event.delivery.and_then(|d| d.permalink),
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        model.hash = chain_hash(&self.hash, &canonical(&model));
        self.hash = model.hash.clone();
        model
    }

    /// Inserts `events` (already linked) and moves the stored head to the last.
    async fn write(
        &self,
        txn: &DatabaseTransaction,
        events: &[integration_event::Model],
    ) -> AppResult<()> {
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        for chunk in events.chunks(INSERT_CHUNK) {
            let rows = chunk
                .iter()
                .map(|m| m.clone().into_active_model().reset_all());
            integration_event::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await?;
        }
        tenant::Entity::update_many()
            .col_expr(tenant::Column::ChainSeq, Expr::value(self.seq))
            .col_expr(tenant::Column::ChainHash, Expr::value(self.hash.clone()))
            .filter(tenant::Column::Id.eq(self.tenant_id))
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Appends one event after the head and moves the head to it.
    pub async fn append(
        &mut self,
        txn: &DatabaseTransaction,
        event: NewEvent,
    ) -> AppResult<integration_event::Model> {
        let model = self.link(event, now());
        self.write(txn, std::slice::from_ref(&model)).await?;
        Ok(model)
    }

    /// Appends `events` in order, in a few multi-row statements (sweeps).
    pub async fn append_many(
        &mut self,
        txn: &DatabaseTransaction,
        events: Vec<NewEvent>,
    ) -> AppResult<Vec<integration_event::Model>> {
        let at = now();
        let linked: Vec<_> = events.into_iter().map(|e| self.link(e, at)).collect();
        if !linked.is_empty() {
            self.write(txn, &linked).await?;
        }
        Ok(linked)
    }
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// Events of the tenant's integrations among `integration_ids`, in sequence
    /// order, in one statement; the post deliveries' events only `with_deliveries`;
    /// only the `newest` of each integration when given.
    pub async fn events_for(
        &self,
        integration_ids: &[IntegrationId],
        with_deliveries: bool,
        newest: Option<u64>,
    ) -> AppResult<Vec<integration_event::Model>> {
        let mut find = integration_event::Entity::find();
        if !with_deliveries {
            find = find.filter(integration_event::Column::Kind.ne(EventKind::Delivery));
        }
        let find = find
            .filter(integration_event::Column::TenantId.eq(self.tenant_id()))
            .filter(integration_event::Column::IntegrationId.is_in(integration_ids.iter().copied()))
            .filter(self.owned_integrations(integration_event::Column::IntegrationId));
        match newest {
            Some(limit) => first_per_integration(self.db, find, "seq DESC", limit, "seq").await,
            None => Ok(find
                .order_by_asc(integration_event::Column::Seq)
                .all(self.db)
                .await?),
        }
    }

    /// The status changes (events with a new status) of the tenant's integrations among
    /// `integration_ids`, in sequence order, in one statement: what coverage is derived
    /// from, without the notes' text.
    pub async fn status_changes_for(
        &self,
        integration_ids: &[IntegrationId],
    ) -> AppResult<Vec<integration_event::Model>> {
        Ok(integration_event::Entity::find()
            .filter(integration_event::Column::TenantId.eq(self.tenant_id()))
            .filter(integration_event::Column::IntegrationId.is_in(integration_ids.iter().copied()))
            .filter(self.owned_integrations(integration_event::Column::IntegrationId))
            .filter(integration_event::Column::ToStatus.is_not_null())
            .order_by_asc(integration_event::Column::Seq)
            .all(self.db)
            .await?)
    }

    /// Up to `limit` events of the tenant after sequence `after`, in order
    /// (verification walks the chain in such pages so memory stays bounded).
    pub async fn events_after(
        &self,
        after: i64,
        limit: u64,
    ) -> AppResult<Vec<integration_event::Model>> {
        Ok(integration_event::Entity::find()
            .filter(integration_event::Column::TenantId.eq(self.tenant_id()))
            .filter(integration_event::Column::Seq.gt(after))
            .order_by_asc(integration_event::Column::Seq)
            .limit(limit)
            .all(self.db)
            .await?)
    }

    /// Up to `limit` events of the tenant after `after`, each with its integration as
    /// it is now, in sequence order: two statements. Events are tenant-wide; the
    /// caller filters what its reader may see.
    pub async fn feed_after(&self, after: i64, limit: u64) -> AppResult<FeedPage> {
        let events = self.events_after(after, limit).await?;
        let full = events.len() as u64 == limit;
        let scanned = events.last().map(|e| e.seq);
        let mut ids: Vec<IntegrationId> = events.iter().map(|e| e.integration_id).collect();
        ids.sort();
        ids.dedup();
        let whole = Scoped::new(self.db, Scope::tenant(self.tenant_id()));
        let integrations = whole.integrations_by_ids(&ids).await?;
        let events = events
            .into_iter()
            .filter_map(|event| {
                let integration = integrations
                    .iter()
                    .find(|i| i.id == event.integration_id)?
                    .clone();
                Some(FeedEvent { event, integration })
            })
            .collect();
        Ok(FeedPage {
            events,
            scanned,
            full,
        })
    }
}
