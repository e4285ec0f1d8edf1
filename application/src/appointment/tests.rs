//! Appointment use cases against mock ports: outcomes and what reached the ports.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::appointment::{Appointment, AppointmentType, Booked, WeeklyHours, WeeklyRange};
use domain::clinical::Patient;
use domain::identity::Role;
use domain::{PatientId, UserId};

use super::*;
use crate::audit::ports::MockAuditStore;
use crate::clinical::tests::{actor, patient};
use crate::clinical::{MockPatientDirectory, PatientRef};
use crate::jobs::MockJobLease;
use crate::unit_of_work::MockTx;
use crate::{AppError, ErrorCode, StoreError, SystemClock};

fn service(store: MockAppointmentStore, clinical: MockPatientDirectory) -> AppointmentService {
    service_with_lease(store, clinical, MockJobLease::new())
}

fn service_with_lease(
    store: MockAppointmentStore,
    clinical: MockPatientDirectory,
    lease: MockJobLease,
) -> AppointmentService {
    AppointmentService::new(
        Arc::new(store),
        Arc::new(clinical),
        Arc::new(MockAuditStore::new()),
        Arc::new(lease),
        Arc::new(SystemClock),
        AppointmentConfig::default(),
    )
}

fn consultation() -> AppointmentType {
    AppointmentType::new("Consultation", 15, 5, vec![Role::Doctor], 1, Utc::now()).expect("valid")
}

fn doctor() -> Provider {
    Provider {
        user_id: UserId::new(),
        role: Role::Doctor,
        name: "Juan Dela Cruz".into(),
        active: true,
    }
}

fn all_week() -> WeeklyHours {
    WeeklyHours::new(
        (1..=7)
            .map(|d| WeeklyRange::parse(d, "00:00", "23:59").expect("range"))
            .collect(),
    )
    .expect("hours")
}

/// A store that knows one type, one doctor and the patient's contact, and hands out `tx`
/// once (the doctor's hours are read through the transaction: [`open_all_week`]).
fn store_with(kind: &AppointmentType, doc: &Provider, tx: MockTx) -> MockAppointmentStore {
    let mut store = MockAppointmentStore::new();
    let k = kind.clone();
    store
        .expect_appointment_type()
        .returning(move |_| Ok(Some(k.clone())));
    let d = doc.clone();
    store
        .expect_provider()
        .returning(move |_| Ok(Some(d.clone())));
    store.expect_recipient().returning(|p| {
        Ok(Some(Recipient {
            patient_id: p,
            user_id: None,
            first_name: "Maria".into(),
            full_name: "Maria Reyes".into(),
            email: None,
        }))
    });
    let mut tx = Some(tx);
    store
        .expect_begin()
        .times(1)
        .returning(move || Ok(Box::new(tx.take().expect("one transaction"))));
    store
}

/// 10:00 tomorrow in Manila: inside the all-week hours and the patient horizon, and far
/// from the end of a clinic day whatever the hour the test runs at.
fn tomorrow_at_ten() -> DateTime<Utc> {
    let zone = chrono_tz::Asia::Manila;
    let day = Utc::now().with_timezone(&zone).date_naive() + Duration::days(1);
    day.and_hms_opt(10, 0, 0)
        .and_then(|t| t.and_local_timezone(zone).single())
        .expect("Manila has no DST")
        .with_timezone(&Utc)
}

/// The doctor's hours as the transaction reads them: open all week, no exceptions.
fn open_all_week(tx: &mut MockTx) {
    tx.appointments
        .expect_hours()
        .times(1)
        .returning(|_, _, _| Ok((all_week(), vec![])));
}

fn staff_booking(kind: &AppointmentType, doc: &Provider, patient: PatientId) -> BookingInput {
    BookingInput {
        appointment_type_id: kind.id,
        provider_id: doc.user_id,
        start: tomorrow_at_ten(),
        patient_id: Some(patient),
        force: false,
    }
}

#[tokio::test]
async fn a_patient_cannot_book_for_someone_else() {
    let me = actor(Role::Student);
    let mine = patient(Some(me.user_id), vec![]);
    let mut clinical = MockPatientDirectory::new();
    clinical
        .expect_patient_of_user()
        .returning(move |_| Ok(Some(PatientRef::from(&mine))));
    // No expectations on the appointment store: nothing may be read or written.
    let svc = service(MockAppointmentStore::new(), clinical);
    let kind = consultation();
    let got = svc
        .book(&me, staff_booking(&kind, &doctor(), PatientId::new()), None)
        .await;
    assert!(
        matches!(got, Err(AppError::NotFound { what: "patient" })),
        "{got:?}"
    );
}

/// Books `input` for `p` as `role` through `tx`: the answer must be 409 `slot_taken`.
async fn booking_is_slot_taken(
    kind: &AppointmentType,
    doc: &Provider,
    p: Patient,
    input: BookingInput,
    tx: MockTx,
    role: Role,
) {
    let mut clinical = MockPatientDirectory::new();
    clinical
        .expect_patient()
        .returning(move |_| Ok(Some(PatientRef::from(&p))));
    let svc = service(store_with(kind, doc, tx), clinical);
    let got = svc.book(&actor(role), input, None).await;
    assert!(
        matches!(
            got,
            Err(AppError::Conflict {
                code: ErrorCode::SlotTaken,
                ..
            })
        ),
        "{got:?}"
    );
}

#[tokio::test]
async fn an_overlapping_booking_is_refused_inside_the_transaction_and_nothing_is_written() {
    let kind = consultation();
    let doc = doctor();
    let p = patient(None, vec![]);
    let input = staff_booking(&kind, &doc, p.id);
    let other_type = consultation();
    let held = Booked {
        appointment_type_id: other_type.id,
        start: input.start - Duration::minutes(10),
        block_end: input.start + Duration::minutes(10),
        seats: 1,
    };
    let mut tx = MockTx::default();
    tx.appointments
        .expect_lock_provider()
        .times(1)
        .returning(|_| Ok(()));
    open_all_week(&mut tx);
    tx.appointments
        .expect_booked()
        .returning(move |_, _, _, _, _| Ok(vec![held]));
    tx.appointments
        .expect_patient_spans()
        .returning(|_, _, _, _| Ok(vec![]));
    tx.appointments.expect_insert_appointment().times(0);
    tx.work.expect_commit().times(0);
    booking_is_slot_taken(&kind, &doc, p, input, tx, Role::Staff).await;
}

#[tokio::test]
async fn the_databases_refusal_is_slot_taken_too() {
    let kind = consultation();
    let doc = doctor();
    let p = patient(None, vec![]);
    let input = staff_booking(&kind, &doc, p.id);
    let mut tx = MockTx::default();
    tx.appointments.expect_lock_provider().returning(|_| Ok(()));
    open_all_week(&mut tx);
    tx.appointments
        .expect_booked()
        .returning(|_, _, _, _, _| Ok(vec![]));
    tx.appointments
        .expect_patient_spans()
        .returning(|_, _, _, _| Ok(vec![]));
    tx.appointments
        .expect_insert_appointment()
        .times(1)
        .returning(|a: &Appointment| {
            assert_eq!(a.seat, 1);
            Err(StoreError::Conflict {
                what: crate::Constraint::Slot,
            })
        });
    tx.work.expect_commit().times(0);
    booking_is_slot_taken(&kind, &doc, p, input, tx, Role::Nurse).await;
}

#[tokio::test]
async fn a_reminder_claimed_by_another_worker_is_not_sent_again() {
    let kind = consultation();
    let doc = doctor();
    let (p1, p2) = (patient(None, vec![]), patient(None, vec![]));
    let start = Utc::now() + Duration::hours(3);
    let a1 = Appointment::book(
        p1.id,
        doc.user_id,
        &kind,
        start,
        1,
        false,
        UserId::new(),
        Utc::now(),
    );
    let a2 = Appointment::book(
        p2.id,
        doc.user_id,
        &kind,
        start,
        1,
        false,
        UserId::new(),
        Utc::now(),
    );
    let taken = a1.id;
    let mut store = MockAppointmentStore::new();
    let mut lease = MockJobLease::new();
    lease.expect_try_lease().returning(|_, _, _, _| Ok(true));
    store.expect_types().returning(|_| Ok(vec![]));
    store.expect_providers().returning(|_| Ok(vec![]));
    let mut tx = MockTx::default();
    let due = vec![a1, a2];
    tx.appointments
        .expect_due_reminders()
        .times(1)
        .returning(move |_, _, _| Ok(due.clone()));
    tx.appointments.expect_recipients().returning(|ids| {
        Ok(ids
            .into_iter()
            .map(|p| {
                (
                    p,
                    Recipient {
                        patient_id: p,
                        user_id: Some(UserId::new()),
                        first_name: "Ana".into(),
                        full_name: "Ana Reyes".into(),
                        email: Some(
                            domain::identity::EmailAddress::parse("ana@usc.edu.ph").expect("email"),
                        ),
                    },
                )
            })
            .collect())
    });
    tx.appointments
        .expect_mark_reminded()
        .returning(move |id, _| Ok(id != taken));
    tx.work.expect_notify().times(1).returning(|_| Ok(()));
    tx.work
        .expect_enqueue_mail()
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work.expect_commit().times(1).returning(|| Ok(()));
    let mut tx = Some(tx);
    store
        .expect_begin()
        .times(1)
        .returning(move || Ok(Box::new(tx.take().expect("one transaction"))));
    let svc = service_with_lease(store, MockPatientDirectory::new(), lease);
    assert_eq!(svc.send_reminders().await.expect("sent"), 1);
}

#[tokio::test]
async fn reminders_wait_while_another_instance_holds_the_lease() {
    let mut store = MockAppointmentStore::new();
    let mut lease = MockJobLease::new();
    lease.expect_try_lease().returning(|_, _, _, _| Ok(false));
    store.expect_begin().times(0);
    let svc = service_with_lease(store, MockPatientDirectory::new(), lease);
    assert_eq!(svc.send_reminders().await.expect("ok"), 0);
}
