//! Who is calling: JWT verification ([`jwt`]) and the [`Actor`] every service receives.
//!
//! A verified token gives [`Claims`]; provisioning (in `service::viewer`) turns claims
//! into an `Actor` bound to stored tenant and user rows. Services authorize against the
//! actor only, never against raw claims.

mod host;
pub mod jwt;

use std::{collections::BTreeSet, sync::Arc};

use entity::{
    ids::{TenantId, UserId},
    tenant,
};

pub use crate::domain::Role;
pub use host::{Authenticate, HostAuth};
pub use jwt::{Audience, Claims, TokenMinter, Verifier};

/// The authenticated caller, bound to stored rows.
#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant_id: TenantId,
    pub user_id: UserId,
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
}
