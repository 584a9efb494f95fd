//! Reading integrations: one, a page, counts. Scope comes from the actor, so an advisor
//! never reaches another owner's rows and nobody reaches another tenant's.

use entity::{enums::Status, integration};
use uuid::Uuid;

use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    store::{Store, integrations, integrations::ListFilter},
};

/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;
/// Page size when the client does not say.
pub const DEFAULT_PAGE: u64 = 20;

/// One integration the actor may see; anything else is `NOT_FOUND`.
pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> AppResult<integration::Model> {
    integrations::find(store.db(), actor.scope(), id)
        .await?
        .ok_or(AppError::NotFound("integration"))
}

/// A page of integrations in creation order.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<integration::Model>,
    pub has_next: bool,
    pub has_previous: bool,
}

/// The page after `after` of at most `first` (default 20, at most 100).
pub async fn list(
    store: &Store,
    actor: &Actor,
    filter: &ListFilter,
    after: Option<Uuid>,
    first: Option<i32>,
) -> AppResult<Page> {
    let first = match first {
        None => DEFAULT_PAGE,
        Some(n) if n < 0 => {
            return Err(AppError::BadUserInput("first must not be negative".into()));
        }
        Some(n) if n as u64 > MAX_PAGE => {
            return Err(AppError::BadUserInput(format!(
                "first may be at most {MAX_PAGE}; page with `after` for more"
            )));
        }
        Some(n) => n as u64,
    };
    let mut items = integrations::page(store.db(), actor.scope(), filter, after, first + 1).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page {
        items,
        has_next,
        has_previous: after.is_some(),
    })
}

/// How many integrations match `filter` for this actor.
pub async fn total(store: &Store, actor: &Actor, filter: &ListFilter) -> AppResult<u64> {
    integrations::count(store.db(), actor.scope(), filter).await
}

/// Live integrations per status, every status present (zero when none).
pub async fn counts(store: &Store, actor: &Actor) -> AppResult<Vec<(Status, i64)>> {
    let found = integrations::count_by_status(store.db(), actor.scope()).await?;
    Ok([
        Status::Pending,
        Status::Active,
        Status::Expired,
        Status::Invalid,
        Status::Rejected,
    ]
    .into_iter()
    .map(|status| {
        let n = found
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        (status, n)
    })
    .collect())
}
