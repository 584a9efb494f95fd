//! `completeConnection` / `selectAccount`: the attempt's owner, holding the one-time
//! code the callback handed to their frontend, completes the connection with one of
//! the offered accounts. Only here are the integration and its sealed tokens written,
//! through the one change road.

use entity::{connection_attempt, enums::AttemptStatus};

use super::{attempt_binding, hash, unpack};
use crate::{
    auth::Actor,
    domain::{
        AttemptId,
        input::{self, Lines},
    },
    error::{AppError, AppResult},
    providers::Account,
    service::App,
    service::{
        change::Applied,
        integrations,
        lifecycle::{self, NewAccount, Tokens},
    },
    store::{Scope, attempts::Update, now},
};

/// Creates or renews the integration for `account`, storing its sealed tokens.
async fn complete(
    app: &App,
    actor: &Actor,
    attempt: &connection_attempt::Model,
    account: Account,
) -> AppResult<Applied> {
    let new = NewAccount {
        network: attempt.network,
        external_account_id: account.external_account_id,
        network_user_id: account.network_user_id,
        display_name: account.display_name,
        profile_url: account.profile_url,
        scopes: account.permissions,
        token_expires_at: account.grant.expires_at,
        tokens: Some(Tokens {
            access: account.grant.access_token,
            refresh: account.grant.refresh_token,
            refresh_expires_at: account.grant.refresh_expires_at,
        }),
    };
    let applied = match attempt.integration_id {
        Some(id) => lifecycle::reconnected(app, actor, id, new).await?,
        None => lifecycle::connected(app, actor, new).await?,
    };
    app.store
        .tenant(Scope::tenant(attempt.tenant_id))
        .finish_attempt(
            attempt.id,
            AttemptStatus::Completed,
            Update {
                integration_id: Some(applied.integration.id),
                candidates: attempt.candidates.clone(),
                ..Default::default()
            },
        )
        .await?;
    Ok(applied)
}

/// The attempt `id` of `actor`, waiting for completion with `completion_code`.
async fn awaiting(
    app: &App,
    actor: &Actor,
    id: AttemptId,
    completion_code: &str,
) -> AppResult<connection_attempt::Model> {
    let attempt = get(app, actor, id).await?;
    if attempt.status != AttemptStatus::AwaitingSelection {
        return Err(AppError::InvalidTransition(
            match attempt.status {
                AttemptStatus::Started => {
                    "this sign-in has not come back from the network yet; finish it in the popup"
                }
                AttemptStatus::Completed => "this sign-in has already been completed",
                _ => "this sign-in failed; connect again",
            }
            .into(),
        ));
    }
    if attempt.expires_at <= now() {
        return Err(AppError::BadUserInput(
            "this sign-in expired (it lasts ten minutes); connect again".into(),
        ));
    }
    if attempt.completion_hash.as_deref() != Some(hash(completion_code).as_str()) {
        return Err(AppError::BadUserInput(
            "wrong completion code: use the one the sign-in popup sent to this app".into(),
        ));
    }
    Ok(attempt)
}

/// The offered account to connect: `account_id`, or the only one, or for a reconnect
/// the integration's own account.
async fn choose(
    app: &App,
    actor: &Actor,
    attempt: &connection_attempt::Model,
    account_id: Option<&str>,
) -> AppResult<Account> {
    let sealed = attempt
        .sealed_grant
        .as_deref()
        .ok_or_else(|| AppError::internal("attempt awaiting completion has no grant"))?;
    let plain = app
        .keyring
        .open(&unpack(sealed)?, &attempt_binding(attempt))?;
    let mut accounts: Vec<Account> =
        serde_json::from_str(plain.expose()).map_err(AppError::internal)?;
    let bound = match attempt.integration_id {
        Some(id) => Some(integrations::get(app, actor, id).await?.external_account_id),
        None => None,
    };
    let wanted = account_id.map(str::to_owned).or(bound);
    match wanted {
        Some(wanted) => accounts
            .iter()
            .position(|a| a.external_account_id == wanted)
            .map(|i| accounts.swap_remove(i))
            .or_else(|| {
                (attempt.integration_id.is_some() && account_id.is_none() && !accounts.is_empty())
                    .then(|| accounts.swap_remove(0))
            })
            .ok_or_else(|| {
                AppError::BadUserInput(format!("{wanted:?} is not one of the offered accounts"))
            }),
        None if accounts.len() == 1 => Ok(accounts.swap_remove(0)),
        None => Err(AppError::BadUserInput(format!(
            "the login offers {} accounts: pass accountId (see connectionAttempt candidates)",
            accounts.len()
        ))),
    }
}

/// Completes the attempt `attempt_id` (`account_id` may be omitted when the login
/// offered one account, or for a reconnect, which is bound to its account).
pub async fn complete_attempt(
    app: &App,
    actor: &Actor,
    attempt_id: AttemptId,
    completion_code: &str,
    account_id: Option<&str>,
) -> AppResult<Applied> {
    let bad = AppError::BadUserInput;
    input::text(
        "completionCode",
        completion_code,
        input::MAX_TOKEN,
        Lines::Single,
    )
    .map_err(bad)?;
    if let Some(id) = account_id {
        input::text("accountId", id, input::MAX_NAME, Lines::Single).map_err(bad)?;
    }
    let attempt = awaiting(app, actor, attempt_id, completion_code).await?;
    let account = choose(app, actor, &attempt, account_id).await?;
    let data = app.store.tenant(Scope::tenant(attempt.tenant_id));
    let claimed = data
        .claim_attempt(
            attempt.id,
            AttemptStatus::AwaitingSelection,
            AttemptStatus::Failed,
            now(),
        )
        .await?;
    if !claimed {
        return Err(AppError::Conflict(
            "this connection attempt was completed meanwhile".into(),
        ));
    }
    let result = complete(app, actor, &attempt, account).await;
    if let Err(e) = &result {
        let update = Update {
            failure: Some((e.connect_failure(), e.public_message())),
            candidates: attempt.candidates.clone(),
            ..Default::default()
        };
        let recorded = data
            .finish_attempt(attempt.id, AttemptStatus::Failed, update)
            .await;
        if let Err(error) = recorded {
            tracing::error!(%error, attempt = %attempt.id, "cannot record a failed attempt");
        }
    }
    result
}

/// `connectionAttempt(id)`: the caller's own attempt.
pub async fn get(app: &App, actor: &Actor, id: AttemptId) -> AppResult<connection_attempt::Model> {
    app.store
        .tenant(Scope::tenant(actor.tenant_id))
        .attempt_of_user(actor.user_id, id)
        .await?
        .ok_or(AppError::NotFound("connection attempt"))
}
