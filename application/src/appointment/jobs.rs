//! Background jobs: appointment reminders and the waitlist pass. Both are safe to run on
//! several server instances at once: reminders are claimed row by row in the transaction
//! that enqueues them (a database lease also keeps one instance on the job), and offers
//! are unique per slot and per entry in the database.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use chrono::{Duration, NaiveTime};
use domain::appointment::{Offer, room_for, to_utc};
use domain::audit::{AuditEvent, Outcome};

use super::service::AppointmentService;
use crate::jobs::{Job, JobRun};
use crate::{AppError, StoreError};

/// What one pass of the jobs did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Reminders enqueued.
    pub reminded: u32,
    /// Offers that lapsed.
    pub expired: u32,
    /// New offers.
    pub offered: u32,
}

const REMINDER_BATCH: u64 = 500;

/// Reminders and the waitlist pass as one background [`Job`], run every `period`
/// (`USCPIS_JOBS_POLL_MS`).
pub struct AppointmentJobs {
    service: Arc<AppointmentService>,
    period: std::time::Duration,
}

impl AppointmentJobs {
    /// The jobs of `service`, run every `period`.
    pub fn new(service: Arc<AppointmentService>, period: std::time::Duration) -> Self {
        Self { service, period }
    }
}

#[async_trait]
impl Job for AppointmentJobs {
    fn name(&self) -> &'static str {
        "appointments"
    }

    fn period(&self) -> std::time::Duration {
        self.period
    }

    async fn run(&self) -> Result<JobRun, AppError> {
        let r = self.service.run_jobs().await?;
        Ok(JobRun(vec![
            ("reminded", u64::from(r.reminded)),
            ("expired", u64::from(r.expired)),
            ("offered", u64::from(r.offered)),
        ]))
    }
}

impl AppointmentService {
    /// Runs every job once.
    pub async fn run_jobs(&self) -> Result<JobReport, AppError> {
        let reminded = self.send_reminders().await?;
        let (expired, offered) = self.waitlist_pass().await?;
        Ok(JobReport {
            reminded,
            expired,
            offered,
        })
    }

    /// Enqueues the reminder of every scheduled appointment starting within the reminder
    /// window, exactly once each (even with several instances or after a restart).
    pub async fn send_reminders(&self) -> Result<u32, AppError> {
        let now = self.clock.now();
        if !self
            .lease
            .try_lease("reminders", &self.instance, now, now + Duration::minutes(2))
            .await?
        {
            return Ok(0);
        }
        let types: HashMap<_, _> = self
            .store
            .types(true)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let names: HashMap<_, _> = self
            .store
            .providers(&domain::identity::Role::ALL)
            .await?
            .into_iter()
            .map(|p| (p.user_id, p.name))
            .collect();
        let mut sent = 0;
        loop {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            let due = tx
                .appointments()
                .due_reminders(now, now + self.config.reminder_before, REMINDER_BATCH)
                .await?;
            let recipients = tx
                .appointments()
                .recipients(due.iter().map(|a| a.patient_id).collect())
                .await?;
            for a in &due {
                if !tx.appointments().mark_reminded(a.id, now).await? {
                    continue;
                }
                let Some(to) = recipients.get(&a.patient_id) else {
                    continue;
                };
                let msg = format!(
                    "Reminder: your {} with {} is on {}. If you cannot come, please cancel so someone else can have the slot.",
                    types
                        .get(&a.appointment_type_id)
                        .map_or("appointment", String::as_str),
                    names.get(&a.provider_id).map_or("", String::as_str),
                    self.local(a.start)
                );
                self.notify(
                    tx.as_mut(),
                    to,
                    "appointment_reminder",
                    "Appointment reminder",
                    &msg,
                    now,
                )
                .await?;
                sent += 1;
            }
            tx.commit().await?;
            if (due.len() as u64) < REMINDER_BATCH {
                return Ok(sent);
            }
        }
    }

    /// Runs the waitlist pass, logging (not returning) a failure: the freed slot is
    /// offered by the next periodic pass anyway.
    pub(super) async fn waitlist_pass_logged(&self) {
        if let Err(e) = self.waitlist_pass().await {
            tracing::warn!(error = %e, "waitlist pass failed; the periodic pass will retry");
        }
    }

    /// Lets lapsed offers expire, then offers each waiting patient (longest waiting
    /// first) the first free matching slot they have not been offered before.
    pub async fn waitlist_pass(&self) -> Result<(u32, u32), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let lapsed = tx.appointments().lapsed_offers(now).await?;
        for mut o in lapsed.iter().cloned() {
            if o.expire(now).is_ok() {
                tx.appointments().update_offer(&o).await?;
                tx.append_audit(
                    AuditEvent::new(
                        None,
                        "waitlist.offer_expired",
                        "waitlist_offer",
                        Some(o.id.to_string()),
                        Outcome::Success,
                    ),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        let mut offered = 0;
        for entry in self.store.waiting_entries(100).await? {
            let Some(kind) = self
                .store
                .appointment_type(entry.appointment_type_id)
                .await?
            else {
                continue;
            };
            if !kind.active {
                continue;
            }
            let providers = match entry.provider_id {
                Some(p) => self.store.provider(p).await?.into_iter().collect(),
                None => self.store.providers(&kind.provider_roles).await?,
            };
            let zone = self.config.zone;
            let mut from = now + Duration::minutes(30);
            if let Some(f) = entry.from {
                from = from.max(to_utc(zone, f.and_time(NaiveTime::MIN)));
            }
            let mut to = now + self.waitlist_horizon();
            if let Some(u) = entry.until {
                to = to.min(to_utc(
                    zone,
                    (u + Duration::days(1)).and_time(NaiveTime::MIN),
                ));
            }
            if to <= from {
                continue;
            }
            let seen = self.store.offered_starts(entry.id).await?;
            let candidates = self.free(&kind, &providers, from, to, now, 50).await?;
            let Some(slot) = candidates
                .into_iter()
                .find(|s| !seen.contains(&(s.provider_id, s.slot.start)))
            else {
                continue;
            };
            let Some(to) = self.store.recipient(entry.patient_id).await? else {
                continue;
            };
            let offer = Offer::new(
                &entry,
                slot.provider_id,
                slot.slot.start,
                slot.slot.end,
                slot.slot.start + kind.block(),
                self.config.claim_window,
                now,
            );
            let mut tx = self.store.begin().await?;
            tx.appointments().lock_provider(slot.provider_id).await?;
            let booked = tx
                .appointments()
                .booked(
                    slot.provider_id,
                    slot.slot.start - Duration::days(1),
                    slot.slot.start + Duration::days(1),
                    None,
                    None,
                )
                .await?;
            if room_for(&kind, slot.slot.start, &booked).is_none() {
                continue;
            }
            match tx.appointments().insert_offer(&offer).await {
                Err(StoreError::Conflict { .. }) => continue,
                other => other?,
            }
            let msg = format!(
                "A {} slot opened on {}. It is held for you for {}: claim it in the app before {}.",
                kind.name,
                self.local(offer.start),
                self.window_text(),
                self.local(offer.expires_at)
            );
            self.notify(
                tx.as_mut(),
                &to,
                "waitlist_offer",
                "A slot is available",
                &msg,
                now,
            )
            .await?;
            tx.append_audit(
                AuditEvent::new(
                    None,
                    "waitlist.offer",
                    "waitlist_offer",
                    Some(offer.id.to_string()),
                    Outcome::Success,
                )
                .about_patient(to.patient_id, to.user_id),
                now,
            )
            .await?;
            match tx.commit().await {
                Err(StoreError::Conflict { .. }) => continue,
                other => other?,
            }
            offered += 1;
        }
        Ok((lapsed.len() as u32, offered))
    }
}
