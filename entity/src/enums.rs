//! Every enumerated value that is stored. Values are stored as short lowercase strings
//! so that the same schema works on SQLite and PostgreSQL and a row reads well in psql.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A supported social network. X/Twitter is deliberately absent: it can never be stored.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Network {
    #[sea_orm(string_value = "linkedin")]
    Linkedin,
    #[sea_orm(string_value = "facebook")]
    Facebook,
    #[sea_orm(string_value = "instagram")]
    Instagram,
}

/// What kind of account on the network an integration stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountKind {
    /// A LinkedIn member profile (OpenID Connect identity).
    #[sea_orm(string_value = "member_profile")]
    MemberProfile,
    /// A Facebook Page the user administers.
    #[sea_orm(string_value = "facebook_page")]
    FacebookPage,
    /// An Instagram business or creator account.
    #[sea_orm(string_value = "instagram_professional")]
    InstagramProfessional,
}

/// Lifecycle status of an integration.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "expired")]
    Expired,
    #[sea_orm(string_value = "invalid")]
    Invalid,
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// Why an integration has its current status: lifecycle reasons first, then the
/// reasons mapped from the networks' error signals.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusReason {
    #[sea_orm(string_value = "connected")]
    Connected,
    #[sea_orm(string_value = "compliance_approved")]
    ComplianceApproved,
    #[sea_orm(string_value = "compliance_rejected")]
    ComplianceRejected,
    #[sea_orm(string_value = "reconnected")]
    Reconnected,
    #[sea_orm(string_value = "permissions_reduced")]
    PermissionsReduced,
    #[sea_orm(string_value = "disconnected")]
    Disconnected,
    #[sea_orm(string_value = "token_expired")]
    TokenExpired,
    #[sea_orm(string_value = "data_access_expired")]
    DataAccessExpired,
    #[sea_orm(string_value = "refresh_expired")]
    RefreshExpired,
    #[sea_orm(string_value = "password_changed")]
    PasswordChanged,
    #[sea_orm(string_value = "app_deauthorized")]
    AppDeauthorized,
    #[sea_orm(string_value = "data_deletion_requested")]
    DataDeletionRequested,
    #[sea_orm(string_value = "checkpoint_required")]
    CheckpointRequired,
    #[sea_orm(string_value = "user_unconfirmed")]
    UserUnconfirmed,
    #[sea_orm(string_value = "token_invalidated")]
    TokenInvalidated,
    #[sea_orm(string_value = "page_role_lost")]
    PageRoleLost,
    #[sea_orm(string_value = "access_revoked")]
    AccessRevoked,
    #[sea_orm(string_value = "permission_revoked")]
    PermissionRevoked,
    #[sea_orm(string_value = "account_unlinked")]
    AccountUnlinked,
    #[sea_orm(string_value = "refresh_revoked")]
    RefreshRevoked,
}

/// Whether the owner of an integration may approve it (the tenant's compliance mode).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceMode {
    /// Four eyes: nobody approves or rejects their own integration.
    #[sea_orm(string_value = "broker_dealer")]
    BrokerDealer,
    /// The owner may approve their own integration (recorded as self-approval).
    #[sea_orm(string_value = "self_managed")]
    SelfManaged,
}

/// How the last health probe of an integration ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckOutcome {
    /// The token works.
    #[sea_orm(string_value = "ok")]
    Ok,
    /// The network said the token expired.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// The network withdrew access.
    #[sea_orm(string_value = "invalid")]
    Invalid,
    /// The network asked us to slow down (429 and kin): a passing fault.
    #[sea_orm(string_value = "throttled")]
    Throttled,
    /// Timeout, 5xx, malformed answer: a passing fault.
    /// The last send failed (`error` says why); retried later the same day.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// Where a server-side OAuth connection attempt stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttemptStatus {
    /// Waiting for the network to call back.
    #[sea_orm(string_value = "started")]
    Started,
    /// The network answered; waiting for the owner to complete it with the code the
    /// callback handed to their frontend (and to pick an account when there are several).
    #[sea_orm(string_value = "awaiting_selection")]
    AwaitingSelection,
    #[sea_orm(string_value = "completed")]
    Completed,
    /// The last send failed (`error` says why); retried later the same day.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// What an audit event records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    /// A status transition (including the first one, on connection).
    #[sea_orm(string_value = "transition")]
    Transition,
    /// A compliance note without a status change.
    #[sea_orm(string_value = "note")]
    Note,
    /// The system renewed the token without a status change; the note says until when.
    #[sea_orm(string_value = "refresh")]
    Refresh,
}

/// Where one Daily Digest of a (user, local date) stands. `Claimed` and `Failed` rows
/// may be taken again once `claimed_until` has passed; the others are final.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// A runner took it and is composing or sending it until `claimed_until`.
    #[sea_orm(string_value = "claimed")]
    Claimed,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// The last send failed (`error` says why); retried later the same day.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Nothing needed attention, so no mail was sent.
    #[sea_orm(string_value = "skipped")]
    Skipped,
}
