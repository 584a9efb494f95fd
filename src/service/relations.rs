//! The relations of integrations that nested fields read in batches (owners, note
//! authors and event actors; notes; history), for the GraphQL loaders. Each applies
//! the same rule as the root fields: rows come through the actor's scope, so an
//! advisor reads the notes and history of their own integrations only, compliance
//! and admins the tenant's. One statement per call, whatever the number of ids.

use std::collections::HashMap;

use entity::{compliance_note, integration_event, user};

use super::scope_of;
use crate::{
    auth::Actor,
    domain::{IntegrationId, UserId},
    error::{AppError, AppResult},
    service::App,
    store::Scope,
};

/// Users of the actor's tenant among `ids`. Any member of a tenant may see who owns,
/// noted or changed what they can see.
pub async fn users(app: &App, actor: &Actor, ids: &[UserId]) -> AppResult<Vec<user::Model>> {
    app.store
        .tenant(Scope::tenant(actor.tenant_id))
        .users_by_ids(ids)
        .await
}

/// Integrations by id, as the actor sees them (a post's accounts).
pub async fn integrations(
    app: &App,
    actor: &Actor,
    ids: &[IntegrationId],
) -> AppResult<Vec<entity::integration::Model>> {
    app.store
        .tenant(super::scope_of(actor))
        .integrations_by_ids(ids)
        .await
}

/// Rows that belong to one integration each.
pub trait PerIntegration {
    fn integration_id(&self) -> IntegrationId;
}

impl PerIntegration for compliance_note::Model {
    fn integration_id(&self) -> IntegrationId {
        self.integration_id
    }
}

impl PerIntegration for integration_event::Model {
    fn integration_id(&self) -> IntegrationId {
        self.integration_id
    }
}

impl PerIntegration for entity::post_delivery::Model {
    fn integration_id(&self) -> IntegrationId {
        self.integration_id
    }
}

/// What is still to leave through the integrations `ids`: deliveries approved,
/// scheduled or held, soonest first; only the `soonest` of each when given.
pub async fn upcoming(
    app: &App,
    actor: &Actor,
    ids: &[IntegrationId],
    soonest: Option<u64>,
) -> AppResult<HashMap<IntegrationId, Vec<entity::post_delivery::Model>>> {
    use entity::enums::DeliveryState as D;
    let rows = app
        .store
        .tenant(scope_of(actor))
        .deliveries_to(ids, &[D::Approved, D::Scheduled, D::Held], soonest)
        .await?;
    Ok(grouped(ids, rows))
}

/// `rows` grouped by integration, every id of `ids` present (empty when none).
fn grouped<T: PerIntegration>(
    ids: &[IntegrationId],
    rows: Vec<T>,
) -> HashMap<IntegrationId, Vec<T>> {
    let mut found: HashMap<IntegrationId, Vec<T>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        found.entry(row.integration_id()).or_default().push(row);
    }
    found
}

/// Most notes or history entries one integration answers at once. A card shows the
/// newest (`last`); the whole past of one integration is `auditTrail`'s, which a
/// request may ask once. Without the bound, an answer's size would follow the length
/// of what was written over the years rather than what the query asked for.
pub const MAX_LAST: u64 = 100;
/// How many of the newest notes or history entries a client gets when it does not say.
pub const DEFAULT_LAST: u64 = 20;

/// The `last` a client asked for, checked: default 20, at most 100.
pub fn last_size(last: Option<i32>) -> AppResult<u64> {
    match last {
        None => Ok(DEFAULT_LAST),
        Some(n) if n < 0 => Err(AppError::BadUserInput("last must not be negative".into())),
        Some(n) if n as u64 > MAX_LAST => Err(AppError::BadUserInput(format!(
            "last may be at most {MAX_LAST}; auditTrail has an integration's whole history"
        ))),
        Some(n) => Ok(n as u64),
    }
}

/// Compliance notes of the integrations `ids`, oldest first; only the `newest` of
/// each when given.
pub async fn notes(
    app: &App,
    actor: &Actor,
    ids: &[IntegrationId],
    newest: Option<u64>,
) -> AppResult<HashMap<IntegrationId, Vec<compliance_note::Model>>> {
    let rows = app
        .store
        .tenant(scope_of(actor))
        .notes_for(ids, newest)
        .await?;
    Ok(grouped(ids, rows))
}

/// Audit events of the integrations `ids`, in sequence order. An account's history
/// leaves out its posts' deliveries (`with_deliveries: false`), so the card does not
/// grow with every post; the audit trail keeps them. Only the `newest` of each when
/// given.
pub async fn histories(
    app: &App,
    actor: &Actor,
    ids: &[IntegrationId],
    with_deliveries: bool,
    newest: Option<u64>,
) -> AppResult<HashMap<IntegrationId, Vec<integration_event::Model>>> {
    let scoped = app.store.tenant(scope_of(actor));
    let rows = scoped.events_for(ids, with_deliveries, newest).await?;
    Ok(grouped(ids, rows))
}

/// The status changes of the integrations `ids`, in sequence order (coverage reads
/// these; notes and deliveries are left out, so a page's coverage does not carry their
/// text).
pub async fn status_changes(
    app: &App,
    actor: &Actor,
    ids: &[IntegrationId],
) -> AppResult<HashMap<IntegrationId, Vec<integration_event::Model>>> {
    let rows = app
        .store
        .tenant(scope_of(actor))
        .status_changes_for(ids)
        .await?;
    Ok(grouped(ids, rows))
}
