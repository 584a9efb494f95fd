//! `AuditEvent`: one entry of the tenant's tamper-evident trail.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::integration_event;

use super::{
    User,
    enums::{AuditEventKind, IntegrationStatus, PostDeliveryStatus, StatusReason},
};
use crate::graphql::{
    context::ContextExt,
    ids::{IntegrationGid, PostGid},
};

pub struct AuditEvent(pub integration_event::Model);

#[Object]
impl AuditEvent {
    /// The tenant-wide, gapless sequence number (also the subscription cursor).
    async fn sequence(&self) -> i64 {
        self.0.seq
    }
    async fn kind(&self) -> AuditEventKind {
        self.0.kind.into()
    }
    async fn integration_id(&self) -> IntegrationGid {
        self.0.integration_id.into()
    }
    /// Who did it; null for the system (expiry, network signals).
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.actor_id {
            Some(id) => Ok(Some(ctx.user(id).await?)),
            None => Ok(None),
        }
    }
    async fn from_status(&self) -> Option<IntegrationStatus> {
        self.0.from_status.map(Into::into)
    }
    async fn to_status(&self) -> Option<IntegrationStatus> {
        self.0.to_status.map(Into::into)
    }
    async fn reason(&self) -> Option<StatusReason> {
        self.0.reason.map(Into::into)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The owner approved their own integration (SELF_MANAGED tenants).
    async fn self_approval(&self) -> bool {
        self.0.self_approval
    }
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// For a DELIVERY event: the post whose delivery to this integration moved.
    async fn post_id(&self) -> Option<PostGid> {
        self.0.post_id.map(Into::into)
    }
    /// For a DELIVERY event: the delivery's new status.
    async fn delivery_status(&self) -> Option<PostDeliveryStatus> {
        self.0.delivery_status.map(Into::into)
    }
    /// For a DELIVERY event: the hash of the content decided on or published.
    async fn content_hash(&self) -> Option<&str> {
        self.0.content_hash.as_deref()
    }
    /// For a publication: the network's id of the post.
    async fn network_post_id(&self) -> Option<&str> {
        self.0.network_post_id.as_deref()
    }
    /// For a publication: where the post can be seen.
    async fn permalink(&self) -> Option<&str> {
        self.0.permalink.as_deref()
    }
    /// Hash of the previous event of the tenant's chain.
    async fn previous_hash(&self) -> &str {
        &self.0.prev_hash
    }
    /// SHA-256 over the previous hash and this event's canonical form.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}
