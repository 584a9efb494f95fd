//! The one road every integration change takes, new integrations included: a write
//! transaction that locks the tenant's chain head, reads the integration fresh within
//! the scope, lets the use case decide, writes the row (insert, or update with a
//! version check), its credentials and note, appends the hashed audit event, announces
//! it to other instances, commits, and publishes it to subscribers. Either all of it
//! commits or none of it does.

use std::sync::Arc;

use entity::{
    enums::{EventKind, Network, Status, StatusReason},
    ids::{IntegrationId, UserId},
    integration, integration_event, tenant,
};

use crate::{
    domain::limits::{may_take_slot, used_in},
    error::{AppError, AppResult},
    events::{Notice, wire},
    service::App,
    store::{
        Scope, Scoped,
        credentials::SealedTokens,
        events::{FeedEvent, NewEvent},
        now,
    },
};

/// Who causes a change: a person (with the request that carried it) or the system.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub user_id: Option<UserId>,
    pub request_id: Option<String>,
}

impl Who {
    /// Expiry, probes and network callbacks: no person acted.
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
    /// New tokens to store (connect, reconnect).
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

    /// The system renewed `current`'s token, now good until `expires_at`: no status
    /// change, an audit event that says until when.
    pub fn renewed(
        current: &integration::Model,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Self {
        let mut changed = current.clone();
        changed.token_expires_at = expires_at;
        let until = match expires_at {
            Some(at) => format!("valid until {}", at.format("%Y-%m-%d %H:%M UTC")),
            None => "the network gave no end date".to_owned(),
        };
        Decision {
            kind: EventKind::Refresh,
            reason: None,
            note: Some(format!("token renewed at the network; {until}")),
            ..Decision::transition(changed, StatusReason::Connected)
        }
    }

    /// A compliance note on `current`, no status change.
    pub fn note(current: &integration::Model, body: String) -> Self {
        Decision {
            kind: EventKind::Note,
            reason: None,
            note: Some(body),
            note_is_compliance: true,
            ..Decision::transition(current.clone(), StatusReason::Connected)
        }
    }
}

/// What the transaction holds while a use case decides: the tenant row under lock
/// (its settings cannot change meanwhile) and, when the change may take a slot
/// (`domain::limits::may_take_slot`), the owner's used slots in the integration's
/// network.
#[derive(Debug)]
pub struct Locked<'a> {
    pub tenant: &'a tenant::Model,
    pub slots_used: Option<i64>,
}

impl Locked<'_> {
    /// The used slots, for a decision that takes one.
    pub fn slots_used(&self) -> AppResult<i64> {
        self.slots_used
            .ok_or_else(|| AppError::internal("a slot was asked for a change that takes none"))
    }
}

/// The result of a committed change.
#[derive(Debug, Clone)]
pub struct Applied {
    pub integration: integration::Model,
    pub event: integration_event::Model,
    pub note: Option<entity::compliance_note::Model>,
}

/// Which integration a change is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// An existing integration; with `expected_version`, only if it is still at the
    /// version the caller saw (else `CONFLICT`).
    Existing {
        id: IntegrationId,
        expected_version: Option<i32>,
    },
    /// The owner's live integration of this account if there is one, else a new one.
    Account {
        owner: UserId,
        network: Network,
        external_account_id: &'a str,
    },
}

/// Runs `decide` on the existing integration `id` visible in `scope` and applies its
/// decision atomically.
pub async fn apply<F>(
    app: &App,
    scope: Scope,
    id: IntegrationId,
    expected_version: Option<i32>,
    who: &Who,
    decide: F,
) -> AppResult<Applied>
where
    F: FnOnce(&integration::Model, &Locked<'_>) -> AppResult<Decision>,
{
    let target = Target::Existing {
        id,
        expected_version,
    };
    run(app, scope, target, who, |current, locked| match current {
        Some(current) => decide(current, locked),
        None => Err(AppError::NotFound("integration")),
    })
    .await
}

/// Runs `decide` on `target` (`None` when it names an account the owner does not have
/// yet) and applies its decision atomically: an update of the row it was shown, or the
/// insert of a new one.
pub async fn run<F>(
    app: &App,
    scope: Scope,
    target: Target<'_>,
    who: &Who,
    decide: F,
) -> AppResult<Applied>
where
    F: FnOnce(Option<&integration::Model>, &Locked<'_>) -> AppResult<Decision>,
{
    let txn = app.store.begin_write().await?;
    let data = Scoped::new(&txn, scope);
    let mut chain = data.lock_chain().await?;
    let current = read_target(&data, target).await?;
    let (owner, network) = match (&current, target) {
        (Some(c), _) => (c.owner_id, c.network),
        (None, Target::Account { owner, network, .. }) => (owner, network),
        (None, Target::Existing { .. }) => return Err(AppError::NotFound("integration")),
    };
    let slots_used = match may_take_slot(current.as_ref().map(|c| c.status)) {
        true => Some(used_in(&data.slots_used(owner).await?, network)),
        false => None,
    };
    let locked = Locked {
        tenant: &chain.tenant,
        slots_used,
    };
    let decision = decide(current.as_ref(), &locked)?;
    let id = decision.changed.id;
    let from = current.as_ref().map(|c| c.status);
    let to = decision.changed.status;
    let saved = match &current {
        Some(current) => data.save_integration(current, decision.changed).await?,
        None => data.insert_integration(decision.changed).await?,
    };
    let transition = decision.kind == EventKind::Transition;
    let event = chain
        .append(
            &txn,
            NewEvent {
                integration_id: id,
                kind: decision.kind,
                actor_id: who.user_id,
                from_status: from.filter(|_| transition),
                to_status: transition.then_some(to),
                reason: decision.reason,
                note: decision.note.clone(),
                self_approval: decision.self_approval,
                request_id: who.request_id.clone(),
                delivery: None,
            },
        )
        .await?;
    wire::announce(&txn, std::slice::from_ref(&event)).await?;
    if decision.destroy_credentials {
        data.destroy_credentials(id).await?;
    }
    if let Some(tokens) = decision.tokens {
        data.store_credentials(id, tokens).await?;
    }
    let note = match (&decision.note, decision.note_is_compliance, who.user_id) {
        (Some(body), true, Some(author)) => Some(data.insert_note(id, author, body).await?),
        _ => None,
    };
    let item = FeedEvent {
        event: event.clone(),
        integration: saved.clone(),
    };
    commit_and_publish(app, txn, vec![item]).await?;
    Ok(Applied {
        integration: saved,
        event,
        note,
    })
}

/// The target's row as of now, under the chain lock; refuses a stale version and a
/// disconnected integration.
async fn read_target(
    data: &Scoped<'_, sea_orm::DatabaseTransaction>,
    target: Target<'_>,
) -> AppResult<Option<integration::Model>> {
    match target {
        Target::Existing {
            id,
            expected_version,
        } => {
            let current = data
                .integration(id)
                .await?
                .ok_or(AppError::NotFound("integration"))?;
            if let Some(expected) = expected_version
                && expected != current.version
            {
                return Err(AppError::Conflict(format!(
                    "the integration changed since you read it (version {expected}, now {} and \
                     {}); read it again",
                    current.version,
                    crate::domain::status::word(current.status)
                )));
            }
            if current.disconnected_at.is_some() {
                return Err(AppError::InvalidTransition(
                    "the integration is disconnected; connect the account again instead".into(),
                ));
            }
            Ok(Some(current))
        }
        Target::Account {
            owner,
            network,
            external_account_id,
        } => data.live_account(owner, network, external_account_id).await,
    }
}

/// Commits and announces in a task of its own: once the database has the change, its
/// announcement must not be lost because the request that made it was dropped
/// (client gone, timeout) between the commit and the publish.
pub(super) async fn commit_and_publish(
    app: &App,
    txn: sea_orm::DatabaseTransaction,
    items: Vec<FeedEvent>,
) -> AppResult<()> {
    let bus = app.bus.clone();
    tokio::spawn(async move {
        txn.commit().await?;
        for item in items {
            bus.publish(Notice::Event(Arc::new(item)));
        }
        Ok::<_, AppError>(())
    })
    .await
    .map_err(|e| AppError::internal(format!("commit task failed: {e}")))?
}
