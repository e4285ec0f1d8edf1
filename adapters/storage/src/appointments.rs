//! `AppointmentStore` on sea-orm.
//!
//! No double booking is enforced here three times over: the use case re-checks inside
//! the write transaction (which holds the provider's advisory lock on PostgreSQL and the one
//! writer lock on SQLite), and the schema refuses it on its own: exclusion constraints
//! over `tstzrange(start_at, block_end_at)` on PostgreSQL, `BEFORE INSERT/UPDATE`
//! triggers on SQLite, and a unique seat per session on both.

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
    OfferStatus, ScheduleException, Transition, WaitlistEntry, WaitlistStatus, WeeklyHours,
    WeeklyRange,
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
fn holding() -> impl Iterator<Item = &'static str> {
    AppointmentStatus::ALL
        .iter()
        .filter(|s| s.holds_time())
        .map(AppointmentStatus::as_str)
}
/// Range queries look back by the longest span a booking can hold (duration + buffer) on
/// the start index.
fn lookback() -> Duration {
    domain::appointment::slot::max_block()
}

// ---------- rows ----------

fn epoch(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| corrupt("appointment epoch", secs))
}

fn type_from(m: appointment_types::Model) -> Result<AppointmentType, StoreError> {
    let roles = m
        .provider_roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| r.parse::<Role>().map_err(|e| corrupt("provider_roles", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let small = |f: &str, v: i32| u16::try_from(v).map_err(|e| corrupt(f, e));
    Ok(AppointmentType {
        id: AppointmentTypeId::from_uuid(m.id),
        name: m.name,
        duration_minutes: small("duration_minutes", m.duration_minutes)?,
        buffer_minutes: small("buffer_minutes", m.buffer_minutes)?,
        provider_roles: roles,
        capacity: small("capacity", m.capacity)?,
        active: m.active,
        created_at: m.created_at,
    })
}

fn appointment_from(m: appointments::Model) -> Result<Appointment, StoreError> {
    let status =
        AppointmentStatus::parse(&m.status).map_err(|e| corrupt("appointment.status", e))?;
    let small = |f: &str, v: i32| u16::try_from(v).map_err(|e| corrupt(f, e));
    let shell = AppointmentType {
        id: AppointmentTypeId::from_uuid(m.appointment_type_id),
        name: String::new(),
        duration_minutes: 0,
        buffer_minutes: 0,
        provider_roles: Vec::new(),
        capacity: small("capacity", m.capacity)?,
        active: true,
        created_at: m.booked_at,
    };
    let mut a = Appointment::book(
        PatientId::from_uuid(m.patient_id),
        UserId::from_uuid(m.provider_id),
        &shell,
        m.start_at,
        small("seat", m.seat)?,
        m.forced,
        UserId::from_uuid(m.booked_by),
        m.booked_at,
    );
    a.id = AppointmentId::from_uuid(m.id);
    a.end = m.end_at;
    a.block_end = m.block_end_at;
    a.status_by = UserId::from_uuid(m.status_by);
    a.status_at = m.status_at;
    a.cancel_reason = m.cancel_reason;
    a.medical_record_id = m.medical_record_id.map(MedicalRecordId::from_uuid);
    a.dental_record_id = m.dental_record_id.map(DentalRecordId::from_uuid);
    a.reminder_sent_at = m.reminder_sent_at;
    a.revision = u32::try_from(m.revision).unwrap_or(0);
    Ok(a.restore(status))
}

fn appointment_row(a: &Appointment) -> appointments::ActiveModel {
    appointments::ActiveModel {
        id: Set(a.id.as_uuid()),
        patient_id: Set(a.patient_id.as_uuid()),
        provider_id: Set(a.provider_id.as_uuid()),
        appointment_type_id: Set(a.appointment_type_id.as_uuid()),
        start_at: Set(a.start),
        end_at: Set(a.end),
        block_end_at: Set(a.block_end),
        start_epoch: Set(a.start.timestamp()),
        end_epoch: Set(a.end.timestamp()),
        block_end_epoch: Set(a.block_end.timestamp()),
        capacity: Set(i32::from(a.capacity)),
        seat: Set(i32::from(a.seat)),
        status: Set(a.status().as_str().to_owned()),
        forced: Set(a.forced),
        booked_by: Set(a.booked_by.as_uuid()),
        booked_at: Set(a.booked_at),
        status_by: Set(a.status_by.as_uuid()),
        status_at: Set(a.status_at),
        cancel_reason: Set(a.cancel_reason.clone()),
        medical_record_id: Set(a.medical_record_id.map(|r| r.as_uuid())),
        dental_record_id: Set(a.dental_record_id.map(|r| r.as_uuid())),
        reminder_sent_at: Set(a.reminder_sent_at),
        revision: Set(i32::try_from(a.revision).unwrap_or(i32::MAX)),
    }
}

fn exception_from(m: schedule_exceptions::Model) -> Result<ScheduleException, StoreError> {
    Ok(ScheduleException {
        id: ExceptionId::from_uuid(m.id),
        provider_id: m.provider_id.map(UserId::from_uuid),
        kind: ExceptionKind::parse(&m.kind).map_err(|e| corrupt("exception.kind", e))?,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        reason: m.reason,
        created_by: UserId::from_uuid(m.created_by),
        created_at: m.created_at,
    })
}

fn weekly_json(h: &WeeklyHours) -> String {
    Value::Array(
        h.ranges()
            .iter()
            .map(|r| {
                json!({"weekday": r.weekday, "start": r.start.format("%H:%M").to_string(),
                       "end": r.end.format("%H:%M").to_string()})
            })
            .collect(),
    )
    .to_string()
}

fn weekly_from(raw: &str) -> Result<WeeklyHours, StoreError> {
    let v: Value = serde_json::from_str(raw).map_err(|e| corrupt("weekly", e))?;
    let ranges = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            WeeklyRange::parse(
                r.get("weekday").and_then(Value::as_i64).unwrap_or(0),
                r.get("start").and_then(Value::as_str).unwrap_or(""),
                r.get("end").and_then(Value::as_str).unwrap_or(""),
            )
            .map_err(|e| corrupt("weekly", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    WeeklyHours::new(ranges).map_err(|e| corrupt("weekly", e))
}

fn transition_from(m: appointment_transitions::Model) -> Result<Transition, StoreError> {
    let st = |s: &str| AppointmentStatus::parse(s).map_err(|e| corrupt("transition", e));
    Ok(Transition {
        appointment_id: AppointmentId::from_uuid(m.appointment_id),
        from: st(&m.from_status)?,
        to: st(&m.to_status)?,
        by: UserId::from_uuid(m.by_user),
        at: m.at,
        reason: m.reason,
        undo: m.undo,
    })
}

fn entry_from(m: waitlist_entries::Model) -> Result<WaitlistEntry, StoreError> {
    Ok(WaitlistEntry {
        id: WaitlistId::from_uuid(m.id),
        patient_id: PatientId::from_uuid(m.patient_id),
        appointment_type_id: AppointmentTypeId::from_uuid(m.appointment_type_id),
        provider_id: m.provider_id.map(UserId::from_uuid),
        from: m.from_date,
        until: m.until_date,
        status: WaitlistStatus::parse(&m.status).map_err(|e| corrupt("waitlist", e))?,
        created_by: UserId::from_uuid(m.created_by),
        created_at: m.created_at,
    })
}

fn offer_from(m: waitlist_offers::Model) -> Result<Offer, StoreError> {
    Ok(Offer {
        id: OfferId::from_uuid(m.id),
        entry_id: WaitlistId::from_uuid(m.entry_id),
        patient_id: PatientId::from_uuid(m.patient_id),
        provider_id: UserId::from_uuid(m.provider_id),
        appointment_type_id: AppointmentTypeId::from_uuid(m.appointment_type_id),
        start: m.start_at,
        end: m.end_at,
        block_end: m.block_end_at,
        expires_at: m.expires_at,
        status: OfferStatus::parse(&m.status).map_err(|e| corrupt("offer", e))?,
        created_at: m.created_at,
        decided_at: m.decided_at,
    })
}

fn offer_row(o: &Offer) -> waitlist_offers::ActiveModel {
    waitlist_offers::ActiveModel {
        id: Set(o.id.as_uuid()),
        entry_id: Set(o.entry_id.as_uuid()),
        patient_id: Set(o.patient_id.as_uuid()),
        provider_id: Set(o.provider_id.as_uuid()),
        appointment_type_id: Set(o.appointment_type_id.as_uuid()),
        start_at: Set(o.start),
        end_at: Set(o.end),
        block_end_at: Set(o.block_end),
        expires_at: Set(o.expires_at),
        status: Set(o.status.as_str().to_owned()),
        created_at: Set(o.created_at),
        decided_at: Set(o.decided_at),
    }
}

fn provider_from(m: users::Model) -> Result<Provider, StoreError> {
    Ok(Provider {
        user_id: UserId::from_uuid(m.id),
        role: m
            .role
            .parse::<Role>()
            .map_err(|e| corrupt("user.role", e))?,
        name: format!("{} {}", m.first_name, m.last_name),
        active: m.is_active,
    })
}

// ---------- shared queries (pool or transaction) ----------

/// Clinic-wide exceptions and those of `providers` overlapping `[from, to)`, by start.
async fn exceptions_on<C: ConnectionTrait>(
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
async fn availability_on<C: ConnectionTrait>(
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
async fn booked_on<C: ConnectionTrait>(
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
fn unpack(packed: Vec<(Uuid, String)>) -> Result<Vec<(Uuid, Uuid, i64, i64)>, StoreError> {
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

async fn recipients_on<C: ConnectionTrait>(
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

// ---------- reads ----------

#[async_trait]
impl AppointmentStore for SeaOrmAppointmentStore {
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        self.db.begin_unit().await
    }

    async fn types(&self, include_inactive: bool) -> Result<Vec<AppointmentType>, StoreError> {
        let mut q = appointment_types::Entity::find().order_by_asc(appointment_types::Column::Name);
        if !include_inactive {
            q = q.filter(appointment_types::Column::Active.eq(true));
        }
        q.all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(type_from)
            .collect()
    }

    async fn appointment_type(
        &self,
        id: AppointmentTypeId,
    ) -> Result<Option<AppointmentType>, StoreError> {
        one(
            self.db.connection(),
            appointment_types::Entity::find_by_id(id.as_uuid()),
            false,
            type_from,
        )
        .await
    }

    async fn provider(&self, user: UserId) -> Result<Option<Provider>, StoreError> {
        one(
            self.db.connection(),
            users::Entity::find_by_id(user.as_uuid()),
            false,
            provider_from,
        )
        .await
    }

    async fn providers(&self, roles: &[Role]) -> Result<Vec<Provider>, StoreError> {
        users::Entity::find()
            .filter(users::Column::Role.is_in(roles.iter().map(Role::as_str)))
            .filter(users::Column::IsActive.eq(true))
            .order_by_asc(users::Column::Id)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(provider_from)
            .collect()
    }

    async fn weekly_hours(&self, provider: UserId) -> Result<Option<WeeklyHours>, StoreError> {
        provider_schedules::Entity::find_by_id(provider.as_uuid())
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .map(|m| weekly_from(&m.weekly))
            .transpose()
    }

    async fn exceptions(
        &self,
        provider: Option<UserId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ScheduleException>, StoreError> {
        exceptions_on(self.db.connection(), provider.as_slice(), from, to).await
    }

    async fn availability(
        &self,
        providers: &[UserId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<UserId, (WeeklyHours, Vec<ScheduleException>)>, StoreError> {
        availability_on(self.db.connection(), providers, from, to).await
    }

    async fn booked(
        &self,
        providers: &[UserId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<UserId, Vec<Booked>>, StoreError> {
        let ids: Vec<Uuid> = providers.iter().map(UserId::as_uuid).collect();
        booked_on(self.db.connection(), &ids, from, to, None, None).await
    }

    async fn appointment(&self, id: AppointmentId) -> Result<Option<Appointment>, StoreError> {
        one(
            self.db.connection(),
            appointments::Entity::find_by_id(id.as_uuid()),
            false,
            appointment_from,
        )
        .await
    }

    async fn appointments(
        &self,
        f: &AppointmentFilter,
        page: PageRequest,
    ) -> Result<Page<Appointment>, StoreError> {
        let mut q = appointments::Entity::find();
        if let Some(p) = f.patient_id {
            q = q.filter(appointments::Column::PatientId.eq(p.as_uuid()));
        }
        if let Some(p) = f.provider_id {
            q = q.filter(appointments::Column::ProviderId.eq(p.as_uuid()));
        }
        if let Some(s) = f.status {
            q = q.filter(appointments::Column::Status.eq(s.as_str()));
        }
        if let Some(t) = f.from {
            q = q.filter(appointments::Column::StartAt.gte(t));
        }
        if let Some(t) = f.to {
            q = q.filter(appointments::Column::StartAt.lt(t));
        }
        crate::query::fetch_page(
            self.db.connection(),
            q.order_by_asc(appointments::Column::StartAt)
                .order_by_asc(appointments::Column::Id),
            page,
            appointment_from,
        )
        .await
    }

    async fn transitions(&self, id: AppointmentId) -> Result<Vec<Transition>, StoreError> {
        appointment_transitions::Entity::find()
            .filter(appointment_transitions::Column::AppointmentId.eq(id.as_uuid()))
            .order_by_asc(appointment_transitions::Column::At)
            .order_by_asc(appointment_transitions::Column::Id)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(transition_from)
            .collect()
    }

    async fn status_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(AppointmentStatus, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = appointments::Entity::find()
            .select_only()
            .column(appointments::Column::Status)
            .column_as(appointments::Column::Id.count(), "n")
            .filter(appointments::Column::StartAt.gte(from))
            .filter(appointments::Column::StartAt.lt(to))
            .group_by(appointments::Column::Status)
            .into_tuple()
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?;
        let mut out: Vec<(AppointmentStatus, u64)> =
            AppointmentStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for (s, n) in rows {
            let st = AppointmentStatus::parse(&s).map_err(|e| corrupt("status", e))?;
            if let Some(slot) = out.iter_mut().find(|(x, _)| *x == st) {
                slot.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(out)
    }

    async fn labels(
        &self,
        patients: Vec<PatientId>,
        users: Vec<UserId>,
    ) -> Result<Labels, StoreError> {
        let c = self.db.connection();
        let mut out = Labels::default();
        for chunk in patients.chunks(500) {
            let rows: Vec<(Uuid, String, String)> = patients::Entity::find()
                .select_only()
                .columns([
                    patients::Column::Id,
                    patients::Column::FirstName,
                    patients::Column::LastName,
                ])
                .filter(patients::Column::Id.is_in(chunk.iter().map(|p| p.as_uuid())))
                .into_tuple()
                .all(c)
                .await
                .map_err(map_db_err)?;
            for (id, f, l) in rows {
                out.patients
                    .insert(PatientId::from_uuid(id), format!("{f} {l}"));
            }
        }
        for chunk in users.chunks(500) {
            let rows: Vec<(Uuid, String, String)> = users::Entity::find()
                .select_only()
                .columns([
                    users::Column::Id,
                    users::Column::FirstName,
                    users::Column::LastName,
                ])
                .filter(users::Column::Id.is_in(chunk.iter().map(|u| u.as_uuid())))
                .into_tuple()
                .all(c)
                .await
                .map_err(map_db_err)?;
            for (id, f, l) in rows {
                out.users.insert(UserId::from_uuid(id), format!("{f} {l}"));
            }
        }
        Ok(out)
    }

    async fn waitlist(
        &self,
        patient: Option<PatientId>,
        page: PageRequest,
    ) -> Result<Page<WaitlistEntry>, StoreError> {
        let mut q = waitlist_entries::Entity::find();
        if let Some(p) = patient {
            q = q.filter(waitlist_entries::Column::PatientId.eq(p.as_uuid()));
        }
        crate::query::fetch_page(
            self.db.connection(),
            q.order_by_asc(waitlist_entries::Column::CreatedAt)
                .order_by_asc(waitlist_entries::Column::Id),
            page,
            entry_from,
        )
        .await
    }

    async fn waiting_entries(&self, limit: u64) -> Result<Vec<WaitlistEntry>, StoreError> {
        let c = self.db.connection();
        let open: Vec<Uuid> = waitlist_offers::Entity::find()
            .select_only()
            .column(waitlist_offers::Column::EntryId)
            .filter(waitlist_offers::Column::Status.eq(OfferStatus::Open.as_str()))
            .into_tuple()
            .all(c)
            .await
            .map_err(map_db_err)?;
        let mut q = waitlist_entries::Entity::find()
            .filter(waitlist_entries::Column::Status.eq(WaitlistStatus::Waiting.as_str()));
        if !open.is_empty() {
            q = q.filter(waitlist_entries::Column::Id.is_not_in(open));
        }
        q.order_by_asc(waitlist_entries::Column::CreatedAt)
            .order_by_asc(waitlist_entries::Column::Id)
            .limit(limit)
            .all(c)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(entry_from)
            .collect()
    }

    async fn offers(
        &self,
        patient: Option<PatientId>,
        open_only: bool,
    ) -> Result<Vec<Offer>, StoreError> {
        let mut q = waitlist_offers::Entity::find();
        if let Some(p) = patient {
            q = q.filter(waitlist_offers::Column::PatientId.eq(p.as_uuid()));
        }
        if open_only {
            q = q.filter(waitlist_offers::Column::Status.eq(OfferStatus::Open.as_str()));
        }
        q.order_by_desc(waitlist_offers::Column::CreatedAt)
            .limit(500)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(offer_from)
            .collect()
    }

    async fn offered_starts(
        &self,
        entry: WaitlistId,
    ) -> Result<Vec<(UserId, DateTime<Utc>)>, StoreError> {
        let rows: Vec<(Uuid, DateTime<Utc>)> = waitlist_offers::Entity::find()
            .select_only()
            .columns([
                waitlist_offers::Column::ProviderId,
                waitlist_offers::Column::StartAt,
            ])
            .filter(waitlist_offers::Column::EntryId.eq(entry.as_uuid()))
            .into_tuple()
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?;
        Ok(rows
            .into_iter()
            .map(|(p, s)| (UserId::from_uuid(p), s))
            .collect())
    }

    async fn recipient(&self, patient: PatientId) -> Result<Option<Recipient>, StoreError> {
        Ok(recipients_on(self.db.connection(), vec![patient])
            .await?
            .remove(&patient))
    }

    async fn idempotent(
        &self,
        user: UserId,
        key: &str,
    ) -> Result<Option<(String, AppointmentId)>, StoreError> {
        Ok(
            idempotency_keys::Entity::find_by_id((user.as_uuid(), key.to_owned()))
                .one(self.db.connection())
                .await
                .map_err(map_db_err)?
                .map(|m| (m.request_hash, AppointmentId::from_uuid(m.appointment_id))),
        )
    }

    async fn entry(&self, id: WaitlistId) -> Result<Option<WaitlistEntry>, StoreError> {
        one(
            self.db.connection(),
            waitlist_entries::Entity::find_by_id(id.as_uuid()),
            false,
            entry_from,
        )
        .await
    }

    async fn offer(&self, id: OfferId) -> Result<Option<Offer>, StoreError> {
        one(
            self.db.connection(),
            waitlist_offers::Entity::find_by_id(id.as_uuid()),
            false,
            offer_from,
        )
        .await
    }

    async fn feed_owner(&self, token_hash: &str) -> Result<Option<UserId>, StoreError> {
        Ok(calendar_feeds::Entity::find()
            .filter(calendar_feeds::Column::TokenHash.eq(token_hash))
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .map(|m| UserId::from_uuid(m.user_id)))
    }
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
impl AppointmentOps for SeaOrmUnitOfWork {
    async fn lock_provider(&mut self, provider: UserId) -> Result<(), StoreError> {
        // The clinic's key shared (so a clinic-wide closure, which takes it exclusively,
        // waits for bookings in flight and they for it), then the provider's exclusive.
        // Two providers whose keys collide only wait for each other; the exclusion
        // constraints stay the guarantee.
        let (hi, lo) = provider.as_uuid().as_u64_pair();
        let key = i64::from_ne_bytes((hi ^ lo).to_ne_bytes());
        self.advisory(
            "SELECT pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock($2)",
            [CLINIC_LOCK, key],
        )
        .await
    }

    async fn lock_clinic(&mut self) -> Result<(), StoreError> {
        self.advisory("SELECT pg_advisory_xact_lock($1)", [CLINIC_LOCK])
            .await
    }

    async fn hours(
        &mut self,
        provider: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(WeeklyHours, Vec<ScheduleException>), StoreError> {
        Ok(availability_on(&self.tx, &[provider], from, to)
            .await?
            .remove(&provider)
            .unwrap_or_default())
    }

    async fn insert_type(&mut self, t: &AppointmentType) -> Result<(), StoreError> {
        let roles: Vec<&str> = t.provider_roles.iter().map(Role::as_str).collect();
        save(
            &self.tx,
            appointment_types::ActiveModel {
                id: Set(t.id.as_uuid()),
                name: Set(t.name.clone()),
                duration_minutes: Set(i32::from(t.duration_minutes)),
                buffer_minutes: Set(i32::from(t.buffer_minutes)),
                provider_roles: Set(roles.join(",")),
                capacity: Set(i32::from(t.capacity)),
                active: Set(t.active),
                created_at: Set(t.created_at),
            },
            true,
        )
        .await
    }

    async fn set_weekly_hours(
        &mut self,
        provider: UserId,
        hours: &WeeklyHours,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        provider_schedules::Entity::insert(provider_schedules::ActiveModel {
            provider_id: Set(provider.as_uuid()),
            weekly: Set(weekly_json(hours)),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(provider_schedules::Column::ProviderId)
                .update_columns([
                    provider_schedules::Column::Weekly,
                    provider_schedules::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.tx)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_exception(&mut self, e: &ScheduleException) -> Result<(), StoreError> {
        save(
            &self.tx,
            schedule_exceptions::ActiveModel {
                id: Set(e.id.as_uuid()),
                provider_id: Set(e.provider_id.map(|p| p.as_uuid())),
                kind: Set(e.kind.as_str().to_owned()),
                starts_at: Set(e.starts_at),
                ends_at: Set(e.ends_at),
                reason: Set(e.reason.clone()),
                created_by: Set(e.created_by.as_uuid()),
                created_at: Set(e.created_at),
            },
            true,
        )
        .await
    }

    async fn booked(
        &mut self,
        provider: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip_appointment: Option<AppointmentId>,
        skip_offer: Option<OfferId>,
    ) -> Result<Vec<Booked>, StoreError> {
        Ok(booked_on(
            &self.tx,
            &[provider.as_uuid()],
            from,
            to,
            skip_appointment,
            skip_offer,
        )
        .await?
        .remove(&provider)
        .unwrap_or_default())
    }

    async fn patient_spans(
        &mut self,
        patient: PatientId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip: Option<AppointmentId>,
    ) -> Result<Vec<Interval>, StoreError> {
        let mut q = appointments::Entity::find()
            .select_only()
            .columns([
                appointments::Column::StartEpoch,
                appointments::Column::EndEpoch,
            ])
            .filter(appointments::Column::PatientId.eq(patient.as_uuid()))
            .filter(appointments::Column::StartEpoch.gt((from - lookback()).timestamp()))
            .filter(appointments::Column::StartEpoch.lt(to.timestamp()))
            .filter(appointments::Column::Status.is_in(holding()));
        if let Some(id) = skip {
            q = q.filter(appointments::Column::Id.ne(id.as_uuid()));
        }
        let rows: Vec<(i64, i64)> = q.into_tuple().all(&self.tx).await.map_err(map_db_err)?;
        rows.into_iter()
            .map(|(s, e)| {
                Ok(Interval {
                    start: epoch(s)?,
                    end: epoch(e)?,
                })
            })
            .collect()
    }

    async fn taken_seats(
        &mut self,
        provider: UserId,
        start: DateTime<Utc>,
    ) -> Result<Vec<u16>, StoreError> {
        let rows: Vec<i32> = appointments::Entity::find()
            .select_only()
            .column(appointments::Column::Seat)
            .filter(appointments::Column::ProviderId.eq(provider.as_uuid()))
            .filter(appointments::Column::StartEpoch.eq(start.timestamp()))
            .filter(appointments::Column::Status.is_in(holding()))
            .into_tuple()
            .all(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(rows
            .into_iter()
            .filter_map(|s| u16::try_from(s).ok())
            .collect())
    }

    async fn appointment(&mut self, id: AppointmentId) -> Result<Option<Appointment>, StoreError> {
        one(
            &self.tx,
            appointments::Entity::find_by_id(id.as_uuid()),
            true,
            appointment_from,
        )
        .await
    }

    async fn insert_appointment(&mut self, a: &Appointment) -> Result<(), StoreError> {
        save(&self.tx, appointment_row(a), true).await
    }

    async fn update_appointment(&mut self, a: &Appointment) -> Result<(), StoreError> {
        save(&self.tx, appointment_row(a), false).await
    }

    async fn insert_transition(&mut self, t: &Transition) -> Result<(), StoreError> {
        save(
            &self.tx,
            appointment_transitions::ActiveModel {
                id: Set(Uuid::now_v7()),
                appointment_id: Set(t.appointment_id.as_uuid()),
                from_status: Set(t.from.as_str().to_owned()),
                to_status: Set(t.to.as_str().to_owned()),
                by_user: Set(t.by.as_uuid()),
                at: Set(t.at),
                reason: Set(t.reason.clone()),
                undo: Set(t.undo),
            },
            true,
        )
        .await
    }

    async fn last_transition(
        &mut self,
        id: AppointmentId,
    ) -> Result<Option<Transition>, StoreError> {
        one(
            &self.tx,
            appointment_transitions::Entity::find()
                .filter(appointment_transitions::Column::AppointmentId.eq(id.as_uuid()))
                .order_by_desc(appointment_transitions::Column::At)
                .order_by_desc(appointment_transitions::Column::Id),
            false,
            transition_from,
        )
        .await
    }

    async fn affected(
        &mut self,
        provider: Option<UserId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        let mut q = appointments::Entity::find()
            .filter(appointments::Column::Status.is_in([
                AppointmentStatus::Scheduled.as_str(),
                AppointmentStatus::CheckedIn.as_str(),
            ]))
            .filter(appointments::Column::StartAt.lt(to))
            .filter(appointments::Column::EndAt.gt(from))
            .filter(appointments::Column::StartEpoch.gt((from - lookback()).timestamp()));
        if let Some(p) = provider {
            q = q.filter(appointments::Column::ProviderId.eq(p.as_uuid()));
        }
        q.order_by_asc(appointments::Column::StartAt)
            .all(&self.tx)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(appointment_from)
            .collect()
    }

    async fn insert_idempotency(
        &mut self,
        user: UserId,
        key: &str,
        hash: &str,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        save(
            &self.tx,
            idempotency_keys::ActiveModel {
                user_id: Set(user.as_uuid()),
                idem_key: Set(key.to_owned()),
                request_hash: Set(hash.to_owned()),
                appointment_id: Set(id.as_uuid()),
                created_at: Set(now),
            },
            true,
        )
        .await
    }

    async fn insert_entry(&mut self, e: &WaitlistEntry) -> Result<(), StoreError> {
        save(
            &self.tx,
            waitlist_entries::ActiveModel {
                id: Set(e.id.as_uuid()),
                patient_id: Set(e.patient_id.as_uuid()),
                appointment_type_id: Set(e.appointment_type_id.as_uuid()),
                provider_id: Set(e.provider_id.map(|p| p.as_uuid())),
                from_date: Set(e.from),
                until_date: Set(e.until),
                status: Set(e.status.as_str().to_owned()),
                created_by: Set(e.created_by.as_uuid()),
                created_at: Set(e.created_at),
            },
            true,
        )
        .await
    }

    async fn entry(&mut self, id: WaitlistId) -> Result<Option<WaitlistEntry>, StoreError> {
        one(
            &self.tx,
            waitlist_entries::Entity::find_by_id(id.as_uuid()),
            true,
            entry_from,
        )
        .await
    }

    async fn update_entry(&mut self, e: &WaitlistEntry) -> Result<(), StoreError> {
        waitlist_entries::Entity::update_many()
            .col_expr(
                waitlist_entries::Column::Status,
                Expr::value(e.status.as_str()),
            )
            .filter(waitlist_entries::Column::Id.eq(e.id.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_offer(&mut self, o: &Offer) -> Result<(), StoreError> {
        save(&self.tx, offer_row(o), true).await
    }

    async fn offer(&mut self, id: OfferId) -> Result<Option<Offer>, StoreError> {
        one(
            &self.tx,
            waitlist_offers::Entity::find_by_id(id.as_uuid()),
            true,
            offer_from,
        )
        .await
    }

    async fn update_offer(&mut self, o: &Offer) -> Result<(), StoreError> {
        save(&self.tx, offer_row(o), false).await
    }

    async fn lapsed_offers(&mut self, now: DateTime<Utc>) -> Result<Vec<Offer>, StoreError> {
        locked(
            waitlist_offers::Entity::find()
                .filter(waitlist_offers::Column::Status.eq(OfferStatus::Open.as_str()))
                .filter(waitlist_offers::Column::ExpiresAt.lte(now))
                .limit(500),
            true,
        )
        .all(&self.tx)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .map(offer_from)
        .collect()
    }

    async fn due_reminders(
        &mut self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Appointment>, StoreError> {
        appointments::Entity::find()
            .filter(appointments::Column::Status.eq(AppointmentStatus::Scheduled.as_str()))
            .filter(appointments::Column::ReminderSentAt.is_null())
            .filter(appointments::Column::StartAt.gt(now))
            .filter(appointments::Column::StartAt.lte(until))
            .order_by_asc(appointments::Column::StartAt)
            .limit(limit)
            .all(&self.tx)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(appointment_from)
            .collect()
    }

    async fn mark_reminded(
        &mut self,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = appointments::Entity::update_many()
            .col_expr(appointments::Column::ReminderSentAt, Expr::value(now))
            .filter(appointments::Column::Id.eq(id.as_uuid()))
            .filter(appointments::Column::ReminderSentAt.is_null())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(r.rows_affected == 1)
    }

    async fn set_feed(
        &mut self,
        user: UserId,
        token_hash: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        calendar_feeds::Entity::delete_many()
            .filter(calendar_feeds::Column::UserId.eq(user.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        if let Some(hash) = token_hash {
            save(
                &self.tx,
                calendar_feeds::ActiveModel {
                    user_id: Set(user.as_uuid()),
                    token_hash: Set(hash),
                    created_at: Set(now),
                },
                true,
            )
            .await?;
        }
        Ok(())
    }

    async fn recipients(
        &mut self,
        patients: Vec<PatientId>,
    ) -> Result<HashMap<PatientId, Recipient>, StoreError> {
        recipients_on(&self.tx, patients).await
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
        let tx = self.db.begin_write().await?;
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
            self.db.connection().get_database_backend(),
            self.db.session_cache().clone(),
        );
        for t in &types {
            unit.insert_type(t).await?;
        }
        unit.tx.commit().await.map_err(map_db_err)
    }

    async fn load_appointments(&self, batch: Vec<Appointment>) -> Result<(), StoreError> {
        let tx = self.db.begin_write().await?;
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
