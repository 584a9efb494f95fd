//! Facebook's data access ends 90 days after the person was last active, whatever the
//! token's own lifetime: kept apart from the token's expiry so the sweep can say which
//! one ended (DATA_ACCESS_EXPIRED or TOKEN_EXPIRED).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Integrations {
    Table,
    DataAccessExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .add_column(
                        ColumnDef::new(Integrations::DataAccessExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .drop_column(Integrations::DataAccessExpiresAt)
                    .to_owned(),
            )
            .await
    }
}
