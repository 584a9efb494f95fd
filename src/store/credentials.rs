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

/// Sealed tokens to store for an integration.
#[derive(Debug, Clone)]
pub struct SealedTokens {
    pub access: crate::crypto::Sealed,
    /// `None` keeps a stored refresh token: a grant without one never drops it.
    pub refresh: Option<crate::crypto::Sealed>,
    pub refresh_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Writes the integration's tokens, replacing the access token and the refresh token
/// only when a new one came.
pub async fn store(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    integration_id: Uuid,
    tokens: SealedTokens,
) -> AppResult<()> {
    use sea_orm::{ActiveValue::Set, sea_query::OnConflict};
    let at = super::now();
    let has_refresh = tokens.refresh.is_some();
    let (refresh, refresh_key) = match tokens.refresh {
        Some(sealed) => (Some(sealed.blob), Some(sealed.key_id)),
        None => (None, None),
    };
    let row = credential::ActiveModel {
        integration_id: Set(integration_id),
        tenant_id: Set(tenant_id),
        key_id: Set(tokens.access.key_id),
        access_token: Set(tokens.access.blob),
        refresh_token: Set(refresh),
        refresh_key_id: Set(refresh_key),
        refresh_expires_at: Set(tokens.refresh_expires_at),
        updated_at: Set(at),
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
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The integration's stored credentials.
pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    integration_id: Uuid,
) -> AppResult<Option<credential::Model>> {
    Ok(credential::Entity::find()
        .filter(credential::Column::TenantId.eq(tenant_id))
        .filter(credential::Column::IntegrationId.eq(integration_id))
        .one(db)
        .await?)
}

/// Up to `limit` rows with a token sealed under another key than `newest`.
pub async fn sealed_with_older_keys(
    db: &impl ConnectionTrait,
    newest: &str,
    limit: u64,
) -> AppResult<Vec<credential::Model>> {
    use sea_orm::{Condition, QuerySelect};
    Ok(credential::Entity::find()
        .filter(
            Condition::any()
                .add(credential::Column::KeyId.ne(newest))
                .add(credential::Column::RefreshKeyId.ne(newest)),
        )
        .limit(limit)
        .all(db)
        .await?)
}

/// Replaces a row's ciphertexts (re-sealing), if it was not changed meanwhile.
pub async fn reseal(
    db: &impl ConnectionTrait,
    before: &credential::Model,
    access: crate::crypto::Sealed,
    refresh: Option<crate::crypto::Sealed>,
) -> AppResult<bool> {
    use sea_orm::sea_query::Expr;
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
        .filter(credential::Column::IntegrationId.eq(before.integration_id))
        .filter(credential::Column::UpdatedAt.eq(before.updated_at))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
