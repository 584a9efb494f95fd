//! Compliance review: approve, reject, write notes. Four eyes in BROKER_DEALER tenants;
//! self-approval allowed and marked in SELF_MANAGED ones.

use entity::enums::Status;

use super::{
    change::{Applied, Decision, Locked, Who, apply},
    scope_of,
};
use crate::{
    auth::Actor,
    domain::{
        ComplianceMode, IntegrationId,
        input::{self, Lines},
        policy,
        status::{Change, transition},
    },
    error::{AppError, AppResult},
    service::App,
};

/// Trims a note; empty, too long or with a control character (other than line
/// breaks and tabs) is `BAD_USER_INPUT`.
pub fn parse_note(note: &str) -> AppResult<String> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::BadUserInput("the note must not be empty".into()));
    }
    let note = input::text("the note", note, input::MAX_NOTE, Lines::Multi)
        .map_err(AppError::BadUserInput)?;
    Ok(note.to_owned())
}

fn decide_review(
    actor: &Actor,
    current: &entity::integration::Model,
    locked: &Locked<'_>,
    change: Change,
    note: Option<String>,
) -> AppResult<Decision> {
    let is_owner = current.owner_id == actor.user_id;
    let mode = locked.tenant.compliance_mode;
    policy::review(&actor.roles, is_owner, mode)?;
    let (to, reason) = transition(current.status, change)?;
    let mut decision = Decision::moved(current, to, reason);
    match to {
        Status::Active => {
            decision.changed.approved_at = Some(decision.changed.status_changed_at);
            // The approval covers exactly what was granted when it was given.
            decision.changed.approved_scopes = Some(current.granted_scopes.clone());
        }
        Status::Rejected => {
            decision.changed.approved_at = None;
            decision.changed.approved_scopes = None;
        }
        _ => {}
    }
    decision.note_is_compliance = note.is_some();
    decision.note = note;
    decision.self_approval =
        change == Change::Approve && is_owner && mode == ComplianceMode::SelfManaged;
    Ok(decision)
}

/// PENDING → ACTIVE.
pub async fn approve(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    note: Option<&str>,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    let note = note.map(parse_note).transpose()?;
    apply(
        app,
        scope_of(actor),
        id,
        expected_version,
        &Who::from(actor),
        |current, locked| decide_review(actor, current, locked, Change::Approve, note),
    )
    .await
}

/// PENDING or ACTIVE → REJECTED; the note is required.
pub async fn reject(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    note: &str,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    let note = parse_note(note)?;
    apply(
        app,
        scope_of(actor),
        id,
        expected_version,
        &Who::from(actor),
        |current, locked| decide_review(actor, current, locked, Change::Reject, Some(note)),
    )
    .await
}

/// A compliance note: no status change, one audit event.
pub async fn add_note(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    body: &str,
) -> AppResult<Applied> {
    let body = parse_note(body)?;
    apply(
        app,
        scope_of(actor),
        id,
        None,
        &Who::from(actor),
        |current, _| {
            // Checked after the scoped read, so a hidden integration stays NOT_FOUND.
            policy::note(&actor.roles)?;
            Ok(Decision::note(current, body))
        },
    )
    .await
}
