//! The publisher's reads and its claim. They cross tenants on purpose: due deliveries
//! are found and claimed for every tenant at once (one statement, served by the
//! `(status, due_at)` index), and each is then moved within its own tenant's scope
//! through the post road.

use chrono::{DateTime, Utc};
use entity::{
    enums::{DeliveryState, Status},
    integration, post_delivery,
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query, SimpleExpr},
};

use super::Store;
use crate::error::AppResult;

/// The delivery's integration can publish: ACTIVE and connected. A correlated test
/// (one primary-key probe per candidate row) rather than a list of every usable
/// integration, so a claim that stops after a batch costs the batch, however many
/// integrations the database holds.
fn usable() -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(integration::Entity)
            .and_where(
                Expr::col((integration::Entity, integration::Column::Id))
                    .equals((post_delivery::Entity, post_delivery::Column::IntegrationId)),
            )
            .and_where(integration::Column::Status.eq(Status::Active))
            .and_where(integration::Column::DisconnectedAt.is_null())
            .to_owned(),
    )
}

/// Scheduled deliveries whose time (and, after a passing fault, whose next try) has
/// come by `now`.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(post_delivery::Column::Status.eq(DeliveryState::Scheduled))
        .add(post_delivery::Column::DueAt.lte(now))
        .add(
            Condition::any()
                .add(post_delivery::Column::NextAttemptAt.is_null())
                .add(post_delivery::Column::NextAttemptAt.lte(now)),
        )
}

impl Store {
    /// Claims up to `limit` due deliveries whose integration can publish, soonest
    /// first, in one statement: each becomes PUBLISHING until `until`, one more try
    /// counted. Two claims running at once never take the same row: on PostgreSQL the
    /// rows are picked `FOR UPDATE SKIP LOCKED`, so the second claim takes the next
    /// ones, and the `status` test in the UPDATE itself stands behind that; SQLite
    /// runs one writer at a time.
    pub async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<post_delivery::Model>> {
        let ids = Query::select()
            .column(post_delivery::Column::Id)
            .from(post_delivery::Entity)
            .cond_where(due(now))
            .and_where(usable())
            .order_by(post_delivery::Column::DueAt, sea_orm::Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let column = |c: post_delivery::Column| Expr::col((post_delivery::Entity, c));
        Ok(post_delivery::Entity::update_many()
            .col_expr(
                post_delivery::Column::Status,
                Expr::value(DeliveryState::Publishing),
            )
            .col_expr(post_delivery::Column::ClaimedUntil, Expr::value(until))
            .col_expr(
                post_delivery::Column::Attempts,
                column(post_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                post_delivery::Column::Version,
                column(post_delivery::Column::Version).add(1),
            )
            .col_expr(post_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(post_delivery::Column::Id.in_subquery(ids))
            .filter(post_delivery::Column::Status.eq(DeliveryState::Scheduled))
            .exec_with_returning(self.db())
            .await?)
    }

    /// Up to `limit` due deliveries whose integration cannot publish (not ACTIVE, or
    /// disconnected): they are held, never tried.
    pub async fn due_but_blocked(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<post_delivery::Model>> {
        Ok(post_delivery::Entity::find()
            .filter(due(now))
            .filter(usable().not())
            .order_by_asc(post_delivery::Column::DueAt)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Up to `limit` deliveries still PUBLISHING after their claim ran out at `now`:
    /// the instance that sent them died (or lost its database) between the network
    /// call and the record.
    pub async fn lapsed_claims(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<post_delivery::Model>> {
        Ok(post_delivery::Entity::find()
            .filter(post_delivery::Column::Status.eq(DeliveryState::Publishing))
            .filter(post_delivery::Column::ClaimedUntil.lt(now))
            .order_by_asc(post_delivery::Column::ClaimedUntil)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Up to `limit` held deliveries due from `since` on whose integration can publish
    /// again.
    pub async fn resumable(
        &self,
        since: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<post_delivery::Model>> {
        Ok(post_delivery::Entity::find()
            .filter(post_delivery::Column::Status.eq(DeliveryState::Held))
            .filter(post_delivery::Column::DueAt.gte(since))
            .filter(usable())
            .order_by_asc(post_delivery::Column::DueAt)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
