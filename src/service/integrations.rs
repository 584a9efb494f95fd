//! Reading integrations: one, a page, counts. Scope comes from the actor, so an advisor
//! never reaches another owner's rows and nobody reaches another tenant's.

use entity::{enums::Status, integration};
use sea_orm::Iterable;

use super::scope_of;
pub use crate::store::integrations::ListFilter;

use crate::{
    auth::Actor,
    domain::IntegrationId,
    error::{AppError, AppResult},
    service::App,
};

/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;
/// Page size when the client does not say.
pub const DEFAULT_PAGE: u64 = 20;

/// One integration the actor may see; anything else is `NOT_FOUND`.
pub async fn get(app: &App, actor: &Actor, id: IntegrationId) -> AppResult<integration::Model> {
    app.store
        .tenant(scope_of(actor))
        .integration(id)
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

/// The page size a client asked for, checked: default 20, at most 100.
pub fn page_size(first: Option<i32>) -> AppResult<u64> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(AppError::BadUserInput("first must not be negative".into())),
        Some(n) if n as u64 > MAX_PAGE => Err(AppError::BadUserInput(format!(
            "first may be at most {MAX_PAGE}; page with `after` for more"
        ))),
        Some(n) => Ok(n as u64),
    }
}

/// The page after `after` of at most `first` (default 20, at most 100).
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ListFilter,
    after: Option<IntegrationId>,
    first: Option<i32>,
) -> AppResult<Page> {
    let first = page_size(first)?;
    let mut items = app
        .store
        .tenant(scope_of(actor))
        .integrations_page(filter, after, first + 1)
        .await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page {
        items,
        has_next,
        has_previous: after.is_some(),
    })
}

/// How many integrations match `filter` for this actor.
pub async fn total(app: &App, actor: &Actor, filter: &ListFilter) -> AppResult<u64> {
    app.store
        .tenant(scope_of(actor))
        .count_integrations(filter)
        .await
}

/// Live integrations per status, every status present (zero when none).
pub async fn counts(app: &App, actor: &Actor) -> AppResult<Vec<(Status, i64)>> {
    let found = app.store.tenant(scope_of(actor)).count_by_status().await?;
    Ok(Status::iter()
        .map(|status| {
            let n = found
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            (status, n)
        })
        .collect())
}
