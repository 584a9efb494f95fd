//! What `/metrics` reads from the database at each scrape: live integrations per
//! status across tenants (per tenant too, when the operator asks), and how busy the
//! connection pool is. Cross-tenant by nature, so these are `Store` methods.

use std::collections::HashMap;

use entity::{enums::Status, ids::TenantId, integration, tenant};
use sea_orm::{
    ColumnTrait, DatabaseConnectionType, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use super::Store;
use crate::error::AppResult;

/// Live integrations of one status, in one tenant (by its external id) or in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub tenant: Option<String>,
    pub status: Status,
    pub count: i64,
}

/// The connection pool's connections: open, and idle among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: usize,
}

impl Store {
    /// Live (not disconnected) integrations per status; per tenant when `by_tenant`.
    pub async fn status_counts(&self, by_tenant: bool) -> AppResult<Vec<StatusCount>> {
        let live = integration::Column::DisconnectedAt.is_null();
        if !by_tenant {
            let rows: Vec<(Status, i64)> = integration::Entity::find()
                .select_only()
                .column(integration::Column::Status)
                .column_as(Expr::col(integration::Column::Id).count(), "n")
                .filter(live)
                .group_by(integration::Column::Status)
                .into_tuple()
                .all(self.db())
                .await?;
            return Ok(rows
                .into_iter()
                .map(|(status, count)| StatusCount {
                    tenant: None,
                    status,
                    count,
                })
                .collect());
        }
        let rows: Vec<(TenantId, Status, i64)> = integration::Entity::find()
            .select_only()
            .column(integration::Column::TenantId)
            .column(integration::Column::Status)
            .column_as(Expr::col(integration::Column::Id).count(), "n")
            .filter(live)
            .group_by(integration::Column::TenantId)
            .group_by(integration::Column::Status)
            .into_tuple()
            .all(self.db())
            .await?;
        let names: HashMap<TenantId, String> = tenant::Entity::find()
            .select_only()
            .column(tenant::Column::Id)
            .column(tenant::Column::ExternalId)
            .into_tuple::<(TenantId, String)>()
            .all(self.db())
            .await?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .map(|(tenant, status, count)| StatusCount {
                tenant: Some(
                    names
                        .get(&tenant)
                        .cloned()
                        .unwrap_or_else(|| tenant.to_string()),
                ),
                status,
                count,
            })
            .collect())
    }

    /// How many pooled connections are open and idle now.
    pub fn pool_use(&self) -> PoolUse {
        // Matched first, so the accessors below (which panic on another kind of
        // connection) cannot.
        let db = self.db();
        match &db.inner {
            DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
                let pool = db.get_postgres_connection_pool();
                PoolUse {
                    open: pool.size(),
                    idle: pool.num_idle(),
                }
            }
            DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
                let pool = db.get_sqlite_connection_pool();
                PoolUse {
                    open: pool.size(),
                    idle: pool.num_idle(),
                }
            }
            _ => PoolUse { open: 0, idle: 0 },
        }
    }
}
