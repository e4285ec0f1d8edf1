//! Writes in the unit of work: `AppointmentOps`.

use super::*;

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
        save(&self.tx, type_row(t), true).await
    }

    async fn lock_type(
        &mut self,
        id: AppointmentTypeId,
    ) -> Result<Option<AppointmentType>, StoreError> {
        one(
            &self.tx,
            appointment_types::Entity::find_by_id(id.as_uuid()),
            true,
            type_from,
        )
        .await
    }

    async fn update_type(&mut self, t: &AppointmentType) -> Result<(), StoreError> {
        save(&self.tx, type_row(t), false).await
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
        save(&self.tx, exception_row(e), true).await
    }

    async fn update_exception(&mut self, e: &ScheduleException) -> Result<bool, StoreError> {
        let row = exception_row(e);
        let done = schedule_exceptions::Entity::update_many()
            .set(row)
            .filter(schedule_exceptions::Column::Id.eq(e.id.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(done.rows_affected == 1)
    }

    async fn delete_exception(&mut self, id: ExceptionId) -> Result<bool, StoreError> {
        let done = schedule_exceptions::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(done.rows_affected == 1)
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
                kind: Set(t.kind.as_str().to_owned()),
                old_start: Set(t.old_start),
                new_start: Set(t.new_start),
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
