//! DataLoaders for every relation field, so a page of any size costs a constant number
//! of statements. They sit behind the services of [`crate::service::relations`], which
//! read through the caller's scope, so a nested field applies the same rule as the
//! root field that reads the same rows. Loaders are made per request, for its caller,
//! the first time a resolver needs one (see [`super::context::ContextExt::loaders`]).

use std::{collections::HashMap, marker::PhantomData, sync::Arc, time::Duration};

use async_graphql::{
    Lookahead,
    dataloader::{DataLoader, HashMapCache, Loader},
};
use entity::{compliance_note, integration, integration_event, post_delivery, user};

use crate::{
    auth::Actor,
    domain::{IntegrationId, UserId},
    error::{AppError, AppResult},
    service::App,
    service::{integrations, relations},
};

/// What every loader holds: the server and the caller it loads for.
#[derive(Clone)]
pub struct Caller {
    app: Arc<App>,
    actor: Actor,
}

/// Users by id (owners, note authors, event actors).
pub struct UserLoader(Caller);

impl Loader<UserId> for UserLoader {
    type Value = user::Model;
    type Error = Arc<AppError>;

    async fn load(&self, ids: &[UserId]) -> Result<HashMap<UserId, user::Model>, Self::Error> {
        let rows = relations::users(&self.0.app, &self.0.actor, ids).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Integrations by id (a post's accounts), as the caller sees them.
pub struct IntegrationLoader(Caller);

impl Loader<IntegrationId> for IntegrationLoader {
    type Value = integration::Model;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        ids: &[IntegrationId],
    ) -> Result<HashMap<IntegrationId, integration::Model>, Self::Error> {
        let rows = relations::integrations(&self.0.app, &self.0.actor, ids).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// A relation of integrations to many rows each, loaded by one service call: every
/// row, or only the first `limit` of each in the relation's order (the newest notes
/// and history entries, the soonest deliveries).
pub trait Related: Clone + Send + Sync + 'static {
    fn fetch(
        app: &App,
        actor: &Actor,
        ids: &[IntegrationId],
        limit: Option<u64>,
    ) -> impl Future<Output = AppResult<HashMap<IntegrationId, Vec<Self>>>> + Send;
}

impl Related for compliance_note::Model {
    async fn fetch(
        app: &App,
        actor: &Actor,
        ids: &[IntegrationId],
        limit: Option<u64>,
    ) -> AppResult<HashMap<IntegrationId, Vec<Self>>> {
        relations::notes(app, actor, ids, limit).await
    }
}

impl Related for integration_event::Model {
    /// The newest `limit` entries of each history; without a limit, only the status
    /// changes (all of them): coverage, the one reader of whole histories, needs
    /// nothing else.
    async fn fetch(
        app: &App,
        actor: &Actor,
        ids: &[IntegrationId],
        limit: Option<u64>,
    ) -> AppResult<HashMap<IntegrationId, Vec<Self>>> {
        match limit {
            Some(_) => relations::histories(app, actor, ids, false, limit).await,
            None => relations::status_changes(app, actor, ids).await,
        }
    }
}

impl Related for post_delivery::Model {
    async fn fetch(
        app: &App,
        actor: &Actor,
        ids: &[IntegrationId],
        limit: Option<u64>,
    ) -> AppResult<HashMap<IntegrationId, Vec<Self>>> {
        relations::upcoming(app, actor, ids, limit).await
    }
}

/// An integration and how many of its rows a field asks for (`None`: all of them; for
/// history, all its status changes, which `coverage` reads). A page whose fields ask the same number costs
/// one statement; each other number asked costs one more.
pub type Rows = (IntegrationId, Option<u64>);

/// The rows of one relation per integration id.
pub struct PerIntegration<T>(Caller, PhantomData<T>);

impl<T: Related> Loader<Rows> for PerIntegration<T> {
    type Value = Vec<T>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Rows]) -> Result<HashMap<Rows, Vec<T>>, Self::Error> {
        let mut by_limit: HashMap<Option<u64>, Vec<IntegrationId>> = HashMap::new();
        for (id, limit) in keys {
            by_limit.entry(*limit).or_default().push(*id);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (limit, ids) in by_limit {
            let rows = T::fetch(&self.0.app, &self.0.actor, &ids, limit).await?;
            found.extend(rows.into_iter().map(|(id, rows)| ((id, limit), rows)));
        }
        Ok(found)
    }
}

/// Every loader of one request, registered in one place. Each caches for the
/// request (not for a socket, which lives for hours), so a primed key never costs a
/// second statement.
pub struct Loaders {
    pub users: DataLoader<UserLoader, HashMapCache>,
    pub integrations: DataLoader<IntegrationLoader, HashMapCache>,
    pub notes: DataLoader<PerIntegration<compliance_note::Model>, HashMapCache>,
    pub history: DataLoader<PerIntegration<integration_event::Model>, HashMapCache>,
    pub upcoming: DataLoader<PerIntegration<post_delivery::Model>, HashMapCache>,
}

impl std::fmt::Debug for Loaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loaders")
    }
}

/// How long a loader waits to gather keys from sibling resolvers: not at all. A timed
/// window cost every request one wait per loader, one after the other, on
/// async-graphql's fallback timer thread; a zero delay is ready on its first poll and
/// never touches that thread. Sibling resolvers are polled together in the request's
/// task, so keys asked for in the same poll usually still share a fetch (the fetch is
/// a spawned task, which another worker may start early); the statement count of a
/// page does not rest on that: pages are loaded up front by [`Loaders::prime`].
const BATCH_WINDOW: Duration = Duration::ZERO;

fn loader<L: Loader<K>, K>(inner: L, cache: bool) -> DataLoader<L, HashMapCache>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    let loader =
        DataLoader::with_cache(inner, tokio::spawn, HashMapCache::default()).delay(BATCH_WINDOW);
    loader.enable_all_cache(cache);
    loader
}

impl Loaders {
    pub fn new(app: Arc<App>, actor: Actor, cache: bool) -> Self {
        let caller = Caller { app, actor };
        Loaders {
            users: loader(UserLoader(caller.clone()), cache),
            integrations: loader(IntegrationLoader(caller.clone()), cache),
            notes: loader(PerIntegration(caller.clone(), PhantomData), cache),
            history: loader(PerIntegration(caller.clone(), PhantomData), cache),
            upcoming: loader(PerIntegration(caller, PhantomData), cache),
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
        let ids: Vec<IntegrationId> = page.iter().map(|m| m.id).collect();
        let mut users: Vec<UserId> = Vec::new();
        if node.field("owner").exists() {
            users.extend(page.iter().map(|m| m.owner_id));
        }
        let history = node.field("history");
        for limit in sizes(
            &history,
            "last",
            relations::DEFAULT_LAST,
            relations::MAX_LAST,
        ) {
            let keys = ids.iter().map(|id| (*id, Some(limit)));
            let loaded = self.history.load_many(keys).await?;
            if history.field("actor").exists() {
                users.extend(loaded.values().flatten().filter_map(|e| e.actor_id));
            }
        }
        if node.field("coverage").exists() {
            self.history
                .load_many(ids.iter().map(|id| (*id, None)))
                .await?;
        }
        let notes = node.field("complianceNotes");
        for limit in sizes(&notes, "last", relations::DEFAULT_LAST, relations::MAX_LAST) {
            let keys = ids.iter().map(|id| (*id, Some(limit)));
            let loaded = self.notes.load_many(keys).await?;
            if notes.field("author").exists() {
                users.extend(loaded.values().flatten().map(|n| n.author_id));
            }
        }
        let upcoming = node.field("upcomingDeliveries");
        for limit in sizes(
            &upcoming,
            "first",
            integrations::DEFAULT_PAGE,
            integrations::MAX_PAGE,
        ) {
            let keys = ids.iter().map(|id| (*id, Some(limit)));
            self.upcoming.load_many(keys).await?;
        }
        if !users.is_empty() {
            users.sort();
            users.dedup();
            self.users.load_many(users).await?;
        }
        Ok(())
    }
}

/// The sizes (`argument`, `default` when absent) the selections of `field` ask for,
/// each once. A size that is not a number the field accepts (above `most`, say) is
/// left out, so nothing is read for it: the field refuses it when it resolves.
fn sizes(field: &Lookahead<'_>, argument: &str, default: u64, most: u64) -> Vec<u64> {
    let mut sizes: Vec<u64> = field
        .selection_fields()
        .iter()
        .filter_map(|selection| {
            let arguments = selection.arguments().ok()?;
            match arguments.iter().find(|(name, _)| name.as_str() == argument) {
                None | Some((_, async_graphql::Value::Null)) => Some(default),
                Some((_, async_graphql::Value::Number(n))) => n.as_u64().filter(|n| *n <= most),
                Some(_) => None,
            }
        })
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}
