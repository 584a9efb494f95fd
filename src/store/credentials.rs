//! Credentials rows: sealed tokens, kept apart from `integrations`. This module stores
//! and reads ciphertexts only; sealing and opening them is the services' business.

use chrono::{DateTime, Utc};
use entity::{
    credential,
    enums::{Network, Status},
    ids::IntegrationId,
    integration,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict, Query},
};

use super::{Scoped, Store, now};
use crate::error::AppResult;

/// One ciphertext and the id of the key that sealed it, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ciphertext {
    pub key_id: String,
    pub blob: Vec<u8>,
}

/// Sealed tokens to store for an integration.
#[derive(Debug, Clone)]
pub struct SealedTokens {
    pub access: Ciphertext,
    /// `None` keeps a stored refresh token: a grant without one never drops it.
    pub refresh: Option<Ciphertext>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

/// When a network's stored token can be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewableWhen {
    /// A refresh token is stored.
    HasRefreshToken,
    /// The token was stored before this instant (old enough to renew itself).
    StoredBefore(DateTime<Utc>),
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// Up to `limit` live integrations in one of `statuses` whose token ends between
    /// `now` and `horizon` and can be renewed now by its network's rule, soonest first.
    /// Expired tokens are left to the expiry sweep: no network renews them.
    pub async fn due_for_refresh(
        &self,
        statuses: &[Status],
        now: DateTime<Utc>,
        horizon: DateTime<Utc>,
        rules: &[(Network, RenewableWhen)],
        limit: u64,
    ) -> AppResult<Vec<integration::Model>> {
        let mut renewable = Condition::any();
        for (network, when) in rules {
            let mut stored = Query::select()
                .column(credential::Column::IntegrationId)
                .from(credential::Entity)
                .and_where(credential::Column::TenantId.eq(self.tenant_id()))
                .to_owned();
            match when {
                RenewableWhen::HasRefreshToken => {
                    stored.and_where(credential::Column::RefreshToken.is_not_null());
                }
                RenewableWhen::StoredBefore(at) => {
                    stored.and_where(credential::Column::UpdatedAt.lte(*at));
                }
            }
            renewable = renewable.add(
                Condition::all()
                    .add(integration::Column::Network.eq(*network))
                    .add(integration::Column::Id.in_subquery(stored)),
            );
        }
        Ok(integration::Entity::find()
            .filter(
                self.visible()
                    .add(integration::Column::Status.is_in(statuses.iter().copied()))
                    .add(integration::Column::DisconnectedAt.is_null())
                    .add(integration::Column::TokenExpiresAt.gt(now))
                    .add(integration::Column::TokenExpiresAt.lt(horizon))
                    .add(renewable),
            )
            .order_by_asc(integration::Column::TokenExpiresAt)
            .order_by_asc(integration::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?)
    }

    /// Destroys the integration's credentials (disconnect).
    pub async fn destroy_credentials(&self, integration_id: IntegrationId) -> AppResult<()> {
        credential::Entity::delete_many()
            .filter(credential::Column::TenantId.eq(self.tenant_id()))
            .filter(credential::Column::IntegrationId.eq(integration_id))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Writes the integration's tokens, replacing the access token, and the refresh
    /// token only when a new one came.
    pub async fn store_credentials(
        &self,
        integration_id: IntegrationId,
        tokens: SealedTokens,
    ) -> AppResult<()> {
        let has_refresh = tokens.refresh.is_some();
        let (refresh, refresh_key) = match tokens.refresh {
            Some(sealed) => (Some(sealed.blob), Some(sealed.key_id)),
            None => (None, None),
        };
        let row = credential::ActiveModel {
            integration_id: Set(integration_id),
            tenant_id: Set(self.tenant_id()),
            key_id: Set(tokens.access.key_id),
            access_token: Set(tokens.access.blob),
            refresh_token: Set(refresh),
            refresh_key_id: Set(refresh_key),
            refresh_expires_at: Set(tokens.refresh_expires_at),
            updated_at: Set(now()),
        };
        let mut update = vec![
            credential::Column::KeyId,
            credential::Column::AccessToken,
            credential::Column::UpdatedAt,
        ];
        if has_refresh {
            update.extend([
                credential::Column::RefreshToken,
                credential::Column::RefreshKeyId,
                credential::Column::RefreshExpiresAt,
            ]);
        }
        credential::Entity::insert(row)
            .on_conflict(
                OnConflict::column(credential::Column::IntegrationId)
                    .update_columns(update)
                    .to_owned(),
            )
            .exec_without_returning(self.db)
            .await?;
        Ok(())
    }

    /// The integration's stored credentials. Callers reach them only after finding the
    /// integration in their scope; the row itself is filtered by tenant.
    pub async fn credentials(
        &self,
        integration_id: IntegrationId,
    ) -> AppResult<Option<credential::Model>> {
        Ok(credential::Entity::find()
            .filter(credential::Column::TenantId.eq(self.tenant_id()))
            .filter(credential::Column::IntegrationId.eq(integration_id))
            .one(self.db)
            .await?)
    }
}

impl Store {
    /// Key rotation, across tenants on purpose: up to `limit` rows with a token sealed
    /// under another key than `newest`.
    pub async fn credentials_sealed_with_older_keys(
        &self,
        newest: &str,
        limit: u64,
    ) -> AppResult<Vec<credential::Model>> {
        Ok(credential::Entity::find()
            .filter(
                Condition::any()
                    .add(credential::Column::KeyId.ne(newest))
                    .add(credential::Column::RefreshKeyId.ne(newest)),
            )
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Replaces a row's ciphertexts (re-sealing) if it was not changed meanwhile.
    pub async fn reseal_credentials(
        &self,
        before: &credential::Model,
        access: Ciphertext,
        refresh: Option<Ciphertext>,
    ) -> AppResult<bool> {
        let mut update = credential::Entity::update_many()
            .col_expr(credential::Column::KeyId, Expr::value(access.key_id))
            .col_expr(credential::Column::AccessToken, Expr::value(access.blob));
        if let Some(refresh) = refresh {
            update = update
                .col_expr(
                    credential::Column::RefreshKeyId,
                    Expr::value(refresh.key_id),
                )
                .col_expr(credential::Column::RefreshToken, Expr::value(refresh.blob));
        }
        let result = update
            .filter(credential::Column::TenantId.eq(before.tenant_id))
            .filter(credential::Column::IntegrationId.eq(before.integration_id))
            .filter(credential::Column::UpdatedAt.eq(before.updated_at))
            .exec(self.db())
            .await?;
        Ok(result.rows_affected == 1)
    }
}
