//! `IdentityStore` on sea-orm.
//!
//! Layout: `store.rs` answers the reads on the pool, `tx.rs` the operations inside the
//! unit of work, `rows.rs` converts rows to domain values; queries both share live here.

mod rows;
mod store;
mod tx;

pub(crate) use rows::*;

use application::StoreError;
use application::UnitOfWork;
use application::identity::{
    IdentityOps, IdentityStore, SafeEmail, Session, UserFilter, UserRecord,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::identity::{
    Campus, CourseCode, EmailAddress, LicenseNumber, PasswordHash, PersonName, Phone, Role, UscId,
    User, VerificationCode, YearLevel,
};
use domain::paging::{Page, PageRequest};
use domain::{SafeEmailId, SessionId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::Database;
use crate::entities::{
    email_verifications, login_failures, password_resets, safe_emails, sessions, throttle_keys,
    users,
};
use crate::error::{corrupt, map_db_err};
use crate::query::{like_pattern, locked};
use crate::unit_of_work::SeaOrmUnitOfWork;

/// Identity data on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmIdentityStore {
    db: Database,
}

impl SeaOrmIdentityStore {
    /// Wraps a connected database, with the database's session cache.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Wraps a connected database, caching token lookups for `ttl` (see
    /// `session_cache`; zero turns the cache off). Same as
    /// `new(db.with_session_cache(ttl))`: only units of work begun from this store clear
    /// that cache, so a server sets the cache on its `Database` before making any store.
    pub fn with_session_cache(db: Database, ttl: std::time::Duration) -> Self {
        Self {
            db: db.with_session_cache(ttl),
        }
    }
}

pub(crate) async fn user_by_email<C: ConnectionTrait>(
    c: &C,
    email: &EmailAddress,
    lock: bool,
) -> Result<Option<UserRecord>, StoreError> {
    locked(
        users::Entity::find().filter(users::Column::Email.eq(email.as_str())),
        lock,
    )
    .one(c)
    .await
    .map_err(map_db_err)?
    .map(user_from_row)
    .transpose()
}

pub(crate) async fn user_by_id<C: ConnectionTrait>(
    c: &C,
    id: UserId,
    lock: bool,
) -> Result<Option<UserRecord>, StoreError> {
    locked(users::Entity::find_by_id(id.as_uuid()), lock)
        .one(c)
        .await
        .map_err(map_db_err)?
        .map(user_from_row)
        .transpose()
}
