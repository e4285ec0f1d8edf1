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
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = query.clone().count(c).await.map_err(map_db_err)?;
    let rows = query
        .offset(page.offset())
        .limit(page.page_size())
        .all(c)
        .await
        .map_err(map_db_err)?;
    Ok(domain::paging::Page {
        items: rows.into_iter().map(convert).collect::<Result<_, _>>()?,
        total,
        page: page.page(),
        page_size: page.page_size(),
    })
}
