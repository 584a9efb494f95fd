//! Daily Digest deliveries: one row per (person, local date), claimed before anything
//! is sent.
//!
//! A claim is one statement: insert the row, or take over an existing one only when it
//! is `claimed` or `failed`, its `claimed_until` has passed and it has attempts left.
//! The runner then reads the row back and goes on only if the claim it finds is its
//! own, so two runners at the same moment never both send. A runner that dies between
//! claim and send leaves a claim that lapses at `claimed_until`; a later run takes it
//! over the same day. `sent` and `skipped` rows are final.

use chrono::{DateTime, Utc};
use entity::{
    digest_delivery::{self, Column},
    enums::DeliveryStatus,
    enums::Status,
    ids::{DeliveryId, UserId},
    integration, user,
};
use sea_orm::{
    ActiveEnum,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use super::Scoped;
use crate::error::AppResult;

/// Claims of one (person, date) at most: the first and four retries.
pub const MAX_ATTEMPTS: i32 = 5;

/// A claim to make.
pub struct Claim<'a> {
    pub user_id: UserId,
    /// The person's local date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// The runner's id.
    pub holder: &'a str,
    pub now: DateTime<Utc>,
    /// Until when the claim holds.
    pub until: DateTime<Utc>,
    /// The domain of the Message-ID made for a new row.
    pub id_domain: &'a str,
}

/// How a claimed delivery ended.
pub struct Outcome {
    pub status: DeliveryStatus,
    pub item_count: i32,
    pub error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// For a failure: when it may be tried again.
    pub retry_at: Option<DateTime<Utc>>,
}

/// Most rows a digest reads of one scope; it lists at most fifty of each kind anyway.
const ATTENTION_ROWS: u64 = 2_000;

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// Live integrations of the scope that may need attention: EXPIRED or INVALID,
    /// PENDING or ACTIVE with a token ending before `expiring_before`, and (with
    /// `pending`) every PENDING one. The digest's rules pick from these.
    pub async fn needing_attention(
        &self,
        expiring_before: DateTime<Utc>,
        pending: bool,
    ) -> AppResult<Vec<integration::Model>> {
        use integration::Column as I;
        let mut any = Condition::any()
            .add(I::Status.is_in([Status::Expired, Status::Invalid]))
            .add(
                Condition::all()
                    .add(I::Status.is_in([Status::Pending, Status::Active]))
                    .add(I::TokenExpiresAt.lt(expiring_before)),
            );
        if pending {
            any = any.add(I::Status.eq(Status::Pending));
        }
        let mut cond = Condition::all()
            .add(I::TenantId.eq(self.tenant_id()))
            .add(I::DisconnectedAt.is_null())
            .add(any);
        if let Some(owner) = self.scope.owner_id() {
            cond = cond.add(I::OwnerId.eq(owner));
        }
        Ok(integration::Entity::find()
            .filter(cond)
            .order_by_asc(I::StatusChangedAt)
            .limit(ATTENTION_ROWS)
            .all(self.db)
            .await?)
    }

    /// The tenant's people with the digest on.
    pub async fn digest_subscribers(&self) -> AppResult<Vec<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .filter(user::Column::DigestEnabled.eq(true))
            .all(self.db)
            .await?)
    }

    /// The tenant's deliveries for any of `dates`.
    pub async fn deliveries_on(&self, dates: &[String]) -> AppResult<Vec<digest_delivery::Model>> {
        Ok(digest_delivery::Entity::find()
            .filter(Column::TenantId.eq(self.tenant_id()))
            .filter(Column::DigestDate.is_in(dates.iter().cloned()))
            .all(self.db)
            .await?)
    }

    /// Claims the delivery of `claim.user_id` on `claim.date`; `None` when another
    /// runner holds it or it is done.
    pub async fn claim_digest(
        &self,
        claim: &Claim<'_>,
    ) -> AppResult<Option<digest_delivery::Model>> {
        // Compared with what is read back, so at the precision every engine stores.
        let until = super::at_stored_precision(claim.until);
        let id = DeliveryId::generate();
        let row = digest_delivery::ActiveModel {
            id: Set(id),
            tenant_id: Set(self.tenant_id()),
            user_id: Set(claim.user_id),
            digest_date: Set(claim.date.to_owned()),
            status: Set(DeliveryStatus::Claimed),
            item_count: Set(0),
            error: Set(None),
            created_at: Set(claim.now),
            attempts: Set(1),
            claimed_by: Set(Some(claim.holder.to_owned())),
            claimed_until: Set(Some(until)),
            message_id: Set(Some(format!("{}.digest@{}", id.uuid(), claim.id_domain))),
            sent_at: Set(None),
        };
        let col = |c: Column| Expr::col((digest_delivery::Entity, c));
        let mut conflict = OnConflict::columns([Column::UserId, Column::DigestDate]);
        conflict
            .values([
                (
                    Column::Status,
                    Expr::value(DeliveryStatus::Claimed.to_value()),
                ),
                (Column::Attempts, col(Column::Attempts).add(1)),
                (Column::ClaimedBy, Expr::value(claim.holder.to_owned())),
                (Column::ClaimedUntil, Expr::value(until)),
            ])
            .action_and_where(
                col(Column::Status)
                    .is_in([
                        DeliveryStatus::Claimed.to_value(),
                        DeliveryStatus::Failed.to_value(),
                    ])
                    .and(col(Column::ClaimedUntil).lt(claim.now))
                    .and(col(Column::Attempts).lt(MAX_ATTEMPTS)),
            );
        digest_delivery::Entity::insert(row)
            .on_conflict(conflict)
            .exec_without_returning(self.db)
            .await?;
        let current = digest_delivery::Entity::find()
            .filter(Column::TenantId.eq(self.tenant_id()))
            .filter(Column::UserId.eq(claim.user_id))
            .filter(Column::DigestDate.eq(claim.date))
            .one(self.db)
            .await?;
        Ok(current.filter(|row| {
            row.status == DeliveryStatus::Claimed
                && row.claimed_by.as_deref() == Some(claim.holder)
                && row.claimed_until == Some(until)
        }))
    }

    /// Records how a claimed delivery ended, if the claim is still `holder`'s; false
    /// when it lapsed and another runner took it over meanwhile.
    pub async fn finish_digest(
        &self,
        id: DeliveryId,
        holder: &str,
        outcome: Outcome,
    ) -> AppResult<bool> {
        let done = digest_delivery::Entity::update_many()
            .col_expr(Column::Status, Expr::value(outcome.status.to_value()))
            .col_expr(Column::ItemCount, Expr::value(outcome.item_count))
            .col_expr(Column::Error, Expr::value(outcome.error))
            .col_expr(Column::SentAt, Expr::value(outcome.sent_at))
            .col_expr(Column::ClaimedUntil, Expr::value(outcome.retry_at))
            .filter(Column::TenantId.eq(self.tenant_id()))
            .filter(Column::Id.eq(id))
            .filter(Column::ClaimedBy.eq(holder))
            .filter(Column::Status.eq(DeliveryStatus::Claimed))
            .exec(self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }
}
