//! The sample people and Pages a sandbox consent page offers: two LinkedIn members, a
//! Facebook login with two Pages, one with a single Page, one whose firm's Page is
//! reached only through its Business Manager, one that unticked the permission to post,
//! and a personal one with none; an Instagram business account, one that unticked the
//! permission to publish, and a personal one.

use sha2::{Digest, Sha256};

use crate::domain::Network;

/// A Page a sandbox Facebook login administers.
pub struct SandboxPage {
    pub id: &'static str,
    pub name: &'static str,
    pub tasks: &'static [&'static str],
    /// Reached through the person's Business Manager (`owned_pages`), not a direct role
    /// (`/me/accounts`).
    pub through_business: bool,
}

/// One account a sandbox login can sign in as.
pub struct SandboxLogin {
    pub key: &'static str,
    pub network: Network,
    /// What the consent page shows.
    pub label: &'static str,
    pub name: &'static str,
    /// Instagram account type (BUSINESS, MEDIA_CREATOR, PERSONAL).
    pub account_type: &'static str,
    pub pages: &'static [SandboxPage],
    /// Permissions the person unticked in the network's dialog.
    pub declined: &'static [&'static str],
}

pub const LOGINS: &[SandboxLogin] = &[
    SandboxLogin {
        key: "li-avery",
        network: Network::Linkedin,
        label: "Avery Chen (member)",
        name: "Avery Chen",
        account_type: "",
        pages: &[],
        declined: &[],
    },
    SandboxLogin {
        key: "li-jordan",
        network: Network::Linkedin,
        label: "Jordan Okafor (member)",
        name: "Jordan Okafor",
        account_type: "",
        pages: &[],
        declined: &[],
    },
    SandboxLogin {
        key: "fb-morgan",
        network: Network::Facebook,
        label: "Morgan Lindqvist (manages two Pages)",
        name: "Morgan Lindqvist",
        account_type: "",
        pages: &[
            SandboxPage {
                id: "100000000000001",
                name: "Lindqvist Wealth Partners",
                tasks: &[
                    "ANALYZE",
                    "ADVERTISE",
                    "MODERATE",
                    "CREATE_CONTENT",
                    "MANAGE",
                ],
                through_business: false,
            },
            SandboxPage {
                id: "100000000000002",
                name: "Lindqvist Retirement Planning",
                tasks: &["ANALYZE", "CREATE_CONTENT"],
                through_business: false,
            },
        ],
        declined: &[],
    },
    SandboxLogin {
        key: "fb-riley",
        network: Network::Facebook,
        label: "Riley Moreau (manages one Page)",
        name: "Riley Moreau",
        account_type: "",
        pages: &[SandboxPage {
            id: "100000000000003",
            name: "Moreau Financial",
            tasks: &["CREATE_CONTENT", "MANAGE"],
            through_business: false,
        }],
        declined: &[],
    },
    SandboxLogin {
        key: "fb-sam",
        network: Network::Facebook,
        label: "Sam Ortega (the firm's Page, through its Business Manager)",
        name: "Sam Ortega",
        account_type: "",
        pages: &[SandboxPage {
            id: "100000000000004",
            name: "Ortega & Partners Wealth",
            tasks: &["CREATE_CONTENT", "MANAGE"],
            through_business: true,
        }],
        declined: &[],
    },
    SandboxLogin {
        key: "fb-quinn",
        network: Network::Facebook,
        label: "Quinn Hale (unticked \"Create and manage content\")",
        name: "Quinn Hale",
        account_type: "",
        pages: &[SandboxPage {
            id: "100000000000005",
            name: "Hale Financial",
            tasks: &["CREATE_CONTENT", "MANAGE"],
            through_business: false,
        }],
        declined: &["pages_manage_posts"],
    },
    SandboxLogin {
        key: "fb-pat",
        network: Network::Facebook,
        label: "Pat Personal (no Pages: a personal profile)",
        name: "Pat Personal",
        account_type: "",
        pages: &[],
        declined: &[],
    },
    SandboxLogin {
        key: "ig-lindqvist",
        network: Network::Instagram,
        label: "@lindqvist.wealth (business account)",
        name: "lindqvist.wealth",
        account_type: "BUSINESS",
        pages: &[],
        declined: &[],
    },
    SandboxLogin {
        key: "ig-hale",
        network: Network::Instagram,
        label: "@hale.financial (unticked \"Publish content\")",
        name: "hale.financial",
        account_type: "MEDIA_CREATOR",
        pages: &[],
        declined: &["instagram_business_content_publish"],
    },
    SandboxLogin {
        key: "ig-pat",
        network: Network::Instagram,
        label: "@pat.personal (personal account)",
        name: "pat.personal",
        account_type: "PERSONAL",
        pages: &[],
        declined: &[],
    },
];

/// The logins offered on a network's consent page.
pub fn logins(network: Network) -> impl Iterator<Item = &'static SandboxLogin> {
    LOGINS.iter().filter(move |l| l.network == network)
}

pub(super) fn login(key: &str) -> Option<&'static SandboxLogin> {
    LOGINS.iter().find(|l| l.key == key)
}

/// The numeric-looking external id of a login (member sub or Instagram user id).
pub(super) fn external_id(login: &SandboxLogin) -> String {
    let digest = Sha256::digest(login.key.as_bytes());
    match login.network {
        Network::Linkedin => format!("sbx{}", &hex::encode(digest)[..10]),
        _ => format!(
            "17841{:010}",
            u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8])) % 10_000_000_000
        ),
    }
}
