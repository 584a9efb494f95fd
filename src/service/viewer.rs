//! Turning verified claims into an [`Actor`]: tenants and users are provisioned on
//! first sight, so an embedding product needs no separate sign-up call.
//!
//! Every request names its caller, and almost every caller was seen a moment ago, so
//! the rows behind a caller are kept in memory ([`Callers`]): a request that finds its
//! caller there costs no statement before it reads data. What could go stale is small
//! and bounded: a tenant's settings (forgotten here when they change, on every
//! instance through the announcement channel) and a user's name and email (compared
//! with the token's on every request; a difference goes to the database).

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use entity::{
    ids::{TenantId, UserId},
    tenant,
};

use crate::{
    auth::{Actor, Claims},
    domain::input::{self, Lines, MAX_EMAIL, MAX_NAME},
    error::{AppError, AppResult},
    events::listener::CallerMemory,
    store::{Scope, Store, users::Profile},
};

/// How long a remembered caller is trusted without asking the database: the bound on
/// staleness should an announcement of a settings change be lost.
const REMEMBER_FOR: Duration = Duration::from_secs(60);
/// Most tenants and most users remembered; past that, the expired go first and then
/// everything (a burst of new callers costs one provisioning read each, as before).
const MOST_REMEMBERED: usize = 20_000;

/// A user as far as authentication needs it: the id, and the profile last stored, to
/// notice when a token carries a newer one.
#[derive(Debug, Clone)]
struct KnownUser {
    id: UserId,
    email: Option<String>,
    name: Option<String>,
    reviewer: bool,
}

impl KnownUser {
    /// Whether the stored profile already says what the token says (a claim the token
    /// leaves out changes nothing).
    fn matches(&self, profile: &Profile<'_>) -> bool {
        profile
            .email
            .is_none_or(|e| self.email.as_deref() == Some(e))
            && profile.name.is_none_or(|n| self.name.as_deref() == Some(n))
            && profile.reviewer == self.reviewer
    }
}

#[derive(Debug, Default)]
struct Remembered {
    tenants: HashMap<String, (Arc<tenant::Model>, Instant)>,
    users: HashMap<(TenantId, String), (KnownUser, Instant)>,
    /// Bumped by every forgetting, so a read that started before it is not kept.
    generation: u64,
}

/// The in-process memory of recent callers' tenant and user rows (see the module
/// documentation for what may be stale and for how long).
#[derive(Debug, Default)]
pub struct Callers {
    remembered: Mutex<Remembered>,
}

impl Callers {
    fn lock(&self) -> MutexGuard<'_, Remembered> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.remembered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn tenant(&self, external_id: &str) -> Result<Arc<tenant::Model>, u64> {
        let memory = self.lock();
        match memory.tenants.get(external_id) {
            Some((row, at)) if at.elapsed() < REMEMBER_FOR => Ok(row.clone()),
            _ => Err(memory.generation),
        }
    }

    fn user(&self, tenant: TenantId, subject: &str) -> Option<KnownUser> {
        let memory = self.lock();
        match memory.users.get(&(tenant, subject.to_owned())) {
            Some((user, at)) if at.elapsed() < REMEMBER_FOR => Some(user.clone()),
            _ => None,
        }
    }

    fn keep_tenant(&self, since: u64, row: Arc<tenant::Model>) {
        let mut memory = self.lock();
        if memory.generation != since {
            return;
        }
        make_room(&mut memory.tenants);
        memory
            .tenants
            .insert(row.external_id.clone(), (row, Instant::now()));
    }

    fn keep_user(&self, since: u64, tenant: TenantId, subject: &str, user: KnownUser) {
        let mut memory = self.lock();
        if memory.generation != since {
            return;
        }
        make_room(&mut memory.users);
        memory
            .users
            .insert((tenant, subject.to_owned()), (user, Instant::now()));
    }

    /// Forgets `tenant`'s row (its settings changed, here or on another instance).
    pub fn forget_tenant(&self, tenant: TenantId) {
        CallerMemory::forget_tenant(self, tenant)
    }

    /// Forgets everything (announcements may have been lost).
    pub fn forget_all(&self) {
        CallerMemory::forget_all(self)
    }
}

impl CallerMemory for Callers {
    fn forget_tenant(&self, tenant: TenantId) {
        let mut memory = self.lock();
        memory.generation += 1;
        memory.tenants.retain(|_, (row, _)| row.id != tenant);
    }

    fn forget_all(&self) {
        let mut memory = self.lock();
        memory.generation += 1;
        memory.tenants.clear();
        memory.users.clear();
    }
}

fn make_room<K, V>(map: &mut HashMap<K, (V, Instant)>) {
    if map.len() < MOST_REMEMBERED {
        return;
    }
    map.retain(|_, (_, at)| at.elapsed() < REMEMBER_FOR);
    if map.len() >= MOST_REMEMBERED {
        map.clear();
    }
}

/// Refuses claims whose values could not be stored the same way on every engine.
fn check_claims(claims: &Claims) -> AppResult<()> {
    let single = |field: &str, value: &str, max: usize| {
        input::text(field, value, max, Lines::Single)
            .map(|_| ())
            .map_err(|why| AppError::BadUserInput(format!("the token's {why}")))
    };
    single("tenant_id claim", &claims.tenant_id, MAX_NAME)?;
    single("sub claim", &claims.sub, MAX_NAME)?;
    if let Some(email) = &claims.email {
        single("email claim", email, MAX_EMAIL)?;
    }
    if let Some(name) = &claims.name {
        single("name claim", name, MAX_NAME)?;
    }
    Ok(())
}

/// Provisions (or finds) the caller's tenant and user: no statement for a caller
/// remembered in `callers`, two for one who is not but exists.
pub async fn authenticate(
    store: &Store,
    callers: &Callers,
    claims: &Claims,
    request_id: Option<String>,
) -> AppResult<Actor> {
    check_claims(claims)?;
    let tenant = match callers.tenant(&claims.tenant_id) {
        Ok(row) => row,
        Err(since) => {
            let row = Arc::new(store.provision_tenant(&claims.tenant_id).await?);
            callers.keep_tenant(since, row.clone());
            row
        }
    };
    let roles = claims.roles.iter().copied().collect::<BTreeSet<_>>();
    let profile = Profile {
        email: claims.email.as_deref(),
        name: claims.name.as_deref(),
        reviewer: crate::domain::policy::compliance_digest(&roles).is_ok(),
    };
    let user_id = match callers.user(tenant.id, &claims.sub) {
        Some(user) if user.matches(&profile) => user.id,
        _ => {
            let since = callers.lock().generation;
            let row = store
                .tenant(Scope::tenant(tenant.id))
                .provision_user(&claims.sub, profile)
                .await?;
            let known = KnownUser {
                id: row.id,
                email: row.email,
                name: row.name,
                reviewer: row.reviewer,
            };
            let id = known.id;
            callers.keep_user(since, tenant.id, &claims.sub, known);
            id
        }
    };
    Ok(Actor {
        tenant_id: tenant.id,
        user_id,
        subject: claims.sub.clone(),
        roles,
        tenant,
        request_id,
    })
}
