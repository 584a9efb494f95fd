//! Which tokens socialgate renews by itself, and when: a token the network lets us
//! refresh is renewed before it would show as expiring soon, so a person is only
//! asked to act when renewal is impossible or was refused.

use chrono::{DateTime, Duration, Utc};

use super::{Network, StatusReason};

/// How a network's tokens can be renewed without the person signing in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// With the refresh token the network granted (LinkedIn, for approved partners
    /// only; its lifetime is fixed at the first sign-in and refreshing does not
    /// extend it).
    RefreshToken,
    /// The token renews itself once it is at least `min_age` old and not yet
    /// expired (Instagram's long-lived tokens: 24 hours, giving 60 more days).
    SelfRenewing { min_age: Duration },
    /// No renewal: expiry means reconnecting (Facebook).
    Never,
}

/// How `network`'s tokens are renewed.
pub fn renewal(network: Network) -> Renewal {
    match network {
        Network::Linkedin => Renewal::RefreshToken,
        Network::Instagram => Renewal::SelfRenewing {
            min_age: Duration::hours(24),
        },
        Network::Facebook => Renewal::Never,
    }
}

/// Networks whose tokens can be renewed at all.
pub fn renewable() -> impl Iterator<Item = Network> {
    [Network::Linkedin, Network::Facebook, Network::Instagram]
        .into_iter()
        .filter(|n| renewal(*n) != Renewal::Never)
}

/// Tokens expiring before this instant are renewed now: one day before they would
/// enter the "expires soon" `window` a frontend shows, so a renewable token never
/// alarms anyone unless its renewal failed.
pub fn horizon(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    now + window + Duration::days(1)
}

/// The reason for a refresh the network refused (`invalid_grant`): after the refresh
/// token's own lifetime the sign-in window simply ended (EXPIRED); before it, the
/// person or the network withdrew it (INVALID).
pub fn refused(refresh_expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StatusReason {
    match refresh_expires_at {
        Some(end) if end <= now => StatusReason::RefreshExpired,
        _ => StatusReason::RefreshRevoked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_refresh_is_expiry_only_after_the_refresh_lifetime() {
        let now = Utc::now();
        assert_eq!(
            refused(Some(now - Duration::seconds(1)), now),
            StatusReason::RefreshExpired
        );
        assert_eq!(
            refused(Some(now + Duration::days(30)), now),
            StatusReason::RefreshRevoked
        );
        assert_eq!(refused(None, now), StatusReason::RefreshRevoked);
    }

    #[test]
    fn renewal_comes_before_the_expiring_soon_window() {
        let now = Utc::now();
        let window = Duration::days(14);
        assert!(horizon(now, window) > now + window);
        assert_eq!(
            renewable().collect::<Vec<_>>(),
            [Network::Linkedin, Network::Instagram]
        );
    }
}
