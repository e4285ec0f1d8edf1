//! Synthetic scheduling data for benchmarks and demos: providers with weekly hours, three
//! appointment types, and appointments over past years and the coming month that respect
//! every rule (no provider or patient overlaps), so the database's constraints accept
//! them. Deterministic for a given seed.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use domain::appointment::{
    Appointment, AppointmentStatus, AppointmentType, WeeklyHours, WeeklyRange, to_utc,
};
use domain::identity::Role;
use domain::{PatientId, UserId};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::{AppError, StoreError};

/// A provider account to create (no usable password: benchmark data only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedProvider {
    /// Account id.
    pub user_id: UserId,
    /// Unique email.
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// DOCTOR, DENTIST or NURSE.
    pub role: Role,
}

/// Writes generated scheduling data in bulk.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AppointmentBulkLoader: Send + Sync {
    /// Up to `limit` patient ids, in a stable order.
    async fn patient_ids(&self, limit: u64) -> Result<Vec<PatientId>, StoreError>;
    /// Creates the providers, their weekly hours and the types.
    async fn load_setup(
        &self,
        providers: Vec<(SeedProvider, WeeklyHours)>,
        types: Vec<AppointmentType>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Inserts a batch of appointments in one transaction.
    async fn load_appointments(&self, batch: Vec<Appointment>) -> Result<(), StoreError>;
}

/// What a seed run made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleSeedReport {
    /// Providers created.
    pub providers: u64,
    /// Appointments inserted.
    pub appointments: u64,
    /// Of which start within the next 24 hours (reminders due).
    pub due_soon: u64,
}

/// Generates `appointments` appointments over weekday hours (08:00-12:00, 13:00-17:00
/// clinic time) of `providers` providers (60% doctors, 20% dentists, 20% nurses), filling
/// 80% of past slots and 60% of the coming 30 days, plus `due_soon` places in group
/// vaccination sessions within the next 24 hours (one per patient).
#[allow(clippy::too_many_arguments)]
pub async fn seed_schedule(
    loader: &dyn AppointmentBulkLoader,
    zone: Tz,
    providers: u64,
    appointments: u64,
    due_soon: u64,
    seed: u64,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ScheduleSeedReport, AppError> {
    let bad = |e: &dyn std::fmt::Display| AppError::Unexpected(anyhow::anyhow!("seed: {e}"));
    let mut rng = SmallRng::seed_from_u64(seed);
    let patients = loader.patient_ids(1_000_000).await?;
    if (patients.len() as u64) < due_soon + 1000 {
        return Err(AppError::field(
            "patients",
            "seed more patients first (usc-pis seed --patients N)",
        ));
    }
    let (regular, drive_patients) = patients.split_at(patients.len() - due_soon as usize);
    let consult = AppointmentType::new("Consultation", 15, 5, vec![Role::Doctor], 1, now)
        .map_err(|e| bad(&e))?;
    let cleaning = AppointmentType::new("Dental cleaning", 45, 15, vec![Role::Dentist], 1, now)
        .map_err(|e| bad(&e))?;
    let vaccination = AppointmentType::new("Vaccination", 10, 0, vec![Role::Nurse], 1, now)
        .map_err(|e| bad(&e))?;
    let drive = AppointmentType::new("Vaccination drive", 10, 0, vec![Role::Nurse], 100, now)
        .map_err(|e| bad(&e))?;
    let ranges = (1..=5)
        .flat_map(|d| {
            [
                WeeklyRange::parse(d, "08:00", "12:00"),
                WeeklyRange::parse(d, "13:00", "17:00"),
            ]
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(&e))?;
    let hours = WeeklyHours::new(ranges).map_err(|e| bad(&e))?;
    let mut staff = Vec::new();
    for i in 0..providers {
        let role = match i % 5 {
            0..=2 => Role::Doctor,
            3 => Role::Dentist,
            _ => Role::Nurse,
        };
        staff.push((
            SeedProvider {
                user_id: UserId::new(),
                email: format!("provider{i:03}@usc.edu.ph"),
                first_name: format!("Provider{i:03}"),
                last_name: role.as_str().to_lowercase(),
                role,
            },
            hours.clone(),
        ));
    }
    loader
        .load_setup(
            staff.clone(),
            vec![
                consult.clone(),
                cleaning.clone(),
                vaccination.clone(),
                drive.clone(),
            ],
            now,
        )
        .await?;

    // Walk working days backwards from 30 days ahead until enough appointments exist.
    let today = now.with_timezone(&zone).date_naive();
    let horizon = today + Duration::days(30);
    let mut day = horizon;
    let mut made = 0u64;
    let mut next_patient = 0usize;
    let mut batch = Vec::with_capacity(5000);
    let mut due = 0u64;
    let booked_by = staff.first().map(|s| s.0.user_id).unwrap_or_default();
    'days: while made < appointments {
        if day.weekday().number_from_monday() <= 5 {
            for (p, _) in &staff {
                let kind = match p.role {
                    Role::Doctor => &consult,
                    Role::Dentist => &cleaning,
                    _ => &vaccination,
                };
                for (open, close) in [(8, 12), (13, 17)] {
                    let mut t = to_utc(
                        zone,
                        day.and_time(NaiveTime::from_hms_opt(open, 0, 0).unwrap_or_default()),
                    );
                    let end = to_utc(
                        zone,
                        day.and_time(NaiveTime::from_hms_opt(close, 0, 0).unwrap_or_default()),
                    );
                    while t + kind.duration() <= end {
                        let future = t > now;
                        let fill = if future { 0.6 } else { 0.8 };
                        if rng.random_bool(fill) && !(future && t <= now + Duration::hours(24)) {
                            let patient = regular[next_patient % regular.len()];
                            next_patient += 1;
                            let mut a = Appointment::book(
                                patient,
                                p.user_id,
                                kind,
                                t,
                                1,
                                false,
                                booked_by,
                                t - Duration::days(7),
                            );
                            let status = if future {
                                AppointmentStatus::Scheduled
                            } else {
                                match rng.random_range(0..100) {
                                    0..=84 => AppointmentStatus::Completed,
                                    85..=94 => AppointmentStatus::Cancelled,
                                    _ => AppointmentStatus::NoShow,
                                }
                            };
                            if !future {
                                a.reminder_sent_at = Some(t - Duration::hours(24));
                                a.status_at = t;
                            }
                            batch.push(a.restore(status));
                            made += 1;
                            if batch.len() >= 5000 {
                                loader.load_appointments(std::mem::take(&mut batch)).await?;
                                progress(made);
                            }
                            if made >= appointments {
                                break 'days;
                            }
                        }
                        t += kind.block();
                    }
                }
            }
        }
        day -= Duration::days(1);
    }
    // Reminders due: group vaccination sessions within the next 24 hours, outside the
    // regular hours' bookings (sessions start at whole 10 minutes from now + 1 h).
    let nurses: Vec<UserId> = staff
        .iter()
        .filter(|(p, _)| p.role == Role::Nurse)
        .map(|(p, _)| p.user_id)
        .collect();
    let base = now + Duration::hours(1);
    let base = base - Duration::seconds(base.timestamp() % 600);
    for (i, patient) in drive_patients.iter().enumerate() {
        let session = i / usize::from(drive.capacity);
        let seat = (i % usize::from(drive.capacity)) as u16 + 1;
        let nurse = nurses[session % nurses.len().max(1)];
        // Each nurse's sessions follow one another; every patient sits in one session only.
        let start = base + Duration::minutes(10 * (session / nurses.len().max(1)) as i64);
        let mut a = Appointment::book(*patient, nurse, &drive, start, seat, true, booked_by, now);
        a.status_at = now;
        batch.push(a);
        due += 1;
        made += 1;
        if batch.len() >= 5000 {
            loader.load_appointments(std::mem::take(&mut batch)).await?;
            progress(made);
        }
    }
    if !batch.is_empty() {
        loader.load_appointments(batch).await?;
        progress(made);
    }
    Ok(ScheduleSeedReport {
        providers,
        appointments: made,
        due_soon: due,
    })
}
