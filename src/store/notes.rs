//! Compliance notes, read in batches for the notes loader.

use entity::{
    compliance_note,
    ids::{IntegrationId, NoteId, UserId},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::{Scoped, first_rows::first_per_integration, now};
use crate::error::AppResult;

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// Notes of the tenant's integrations among `integration_ids`, oldest first, in
    /// one statement; only the `newest` of each integration when given.
    pub async fn notes_for(
        &self,
        integration_ids: &[IntegrationId],
        newest: Option<u64>,
    ) -> AppResult<Vec<compliance_note::Model>> {
        let find = compliance_note::Entity::find()
            .filter(compliance_note::Column::TenantId.eq(self.tenant_id()))
            .filter(compliance_note::Column::IntegrationId.is_in(integration_ids.iter().copied()))
            .filter(self.owned_integrations(compliance_note::Column::IntegrationId));
        match newest {
            Some(limit) => {
                first_per_integration(
                    self.db,
                    find,
                    "created_at DESC, id DESC",
                    limit,
                    "created_at, id",
                )
                .await
            }
            None => Ok(find
                .order_by_asc(compliance_note::Column::CreatedAt)
                .order_by_asc(compliance_note::Column::Id)
                .all(self.db)
                .await?),
        }
    }
}

impl Scoped<'_, DatabaseTransaction> {
    /// Records a note inside the caller's write transaction.
    pub async fn insert_note(
        &self,
        integration_id: IntegrationId,
        author_id: UserId,
        body: &str,
    ) -> AppResult<compliance_note::Model> {
        let row = compliance_note::ActiveModel {
            id: Set(NoteId::generate()),
            tenant_id: Set(self.tenant_id()),
            integration_id: Set(integration_id),
            author_id: Set(author_id),
            body: Set(body.to_owned()),
            created_at: Set(now()),
        };
        Ok(compliance_note::Entity::insert(row)
            .exec_with_returning(self.db)
            .await?)
    }
}
