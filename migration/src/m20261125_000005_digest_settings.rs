//! The Daily Digest: where each person wants it (an address of their own), whether a
//! compliance person wants the tenant's review queue in it, and what a delivery needs to
//! be claimed before sending and retried after a failure or a crash.
//!
//! Until now nobody could choose the digest, so the stored choice was a placeholder:
//! it is reset to "off at 08:00" and people turn it on themselves.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    DigestEnabled,
    DigestHour,
    DigestEmail,
    DigestTenantReview,
}

#[derive(DeriveIden)]
enum DigestDeliveries {
    Table,
    TenantId,
    DigestDate,
    Attempts,
    ClaimedBy,
    ClaimedUntil,
    MessageId,
    SentAt,
}

/// One column per statement: SQLite alters one column at a time.
fn add(table: impl IntoIden, mut column: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(table)
        .add_column(&mut column)
        .to_owned()
}

fn drop(table: impl IntoIden, column: impl IntoIden) -> TableAlterStatement {
    Table::alter().table(table).drop_column(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let steps = [
            add(
                Users::Table,
                ColumnDef::new(Users::DigestEmail)
                    .string_len(320)
                    .null()
                    .to_owned(),
            ),
            add(
                Users::Table,
                ColumnDef::new(Users::DigestTenantReview)
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            ),
            add(
                DigestDeliveries::Table,
                ColumnDef::new(DigestDeliveries::Attempts)
                    .integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            ),
            add(
                DigestDeliveries::Table,
                ColumnDef::new(DigestDeliveries::ClaimedBy)
                    .string_len(128)
                    .null()
                    .to_owned(),
            ),
            add(
                DigestDeliveries::Table,
                ColumnDef::new(DigestDeliveries::ClaimedUntil)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            add(
                DigestDeliveries::Table,
                ColumnDef::new(DigestDeliveries::MessageId)
                    .string_len(255)
                    .null()
                    .to_owned(),
            ),
            add(
                DigestDeliveries::Table,
                ColumnDef::new(DigestDeliveries::SentAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
        ];
        for step in steps {
            manager.alter_table(step).await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(Users::DigestEnabled, false)
                    .value(Users::DigestHour, 8)
                    .to_owned(),
            )
            .await?;
        // The job reads a tenant's deliveries of the current local dates.
        manager
            .create_index(
                Index::create()
                    .name("ix_digests_tenant_date")
                    .table(DigestDeliveries::Table)
                    .col(DigestDeliveries::TenantId)
                    .col(DigestDeliveries::DigestDate)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_digests_tenant_date").to_owned())
            .await?;
        let steps = [
            drop(DigestDeliveries::Table, DigestDeliveries::SentAt),
            drop(DigestDeliveries::Table, DigestDeliveries::MessageId),
            drop(DigestDeliveries::Table, DigestDeliveries::ClaimedUntil),
            drop(DigestDeliveries::Table, DigestDeliveries::ClaimedBy),
            drop(DigestDeliveries::Table, DigestDeliveries::Attempts),
            drop(Users::Table, Users::DigestTenantReview),
            drop(Users::Table, Users::DigestEmail),
        ];
        for step in steps {
            manager.alter_table(step).await?;
        }
        Ok(())
    }
}
