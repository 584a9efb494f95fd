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
    /// No longer given: earlier versions expired Facebook Pages when the person's
    /// data access ended, which Page permissions outlive. Kept for the history of
    /// integrations it was given to.
    #[sea_orm(string_value = "data_access_expired")]
    DataAccessExpired,
    /// An expiry given in error was taken back (a Page expired on its person's
    /// data-access date): the integration is back in the status it had.
    #[sea_orm(string_value = "expiry_withdrawn")]
    ExpiryWithdrawn,
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
    /// The sign-in ended without a connection (`failure_code` and `failure` say why).
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// Why a sign-in ended without a connection. The refusals a person can act on have
/// codes of their own, apart from `ProviderError` (the network failed us), because a
/// frontend must say "connect a Page instead", not "try again later".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectFailure {
    /// The person declined at the network's consent screen.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// A Facebook login that shared no Page: a personal profile, or a person who
    /// ticked no Page in Facebook's Page picker (Facebook cannot tell us which).
    #[sea_orm(string_value = "personal_profile")]
    PersonalProfile,
    /// The person unticked, in the network's dialog, a permission that posting needs.
    #[sea_orm(string_value = "permission_declined")]
    PermissionDeclined,
    /// Pages, but none where the person may post.
    #[sea_orm(string_value = "no_posting_role")]
    NoPostingRole,
    /// An Instagram account that is not a business or creator account.
    #[sea_orm(string_value = "personal_instagram_account")]
    PersonalInstagramAccount,
    /// The ten minutes of the sign-in passed before the network sent the person back.
    #[sea_orm(string_value = "sign_in_expired")]
    SignInExpired,
    /// The network sent back a sign-in this server never started (or without its state,
    /// or for another network).
    #[sea_orm(string_value = "sign_in_unknown")]
    SignInUnknown,
    /// The sign-in was already finished once (a reload or a replay of the callback).
    #[sea_orm(string_value = "sign_in_used")]
    SignInUsed,
    /// The person's slots of the network were used meanwhile.
    #[sea_orm(string_value = "limit_reached")]
    LimitReached,
    /// A reconnect signed in as another account than the integration's.
    #[sea_orm(string_value = "account_mismatch")]
    AccountMismatch,
    /// The integration changed so that the connection may not finish (disconnected,
    /// approved meanwhile); the sentence says what.
    #[sea_orm(string_value = "not_allowed")]
    NotAllowed,
    /// The network was over its rate limit.
    #[sea_orm(string_value = "rate_limited")]
    RateLimited,
    /// The network answered with an error, or not at all.
    #[sea_orm(string_value = "provider_error")]
    ProviderError,
    /// Our fault; logged.
    #[sea_orm(string_value = "internal")]
    Internal,
}

impl ConnectFailure {
    /// The code clients switch on (`extensions.code`, the callback message, the
    /// redirect), the same as the GraphQL enum value.
    pub fn code(self) -> &'static str {
        match self {
            ConnectFailure::Cancelled => "CANCELLED",
            ConnectFailure::PersonalProfile => "PERSONAL_PROFILE",
            ConnectFailure::NoPostingRole => "NO_POSTING_ROLE",
            ConnectFailure::PermissionDeclined => "PERMISSION_DECLINED",
            ConnectFailure::PersonalInstagramAccount => "PERSONAL_INSTAGRAM_ACCOUNT",
            ConnectFailure::SignInExpired => "SIGN_IN_EXPIRED",
            ConnectFailure::SignInUnknown => "SIGN_IN_UNKNOWN",
            ConnectFailure::SignInUsed => "SIGN_IN_USED",
            ConnectFailure::LimitReached => "LIMIT_REACHED",
            ConnectFailure::AccountMismatch => "ACCOUNT_MISMATCH",
            ConnectFailure::NotAllowed => "NOT_ALLOWED",
            ConnectFailure::RateLimited => "RATE_LIMITED",
            ConnectFailure::ProviderError => "PROVIDER_ERROR",
            ConnectFailure::Internal => "INTERNAL",
        }
    }
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
    /// A post's delivery to the integration moved (`delivery_status` says where): a
    /// submission, a review decision (with the content hash it is bound to), a
    /// schedule, a cancellation, a publication (with the network's id and link).
    #[sea_orm(string_value = "delivery")]
    Delivery,
    /// A trusted server-side caller of the host read the integration's access token.
    #[sea_orm(string_value = "token_read")]
    TokenRead,
}

/// Where a post's content stands in compliance review. An edit of approved or
/// rejected content sends it back to `InReview`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostReview {
    /// Written, not yet submitted.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Waiting for a reviewer.
    #[sea_orm(string_value = "in_review")]
    InReview,
    /// Approved, bound to the content's hash.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Refused with a note.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// Where one delivery of a post (the post to one integration) stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "in_review")]
    InReview,
    /// Approved, waiting for a time to leave.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Approved with a time to leave (`due_at`).
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// Being sent to the network.
    #[sea_orm(string_value = "publishing")]
    Publishing,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Due while its integration is not ACTIVE; the reason is the integration's.
    #[sea_orm(string_value = "held")]
    Held,
    /// Refused by the network, in its words.
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// The sender died between the network call and the record: checked, never
    /// retried blind.
    #[sea_orm(string_value = "uncertain")]
    Uncertain,
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
