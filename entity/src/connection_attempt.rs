//! A server-side OAuth attempt: it lives in the database so any instance can finish
//! any callback. The `state` is stored hashed; the attempt is single use.

use crate::enums::{AttemptStatus, ConnectFailure, Network};
use sea_orm::entity::prelude::*;

use crate::ids::{AttemptId, IntegrationId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connection_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AttemptId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub network: Network,
    /// SHA-256 of the `state` sent to the network, hex.
    #[sea_orm(unique)]
    pub state_hash: String,
    /// Sealed PKCE verifier, for networks that take PKCE.
    pub pkce_verifier: Option<Vec<u8>>,
    pub return_to: Option<String>,
    /// Set for a reconnect: the integration this attempt renews.
    pub integration_id: Option<IntegrationId>,
    pub status: AttemptStatus,
    /// Why it failed, typed; `failure` is the sentence for the person.
    pub failure_code: Option<ConnectFailure>,
    pub failure: Option<String>,
    /// Accounts offered for `selectAccount` (ids and names, never tokens).
    pub candidates: Option<Json>,
    /// SHA-256 of the one-time code the callback hands to the owner's frontend; the
    /// attempt completes only with it and the owner's token.
    pub completion_hash: Option<String>,
    /// Sealed grant kept while waiting for the owner to complete the attempt.
    pub sealed_grant: Option<Vec<u8>>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
