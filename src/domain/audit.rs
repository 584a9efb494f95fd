//! The audit hash chain: `hash = SHA-256(previous hash ‖ canonical event)`.
//!
//! The canonical form is the event as compact JSON with its keys sorted, times in RFC
//! 3339 with microseconds: anyone can recompute a hash from an exported line by
//! dropping `prev_hash` and `hash`, sorting the keys and hashing `prev_hash` followed
//! by that JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{
    enums::{DeliveryState, EventKind, Status, StatusReason},
    ids::{IntegrationId, PostId, TenantId, UserId},
    integration_event,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hashed content of one event (everything but the hashes themselves).
#[derive(Debug, Clone, Serialize)]
pub struct CanonicalEvent<'a> {
    pub tenant_id: TenantId,
    pub seq: i64,
    pub integration_id: IntegrationId,
    pub kind: EventKind,
    pub actor_id: Option<UserId>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<StatusReason>,
    pub note: Option<&'a str>,
    pub self_approval: bool,
    pub request_id: Option<&'a str>,
    #[serde(serialize_with = "rfc3339_micros")]
    pub occurred_at: DateTime<Utc>,
    // A delivery event's facts. Absent from the canonical form when unset, so events
    // written before these fields existed hash as they always did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_id: Option<PostId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<DeliveryState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_post_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<&'a str>,
}

fn rfc3339_micros<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// The chain hash of `event` following `prev_hash` (lowercase hex).
pub fn chain_hash(prev_hash: &str, event: &CanonicalEvent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_json(event));
    hex::encode(hasher.finalize())
}

/// Compact JSON with sorted keys. Serializing plain values cannot fail; were it to, the
/// empty body would break the chain visibly rather than silently.
pub fn canonical_json(event: &CanonicalEvent<'_>) -> Vec<u8> {
    let sorted: BTreeMap<String, serde_json::Value> = match serde_json::to_value(event) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    serde_json::to_vec(&sorted).unwrap_or_default()
}

/// The canonical form of a stored event.
pub fn canonical(event: &integration_event::Model) -> CanonicalEvent<'_> {
    CanonicalEvent {
        tenant_id: event.tenant_id,
        seq: event.seq,
        integration_id: event.integration_id,
        kind: event.kind,
        actor_id: event.actor_id,
        from_status: event.from_status,
        to_status: event.to_status,
        reason: event.reason,
        note: event.note.as_deref(),
        self_approval: event.self_approval,
        request_id: event.request_id.as_deref(),
        occurred_at: event.occurred_at,
        post_id: event.post_id,
        delivery_status: event.delivery_status,
        content_hash: event.content_hash.as_deref(),
        network_post_id: event.network_post_id.as_deref(),
        permalink: event.permalink.as_deref(),
    }
}
