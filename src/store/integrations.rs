//! Integrations: scoped lookups, keyset pages, counts, and the versioned write.

use chrono::{DateTime, Utc};
use entity::{
    enums::{CheckOutcome, Network, Status},
    ids::{IntegrationId, UserId},
    integration,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use super::{Scoped, now};
use crate::error::{AppError, AppResult};

/// Ids per statement when moving many integrations: under every engine's limit on
/// bound parameters.
const MOVE_CHUNK: usize = 5000;

/// What must still hold of a row when a batch moves it, beyond its status: a sweep
/// read the rows a moment earlier, outside the batch's transaction, and a token renewed
/// or reconnected in between must not be expired all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Still {
    /// Nothing beyond the status.
    Any,
    /// The token's expiry is before this time.
    TokenEndedBefore(DateTime<Utc>),
}

/// Which integrations a list shows. Empty vectors mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub statuses: Vec<Status>,
    pub networks: Vec<Network>,
    pub owner_id: Option<UserId>,
    /// Only those whose token expires before this time.
    pub expiring_before: Option<DateTime<Utc>>,
    /// Disconnected integrations are hidden unless asked for.
    pub include_disconnected: bool,
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// The scope as a condition on `integrations`.
    pub(super) fn visible(&self) -> Condition {
        let mut cond = Condition::all().add(integration::Column::TenantId.eq(self.tenant_id()));
        if let Some(owner) = self.scope.owner_id() {
            cond = cond.add(integration::Column::OwnerId.eq(owner));
        }
        cond
    }

    fn filtered(&self, filter: &ListFilter) -> Condition {
        let mut cond = self.visible();
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

    /// A condition on a column holding integration ids: for an owner's scope, only
    /// their integrations (a subquery, so a batch stays one statement).
    pub(super) fn owned_integrations(&self, column: impl ColumnTrait) -> Condition {
        match self.scope.owner_id() {
            None => Condition::all(),
            Some(owner) => Condition::all().add(
                column.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(integration::Column::Id)
                        .from(integration::Entity)
                        .and_where(integration::Column::TenantId.eq(self.tenant_id()))
                        .and_where(integration::Column::OwnerId.eq(owner))
                        .to_owned(),
                ),
            ),
        }
    }

    /// One integration the scope may see.
    pub async fn integration(&self, id: IntegrationId) -> AppResult<Option<integration::Model>> {
        Ok(integration::Entity::find()
            .filter(self.visible().add(integration::Column::Id.eq(id)))
            .one(self.db)
            .await?)
    }

    /// Up to `limit` integrations after the one with id `after`, in creation order
    /// (UUIDv7 ids sort by creation), so cursors stay valid while rows are added.
    pub async fn integrations_page(
        &self,
        filter: &ListFilter,
        after: Option<IntegrationId>,
        limit: u64,
    ) -> AppResult<Vec<integration::Model>> {
        let mut cond = self.filtered(filter);
        if let Some(after) = after {
            cond = cond.add(integration::Column::Id.gt(after));
        }
        Ok(integration::Entity::find()
            .filter(cond)
            .order_by_asc(integration::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?)
    }

    /// How many integrations the filter matches in the scope.
    pub async fn count_integrations(&self, filter: &ListFilter) -> AppResult<u64> {
        Ok(integration::Entity::find()
            .filter(self.filtered(filter))
            .count(self.db)
            .await?)
    }

    /// Live (not disconnected) integrations of the scope per status.
    pub async fn count_by_status(&self) -> AppResult<Vec<(Status, i64)>> {
        Ok(integration::Entity::find()
            .select_only()
            .column(integration::Column::Status)
            .column_as(Expr::col(integration::Column::Id).count(), "n")
            .filter(
                self.visible()
                    .add(integration::Column::DisconnectedAt.is_null()),
            )
            .group_by(integration::Column::Status)
            .into_tuple::<(Status, i64)>()
            .all(self.db)
            .await?)
    }

    /// Integrations of `owner_id` that take a slot of the per-network limit (neither
    /// disconnected nor rejected), per network.
    pub async fn slots_used(&self, owner_id: UserId) -> AppResult<Vec<(Network, i64)>> {
        Ok(integration::Entity::find()
            .select_only()
            .column(integration::Column::Network)
            .column_as(Expr::col(integration::Column::Id).count(), "n")
            .filter(
                self.visible()
                    .add(integration::Column::OwnerId.eq(owner_id))
                    .add(integration::Column::DisconnectedAt.is_null())
                    .add(integration::Column::Status.ne(Status::Rejected)),
            )
            .group_by(integration::Column::Network)
            .into_tuple::<(Network, i64)>()
            .all(self.db)
            .await?)
    }

    /// The owner's live (not disconnected) integration of this account, if any.
    pub async fn live_account(
        &self,
        owner_id: UserId,
        network: Network,
        external_account_id: &str,
    ) -> AppResult<Option<integration::Model>> {
        Ok(integration::Entity::find()
            .filter(
                self.visible()
                    .add(integration::Column::OwnerId.eq(owner_id))
                    .add(integration::Column::Network.eq(network))
                    .add(integration::Column::ExternalAccountId.eq(external_account_id))
                    .add(integration::Column::DisconnectedAt.is_null()),
            )
            .one(self.db)
            .await?)
    }

    /// The scope's integrations among `ids`, in one statement.
    pub async fn integrations_by_ids(
        &self,
        ids: &[IntegrationId],
    ) -> AppResult<Vec<integration::Model>> {
        Ok(integration::Entity::find()
            .filter(
                self.visible()
                    .add(integration::Column::Id.is_in(ids.iter().copied())),
            )
            .all(self.db)
            .await?)
    }

    /// Up to `limit` live integrations of the tenant in one of `statuses` whose token
    /// expired before `at`, oldest key first.
    pub async fn expiring(
        &self,
        statuses: &[Status],
        at: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<IntegrationId>> {
        let ended = integration::Column::TokenExpiresAt.lt(at);
        Ok(integration::Entity::find()
            .select_only()
            .column(integration::Column::Id)
            .filter(
                self.visible()
                    .add(integration::Column::Status.is_in(statuses.iter().copied()))
                    .add(integration::Column::DisconnectedAt.is_null())
                    .add(ended),
            )
            .order_by_asc(integration::Column::Id)
            .limit(limit)
            .into_tuple::<IntegrationId>()
            .all(self.db)
            .await?)
    }

    /// Records a health check: when it ran, how it ended, and passing faults in a row
    /// (reset by a definite answer). No version bump: a check must not make a
    /// reviewer's action conflict.
    pub async fn record_check(
        &self,
        id: IntegrationId,
        at: DateTime<Utc>,
        outcome: CheckOutcome,
        failed: bool,
    ) -> AppResult<()> {
        let failures = if failed {
            Expr::col(integration::Column::ConsecutiveFailures).add(1)
        } else {
            Expr::value(0)
        };
        integration::Entity::update_many()
            .col_expr(integration::Column::LastCheckedAt, Expr::value(at))
            .col_expr(integration::Column::LastCheckOutcome, Expr::value(outcome))
            .col_expr(integration::Column::ConsecutiveFailures, failures)
            .filter(self.visible().add(integration::Column::Id.eq(id)))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Up to `limit` live integrations in one of `statuses` not checked since
    /// `checked_before` (never-checked first, then the longest unchecked).
    pub async fn due_for_probe(
        &self,
        statuses: &[Status],
        checked_before: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<integration::Model>> {
        Ok(integration::Entity::find()
            .filter(
                self.visible()
                    .add(integration::Column::Status.is_in(statuses.iter().copied()))
                    .add(integration::Column::DisconnectedAt.is_null())
                    .add(
                        Condition::any()
                            .add(integration::Column::LastCheckedAt.is_null())
                            .add(integration::Column::LastCheckedAt.lt(checked_before)),
                    ),
            )
            .order_by_asc(integration::Column::LastCheckedAt)
            .order_by_asc(integration::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?)
    }
}

impl Scoped<'_, DatabaseTransaction> {
    /// Writes `changed` (a copy of `current` with new values) if nobody wrote the row
    /// since `current` was read; the version moves on by one. A lost race is `CONFLICT`.
    pub async fn save_integration(
        &self,
        current: &integration::Model,
        mut changed: integration::Model,
    ) -> AppResult<integration::Model> {
        changed.version = current.version + 1;
        changed.updated_at = now();
        let mut row = changed.clone().into_active_model().reset_all();
        row.id = sea_orm::ActiveValue::Unchanged(current.id);
        let result = integration::Entity::update_many()
            .set(row)
            .filter(
                self.visible()
                    .add(integration::Column::Id.eq(current.id))
                    .add(integration::Column::Version.eq(current.version)),
            )
            .exec(self.db)
            .await?;
        if result.rows_affected != 1 {
            return Err(AppError::Conflict(
                "the integration changed while this request ran; read it again".into(),
            ));
        }
        Ok(changed)
    }

    /// Moves the integrations among `ids` that are still in one of `from`, and of which
    /// `still` holds, to `to` with its reason, in one statement (the statement decides:
    /// nothing read earlier is trusted); returns the rows as written. The version moves
    /// on by one for each, so a reviewer who read one before gets `CONFLICT`.
    pub async fn move_integrations(
        &self,
        ids: &[IntegrationId],
        from: &[Status],
        (to, reason): (Status, entity::enums::StatusReason),
        still: Still,
        at: DateTime<Utc>,
    ) -> AppResult<Vec<integration::Model>> {
        let mut holds = Condition::all();
        if let Still::TokenEndedBefore(deadline) = still {
            holds = holds.add(integration::Column::TokenExpiresAt.lt(deadline));
        }
        let mut moved = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MOVE_CHUNK) {
            moved.extend(
                integration::Entity::update_many()
                    .col_expr(integration::Column::Status, Expr::value(to))
                    .col_expr(integration::Column::StatusReason, Expr::value(reason))
                    .col_expr(integration::Column::StatusChangedAt, Expr::value(at))
                    .col_expr(integration::Column::UpdatedAt, Expr::value(at))
                    .col_expr(
                        integration::Column::Version,
                        Expr::col(integration::Column::Version).add(1),
                    )
                    .filter(
                        self.visible()
                            .add(integration::Column::Id.is_in(chunk.iter().copied()))
                            .add(integration::Column::Status.is_in(from.iter().copied()))
                            .add(integration::Column::DisconnectedAt.is_null())
                            .add(holds.clone()),
                    )
                    .exec_with_returning(self.db)
                    .await?,
            );
        }
        moved.sort_by_key(|m| m.id);
        Ok(moved)
    }

    /// Inserts a new integration of this tenant.
    pub async fn insert_integration(
        &self,
        model: integration::Model,
    ) -> AppResult<integration::Model> {
        if model.tenant_id != self.tenant_id() {
            return Err(AppError::internal(
                "an integration was about to be written into another tenant",
            ));
        }
        Ok(
            integration::Entity::insert(model.into_active_model().reset_all())
                .exec_with_returning(self.db)
                .await?,
        )
    }
}
