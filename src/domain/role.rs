//! The roles a token grants within its tenant. What each may do is decided in
//! [`super::policy`]; which rows each sees, by the scope the services build.

use serde::{Deserialize, Serialize};

/// A caller's role within their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Connects, reviews and disconnects their own integrations; sees only those.
    Advisor,
    /// Sees the tenant's integrations; approves, rejects and writes notes.
    Compliance,
    /// Everything in the tenant, plus its settings.
    Admin,
    /// The host's own server-side code (never a person's browser): sees nothing, and may
    /// only read the access token of an ACTIVE integration where the tenant's admins
    /// allowed it, each read audited.
    Service,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "advisor" => Ok(Role::Advisor),
            "compliance" => Ok(Role::Compliance),
            "admin" => Ok(Role::Admin),
            "service" => Ok(Role::Service),
            other => Err(format!(
                "unknown role {other:?}; expected advisor, compliance, admin or service"
            )),
        }
    }
}
