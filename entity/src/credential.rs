//! The sealed tokens of one integration, kept apart from `integrations` so that no
//! query of integrations can read them by accident. Ciphertexts are AES-256-GCM with
//! the tenant and integration as associated data.

use sea_orm::entity::prelude::*;

use crate::ids::{IntegrationId, TenantId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub integration_id: IntegrationId,
    pub tenant_id: TenantId,
    /// Id of the key that sealed `access_token`, so keys can rotate.
    pub key_id: String,
    /// Nonce followed by ciphertext of the access token.
    pub access_token: Vec<u8>,
    /// Nonce followed by ciphertext of the refresh token, when the network granted one.
    pub refresh_token: Option<Vec<u8>>,
    /// Id of the key that sealed `refresh_token` (a kept refresh token may be older).
    pub refresh_key_id: Option<String>,
    pub refresh_expires_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
