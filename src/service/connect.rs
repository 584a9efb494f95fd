//! The OAuth connect flow: `connectIntegration` stores a server-side attempt (hashed
//! state, sealed PKCE verifier, ten minutes, single use) and returns the network's
//! authorize URL; the callback claims the attempt, exchanges the code, discovers the
//! accounts and either completes the integration or waits for `selectAccount`.
//! Any instance can finish any callback: everything lives in the database.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use entity::{
    connection_attempt,
    enums::{AttemptStatus, Status},
};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    change::Applied,
    lifecycle::{self, NewAccount, Reconnection, Tokens},
};
use crate::{
    app::App,
    auth::Actor,
    crypto::{Sealed, binding},
    domain::{Network, policy},
    error::{AppError, AppResult},
    providers::Account,
    store::{attempts, integrations, now, tenants},
};

/// How long a sign-in may take.
pub const ATTEMPT_TTL: Duration = Duration::minutes(10);

/// The path segment of a network in callback URLs.
pub fn slug(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "linkedin",
        Network::Facebook => "facebook",
        Network::Instagram => "instagram",
    }
}

/// Where the network sends the user back.
pub fn redirect_uri(app: &App, network: Network) -> String {
    format!(
        "{}/oauth/{}/callback",
        app.config.public_url(),
        slug(network)
    )
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

/// A started attempt.
#[derive(Debug, Clone)]
pub struct Started {
    pub attempt: connection_attempt::Model,
    pub authorization_url: String,
}

/// Starts a connection (or, with `reconnect`, a reconnect of that integration).
pub async fn start(
    app: &App,
    actor: &Actor,
    network: Network,
    return_to: Option<String>,
    reconnect: Option<Uuid>,
) -> AppResult<Started> {
    let db = app.store.db();
    if let Some(url) = &return_to {
        let allowed = app.config.origins();
        if !origin_of(url).is_some_and(|o| allowed.contains(&o)) {
            return Err(AppError::BadUserInput(format!(
                "returnTo must be on an allowed origin ({}); set SOCIALGATE_ALLOWED_ORIGINS",
                if allowed.is_empty() {
                    "none configured".to_owned()
                } else {
                    allowed.join(", ")
                }
            )));
        }
    }
    match reconnect {
        Some(id) => {
            let integration = integrations::find(db, actor.scope(), id)
                .await?
                .ok_or(AppError::NotFound("integration"))?;
            policy::reconnect(integration.owner_id == actor.user_id)?;
            if integration.disconnected_at.is_some()
                || !matches!(
                    integration.status,
                    Status::Expired | Status::Invalid | Status::Rejected
                )
            {
                return Err(AppError::InvalidTransition(format!(
                    "only expired, invalid or rejected integrations are reconnected; this one is {:?}",
                    integration.status
                )));
            }
        }
        None => {
            let tenant = tenants::get(db, actor.tenant_id).await?;
            let used = integrations::slots_used(db, actor.tenant_id, actor.user_id)
                .await?
                .into_iter()
                .find(|(n, _)| *n == network)
                .map_or(0, |(_, c)| c);
            let limit = tenants::limit_of(&tenant, network);
            if used >= i64::from(limit) {
                return Err(AppError::LimitReached(format!(
                    "you already have {used} of {limit} {network:?} integration(s) allowed; \
                     disconnect one first"
                )));
            }
        }
    }
    let provider = app.providers.get(network)?;
    let id = Uuid::now_v7();
    let state = random_token();
    let (verifier, challenge) = if provider.uses_pkce() {
        let verifier = random_token();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let sealed = app
            .keyring
            .seal(verifier.as_bytes(), &binding(actor.tenant_id, id))?;
        (Some(sealed), Some(challenge))
    } else {
        (None, None)
    };
    let at = now();
    let attempt = attempts::insert(
        db,
        connection_attempt::Model {
            id,
            tenant_id: actor.tenant_id,
            user_id: actor.user_id,
            network,
            state_hash: hash(&state),
            pkce_verifier: verifier.map(|s| pack(&s)),
            return_to,
            integration_id: reconnect,
            status: AttemptStatus::Started,
            failure: None,
            candidates: None,
            completion_hash: None,
            sealed_grant: None,
            expires_at: at + ATTEMPT_TTL,
            created_at: at,
            completed_at: None,
        },
    )
    .await?;
    let authorization_url =
        provider.authorize_url(&state, challenge.as_deref(), &redirect_uri(app, network));
    Ok(Started {
        attempt,
        authorization_url,
    })
}

/// Attempt blobs carry their key id: `key_id`, a NUL, then the sealed bytes.
fn pack(sealed: &Sealed) -> Vec<u8> {
    let mut out = sealed.key_id.as_bytes().to_vec();
    out.push(0);
    out.extend_from_slice(&sealed.blob);
    out
}

fn unpack(bytes: &[u8]) -> AppResult<Sealed> {
    let split = bytes
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| AppError::internal("sealed attempt data is malformed"))?;
    Ok(Sealed {
        key_id: String::from_utf8_lossy(&bytes[..split]).into_owned(),
        blob: bytes[split + 1..].to_vec(),
    })
}

/// What the network's redirect carried.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
    pub error_description: Option<String>,
}

/// How a callback ended, for the popup page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The network answered; the owner's frontend completes the attempt with this
    /// one-time code (`completeConnection` / `selectAccount`). `accounts` were offered.
    Confirm {
        completion_code: String,
        accounts: usize,
    },
    Cancelled,
    Failed {
        code: &'static str,
        message: String,
    },
}

/// The callback's result: what to tell the opener, and where to send the user.
#[derive(Debug, Clone)]
pub struct Callback {
    pub attempt_id: Option<Uuid>,
    pub outcome: Outcome,
    pub return_to: Option<String>,
}

fn refused(message: &str) -> Callback {
    Callback {
        attempt_id: None,
        outcome: Outcome::Failed {
            code: "BAD_USER_INPUT",
            message: message.to_owned(),
        },
        return_to: None,
    }
}

/// Finishes the flow at `GET /oauth/{network}/callback`.
pub async fn callback(app: &App, network: Network, params: CallbackParams) -> Callback {
    let Some(state) = params.state.as_deref().filter(|s| !s.is_empty()) else {
        return refused("the sign-in came back without its state; start again");
    };
    let attempt = match attempts::by_state(app.store.db(), &hash(state)).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) => return refused("this sign-in is unknown; start again"),
        Err(e) => return failed_internal(None, e),
    };
    if attempt.network != network {
        return refused("this sign-in was started for another network; start again");
    }
    let at = now();
    if attempt.status != AttemptStatus::Started {
        return refused("this sign-in was already used; start again");
    }
    if attempt.expires_at <= at {
        return refused("this sign-in expired (ten minutes); start again");
    }
    // Claim it: a replayed callback loses here.
    match attempts::claim(
        app.store.db(),
        attempt.id,
        AttemptStatus::Started,
        AttemptStatus::Failed,
        at,
    )
    .await
    {
        Ok(true) => {}
        Ok(false) => return refused("this sign-in was already used; start again"),
        Err(e) => return failed_internal(Some(&attempt), e),
    }
    let outcome = match finish_callback(app, &attempt, params).await {
        Ok(outcome) => outcome,
        Err(e) => {
            if matches!(e, AppError::Database(_) | AppError::Internal(_)) {
                tracing::error!(error = %e, attempt = %attempt.id, "connect callback failed");
            }
            Outcome::Failed {
                code: e.code(),
                message: e.public_message(),
            }
        }
    };
    let failure = match &outcome {
        Outcome::Failed { message, .. } => Some(message.clone()),
        Outcome::Cancelled => Some("cancelled at the network".to_owned()),
        Outcome::Confirm { .. } => None,
    };
    if let Some(failure) = failure {
        let recorded = attempts::finish(
            app.store.db(),
            attempt.id,
            AttemptStatus::Failed,
            attempts::Update {
                failure: Some(failure),
                ..Default::default()
            },
        )
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, attempt = %attempt.id, "cannot record a failed attempt");
        }
    }
    Callback {
        attempt_id: Some(attempt.id),
        outcome,
        return_to: attempt.return_to.clone(),
    }
}

fn failed_internal(attempt: Option<&connection_attempt::Model>, e: AppError) -> Callback {
    tracing::error!(error = %e, "connect callback failed");
    Callback {
        attempt_id: attempt.map(|a| a.id),
        outcome: Outcome::Failed {
            code: "INTERNAL",
            message: e.public_message(),
        },
        return_to: attempt.and_then(|a| a.return_to.clone()),
    }
}

async fn finish_callback(
    app: &App,
    attempt: &connection_attempt::Model,
    params: CallbackParams,
) -> AppResult<Outcome> {
    if let Some(error) = params.error {
        if error == "access_denied" {
            tracing::info!(attempt = %attempt.id, reason = ?params.error_reason, "sign-in declined");
            return Ok(Outcome::Cancelled);
        }
        return Err(AppError::Provider(format!(
            "the network refused the sign-in ({error}{})",
            params
                .error_description
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )));
    }
    let code = params.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        AppError::BadUserInput("the network sent neither a code nor an error".into())
    })?;
    let verifier = match &attempt.pkce_verifier {
        Some(bytes) => Some(
            app.keyring
                .open(&unpack(bytes)?, &binding(attempt.tenant_id, attempt.id))?,
        ),
        None => None,
    };
    let provider = app.providers.get(attempt.network)?;
    let grant = provider
        .exchange(
            &code,
            verifier.as_ref().map(|v| v.expose()),
            &redirect_uri(app, attempt.network),
        )
        .await?;
    let accounts = provider.accounts(&grant).await?;
    // Nothing is stored for anyone yet: the callback cannot tell whose browser it is
    // in. The grant waits, sealed, until the attempt's owner completes it with the
    // one-time code that only reaches the browser that finished this sign-in.
    let candidates = json!(
        accounts
            .iter()
            .map(|a| json!({ "id": a.external_account_id, "name": a.display_name, "profileUrl": a.profile_url }))
            .collect::<Vec<_>>()
    );
    let plain = serde_json::to_vec(&accounts).map_err(AppError::internal)?;
    let sealed = app
        .keyring
        .seal(&plain, &binding(attempt.tenant_id, attempt.id))?;
    let completion_code = random_token();
    attempts::finish(
        app.store.db(),
        attempt.id,
        AttemptStatus::AwaitingSelection,
        attempts::Update {
            candidates: Some(candidates),
            sealed_grant: Some(pack(&sealed)),
            completion_hash: Some(hash(&completion_code)),
            ..Default::default()
        },
    )
    .await?;
    Ok(Outcome::Confirm {
        completion_code,
        accounts: accounts.len(),
    })
}

/// Creates or renews the integration for `account`, storing its sealed tokens.
async fn complete(
    app: &App,
    actor: &Actor,
    attempt: &connection_attempt::Model,
    account: Account,
) -> AppResult<Applied> {
    let tokens = Tokens {
        access: account.grant.access_token.to_secret(),
        refresh: account.grant.refresh_token.as_ref().map(|r| r.to_secret()),
        refresh_expires_at: account.grant.refresh_expires_at,
    };
    let applied = match attempt.integration_id {
        Some(id) => {
            let reconnection = Reconnection {
                external_account_id: account.external_account_id,
                scopes: account.permissions,
                token_expires_at: account.grant.expires_at,
                tokens: Some(tokens),
            };
            lifecycle::reconnected(&app.store, &app.keyring, actor, id, reconnection).await?
        }
        None => {
            let new = NewAccount {
                network: attempt.network,
                external_account_id: account.external_account_id,
                display_name: account.display_name,
                profile_url: account.profile_url,
                scopes: account.permissions,
                token_expires_at: account.grant.expires_at,
                tokens: Some(tokens),
            };
            lifecycle::connected(&app.store, &app.keyring, actor, new).await?
        }
    };
    attempts::finish(
        app.store.db(),
        attempt.id,
        AttemptStatus::Completed,
        attempts::Update {
            integration_id: Some(applied.integration.id),
            candidates: attempt.candidates.clone(),
            ..Default::default()
        },
    )
    .await?;
    Ok(applied)
}

/// `completeConnection` / `selectAccount`: the attempt's owner, holding the one-time
/// code the callback handed to their frontend, completes the connection with one of
/// the offered accounts (`account_id` may be omitted when there is one, or for a
/// reconnect, which is bound to its account).
pub async fn complete_attempt(
    app: &App,
    actor: &Actor,
    attempt_id: Uuid,
    completion_code: &str,
    account_id: Option<&str>,
) -> AppResult<Applied> {
    let db = app.store.db();
    let attempt = attempts::of_user(db, actor.tenant_id, actor.user_id, attempt_id)
        .await?
        .ok_or(AppError::NotFound("connection attempt"))?;
    if attempt.status != AttemptStatus::AwaitingSelection {
        return Err(AppError::InvalidTransition(format!(
            "this connection attempt is not waiting to be completed (it is {:?})",
            attempt.status
        )));
    }
    let at = now();
    if attempt.expires_at <= at {
        return Err(AppError::BadUserInput(
            "this connection attempt expired; connect again".into(),
        ));
    }
    if attempt.completion_hash.as_deref() != Some(hash(completion_code).as_str()) {
        return Err(AppError::BadUserInput(
            "wrong completion code: use the one the sign-in popup sent to this app".into(),
        ));
    }
    let sealed = attempt
        .sealed_grant
        .as_deref()
        .ok_or_else(|| AppError::internal("attempt awaiting completion has no grant"))?;
    let plain = app
        .keyring
        .open(&unpack(sealed)?, &binding(attempt.tenant_id, attempt.id))?;
    let mut accounts: Vec<Account> =
        serde_json::from_str(plain.expose()).map_err(AppError::internal)?;
    let bound = match attempt.integration_id {
        Some(id) => integrations::find(db, actor.scope(), id)
            .await?
            .map(|i| i.external_account_id),
        None => None,
    };
    let wanted = account_id.map(str::to_owned).or(bound);
    let account = match wanted {
        Some(wanted) => accounts
            .iter()
            .position(|a| a.external_account_id == wanted)
            .map(|i| accounts.swap_remove(i))
            .or_else(|| {
                (attempt.integration_id.is_some() && account_id.is_none())
                    .then(|| accounts.swap_remove(0))
            })
            .ok_or_else(|| {
                AppError::BadUserInput(format!("{wanted:?} is not one of the offered accounts"))
            })?,
        None if accounts.len() == 1 => accounts.swap_remove(0),
        None => {
            return Err(AppError::BadUserInput(format!(
                "the login offers {} accounts: pass accountId (see connectionAttempt candidates)",
                accounts.len()
            )));
        }
    };
    if !attempts::claim(
        db,
        attempt.id,
        AttemptStatus::AwaitingSelection,
        AttemptStatus::Failed,
        at,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "this connection attempt was completed meanwhile".into(),
        ));
    }
    match complete(app, actor, &attempt, account).await {
        Ok(applied) => Ok(applied),
        Err(e) => {
            let recorded = attempts::finish(
                db,
                attempt.id,
                AttemptStatus::Failed,
                attempts::Update {
                    failure: Some(e.public_message()),
                    candidates: attempt.candidates.clone(),
                    ..Default::default()
                },
            )
            .await;
            if let Err(error) = recorded {
                tracing::error!(%error, attempt = %attempt.id, "cannot record a failed attempt");
            }
            Err(e)
        }
    }
}

/// `connectionAttempt(id)`: the caller's own attempt.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<connection_attempt::Model> {
    attempts::of_user(app.store.db(), actor.tenant_id, actor.user_id, id)
        .await?
        .ok_or(AppError::NotFound("connection attempt"))
}
