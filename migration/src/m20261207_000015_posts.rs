//! Posts and their deliveries: what the connections are for. A post is content by one
//! person, reviewed as a whole (the approval names the hash of the exact content); each
//! target integration is a delivery with its own state, due time and, once published,
//! the network's id and link. The audit trail gains the fields that record a delivery's
//! decisions and publication (post, new state, content hash, network id, permalink);
//! they are null on every other event, and an event's hash covers them only when set,
//! so the chain written before stays valid.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    TenantId,
    AuthorId,
    Text,
    Link,
    ImageUrls,
    ContentHash,
    SpreadKey,
    Review,
    ReviewNote,
    ReviewedBy,
    ReviewedAt,
    ApprovedHash,
    SelfApproved,
    ScheduledAt,
    TimeZone,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PostDeliveries {
    Table,
    Id,
    TenantId,
    PostId,
    IntegrationId,
    Network,
    Status,
    Reason,
    Detail,
    DueAt,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    NetworkPostId,
    Permalink,
    PublishedAt,
    PublishedHash,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IntegrationEvents {
    Table,
    PostId,
    DeliveryStatus,
    ContentHash,
    NetworkPostId,
    Permalink,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

async fn create_posts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Posts::Table)
                .if_not_exists()
                .col(uuid(Posts::Id).primary_key())
                .col(uuid(Posts::TenantId))
                .col(uuid(Posts::AuthorId))
                .col(text(Posts::Text))
                .col(string_len_null(Posts::Link, 2048))
                .col(text(Posts::ImageUrls))
                .col(string_len(Posts::ContentHash, 64))
                .col(string_len(Posts::SpreadKey, 64))
                .col(string_len(Posts::Review, 16))
                .col(text_null(Posts::ReviewNote))
                .col(uuid_null(Posts::ReviewedBy))
                .col(timestamp_with_time_zone_null(Posts::ReviewedAt))
                .col(string_len_null(Posts::ApprovedHash, 64))
                .col(boolean(Posts::SelfApproved).default(false))
                .col(timestamp_with_time_zone_null(Posts::ScheduledAt))
                .col(string_len(Posts::TimeZone, 64))
                .col(integer(Posts::Version))
                .col(timestamp_with_time_zone(Posts::CreatedAt))
                .col(timestamp_with_time_zone(Posts::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_posts_tenant",
                    (Posts::Table, Posts::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_posts_author",
                    (Posts::Table, Posts::AuthorId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_posts_tenant_created")
                .table(Posts::Table)
                .col(Posts::TenantId)
                .col(Posts::CreatedAt)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_posts_tenant_spread")
                .table(Posts::Table)
                .col(Posts::TenantId)
                .col(Posts::SpreadKey)
                .to_owned(),
        )
        .await
}

async fn create_deliveries(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PostDeliveries::Table)
                .if_not_exists()
                .col(uuid(PostDeliveries::Id).primary_key())
                .col(uuid(PostDeliveries::TenantId))
                .col(uuid(PostDeliveries::PostId))
                .col(uuid(PostDeliveries::IntegrationId))
                .col(string_len(PostDeliveries::Network, 16))
                .col(string_len(PostDeliveries::Status, 16))
                .col(string_len_null(PostDeliveries::Reason, 32))
                .col(text_null(PostDeliveries::Detail))
                .col(timestamp_with_time_zone_null(PostDeliveries::DueAt))
                .col(integer(PostDeliveries::Attempts).default(0))
                .col(timestamp_with_time_zone_null(PostDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(PostDeliveries::ClaimedUntil))
                .col(string_len_null(PostDeliveries::NetworkPostId, 255))
                .col(string_len_null(PostDeliveries::Permalink, 2048))
                .col(timestamp_with_time_zone_null(PostDeliveries::PublishedAt))
                .col(string_len_null(PostDeliveries::PublishedHash, 64))
                .col(integer(PostDeliveries::Version))
                .col(timestamp_with_time_zone(PostDeliveries::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_deliveries_tenant",
                    (PostDeliveries::Table, PostDeliveries::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_deliveries_post",
                    (PostDeliveries::Table, PostDeliveries::PostId),
                    (Posts::Table, Posts::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_deliveries_integration",
                    (PostDeliveries::Table, PostDeliveries::IntegrationId),
                    (Integrations::Table, Integrations::Id),
                ))
                .to_owned(),
        )
        .await?;
    for (name, columns) in [
        ("ix_deliveries_post", vec![PostDeliveries::PostId]),
        (
            "ix_deliveries_due",
            vec![PostDeliveries::Status, PostDeliveries::DueAt],
        ),
        (
            "ix_deliveries_integration",
            vec![PostDeliveries::IntegrationId, PostDeliveries::Status],
        ),
    ] {
        let mut index = Index::create();
        index.name(name).table(PostDeliveries::Table);
        for column in columns {
            index.col(column);
        }
        manager.create_index(index.to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_posts(manager).await?;
        create_deliveries(manager).await?;
        // One column per statement: SQLite alters one at a time.
        for column in [
            uuid_null(IntegrationEvents::PostId),
            string_len_null(IntegrationEvents::DeliveryStatus, 16),
            string_len_null(IntegrationEvents::ContentHash, 64),
            string_len_null(IntegrationEvents::NetworkPostId, 255),
            string_len_null(IntegrationEvents::Permalink, 2048),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(IntegrationEvents::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            IntegrationEvents::Permalink,
            IntegrationEvents::NetworkPostId,
            IntegrationEvents::ContentHash,
            IntegrationEvents::DeliveryStatus,
            IntegrationEvents::PostId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IntegrationEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(PostDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Posts::Table).to_owned())
            .await
    }
}
