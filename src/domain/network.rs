//! The networks socialgate knows, what each connects, and the default per-user limits.
//! X/Twitter is listed so that clients can show why it is missing.

use super::{AccountKind, Network};

/// A network as listed to clients, supported or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedNetwork {
    Supported(Network),
    /// X (Twitter): listed, never connectable.
    X,
}

/// Why X is not offered.
pub const X_UNSUPPORTED_REASON: &str = "X (Twitter) is not supported: its API charges for every \
     request, reading and posting alike, so probing and posting for many advisors is not viable.";

/// Every listed network, in the order clients show them.
pub const LISTED: [ListedNetwork; 4] = [
    ListedNetwork::Supported(Network::Linkedin),
    ListedNetwork::Supported(Network::Facebook),
    ListedNetwork::Supported(Network::Instagram),
    ListedNetwork::X,
];

/// The kind of account a network connects.
pub fn account_kind(network: Network) -> AccountKind {
    match network {
        Network::Linkedin => AccountKind::MemberProfile,
        Network::Facebook => AccountKind::FacebookPage,
        Network::Instagram => AccountKind::InstagramProfessional,
    }
}

/// Default number of live integrations a user may have per network.
pub fn default_limit(network: Network) -> i32 {
    match network {
        Network::Linkedin => 2,
        Network::Facebook | Network::Instagram => 1,
    }
}

/// One sentence on what connecting this network means, for the "Connect" screen.
pub fn describe(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "A LinkedIn member profile, signed in with OpenID Connect.",
        Network::Facebook => "A Facebook Page you manage (personal profiles cannot be connected).",
        Network::Instagram => {
            "An Instagram professional (business or creator) account; personal accounts cannot be connected."
        }
    }
}

/// What one connection of `network` is, in the network's own words, singular or plural.
pub fn accounts(network: Network, count: i64) -> &'static str {
    match (network, count == 1) {
        (Network::Linkedin, true) => "LinkedIn profile",
        (Network::Linkedin, false) => "LinkedIn profiles",
        (Network::Facebook, true) => "Facebook Page",
        (Network::Facebook, false) => "Facebook Pages",
        (Network::Instagram, true) => "Instagram professional account",
        (Network::Instagram, false) => "Instagram professional accounts",
    }
}

/// The network's own name, for sentences a person reads.
pub fn name(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "LinkedIn",
        Network::Facebook => "Facebook",
        Network::Instagram => "Instagram",
    }
}

/// The network's path segment in URLs (`/oauth/{slug}/callback`).
pub fn slug(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "linkedin",
        Network::Facebook => "facebook",
        Network::Instagram => "instagram",
    }
}

/// The network a path segment names.
pub fn from_slug(slug: &str) -> Option<Network> {
    [Network::Linkedin, Network::Facebook, Network::Instagram]
        .into_iter()
        .find(|n| self::slug(*n) == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for network in [Network::Linkedin, Network::Facebook, Network::Instagram] {
            assert_eq!(from_slug(slug(network)), Some(network));
        }
        assert_eq!(from_slug("x"), None);
    }
}
