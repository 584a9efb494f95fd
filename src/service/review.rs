//! Compliance review: approve, reject, write notes. Four eyes in BROKER_DEALER tenants;
//! self-approval allowed and marked in SELF_MANAGED ones.

use entity::enums::{EventKind, Status, StatusReason};
use uuid::Uuid;

use super::change::{Applied, Decision, Who, apply};
use crate::{
    auth::Actor,
    domain::{
        ComplianceMode, policy,
        status::{Change, transition},
    },
    error::{AppError, AppResult},
    store::{Store, now},
};

/// Longest note accepted.
pub const MAX_NOTE: usize = 4000;

/// Trims a note; empty or too long is `BAD_USER_INPUT`.
pub fn parse_note(note: &str) -> AppResult<String> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::BadUserInput("the note must not be empty".into()));
    }
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::BadUserInput(format!(
            "the note is longer than {MAX_NOTE} characters"
        )));
    }
    Ok(note.to_owned())
}

fn decide_review(
    actor: &Actor,
    current: &entity::integration::Model,
    change: Change,
    note: Option<String>,
) -> AppResult<Decision> {
    let is_owner = current.owner_id == actor.user_id;
    let mode = actor.tenant.compliance_mode;
    policy::review(&actor.roles, is_owner, mode).map_err(|d| AppError::Forbidden(d.0))?;
    let (to, reason) = transition(current.status, change)
        .map_err(|r| AppError::InvalidTransition(r.to_string()))?;
    let at = now();
    let mut changed = current.clone();
    changed.status = to;
    changed.status_reason = reason;
    changed.status_changed_at = at;
    match to {
        Status::Active => {
            changed.approved_at = Some(at);
            // The approval covers exactly what was granted when it was given.
            changed.approved_scopes = Some(current.granted_scopes.clone());
        }
        Status::Rejected => {
            changed.approved_at = None;
            changed.approved_scopes = None;
        }
        _ => {}
    }
    let mut decision = Decision::transition(changed, reason);
    decision.note_is_compliance = note.is_some();
    decision.note = note;
    decision.self_approval = is_owner && mode == ComplianceMode::SelfManaged;
    Ok(decision)
}

/// PENDING → ACTIVE.
pub async fn approve(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    note: Option<&str>,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    let note = note.map(parse_note).transpose()?;
    apply(
        store,
        actor.scope(),
        id,
        expected_version,
        &Who::from(actor),
        |current| decide_review(actor, current, Change::Approve, note),
    )
    .await
}

/// PENDING or ACTIVE → REJECTED; the note is required.
pub async fn reject(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    note: &str,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    let note = parse_note(note)?;
    apply(
        store,
        actor.scope(),
        id,
        expected_version,
        &Who::from(actor),
        |current| decide_review(actor, current, Change::Reject, Some(note)),
    )
    .await
}

/// A compliance note: no status change, one audit event.
pub async fn add_note(store: &Store, actor: &Actor, id: Uuid, body: &str) -> AppResult<Applied> {
    let body = parse_note(body)?;
    apply(
        store,
        actor.scope(),
        id,
        None,
        &Who::from(actor),
        |current| {
            // Checked after the scoped read, so a hidden integration stays NOT_FOUND.
            policy::note(&actor.roles).map_err(|d| AppError::Forbidden(d.0))?;
            let mut decision = Decision::transition(current.clone(), StatusReason::Connected);
            decision.kind = EventKind::Note;
            decision.reason = None;
            decision.note = Some(body);
            decision.note_is_compliance = true;
            Ok(decision)
        },
    )
    .await
}
