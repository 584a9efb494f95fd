//! The cross-instance announcement of a committed event, written and read only here.
//!
//! On PostgreSQL every audit event is announced with `NOTIFY` inside the transaction
//! that appends it, so the announcement is delivered at commit, in commit order, and
//! not at all if the transaction rolls back. The payload is `tenant_id:seq`, or
//! `tenant_id:first-last` for a run of events one transaction appended (a sweep):
//! just enough for a listener to read them from the table. A change of a tenant's
//! settings is announced the same way, as `settings:tenant_id`, so every instance
//! forgets the settings it remembered.

use entity::{ids::TenantId, integration_event};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};
use uuid::Uuid;

use crate::error::AppResult;

/// PostgreSQL channel that carries the announcements.
pub const CHANNEL: &str = "socialgate_events";

/// Events `first..=last` of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announced {
    pub tenant: TenantId,
    pub first: i64,
    pub last: i64,
}

/// The payload announcing events `first..=last` of `tenant`.
pub fn payload(tenant: TenantId, first: i64, last: i64) -> String {
    if first == last {
        format!("{tenant}:{first}")
    } else {
        format!("{tenant}:{first}-{last}")
    }
}

/// What one notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    Events(Announced),
    /// The tenant's settings changed.
    Settings(TenantId),
}

const SETTINGS: &str = "settings:";

/// What a payload announces; `None` for anything else.
pub fn parse(payload: &str) -> Option<Announcement> {
    if let Some(tenant) = payload.strip_prefix(SETTINGS) {
        return Some(Announcement::Settings(TenantId(
            Uuid::parse_str(tenant).ok()?,
        )));
    }
    parse_events(payload).map(Announcement::Events)
}

fn parse_events(payload: &str) -> Option<Announced> {
    let (tenant, seqs) = payload.split_once(':')?;
    let tenant = TenantId(Uuid::parse_str(tenant).ok()?);
    let (first, last) = match seqs.split_once('-') {
        Some((first, last)) => (first.parse().ok()?, last.parse().ok()?),
        None => {
            let seq = seqs.parse().ok()?;
            (seq, seq)
        }
    };
    (first <= last).then_some(Announced {
        tenant,
        first,
        last,
    })
}

/// Announces `events` (in sequence order, one tenant) to other instances at commit
/// (PostgreSQL; nothing on SQLite, where every writer is in this process).
pub async fn announce(
    txn: &DatabaseTransaction,
    events: &[integration_event::Model],
) -> AppResult<()> {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Ok(());
    };
    notify(txn, payload(first.tenant_id, first.seq, last.seq)).await
}

/// Announces at commit that `tenant`'s settings changed (PostgreSQL only).
pub async fn announce_settings(txn: &DatabaseTransaction, tenant: TenantId) -> AppResult<()> {
    notify(txn, format!("{SETTINGS}{tenant}")).await
}

async fn notify(txn: &DatabaseTransaction, payload: String) -> AppResult<()> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_refuse_garbage() {
        let tenant = TenantId::generate();
        let one = Announced {
            tenant,
            first: 42,
            last: 42,
        };
        let events = |announced| Some(Announcement::Events(announced));
        assert_eq!(parse(&payload(tenant, 42, 42)), events(one));
        let run = Announced {
            tenant,
            first: 7,
            last: 900,
        };
        assert_eq!(parse(&payload(tenant, 7, 900)), events(run));
        assert_eq!(
            parse(&format!("settings:{tenant}")),
            Some(Announcement::Settings(tenant))
        );
        assert_eq!(parse("settings:nobody"), None);
        assert_eq!(parse(&format!("{tenant}:9-3")), None);
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse("not-a-uuid:1"), None);
        assert_eq!(parse(&format!("{tenant}:x")), None);
    }
}
