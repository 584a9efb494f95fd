//! The sandbox networks keep the tokens they issued (hashed), so a development server
//! restarted on the same database still recognises its integrations' tokens.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SandboxTokens {
    Table,
    TokenHash,
    Login,
    Page,
    Condition,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SandboxTokens::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(SandboxTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SandboxTokens::Login)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SandboxTokens::Page).string_len(64).null())
                    .col(
                        ColumnDef::new(SandboxTokens::Condition)
                            .string_len(32)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SandboxTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SandboxTokens::Table).to_owned())
            .await
    }
}
