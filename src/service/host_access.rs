//! The host's own code using a connection: where a tenant's admins allowed it, a trusted
//! server-side caller (a token with the role `service`, sent without a browser's
//! `Origin`) reads the access token of an ACTIVE integration, for hosts that publish
//! through their own pipeline. Every read is an audit event (`TOKEN_READ`) naming the
//! caller, written before the token is handed out: no read goes unrecorded. Any other
//! status is refused: an account compliance has not approved, or whose token the
//! network refused, is never usable.

use chrono::{DateTime, Utc};
use entity::enums::{EventKind, Status};

use super::{
    App,
    change::{self, Decision, Who},
    tokens,
};
use crate::{
    auth::{Actor, Role},
    config::Secret,
    domain::{IntegrationId, Network, status::word},
    error::{AppError, AppResult},
    store::Scope,
};

/// A token handed to the host.
#[derive(Debug, Clone)]
pub struct HostToken {
    pub access_token: Secret,
    pub expires_at: Option<DateTime<Utc>>,
    pub network: Network,
    /// The network's id of the account the token acts as.
    pub account_id: String,
}

/// Reads the access token of integration `id` for `actor`, recording the read.
/// `from_browser`: the request carried a browser's `Origin`.
pub async fn read(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    from_browser: bool,
) -> AppResult<HostToken> {
    if !actor.has(Role::Service) || from_browser {
        return Err(AppError::Forbidden(
            "access tokens are read only by the host's server-side code: a token with the \
             role service, sent without a browser's Origin"
                .into(),
        ));
    }
    let scope = Scope::tenant(actor.tenant_id);
    let applied = change::apply(
        app,
        scope,
        id,
        None,
        &Who::from(actor),
        |current, locked| {
            if !locked.tenant.host_token_access {
                return Err(AppError::Forbidden(
                    "host token access is off for this tenant: an admin turns it on with \
                 updateTenantSettings(input: { hostTokenAccess: true })"
                        .into(),
                ));
            }
            if current.status != Status::Active || current.disconnected_at.is_some() {
                return Err(AppError::InvalidTransition(format!(
                    "only an ACTIVE integration's token is handed out; this one is {}",
                    word(current.status)
                )));
            }
            Ok(Decision {
                kind: EventKind::TokenRead,
                reason: None,
                ..Decision::transition(current.clone(), current.status_reason)
            })
        },
    )
    .await?;
    let stored = tokens::open(app, actor.tenant_id, id)
        .await?
        .ok_or_else(|| AppError::Provider("no token is stored for this integration".into()))?;
    let integration = applied.integration;
    Ok(HostToken {
        access_token: stored.access,
        expires_at: integration.token_expires_at,
        network: integration.network,
        account_id: integration.external_account_id,
    })
}
