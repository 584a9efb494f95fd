//! The OAuth connect flow: `connectIntegration` stores a server-side attempt (hashed
//! state, sealed PKCE verifier, ten minutes, single use) and returns the network's
//! authorize URL; the callback claims the attempt, exchanges the code, discovers the
//! accounts and waits, sealed, until the attempt's owner completes it with the
//! one-time code the callback handed to their browser.
//! Any instance can finish any callback: everything lives in the database.

mod callback;
mod complete;

pub use callback::{Callback, CallbackParams, Outcome, callback};
pub use complete::{complete_attempt, get};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use entity::{
    connection_attempt,
    enums::{AttemptStatus, Status},
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{integrations, scope_of};
use crate::{
    auth::Actor,
    crypto::{Sealed, binding},
    domain::{
        AttemptId, IntegrationId, Network,
        input::{self, Lines},
        limits::{take_slot, used_in},
        network::slug,
        policy,
        status::word as status_word,
    },
    error::{AppError, AppResult},
    service::App,
    store::{Scope, now},
};

/// How long a sign-in may take.
pub const ATTEMPT_TTL: Duration = Duration::minutes(10);

/// Where the network sends the user back.
pub fn redirect_uri(app: &App, network: Network) -> String {
    format!(
        "{}/oauth/{}/callback",
        app.config.public_url(),
        slug(network)
    )
}

pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// A started attempt.
#[derive(Debug, Clone)]
pub struct Started {
    pub attempt: connection_attempt::Model,
    pub authorization_url: String,
}

/// Refuses a `returnTo` that is not on a configured origin.
fn check_return_to(app: &App, return_to: Option<&str>) -> AppResult<()> {
    if let Some(url) = return_to {
        input::text("returnTo", url, input::MAX_URL, Lines::Single)
            .map_err(AppError::BadUserInput)?;
    }
    let origins = app.config.origins();
    match return_to {
        Some(url) if !origins.lists_url(url) => Err(AppError::BadUserInput(format!(
            "returnTo must be on an allowed origin ({}); set SOCIALGATE_ALLOWED_ORIGINS",
            if origins.listed().is_empty() {
                "none configured".to_owned()
            } else {
                origins.listed().join(", ")
            }
        ))),
        _ => Ok(()),
    }
}

/// Refuses, before any redirect, what would be refused at completion: a reconnect of
/// an integration that is not the caller's or not expired, invalid or rejected; a new
/// connection when the caller's slots of the network are used.
async fn check_startable(
    app: &App,
    actor: &Actor,
    network: Network,
    reconnect: Option<IntegrationId>,
) -> AppResult<()> {
    let Some(id) = reconnect else {
        let data = app.store.tenant(scope_of(actor));
        let used = used_in(&data.slots_used(actor.user_id).await?, network);
        return Ok(take_slot(&actor.tenant, network, used, false)?);
    };
    let integration = integrations::get(app, actor, id).await?;
    policy::reconnect(integration.owner_id == actor.user_id)?;
    if integration.disconnected_at.is_some()
        || !matches!(
            integration.status,
            Status::Expired | Status::Invalid | Status::Rejected
        )
    {
        return Err(AppError::InvalidTransition(format!(
            "only expired, invalid or rejected integrations are reconnected; this one is {}",
            status_word(integration.status)
        )));
    }
    Ok(())
}

/// Starts a connection (or, with `reconnect`, a reconnect of that integration).
pub async fn start(
    app: &App,
    actor: &Actor,
    network: Network,
    return_to: Option<String>,
    reconnect: Option<IntegrationId>,
) -> AppResult<Started> {
    check_return_to(app, return_to.as_deref())?;
    check_startable(app, actor, network, reconnect).await?;
    let provider = app.providers.get(network)?;
    let id = AttemptId::generate();
    let state = random_token();
    let (verifier, challenge) = if provider.uses_pkce() {
        let verifier = random_token();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let sealed = app.keyring.seal(
            verifier.as_bytes(),
            &binding(actor.tenant_id.uuid(), id.uuid()),
        )?;
        (Some(sealed), Some(challenge))
    } else {
        (None, None)
    };
    let at = now();
    let attempt = app
        .store
        .tenant(Scope::tenant(actor.tenant_id))
        .insert_attempt(connection_attempt::Model {
            id,
            tenant_id: actor.tenant_id,
            user_id: actor.user_id,
            network,
            state_hash: hash(&state),
            pkce_verifier: verifier.map(|s| pack(&s)),
            return_to,
            integration_id: reconnect,
            status: AttemptStatus::Started,
            failure_code: None,
            failure: None,
            candidates: None,
            completion_hash: None,
            sealed_grant: None,
            expires_at: at + ATTEMPT_TTL,
            created_at: at,
            completed_at: None,
        })
        .await?;
    let authorization_url =
        provider.authorize_url(&state, challenge.as_deref(), &redirect_uri(app, network));
    Ok(Started {
        attempt,
        authorization_url,
    })
}

/// The associated data that binds an attempt's sealed values to it.
fn attempt_binding(attempt: &connection_attempt::Model) -> [u8; 32] {
    binding(attempt.tenant_id.uuid(), attempt.id.uuid())
}

/// Attempt blobs carry their key id: `key_id`, a NUL, then the sealed bytes.
pub(super) fn pack(sealed: &Sealed) -> Vec<u8> {
    let mut out = sealed.key_id.as_bytes().to_vec();
    out.push(0);
    out.extend_from_slice(&sealed.blob);
    out
}

pub(super) fn unpack(bytes: &[u8]) -> AppResult<Sealed> {
    let split = bytes
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| AppError::internal("sealed attempt data is malformed"))?;
    Ok(Sealed {
        key_id: String::from_utf8_lossy(&bytes[..split]).into_owned(),
        blob: bytes[split + 1..].to_vec(),
    })
}
