//! Who is calling: JWT verification ([`jwt`]) and the [`Actor`] every service receives.
//!
//! A verified token gives [`Claims`]; provisioning (in `service::viewer`) turns claims
//! into an `Actor` bound to stored tenant and user rows. Services authorize against the
//! actor only, never against raw claims.

pub mod jwt;

use std::{collections::BTreeSet, sync::Arc};

use entity::tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use jwt::{Audience, Claims, TokenMinter, Verifier};

/// A caller's role within their tenant (DESIGN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Connects, reviews and disconnects their own integrations; sees only those.
    Advisor,
    /// Sees the tenant's integrations; approves, rejects and writes notes.
    Compliance,
    /// Everything in the tenant, plus its settings.
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "advisor" => Ok(Role::Advisor),
            "compliance" => Ok(Role::Compliance),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?}; expected advisor, compliance or admin"
            )),
        }
    }
}

/// The authenticated caller, bound to stored rows.
#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub subject: String,
    pub roles: BTreeSet<Role>,
    /// The caller's tenant as read at the start of the request (mode, limits).
    pub tenant: Arc<tenant::Model>,
    /// Correlates the audit events written by this request with its logs.
    pub request_id: Option<String>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Compliance and admin see the whole tenant; everybody else only what they own.
    pub fn sees_tenant(&self) -> bool {
        self.has(Role::Compliance) || self.has(Role::Admin)
    }

    /// The rows this actor may read.
    pub fn scope(&self) -> crate::store::Scope {
        crate::store::Scope {
            tenant_id: self.tenant_id,
            owner_id: (!self.sees_tenant()).then_some(self.user_id),
        }
    }
}
