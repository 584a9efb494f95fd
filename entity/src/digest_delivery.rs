//! One Daily Digest per user and day; the unique key on (user, date) is claimed before
//! anything is sent, so two runners or a retry after a crash never send it twice.

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
    /// How many times a runner claimed it (the first claim counts).
    pub attempts: i32,
    /// Who holds the current claim (a runner's id), so a runner knows the claim it
    /// read back is its own.
    pub claimed_by: Option<String>,
    /// Until when the claim holds; afterwards a claimed or failed row may be taken again.
    pub claimed_until: Option<DateTimeUtc>,
    /// The mail's Message-ID, the same for every attempt of the day, so that a mail
    /// sent twice after a crash between sending and recording is one mail to clients.
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
