//! The status machine and the actions it offers a viewer.
//!
//! [`transition`] is the only place that decides a new status; services apply what it
//! returns and record it in the audit trail. [`available_actions`] derives the
//! "Review" button from the same rules plus the viewer's role and the tenant's mode.

use super::{ComplianceMode, Role, Status, StatusReason, policy};

/// Something that may change an integration's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Compliance approves.
    Approve,
    /// Compliance rejects.
    Reject,
    /// The token expired or the network says so (reason: TOKEN_EXPIRED and kin).
    Expire(StatusReason),
    /// The network withdrew access (reason mapped from its signal).
    Invalidate(StatusReason),
    /// The owner connected the same account again.
    Reconnect {
        /// Approved before, same account, no fewer permissions, tenant does not ask for
        /// re-approval.
        approval_stands: bool,
        /// The grant has fewer permissions than were approved.
        permissions_reduced: bool,
    },
    /// An expiry given in error is taken back: the integration returns to ACTIVE when
    /// it was approved, else to PENDING.
    WithdrawExpiry {
        /// Compliance's approval stood when it was expired.
        approved: bool,
    },
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub from: Status,
    pub change: Change,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.change {
            Change::Approve => "approve",
            Change::Reject => "reject",
            Change::Expire(_) => "expire",
            Change::Invalidate(_) => "invalidate",
            Change::Reconnect { .. } => "reconnect",
            Change::WithdrawExpiry { .. } => "withdraw the expiry of",
        };
        write!(
            f,
            "cannot {what} an integration that is {}",
            word(self.from)
        )
    }
}

/// The status as a word in a sentence ("an integration that is pending").
pub fn word(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Active => "active",
        Status::Expired => "expired",
        Status::Invalid => "invalid",
        Status::Rejected => "rejected",
    }
}

/// The status and reason after `change`, or why it is refused.
pub fn transition(from: Status, change: Change) -> Result<(Status, StatusReason), Refused> {
    use Status::*;
    let refused = || Refused { from, change };
    match (from, change) {
        (Pending, Change::Approve) => Ok((Active, StatusReason::ComplianceApproved)),
        (Pending | Active, Change::Reject) => Ok((Rejected, StatusReason::ComplianceRejected)),
        (Pending | Active, Change::Expire(reason)) if is_expiry(reason) => Ok((Expired, reason)),
        (Pending | Active, Change::Invalidate(reason)) if is_invalidation(reason) => {
            Ok((Invalid, reason))
        }
        // The person asked the network to delete the app's data: an integration already
        // out of use keeps its status (what a reconnect does depends on it) and takes
        // the reason, since its credentials go all the same.
        (Expired | Invalid | Rejected, Change::Invalidate(StatusReason::DataDeletionRequested)) => {
            Ok((from, StatusReason::DataDeletionRequested))
        }
        // Connecting an account that is live renews its grant: the status stays,
        // unless an approved integration came back with fewer permissions.
        (Pending, Change::Reconnect { .. }) => Ok((Pending, StatusReason::Reconnected)),
        (
            Active,
            Change::Reconnect {
                permissions_reduced: true,
                ..
            },
        ) => Ok((Invalid, StatusReason::PermissionRevoked)),
        (Active, Change::Reconnect { .. }) => Ok((Active, StatusReason::Reconnected)),
        (
            Expired | Invalid,
            Change::Reconnect {
                approval_stands: true,
                ..
            },
        ) => Ok((Active, StatusReason::Reconnected)),
        (
            Expired | Invalid | Rejected,
            Change::Reconnect {
                permissions_reduced,
                ..
            },
        ) => Ok((
            Pending,
            if permissions_reduced {
                StatusReason::PermissionsReduced
            } else {
                StatusReason::Reconnected
            },
        )),
        (Expired, Change::WithdrawExpiry { approved }) => Ok((
            if approved { Active } else { Pending },
            StatusReason::ExpiryWithdrawn,
        )),
        _ => Err(refused()),
    }
}

/// Reasons that mean EXPIRED.
pub fn is_expiry(reason: StatusReason) -> bool {
    matches!(
        reason,
        StatusReason::TokenExpired | StatusReason::RefreshExpired
    )
}

/// Reasons that mean INVALID.
pub fn is_invalidation(reason: StatusReason) -> bool {
    use StatusReason::*;
    matches!(
        reason,
        PasswordChanged
            | AppDeauthorized
            | DataDeletionRequested
            | CheckpointRequired
            | UserUnconfirmed
            | TokenInvalidated
            | PageRoleLost
            | AccessRevoked
            | PermissionRevoked
            | AccountUnlinked
            | RefreshRevoked
    )
}

/// Reasons whose change also destroys the stored credentials: the person asked the
/// network to delete what the app holds about them, tokens included.
pub fn destroys_credentials(reason: StatusReason) -> bool {
    reason == StatusReason::DataDeletionRequested
}

/// The status in the word a person reads, the same the console shows.
pub fn label(status: Status) -> &'static str {
    match status {
        Status::Pending => "Pending",
        Status::Active => "Active",
        Status::Expired => "Expired",
        Status::Invalid => "Invalid",
        Status::Rejected => "Rejected",
    }
}

/// What a viewer can do to an integration now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Approve,
    Reject,
    Reconnect,
    Disconnect,
    AddNote,
}

/// The facts [`available_actions`] decides from.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub viewer_roles: &'a std::collections::BTreeSet<Role>,
    pub viewer_is_owner: bool,
    pub mode: ComplianceMode,
    pub status: Status,
    pub disconnected: bool,
}

/// The actions offered to the viewer, in a stable order.
pub fn available_actions(s: Situation<'_>) -> Vec<Action> {
    if s.disconnected {
        return Vec::new();
    }
    let may_review = policy::review(s.viewer_roles, s.viewer_is_owner, s.mode).is_ok();
    let mut actions = Vec::new();
    if may_review && transition(s.status, Change::Approve).is_ok() {
        actions.push(Action::Approve);
    }
    if may_review && transition(s.status, Change::Reject).is_ok() {
        actions.push(Action::Reject);
    }
    let reconnectable = matches!(
        s.status,
        Status::Expired | Status::Invalid | Status::Rejected
    );
    if reconnectable && policy::reconnect(s.viewer_is_owner).is_ok() {
        actions.push(Action::Reconnect);
    }
    if policy::disconnect(s.viewer_roles, s.viewer_is_owner).is_ok() {
        actions.push(Action::Disconnect);
    }
    if policy::note(s.viewer_roles).is_ok() {
        actions.push(Action::AddNote);
    }
    actions
}

/// True when a usable integration's token ends within `window` of `now` (the server
/// looks two weeks ahead by default: time to reconnect before posts fail).
pub fn expires_soon(
    status: Status,
    token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
    window: chrono::Duration,
) -> bool {
    matches!(status, Status::Pending | Status::Active)
        && token_expires_at.is_some_and(|at| at <= now + window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiring_soon_looks_ahead_by_the_window_for_usable_integrations() {
        let now = chrono::Utc::now();
        let window = chrono::Duration::days(14);
        let in_ten_days = Some(now + chrono::Duration::days(10));
        assert!(expires_soon(Status::Active, in_ten_days, now, window));
        assert!(!expires_soon(
            Status::Active,
            in_ten_days,
            now,
            chrono::Duration::days(7)
        ));
        assert!(!expires_soon(Status::Expired, in_ten_days, now, window));
        assert!(!expires_soon(Status::Pending, None, now, window));
    }
    use std::collections::BTreeSet;

    #[test]
    fn the_design_table_plus_renewals_and_nothing_else() {
        use Status::*;
        let all = [Pending, Active, Expired, Invalid, Rejected];
        for from in all {
            assert_eq!(transition(from, Change::Approve).is_ok(), from == Pending);
            assert_eq!(
                transition(from, Change::Reject).is_ok(),
                matches!(from, Pending | Active)
            );
            assert_eq!(
                transition(from, Change::Expire(StatusReason::TokenExpired)).is_ok(),
                matches!(from, Pending | Active)
            );
            assert!(transition(from, Change::Expire(StatusReason::PasswordChanged)).is_err());
            assert!(
                transition(from, Change::Expire(StatusReason::DataAccessExpired)).is_err(),
                "data access ending expires nothing"
            );
            for approved in [true, false] {
                assert_eq!(
                    transition(from, Change::WithdrawExpiry { approved }).ok(),
                    (from == Expired).then_some((
                        if approved { Active } else { Pending },
                        StatusReason::ExpiryWithdrawn
                    )),
                    "withdrawing an expiry from {from:?}"
                );
            }
            assert_eq!(
                transition(from, Change::Invalidate(StatusReason::AppDeauthorized)).ok(),
                matches!(from, Pending | Active)
                    .then_some((Invalid, StatusReason::AppDeauthorized))
            );
            let deleted = Change::Invalidate(StatusReason::DataDeletionRequested);
            let (to, reason) = transition(from, deleted).expect("data deletion always applies");
            assert_eq!(reason, StatusReason::DataDeletionRequested);
            assert_eq!(
                to,
                if matches!(from, Pending | Active) {
                    Invalid
                } else {
                    from
                },
                "data deletion from {from:?}"
            );
            let standing = Change::Reconnect {
                approval_stands: true,
                permissions_reduced: false,
            };
            let (to, _) = transition(from, standing).expect("reconnect is always possible");
            let want = match from {
                Rejected | Pending => Pending,
                Active | Expired | Invalid => Active,
            };
            assert_eq!(to, want, "reconnect from {from:?}");
            let reduced = Change::Reconnect {
                approval_stands: false,
                permissions_reduced: true,
            };
            let (to, _) = transition(from, reduced).expect("reconnect");
            assert_eq!(
                to,
                if from == Active { Invalid } else { Pending },
                "reduced from {from:?}"
            );
        }
    }

    #[test]
    fn four_eyes_hides_approve_from_the_owner() {
        let roles: BTreeSet<Role> = [Role::Compliance, Role::Advisor].into();
        let situation = |mode, owner| Situation {
            viewer_roles: &roles,
            viewer_is_owner: owner,
            mode,
            status: Status::Pending,
            disconnected: false,
        };
        let own = available_actions(situation(ComplianceMode::BrokerDealer, true));
        assert!(!own.contains(&Action::Approve) && own.contains(&Action::Disconnect));
        let other = available_actions(situation(ComplianceMode::BrokerDealer, false));
        assert!(other.contains(&Action::Approve) && !other.contains(&Action::Disconnect));
        let self_managed = available_actions(situation(ComplianceMode::SelfManaged, true));
        assert!(self_managed.contains(&Action::Approve));
    }
}
