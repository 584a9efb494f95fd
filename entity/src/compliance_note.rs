//! A note written by compliance on an integration; never edited.

use sea_orm::entity::prelude::*;

use crate::ids::{IntegrationId, NoteId, TenantId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NoteId,
    pub tenant_id: TenantId,
    pub integration_id: IntegrationId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
