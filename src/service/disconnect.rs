//! Disconnect: the owner (or an admin) ends an integration. The app's access is revoked
//! at the network where the network documents a way, best effort; then, through the one
//! change road, the credentials are destroyed and the audit event records what the
//! network said. A network that is down, slow or refusing never stops a disconnect:
//! the local credentials go either way.
//!
//! Every refusal (not found, not allowed, already disconnected, stale version) comes
//! before anything is sent to the network, and the change road checks them again
//! under its lock.

use std::time::Duration;

use entity::{enums::StatusReason, integration};

use super::{
    change::{Applied, Decision, Who, apply},
    integrations, scope_of, tokens,
};
use crate::{
    auth::Actor,
    domain::{IntegrationId, network::name, policy},
    error::{AppError, AppResult},
    providers::Revocation,
    service::App,
};

/// How long a disconnect waits for the network's answer to a revocation.
pub const REVOKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Disconnect: revoked at the network where possible, credentials destroyed, the row
/// and its history kept, hidden from lists and limits. The status stays what it was;
/// the reason says DISCONNECTED and the event's note what the network said.
pub async fn disconnect(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    expected_version: Option<i32>,
) -> AppResult<Applied> {
    // The same refusals, in the same order, as the change road gives below.
    let current = integrations::get(app, actor, id).await?;
    if let Some(expected) = expected_version
        && expected != current.version
    {
        return Err(AppError::Conflict(format!(
            "the integration changed since you read it (version {expected}, now {}); read \
             it again",
            current.version
        )));
    }
    if current.disconnected_at.is_some() {
        return Err(AppError::InvalidTransition(
            "the integration is disconnected; connect the account again instead".into(),
        ));
    }
    policy::disconnect(&actor.roles, current.owner_id == actor.user_id)?;
    let revocation = revoke(app, &current).await;
    if let Revocation::Failed(why) = &revocation {
        tracing::warn!(integration = %current.id, why, "revocation at the network failed");
    }
    let note = outcome(&current, &revocation);
    apply(
        app,
        scope_of(actor),
        id,
        expected_version,
        &Who::from(actor),
        |current, _| {
            policy::disconnect(&actor.roles, current.owner_id == actor.user_id)?;
            let mut decision = Decision::moved(current, current.status, StatusReason::Disconnected);
            decision.changed.disconnected_at = Some(decision.changed.status_changed_at);
            decision.destroy_credentials = true;
            decision.note = Some(note);
            Ok(decision)
        },
    )
    .await
}

/// Asks the integration's network to revoke the app's access, if it offers a way.
async fn revoke(app: &App, integration: &integration::Model) -> Revocation {
    let Ok(provider) = app.providers.get(integration.network) else {
        return Revocation::Skipped("the network is not configured on this server".into());
    };
    if !provider.offers_revocation() {
        return Revocation::NotOffered;
    }
    let user = integration.network_user_id.as_deref();
    if let Some(user) = user {
        // Revoking removes the app from the person's account: every other integration
        // they connected with the same login, in any tenant, would stop working.
        match app
            .store
            .login_shared(integration.network, user, integration.id)
            .await
        {
            Ok(false) => {}
            Ok(true) => {
                // Worded so that it says nothing about other tenants.
                return Revocation::Skipped("the login may still be in use elsewhere".into());
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether a login is shared");
                return Revocation::Skipped("could not check who else uses the login".into());
            }
        }
    }
    let token = match tokens::open(app, integration.tenant_id, integration.id).await {
        Ok(tokens) => tokens.map(|t| t.access),
        Err(e) => {
            tracing::warn!(error = %e, integration = %integration.id, "cannot open credentials to revoke");
            None
        }
    };
    match tokio::time::timeout(REVOKE_TIMEOUT, provider.revoke(token.as_ref(), user)).await {
        Ok(revocation) => revocation,
        Err(_) => Revocation::Failed("the network did not answer in time".into()),
    }
}

/// The sentence the audit event keeps about the revocation.
fn outcome(integration: &integration::Model, revocation: &Revocation) -> String {
    let network = name(integration.network);
    match revocation {
        Revocation::Revoked => {
            format!("Access revoked at {network}; stored credentials destroyed.")
        }
        Revocation::NotOffered => {
            format!("Not revoked: {network} offers no revocation; stored credentials destroyed.")
        }
        Revocation::Skipped(why) => {
            format!("Not revoked at {network}: {why}; stored credentials destroyed.")
        }
        Revocation::Failed(why) => {
            format!("Revocation at {network} failed ({why}); stored credentials destroyed anyway.")
        }
    }
}
