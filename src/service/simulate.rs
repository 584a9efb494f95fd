//! Telling a sandbox network what to report about an integration's token at its next
//! check, so a frontend can walk every status without a real app. The sandbox
//! registers itself as the [`Simulate`] of the [`App`] when it is on; without one,
//! the use case refuses.

use std::fmt::Debug;

use crate::{
    auth::Actor,
    domain::{IntegrationId, Network},
    error::{AppError, AppResult},
    service::{App, integrations, tokens},
};

/// What a sandbox network can be told to report at the next check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simulated {
    /// The token expired (Facebook 190/463, LinkedIn EXPIRED_ACCESS_TOKEN).
    Expire,
    /// The password changed (190/460).
    PasswordChange,
    /// Access was revoked (190, LinkedIn REVOKED_ACCESS_TOKEN).
    RevokeAccess,
    /// The user lost their Page role (190/492).
    LosePageRole,
    /// The account is checkpointed (190/459).
    Checkpoint,
    /// A passing outage: 5xx until `Restore`.
    Outage,
    /// Posts are refused as duplicates (LinkedIn 422 `DUPLICATE_POST`, Facebook 506);
    /// checks still pass. Instagram documents no duplicate refusal and posts normally.
    RefusePostsAsDuplicates,
    /// The publishing limit is reached (Instagram 9/2207042, LinkedIn 429, Facebook
    /// 32); checks still pass.
    ReachPublishingLimit,
    /// Healthy again.
    Restore,
}

impl Simulated {
    /// Every event, in the order a menu offers them.
    pub const ALL: [Simulated; 9] = [
        Simulated::Expire,
        Simulated::PasswordChange,
        Simulated::RevokeAccess,
        Simulated::LosePageRole,
        Simulated::Checkpoint,
        Simulated::Outage,
        Simulated::RefusePostsAsDuplicates,
        Simulated::ReachPublishingLimit,
        Simulated::Restore,
    ];

    /// Whether `network` has this condition at all, as its documentation tells it: a
    /// Page role and a security checkpoint are Facebook's (Graph subcodes 492 and
    /// 459), a password change is reported by Meta's APIs (460), and Instagram
    /// documents no duplicate refusal. Offering "lose the Page role" for a LinkedIn
    /// profile would teach a frontend a state that cannot happen.
    pub fn applies_to(self, network: Network) -> bool {
        match self {
            Simulated::LosePageRole | Simulated::Checkpoint => network == Network::Facebook,
            Simulated::PasswordChange => network != Network::Linkedin,
            Simulated::RefusePostsAsDuplicates => network != Network::Instagram,
            Simulated::Expire
            | Simulated::RevokeAccess
            | Simulated::Outage
            | Simulated::ReachPublishingLimit
            | Simulated::Restore => true,
        }
    }

    /// The events `network` can be told to report, when it is a sandbox of `app`.
    pub fn offered(app: &App, network: Network) -> Vec<Simulated> {
        match app.simulator.is_some() && app.providers.sandboxed().contains(&network) {
            true => Simulated::ALL
                .into_iter()
                .filter(|event| event.applies_to(network))
                .collect(),
            false => Vec::new(),
        }
    }
}

/// A network that can be told what to report: the sandbox.
pub trait Simulate: Send + Sync + Debug {
    /// Makes the network report `event` for `access_token` from now on; false when it
    /// did not issue that token.
    fn simulate(&self, access_token: &str, event: Simulated) -> bool;
}

/// Makes the sandbox report `event` for the token of the integration `id`, which the
/// actor must be able to see.
pub async fn simulate(
    app: &App,
    actor: &Actor,
    id: IntegrationId,
    event: Simulated,
) -> AppResult<()> {
    let current = integrations::get(app, actor, id).await?;
    let simulator = match (
        &app.simulator,
        app.providers.sandboxed().contains(&current.network),
    ) {
        (Some(simulator), true) => simulator,
        _ => {
            return Err(AppError::BadUserInput(
                "sandboxSimulate works only for integrations of sandbox networks".into(),
            ));
        }
    };
    if !event.applies_to(current.network) {
        return Err(AppError::BadUserInput(format!(
            "{} has no such condition to simulate",
            crate::domain::network::name(current.network)
        )));
    }
    let stored = tokens::open(app, current.tenant_id, current.id)
        .await?
        .ok_or_else(|| AppError::BadUserInput("no token is stored for this integration".into()))?;
    if !simulator.simulate(stored.access.expose(), event) {
        return Err(AppError::BadUserInput(
            "this sandbox did not issue the integration's token (was the server restarted?); \
             reconnect it"
                .into(),
        ));
    }
    Ok(())
}
