//! Caps on open WebSocket connections of this instance: per tenant, and per person
//! under it, so one user opening sockets in a loop cannot take the whole tenant's
//! share and lock its compliance officers out of live updates.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::domain::{TenantId, UserId};

/// Most open sockets per tenant on one instance.
pub const MAX_PER_TENANT: usize = 500;
/// Most open sockets per person on one instance (a few dashboards and tabs).
pub const MAX_PER_USER: usize = 16;

#[derive(Debug, Default)]
struct Counts {
    tenants: HashMap<TenantId, usize>,
    users: HashMap<UserId, usize>,
}

/// The open sockets of this instance; cheap to clone.
#[derive(Debug, Default, Clone)]
pub struct OpenSockets(Arc<Mutex<Counts>>);

/// One admitted socket; its place is given back when it is dropped.
#[derive(Debug)]
pub struct Slot {
    counts: OpenSockets,
    tenant: TenantId,
    user: UserId,
    _counted: crate::metrics::OpenSocket,
}

impl OpenSockets {
    /// Takes a place for a socket of `user` in `tenant`, or says which cap is reached.
    pub fn admit(&self, tenant: TenantId, user: UserId) -> Result<Slot, String> {
        let mut counts = self.0.lock().map_err(|_| "internal error".to_owned())?;
        let in_tenant = counts.tenants.get(&tenant).copied().unwrap_or(0);
        let of_user = counts.users.get(&user).copied().unwrap_or(0);
        if of_user >= MAX_PER_USER {
            return Err(format!("at most {MAX_PER_USER} sockets per user"));
        }
        if in_tenant >= MAX_PER_TENANT {
            return Err(format!("at most {MAX_PER_TENANT} sockets per tenant"));
        }
        *counts.tenants.entry(tenant).or_default() += 1;
        *counts.users.entry(user).or_default() += 1;
        Ok(Slot {
            counts: self.clone(),
            tenant,
            user,
            _counted: crate::metrics::OpenSocket::count(),
        })
    }
}

/// One less of `key`, forgetting keys that reach zero so idle tenants cost nothing.
fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.0.lock() {
            release(&mut counts.tenants, &self.tenant);
            release(&mut counts.users, &self.user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_reaches_their_cap_before_the_tenant_does() {
        let open = OpenSockets::default();
        let tenant = TenantId::generate();
        let (alice, bob) = (UserId::generate(), UserId::generate());
        let mut held: Vec<Slot> = (0..MAX_PER_USER)
            .map(|_| open.admit(tenant, alice).expect("room"))
            .collect();
        assert!(open.admit(tenant, alice).is_err());
        assert!(open.admit(tenant, bob).is_ok());
        held.pop();
        assert!(
            open.admit(tenant, alice).is_ok(),
            "a closed socket frees its place"
        );
        drop(held);
        assert!(!open.0.lock().expect("lock").users.contains_key(&alice));
    }
}
