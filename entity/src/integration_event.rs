//! The append-only audit trail. Events of a tenant form a hash chain numbered by a
//! gapless sequence; the sequence number is also the subscription cursor.

use crate::enums::{DeliveryState, EventKind, Status, StatusReason};
use sea_orm::entity::prelude::*;

use crate::ids::{IntegrationId, PostId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integration_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: TenantId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub integration_id: IntegrationId,
    pub kind: EventKind,
    /// The acting user; `None` for the system (expiry, probes, network callbacks).
    pub actor_id: Option<UserId>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<StatusReason>,
    pub note: Option<String>,
    /// An owner approving their own integration (SELF_MANAGED mode).
    pub self_approval: bool,
    pub request_id: Option<String>,
    pub occurred_at: DateTimeUtc,
    /// For a delivery event: the post, the delivery's new state, the hash of the
    /// content decided on or published, and the network's id and link once published.
    pub post_id: Option<PostId>,
    pub delivery_status: Option<DeliveryState>,
    pub content_hash: Option<String>,
    pub network_post_id: Option<String>,
    pub permalink: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
