//! Audit events are append-only: the database itself refuses UPDATE and DELETE, so
//! neither a bug nor a careless script can rewrite history unnoticed.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = r#"
CREATE FUNCTION integration_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'integration_events is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER integration_events_no_update BEFORE UPDATE OR DELETE ON integration_events
    FOR EACH ROW EXECUTE FUNCTION integration_events_append_only();
CREATE TRIGGER integration_events_no_truncate BEFORE TRUNCATE ON integration_events
    FOR EACH STATEMENT EXECUTE FUNCTION integration_events_append_only();
"#;

const SQLITE_UP: &str = r#"
CREATE TRIGGER integration_events_no_update BEFORE UPDATE ON integration_events
BEGIN SELECT RAISE(ABORT, 'integration_events is append-only: UPDATE refused'); END;
CREATE TRIGGER integration_events_no_delete BEFORE DELETE ON integration_events
BEGIN SELECT RAISE(ABORT, 'integration_events is append-only: DELETE refused'); END;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => db.execute_unprepared(POSTGRES_UP).await?,
            DatabaseBackend::Sqlite => db.execute_unprepared(SQLITE_UP).await?,
            _ => return Err(DbErr::Migration("unsupported database".into())),
        };
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER integration_events_no_truncate ON integration_events; \
                     DROP TRIGGER integration_events_no_update ON integration_events; \
                     DROP FUNCTION integration_events_append_only();",
                )
                .await?
            }
            _ => {
                db.execute_unprepared(
                    "DROP TRIGGER integration_events_no_update; DROP TRIGGER integration_events_no_delete;",
                )
                .await?
            }
        };
        Ok(())
    }
}
