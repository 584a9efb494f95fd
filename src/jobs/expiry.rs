//! The expiry sweep: integrations that are PENDING or ACTIVE and whose token expiry
//! has passed become EXPIRED (TOKEN_EXPIRED), tenant by tenant, in batches, each
//! batch one transaction on the batch road with one audit event and one subscription
//! event per integration. Nothing else expires an integration on a date: a Facebook
//! Page's token has no expiry, and its permissions outlive the person's data access.

use super::{Job, Jobs};
use crate::{
    domain::{Status, StatusReason, status::Change},
    error::AppResult,
    service::{batch, change::Who},
    store::{Scope, integrations::Still, now},
};

/// Integrations moved per transaction.
pub const BATCH: u64 = 1000;

/// Sweeps every tenant; returns how many integrations expired.
pub(super) async fn run(jobs: &Jobs) -> AppResult<usize> {
    let app = &jobs.app;
    let mut expired = 0;
    let due = app
        .store
        .tenants_with_ended_tokens(&[Status::Pending, Status::Active], now())
        .await?;
    for tenant in due {
        let (moved, leased) = sweep(jobs, Scope::tenant(tenant)).await?;
        expired += moved;
        if !leased {
            return Ok(expired);
        }
    }
    Ok(expired)
}

/// Expires the tenant's integrations whose token ended, in batches; returns how many,
/// and whether this instance still holds the job's lease.
async fn sweep(jobs: &Jobs, scope: Scope) -> AppResult<(usize, bool)> {
    let app = &jobs.app;
    let mut expired = 0;
    loop {
        let at = now();
        let ids = app
            .store
            .tenant(scope)
            .expiring(&[Status::Pending, Status::Active], at, BATCH)
            .await?;
        if ids.is_empty() {
            return Ok((expired, true));
        }
        // The rows were read outside the batch's transaction: the batch moves only
        // those whose token has still ended when it writes.
        let change = Change::Expire(StatusReason::TokenExpired);
        let still = Still::TokenEndedBefore(at);
        let moved = batch::apply_many(app, scope, &ids, &Who::system(), (change, still)).await?;
        expired += moved.len();
        // A long sweep renews its lease between batches; one that lost it (it ran past
        // the lease and another instance took over) stops here.
        if !jobs.lease(Job::Expiry).await? {
            return Ok((expired, false));
        }
        if (ids.len() as u64) < BATCH {
            return Ok((expired, true));
        }
    }
}
