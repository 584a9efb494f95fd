//! Schema migrations. Each file is one migration, written with SeaQuery's builders (or
//! SQL that both engines accept) so the same history runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tables;
mod m20261125_000002_append_only_events;
mod m20261125_000003_probe_outcome;
mod m20261125_000004_network_user;
mod m20261125_000005_digest_settings;
mod m20261125_000006_sandbox_tokens;
mod m20261125_000007_data_access_expiry;
mod m20261126_000008_attempt_failure_code;
mod m20261126_000009_tenant_page_index;
mod m20261207_000010_no_page_data_access;
mod m20261207_000011_meta_callbacks;
mod m20261207_000012_user_reviewer;
mod m20261207_000013_token_expiry_index;
mod m20261207_000014_digest_version;
mod m20261207_000015_posts;
mod m20261208_000016_host_token_access;
mod m20261208_000017_digest_email_pending;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_tables::Migration),
            Box::new(m20261125_000002_append_only_events::Migration),
            Box::new(m20261125_000003_probe_outcome::Migration),
            Box::new(m20261125_000004_network_user::Migration),
            Box::new(m20261125_000005_digest_settings::Migration),
            Box::new(m20261125_000006_sandbox_tokens::Migration),
            Box::new(m20261125_000007_data_access_expiry::Migration),
            Box::new(m20261126_000008_attempt_failure_code::Migration),
            Box::new(m20261126_000009_tenant_page_index::Migration),
            Box::new(m20261207_000010_no_page_data_access::Migration),
            Box::new(m20261207_000011_meta_callbacks::Migration),
            Box::new(m20261207_000012_user_reviewer::Migration),
            Box::new(m20261207_000013_token_expiry_index::Migration),
            Box::new(m20261207_000014_digest_version::Migration),
            Box::new(m20261207_000015_posts::Migration),
            Box::new(m20261208_000016_host_token_access::Migration),
            Box::new(m20261208_000017_digest_email_pending::Migration),
        ]
    }
}
