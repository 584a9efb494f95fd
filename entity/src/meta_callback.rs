//! A Meta callback already acted on, remembered for as long as its signature is taken
//! (24 hours from when Meta signed it), so a captured request replayed within that
//! window changes nothing. Holds a digest of the request, never the request.

use crate::enums::Network;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meta_callbacks")]
pub struct Model {
    /// Hex SHA-256 of the `signed_request` as received.
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    pub network: Network,
    /// For a data-deletion request, the confirmation code it was given: a repeat is
    /// answered with the same one.
    pub confirmation_code: Option<String>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
