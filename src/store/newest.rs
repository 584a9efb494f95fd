//! The newest rows of each integration in one statement: what a card shows of a long
//! history or many notes. Reading every row and cutting in memory would make the cost
//! of a page follow the length of its integrations' pasts; a window function lets the
//! database stop at `limit` per integration on both engines (SQLite has had window
//! functions since 3.25).

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, QuerySelect, QueryTrait, Select,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query},
};

use crate::error::AppResult;

/// Rank column added by [`newest_per_integration`]; not part of any model.
const RANK: &str = "newest_rank";

/// Runs `select` keeping, per `integration_id`, the `limit` rows that come first in
/// `newest_first` (an SQL ordering such as `seq DESC`), answered in `answer_order`
/// (an unqualified column, ascending: oldest first, as every list of the API reads).
pub(super) async fn newest_per_integration<E, C>(
    db: &C,
    select: Select<E>,
    newest_first: &str,
    limit: u64,
    answer_order: &[&'static str],
) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult,
    C: ConnectionTrait,
{
    let ranked = select
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY integration_id ORDER BY {newest_first})"
            )),
            RANK,
        )
        .into_query();
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(RANK)).lte(limit));
    for column in answer_order {
        outer.order_by(Alias::new(*column), Order::Asc);
    }
    let statement = db.get_database_backend().build(&outer);
    Ok(E::Model::find_by_statement(statement).all(db).await?)
}
