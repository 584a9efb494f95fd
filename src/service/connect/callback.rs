//! The network's redirect back: `GET /oauth/{network}/callback` claims the attempt by
//! its state, exchanges the code and discovers the accounts. It stores no integration:
//! it cannot tell whose browser it runs in, so the grant waits, sealed, for the
//! attempt's owner to complete it with the one-time code handed to this browser.

use entity::{
    connection_attempt,
    enums::{AttemptStatus, ConnectFailure},
};
use serde_json::json;

use super::{attempt_binding, hash, pack, random_token, redirect_uri, unpack};
use crate::{
    domain::{AttemptId, Network},
    error::{AppError, AppResult},
    service::App,
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
    /// Nothing was connected: `failure` is the code, `message` the sentence.
    Failed {
        failure: ConnectFailure,
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

impl Callback {
    /// A refusal before any network call. When the attempt is known, its frontend
    /// still gets the user back (its `returnTo`), so a full-page flow is never stranded.
    fn refused(
        attempt: Option<&connection_attempt::Model>,
        failure: ConnectFailure,
        message: &str,
    ) -> Callback {
        Callback {
            attempt_id: attempt.map(|a| a.id),
            outcome: Outcome::Failed {
                failure,
                message: message.to_owned(),
            },
            return_to: attempt.and_then(|a| a.return_to.clone()),
        }
    }
}

/// Finishes the flow at `GET /oauth/{network}/callback`.
pub async fn callback(app: &App, network: Network, params: CallbackParams) -> Callback {
    use ConnectFailure::{SignInUnknown, SignInUsed};
    let Some(state) = params.state.as_deref().filter(|s| !s.is_empty()) else {
        return Callback::refused(
            None,
            SignInUnknown,
            "The network sent the sign-in back without its state. Connect again.",
        );
    };
    let attempt = match app.store.attempt_by_state(&hash(state)).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) => {
            return Callback::refused(
                None,
                SignInUnknown,
                "This sign-in is unknown here. Connect again.",
            );
        }
        Err(e) => return failed_internal(None, e),
    };
    let known = Some(&attempt);
    let at = now();
    if let Err(refused) = usable(&attempt, network, at) {
        return refused;
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
        Ok(false) => {
            return Callback::refused(
                known,
                SignInUsed,
                "This sign-in was already finished. Connect again if nothing was connected.",
            );
        }
        Err(e) => return failed_internal(known, e),
    }
    let outcome = match finish_callback(app, &attempt, params).await {
        Ok(outcome) => outcome,
        Err(e) => {
            if matches!(e, AppError::Database(_) | AppError::Internal(_)) {
                tracing::error!(error = %e, attempt = %attempt.id, "connect callback failed");
            }
            Outcome::Failed {
                failure: e.connect_failure(),
                message: e.public_message(),
            }
        }
    };
    if let Outcome::Failed { failure, message } = &outcome {
        let update = Update {
            failure: Some((*failure, message.clone())),
            ..Default::default()
        };
        let recorded = data
            .finish_attempt(attempt.id, AttemptStatus::Failed, update)
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

/// Whether `attempt` may be finished by a callback of `network` at `at`, or the
/// refusal to answer with.
fn usable(
    attempt: &connection_attempt::Model,
    network: Network,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Callback> {
    use ConnectFailure::{SignInExpired, SignInUnknown, SignInUsed};
    let known = Some(attempt);
    if attempt.network != network {
        return Err(Callback::refused(
            known,
            SignInUnknown,
            "This sign-in was started for another network. Connect again.",
        ));
    }
    // Expiry first: the housekeeping job marks expired attempts failed, and a person
    // coming back late must hear that it expired, not that it was used.
    if attempt.expires_at <= at || attempt.failure_code == Some(SignInExpired) {
        return Err(Callback::refused(
            known,
            SignInExpired,
            "This sign-in expired (it lasts ten minutes). Connect again.",
        ));
    }
    if attempt.status != AttemptStatus::Started {
        return Err(Callback::refused(
            known,
            SignInUsed,
            "This sign-in was already finished. Connect again if nothing was connected.",
        ));
    }
    Ok(())
}

fn failed_internal(attempt: Option<&connection_attempt::Model>, e: AppError) -> Callback {
    tracing::error!(error = %e, "connect callback failed");
    Callback::refused(attempt, ConnectFailure::Internal, &e.public_message())
}

async fn finish_callback(
    app: &App,
    attempt: &connection_attempt::Model,
    params: CallbackParams,
) -> AppResult<Outcome> {
    if let Some(error) = params.error {
        // Meta says access_denied; LinkedIn says user_cancelled_login (at its sign-in)
        // or user_cancelled_authorize (at its consent screen).
        if matches!(
            error.as_str(),
            "access_denied" | "user_cancelled_login" | "user_cancelled_authorize"
        ) {
            tracing::info!(attempt = %attempt.id, reason = ?params.error_reason, "sign-in declined");
            return Err(AppError::Refused(
                ConnectFailure::Cancelled,
                "You cancelled the sign-in; nothing was connected.".into(),
            ));
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
        AppError::Provider("the network sent neither a code nor an error; connect again".into())
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
