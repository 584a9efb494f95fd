//! The page a compliance officer reads, the tenant's integrations in id order, gets an
//! index of its own. Without one, PostgreSQL's cached plan for the parameterized page
//! statement walked the primary key from the start and skipped every other tenant's
//! rows: thousands of rows read for a page of fifty once there are many tenants.
//!
//! Building it blocks writes to `integrations` for as long as it takes; on a large
//! table an operator may build it first with `CREATE INDEX CONCURRENTLY
//! ix_integrations_tenant_page ON integrations (tenant_id, id)`, and this migration
//! then keeps it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Integrations {
    Table,
    TenantId,
    Id,
}

const NAME: &str = "ix_integrations_tenant_page";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name(NAME)
                    .table(Integrations::Table)
                    .col(Integrations::TenantId)
                    .col(Integrations::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Integrations::Table)
                    .to_owned(),
            )
            .await
    }
}
