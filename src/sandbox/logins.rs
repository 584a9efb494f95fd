//! The sample people and Pages a sandbox consent page offers: two LinkedIn members, a
//! Facebook login with two Pages, one with a single Page and a personal one with
//! none, and an Instagram business and a personal account.

use sha2::{Digest, Sha256};

use crate::domain::Network;

/// A Page a sandbox Facebook login administers.
pub struct SandboxPage {
    pub id: &'static str,
    pub name: &'static str,
    pub tasks: &'static [&'static str],
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
}

pub const LOGINS: &[SandboxLogin] = &[
    SandboxLogin {
        key: "li-avery",
        network: Network::Linkedin,
        label: "Avery Chen (member)",
        name: "Avery Chen",
        account_type: "",
        pages: &[],
    },
    SandboxLogin {
        key: "li-jordan",
        network: Network::Linkedin,
        label: "Jordan Okafor (member)",
        name: "Jordan Okafor",
        account_type: "",
        pages: &[],
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
            },
            SandboxPage {
                id: "100000000000002",
                name: "Lindqvist Retirement Planning",
                tasks: &["ANALYZE", "CREATE_CONTENT"],
            },
        ],
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
        }],
    },
    SandboxLogin {
        key: "fb-pat",
        network: Network::Facebook,
        label: "Pat Personal (no Pages: a personal profile)",
        name: "Pat Personal",
        account_type: "",
        pages: &[],
    },
    SandboxLogin {
        key: "ig-lindqvist",
        network: Network::Instagram,
        label: "@lindqvist.wealth (business account)",
        name: "lindqvist.wealth",
        account_type: "BUSINESS",
        pages: &[],
    },
    SandboxLogin {
        key: "ig-pat",
        network: Network::Instagram,
        label: "@pat.personal (personal account)",
        name: "pat.personal",
        account_type: "PERSONAL",
        pages: &[],
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
