//! GraphQL mirrors of the stored enums (`remote`), so the API and storage stay one
//! set of values while the entity types never become GraphQL types themselves.

use async_graphql::Enum;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Network")]
/// A supported network.
pub enum Network {
    Linkedin,
    Facebook,
    Instagram,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::AccountKind")]
/// What kind of account an integration connects.
pub enum AccountKind {
    /// A LinkedIn member profile.
    MemberProfile,
    /// A Facebook Page.
    FacebookPage,
    /// An Instagram business or creator account.
    InstagramProfessional,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Status")]
/// Lifecycle status of an integration.
pub enum IntegrationStatus {
    /// Connected, awaiting compliance review.
    Pending,
    /// Approved and usable.
    Active,
    /// The token's lifetime is over; reconnect.
    Expired,
    /// The network withdrew access; reconnect.
    Invalid,
    /// Compliance said no.
    Rejected,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::StatusReason")]
/// Why an integration has its status. `statusExplanation` and `statusRemedy` say it in
/// plain words.
pub enum StatusReason {
    Connected,
    ComplianceApproved,
    ComplianceRejected,
    Reconnected,
    PermissionsReduced,
    Disconnected,
    TokenExpired,
    /// No longer given (Page permissions outlive the person's Facebook data access);
    /// kept in the history of integrations that earlier versions expired for it.
    DataAccessExpired,
    /// An expiry given in error was taken back; the integration has its status again.
    ExpiryWithdrawn,
    RefreshExpired,
    PasswordChanged,
    AppDeauthorized,
    DataDeletionRequested,
    CheckpointRequired,
    UserUnconfirmed,
    TokenInvalidated,
    PageRoleLost,
    AccessRevoked,
    PermissionRevoked,
    AccountUnlinked,
    RefreshRevoked,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ComplianceMode")]
/// Who may approve an integration.
pub enum ComplianceMode {
    /// Four eyes: nobody approves or rejects their own integration.
    BrokerDealer,
    /// Owners may approve their own integrations (recorded as self-approval).
    SelfManaged,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EventKind")]
/// What an audit event records.
pub enum AuditEventKind {
    Transition,
    Note,
    /// The token was renewed at the network; the status did not change.
    Refresh,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::auth::Role")]
/// A caller's role in their tenant.
pub enum Role {
    Advisor,
    Compliance,
    Admin,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::status::Action")]
/// What the viewer can do to an integration now; drives the "Review" button.
pub enum IntegrationAction {
    Approve,
    Reject,
    Reconnect,
    Disconnect,
    AddNote,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
/// Every network clients may list, including unsupported ones.
pub enum NetworkKey {
    Linkedin,
    Facebook,
    Instagram,
    /// X (Twitter): listed, not supported.
    X,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CheckOutcome")]
/// How the last health probe of an integration ended.
pub enum CheckOutcome {
    /// The token works.
    Ok,
    /// The network said the token expired.
    Expired,
    /// The network withdrew access.
    Invalid,
    /// The network asked us to slow down; it is asked again later.
    Throttled,
    /// Timeout, server error or a malformed answer; asked again later, sooner.
    Failed,
}
