//! Rows ↔ domain values.

use super::*;

pub(crate) fn type_from(m: appointment_types::Model) -> Result<AppointmentType, StoreError> {
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

pub(crate) fn appointment_from(m: appointments::Model) -> Result<Appointment, StoreError> {
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

pub(crate) fn appointment_row(a: &Appointment) -> appointments::ActiveModel {
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

pub(crate) fn exception_from(
    m: schedule_exceptions::Model,
) -> Result<ScheduleException, StoreError> {
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

pub(crate) fn weekly_json(h: &WeeklyHours) -> String {
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

pub(crate) fn weekly_from(raw: &str) -> Result<WeeklyHours, StoreError> {
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

pub(crate) fn exception_row(e: &ScheduleException) -> schedule_exceptions::ActiveModel {
    schedule_exceptions::ActiveModel {
        id: Set(e.id.as_uuid()),
        provider_id: Set(e.provider_id.map(|p| p.as_uuid())),
        kind: Set(e.kind.as_str().to_owned()),
        starts_at: Set(e.starts_at),
        ends_at: Set(e.ends_at),
        reason: Set(e.reason.clone()),
        created_by: Set(e.created_by.as_uuid()),
        created_at: Set(e.created_at),
    }
}

pub(crate) fn type_row(t: &AppointmentType) -> appointment_types::ActiveModel {
    let roles: Vec<&str> = t.provider_roles.iter().map(Role::as_str).collect();
    appointment_types::ActiveModel {
        id: Set(t.id.as_uuid()),
        name: Set(t.name.clone()),
        duration_minutes: Set(i32::from(t.duration_minutes)),
        buffer_minutes: Set(i32::from(t.buffer_minutes)),
        provider_roles: Set(roles.join(",")),
        capacity: Set(i32::from(t.capacity)),
        active: Set(t.active),
        created_at: Set(t.created_at),
    }
}

pub(crate) fn transition_from(m: appointment_transitions::Model) -> Result<Transition, StoreError> {
    let st = |s: &str| AppointmentStatus::parse(s).map_err(|e| corrupt("transition", e));
    Ok(Transition {
        appointment_id: AppointmentId::from_uuid(m.appointment_id),
        kind: TransitionKind::parse(&m.kind).map_err(|e| corrupt("transition.kind", e))?,
        old_start: m.old_start,
        new_start: m.new_start,
        from: st(&m.from_status)?,
        to: st(&m.to_status)?,
        by: UserId::from_uuid(m.by_user),
        at: m.at,
        reason: m.reason,
        undo: m.undo,
    })
}

pub(crate) fn entry_from(m: waitlist_entries::Model) -> Result<WaitlistEntry, StoreError> {
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

pub(crate) fn offer_from(m: waitlist_offers::Model) -> Result<Offer, StoreError> {
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

pub(crate) fn offer_row(o: &Offer) -> waitlist_offers::ActiveModel {
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

pub(crate) fn provider_from(m: users::Model) -> Result<Provider, StoreError> {
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
