//! `AppointmentStore` on sea-orm.
//!
//! No double booking is enforced here three times over: the use case re-checks inside
//! the write transaction (which holds the provider's advisory lock on PostgreSQL and the one
//! writer lock on SQLite), and the schema refuses it on its own: exclusion constraints
//! over `tstzrange(start_at, block_end_at)` on PostgreSQL, `BEFORE INSERT/UPDATE`
//! triggers on SQLite, and a unique seat per session on both.
//!
//! Layout: `store.rs` answers the reads on the pool, `tx.rs` the operations inside the
//! unit of work, `rows.rs` converts rows to domain values; queries both share live here.

mod rows;
mod store;
mod tx;

pub(crate) use rows::*;

use std::collections::HashMap;

use application::StoreError;
use application::UnitOfWork;
use application::appointment::{
    AppointmentFilter, AppointmentOps, AppointmentStore, Labels, Provider, Recipient,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::appointment::{
    Appointment, AppointmentStatus, AppointmentType, Booked, ExceptionKind, Interval, Offer,
    OfferStatus, ScheduleException, Transition, TransitionKind, WaitlistEntry, WaitlistStatus,
    WeeklyHours, WeeklyRange,
};
use domain::identity::{EmailAddress, Role};
use domain::paging::{Page, PageRequest};
use domain::{
    AppointmentId, AppointmentTypeId, DentalRecordId, ExceptionId, MedicalRecordId, OfferId,
    PatientId, UserId, WaitlistId,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Database;
use crate::unit_of_work::SeaOrmUnitOfWork;

use crate::entities::{
    appointment_transitions, appointment_types, appointments, calendar_feeds, idempotency_keys,
    patients, provider_schedules, schedule_exceptions, users, waitlist_entries, waitlist_offers,
};
use crate::error::{corrupt, map_db_err};
use crate::query::{locked, one, save};

/// Appointments on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmAppointmentStore {
    db: Database,
}

impl SeaOrmAppointmentStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// The statuses that hold a provider's time, as the domain defines them (the migration's
/// constraints and triggers spell out the same list, frozen with the schema).
pub(crate) fn holding() -> impl Iterator<Item = &'static str> {
    AppointmentStatus::ALL
        .iter()
        .filter(|s| s.holds_time())
        .map(AppointmentStatus::as_str)
}

/// Range queries look back by the longest span a booking can hold (duration + buffer) on
/// the start index.
pub(crate) fn lookback() -> Duration {
    domain::appointment::slot::max_block()
}

// ---------- rows ----------

pub(crate) fn epoch(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| corrupt("appointment epoch", secs))
}

// ---------- shared queries (pool or transaction) ----------

/// Clinic-wide exceptions and those of `providers` overlapping `[from, to)`, by start.
pub(crate) async fn exceptions_on<C: ConnectionTrait>(
    c: &C,
    providers: &[UserId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ScheduleException>, StoreError> {
    let mut whose = Condition::any().add(schedule_exceptions::Column::ProviderId.is_null());
    if !providers.is_empty() {
        whose = whose.add(
            schedule_exceptions::Column::ProviderId.is_in(providers.iter().map(UserId::as_uuid)),
        );
    }
    schedule_exceptions::Entity::find()
        .filter(whose)
        .filter(schedule_exceptions::Column::StartsAt.lt(to))
        .filter(schedule_exceptions::Column::EndsAt.gt(from))
        .order_by_asc(schedule_exceptions::Column::StartsAt)
        .all(c)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .map(exception_from)
        .collect()
}

/// Weekly hours (empty when never set) and exceptions (clinic-wide ones included)
/// overlapping `[from, to)` of several providers, in two queries.
pub(crate) async fn availability_on<C: ConnectionTrait>(
    c: &C,
    providers: &[UserId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<UserId, (WeeklyHours, Vec<ScheduleException>)>, StoreError> {
    let mut out: HashMap<UserId, (WeeklyHours, Vec<ScheduleException>)> = providers
        .iter()
        .map(|p| (*p, (WeeklyHours::default(), Vec::new())))
        .collect();
    for m in provider_schedules::Entity::find()
        .filter(provider_schedules::Column::ProviderId.is_in(providers.iter().map(UserId::as_uuid)))
        .all(c)
        .await
        .map_err(map_db_err)?
    {
        if let Some(entry) = out.get_mut(&UserId::from_uuid(m.provider_id)) {
            entry.0 = weekly_from(&m.weekly)?;
        }
    }
    for e in exceptions_on(c, providers, from, to).await? {
        match e.provider_id {
            None => out.values_mut().for_each(|v| v.1.push(e.clone())),
            Some(p) => {
                if let Some(v) = out.get_mut(&p) {
                    v.1.push(e);
                }
            }
        }
    }
    Ok(out)
}

/// Appointments holding the provider's time around `[from, to)` plus open offers.
pub(crate) async fn booked_on<C: ConnectionTrait>(
    c: &C,
    providers: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    skip: Option<AppointmentId>,
    skip_offer: Option<OfferId>,
) -> Result<HashMap<UserId, Vec<Booked>>, StoreError> {
    // Epoch seconds, not the timestamp columns: SQLite stores those as text, and parsing
    // thousands of them was most of a slot search's time.
    let mut q = appointments::Entity::find()
        .filter(appointments::Column::ProviderId.is_in(providers.iter().copied()))
        .filter(appointments::Column::StartEpoch.gt((from - lookback()).timestamp()))
        .filter(appointments::Column::StartEpoch.lt(to.timestamp()))
        .filter(appointments::Column::BlockEndEpoch.gt(from.timestamp()))
        .filter(appointments::Column::Status.is_in(holding()));
    if let Some(id) = skip {
        q = q.filter(appointments::Column::Id.ne(id.as_uuid()));
    }
    // A slot search over thirty providers reads thousands of bookings. Decoding them one
    // row at a time (sqlx hands SQLite rows over from a worker thread; sea-orm decodes
    // each PostgreSQL column by itself) was most of the search's time, so the database
    // packs them into one text row per provider and `unpack` splits it.
    let packed = match c.get_database_backend() {
        DbBackend::Postgres => {
            "string_agg(appointment_type_id::text || ':' || start_epoch || ':' || block_end_epoch, ',')"
        }
        _ => {
            "group_concat(hex(appointment_type_id) || ':' || start_epoch || ':' || block_end_epoch, ',')"
        }
    };
    let packed: Vec<(Uuid, String)> = q
        .select_only()
        .column(appointments::Column::ProviderId)
        .column_as(Expr::cust(packed), "packed")
        .group_by(appointments::Column::ProviderId)
        .into_tuple()
        .all(c)
        .await
        .map_err(map_db_err)?;
    let rows = unpack(packed)?;
    let mut oq = waitlist_offers::Entity::find()
        .filter(waitlist_offers::Column::ProviderId.is_in(providers.iter().copied()))
        .filter(waitlist_offers::Column::Status.eq(OfferStatus::Open.as_str()))
        .filter(waitlist_offers::Column::StartAt.lt(to))
        .filter(waitlist_offers::Column::BlockEndAt.gt(from));
    if let Some(id) = skip_offer {
        oq = oq.filter(waitlist_offers::Column::Id.ne(id.as_uuid()));
    }
    let offers = oq.all(c).await.map_err(map_db_err)?;
    let mut out: HashMap<UserId, Vec<Booked>> = HashMap::new();
    for (p, t, s, e) in rows {
        out.entry(UserId::from_uuid(p)).or_default().push(Booked {
            appointment_type_id: AppointmentTypeId::from_uuid(t),
            start: epoch(s)?,
            block_end: epoch(e)?,
            seats: 1,
        });
    }
    for o in offers {
        out.entry(UserId::from_uuid(o.provider_id))
            .or_default()
            .push(Booked {
                appointment_type_id: AppointmentTypeId::from_uuid(o.appointment_type_id),
                start: o.start_at,
                block_end: o.block_end_at,
                seats: 1,
            });
    }
    for list in out.values_mut() {
        list.sort_by_key(|b| b.start);
    }
    Ok(out)
}

/// id, account, first name, last name, patient email, account email.
type RecipientRow = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// `(provider, "TYPE:start:end,…")` rows (TYPE in hex on SQLite, hyphenated on PostgreSQL)
/// back into one tuple per booking.
pub(crate) fn unpack(
    packed: Vec<(Uuid, String)>,
) -> Result<Vec<(Uuid, Uuid, i64, i64)>, StoreError> {
    let mut out = Vec::new();
    for (provider, list) in packed {
        for item in list.split(',').filter(|i| !i.is_empty()) {
            let mut parts = item.split(':');
            let (Some(t), Some(s), Some(e)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(corrupt("packed booking", item));
            };
            out.push((
                provider,
                Uuid::parse_str(t).map_err(|err| corrupt("packed booking", err))?,
                s.parse().map_err(|err| corrupt("packed booking", err))?,
                e.parse().map_err(|err| corrupt("packed booking", err))?,
            ));
        }
    }
    Ok(out)
}

pub(crate) async fn recipients_on<C: ConnectionTrait>(
    c: &C,
    ids: Vec<PatientId>,
) -> Result<HashMap<PatientId, Recipient>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<RecipientRow> = patients::Entity::find()
            .select_only()
            .column(patients::Column::Id)
            .column(patients::Column::UserId)
            .column(patients::Column::FirstName)
            .column(patients::Column::LastName)
            .column(patients::Column::Email)
            .column_as(
                Expr::col((users::Entity, users::Column::Email)),
                "account_email",
            )
            .join_rev(
                sea_orm::JoinType::LeftJoin,
                users::Entity::belongs_to(patients::Entity)
                    .from(users::Column::Id)
                    .to(patients::Column::UserId)
                    .into(),
            )
            .filter(patients::Column::Id.is_in(chunk.iter().map(|p| p.as_uuid())))
            .into_tuple()
            .all(c)
            .await
            .map_err(map_db_err)?;
        for (id, user, first, last, email, account) in rows {
            let email = email
                .or(account)
                .map(|e| EmailAddress::parse(&e).map_err(|err| corrupt("email", err)))
                .transpose()?;
            let pid = PatientId::from_uuid(id);
            out.insert(
                pid,
                Recipient {
                    patient_id: pid,
                    user_id: user.map(UserId::from_uuid),
                    full_name: format!("{first} {last}"),
                    first_name: first,
                    email,
                },
            );
        }
    }
    Ok(out)
}

// ---------- writes ----------

/// The advisory-lock key of the whole clinic (bookings hold it shared, clinic-wide
/// closures exclusively); provider keys are hashes of their ids.
const CLINIC_LOCK: i64 = 0x5553_435f_5049_5301; // "USC_PIS\x01"

impl SeaOrmUnitOfWork {
    /// Takes transaction-scoped advisory locks on PostgreSQL (one statement, nothing
    /// written, released at commit or rollback); SQLite's IMMEDIATE transaction already
    /// holds the one writer lock.
    async fn advisory<const N: usize>(&self, sql: &str, keys: [i64; N]) -> Result<(), StoreError> {
        if self.backend != DbBackend::Postgres {
            return Ok(());
        }
        self.tx
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                keys.map(sea_orm::Value::from),
            ))
            .await
            .map_err(map_db_err)?;
        Ok(())
    }
}

#[async_trait]
impl application::appointment::seed::AppointmentBulkLoader for SeaOrmAppointmentStore {
    async fn patient_ids(&self, limit: u64) -> Result<Vec<PatientId>, StoreError> {
        let ids: Vec<Uuid> = patients::Entity::find()
            .select_only()
            .column(patients::Column::Id)
            .order_by_asc(patients::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(PatientId::from_uuid).collect())
    }

    async fn load_setup(
        &self,
        providers: Vec<(application::appointment::seed::SeedProvider, WeeklyHours)>,
        types: Vec<AppointmentType>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (turn, tx) = self.db.begin_write().await?;
        for (p, hours) in &providers {
            save(
                &tx,
                users::ActiveModel {
                    id: Set(p.user_id.as_uuid()),
                    email: Set(p.email.clone()),
                    // Not a valid PHC string: nobody can log in as a seeded provider.
                    password_hash: Set("!seeded".into()),
                    role: Set(p.role.as_str().to_owned()),
                    first_name: Set(p.first_name.clone()),
                    last_name: Set(p.last_name.clone()),
                    middle_name: Set(None),
                    usc_id: Set(None),
                    course: Set(None),
                    year_level: Set(None),
                    campus: Set(None),
                    phone: Set(None),
                    department: Set(None),
                    license_number: Set(None),
                    is_active: Set(true),
                    is_verified: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                },
                true,
            )
            .await?;
            save(
                &tx,
                provider_schedules::ActiveModel {
                    provider_id: Set(p.user_id.as_uuid()),
                    weekly: Set(weekly_json(hours)),
                    updated_at: Set(now),
                },
                true,
            )
            .await?;
        }
        let mut unit = SeaOrmUnitOfWork::new(
            tx,
            turn,
            self.db.connection().get_database_backend(),
            self.db.session_cache().clone(),
        );
        for t in &types {
            unit.insert_type(t).await?;
        }
        unit.tx.commit().await.map_err(map_db_err)
    }

    async fn load_appointments(&self, batch: Vec<Appointment>) -> Result<(), StoreError> {
        let (_turn, tx) = self.db.begin_write().await?;
        // 23 columns × 1,000 rows stays under SQLite's 32,766 bound parameters.
        for chunk in batch.chunks(1000) {
            appointments::Entity::insert_many(chunk.iter().map(appointment_row))
                .exec_without_returning(&tx)
                .await
                .map_err(map_db_err)?;
        }
        tx.commit().await.map_err(map_db_err)
    }
}
