//! Connection attempts: created by `connectIntegration`, claimed once by the callback,
//! completed by their owner.

use chrono::{DateTime, Utc};
use entity::{
    connection_attempt,
    enums::{AttemptStatus, ConnectFailure},
    ids::{AttemptId, IntegrationId, UserId},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, sea_query::Expr,
};

use super::{Scoped, Store, now};
use crate::error::{AppError, AppResult};

/// How a claimed attempt moves on; fields left `None` are cleared.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Why it failed: the code and the sentence for the person.
    pub failure: Option<(ConnectFailure, String)>,
    pub integration_id: Option<IntegrationId>,
    pub candidates: Option<serde_json::Value>,
    pub sealed_grant: Option<Vec<u8>>,
    pub completion_hash: Option<String>,
}

impl Store {
    /// Housekeeping across tenants: attempts past their expiry lose what they kept
    /// sealed (the network's grant, the PKCE verifier), and those still waiting are
    /// marked failed. Returns how many attempts were cleared.
    pub async fn clear_expired_attempts(&self, at: DateTime<Utc>) -> AppResult<u64> {
        use sea_orm::Condition;
        let waiting = [AttemptStatus::Started, AttemptStatus::AwaitingSelection];
        connection_attempt::Entity::update_many()
            .col_expr(
                connection_attempt::Column::Status,
                Expr::value(AttemptStatus::Failed),
            )
            .col_expr(
                connection_attempt::Column::FailureCode,
                Expr::value(ConnectFailure::SignInExpired),
            )
            .col_expr(
                connection_attempt::Column::Failure,
                Expr::value("The sign-in expired before it was completed. Connect again."),
            )
            .filter(connection_attempt::Column::ExpiresAt.lte(at))
            .filter(connection_attempt::Column::Status.is_in(waiting))
            .exec(self.db())
            .await?;
        let cleared = connection_attempt::Entity::update_many()
            .col_expr(
                connection_attempt::Column::SealedGrant,
                Expr::value(Option::<Vec<u8>>::None),
            )
            .col_expr(
                connection_attempt::Column::PkceVerifier,
                Expr::value(Option::<Vec<u8>>::None),
            )
            .filter(connection_attempt::Column::ExpiresAt.lte(at))
            .filter(
                Condition::any()
                    .add(connection_attempt::Column::SealedGrant.is_not_null())
                    .add(connection_attempt::Column::PkceVerifier.is_not_null()),
            )
            .exec(self.db())
            .await?;
        Ok(cleared.rows_affected)
    }

    /// The attempt whose `state` hashes to `state_hash`, in any tenant: the callback
    /// carries no token, the state is its credential. Continue with
    /// `Scope::tenant(attempt.tenant_id)`.
    pub async fn attempt_by_state(
        &self,
        state_hash: &str,
    ) -> AppResult<Option<connection_attempt::Model>> {
        Ok(connection_attempt::Entity::find()
            .filter(connection_attempt::Column::StateHash.eq(state_hash))
            .one(self.db())
            .await?)
    }
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    pub async fn insert_attempt(
        &self,
        model: connection_attempt::Model,
    ) -> AppResult<connection_attempt::Model> {
        if model.tenant_id != self.tenant_id() {
            return Err(AppError::internal(
                "an attempt was about to be written into another tenant",
            ));
        }
        Ok(
            connection_attempt::Entity::insert(model.into_active_model().reset_all())
                .exec_with_returning(self.db)
                .await?,
        )
    }

    /// The attempt `id` of `user_id`.
    pub async fn attempt_of_user(
        &self,
        user_id: UserId,
        id: AttemptId,
    ) -> AppResult<Option<connection_attempt::Model>> {
        Ok(connection_attempt::Entity::find()
            .filter(connection_attempt::Column::Id.eq(id))
            .filter(connection_attempt::Column::TenantId.eq(self.tenant_id()))
            .filter(connection_attempt::Column::UserId.eq(user_id))
            .one(self.db)
            .await?)
    }

    /// Takes the attempt out of `from` into `to` if it is still in `from` and unexpired;
    /// false when someone else (a replayed callback) took it first.
    pub async fn claim_attempt(
        &self,
        id: AttemptId,
        from: AttemptStatus,
        to: AttemptStatus,
        at: DateTime<Utc>,
    ) -> AppResult<bool> {
        let result = connection_attempt::Entity::update_many()
            .col_expr(connection_attempt::Column::Status, Expr::value(to))
            .filter(connection_attempt::Column::Id.eq(id))
            .filter(connection_attempt::Column::TenantId.eq(self.tenant_id()))
            .filter(connection_attempt::Column::Status.eq(from))
            .filter(connection_attempt::Column::ExpiresAt.gt(at))
            .exec(self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Records where a claimed attempt stands now.
    pub async fn finish_attempt(
        &self,
        id: AttemptId,
        status: AttemptStatus,
        update: Update,
    ) -> AppResult<()> {
        let (failure_code, failure) = update.failure.unzip();
        let mut row = connection_attempt::ActiveModel {
            status: Set(status),
            failure_code: Set(failure_code),
            failure: Set(failure),
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
        connection_attempt::Entity::update_many()
            .set(row)
            .filter(connection_attempt::Column::Id.eq(id))
            .filter(connection_attempt::Column::TenantId.eq(self.tenant_id()))
            .exec(self.db)
            .await?;
        Ok(())
    }
}
