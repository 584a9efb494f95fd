//! The cross-instance announcement of a committed event, written and read only here.
//!
//! On PostgreSQL every audit event is announced with `NOTIFY` inside the transaction
//! that appends it, so the announcement is delivered at commit, in commit order, and
//! not at all if the transaction rolls back. The payload is `tenant_id:seq`: just
//! enough for a listener to read the event from the table.

use entity::{ids::TenantId, integration_event};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};
use uuid::Uuid;

use crate::error::AppResult;

/// PostgreSQL channel that carries the announcements.
pub const CHANNEL: &str = "socialgate_events";

/// The payload announcing `seq` of `tenant`.
pub fn payload(tenant: TenantId, seq: i64) -> String {
    format!("{tenant}:{seq}")
}

/// The tenant and sequence a payload announces; `None` for anything else.
pub fn parse(payload: &str) -> Option<(TenantId, i64)> {
    let (tenant, seq) = payload.split_once(':')?;
    Some((TenantId(Uuid::parse_str(tenant).ok()?), seq.parse().ok()?))
}

/// Announces `event` to other instances at commit (PostgreSQL; nothing on SQLite,
/// where every writer is in this process).
pub async fn announce(
    txn: &DatabaseTransaction,
    event: &integration_event::Model,
) -> AppResult<()> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload(event.tenant_id, event.seq).into()],
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
        assert_eq!(parse(&payload(tenant, 42)), Some((tenant, 42)));
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse("not-a-uuid:1"), None);
        assert_eq!(parse(&format!("{tenant}:x")), None);
    }
}
