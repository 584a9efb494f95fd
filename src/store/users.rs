//! Users: provisioning from token claims, batch reads for the owner loader, and each
//! person's Daily Digest settings.

use entity::{ids::UserId, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};

use super::{Scoped, now};
use crate::{
    domain::notifications::NotificationChange,
    error::{AppError, AppResult},
};

/// What a token says about its subject.
#[derive(Debug, Clone, Default)]
pub struct Profile<'a> {
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    /// The token carries the compliance or admin role.
    pub reviewer: bool,
}

impl<C: ConnectionTrait> Scoped<'_, C> {
    /// Finds the user `subject` of the tenant, creating it on first sight; email and
    /// name follow the token when it carries newer ones, and whether it is a reviewer's
    /// follows the token always.
    pub async fn provision_user(
        &self,
        subject: &str,
        profile: Profile<'_>,
    ) -> AppResult<user::Model> {
        let Some(found) = self.user_by_subject(subject).await? else {
            let at = now();
            let row = user::ActiveModel {
                id: Set(UserId::generate()),
                tenant_id: Set(self.tenant_id()),
                subject: Set(subject.to_owned()),
                email: Set(profile.email.map(str::to_owned)),
                name: Set(profile.name.map(str::to_owned)),
                // The digest is opt-in: nobody gets mail they did not ask for.
                digest_enabled: Set(false),
                digest_hour: Set(8),
                timezone: Set("UTC".to_owned()),
                digest_email: Set(None),
                digest_email_pending: Set(None),
                digest_tenant_review: Set(false),
                reviewer: Set(profile.reviewer),
                digest_version: Set(0),
                created_at: Set(at),
                last_seen_at: Set(at),
            };
            user::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([user::Column::TenantId, user::Column::Subject])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(self.db)
                .await?;
            return self
                .user_by_subject(subject)
                .await?
                .ok_or_else(|| AppError::internal("user vanished right after provisioning"));
        };
        let email_changed = profile.email.is_some() && profile.email != found.email.as_deref();
        let name_changed = profile.name.is_some() && profile.name != found.name.as_deref();
        let role_changed = profile.reviewer != found.reviewer;
        if !(email_changed || name_changed || role_changed) {
            return Ok(found);
        }
        let mut row: user::ActiveModel = found.into();
        if role_changed {
            row.reviewer = Set(profile.reviewer);
        }
        if email_changed {
            row.email = Set(profile.email.map(str::to_owned));
        }
        if name_changed {
            row.name = Set(profile.name.map(str::to_owned));
        }
        Ok(user::Entity::update(row).exec(self.db).await?)
    }

    async fn user_by_subject(&self, subject: &str) -> AppResult<Option<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .filter(user::Column::Subject.eq(subject))
            .one(self.db)
            .await?)
    }

    /// The tenant's users among `ids`, in one statement.
    pub async fn users_by_ids(&self, ids: &[UserId]) -> AppResult<Vec<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(self.db)
            .await?)
    }

    /// One person of the tenant.
    pub async fn user(&self, id: UserId) -> AppResult<Option<user::Model>> {
        Ok(user::Entity::find_by_id(id)
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .one(self.db)
            .await?)
    }

    /// Applies a checked change of `id`'s digest settings; the row as stored.
    pub async fn update_notifications(
        &self,
        id: UserId,
        change: &NotificationChange,
    ) -> AppResult<user::Model> {
        let found = self.user(id).await?.ok_or(AppError::NotFound("user"))?;
        let version = found.digest_version;
        let mut row: user::ActiveModel = found.into();
        row.digest_version = Set(version.saturating_add(1));
        if let Some(on) = change.daily_digest {
            row.digest_enabled = Set(on);
        }
        if let Some(zone) = &change.time_zone {
            row.timezone = Set(zone.clone());
        }
        if let Some(hour) = change.hour_of_day {
            row.digest_hour = Set(hour);
        }
        if let Some(email) = &change.email {
            row.digest_email = Set(email.clone());
        }
        if let Some(pending) = &change.pending_email {
            row.digest_email_pending = Set(pending.clone());
        }
        if let Some(review) = change.compliance_digest {
            row.digest_tenant_review = Set(review);
        }
        Ok(user::Entity::update(row).exec(self.db).await?)
    }

    /// Makes the address that waited the digest's (its confirmation link), if `address`
    /// still waits; false otherwise (used, or another chosen since).
    pub async fn confirm_digest_email(&self, id: UserId, address: &str) -> AppResult<bool> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let done = user::Entity::update_many()
            .col_expr(user::Column::DigestEmail, Expr::value(address))
            .col_expr(
                user::Column::DigestEmailPending,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                user::Column::DigestVersion,
                Expr::col(user::Column::DigestVersion).add(1),
            )
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::DigestEmailPending.eq(address))
            .exec(self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Turns `id`'s digest off (an unsubscribe link) if its settings are still at
    /// `version` (any version for a link made before links named one); false when no
    /// such person, or the settings moved on since the link was sent.
    pub async fn stop_digest(&self, id: UserId, version: Option<i32>) -> AppResult<bool> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let mut stop = user::Entity::update_many()
            .col_expr(user::Column::DigestEnabled, Expr::value(false))
            .col_expr(
                user::Column::DigestVersion,
                Expr::col(user::Column::DigestVersion).add(1),
            )
            .filter(user::Column::TenantId.eq(self.tenant_id()))
            .filter(user::Column::Id.eq(id));
        if let Some(version) = version {
            stop = stop.filter(user::Column::DigestVersion.eq(version));
        }
        let done = stop.exec(self.db).await?;
        Ok(done.rows_affected == 1)
    }
}
