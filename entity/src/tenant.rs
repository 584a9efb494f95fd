//! A tenant: one customer of the embedding product. Created on first sight of a valid
//! token; it also holds the head of its audit hash chain, which writers lock to take the
//! next gapless sequence number.

use crate::enums::ComplianceMode;
use sea_orm::entity::prelude::*;

use crate::ids::TenantId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TenantId,
    /// The `tenant_id` claim of the tenant's tokens.
    #[sea_orm(unique)]
    pub external_id: String,
    pub compliance_mode: ComplianceMode,
    /// When true, every reconnect goes back to PENDING even if the approval would stand.
    pub reapproval_on_reconnect: bool,
    pub linkedin_limit: i32,
    pub facebook_limit: i32,
    pub instagram_limit: i32,
    /// A trusted server-side caller (role `service`) may read the access token of an
    /// ACTIVE integration, each read audited.
    pub host_token_access: bool,
    /// Sequence number of the newest audit event (0 when there is none).
    pub chain_seq: i64,
    /// Hash of the newest audit event (the genesis hash when there is none).
    pub chain_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
