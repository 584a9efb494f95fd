//! Probes: ACTIVE and PENDING integrations are asked about, each when its turn comes
//! (`SOCIALGATE_PROBE_INTERVAL` after its last check), so an invalidation is noticed
//! before a post fails. A definitive answer changes the status through the one change
//! road; a passing fault (timeout, 5xx, 429, a malformed answer) is counted and retried
//! sooner, with backoff, and never changes a status. A network that says it is
//! throttling us (429, `Retry-After`, Meta's usage headers) is left alone for as long
//! as it asks, and each network gets a few probes at a time at most.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures_util::{StreamExt, stream};
use tokio::sync::Semaphore;

use super::{Job, Jobs};
use crate::{
    domain::{Network, Status},
    error::AppResult,
    service::health::{self, Probed},
    store::{Scope, now},
};

/// Integrations looked at per tenant and round.
const BATCH: u64 = 500;
/// Probes in flight at once per network.
const PER_NETWORK: usize = 4;
/// How soon a failed probe is tried again, doubled per failure in a row up to the
/// probe interval.
const FIRST_RETRY: Duration = Duration::from_secs(30);

/// When an integration that failed `failures` probes in a row is due again.
pub fn retry_after(failures: i32, interval: Duration) -> Duration {
    let doublings = u32::try_from(failures.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    FIRST_RETRY.saturating_mul(1 << doublings).min(interval)
}

/// Networks that asked us to wait, until when. Kept by the instance's [`Jobs`] across
/// rounds, so a network that asked for an hour is not asked again a minute later.
#[derive(Default)]
pub(super) struct Paused(Mutex<HashMap<Network, tokio::time::Instant>>);

impl Paused {
    pub(super) fn active(&self, network: Network) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|p| p.get(&network).copied())
            .is_some_and(|until| until > tokio::time::Instant::now())
    }

    /// Pauses `network` for `wait`, unless it already waits longer.
    pub(super) fn pause(&self, network: Network, wait: Duration) {
        if let Ok(mut paused) = self.0.lock() {
            let until = tokio::time::Instant::now() + wait;
            let at = paused.entry(network).or_insert(until);
            *at = (*at).max(until);
        }
    }
}

/// Probes every due integration of every tenant; returns how many changed status.
pub(super) async fn run(jobs: &Jobs) -> AppResult<usize> {
    let app = &jobs.app;
    let interval = app.config.probe_interval();
    let paused = &jobs.paused;
    let lanes: HashMap<Network, Arc<Semaphore>> =
        [Network::Linkedin, Network::Facebook, Network::Instagram]
            .into_iter()
            .map(|n| (n, Arc::new(Semaphore::new(PER_NETWORK))))
            .collect();
    let mut changed = 0;
    for tenant in app.store.tenant_ids().await? {
        let at = now();
        let due: Vec<_> = app
            .store
            .tenant(Scope::tenant(tenant))
            .due_for_probe(
                &[Status::Pending, Status::Active],
                at - chrono::Duration::from_std(FIRST_RETRY.min(interval)).unwrap_or_default(),
                BATCH,
            )
            .await?
            .into_iter()
            .filter(|i| {
                let wait = if i.consecutive_failures > 0 {
                    retry_after(i.consecutive_failures, interval)
                } else {
                    interval
                };
                let wait = chrono::Duration::from_std(wait).unwrap_or_default();
                i.last_checked_at.is_none_or(|last| last + wait <= at)
            })
            .collect();
        let outcomes = stream::iter(due)
            .map(|integration| {
                let lanes = &lanes;
                async move {
                    if paused.active(integration.network) {
                        return Ok(false);
                    }
                    let lane = lanes.get(&integration.network).cloned();
                    let _permit = match &lane {
                        Some(lane) => lane.acquire().await.ok(),
                        None => None,
                    };
                    let probed = match health::probe(app, &integration).await {
                        Ok(probed) => probed,
                        // No token, or the network is no longer configured: nothing to
                        // ask; the integration waits for a person. A steady state, not
                        // news: it would say so again every round.
                        Err(error) => {
                            tracing::debug!(integration = %integration.id, %error, "not probed");
                            return Ok(false);
                        }
                    };
                    if let Probed::Throttled(wait) = &probed {
                        paused.pause(integration.network, *wait);
                    }
                    health::record(app, &integration, probed).await
                }
            })
            .buffer_unordered(PER_NETWORK * 3)
            .collect::<Vec<AppResult<bool>>>()
            .await;
        for outcome in outcomes {
            changed += usize::from(outcome?);
        }
        if !jobs.lease(Job::Probe).await? {
            return Ok(changed);
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_the_interval() {
        let interval = Duration::from_secs(6 * 3600);
        assert_eq!(retry_after(1, interval), Duration::from_secs(30));
        assert_eq!(retry_after(2, interval), Duration::from_secs(60));
        assert_eq!(retry_after(5, interval), Duration::from_secs(480));
        assert_eq!(retry_after(40, interval), interval);
        assert_eq!(
            retry_after(3, Duration::from_secs(5)),
            Duration::from_secs(5)
        );
    }
}
