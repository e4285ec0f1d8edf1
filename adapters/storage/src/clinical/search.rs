//! Patient search: a term matches a patient when it begins the surname, the first name,
//! "first last", the email or the USC ID. Its cost follows the page, not the number of
//! matches.
//!
//! One query ORing the five prefix ranges made both backends read every match's row to
//! sort it: a four-letter surname prefix such as `sant` matches ~2,800 of 100,000
//! patients. Now:
//! - **the total** comes first: a plain `COUNT(*)` of the five ranges ORed, which both
//!   backends answer from the indexes' row sets (0.6 ms for `sant` on SQLite, against
//!   2.7 ms for the `COUNT(*)` of a subquery that sea-orm's paginator sends, and 5 ms for
//!   a `UNION` of the ranges' text ids);
//! - **the page**, with up to [`FEW`] matches, from one query that sorts them all;
//! - with more, from one branch per range, each ordered by name and cut at
//!   `offset + size`, united (`UNION` drops a patient found twice), ordered, cut to the
//!   page and joined to the rows. The surname branch reads its rows in order from the
//!   `(last_lc, first_lc, id)` index; the other branches usually match few patients (a
//!   surname prefix begins no first name, email or USC ID) and sort those.
//!
//! Branches other than the surname's order by `last_lc || ''`: PostgreSQL would otherwise
//! answer `ORDER BY last_lc … LIMIT` by walking the whole name index from "a" and
//! filtering (153 ms for `santos`); the expression, which no index provides, keeps each
//! branch on its own range. Same order, byte-wise.

use application::StoreError;
use domain::clinical::Patient;
use domain::paging::{Page, PageRequest};
use sea_orm::sea_query::{
    Alias, Asterisk, BinOper, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, UnionType,
};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::{patient_from, starts_with};
use crate::entities::patients::{self, Column as P};
use crate::error::map_db_err;

/// Up to this many matches, sorting them all in one query is cheaper than the branches
/// (on SQLite, 100 matches of a USC ID prefix: 0.45 ms against 0.86 ms; 2,842 of `sant`:
/// 1.8 ms against 0.7 ms).
const FEW: u64 = 400;

/// The five prefix ranges `term` is looked up in.
fn ranges(term: &str) -> [(P, String); 5] {
    [
        (P::LastLc, term.to_owned()),
        (P::FirstLc, term.to_owned()),
        (P::FullLc, term.to_owned()),
        (P::Email, term.to_owned()),
        (P::UscId, term.to_uppercase()),
    ]
}

/// Unites `branches` (each `SELECT`, wrapped so it may carry its own ORDER BY and LIMIT).
fn union(branches: impl IntoIterator<Item = SelectStatement>) -> Option<SelectStatement> {
    let mut wrapped = branches.into_iter().enumerate().map(|(i, b)| {
        Query::select()
            .column(Asterisk)
            .from_subquery(b, Alias::new(format!("r{i}")))
            .to_owned()
    });
    let mut all = wrapped.next()?;
    for b in wrapped {
        all.union(UnionType::Distinct, b);
    }
    Some(all)
}

/// One range's first `limit` matches in name order: (id, last_lc, first_lc).
fn branch(col: P, prefix: &str, filters: &Condition, limit: u64) -> SelectStatement {
    let last = if matches!(col, P::LastLc) {
        Expr::col(P::LastLc)
    } else {
        Expr::col(P::LastLc).binary(BinOper::Custom("||"), "")
    };
    Query::select()
        .columns([P::Id, P::LastLc, P::FirstLc])
        .from(patients::Entity)
        .cond_where(starts_with(col, prefix))
        .cond_where(filters.clone())
        .order_by_expr(last, Order::Asc)
        .order_by(P::FirstLc, Order::Asc)
        .order_by(P::Id, Order::Asc)
        .limit(limit)
        .to_owned()
}

/// One page of the patients `term` matches (and `filters` keeps), in name order, with the
/// total.
pub(super) async fn by_prefix<C: ConnectionTrait>(
    c: &C,
    term: &str,
    filters: Condition,
    page: PageRequest,
) -> Result<Page<Patient>, StoreError> {
    let ranges = ranges(term);
    let backend = c.get_database_backend();

    let any = ranges.iter().fold(Condition::any(), |any, (col, prefix)| {
        any.add(starts_with(*col, prefix))
    });
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(patients::Entity)
        .cond_where(any.clone())
        .cond_where(filters.clone())
        .to_owned();
    let total = crate::query::count_rows(c, &count).await?;
    if page.offset() >= total {
        return Ok(Page::answer(page, Vec::new(), total));
    }

    let rows = if total <= FEW {
        // Few matches: one query that sorts them all is cheaper than five branches.
        patients::Entity::find()
            .filter(any)
            .filter(filters)
            .order_by_asc(Expr::col(P::LastLc).binary(BinOper::Custom("||"), ""))
            .order_by_asc(P::FirstLc)
            .order_by_asc(P::Id)
            .offset(page.offset())
            .limit(page.page_size())
            .into_query()
    } else {
        by_branches(&ranges, &filters, page)?
    };
    let items = patients::Entity::find()
        .from_raw_sql(backend.build(&rows))
        .all(c)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .map(patient_from)
        .collect::<Result<_, _>>()?;
    Ok(Page::answer(page, items, total))
}

/// The page's rows through one name-ordered branch per range, united, ordered, cut to the
/// page and joined to the rows.
fn by_branches(
    ranges: &[(P, String)],
    filters: &Condition,
    page: PageRequest,
) -> Result<SelectStatement, StoreError> {
    let limit = page.offset() + page.page_size();
    let (m, k, p) = (Alias::new("m"), Alias::new("k"), Alias::new("p"));
    let matches = union(
        ranges
            .iter()
            .map(|(col, prefix)| branch(*col, prefix, filters, limit)),
    )
    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("search without ranges")))?;
    let keys = Query::select()
        .column(Asterisk)
        .from_subquery(matches, m.clone())
        .order_by((m.clone(), P::LastLc), Order::Asc)
        .order_by((m.clone(), P::FirstLc), Order::Asc)
        .order_by((m, P::Id), Order::Asc)
        .limit(page.page_size())
        .offset(page.offset())
        .to_owned();
    Ok(Query::select()
        .column((p.clone(), Asterisk))
        .from_as(patients::Entity, p.clone())
        .join_subquery(
            JoinType::InnerJoin,
            keys,
            k.clone(),
            Expr::col((p, P::Id)).equals((k.clone(), P::Id)),
        )
        .order_by((k.clone(), P::LastLc), Order::Asc)
        .order_by((k.clone(), P::FirstLc), Order::Asc)
        .order_by((k, P::Id), Order::Asc)
        .to_owned())
}
