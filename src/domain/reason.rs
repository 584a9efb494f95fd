//! Plain-words explanation and remedy for every status reason: the "Review" screen and
//! the Daily Digest show these, so they speak to an advisor, not to an engineer.

use super::{Status, StatusReason};

/// What happened, in one sentence.
pub fn explanation(reason: StatusReason) -> &'static str {
    use StatusReason::*;
    match reason {
        Connected => "The account was connected and is waiting for compliance review.",
        ComplianceApproved => "Compliance approved this account.",
        ComplianceRejected => "Compliance rejected this account.",
        Reconnected => "The account was reconnected.",
        PermissionsReduced => {
            "The account was reconnected with fewer permissions than were approved, so it needs review again."
        }
        Disconnected => "The account was disconnected and its access was removed.",
        TokenExpired => "The network's sign-in for this account expired.",
        DataAccessExpired => {
            "Facebook stopped sharing data because you have not used the app for 90 days."
        }
        ExpiryWithdrawn => {
            "This Page was marked expired in error (its permissions do not end when Facebook \
             stops sharing your data), and is back as it was."
        }
        RefreshExpired => "LinkedIn's one-year sign-in window for this account ended.",
        PasswordChanged => "The account's password was changed, which signs out connected apps.",
        AppDeauthorized => "The app was removed from the account's settings on the network.",
        DataDeletionRequested => "The account owner asked the network to delete the app's data.",
        CheckpointRequired => "The network locked the account until you confirm it is yours.",
        UserUnconfirmed => "The network account is not confirmed yet.",
        TokenInvalidated => "The network ended the session, for example after a sign-out.",
        PageRoleLost => "You no longer have a role on this Facebook Page that allows posting.",
        AccessRevoked => "Access was revoked at the network.",
        PermissionRevoked => "A permission needed for posting was removed at the network.",
        AccountUnlinked => "The Instagram account is no longer linked to its Facebook Page.",
        RefreshRevoked => "LinkedIn no longer accepts this account's saved sign-in.",
    }
}

/// Who a remedy speaks to: a compliance officer looking at an advisor's account must
/// not be told to wait for compliance, nor to reconnect what only its owner can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The person whose account it is: they reconnect or disconnect it.
    Owner,
    /// Someone who reviews the tenant's accounts (compliance, admins): they approve
    /// or reject it.
    Reviewer,
}

/// What `audience` should do about an integration in `status` for `reason`, in one
/// sentence; `None` when nothing is needed.
pub fn remedy_for(
    status: Status,
    reason: StatusReason,
    audience: Audience,
) -> Option<&'static str> {
    if audience == Audience::Owner {
        return remedy(status, reason);
    }
    match (status, reason) {
        // A disconnected account keeps its last status; nobody has anything to do.
        (_, StatusReason::Disconnected) | (Status::Active, _) => None,
        (Status::Pending, StatusReason::PermissionsReduced) => Some(
            "Compare the permissions it has now with what was approved, then approve it again \
             or reject it with a note for its owner.",
        ),
        (Status::Pending, _) => {
            Some("Review the account, then approve it or reject it with a note for its owner.")
        }
        (Status::Rejected, _) => {
            Some("Nothing to do now: its owner can reconnect it to resubmit it, or disconnect it.")
        }
        (Status::Expired | Status::Invalid, _) => {
            Some("Only its owner can fix this, by reconnecting it; they are told how.")
        }
    }
}

/// What the owner should do about an integration in `status` for `reason`, in one
/// sentence; `None` when nothing is needed. An active integration needs nothing, whatever brought it
/// there (a reconnect of an approved account stays approved).
pub fn remedy(status: Status, reason: StatusReason) -> Option<&'static str> {
    use StatusReason::*;
    if status == Status::Active {
        return None;
    }
    match reason {
        Connected | Reconnected => Some("Wait for compliance to review the account."),
        PermissionsReduced => Some(
            "Wait for compliance to review it, or reconnect and grant every requested permission.",
        ),
        ComplianceApproved | Disconnected => None,
        ExpiryWithdrawn => Some("Wait for compliance to review the account."),
        ComplianceRejected => {
            Some("Read compliance's note; reconnect to resubmit or disconnect it.")
        }
        TokenExpired
        | DataAccessExpired
        | RefreshExpired
        | TokenInvalidated
        | RefreshRevoked
        | AccessRevoked
        | AppDeauthorized
        | DataDeletionRequested => Some("Reconnect the account to restore access."),
        PasswordChanged => Some("Reconnect the account, signing in with the new password."),
        CheckpointRequired => Some("Sign in at facebook.com, complete the check, then reconnect."),
        UserUnconfirmed => Some("Confirm the account at the network, then reconnect."),
        PageRoleLost => {
            Some("Ask a Page admin to give you content or full control, then reconnect.")
        }
        PermissionRevoked => Some("Reconnect and grant every requested permission."),
        AccountUnlinked => Some("Link the Instagram account to its Page again, then reconnect."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_is_told_its_own_next_step() {
        let pending = (Status::Pending, StatusReason::Connected);
        assert_eq!(
            remedy_for(pending.0, pending.1, Audience::Owner),
            Some("Wait for compliance to review the account.")
        );
        let reviewer = remedy_for(pending.0, pending.1, Audience::Reviewer).unwrap_or_default();
        assert!(reviewer.starts_with("Review the account"), "{reviewer}");
        let expired = (Status::Expired, StatusReason::TokenExpired);
        assert_eq!(
            remedy_for(expired.0, expired.1, Audience::Owner),
            Some("Reconnect the account to restore access.")
        );
        let reviewer = remedy_for(expired.0, expired.1, Audience::Reviewer).unwrap_or_default();
        assert!(reviewer.starts_with("Only its owner"), "{reviewer}");
        for audience in [Audience::Owner, Audience::Reviewer] {
            assert_eq!(
                remedy_for(Status::Active, StatusReason::ComplianceApproved, audience),
                None
            );
            for status in [Status::Pending, Status::Expired] {
                assert_eq!(
                    remedy_for(status, StatusReason::Disconnected, audience),
                    None,
                    "a disconnected account asks nothing of anyone"
                );
            }
        }
    }
}
