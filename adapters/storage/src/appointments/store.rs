//! Reads on the pool: `AppointmentStore`.

use super::*;

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

    async fn exception(&self, id: ExceptionId) -> Result<Option<ScheduleException>, StoreError> {
        schedule_exceptions::Entity::find_by_id(id.as_uuid())
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .map(exception_from)
            .transpose()
    }

    async fn outside_availability(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        let c = self.db.connection();
        // Closures still ahead are few; each is matched against the bookings it overlaps.
        let closed = schedule_exceptions::Entity::find()
            .filter(schedule_exceptions::Column::Kind.eq(ExceptionKind::Closed.as_str()))
            .filter(schedule_exceptions::Column::EndsAt.gt(now))
            .all(c)
            .await
            .map_err(map_db_err)?;
        let mut out: Vec<Appointment> = Vec::new();
        for e in closed {
            let mut q = appointments::Entity::find()
                .filter(appointments::Column::Status.is_in([
                    AppointmentStatus::Scheduled.as_str(),
                    AppointmentStatus::CheckedIn.as_str(),
                ]))
                .filter(appointments::Column::StartAt.lt(e.ends_at))
                .filter(appointments::Column::EndAt.gt(e.starts_at.max(now)));
            if let Some(p) = e.provider_id {
                q = q.filter(appointments::Column::ProviderId.eq(p));
            }
            for m in q.all(c).await.map_err(map_db_err)? {
                let a = appointment_from(m)?;
                if !out.iter().any(|o| o.id == a.id) {
                    out.push(a);
                }
            }
        }
        out.sort_by_key(|a| a.start);
        Ok(out)
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
