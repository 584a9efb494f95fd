//! A token the built-in sandbox networks issued, kept so that a development server
//! restarted with the same database still recognises the tokens its integrations hold
//! (otherwise the next probe would call them all revoked). Only a hash of the token is
//! kept: the row cannot be used to act as anyone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_tokens")]
pub struct Model {
    /// Hex SHA-256 of the token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// The sandbox login the token acts for.
    pub login: String,
    /// For a Page token, the Page it acts as.
    pub page: Option<String>,
    /// What the network reports for it from now on (`sandboxSimulate`).
    pub condition: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
