//! One post aimed at one integration, with its own state, time to leave and, once
//! published, the network's id and link.

use sea_orm::entity::prelude::*;

use crate::{
    enums::{DeliveryState, Network, StatusReason},
    ids::{IntegrationId, PostDeliveryId, PostId, TenantId},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PostDeliveryId,
    pub tenant_id: TenantId,
    pub post_id: PostId,
    pub integration_id: IntegrationId,
    pub network: Network,
    pub status: DeliveryState,
    /// Why it is held: its integration's status reason when it fell due.
    pub reason: Option<StatusReason>,
    /// The network's words for a failure, or what a person must check.
    pub detail: Option<String>,
    /// When it leaves (the spread applied): set once it is scheduled.
    pub due_at: Option<DateTimeUtc>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub claimed_until: Option<DateTimeUtc>,
    pub network_post_id: Option<String>,
    pub permalink: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub published_hash: Option<String>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
