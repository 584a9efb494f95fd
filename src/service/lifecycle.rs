//! What happens to an integration outside compliance review: the owner disconnects or
//! reconnects it, its token expires, the network withdraws it. Network-driven changes
//! are made by the system (no actor); the health checks and callbacks call these.

use chrono::{DateTime, Utc};
use entity::enums::{EventKind, Network, Status, StatusReason};
use uuid::Uuid;

use super::change::{Applied, Decision, Who, apply, commit_and_publish};
use crate::{
    auth::Actor,
    config::Secret,
    crypto::{Keyring, binding},
    domain::{
        network::account_kind,
        policy,
        status::{Change, is_expiry, is_invalidation, transition},
    },
    error::{AppError, AppResult},
    events::FeedEvent,
    store::{
        Scope, Store,
        credentials::{self, SealedTokens},
        events::{Chain, NewEvent},
        integrations, now, tenants,
    },
};

/// Disconnect: credentials destroyed, the row and its history kept, hidden from lists
/// and limits. The status stays what it was; the reason says DISCONNECTED.
pub async fn disconnect(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    apply(
        store,
        actor.scope(),
        id,
        expected_version,
        &Who::from(actor),
        |current, _| {
            policy::disconnect(&actor.roles, current.owner_id == actor.user_id)?;
            let mut decision = Decision::moved(current, current.status, StatusReason::Disconnected);
            decision.changed.disconnected_at = Some(decision.changed.status_changed_at);
            decision.destroy_credentials = true;
            Ok(decision)
        },
    )
    .await
}

fn system_change(current: &entity::integration::Model, change: Change) -> AppResult<Decision> {
    let (to, reason) = transition(current.status, change)?;
    Ok(Decision::moved(current, to, reason))
}

/// The token expired (or the network says so): PENDING/ACTIVE → EXPIRED.
pub async fn expire(
    store: &Store,
    tenant_id: Uuid,
    id: Uuid,
    reason: StatusReason,
) -> AppResult<Applied> {
    if !is_expiry(reason) {
        return Err(AppError::internal(format!(
            "{reason:?} is not an expiry reason"
        )));
    }
    let scope = Scope {
        tenant_id,
        owner_id: None,
    };
    apply(store, scope, id, None, &Who::system(), |current, _| {
        system_change(current, Change::Expire(reason))
    })
    .await
}

/// The network withdrew access: PENDING/ACTIVE → INVALID with the mapped reason.
pub async fn invalidate(
    store: &Store,
    tenant_id: Uuid,
    id: Uuid,
    reason: StatusReason,
) -> AppResult<Applied> {
    if !is_invalidation(reason) {
        return Err(AppError::internal(format!(
            "{reason:?} is not an invalidation reason"
        )));
    }
    let scope = Scope {
        tenant_id,
        owner_id: None,
    };
    apply(store, scope, id, None, &Who::system(), |current, _| {
        system_change(current, Change::Invalidate(reason))
    })
    .await
}

/// Network tokens in the clear, on their way to being sealed.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl Tokens {
    /// Seals for the row `integration_id` of `tenant_id` with the newest key.
    pub fn seal(
        &self,
        keyring: &Keyring,
        tenant_id: Uuid,
        integration_id: Uuid,
    ) -> AppResult<SealedTokens> {
        let aad = binding(tenant_id, integration_id);
        Ok(SealedTokens {
            access: keyring.seal(self.access.expose().as_bytes(), &aad)?,
            refresh: self
                .refresh
                .as_ref()
                .map(|r| keyring.seal(r.expose().as_bytes(), &aad))
                .transpose()?,
            refresh_expires_at: self.refresh_expires_at,
        })
    }
}

/// What a completed reconnect returned from the network.
#[derive(Debug, Clone)]
pub struct Reconnection {
    pub external_account_id: String,
    /// Permissions granted now (scopes, Page tasks).
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The new tokens; a grant without a refresh token keeps the stored one.
    pub tokens: Option<Tokens>,
}

/// True when `granted` lacks any of the space-separated `approved` permissions.
pub fn permissions_reduced(approved: Option<&str>, granted: &[String]) -> bool {
    approved.is_some_and(|approved| {
        approved
            .split_whitespace()
            .any(|scope| !granted.iter().any(|g| g == scope))
    })
}

/// The owner reconnected: same account required (else ACCOUNT_MISMATCH, nothing
/// changed); ACTIVE again if the approval stands, otherwise back to PENDING.
pub async fn reconnected(
    store: &Store,
    keyring: &Keyring,
    actor: &Actor,
    id: Uuid,
    reconnection: Reconnection,
) -> AppResult<Applied> {
    let sealed = reconnection
        .tokens
        .as_ref()
        .map(|t| t.seal(keyring, actor.tenant_id, id))
        .transpose()?;
    apply(
        store,
        actor.scope(),
        id,
        None,
        &Who::from(actor),
        |current, locked| {
            policy::reconnect(current.owner_id == actor.user_id)?;
            if current.external_account_id != reconnection.external_account_id {
                return Err(AppError::AccountMismatch(format!(
                    "this integration is {} on {:?}; the login returned another account. \
                     Sign in to the network as that account, or connect the other one separately",
                    current.display_name, current.network
                )));
            }
            let reduced =
                permissions_reduced(current.approved_scopes.as_deref(), &reconnection.scopes);
            let approval_stands =
                current.approved_at.is_some() && !reduced && !locked.tenant.reapproval_on_reconnect;
            let change = Change::Reconnect {
                approval_stands,
                permissions_reduced: reduced,
            };
            let (to, reason) = transition(current.status, change)?;
            // A rejected integration takes no slot; resubmitting it takes one again.
            let limit = i64::from(tenants::limit_of(locked.tenant, current.network));
            if current.status == Status::Rejected && locked.slots_used >= limit {
                return Err(AppError::LimitReached(format!(
                    "you already have {} of {limit} {:?} integration(s) allowed; disconnect one \
                     before resubmitting this one",
                    locked.slots_used, current.network
                )));
            }
            let mut decision = Decision::moved(current, to, reason);
            decision.tokens = sealed;
            let changed = &mut decision.changed;
            changed.token_expires_at = reconnection.token_expires_at;
            changed.granted_scopes = reconnection.scopes.join(" ");
            changed.consecutive_failures = 0;
            if to == Status::Pending {
                changed.approved_at = None;
                changed.approved_scopes = None;
            }
            Ok(decision)
        },
    )
    .await
}

/// An account a completed connection returned.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub network: Network,
    pub external_account_id: String,
    pub display_name: String,
    pub profile_url: Option<String>,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub tokens: Option<Tokens>,
}

/// A connection completed: a new PENDING integration, unless the owner already has
/// this account, which is then renewed as a reconnect (it never takes a second slot).
/// The per-network limit is checked inside the transaction, under the tenant's lock.
pub async fn connected(
    store: &Store,
    keyring: &Keyring,
    actor: &Actor,
    account: NewAccount,
) -> AppResult<Applied> {
    let txn = store.begin_write().await?;
    let mut chain = Chain::lock(&txn, actor.tenant_id).await?;
    if let Some(existing) = integrations::live_account(
        &txn,
        actor.tenant_id,
        actor.user_id,
        account.network,
        &account.external_account_id,
    )
    .await?
    {
        drop(txn);
        let reconnection = Reconnection {
            external_account_id: account.external_account_id,
            scopes: account.scopes,
            token_expires_at: account.token_expires_at,
            tokens: account.tokens,
        };
        return reconnected(store, keyring, actor, existing.id, reconnection).await;
    }
    let used = integrations::slots_used(&txn, actor.tenant_id, actor.user_id)
        .await?
        .into_iter()
        .find(|(n, _)| *n == account.network)
        .map_or(0, |(_, c)| c);
    let limit = tenants::limit_of(&chain.tenant, account.network);
    if used >= i64::from(limit) {
        return Err(AppError::LimitReached(format!(
            "you already have {used} of {limit} {:?} integration(s) allowed; disconnect one first",
            account.network
        )));
    }
    let at = now();
    let model = entity::integration::Model {
        id: Uuid::now_v7(),
        tenant_id: actor.tenant_id,
        owner_id: actor.user_id,
        network: account.network,
        account_kind: account_kind(account.network),
        external_account_id: account.external_account_id,
        display_name: account.display_name,
        profile_url: account.profile_url,
        status: Status::Pending,
        status_reason: StatusReason::Connected,
        status_changed_at: at,
        connected_at: at,
        granted_scopes: account.scopes.join(" "),
        approved_at: None,
        approved_scopes: None,
        token_expires_at: account.token_expires_at,
        last_checked_at: None,
        consecutive_failures: 0,
        version: 1,
        disconnected_at: None,
        created_at: at,
        updated_at: at,
    };
    let integration = integrations::insert(&txn, model).await?;
    if let Some(tokens) = &account.tokens {
        let sealed = tokens.seal(keyring, actor.tenant_id, integration.id)?;
        credentials::store(&txn, actor.tenant_id, integration.id, sealed).await?;
    }
    let event = chain
        .append(
            &txn,
            NewEvent {
                integration_id: integration.id,
                kind: EventKind::Transition,
                actor_id: Some(actor.user_id),
                from_status: None,
                to_status: Some(Status::Pending),
                reason: Some(StatusReason::Connected),
                note: None,
                self_approval: false,
                request_id: actor.request_id.clone(),
            },
        )
        .await?;
    commit_and_publish(
        store,
        txn,
        FeedEvent {
            event: event.clone(),
            integration: integration.clone(),
        },
    )
    .await?;
    Ok(Applied {
        integration,
        event,
        note: None,
    })
}
