//! How fast a tenant's subscriptions may read its feed back from the database.
//!
//! A subscription that starts with an old `after` replays every event since, and one
//! that subscribes, completes and subscribes again in a loop replays it again each
//! time: each start spends one request of the tenant's budget, but a replay costs in
//! proportion to the events it reads. So every event a tenant's subscriptions read
//! back is counted against `replay_rate` events a second (bursts of twice as many), and
//! a replay that has spent it waits before reading its next page. Replays slow down;
//! they are never refused, and live events are not counted.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use entity::ids::TenantId;
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

/// Tenants remembered before those whose budget is full again are forgotten.
const FORGET_ABOVE: usize = 4096;

/// The replay budget of one instance; cheap to clone.
#[derive(Clone, Default)]
pub struct ReplayBudget(Option<Arc<DefaultKeyedRateLimiter<TenantId>>>);

impl std::fmt::Debug for ReplayBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ReplayBudget")
            .field(&self.0.is_some())
            .finish()
    }
}

impl ReplayBudget {
    /// `per_second` replayed events per tenant, bursts of twice as many; none at 0.
    pub fn new(per_second: u32) -> ReplayBudget {
        ReplayBudget(NonZeroU32::new(per_second).map(|rate| {
            let burst = rate.saturating_mul(NonZeroU32::MIN.saturating_add(1));
            Arc::new(DefaultKeyedRateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        }))
    }

    /// Counts `events` read back for `tenant`; how long its next read must wait (zero
    /// while within the budget). What is over the burst counts as the burst.
    pub fn spend(&self, tenant: TenantId, events: usize) -> Duration {
        let Some(limiter) = &self.0 else {
            return Duration::ZERO;
        };
        // Memory stays bounded: tenants whose budget is full again are forgotten.
        if limiter.len() > FORGET_ABOVE {
            limiter.retain_recent();
        }
        let Some(n) = NonZeroU32::new(u32::try_from(events).unwrap_or(u32::MAX)) else {
            return Duration::ZERO;
        };
        let mut n = n;
        loop {
            match limiter.check_key_n(&tenant, n) {
                Ok(Ok(())) => return Duration::ZERO,
                Ok(Err(not_until)) => return not_until.wait_time_from(limiter.clock().now()),
                // More than a burst at once: count a burst.
                Err(governor::InsufficientCapacity(burst)) => match NonZeroU32::new(burst) {
                    Some(burst) if burst < n => n = burst,
                    _ => return Duration::ZERO,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_over_its_budget_waits_and_others_do_not() {
        let budget = ReplayBudget::new(100);
        let (a, b) = (TenantId::generate(), TenantId::generate());
        // The burst (200) goes through at once, counted in pages.
        assert_eq!(budget.spend(a, 150), Duration::ZERO);
        assert_eq!(budget.spend(a, 50), Duration::ZERO);
        // The next page waits for the budget to refill; another tenant does not.
        assert!(budget.spend(a, 100) > Duration::ZERO);
        assert_eq!(budget.spend(b, 200), Duration::ZERO);
        // A page larger than the burst counts as the burst, it is not refused.
        assert_eq!(ReplayBudget::new(10).spend(a, 5_000), Duration::ZERO);
        // Off: never waits.
        assert_eq!(ReplayBudget::new(0).spend(a, 1_000_000), Duration::ZERO);
    }
}
