//! Token renewal: tokens the network lets us renew are renewed before they would show
//! as expiring soon (see `domain::refresh`). A renewal is stored through the one
//! change road with an audit event; a refused renewal (`invalid_grant`, a dead token)
//! moves the integration with the mapped reason; a passing fault changes nothing and
//! is tried again on the next round, well before the token ends.

use entity::{
    enums::{Status, StatusReason},
    integration,
};

use super::{
    change::{Decision, Who, apply},
    lifecycle::{self, Tokens},
    tokens,
};
use crate::{
    domain::{
        TenantId,
        refresh::{Renewal, horizon, refused, renewable, renewal},
    },
    error::{AppError, AppResult},
    providers::ProviderError,
    service::App,
    store::{Scope, credentials::RenewableWhen, now},
};

/// How one renewal ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewed {
    /// A new token is stored.
    Renewed,
    /// The network refused; the integration moved (true) or was not usable anyway.
    Refused(StatusReason, bool),
    /// Timeout, 5xx, throttling: try again next round.
    Passing(ProviderError),
    /// Nothing to renew: no stored token, or it was replaced meanwhile.
    Skipped,
}

/// Up to `limit` integrations of `tenant` whose token should be renewed now.
pub async fn due(app: &App, tenant: TenantId, limit: u64) -> AppResult<Vec<integration::Model>> {
    let at = now();
    let window = app.config.expires_soon_window();
    let rules: Vec<_> = renewable()
        .filter(|n| app.providers.get(*n).is_ok())
        .filter_map(|n| match renewal(n) {
            Renewal::RefreshToken => Some((n, RenewableWhen::HasRefreshToken)),
            Renewal::SelfRenewing { min_age } => {
                Some((n, RenewableWhen::StoredBefore(at - min_age)))
            }
            Renewal::Never => None,
        })
        .collect();
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    app.store
        .tenant(Scope::tenant(tenant))
        .due_for_refresh(
            &[Status::Pending, Status::Active],
            at,
            horizon(at, window),
            &rules,
            limit,
        )
        .await
}

/// Renews `integration`'s token at its network and stores the new one.
pub async fn renew(app: &App, integration: &integration::Model) -> AppResult<Renewed> {
    let (tenant, id) = (integration.tenant_id, integration.id);
    let Some(stored) = tokens::open(app, tenant, id).await? else {
        return Ok(Renewed::Skipped);
    };
    let answer = app
        .providers
        .get(integration.network)?
        .refresh(&stored.access, stored.refresh.as_ref())
        .await;
    let grant = match answer {
        Ok(grant) => grant,
        Err(ProviderError::Dead(reason)) => {
            let reason = match reason {
                StatusReason::RefreshRevoked => refused(stored.refresh_expires_at, now()),
                other => other,
            };
            let version = Some(integration.version);
            let moved = lifecycle::network_said(app, tenant, id, version, reason).await?;
            return Ok(Renewed::Refused(reason, moved));
        }
        Err(other) => {
            tracing::info!(integration = %id, error = ?other, "token renewal failed for now");
            return Ok(Renewed::Passing(other));
        }
    };
    // Refreshing never extends a refresh token's life: without a new end, the stored
    // one still holds. Without a new expiry, the token is assumed to last as long as
    // the one it replaces did.
    let fresh = Tokens {
        access: grant.access_token,
        refresh: grant.refresh_token,
        refresh_expires_at: grant.refresh_expires_at.or(stored.refresh_expires_at),
    };
    let expires_at = grant.expires_at.or(integration.token_expires_at);
    let renewed_from = integration.token_expires_at;
    let stored = apply(
        app,
        Scope::tenant(tenant),
        id,
        None,
        &Who::system(),
        |current, _| {
            // A reconnect or a status change since the integration was read: its token is
            // no longer the one renewed, or it is no longer ours to keep fresh.
            if current.token_expires_at != renewed_from
                || !matches!(current.status, Status::Pending | Status::Active)
            {
                return Err(AppError::Conflict("replaced meanwhile".into()));
            }
            let mut decision = Decision::renewed(current, expires_at);
            decision.tokens = Some(fresh.seal(&app.keyring, tenant, id)?);
            Ok(decision)
        },
    )
    .await;
    match stored {
        Ok(_) => Ok(Renewed::Renewed),
        Err(AppError::Conflict(_) | AppError::InvalidTransition(_) | AppError::NotFound(_)) => {
            Ok(Renewed::Skipped)
        }
        Err(e) => Err(e),
    }
}
