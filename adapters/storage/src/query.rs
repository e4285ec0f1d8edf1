//! Query helpers every capability's storage uses.

use application::StoreError;
use sea_orm::sea_query::LikeExpr;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use crate::error::map_db_err;

/// Reads inside a write transaction lock the row (`FOR UPDATE` on PostgreSQL; SQLite's
/// IMMEDIATE transaction already excludes other writers), so read-modify-write cannot
/// lose a concurrent update.
pub(crate) fn locked<S: QuerySelect>(q: S, lock: bool) -> S {
    if lock { q.lock_exclusive() } else { q }
}

/// Escapes LIKE wildcards in user input.
pub(crate) fn like_pattern(s: &str) -> LikeExpr {
    let escaped = s
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// At most one row of `query`, converted; locked for the rest of the transaction when
/// `lock` (see [`locked`]).
pub(crate) async fn one<E, C, T>(
    c: &C,
    query: sea_orm::Select<E>,
    lock: bool,
    convert: fn(E::Model) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    locked(query, lock)
        .one(c)
        .await
        .map_err(map_db_err)?
        .map(convert)
        .transpose()
}

/// Inserts `row`, or (`insert` false) updates the row with its primary key.
pub(crate) async fn save<A, C>(c: &C, row: A, insert: bool) -> Result<(), StoreError>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    C: ConnectionTrait,
{
    if insert {
        <A::Entity as EntityTrait>::insert(row)
            .exec_without_returning(c)
            .await
            .map_err(map_db_err)?;
    } else {
        <A::Entity as EntityTrait>::update(row)
            .exec(c)
            .await
            .map_err(map_db_err)?;
    }
    Ok(())
}

/// How many rows `query` matches, as a plain `SELECT COUNT(*) … WHERE …`. sea-orm's
/// paginator counts a subquery of every column instead, which SQLite materialises: for a
/// patient search matching 2,800 of 100,000 patients, 2.7 ms against 0.6 ms. For
/// single-table selects (no `DISTINCT`, `GROUP BY` or fanning joins), which every list is.
pub(crate) async fn count<E, C>(c: &C, query: &sea_orm::Select<E>) -> Result<u64, StoreError>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, Expr};
    let mut stmt = query.as_query().clone();
    stmt.clear_selects()
        .clear_order_by()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
    count_rows(c, &stmt).await
}

/// Runs `stmt`, a `SELECT COUNT(*) AS n …`, and reads `n`.
pub(crate) async fn count_rows<C: ConnectionTrait>(
    c: &C,
    stmt: &sea_orm::sea_query::SelectStatement,
) -> Result<u64, StoreError> {
    let n: i64 = c
        .query_one(stmt)
        .await
        .map_err(map_db_err)?
        .map(|r| r.try_get("", "n"))
        .transpose()
        .map_err(map_db_err)?
        .unwrap_or_default();
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Runs a filtered, ordered query for one page, with the total count of matches.
pub(crate) async fn fetch_page<E, C, T>(
    c: &C,
    query: sea_orm::Select<E>,
    page: domain::paging::PageRequest,
    convert: impl Fn(E::Model) -> Result<T, StoreError>,
) -> Result<domain::paging::Page<T>, StoreError>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect;
    let total = count(c, &query).await?;
    let rows = query
        .offset(page.offset())
        .limit(page.page_size())
        .all(c)
        .await
        .map_err(map_db_err)?;
    let items = rows.into_iter().map(convert).collect::<Result<_, _>>()?;
    Ok(domain::paging::Page::answer(page, items, total))
}

/// A row that carries the number of rows its query matched (`COUNT(*) OVER ()`).
struct Counted<M> {
    model: M,
    total: i64,
}

impl<M: sea_orm::FromQueryResult> sea_orm::FromQueryResult for Counted<M> {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            model: M::from_query_result(res, pre)?,
            total: res.try_get(pre, "page_total")?,
        })
    }
}

/// [`fetch_page`], in one query when the filter is `selective` (a search term, one
/// patient): each row of the page carries the total (`COUNT(*) OVER ()`), so the matches
/// are found once, not once to count and again to page. A page past the end has no row to
/// carry it and counts separately. Not for unfiltered lists: the window reads every match,
/// where `LIMIT` on an ordered index reads a page.
pub(crate) async fn fetch_page_as<E, C, T>(
    selective: bool,
    c: &C,
    query: sea_orm::Select<E>,
    page: domain::paging::PageRequest,
    convert: impl Fn(E::Model) -> Result<T, StoreError>,
) -> Result<domain::paging::Page<T>, StoreError>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    use sea_orm::sea_query::Expr;
    if !selective {
        return fetch_page(c, query, page, convert).await;
    }
    let rows: Vec<Counted<E::Model>> = query
        .clone()
        .expr_as(Expr::cust("COUNT(*) OVER ()"), "page_total")
        .offset(page.offset())
        .limit(page.page_size())
        .into_model()
        .all(c)
        .await
        .map_err(map_db_err)?;
    let total = match rows.first() {
        Some(r) => u64::try_from(r.total).unwrap_or_default(),
        None if page.offset() == 0 => 0,
        None => count(c, &query).await?,
    };
    let items = rows
        .into_iter()
        .map(|r| convert(r.model))
        .collect::<Result<_, _>>()?;
    Ok(domain::paging::Page::answer(page, items, total))
}
