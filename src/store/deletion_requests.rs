//! Data-deletion requests from Meta, found by confirmation code. The table holds no
//! personal data and no tenant (one request may touch several tenants), so it is
//! reached through [`Store`] rather than a tenant scope.

use entity::data_deletion_request;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};

use super::Store;
use crate::error::AppResult;

impl Store {
    /// Records a request (cross-tenant on purpose: see the module doc).
    pub async fn insert_deletion_request(
        &self,
        request: data_deletion_request::Model,
    ) -> AppResult<data_deletion_request::Model> {
        Ok(request
            .into_active_model()
            .reset_all()
            .insert(self.db())
            .await?)
    }

    /// The request with this confirmation code, for its status page.
    pub async fn deletion_request(
        &self,
        confirmation_code: &str,
    ) -> AppResult<Option<data_deletion_request::Model>> {
        Ok(
            data_deletion_request::Entity::find_by_id(confirmation_code.to_owned())
                .one(self.db())
                .await?,
        )
    }
}
