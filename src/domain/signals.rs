//! What the networks' error signals mean: which answer of which network maps to which
//! status and reason.
//! Only a definitive signal changes a status; everything else is a passing fault.

use super::StatusReason;

/// The meaning of one error answer from a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The token is dead for this reason (EXPIRED or INVALID, see `status`).
    Dead(StatusReason),
    /// Over a rate limit: back off, change nothing.
    Throttled,
    /// Temporarily blocked for policy (FB 368): record and warn, change nothing.
    Blocked,
    /// Timeout, 5xx, malformed answer, FB 1/2: retry with backoff, change nothing.
    Transient,
    /// The network already has this post (FB 506, LinkedIn's duplicate refusal): not a
    /// connection problem, and proof that an earlier try may have got through.
    Duplicate,
    /// An error that says nothing about the connection.
    Other,
}

/// A Graph API (Facebook, Instagram) error `code` and `error_subcode`.
pub fn graph(code: i64, subcode: Option<i64>) -> Signal {
    use StatusReason::*;
    match (code, subcode) {
        (190, Some(463)) => Signal::Dead(TokenExpired),
        (190, Some(460)) => Signal::Dead(PasswordChanged),
        (190, Some(458)) => Signal::Dead(AppDeauthorized),
        (190, Some(459)) => Signal::Dead(CheckpointRequired),
        (190, Some(464)) => Signal::Dead(UserUnconfirmed),
        (190, Some(467)) => Signal::Dead(TokenInvalidated),
        (190, Some(492)) => Signal::Dead(PageRoleLost),
        (190, _) => Signal::Dead(AccessRevoked),
        (10, _) | (200..=299, _) => Signal::Dead(PermissionRevoked),
        // 9 with 2207042: an Instagram account's publishing quota is used up.
        (4 | 9 | 17 | 32 | 613 | 80001, _) => Signal::Throttled,
        (368, _) => Signal::Blocked,
        (506, _) => Signal::Duplicate,
        (1 | 2, _) => Signal::Transient,
        _ => Signal::Other,
    }
}

/// A LinkedIn error, by its numeric `serviceErrorCode` (the documented body:
/// `{status, serviceErrorCode, message}`) or, where a newer body adds it, its string
/// `code`; either is enough. REVOKED_ACCESS_TOKEN has been seen right after a
/// successful authorization, so the LinkedIn probe confirms it by introspection.
pub fn linkedin(service_code: Option<i64>, code: Option<&str>) -> Signal {
    let by_number = match service_code {
        Some(65602) => Some(StatusReason::TokenExpired),
        Some(65601) => Some(StatusReason::AccessRevoked),
        Some(65600) => Some(StatusReason::TokenInvalidated),
        _ => None,
    };
    let by_name = match code {
        Some("EXPIRED_ACCESS_TOKEN") => Some(StatusReason::TokenExpired),
        Some("REVOKED_ACCESS_TOKEN") => Some(StatusReason::AccessRevoked),
        Some("INVALID_ACCESS_TOKEN") => Some(StatusReason::TokenInvalidated),
        _ => None,
    };
    by_number.or(by_name).map_or(Signal::Other, Signal::Dead)
}

/// An HTTP status without a recognisable body.
pub fn http_status(status: u16) -> Signal {
    match status {
        429 => Signal::Throttled,
        500..=599 | 408 => Signal::Transient,
        _ => Signal::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_codes_follow_the_table() {
        assert_eq!(
            graph(190, Some(463)),
            Signal::Dead(StatusReason::TokenExpired)
        );
        assert_eq!(graph(190, None), Signal::Dead(StatusReason::AccessRevoked));
        assert_eq!(
            graph(200, None),
            Signal::Dead(StatusReason::PermissionRevoked)
        );
        assert_eq!(graph(613, None), Signal::Throttled);
        assert_eq!(graph(2, None), Signal::Transient);
        assert_eq!(graph(506, None), Signal::Duplicate);
        assert_eq!(
            linkedin(None, Some("INVALID_ACCESS_TOKEN")),
            Signal::Dead(StatusReason::TokenInvalidated)
        );
        // The documented body carries only the number.
        assert_eq!(
            linkedin(Some(65601), None),
            Signal::Dead(StatusReason::AccessRevoked)
        );
        assert_eq!(linkedin(Some(100), Some("ACCESS_DENIED")), Signal::Other);
    }
}
