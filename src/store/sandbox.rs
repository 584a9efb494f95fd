//! Tokens the built-in sandbox networks issued, across tenants on purpose: the sandbox
//! is one network shared by the whole development server.

use entity::sandbox_token;
use sea_orm::{EntityTrait, sea_query::OnConflict};

use super::Store;
use crate::error::AppResult;

impl Store {
    /// Every token the sandbox issued (a development server's handful).
    pub async fn sandbox_tokens(&self) -> AppResult<Vec<sandbox_token::Model>> {
        Ok(sandbox_token::Entity::find().all(self.db()).await?)
    }

    /// Records a token the sandbox issued, or its new condition.
    pub async fn save_sandbox_token(&self, row: sandbox_token::Model) -> AppResult<()> {
        let row: sandbox_token::ActiveModel = row.into();
        sandbox_token::Entity::insert(row)
            .on_conflict(
                OnConflict::column(sandbox_token::Column::TokenHash)
                    .update_column(sandbox_token::Column::Condition)
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }
}
