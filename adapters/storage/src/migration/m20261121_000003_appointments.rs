//! Appointment types, schedules, exceptions, appointments (no double booking enforced
//! by the database), transitions, idempotency keys, the waitlist, calendar feeds and job
//! leases.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{a, fk, index, one_of};

/// Statuses that hold the provider's and the patient's time.
pub const HOLDING: &str = "('scheduled', 'checked_in', 'completed')";

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000003_appointments"
    }
}

fn sqlite_guard(name: &str, event: &str) -> String {
    format!(
        "CREATE TRIGGER {name} BEFORE {event} ON appointments
             WHEN NEW.status IN {HOLDING}
             BEGIN
               SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
                 SELECT 1 FROM appointments o
                 WHERE o.provider_id = NEW.provider_id AND o.id <> NEW.id
                   AND o.status IN {HOLDING}
                   AND o.start_epoch > NEW.start_epoch - 86400
                   AND o.start_epoch < NEW.block_end_epoch
                   AND o.block_end_epoch > NEW.start_epoch
                   AND (o.appointment_type_id <> NEW.appointment_type_id
                        OR o.start_epoch <> NEW.start_epoch));
               SELECT RAISE(ABORT, 'patient_busy') WHERE EXISTS (
                 SELECT 1 FROM appointments o
                 WHERE o.patient_id = NEW.patient_id AND o.id <> NEW.id
                   AND o.status IN {HOLDING}
                   AND o.start_epoch > NEW.start_epoch - 86400
                   AND o.start_epoch < NEW.end_epoch
                   AND o.end_epoch > NEW.start_epoch);
             END"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let roles = "provider_roles";
        m.create_table(
            Table::create()
                .table(a("appointment_types"))
                .col(pk_uuid(a("id")))
                .col(string_len_uniq(a("name"), 100))
                .col(
                    integer(a("duration_minutes"))
                        .check(Expr::col(a("duration_minutes")).between(5, 480)),
                )
                .col(
                    integer(a("buffer_minutes"))
                        .check(Expr::col(a("buffer_minutes")).between(0, 240)),
                )
                .col(string_len(a(roles), 100))
                .col(integer(a("capacity")).check(Expr::col(a("capacity")).between(1, 1000)))
                .col(boolean(a("active")))
                .col(timestamp_with_time_zone(a("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("provider_schedules"))
                .col(uuid(a("provider_id")).primary_key())
                .col(text(a("weekly")))
                .col(timestamp_with_time_zone(a("updated_at")))
                .foreign_key(&mut fk(
                    "provider_schedules",
                    "provider_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("schedule_exceptions"))
                .col(pk_uuid(a("id")))
                .col(uuid_null(a("provider_id")))
                .col(string_len(a("kind"), 10).check(one_of("kind", &["closed", "open"])))
                .col(timestamp_with_time_zone(a("starts_at")))
                .col(timestamp_with_time_zone(a("ends_at")))
                .col(text(a("reason")))
                .col(uuid(a("created_by")))
                .col(timestamp_with_time_zone(a("created_at")))
                .check(Expr::col(a("ends_at")).gt(Expr::col(a("starts_at"))))
                .foreign_key(&mut fk(
                    "schedule_exceptions",
                    "provider_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "schedule_exceptions",
            "ix_schedule_exceptions_provider",
            &["provider_id", "starts_at"],
            false,
        )
        .await?;
        let statuses = [
            "scheduled",
            "checked_in",
            "completed",
            "cancelled",
            "no_show",
        ];
        m.create_table(
            Table::create()
                .table(a("appointments"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(uuid(a("provider_id")))
                .col(uuid(a("appointment_type_id")))
                .col(timestamp_with_time_zone(a("start_at")))
                .col(timestamp_with_time_zone(a("end_at")))
                .col(timestamp_with_time_zone(a("block_end_at")))
                .col(big_integer(a("start_epoch")))
                .col(big_integer(a("end_epoch")))
                .col(big_integer(a("block_end_epoch")))
                .col(integer(a("capacity")).check(Expr::col(a("capacity")).between(1, 1000)))
                .col(integer(a("seat")))
                .col(string_len(a("status"), 12).check(one_of("status", &statuses)))
                .col(boolean(a("forced")))
                .col(uuid(a("booked_by")))
                .col(timestamp_with_time_zone(a("booked_at")))
                .col(uuid(a("status_by")))
                .col(timestamp_with_time_zone(a("status_at")))
                .col(text_null(a("cancel_reason")))
                .col(uuid_null(a("medical_record_id")))
                .col(uuid_null(a("dental_record_id")))
                .col(timestamp_with_time_zone_null(a("reminder_sent_at")))
                .col(integer(a("revision")))
                .check(Expr::col(a("end_at")).gt(Expr::col(a("start_at"))))
                .check(Expr::col(a("block_end_at")).gte(Expr::col(a("end_at"))))
                .check(
                    Expr::col(a("seat"))
                        .gte(1)
                        .and(Expr::col(a("seat")).lte(Expr::col(a("capacity")))),
                )
                .foreign_key(&mut fk(
                    "appointments",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "appointments",
                    "provider_id",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "appointments",
                    "appointment_type_id",
                    "appointment_types",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "appointments",
                    "medical_record_id",
                    "medical_records",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "appointments",
                    "dental_record_id",
                    "dental_records",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // Covering indexes: the overlap checks and slot searches read only these
        // columns, so no table lookups per booking.
        for (name, cols) in [
            (
                "ix_appointments_provider",
                &[
                    "provider_id",
                    "start_epoch",
                    "block_end_epoch",
                    "status",
                    "appointment_type_id",
                ][..],
            ),
            (
                "ix_appointments_patient",
                &["patient_id", "start_epoch", "end_epoch", "status"][..],
            ),
            ("ix_appointments_start", &["start_at"][..]),
        ] {
            index(m, "appointments", name, cols, false).await?;
        }
        let conn = m.get_connection();
        // One seat per place in a session: with the exclusion constraints (PostgreSQL)
        // or the triggers (SQLite) below, a session never holds more than capacity.
        conn.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX uq_appointments_seat ON appointments (provider_id, start_at, seat) WHERE status IN {HOLDING}"
        ))
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                .await?;
            for sql in [
                // Overlapping held spans of one provider must share the type...
                "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_slot_type EXCLUDE USING gist (provider_id WITH =, appointment_type_id WITH <>, tstzrange(start_at, block_end_at, '[)') WITH &&)",
                // ...and the start: one session at a time.
                "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_slot_start EXCLUDE USING gist (provider_id WITH =, start_at WITH <>, tstzrange(start_at, block_end_at, '[)') WITH &&)",
                // A patient is in one place at a time.
                "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_patient_busy EXCLUDE USING gist (patient_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)",
            ] {
                conn.execute_unprepared(&format!("{sql} WHERE (status IN {HOLDING})"))
                    .await?;
            }
        } else {
            conn.execute_unprepared(&sqlite_guard("tr_appointments_guard_insert", "INSERT"))
                .await?;
            conn.execute_unprepared(&sqlite_guard(
                "tr_appointments_guard_update",
                "UPDATE OF status, start_epoch, end_epoch, block_end_epoch, provider_id, patient_id, appointment_type_id",
            ))
            .await?;
        }
        m.create_table(
            Table::create()
                .table(a("appointment_transitions"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("appointment_id")))
                .col(string_len(a("from_status"), 12).check(one_of("from_status", &statuses)))
                .col(string_len(a("to_status"), 12).check(one_of("to_status", &statuses)))
                .col(uuid(a("by_user")))
                .col(timestamp_with_time_zone(a("at")))
                .col(text_null(a("reason")))
                .col(boolean(a("undo")))
                .foreign_key(&mut fk(
                    "appointment_transitions",
                    "appointment_id",
                    "appointments",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "appointment_transitions",
            "ix_appointment_transitions_appointment",
            &["appointment_id", "at"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("idempotency_keys"))
                .col(uuid(a("user_id")))
                .col(string_len(a("idem_key"), 200))
                .col(string_len(a("request_hash"), 64))
                .col(uuid(a("appointment_id")))
                .col(timestamp_with_time_zone(a("created_at")))
                .primary_key(Index::create().col(a("user_id")).col(a("idem_key")))
                .foreign_key(&mut fk(
                    "idempotency_keys",
                    "appointment_id",
                    "appointments",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("waitlist_entries"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(uuid(a("appointment_type_id")))
                .col(uuid_null(a("provider_id")))
                .col(date_null(a("from_date")))
                .col(date_null(a("until_date")))
                .col(
                    string_len(a("status"), 10)
                        .check(one_of("status", &["waiting", "booked", "withdrawn"])),
                )
                .col(uuid(a("created_by")))
                .col(timestamp_with_time_zone(a("created_at")))
                .foreign_key(&mut fk(
                    "waitlist_entries",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "waitlist_entries",
                    "appointment_type_id",
                    "appointment_types",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "waitlist_entries",
            "ix_waitlist_entries_status",
            &["status", "created_at"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("waitlist_offers"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("entry_id")))
                .col(uuid(a("patient_id")))
                .col(uuid(a("provider_id")))
                .col(uuid(a("appointment_type_id")))
                .col(timestamp_with_time_zone(a("start_at")))
                .col(timestamp_with_time_zone(a("end_at")))
                .col(timestamp_with_time_zone(a("block_end_at")))
                .col(timestamp_with_time_zone(a("expires_at")))
                .col(string_len(a("status"), 10).check(one_of(
                    "status",
                    &["open", "claimed", "expired", "declined"],
                )))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone_null(a("decided_at")))
                .foreign_key(&mut fk(
                    "waitlist_offers",
                    "entry_id",
                    "waitlist_entries",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // No slot is offered to two patients at once, nor two slots to one entry.
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_waitlist_offers_slot ON waitlist_offers (provider_id, start_at) WHERE status = 'open'",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_waitlist_offers_entry ON waitlist_offers (entry_id) WHERE status = 'open'",
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("calendar_feeds"))
                .col(uuid(a("user_id")).primary_key())
                .col(string_len_uniq(a("token_hash"), 64))
                .col(timestamp_with_time_zone(a("created_at")))
                .foreign_key(&mut fk(
                    "calendar_feeds",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("job_leases"))
                .col(string_len(a("job"), 50).primary_key())
                .col(string_len(a("holder"), 64))
                .col(timestamp_with_time_zone(a("lease_until")))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "job_leases",
            "calendar_feeds",
            "waitlist_offers",
            "waitlist_entries",
            "idempotency_keys",
            "appointment_transitions",
            "appointments",
            "schedule_exceptions",
            "provider_schedules",
            "appointment_types",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
