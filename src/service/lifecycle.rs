//! What happens to an integration outside compliance review: the owner connects or
//! reconnects it, its token expires, the network withdraws it (disconnecting, which
//! also talks to the network, is in [`super::disconnect`]).
//! Network-driven changes are made by the system (no actor); the health checks and
//! callbacks call these. Every one goes through [`super::change`].

use chrono::{DateTime, Utc};
use entity::{
    enums::{Network, Status, StatusReason},
    integration,
};

pub use super::disconnect::disconnect;
use super::{
    change::{Applied, Decision, Locked, Target, Who, apply, run},
    scope_of,
};
use crate::{
    auth::Actor,
    config::Secret,
    crypto::{Keyring, binding},
    domain::{
        IntegrationId, TenantId,
        input::{self, Lines},
        limits::{permissions_reduced, take_slot},
        network::{account_kind, name},
        policy,
        status::{Change, destroys_credentials, is_expiry, is_invalidation, transition},
    },
    error::{AppError, AppResult},
    service::App,
    store::{
        Scope,
        credentials::{Ciphertext, SealedTokens},
        now,
    },
};

/// A change the network caused, made by the system in the whole tenant's scope.
async fn system_change(
    app: &App,
    tenant: TenantId,
    id: IntegrationId,
    expected_version: Option<i32>,
    change: Change,
) -> AppResult<Applied> {
    apply(
        app,
        Scope::tenant(tenant),
        id,
        expected_version,
        &Who::system(),
        |current, _| {
            let (to, reason) = transition(current.status, change)?;
            let mut decision = Decision::moved(current, to, reason);
            if destroys_credentials(reason) {
                // The person asked for their data to go: their tokens, and the
                // network's id for them, which only served to find them.
                decision.destroy_credentials = true;
                decision.changed.network_user_id = None;
            }
            Ok(decision)
        },
    )
    .await
}

/// The token expired (or the network says so): PENDING/ACTIVE → EXPIRED.
pub async fn expire(
    app: &App,
    tenant: TenantId,
    id: IntegrationId,
    reason: StatusReason,
) -> AppResult<Applied> {
    if !is_expiry(reason) {
        return Err(AppError::internal(format!(
            "{reason:?} is not an expiry reason"
        )));
    }
    system_change(app, tenant, id, None, Change::Expire(reason)).await
}

/// The network withdrew access: PENDING/ACTIVE → INVALID with the mapped reason. A
/// data-deletion request also destroys the stored credentials, and applies to an
/// integration already out of use too (its status then stays).
pub async fn invalidate(
    app: &App,
    tenant: TenantId,
    id: IntegrationId,
    reason: StatusReason,
) -> AppResult<Applied> {
    if !is_invalidation(reason) {
        return Err(AppError::internal(format!(
            "{reason:?} is not an invalidation reason"
        )));
    }
    system_change(app, tenant, id, None, Change::Invalidate(reason)).await
}

/// An expiry given in error is taken back: EXPIRED → ACTIVE when compliance's approval
/// stood (`approved`), else PENDING, if the row is still at `version`. Only the repairs
/// at start call it.
pub async fn withdraw_expiry(
    app: &App,
    (tenant, id, version): (TenantId, IntegrationId, i32),
    approved: bool,
) -> AppResult<Applied> {
    let change = Change::WithdrawExpiry { approved };
    system_change(app, tenant, id, Some(version), change).await
}

/// A definitive signal from the network: EXPIRED or INVALID by what `reason` means.
/// With `expected_version`, only if the integration is still as it was when the
/// network was asked (a reconnect meanwhile brought a token the network never saw).
/// Returns false when nothing moved: the integration was not usable anyway (the
/// network agrees with a status it already has), or it changed meanwhile.
pub async fn network_said(
    app: &App,
    tenant: TenantId,
    id: IntegrationId,
    expected_version: Option<i32>,
    reason: StatusReason,
) -> AppResult<bool> {
    let change = if is_expiry(reason) {
        Change::Expire(reason)
    } else if is_invalidation(reason) {
        Change::Invalidate(reason)
    } else {
        return Err(AppError::internal(format!(
            "{reason:?} is not a reason the network gives"
        )));
    };
    match system_change(app, tenant, id, expected_version, change).await {
        Ok(_) => Ok(true),
        Err(AppError::InvalidTransition(_) | AppError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Network tokens in the clear, on their way to being sealed.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl Tokens {
    /// Seals for the row `integration_id` of `tenant_id` with the newest key; the row
    /// binding means a ciphertext moved to another row fails to open.
    pub fn seal(
        &self,
        keyring: &Keyring,
        tenant_id: TenantId,
        integration_id: IntegrationId,
    ) -> AppResult<SealedTokens> {
        let aad = binding(tenant_id.uuid(), integration_id.uuid());
        let seal = |secret: &Secret| -> AppResult<Ciphertext> {
            let sealed = keyring.seal(secret.expose().as_bytes(), &aad)?;
            Ok(Ciphertext {
                key_id: sealed.key_id,
                blob: sealed.blob,
            })
        };
        Ok(SealedTokens {
            access: seal(&self.access)?,
            refresh: self.refresh.as_ref().map(seal).transpose()?,
            refresh_expires_at: self.refresh_expires_at,
        })
    }
}

/// What a completed sign-in returned from the network for one account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub network: Network,
    pub external_account_id: String,
    /// The network's id of the person who signed in, when the network has callbacks
    /// that name people by it (Facebook, Instagram); a renewal without one keeps the
    /// stored id.
    pub network_user_id: Option<String>,
    pub display_name: String,
    pub profile_url: Option<String>,
    /// Permissions granted now (scopes, Page tasks).
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The new tokens; a grant without a refresh token keeps the stored one.
    pub tokens: Option<Tokens>,
}

/// The owner reconnected integration `id`: same account required (else
/// ACCOUNT_MISMATCH, nothing changed); ACTIVE again if the approval stands, otherwise
/// back to PENDING.
pub async fn reconnected(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    account: NewAccount,
) -> AppResult<Applied> {
    let who = Who::from(actor);
    apply(app, scope_of(actor), id, None, &who, |current, locked| {
        renew(app, actor, current, locked, &account)
    })
    .await
}

/// A connection completed: a new PENDING integration, unless the owner already has
/// this account, which is then renewed as a reconnect (it never takes a second slot).
/// The per-network limit is checked inside the transaction, under the tenant's lock.
pub async fn connected(app: &App, actor: &Actor, account: NewAccount) -> AppResult<Applied> {
    let target = Target::Account {
        owner: actor.user_id,
        network: account.network,
        external_account_id: &account.external_account_id,
    };
    let who = Who::from(actor);
    run(
        app,
        scope_of(actor),
        target,
        &who,
        |current, locked| match current {
            Some(current) => renew(app, actor, current, locked, &account),
            None => create(app, actor, locked, &account),
        },
    )
    .await
}

/// The decision for a reconnect or renewal of `current` with `account`.
fn renew(
    app: &App,
    actor: &Actor,
    current: &integration::Model,
    locked: &Locked<'_>,
    account: &NewAccount,
) -> AppResult<Decision> {
    policy::reconnect(current.owner_id == actor.user_id)?;
    if current.external_account_id != account.external_account_id {
        return Err(AppError::AccountMismatch(format!(
            "This integration is {} on {}, but the sign-in returned another account. Sign \
             in to the network as {}, or connect the other account separately.",
            current.display_name,
            name(current.network),
            current.display_name
        )));
    }
    let reduced = permissions_reduced(current.approved_scopes.as_deref(), &account.scopes);
    let approval_stands =
        current.approved_at.is_some() && !reduced && !locked.tenant.reapproval_on_reconnect;
    let change = Change::Reconnect {
        approval_stands,
        permissions_reduced: reduced,
    };
    let (to, reason) = transition(current.status, change)?;
    // A rejected integration takes no slot; resubmitting it takes one again.
    if current.status == Status::Rejected {
        take_slot(locked.tenant, current.network, locked.slots_used()?, true)?;
    }
    let mut decision = Decision::moved(current, to, reason);
    decision.tokens = sealed(app, current, account)?;
    let changed = &mut decision.changed;
    changed.token_expires_at = account.token_expires_at;
    changed.granted_scopes = account.scopes.join(" ");
    changed.consecutive_failures = 0;
    if let Some(id) = network_user_id(account) {
        changed.network_user_id = Some(id);
    }
    if to == Status::Pending {
        changed.approved_at = None;
        changed.approved_scopes = None;
    }
    Ok(decision)
}

/// The decision for a new integration of `account`, owned by `actor`.
fn create(
    app: &App,
    actor: &Actor,
    locked: &Locked<'_>,
    account: &NewAccount,
) -> AppResult<Decision> {
    take_slot(locked.tenant, account.network, locked.slots_used()?, false)?;
    // What a network reports is bounded like client input: ids must fit, names are
    // shown and may be shortened, a URL that does not fit is dropped.
    input::text(
        "the account id",
        &account.external_account_id,
        input::MAX_NAME,
        Lines::Single,
    )
    .map_err(|why| AppError::Provider(format!("the network answered oddly: {why}")))?;
    let profile_url = account
        .profile_url
        .clone()
        .filter(|url| input::text("", url, input::MAX_URL, Lines::Single).is_ok());
    let at = now();
    let model = integration::Model {
        id: IntegrationId::generate(),
        tenant_id: actor.tenant_id,
        owner_id: actor.user_id,
        network: account.network,
        account_kind: account_kind(account.network),
        external_account_id: account.external_account_id.clone(),
        network_user_id: network_user_id(account),
        display_name: input::clip(&account.display_name, input::MAX_NAME),
        profile_url,
        status: Status::Pending,
        status_reason: StatusReason::Connected,
        status_changed_at: at,
        connected_at: at,
        granted_scopes: account.scopes.join(" "),
        approved_at: None,
        approved_scopes: None,
        token_expires_at: account.token_expires_at,
        last_checked_at: None,
        last_check_outcome: None,
        consecutive_failures: 0,
        version: 1,
        disconnected_at: None,
        created_at: at,
        updated_at: at,
    };
    let mut decision = Decision::transition(model, StatusReason::Connected);
    decision.tokens = sealed(app, &decision.changed, account)?;
    Ok(decision)
}

/// The network's id of the signed-in person, if it fits (it is network input).
fn network_user_id(account: &NewAccount) -> Option<String> {
    account
        .network_user_id
        .clone()
        .filter(|id| input::text("", id, input::MAX_NAME, Lines::Single).is_ok())
}

fn sealed(
    app: &App,
    row: &integration::Model,
    account: &NewAccount,
) -> AppResult<Option<SealedTokens>> {
    account
        .tokens
        .as_ref()
        .map(|t| t.seal(&app.keyring, row.tenant_id, row.id))
        .transpose()
}
