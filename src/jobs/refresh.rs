//! Renewal: tokens the network lets us renew are renewed ahead of their end, tenant by
//! tenant. The job's lease is renewed before every call to a network, so the lease is
//! never older than one call (which times out well inside [`super::LEASE`]): another
//! instance cannot take the job over while a renewal is in flight, and no token is
//! ever renewed by two instances at once.

use std::collections::HashSet;

use super::{Job, Jobs};
use crate::{
    error::AppResult,
    providers::ProviderError,
    service::{
        health::THROTTLE_PAUSE,
        refresh::{self, Renewed},
    },
};

/// Integrations looked at per tenant and run.
const BATCH: u64 = 200;

/// Renews every due token; returns how many integrations changed (renewed, or moved
/// because the network refused).
pub(super) async fn run(jobs: &Jobs) -> AppResult<usize> {
    let app = &jobs.app;
    let mut changed = 0;
    // Networks that failed this round (down, or throttling) are left until the next:
    // their tokens have days to go, and every other job waits while this one runs.
    let mut resting = HashSet::new();
    for tenant in app.store.tenant_ids().await? {
        for integration in refresh::due(app, tenant, BATCH).await? {
            let network = integration.network;
            if resting.contains(&network) || jobs.paused.active(network) {
                continue;
            }
            if !jobs.lease(Job::Refresh).await? {
                return Ok(changed);
            }
            match refresh::renew(app, &integration).await {
                Ok(Renewed::Renewed | Renewed::Refused(_, true)) => changed += 1,
                Ok(Renewed::Refused(_, false) | Renewed::Skipped) => {}
                Ok(Renewed::Passing(ProviderError::RateLimited(_, wait))) => {
                    jobs.paused.pause(network, wait.unwrap_or(THROTTLE_PAUSE));
                    resting.insert(network);
                }
                Ok(Renewed::Passing(ProviderError::Transient(_))) => {
                    resting.insert(network);
                }
                Ok(Renewed::Passing(_)) => {}
                // One integration that cannot be renewed (a token sealed with a retired
                // key, say) must not keep the ones after it from being renewed.
                Err(error) => {
                    tracing::warn!(integration = %integration.id, %error, "token renewal failed");
                }
            }
        }
    }
    Ok(changed)
}
