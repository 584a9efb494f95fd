//! A person of a tenant, known by the `sub` claim; provisioned on first sight.

use sea_orm::entity::prelude::*;

use crate::ids::{TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    pub tenant_id: TenantId,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// Whether the Daily Digest is sent to this user.
    pub digest_enabled: bool,
    /// Local hour (0–23) at which the digest is sent, in `timezone`.
    pub digest_hour: i32,
    /// IANA time zone name for the digest hour.
    pub timezone: String,
    /// Where the digest goes when set; otherwise to `email` (the token's claim).
    pub digest_email: Option<String>,
    /// An address chosen for the digest that waits for its confirmation link to be
    /// followed; mail does not go there before.
    pub digest_email_pending: Option<String>,
    /// Whether the digest also lists the tenant's pending approvals and new problems
    /// (only compliance and admins may turn it on).
    pub digest_tenant_review: bool,
    /// Whether the person's last token carried the compliance or admin role: the
    /// tenant's review queue is in their digest only while it did.
    pub reviewer: bool,
    /// Moves on with every change of the digest settings and every unsubscribe: an
    /// unsubscribe link names the version it was sent under and works only while it
    /// stands.
    pub digest_version: i32,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
