//! Meta callbacks already acted on (see the `meta_callbacks` table): across tenants, like
//! the callbacks themselves, and holding only a digest of each request.

use chrono::{DateTime, Utc};
use entity::{enums::Network, meta_callback};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};

use super::Store;
use crate::error::AppResult;

impl Store {
    /// Remembers the callback with `digest` (and, for a data-deletion request, the
    /// confirmation code it was given); a digest already remembered is left as it is.
    pub async fn remember_callback(
        &self,
        digest: &str,
        network: Network,
        confirmation_code: Option<&str>,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let row = meta_callback::ActiveModel {
            digest: Set(digest.to_owned()),
            network: Set(network),
            confirmation_code: Set(confirmation_code.map(str::to_owned)),
            received_at: Set(at),
        };
        meta_callback::Entity::insert(row)
            .on_conflict(
                OnConflict::column(meta_callback::Column::Digest)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// The callback remembered by `digest`, if it was acted on.
    pub async fn callback_seen(&self, digest: &str) -> AppResult<Option<meta_callback::Model>> {
        Ok(meta_callback::Entity::find_by_id(digest.to_owned())
            .one(self.db())
            .await?)
    }

    /// Housekeeping: forgets callbacks received before `at` (their signatures are no
    /// longer taken anyway). Returns how many.
    pub async fn forget_callbacks_before(&self, at: DateTime<Utc>) -> AppResult<u64> {
        Ok(meta_callback::Entity::delete_many()
            .filter(meta_callback::Column::ReceivedAt.lt(at))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}
