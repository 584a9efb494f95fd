//! Meta's deauthorize and data-deletion callbacks. Meta calls them when a person
//! removes the app from their Facebook or Instagram settings, or asks for the data the
//! app holds about them to be deleted; the `signed_request` names the person by the
//! network's id of them, with no tenant. Nothing is read or changed before its
//! signature checks out with that network's app secret.
//!
//! - Deauthorize: every live integration of that person on that network becomes
//!   INVALID (APP_DEAUTHORIZED), each in its own tenant, as the system. When a Page
//!   removed the app, the request names the Page (`profile_id`) instead, and the
//!   integrations of that Page are withdrawn.
//! - Data deletion: the same with DATA_DELETION_REQUESTED, and their stored
//!   credentials are destroyed (an integration already out of use keeps its status and
//!   loses its credentials too). Meta is answered with a confirmation code and the URL
//!   of a status page that resolves it.
//!
//! Each change takes the one change road ([`lifecycle::invalidate`]): one audit event
//! and one subscription event per integration. An unknown person changes nothing and
//! is answered the same way.

use chrono::{DateTime, Utc};
use entity::{data_deletion_request, enums::StatusReason};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::lifecycle;
use crate::{
    config::Secret,
    domain::{Network, network::name},
    error::{AppError, AppResult},
    providers::signed_request::{self, SignedRequest, Subject},
    service::App,
    store::now,
};

/// The app secret that signs `network`'s callbacks: the configured app's, or the
/// look-alike's when a sandbox serves the network; `None` when the network is not served.
pub fn app_secret(app: &App, network: Network) -> Option<Secret> {
    let configured = match network {
        Network::Facebook => app.config.facebook_app_secret.clone(),
        Network::Instagram => app.config.instagram_app_secret.clone(),
        Network::Linkedin => None,
    };
    // A look-alike's secret is public: only a development server (dev mode, which
    // listens on loopback only) takes callbacks signed with it. A host with its own
    // sign-in has no JWT key either, and a public demo must not let anyone withdraw
    // its integrations.
    if configured.is_none() && app.config.dev && network != Network::Linkedin {
        return app.providers.lookalike_secret(network).cloned();
    }
    configured
}

/// How long after Meta signed a callback it is still taken: a captured request
/// replayed later must not withdraw integrations the person has connected since.
/// Within the window, callbacks already acted on are remembered (a replay then
/// changes nothing); the housekeeping job forgets them after it.
pub const FRESH_FOR: chrono::Duration = chrono::Duration::hours(24);

/// Verifies `signed` for `network`: `NOT_FOUND` when the network takes no callbacks
/// here, `BAD_USER_INPUT` when the request is not signed by its app or is stale.
fn verify(app: &App, network: Network, signed: &str) -> AppResult<SignedRequest> {
    let secret = app_secret(app, network).ok_or(AppError::NotFound("callback"))?;
    let read = signed_request::verify(signed, &secret)
        .map_err(|why| AppError::BadUserInput(why.to_string()))?;
    let issued = read
        .issued_at
        .and_then(|at| chrono::DateTime::from_timestamp(at, 0));
    match issued {
        Some(at) if at > now() - FRESH_FOR && at < now() + chrono::Duration::minutes(5) => Ok(read),
        _ => Err(AppError::BadUserInput(
            "the signed_request has no recent issued_at; Meta signs each callback when it \
             sends it"
                .into(),
        )),
    }
}

/// Moves every live integration of `subject` on `network` for `reason`; returns how
/// many changed.
async fn invalidate_all(
    app: &App,
    network: Network,
    subject: &Subject,
    reason: StatusReason,
) -> AppResult<usize> {
    let found = match subject {
        Subject::Person(id) => app.store.integrations_of_network_user(network, id).await?,
        Subject::Page(id) => app.store.integrations_of_account(network, id).await?,
    };
    let mut changed = 0;
    for integration in found {
        // A repeated callback (Meta retries) finds the work done.
        if integration.status_reason == reason {
            continue;
        }
        match lifecycle::invalidate(app, integration.tenant_id, integration.id, reason).await {
            Ok(_) => changed += 1,
            // Already EXPIRED, INVALID or REJECTED: nothing to withdraw.
            Err(AppError::InvalidTransition(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

/// The digest a callback is remembered by: of the endpoint it came to and of the
/// request without the padding base64url allows (`sig=.payload` and `sig.payload`
/// verify alike, so they must be one request here too).
fn digest(endpoint: &str, signed: &str) -> String {
    let parts: Vec<&str> = signed
        .trim()
        .split('.')
        .map(|part| part.trim_end_matches('='))
        .collect();
    hex::encode(Sha256::digest(
        format!("{endpoint}:{}", parts.join(".")).as_bytes(),
    ))
}

/// The deauthorize callback: returns how many integrations became INVALID. A repeat of
/// one already acted on (Meta's retry, or a replay) changes nothing.
pub async fn deauthorize(app: &App, network: Network, signed: &str) -> AppResult<usize> {
    let request = verify(app, network, signed)?;
    let digest = digest("deauthorize", signed);
    if app.store.callback_seen(&digest).await?.is_some() {
        tracing::info!(network = name(network), "deauthorize callback repeated");
        return Ok(0);
    }
    let changed = invalidate_all(
        app,
        network,
        &request.subject,
        StatusReason::AppDeauthorized,
    )
    .await?;
    // Remembered once acted on: a callback that failed half-way is taken again when
    // Meta retries it.
    app.store
        .remember_callback(&digest, network, None, now())
        .await?;
    tracing::info!(network = name(network), changed, "deauthorize callback");
    Ok(changed)
}

/// What Meta is answered for a data-deletion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The status page of this request.
    pub url: String,
    pub confirmation_code: String,
}

/// An alphanumeric code, as Meta asks for, that cannot be guessed.
fn confirmation_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The data-deletion callback: withdraws the person's integrations, destroys their
/// credentials and records the request under a new confirmation code.
pub async fn delete_data(app: &App, network: Network, signed: &str) -> AppResult<Deletion> {
    let request = verify(app, network, signed)?;
    let digest = digest("data-deletion", signed);
    // A repeat is answered with the code the first one got, and changes nothing.
    if let Some(code) = app
        .store
        .callback_seen(&digest)
        .await?
        .and_then(|seen| seen.confirmation_code)
    {
        return Ok(Deletion {
            url: status_url(app, &code),
            confirmation_code: code,
        });
    }
    let deletion = delete_data_of(app, network, &request.subject).await?;
    app.store
        .remember_callback(&digest, network, Some(&deletion.confirmation_code), now())
        .await?;
    Ok(deletion)
}

/// A data-deletion request that reached the operator another way than the callback
/// (Meta's callback is known to be unreliable, and people also write by email): the
/// same withdrawal, destruction and record as [`delete_data`], for `subject` as the
/// operator identified it. Only Meta's networks take such requests here.
pub async fn delete_data_of(app: &App, network: Network, subject: &Subject) -> AppResult<Deletion> {
    if network == Network::Linkedin {
        return Err(AppError::BadUserInput(
            "LinkedIn sends no data-deletion requests; disconnect the integration instead".into(),
        ));
    }
    let changed =
        invalidate_all(app, network, subject, StatusReason::DataDeletionRequested).await?;
    let code = confirmation_code();
    app.store
        .insert_deletion_request(data_deletion_request::Model {
            confirmation_code: code.clone(),
            network,
            integrations: i32::try_from(changed).unwrap_or(i32::MAX),
            requested_at: now(),
        })
        .await?;
    tracing::info!(network = name(network), changed, "data-deletion callback");
    Ok(Deletion {
        url: status_url(app, &code),
        confirmation_code: code,
    })
}

/// Where the status page of the request with `code` lives.
pub fn status_url(app: &App, code: &str) -> String {
    format!("{}/data-deletion/{code}", app.config.public_url())
}

/// What the status page of a data-deletion request shows: never who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionStatus {
    pub confirmation_code: String,
    pub network: Network,
    pub requested_at: DateTime<Utc>,
    /// Integrations withdrawn and stripped of their credentials.
    pub integrations: i32,
}

impl DeletionStatus {
    /// What was done, in words.
    pub fn done(&self) -> String {
        let network = name(self.network);
        match self.integrations {
            0 => format!(
                "This server held no {network} connection of yours, so there was nothing to \
                 delete."
            ),
            n => format!(
                "{n} {network} connection{} made with your login {} marked as no longer \
                 authorized, and the access tokens stored for {} were deleted. No one can \
                 act on your behalf through this server any more.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "was" } else { "were" },
                if n == 1 { "it" } else { "them" },
            ),
        }
    }

    /// What was kept, and why.
    pub fn kept(&self) -> &'static str {
        "The firm's compliance record of the connection (the account's name and id, and \
         the history of its status changes) is kept, because financial firms must keep \
         records of the accounts their advisors use. It holds no access token."
    }
}

/// The status of the request with confirmation code `code`, if there is one.
pub async fn status(app: &App, code: &str) -> AppResult<Option<DeletionStatus>> {
    // Codes are ours: anything else is not looked up.
    if code.is_empty() || code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    Ok(app
        .store
        .deletion_request(code)
        .await?
        .map(|row| DeletionStatus {
            confirmation_code: row.confirmation_code,
            network: row.network,
            requested_at: row.requested_at,
            integrations: row.integrations,
        }))
}
