//! What was done for one data-deletion request from Meta, found by the confirmation
//! code the person was given. Deliberately holds no personal data (no network user id,
//! no tenant), so the record outlives the deletion it reports on.

use crate::enums::Network;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_deletion_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub confirmation_code: String,
    /// Whose callback it came through (Facebook or Instagram).
    pub network: Network,
    /// How many integrations were invalidated and lost their stored credentials.
    pub integrations: i32,
    pub requested_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
