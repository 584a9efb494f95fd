//! One Daily Digest per user and day; the unique key makes sending idempotent.

use crate::enums::DeliveryStatus;
use sea_orm::entity::prelude::*;

use crate::ids::{DeliveryId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DeliveryId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// The user's local date the digest covers, `YYYY-MM-DD`.
    pub digest_date: String,
    pub status: DeliveryStatus,
    pub item_count: i32,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
