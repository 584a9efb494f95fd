//! Renewal: tokens the network lets us renew are renewed ahead of their end, tenant by
//! tenant. The job's lease is renewed before every call to a network, so the lease is
//! never older than one call (which times out well inside [`super::LEASE`]): another
//! instance cannot take the job over while a renewal is in flight, and no token is
//! ever renewed by two instances at once.

use super::{Job, Jobs};
use crate::{
    error::AppResult,
    service::refresh::{self, Renewed},
};

/// Integrations looked at per tenant and run.
const BATCH: u64 = 200;

/// Renews every due token; returns how many integrations changed (renewed, or moved
/// because the network refused).
pub(super) async fn run(jobs: &Jobs) -> AppResult<usize> {
    let app = &jobs.app;
    let mut changed = 0;
    for tenant in app.store.tenant_ids().await? {
        for integration in refresh::due(app, tenant, BATCH).await? {
            if !jobs.lease(Job::Refresh).await? {
                return Ok(changed);
            }
            match refresh::renew(app, &integration).await? {
                Renewed::Renewed | Renewed::Refused(_, true) => changed += 1,
                Renewed::Refused(_, false) | Renewed::Passing(_) | Renewed::Skipped => {}
            }
        }
    }
    Ok(changed)
}
