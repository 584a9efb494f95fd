//! The expiry sweep finds the tenants with an ended token in one statement instead of
//! asking every tenant: an index on the token's expiry keeps that statement to the rows
//! that are due, however many tenants and integrations there are.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Integrations {
    Table,
    TokenExpiresAt,
}

const INDEX: &str = "ix_integrations_token_expires_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Integrations::Table)
                    .col(Integrations::TokenExpiresAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Integrations::Table)
                    .to_owned(),
            )
            .await
    }
}
