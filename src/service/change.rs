//! The one way an integration changes: a write transaction that locks the tenant's
//! chain head, reads the integration fresh, lets the use case decide, saves with a
//! version check and appends the audit event. Either all of it commits or none.

use entity::{
    enums::{EventKind, Status, StatusReason},
    integration, integration_event,
};
use std::sync::Arc;

use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    events::{FeedEvent, Notice},
    store::{
        Scope, Store, credentials,
        credentials::SealedTokens,
        events::{Chain, NewEvent},
        integrations, notes, now,
    },
};

/// Who causes a change: a person (with the request that carried it) or the system.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub user_id: Option<Uuid>,
    pub request_id: Option<String>,
}

impl Who {
    pub fn system() -> Self {
        Who::default()
    }
}

impl From<&crate::auth::Actor> for Who {
    fn from(actor: &crate::auth::Actor) -> Self {
        Who {
            user_id: Some(actor.user_id),
            request_id: actor.request_id.clone(),
        }
    }
}

/// What a use case decided about the integration it was shown.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The row as it should be written (the version is set by the store).
    pub changed: integration::Model,
    pub kind: EventKind,
    pub reason: Option<StatusReason>,
    /// Note recorded on the event and, when `note_is_compliance`, as a compliance note.
    pub note: Option<String>,
    pub note_is_compliance: bool,
    pub self_approval: bool,
    /// Destroy the stored credentials (disconnect).
    pub destroy_credentials: bool,
    /// New tokens to store (reconnect).
    pub tokens: Option<SealedTokens>,
}

impl Decision {
    /// A status transition recorded with `reason`; `changed` is already updated.
    pub fn transition(changed: integration::Model, reason: StatusReason) -> Self {
        Decision {
            changed,
            kind: EventKind::Transition,
            reason: Some(reason),
            note: None,
            note_is_compliance: false,
            self_approval: false,
            destroy_credentials: false,
            tokens: None,
        }
    }

    /// `current` moved to `to` for `reason`, now.
    pub fn moved(current: &integration::Model, to: Status, reason: StatusReason) -> Self {
        let mut changed = current.clone();
        changed.status = to;
        changed.status_reason = reason;
        changed.status_changed_at = now();
        Decision::transition(changed, reason)
    }

    /// A compliance note on `current`, no status change.
    pub fn note(current: &integration::Model, body: String) -> Self {
        Decision {
            changed: current.clone(),
            kind: EventKind::Note,
            reason: None,
            note: Some(body),
            note_is_compliance: true,
            self_approval: false,
            destroy_credentials: false,
            tokens: None,
        }
    }
}

/// What the transaction holds while a use case decides: the tenant row under lock
/// (its settings cannot change meanwhile) and the owner's used slots in the
/// integration's network.
#[derive(Debug)]
pub struct Locked<'a> {
    pub tenant: &'a entity::tenant::Model,
    pub slots_used: i64,
}

/// The result of a committed change.
#[derive(Debug, Clone)]
pub struct Applied {
    pub integration: integration::Model,
    pub event: integration_event::Model,
    pub note: Option<entity::compliance_note::Model>,
}

/// Commits and announces in a task of its own: once the database has the change, its
/// announcement must not be lost because the request that made it was dropped
/// (client gone, timeout) between the commit and the publish.
pub async fn commit_and_publish(
    store: &Store,
    txn: sea_orm::DatabaseTransaction,
    item: FeedEvent,
) -> AppResult<()> {
    let bus = store.bus().clone();
    tokio::spawn(async move {
        txn.commit().await?;
        bus.publish(Notice::Event(Arc::new(item)));
        Ok::<_, AppError>(())
    })
    .await
    .map_err(|e| AppError::internal(format!("commit task failed: {e}")))?
}

/// Runs `decide` on the integration `id` visible in `scope` and applies its decision
/// atomically. `expected_version`, when given, is the version the caller saw: if the
/// integration moved on since, nothing happens and the answer is `CONFLICT`.
pub async fn apply<F>(
    store: &Store,
    scope: Scope,
    id: Uuid,
    expected_version: Option<i32>,
    who: &Who,
    decide: F,
) -> AppResult<Applied>
where
    F: FnOnce(&integration::Model, &Locked<'_>) -> AppResult<Decision>,
{
    let txn = store.begin_write().await?;
    let mut chain = Chain::lock(&txn, scope.tenant_id).await?;
    let current = integrations::find(&txn, scope, id)
        .await?
        .ok_or(AppError::NotFound("integration"))?;
    if let Some(expected) = expected_version
        && expected != current.version
    {
        return Err(AppError::Conflict(format!(
            "the integration changed since you read it (version {expected}, now {} and {:?}); \
             read it again",
            current.version, current.status
        )));
    }
    if current.disconnected_at.is_some() {
        return Err(AppError::InvalidTransition(
            "the integration is disconnected; connect the account again instead".into(),
        ));
    }
    let slots_used = integrations::slots_used(&txn, scope.tenant_id, current.owner_id)
        .await?
        .into_iter()
        .find(|(network, _)| *network == current.network)
        .map_or(0, |(_, n)| n);
    let locked = Locked {
        tenant: &chain.tenant,
        slots_used,
    };
    let decision = decide(&current, &locked)?;
    let from: Status = current.status;
    let to: Status = decision.changed.status;
    let saved = integrations::save(&txn, &current, decision.changed).await?;
    let transition = decision.kind == EventKind::Transition;
    let event = chain
        .append(
            &txn,
            NewEvent {
                integration_id: id,
                kind: decision.kind,
                actor_id: who.user_id,
                from_status: transition.then_some(from),
                to_status: transition.then_some(to),
                reason: decision.reason,
                note: decision.note.clone(),
                self_approval: decision.self_approval,
                request_id: who.request_id.clone(),
            },
        )
        .await?;
    if decision.destroy_credentials {
        credentials::destroy(&txn, scope.tenant_id, id).await?;
    }
    if let Some(tokens) = decision.tokens {
        credentials::store(&txn, scope.tenant_id, id, tokens).await?;
    }
    let note = match (&decision.note, decision.note_is_compliance, who.user_id) {
        (Some(body), true, Some(author)) => {
            Some(notes::insert(&txn, scope.tenant_id, id, author, body).await?)
        }
        _ => None,
    };
    commit_and_publish(
        store,
        txn,
        FeedEvent {
            event: event.clone(),
            integration: saved.clone(),
        },
    )
    .await?;
    Ok(Applied {
        integration: saved,
        event,
        note,
    })
}
