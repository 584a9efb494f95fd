//! The one change road for many integrations of one tenant at once, for sweeps (token
//! expiry, and whatever later work moves integrations in bulk). It takes the same
//! steps as [`super::change`]: lock the tenant's chain head, read fresh within the
//! scope, let the domain decide, write, append one hashed audit event per change,
//! announce, commit, publish. Only the writing is set-based: one statement moves a
//! chunk of rows and a few multi-row statements append their events, so a sweep of
//! thousands costs a handful of statements per tenant.

use entity::{
    enums::{EventKind, Status},
    integration,
};
use sea_orm::Iterable;

use super::change::{Who, commit_and_publish};
use crate::{
    domain::{
        IntegrationId,
        status::{Change, transition},
    },
    error::AppResult,
    events::wire,
    service::App,
    store::{
        Scope, Scoped,
        events::{FeedEvent, NewEvent},
        integrations::Still,
        now,
    },
};

/// Applies the system change `change` to the integrations `ids` of the scope's
/// tenant that it is allowed for and of which `still` holds at the moment of writing
/// (others, say already EXPIRED, or renewed since the caller read them, are left
/// alone); returns the integrations that moved.
pub async fn apply_many(
    app: &App,
    scope: Scope,
    ids: &[IntegrationId],
    who: &Who,
    (change, still): (Change, Still),
) -> AppResult<Vec<integration::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let txn = app.store.begin_write().await?;
    let data = Scoped::new(&txn, scope);
    let mut chain = data.lock_chain().await?;
    // Which statuses the change applies to, and where it leads: decided by the status
    // machine, never here.
    let movable: Vec<(Status, (Status, _))> = Status::iter()
        .filter_map(|from| transition(from, change).ok().map(|to| (from, to)))
        .collect();
    // One statement per status the change moves from, so each row's previous status
    // is known without reading the rows first.
    let mut moved = Vec::new();
    let mut events = Vec::new();
    for (from, (to, reason)) in movable {
        let rows = data
            .move_integrations(ids, &[from], (to, reason), still, now())
            .await?;
        events.extend(rows.iter().map(|row| NewEvent {
            integration_id: row.id,
            kind: EventKind::Transition,
            actor_id: who.user_id,
            from_status: Some(from),
            to_status: Some(to),
            reason: Some(reason),
            note: None,
            self_approval: false,
            request_id: who.request_id.clone(),
            delivery: None,
        }));
        moved.extend(rows);
    }
    let appended = chain.append_many(&txn, events).await?;
    wire::announce(&txn, &appended).await?;
    let items = appended
        .into_iter()
        .zip(moved.iter().cloned())
        .map(|(event, integration)| FeedEvent { event, integration })
        .collect();
    commit_and_publish(app, txn, items).await?;
    Ok(moved)
}
