//! The first rows of each integration in some order, in one statement: what a card
//! shows of a long history, many notes or many posts to come. Reading every row and
//! cutting in memory would make the cost of a page follow the length of its
//! integrations' pasts; a window function lets the database stop at `limit` per
//! integration on both engines (SQLite has had window functions since 3.25).

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, QuerySelect, QueryTrait, Select,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query},
};

use crate::error::AppResult;

/// Rank column added by [`first_per_integration`]; not part of any model.
const RANK: &str = "newest_rank";

/// Runs `select` keeping, per `integration_id`, the `limit` rows that come first in
/// `ranked_by` (an SQL ordering such as `seq DESC`), answered in `answer_order` (an SQL
/// ordering of unqualified columns: oldest or soonest first, as the API's lists read).
/// Where a column may be NULL both orderings say where NULLs go, since SQLite and
/// PostgreSQL disagree by default.
pub(super) async fn first_per_integration<E, C>(
    db: &C,
    select: Select<E>,
    ranked_by: &str,
    limit: u64,
    answer_order: &'static str,
) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult,
    C: ConnectionTrait,
{
    let ranked = select
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY integration_id ORDER BY {ranked_by})"
            )),
            RANK,
        )
        .into_query();
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(RANK)).lte(limit));
    outer.order_by_expr(Expr::cust(answer_order), Order::Asc);
    let statement = db.get_database_backend().build(&outer);
    Ok(E::Model::find_by_statement(statement).all(db).await?)
}
