//! Tenant-scoped data access: the only place that builds queries.
//!
//! Tenant data is reached through a [`Scoped`] handle, made from a [`Scope`]: its
//! methods (one `impl` block per table, in the module named for the table) add the
//! tenant, and for advisors the owner, to every statement, so no query can forget
//! tenancy. Keys are typed ([`entity::ids`]), so an id of one table cannot be passed
//! for another. The few reads that cross tenants on purpose (provisioning a tenant,
//! finding a sign-in by its state, key rotation, Meta's callbacks naming a person by
//! their network id) are methods of [`Store`] whose names
//! and docs say why. Changes run in one write transaction with their audit event
//! ([`events::Chain`]); this module knows nothing of the event bus or of sealing.

pub mod attempts;
pub mod credentials;
pub mod deletion_requests;
pub mod deliveries;
pub mod digests;
pub mod events;
mod first_rows;
pub mod gauges;
pub mod integrations;
pub mod leases;
pub mod meta_callbacks;
pub mod network_users;
pub mod notes;
pub mod posts;
pub mod repairs;
pub mod sandbox;
pub mod tenants;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use entity::ids::{TenantId, UserId};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::SqliteJournalMode,
};

use crate::error::AppResult;

/// The rows a reader may see: a tenant, and within it optionally one owner's rows.
/// Made for a caller by the service layer, or as the whole tenant for the system's
/// own work (expiry, probes, seeding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    tenant_id: TenantId,
    /// `Some` for advisors: only integrations they own.
    owner_id: Option<UserId>,
}

impl Scope {
    /// Every row of the tenant (compliance, admins, and the system).
    pub fn tenant(tenant_id: TenantId) -> Scope {
        Scope {
            tenant_id,
            owner_id: None,
        }
    }

    /// Only `owner_id`'s integrations within the tenant.
    pub fn owner(tenant_id: TenantId, owner_id: UserId) -> Scope {
        Scope {
            tenant_id,
            owner_id: Some(owner_id),
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn owner_id(&self) -> Option<UserId> {
        self.owner_id
    }
}

/// Tenant data within one [`Scope`], over a pooled connection or a transaction. The
/// table modules add its methods.
#[derive(Debug, Clone, Copy)]
pub struct Scoped<'c, C> {
    db: &'c C,
    scope: Scope,
}

impl<'c, C: ConnectionTrait> Scoped<'c, C> {
    /// The scope over `db` (the pool, or a write transaction of [`Store::begin_write`]).
    pub fn new(db: &'c C, scope: Scope) -> Self {
        Scoped { db, scope }
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub fn tenant_id(&self) -> TenantId {
        self.scope.tenant_id
    }
}

/// Handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
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
    ///
    /// A connection is not pinged when it leaves the pool: on PostgreSQL that ping is a
    /// round trip before every statement, which doubled the round trips of a request.
    /// Skipping it is safe: the pool already tests each connection when it comes back
    /// (and drops it if broken), so only a connection that died while idle (a server
    /// restart, a proxy's idle cut) can be handed out, and then its statement fails
    /// with a database error that the request reports (the client may retry); the pool
    /// discards that connection and opens a fresh one for the next acquire.
    pub fn options(url: &str) -> ConnectOptions {
        let mut options = ConnectOptions::new(plain_on_loopback(url));
        options
            .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
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
        Store { db }
    }

    /// Tenant data as `scope` may see it, over the pool.
    pub fn tenant(&self, scope: Scope) -> Scoped<'_, DatabaseConnection> {
        Scoped::new(&self.db, scope)
    }

    /// Applies pending migrations, and says so in one line.
    pub async fn migrate(&self) -> AppResult<()> {
        let pending = Migrator::get_pending_migrations(&self.db).await?.len();
        Migrator::up(&self.db, None).await?;
        let total = Migrator::migrations().len();
        match pending {
            0 => tracing::debug!(migrations = total, "database schema up to date"),
            applied => tracing::info!(applied, migrations = total, "database schema migrated"),
        }
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
    at_stored_precision(Utc::now())
}

/// `at` at the precision every backend stores (microseconds).
pub fn at_stored_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// `url` with `sslmode=disable` added when it names PostgreSQL on this machine (a
/// loopback address or a Unix socket) and chooses no `sslmode` itself. TLS there
/// protects nothing, and costs a handshake of about 190 ms per new connection and
/// 13–20 % of throughput on loopback. Any other host, or a URL that says, is left as
/// it is (the driver's `prefer`, or what it says).
pub fn plain_on_loopback(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    if !matches!(parsed.scheme(), "postgres" | "postgresql")
        || parsed.query_pairs().any(|(key, _)| key == "sslmode")
    {
        return url.to_owned();
    }
    let socket = parsed
        .query_pairs()
        .any(|(key, value)| key == "host" && value.starts_with('/'));
    let local = match parsed.host() {
        None => true,
        // `postgres:` is not a scheme the URL standard knows, so its hosts stay text.
        Some(url::Host::Domain(name)) => {
            name.is_empty()
                || name == "localhost"
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
    };
    if !(socket || local) {
        return url.to_owned();
    }
    let mut plain = parsed;
    plain.query_pairs_mut().append_pair("sslmode", "disable");
    plain.to_string()
}

#[cfg(test)]
mod tests {
    use super::plain_on_loopback;

    #[test]
    fn tls_is_left_out_only_where_it_protects_nothing() {
        assert_eq!(
            plain_on_loopback("postgres://postgres@127.0.0.1:5432/db"),
            "postgres://postgres@127.0.0.1:5432/db?sslmode=disable"
        );
        assert_eq!(
            plain_on_loopback("postgres://u@localhost/db?application_name=x"),
            "postgres://u@localhost/db?application_name=x&sslmode=disable"
        );
        assert!(plain_on_loopback("postgresql://u@[::1]/db").ends_with("?sslmode=disable"));
        assert!(
            plain_on_loopback("postgres:///db?host=/var/run/postgresql")
                .ends_with("&sslmode=disable")
        );
        for kept in [
            "postgres://u@db.internal/db",
            "postgres://u@10.0.0.5/db",
            "postgres://u@127.0.0.1/db?sslmode=require",
            "sqlite://socialgate.db?mode=rwc",
        ] {
            assert_eq!(plain_on_loopback(kept), kept);
        }
    }
}
