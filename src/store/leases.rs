//! Job leases: a row per job name says which instance runs it until when. Taking a
//! lease is one statement that succeeds only when the lease is free, expired, or
//! already ours, so across instances on one database each run happens once, and a
//! lease left by a crashed instance is taken over once it expires.

use chrono::{DateTime, Utc};
use entity::job_lease;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use super::{Store, now};
use crate::error::AppResult;

impl Store {
    /// Takes (or renews) the lease `name` for `holder` until `until`; false when
    /// another holder has it and it has not expired.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> AppResult<bool> {
        use chrono::SubsecRound;
        // Compared with what is read back, so at the precision every engine stores.
        let until = until.trunc_subsecs(6);
        let at = now();
        let row = job_lease::ActiveModel {
            name: Set(name.to_owned()),
            holder: Set(holder.to_owned()),
            expires_at: Set(until),
            updated_at: Set(at),
        };
        // Insert when new; otherwise overwrite only a free, expired or own lease.
        let mut conflict = OnConflict::column(job_lease::Column::Name);
        conflict
            .update_columns([
                job_lease::Column::Holder,
                job_lease::Column::ExpiresAt,
                job_lease::Column::UpdatedAt,
            ])
            .action_and_where(
                Expr::col((job_lease::Entity, job_lease::Column::ExpiresAt))
                    .lt(at)
                    .or(Expr::col((job_lease::Entity, job_lease::Column::Holder)).eq(holder)),
            );
        job_lease::Entity::insert(row)
            .on_conflict(conflict)
            .exec_without_returning(self.db())
            .await?;
        let current = job_lease::Entity::find_by_id(name.to_owned())
            .one(self.db())
            .await?;
        Ok(current.is_some_and(|lease| lease.holder == holder && lease.expires_at == until))
    }

    /// Gives the lease back early (the run finished), if `holder` still has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> AppResult<()> {
        job_lease::Entity::update_many()
            .col_expr(job_lease::Column::ExpiresAt, Expr::value(now()))
            .filter(job_lease::Column::Name.eq(name))
            .filter(job_lease::Column::Holder.eq(holder))
            .exec(self.db())
            .await?;
        Ok(())
    }
}
