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
    /// A post's delivery to the integration moved (see `deliveryStatus`).
    Delivery,
    /// The host's server-side code read the access token (see `actor`).
    TokenRead,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PostReview")]
/// Where a post's content stands in compliance review.
pub enum PostReview {
    /// Written, not yet submitted.
    Draft,
    /// Waiting for a reviewer.
    InReview,
    /// Approved: exactly this content (its `contentHash`) may be published.
    Approved,
    /// Refused; the note says why.
    Rejected,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::DeliveryState")]
/// Where one post's delivery to one account stands.
pub enum PostDeliveryStatus {
    Draft,
    InReview,
    /// Approved, waiting for a time to leave.
    Approved,
    /// Approved, leaves at `dueAt`.
    Scheduled,
    /// Being sent to the network.
    Publishing,
    Published,
    Rejected,
    /// Due while its account is not ACTIVE; `reason` says why and the account's review
    /// says how to fix it.
    Held,
    /// Refused by the network; `detail` has its words.
    Failed,
    Cancelled,
    /// The sender stopped between the network call and the record: checked at the
    /// network, never sent again blind.
    Uncertain,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::posts::Action")]
/// What the viewer may do with a post now.
pub enum PostAction {
    Edit,
    Submit,
    Approve,
    Reject,
    Cancel,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::auth::Role")]
/// A caller's role in their tenant.
pub enum Role {
    Advisor,
    Compliance,
    Admin,
    /// The host's server-side code: reads tokens of ACTIVE integrations where allowed.
    Service,
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
