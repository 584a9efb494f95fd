//! The audit hash chain: `hash = SHA-256(previous hash ‖ canonical event)`.
//!
//! The canonical form is a JSON object with a fixed field order and RFC 3339 times in
//! microseconds, so anyone can recompute it offline from an export.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use entity::enums::{EventKind, Status, StatusReason};

/// The hashed content of one event (everything but the hashes themselves).
#[derive(Debug, Clone, Serialize)]
pub struct CanonicalEvent<'a> {
    pub tenant_id: Uuid,
    pub seq: i64,
    pub integration_id: Uuid,
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<StatusReason>,
    pub note: Option<&'a str>,
    pub self_approval: bool,
    pub request_id: Option<&'a str>,
    #[serde(serialize_with = "rfc3339_micros")]
    pub occurred_at: DateTime<Utc>,
}

fn rfc3339_micros<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// The chain hash of `event` following `prev_hash` (lowercase hex).
pub fn chain_hash(prev_hash: &str, event: &CanonicalEvent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    // Serializing a struct of plain values cannot fail; an empty body would still
    // break the chain visibly rather than silently.
    hasher.update(serde_json::to_vec(event).unwrap_or_default());
    hex::encode(hasher.finalize())
}
