//! A Facebook Page no longer carries the person's data-access date. Meta lists the Page
//! permissions (`pages_show_list`, `pages_manage_posts`, `pages_read_engagement`,
//! `pages_manage_metadata`) among those that do not expire with data access, and a
//! Page token got from a long-lived user token has no expiry, so the date expired
//! working Pages about 90 days after they were connected. Integrations that the sweep
//! expired for that reason alone are put back by the server at start, through its
//! audited change road (SQL here could not write the hash-chained audit events).

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
                    .drop_column(Integrations::DataAccessExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
}
