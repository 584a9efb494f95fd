//! The whole data model (tenants, people, integrations, tokens, sign-ins, notes, the
//! audit trail, digests, job leases), created at once so that later work adds
//! behaviour rather than tables.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    ExternalId,
    ComplianceMode,
    ReapprovalOnReconnect,
    LinkedinLimit,
    FacebookLimit,
    InstagramLimit,
    ChainSeq,
    ChainHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Subject,
    Email,
    Name,
    DigestEnabled,
    DigestHour,
    Timezone,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
    TenantId,
    OwnerId,
    Network,
    AccountKind,
    ExternalAccountId,
    DisplayName,
    ProfileUrl,
    Status,
    StatusReason,
    StatusChangedAt,
    ConnectedAt,
    GrantedScopes,
    ApprovedAt,
    ApprovedScopes,
    TokenExpiresAt,
    LastCheckedAt,
    ConsecutiveFailures,
    Version,
    DisconnectedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    IntegrationId,
    TenantId,
    KeyId,
    AccessToken,
    RefreshToken,
    RefreshKeyId,
    RefreshExpiresAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConnectionAttempts {
    Table,
    Id,
    TenantId,
    UserId,
    Network,
    StateHash,
    PkceVerifier,
    ReturnTo,
    IntegrationId,
    Status,
    Failure,
    Candidates,
    CompletionHash,
    SealedGrant,
    ExpiresAt,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum ComplianceNotes {
    Table,
    Id,
    TenantId,
    IntegrationId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IntegrationEvents {
    Table,
    TenantId,
    Seq,
    IntegrationId,
    Kind,
    ActorId,
    FromStatus,
    ToStatus,
    Reason,
    Note,
    SelfApproval,
    RequestId,
    OccurredAt,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum DigestDeliveries {
    Table,
    Id,
    TenantId,
    UserId,
    DigestDate,
    Status,
    ItemCount,
    Error,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Name,
    Holder,
    ExpiresAt,
    UpdatedAt,
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

fn ts(col: impl IntoIden) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tenants_users(manager).await?;
        create_integrations(manager).await?;
        index_integrations(manager).await?;
        create_credentials_connection_attempts(manager).await?;
        create_compliance_notes(manager).await?;
        create_integration_events(manager).await?;
        create_digest_deliveries_job_leases(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            JobLeases::Table.into_iden(),
            DigestDeliveries::Table.into_iden(),
            IntegrationEvents::Table.into_iden(),
            ComplianceNotes::Table.into_iden(),
            ConnectionAttempts::Table.into_iden(),
            Credentials::Table.into_iden(),
            Integrations::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_tenants_users(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Tenants::Table)
                .col(uuid(Tenants::Id).primary_key())
                .col(string_len_uniq(Tenants::ExternalId, 255))
                .col(string_len(Tenants::ComplianceMode, 16))
                .col(boolean(Tenants::ReapprovalOnReconnect))
                .col(integer(Tenants::LinkedinLimit))
                .col(integer(Tenants::FacebookLimit))
                .col(integer(Tenants::InstagramLimit))
                .col(big_integer(Tenants::ChainSeq))
                .col(string_len(Tenants::ChainHash, 64))
                .col(ts(Tenants::CreatedAt))
                .col(ts(Tenants::UpdatedAt))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Users::Table)
                .col(uuid(Users::Id).primary_key())
                .col(uuid(Users::TenantId))
                .col(string_len(Users::Subject, 255))
                .col(string_len_null(Users::Email, 320))
                .col(string_len_null(Users::Name, 255))
                .col(boolean(Users::DigestEnabled))
                .col(integer(Users::DigestHour))
                .col(string_len(Users::Timezone, 64))
                .col(ts(Users::CreatedAt))
                .col(ts(Users::LastSeenAt))
                .foreign_key(&mut fk(
                    "fk_users_tenant",
                    (Users::Table, Users::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ux_users_tenant_subject")
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::Subject)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_integrations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Integrations::Table)
                .col(uuid(Integrations::Id).primary_key())
                .col(uuid(Integrations::TenantId))
                .col(uuid(Integrations::OwnerId))
                .col(string_len(Integrations::Network, 16))
                .col(string_len(Integrations::AccountKind, 32))
                .col(string_len(Integrations::ExternalAccountId, 255))
                .col(string_len(Integrations::DisplayName, 255))
                .col(string_len_null(Integrations::ProfileUrl, 2048))
                .col(string_len(Integrations::Status, 16))
                .col(string_len(Integrations::StatusReason, 32))
                .col(ts(Integrations::StatusChangedAt))
                .col(ts(Integrations::ConnectedAt))
                .col(text(Integrations::GrantedScopes))
                .col(ts_null(Integrations::ApprovedAt))
                .col(text_null(Integrations::ApprovedScopes))
                .col(ts_null(Integrations::TokenExpiresAt))
                .col(ts_null(Integrations::LastCheckedAt))
                .col(integer(Integrations::ConsecutiveFailures))
                .col(integer(Integrations::Version))
                .col(ts_null(Integrations::DisconnectedAt))
                .col(ts(Integrations::CreatedAt))
                .col(ts(Integrations::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_integrations_tenant",
                    (Integrations::Table, Integrations::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_integrations_owner",
                    (Integrations::Table, Integrations::OwnerId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The indexes the integration queries use, and the one-live-account rule.
async fn index_integrations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    for (name, cols) in [
        (
            "ix_integrations_tenant_owner",
            vec![
                Integrations::TenantId,
                Integrations::OwnerId,
                Integrations::Id,
            ],
        ),
        (
            "ix_integrations_tenant_status",
            vec![
                Integrations::TenantId,
                Integrations::Status,
                Integrations::Id,
            ],
        ),
        (
            "ix_integrations_tenant_expiry",
            vec![Integrations::TenantId, Integrations::TokenExpiresAt],
        ),
    ] {
        let mut index = Index::create();
        index.name(name).table(Integrations::Table);
        for col in cols {
            index.col(col);
        }
        manager.create_index(index.to_owned()).await?;
    }
    // One live integration per account and owner: a reconnect renews it instead of
    // taking a second slot. Partial indexes read the same on SQLite and PostgreSQL.
    manager
        .get_connection()
        .execute_unprepared(
            "CREATE UNIQUE INDEX ux_integrations_live_account ON integrations \
             (tenant_id, owner_id, network, external_account_id) \
             WHERE disconnected_at IS NULL",
        )
        .await?;
    Ok(())
}

async fn create_credentials_connection_attempts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Credentials::Table)
                .col(uuid(Credentials::IntegrationId).primary_key())
                .col(uuid(Credentials::TenantId))
                .col(string_len(Credentials::KeyId, 64))
                .col(blob(Credentials::AccessToken))
                .col(blob_null(Credentials::RefreshToken))
                .col(string_len_null(Credentials::RefreshKeyId, 64))
                .col(ts_null(Credentials::RefreshExpiresAt))
                .col(ts(Credentials::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_credentials_integration",
                    (Credentials::Table, Credentials::IntegrationId),
                    (Integrations::Table, Integrations::Id),
                ))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(ConnectionAttempts::Table)
                .col(uuid(ConnectionAttempts::Id).primary_key())
                .col(uuid(ConnectionAttempts::TenantId))
                .col(uuid(ConnectionAttempts::UserId))
                .col(string_len(ConnectionAttempts::Network, 16))
                .col(string_len_uniq(ConnectionAttempts::StateHash, 64))
                .col(blob_null(ConnectionAttempts::PkceVerifier))
                .col(string_len_null(ConnectionAttempts::ReturnTo, 2048))
                .col(uuid_null(ConnectionAttempts::IntegrationId))
                .col(string_len(ConnectionAttempts::Status, 24))
                .col(text_null(ConnectionAttempts::Failure))
                .col(json_null(ConnectionAttempts::Candidates))
                .col(string_len_null(ConnectionAttempts::CompletionHash, 64))
                .col(blob_null(ConnectionAttempts::SealedGrant))
                .col(ts(ConnectionAttempts::ExpiresAt))
                .col(ts(ConnectionAttempts::CreatedAt))
                .col(ts_null(ConnectionAttempts::CompletedAt))
                .foreign_key(&mut fk(
                    "fk_attempts_user",
                    (ConnectionAttempts::Table, ConnectionAttempts::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_compliance_notes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ComplianceNotes::Table)
                .col(uuid(ComplianceNotes::Id).primary_key())
                .col(uuid(ComplianceNotes::TenantId))
                .col(uuid(ComplianceNotes::IntegrationId))
                .col(uuid(ComplianceNotes::AuthorId))
                .col(text(ComplianceNotes::Body))
                .col(ts(ComplianceNotes::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_notes_integration",
                    (ComplianceNotes::Table, ComplianceNotes::IntegrationId),
                    (Integrations::Table, Integrations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_notes_author",
                    (ComplianceNotes::Table, ComplianceNotes::AuthorId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_notes_integration")
                .table(ComplianceNotes::Table)
                .col(ComplianceNotes::IntegrationId)
                .col(ComplianceNotes::CreatedAt)
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_integration_events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(IntegrationEvents::Table)
                .col(uuid(IntegrationEvents::TenantId))
                .col(big_integer(IntegrationEvents::Seq))
                .col(uuid(IntegrationEvents::IntegrationId))
                .col(string_len(IntegrationEvents::Kind, 16))
                .col(uuid_null(IntegrationEvents::ActorId))
                .col(string_len_null(IntegrationEvents::FromStatus, 16))
                .col(string_len_null(IntegrationEvents::ToStatus, 16))
                .col(string_len_null(IntegrationEvents::Reason, 32))
                .col(text_null(IntegrationEvents::Note))
                .col(boolean(IntegrationEvents::SelfApproval))
                .col(string_len_null(IntegrationEvents::RequestId, 64))
                .col(ts(IntegrationEvents::OccurredAt))
                .col(string_len(IntegrationEvents::PrevHash, 64))
                .col(string_len(IntegrationEvents::Hash, 64))
                .primary_key(
                    Index::create()
                        .col(IntegrationEvents::TenantId)
                        .col(IntegrationEvents::Seq),
                )
                .foreign_key(&mut fk(
                    "fk_events_tenant",
                    (IntegrationEvents::Table, IntegrationEvents::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_events_integration",
                    (IntegrationEvents::Table, IntegrationEvents::IntegrationId),
                    (Integrations::Table, Integrations::Id),
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_events_integration")
                .table(IntegrationEvents::Table)
                .col(IntegrationEvents::IntegrationId)
                .col(IntegrationEvents::Seq)
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_digest_deliveries_job_leases(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(DigestDeliveries::Table)
                .col(uuid(DigestDeliveries::Id).primary_key())
                .col(uuid(DigestDeliveries::TenantId))
                .col(uuid(DigestDeliveries::UserId))
                .col(string_len(DigestDeliveries::DigestDate, 10))
                .col(string_len(DigestDeliveries::Status, 16))
                .col(integer(DigestDeliveries::ItemCount))
                .col(text_null(DigestDeliveries::Error))
                .col(ts(DigestDeliveries::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_digests_user",
                    (DigestDeliveries::Table, DigestDeliveries::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ux_digests_user_date")
                .table(DigestDeliveries::Table)
                .col(DigestDeliveries::UserId)
                .col(DigestDeliveries::DigestDate)
                .unique()
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(JobLeases::Table)
                .col(string_len(JobLeases::Name, 64).primary_key())
                .col(string_len(JobLeases::Holder, 128))
                .col(ts(JobLeases::ExpiresAt))
                .col(ts(JobLeases::UpdatedAt))
                .to_owned(),
        )
        .await?;
    Ok(())
}
