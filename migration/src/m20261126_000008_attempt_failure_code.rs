//! A failed sign-in keeps a typed code beside its sentence, so a frontend can tell a
//! personal profile or a cancelled consent from a network outage.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConnectionAttempts {
    Table,
    FailureCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ConnectionAttempts::Table)
                    .add_column(
                        ColumnDef::new(ConnectionAttempts::FailureCode)
                            .string_len(32)
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
                    .table(ConnectionAttempts::Table)
                    .drop_column(ConnectionAttempts::FailureCode)
                    .to_owned(),
            )
            .await
    }
}
