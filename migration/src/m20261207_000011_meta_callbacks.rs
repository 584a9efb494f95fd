//! Meta callbacks already acted on, so that a captured one replayed within the 24 hours
//! its signature is taken changes nothing (it would otherwise withdraw an integration
//! the person connected again since). Rows older than a day are cleared by the
//! housekeeping job.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MetaCallbacks {
    Table,
    Digest,
    Network,
    ConfirmationCode,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MetaCallbacks::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MetaCallbacks::Digest)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MetaCallbacks::Network)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MetaCallbacks::ConfirmationCode)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MetaCallbacks::ReceivedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_meta_callbacks_received_at")
                    .table(MetaCallbacks::Table)
                    .col(MetaCallbacks::ReceivedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MetaCallbacks::Table).to_owned())
            .await
    }
}
