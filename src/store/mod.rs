//! Tenant-scoped data access: the only place that builds queries.
//!
//! Every function takes the tenant (or a [`Scope`], which holds it), so no query can
//! forget tenancy. Modules are named for the table they serve. Writes that change
//! state run in one transaction with their audit event (see [`events::append`]).

pub mod attempts;
pub mod credentials;
pub mod events;
pub mod integrations;
pub mod notes;
pub mod tenants;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    SqliteTransactionMode, TransactionOptions, TransactionTrait, sqlx::sqlite::SqliteJournalMode,
};
use uuid::Uuid;

use crate::error::AppResult;

/// The rows a reader may see: a tenant, and within it optionally one owner's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub tenant_id: Uuid,
    /// `Some` for advisors: only integrations they own.
    pub owner_id: Option<Uuid>,
}

/// Handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Where committed events are published (see `crate::events`).
    bus: crate::events::EventBus,
}

impl Store {
    /// Connects to `url` (SQLite or PostgreSQL) with [`Store::options`].
    pub async fn connect(url: &str) -> AppResult<Store> {
        let db = Database::connect(Self::options(url)).await?;
        Ok(Store::from_connection(db))
    }

    /// The pool settings socialgate uses: SQLite files get WAL, foreign keys and a busy
    /// timeout so readers do not block the writer. Public so that an embedding app or a
    /// test can adjust them and pass the connection to [`Store::from_connection`].
    pub fn options(url: &str) -> ConnectOptions {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        options
    }

    /// Wraps an existing connection (embedding apps, and tests that count statements).
    pub fn from_connection(db: DatabaseConnection) -> Store {
        Store {
            db,
            bus: crate::events::EventBus::default(),
        }
    }

    /// The bus committed events are published on.
    pub fn bus(&self) -> &crate::events::EventBus {
        &self.bus
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> AppResult<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// One round trip, for readiness.
    pub async fn ping(&self) -> AppResult<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// The underlying connection, for embedding apps and tests that inspect the
    /// database; socialgate's own queries all live in this module's children.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so a writer waits for
    /// the write lock up front instead of failing when upgrading a read snapshot.
    pub async fn begin_write(&self) -> AppResult<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    /// Closes the pool.
    pub async fn close(self) -> AppResult<()> {
        self.db.close().await?;
        Ok(())
    }
}

/// The current time at the precision every backend stores (microseconds), so a value
/// read back equals the value written; the audit hash depends on that.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
