//! Whether a person's last token carried the compliance or admin role. The daily
//! compliance digest lists the tenant's review queue only while it did, so it stops
//! when the identity provider takes the role away, even for a person who never signs
//! in again. People who turned that digest on had the role when they did: they start
//! as reviewers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Reviewer,
    DigestTenantReview,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::Reviewer)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(Users::Reviewer, Expr::col(Users::DigestTenantReview))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Reviewer)
                    .to_owned(),
            )
            .await
    }
}
