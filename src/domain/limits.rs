//! Per-user network limits and the permission comparison that decides whether an
//! approval still stands.
//!
//! A limit counts the user's integrations of that network that are neither
//! disconnected nor rejected. Reconnecting an account the user already has never
//! takes a new slot; resubmitting a rejected one takes one again.

use entity::tenant;

use super::{Network, Status};

/// The tenant's per-user limit for `network`.
pub fn limit_of(tenant: &tenant::Model, network: Network) -> i32 {
    match network {
        Network::Linkedin => tenant.linkedin_limit,
        Network::Facebook => tenant.facebook_limit,
        Network::Instagram => tenant.instagram_limit,
    }
}

/// The user's slots of one network are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitReached {
    pub network: Network,
    pub used: i64,
    pub limit: i32,
    /// Resubmitting a rejected integration rather than connecting a new one.
    pub resubmission: bool,
}

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.resubmission {
            "before resubmitting this one"
        } else {
            "to connect another"
        };
        let limit = i64::from(self.limit);
        write!(
            f,
            "You may connect {limit} {} and have {} connected; disconnect one {what}.",
            super::network::accounts(self.network, limit),
            self.used,
        )
    }
}

/// Whether one more slot of `network` may be taken when `used` are taken.
pub fn take_slot(
    tenant: &tenant::Model,
    network: Network,
    used: i64,
    resubmission: bool,
) -> Result<(), LimitReached> {
    let limit = limit_of(tenant, network);
    if used >= i64::from(limit) {
        return Err(LimitReached {
            network,
            used,
            limit,
            resubmission,
        });
    }
    Ok(())
}

/// Whether a change of an integration in `status` (`None`: not created yet) may take a
/// slot, so its owner's used slots must be counted first: a new integration does, and
/// so does resubmitting a REJECTED one (which holds none). Every other change keeps
/// the slot it has, and costs no count.
pub fn may_take_slot(status: Option<Status>) -> bool {
    matches!(status, None | Some(Status::Rejected))
}

/// The used count of `network` among per-network counts.
pub fn used_in(counts: &[(Network, i64)], network: Network) -> i64 {
    counts
        .iter()
        .find(|(n, _)| *n == network)
        .map_or(0, |(_, c)| *c)
}

/// True when `granted` lacks any of the space-separated `approved` permissions.
pub fn permissions_reduced(approved: Option<&str>, granted: &[String]) -> bool {
    approved.is_some_and(|approved| {
        approved
            .split_whitespace()
            .any(|scope| !granted.iter().any(|g| g == scope))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_or_rejected_integrations_may_take_a_slot() {
        assert!(may_take_slot(None));
        assert!(may_take_slot(Some(Status::Rejected)));
        for held in [
            Status::Pending,
            Status::Active,
            Status::Expired,
            Status::Invalid,
        ] {
            assert!(!may_take_slot(Some(held)), "{held:?}");
        }
    }

    #[test]
    fn fewer_permissions_than_approved_are_reduced() {
        let granted = vec!["a".to_owned(), "b".to_owned()];
        assert!(!permissions_reduced(None, &granted));
        assert!(!permissions_reduced(Some("a b"), &granted));
        assert!(!permissions_reduced(Some("a"), &granted));
        assert!(permissions_reduced(Some("a b c"), &granted));
        assert!(permissions_reduced(Some("c"), &[]));
    }

    #[test]
    fn counts_pick_their_network() {
        let counts = [(Network::Linkedin, 2), (Network::Facebook, 1)];
        assert_eq!(used_in(&counts, Network::Linkedin), 2);
        assert_eq!(used_in(&counts, Network::Instagram), 0);
    }
}
