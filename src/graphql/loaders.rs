//! DataLoaders for every relation field, so a page of any size costs a constant number
//! of statements. Keys carry the tenant, so the store keeps filtering by it; loaders
//! are made per request (see [`Loaders::new`]) so nothing is cached across callers.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{compliance_note, integration_event, user};
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
        let mut found: HashMap<TenantKey, Self::Value> = HashMap::new();
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
        let mut found: HashMap<TenantKey, Self::Value> = HashMap::new();
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

/// Every loader of one request, registered in one place.
pub struct Loaders {
    pub users: DataLoader<UserLoader>,
    pub notes: DataLoader<NotesLoader>,
    pub history: DataLoader<HistoryLoader>,
}

impl Loaders {
    pub fn new(store: &Store) -> Self {
        Loaders {
            users: DataLoader::new(UserLoader(store.clone()), tokio::spawn),
            notes: DataLoader::new(NotesLoader(store.clone()), tokio::spawn),
            history: DataLoader::new(HistoryLoader(store.clone()), tokio::spawn),
        }
    }
}
