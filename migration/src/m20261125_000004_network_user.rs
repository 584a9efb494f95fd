//! Meta's deauthorize and data-deletion callbacks name a person by the network's id of
//! them, not by the Page or account they connected: each integration keeps the id of
//! the person who signed in (`network_user_id`), found across tenants by network and
//! that id. A data-deletion request leaves a record behind, keyed by the confirmation
//! code Meta shows that person, so that a status page can answer for it; the record
//! holds no personal data (no user id, no tenant), only what was done and when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Network,
    NetworkUserId,
}

#[derive(DeriveIden)]
enum DataDeletionRequests {
    Table,
    ConfirmationCode,
    Network,
    Integrations,
    RequestedAt,
}

const INDEX: &str = "ix_integrations_network_user";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .add_column(string_len_null(Integrations::NetworkUserId, 255))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Integrations::Table)
                    .col(Integrations::Network)
                    .col(Integrations::NetworkUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DataDeletionRequests::Table)
                    .col(string_len(DataDeletionRequests::ConfirmationCode, 64).primary_key())
                    .col(string_len(DataDeletionRequests::Network, 16))
                    .col(integer(DataDeletionRequests::Integrations))
                    .col(timestamp_with_time_zone(DataDeletionRequests::RequestedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataDeletionRequests::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Integrations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .drop_column(Integrations::NetworkUserId)
                    .to_owned(),
            )
            .await
    }
}
