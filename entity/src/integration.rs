//! One connected account of one user. The row is never deleted: disconnecting sets
//! `disconnected_at`, destroys the credentials and keeps the history.

use crate::enums::{AccountKind, CheckOutcome, Network, Status, StatusReason};
use sea_orm::entity::prelude::*;

use crate::ids::{IntegrationId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    /// UUIDv7: its order is creation order, which pagination relies on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: IntegrationId,
    pub tenant_id: TenantId,
    pub owner_id: UserId,
    pub network: Network,
    pub account_kind: AccountKind,
    pub external_account_id: String,
    /// The network's id of the person who signed in (Facebook: their app-scoped user
    /// id; Instagram: the Instagram user id). Meta's deauthorize and data-deletion
    /// callbacks name people by it. `None` for LinkedIn and rows connected before it
    /// was recorded.
    pub network_user_id: Option<String>,
    pub display_name: String,
    pub profile_url: Option<String>,
    pub status: Status,
    pub status_reason: StatusReason,
    pub status_changed_at: DateTimeUtc,
    pub connected_at: DateTimeUtc,
    /// Set when compliance approved it; cleared by a rejection. "Approval still stands"
    /// on reconnect is decided against this and `approved_scopes`.
    pub approved_at: Option<DateTimeUtc>,
    /// Space-separated permissions (scopes, Page tasks) the current grant holds.
    pub granted_scopes: String,
    /// Space-separated permissions (scopes, Page tasks) held when approved.
    pub approved_scopes: Option<String>,
    pub token_expires_at: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
    /// How the last probe ended; `None` before the first.
    pub last_check_outcome: Option<CheckOutcome>,
    /// Passing faults in a row (timeouts, 5xx, 429); never changes the status by itself.
    pub consecutive_failures: i32,
    /// Optimistic lock: every write checks the version it read and bumps it.
    pub version: i32,
    pub disconnected_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
