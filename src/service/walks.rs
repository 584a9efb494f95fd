//! One whole-chain audit walk of each kind at a time per tenant.
//!
//! `verifyAuditTrail` and `auditExport` each read a tenant's entire audit chain: the
//! most expensive work a request can ask for. The query budget lets each appear once
//! per operation; this permit map makes sure a tenant cannot stack them across
//! requests either. A second walk of a kind the tenant is already running is refused
//! at once with `RATE_LIMITED` (no queue: the caller retries when the first ends). The
//! two kinds have separate permits, so one request may ask for both. An entry exists
//! only while its walk runs, so the map never outgrows the walks in flight.

use std::{collections::HashSet, fmt, sync::Mutex};

use crate::{domain::TenantId, error::AppError};

/// Work that reads a tenant's whole audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Walk {
    /// `verifyAuditTrail`.
    Verify,
    /// `auditExport`.
    Export,
}

impl fmt::Display for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Walk::Verify => "verification of the audit trail",
            Walk::Export => "export of the audit trail",
        })
    }
}

/// The walks running now; one per [`App`](crate::service::App).
#[derive(Debug, Default)]
pub struct Walks {
    running: Mutex<HashSet<(TenantId, Walk)>>,
}

impl Walks {
    /// The permit for `walk` over `tenant`'s audit chain: `RATE_LIMITED` when one is
    /// already running, so a tenant cannot stack whole-chain reads. The permit is given
    /// back when the returned [`WalkPermit`] is dropped.
    pub fn start(&self, tenant: TenantId, walk: Walk) -> Result<WalkPermit<'_>, AppError> {
        let mut running = self
            .running
            .lock()
            .map_err(|_| AppError::internal("walk permits poisoned"))?;
        if !running.insert((tenant, walk)) {
            return Err(AppError::RateLimited(format!(
                "another {walk} of this tenant is running; try again when it has finished"
            )));
        }
        Ok(WalkPermit {
            walks: self,
            key: (tenant, walk),
        })
    }
}

/// A running verification or export; dropping it lets the next one of the tenant run.
#[must_use = "the permit is given back when dropped"]
pub struct WalkPermit<'a> {
    walks: &'a Walks,
    key: (TenantId, Walk),
}

impl Drop for WalkPermit<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.walks.running.lock() {
            running.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_walk_of_each_kind_per_tenant() {
        let walks = Walks::default();
        let tenant = TenantId::generate();
        let verifying = walks.start(tenant, Walk::Verify).expect("first");
        let err = walks.start(tenant, Walk::Verify).err().expect("second");
        assert_eq!(err.code(), crate::error::Code::RateLimited.as_str());
        assert!(err.to_string().contains("verification"), "{err}");
        assert!(walks.start(tenant, Walk::Export).is_ok());
        drop(verifying);
        assert!(walks.start(tenant, Walk::Verify).is_ok());
    }
}
