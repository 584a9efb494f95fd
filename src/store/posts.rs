//! Posts and their deliveries, within a scope: an advisor's scope sees the posts they
//! wrote, a tenant scope every post of the tenant.

use entity::{
    enums::{DeliveryState, PostReview},
    ids::{IntegrationId, PostId},
    post, post_delivery,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{Scoped, now};
use crate::error::{AppError, AppResult};

/// Which posts a page lists.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Only posts in one of these review states (empty: any).
    pub reviews: Vec<PostReview>,
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    fn visible_posts(&self) -> Condition {
        let mut cond = Condition::all().add(post::Column::TenantId.eq(self.tenant_id()));
        if let Some(author) = self.scope().owner_id() {
            cond = cond.add(post::Column::AuthorId.eq(author));
        }
        cond
    }

    /// The post `id`, when the scope sees it.
    pub async fn post(&self, id: PostId) -> AppResult<Option<post::Model>> {
        Ok(post::Entity::find()
            .filter(self.visible_posts().add(post::Column::Id.eq(id)))
            .one(self.db)
            .await?)
    }

    /// Up to `limit` posts after `after`, newest first, in one statement.
    pub async fn posts_page(
        &self,
        filter: &PostFilter,
        after: Option<PostId>,
        limit: u64,
    ) -> AppResult<Vec<post::Model>> {
        let mut cond = self.visible_posts();
        if !filter.reviews.is_empty() {
            cond = cond.add(post::Column::Review.is_in(filter.reviews.iter().copied()));
        }
        if let Some(after) = after {
            // Ids are UUIDv7, so creation order: "after" in a newest-first page is
            // an older id.
            cond = cond.add(post::Column::Id.lt(after));
        }
        Ok(post::Entity::find()
            .filter(cond)
            .order_by_desc(post::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?)
    }

    /// The deliveries of `posts` the scope sees, in one statement, oldest first.
    pub async fn deliveries_of(&self, posts: &[PostId]) -> AppResult<Vec<post_delivery::Model>> {
        let mut cond = Condition::all()
            .add(post_delivery::Column::TenantId.eq(self.tenant_id()))
            .add(post_delivery::Column::PostId.is_in(posts.iter().copied()));
        if let Some(author) = self.scope().owner_id() {
            cond = cond.add(
                post_delivery::Column::PostId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(post::Column::Id)
                        .from(post::Entity)
                        .and_where(post::Column::AuthorId.eq(author))
                        .to_owned(),
                ),
            );
        }
        Ok(post_delivery::Entity::find()
            .filter(cond)
            .order_by_asc(post_delivery::Column::Id)
            .all(self.db)
            .await?)
    }

    /// The posts among `ids` the scope sees, in one statement.
    pub async fn posts_by_ids(&self, ids: &[PostId]) -> AppResult<Vec<post::Model>> {
        Ok(post::Entity::find()
            .filter(
                self.visible_posts()
                    .add(post::Column::Id.is_in(ids.iter().copied())),
            )
            .all(self.db)
            .await?)
    }

    /// Up to `limit` deliveries in one of `states` to the integrations the scope sees
    /// (an advisor's: their own accounts), soonest first, in one statement.
    pub async fn deliveries_in(
        &self,
        states: &[DeliveryState],
        limit: u64,
    ) -> AppResult<Vec<post_delivery::Model>> {
        Ok(post_delivery::Entity::find()
            .filter(post_delivery::Column::TenantId.eq(self.tenant_id()))
            .filter(self.owned_integrations(post_delivery::Column::IntegrationId))
            .filter(post_delivery::Column::Status.is_in(states.iter().copied()))
            .order_by_asc(post_delivery::Column::DueAt)
            .limit(limit)
            .all(self.db)
            .await?)
    }

    /// The delivery `id`, when the scope sees its post.
    pub async fn delivery(
        &self,
        id: entity::ids::PostDeliveryId,
    ) -> AppResult<Option<post_delivery::Model>> {
        let mut cond = Condition::all()
            .add(post_delivery::Column::TenantId.eq(self.tenant_id()))
            .add(post_delivery::Column::Id.eq(id));
        if let Some(author) = self.scope().owner_id() {
            cond = cond.add(
                post_delivery::Column::PostId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(post::Column::Id)
                        .from(post::Entity)
                        .and_where(post::Column::AuthorId.eq(author))
                        .to_owned(),
                ),
            );
        }
        Ok(post_delivery::Entity::find()
            .filter(cond)
            .one(self.db)
            .await?)
    }

    /// Deliveries to the integrations among `ids` (those the scope sees) in one of
    /// `states`, soonest first, in one statement.
    pub async fn deliveries_to(
        &self,
        ids: &[IntegrationId],
        states: &[DeliveryState],
        soonest: Option<u64>,
    ) -> AppResult<Vec<post_delivery::Model>> {
        let find = post_delivery::Entity::find()
            .filter(post_delivery::Column::TenantId.eq(self.tenant_id()))
            .filter(post_delivery::Column::IntegrationId.is_in(ids.iter().copied()))
            .filter(self.owned_integrations(post_delivery::Column::IntegrationId))
            .filter(post_delivery::Column::Status.is_in(states.iter().copied()));
        match soonest {
            Some(limit) => {
                super::first_rows::first_per_integration(
                    self.db,
                    find,
                    // Deliveries not yet given a time (approved, unscheduled) last,
                    // on both engines.
                    "due_at IS NULL, due_at ASC, id ASC",
                    limit,
                    "due_at IS NULL, due_at, id",
                )
                .await
            }
            None => Ok(find
                .order_by(
                    sea_orm::sea_query::ExprTrait::is_null(sea_orm::sea_query::Expr::col(
                        post_delivery::Column::DueAt,
                    )),
                    sea_orm::Order::Asc,
                )
                .order_by_asc(post_delivery::Column::DueAt)
                .order_by_asc(post_delivery::Column::Id)
                .all(self.db)
                .await?),
        }
    }

    /// When deliveries of content with `spread_key`, other than `post`'s, leave or left
    /// from `from` on (scheduled, held, leaving or published), in one statement.
    pub async fn times_of_spread(
        &self,
        spread_key: &str,
        post: PostId,
        from: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<Vec<chrono::DateTime<chrono::Utc>>> {
        let like = sea_orm::sea_query::Query::select()
            .column(post::Column::Id)
            .from(post::Entity)
            .and_where(post::Column::TenantId.eq(self.tenant_id()))
            .and_where(post::Column::SpreadKey.eq(spread_key))
            .and_where(post::Column::Id.ne(post))
            .to_owned();
        let rows = post_delivery::Entity::find()
            .filter(post_delivery::Column::TenantId.eq(self.tenant_id()))
            .filter(post_delivery::Column::PostId.in_subquery(like))
            .filter(post_delivery::Column::Status.is_in([
                DeliveryState::Scheduled,
                DeliveryState::Held,
                DeliveryState::Publishing,
                DeliveryState::Published,
            ]))
            .filter(post_delivery::Column::DueAt.gte(from))
            .all(self.db)
            .await?;
        Ok(rows.into_iter().filter_map(|d| d.due_at).collect())
    }

    /// Inserts a new post and its deliveries.
    pub async fn insert_post(
        &self,
        post: post::Model,
        deliveries: Vec<post_delivery::Model>,
    ) -> AppResult<()> {
        post.into_active_model().reset_all().insert(self.db).await?;
        self.insert_deliveries(deliveries).await
    }

    /// Writes `changed` over `current` if nobody changed it meanwhile (`CONFLICT`
    /// otherwise); the version moves on by one.
    pub async fn save_post(
        &self,
        current: &post::Model,
        mut changed: post::Model,
    ) -> AppResult<post::Model> {
        changed.version = current.version + 1;
        changed.updated_at = now();
        let mut row = changed.clone().into_active_model().reset_all();
        row.id = sea_orm::ActiveValue::Unchanged(current.id);
        let result = post::Entity::update_many()
            .set(row)
            .filter(
                self.visible_posts()
                    .add(post::Column::Id.eq(current.id))
                    .add(post::Column::Version.eq(current.version)),
            )
            .exec(self.db)
            .await?;
        if result.rows_affected != 1 {
            return Err(AppError::Conflict(
                "the post changed while this request ran; read it again".into(),
            ));
        }
        Ok(changed)
    }

    /// Writes each changed delivery over its current row, version-checked.
    pub async fn save_deliveries(
        &self,
        changed: Vec<(&post_delivery::Model, post_delivery::Model)>,
    ) -> AppResult<Vec<post_delivery::Model>> {
        let mut saved = Vec::with_capacity(changed.len());
        for (current, mut next) in changed {
            next.version = current.version + 1;
            next.updated_at = now();
            let mut row = next.clone().into_active_model().reset_all();
            row.id = sea_orm::ActiveValue::Unchanged(current.id);
            let result = post_delivery::Entity::update_many()
                .set(row)
                .filter(post_delivery::Column::TenantId.eq(self.tenant_id()))
                .filter(post_delivery::Column::Id.eq(current.id))
                .filter(post_delivery::Column::Version.eq(current.version))
                .exec(self.db)
                .await?;
            if result.rows_affected != 1 {
                return Err(AppError::Conflict(
                    "a delivery of the post changed while this request ran; read it again".into(),
                ));
            }
            saved.push(next);
        }
        Ok(saved)
    }

    /// Inserts new deliveries of an existing post.
    pub async fn insert_deliveries(&self, deliveries: Vec<post_delivery::Model>) -> AppResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let rows = deliveries
            .into_iter()
            .map(|d| d.into_active_model().reset_all());
        post_delivery::Entity::insert_many(rows)
            .exec_without_returning(self.db)
            .await?;
        Ok(())
    }
}
