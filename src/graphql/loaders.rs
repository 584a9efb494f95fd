//! DataLoaders for every relation field, so a page of any size costs a constant number
//! of statements. Keys carry the tenant, so the store keeps filtering by it; loaders
//! are made per request (see [`Loaders::new`]) so nothing is cached across callers.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use async_graphql::{
    Lookahead,
    dataloader::{DataLoader, HashMapCache, Loader},
};
use entity::{compliance_note, integration, integration_event, user};
use uuid::Uuid;

use crate::{
    error::AppError,
    store::{Store, events, notes, users},
};

/// An id within a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenantKey {
    pub tenant_id: Uuid,
    pub id: Uuid,
}

/// Groups keys by tenant (one group in practice: a request has one caller).
fn by_tenant(keys: &[TenantKey]) -> HashMap<Uuid, Vec<Uuid>> {
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for key in keys {
        groups.entry(key.tenant_id).or_default().push(key.id);
    }
    groups
}

/// Users by id (owners, note authors, event actors).
pub struct UserLoader(Store);

impl Loader<TenantKey> for UserLoader {
    type Value = user::Model;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[TenantKey],
    ) -> Result<HashMap<TenantKey, user::Model>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant_id, ids) in by_tenant(keys) {
            for row in users::by_ids(self.0.db(), tenant_id, &ids).await? {
                found.insert(
                    TenantKey {
                        tenant_id,
                        id: row.id,
                    },
                    row,
                );
            }
        }
        Ok(found)
    }
}

/// Compliance notes by integration id.
pub struct NotesLoader(Store);

impl Loader<TenantKey> for NotesLoader {
    type Value = Vec<compliance_note::Model>;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[TenantKey],
    ) -> Result<HashMap<TenantKey, Self::Value>, Self::Error> {
        let mut found: HashMap<TenantKey, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (tenant_id, ids) in by_tenant(keys) {
            for row in notes::for_integrations(self.0.db(), tenant_id, &ids).await? {
                let key = TenantKey {
                    tenant_id,
                    id: row.integration_id,
                };
                found.entry(key).or_default().push(row);
            }
        }
        Ok(found)
    }
}

/// Audit events by integration id.
pub struct HistoryLoader(Store);

impl Loader<TenantKey> for HistoryLoader {
    type Value = Vec<integration_event::Model>;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[TenantKey],
    ) -> Result<HashMap<TenantKey, Self::Value>, Self::Error> {
        let mut found: HashMap<TenantKey, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (tenant_id, ids) in by_tenant(keys) {
            for row in events::for_integrations(self.0.db(), tenant_id, &ids).await? {
                let key = TenantKey {
                    tenant_id,
                    id: row.integration_id,
                };
                found.entry(key).or_default().push(row);
            }
        }
        Ok(found)
    }
}

/// Every loader of one request, registered in one place. Each caches for the
/// request, so a primed key never costs a second statement.
pub struct Loaders {
    pub users: DataLoader<UserLoader, HashMapCache>,
    pub notes: DataLoader<NotesLoader, HashMapCache>,
    pub history: DataLoader<HistoryLoader, HashMapCache>,
}

/// How long a loader waits to gather keys from sibling resolvers.
const BATCH_WINDOW: Duration = Duration::from_millis(2);

impl Loaders {
    pub fn new(store: &Store) -> Self {
        Loaders {
            users: DataLoader::with_cache(
                UserLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            notes: DataLoader::with_cache(
                NotesLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            history: DataLoader::with_cache(
                HistoryLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
        }
    }

    /// Loads up front, one statement per relation, everything `node` (the selection on
    /// each integration of a page) will ask for. Batching by time window alone splits
    /// a large page into several batches when resolving takes longer than the window;
    /// priming makes the cost of a page independent of its size and of timing.
    pub async fn prime(
        &self,
        node: &Lookahead<'_>,
        page: &[integration::Model],
    ) -> Result<(), Arc<AppError>> {
        if page.is_empty() || !node.exists() {
            return Ok(());
        }
        let keys: Vec<TenantKey> = page
            .iter()
            .map(|m| TenantKey {
                tenant_id: m.tenant_id,
                id: m.id,
            })
            .collect();
        let mut users: HashSet<TenantKey> = HashSet::new();
        if node.field("owner").exists() {
            users.extend(page.iter().map(|m| TenantKey {
                tenant_id: m.tenant_id,
                id: m.owner_id,
            }));
        }
        let history = node.field("history");
        if history.exists() {
            let loaded = self.history.load_many(keys.iter().copied()).await?;
            if history.field("actor").exists() {
                users.extend(loaded.values().flatten().filter_map(|e| {
                    e.actor_id.map(|id| TenantKey {
                        tenant_id: e.tenant_id,
                        id,
                    })
                }));
            }
        }
        let notes = node.field("complianceNotes");
        if notes.exists() {
            let loaded = self.notes.load_many(keys.iter().copied()).await?;
            if notes.field("author").exists() {
                users.extend(loaded.values().flatten().map(|n| TenantKey {
                    tenant_id: n.tenant_id,
                    id: n.author_id,
                }));
            }
        }
        if !users.is_empty() {
            self.users.load_many(users).await?;
        }
        Ok(())
    }
}
