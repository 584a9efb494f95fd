//! The network's redirect back: `GET /oauth/{network}/callback` claims the attempt by
//! its state, exchanges the code and discovers the accounts. It stores no integration:
//! it cannot tell whose browser it runs in, so the grant waits, sealed, for the
//! attempt's owner to complete it with the one-time code handed to this browser.

use entity::{connection_attempt, enums::AttemptStatus};
use serde_json::json;

use super::{attempt_binding, hash, pack, random_token, redirect_uri, unpack};
use crate::{
    app::App,
    domain::{AttemptId, Network},
    error::{AppError, AppResult},
    store::{Scope, attempts::Update, now},
};

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
    pub attempt_id: Option<AttemptId>,
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
    let attempt = match app.store.attempt_by_state(&hash(state)).await {
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
    let data = app.store.tenant(Scope::tenant(attempt.tenant_id));
    match data
        .claim_attempt(
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
        let recorded = data
            .finish_attempt(
                attempt.id,
                AttemptStatus::Failed,
                Update {
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
                .open(&unpack(bytes)?, &attempt_binding(attempt))?,
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
    let sealed = app.keyring.seal(&plain, &attempt_binding(attempt))?;
    let completion_code = random_token();
    app.store
        .tenant(Scope::tenant(attempt.tenant_id))
        .finish_attempt(
            attempt.id,
            AttemptStatus::AwaitingSelection,
            Update {
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
