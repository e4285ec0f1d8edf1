//! Appointments end to end: availability, booking without double booking (200 concurrent
//! requests for one slot), idempotent retries, status changes with undo, exceptions with
//! impact preview, the waitlist, reminders exactly once, the calendar feed and the
//! dashboard. Through real HTTP on SQLite, and on PostgreSQL when `.ci/run` sets it.

use application::StoreError;
use application::appointment::AppointmentStore;
use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use domain::AppointmentId;
use e2e_tests::{Clinic, TestApp, clinic, spawn_app_with, student, walk_in};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use storage::SeaOrmAppointmentStore;

async fn app() -> TestApp {
    spawn_app_with(|c| c.jobs_poll_ms = 150).await
}

/// An appointment type; returns its id.
async fn kind(app: &TestApp, c: &Clinic, name: &str, capacity: u32) -> String {
    let r = app
        .post(
            "/api/appointment-types",
            json!({"name": name, "duration_minutes": 15, "buffer_minutes": 5,
                   "provider_roles": ["DOCTOR"], "capacity": capacity}),
            Some(&c.staff),
        )
        .await
        .expect(201);
    r.body["id"].as_str().expect("id").to_owned()
}

/// Opens the doctor every day, all day, and checks the answer's shape.
async fn open_all_week(app: &TestApp, c: &Clinic) {
    let schedule = e2e_tests::open_all_week(app, c).await;
    assert_eq!(schedule["zone"], "Asia/Manila");
    assert_eq!(schedule["weekly"].as_array().map(Vec::len), Some(7));
}

/// Free slots of a type starting at least `lead` from now.
async fn slots_after(app: &TestApp, token: &str, kind: &str, lead: Duration) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/appointments/slots?appointment_type_id={kind}"),
            Some(token),
        )
        .await
        .expect(200);
    let earliest = Utc::now() + lead;
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|s| start_of(s) >= earliest)
        .cloned()
        .collect()
}

/// The first `n` slots that follow each other every `step` without a gap, so a test that
/// books "the slot after" never runs into the end of the clinic day, whatever the hour.
fn contiguous(slots: Vec<Value>, n: usize, step: Duration) -> Vec<Value> {
    let at = (0..slots.len().saturating_sub(n - 1))
        .find(|&i| (i..i + n - 1).all(|j| start_of(&slots[j + 1]) - start_of(&slots[j]) == step))
        .expect("a run of contiguous slots");
    slots[at..at + n].to_vec()
}

fn start_of(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v["start"].as_str().expect("start"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn booking(kind: &str, provider: &str, start: &str, patient: Option<&str>) -> Value {
    let mut b = json!({"appointment_type_id": kind, "provider_id": provider, "start": start});
    if let Some(p) = patient {
        b["patient_id"] = json!(p);
    }
    b
}

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/api/appointments", app.base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn book_change_and_undo_with_every_rule() {
    let app = app().await;
    let c = clinic(&app).await;
    let consult = kind(&app, &c, "Consultation", 1).await;
    open_all_week(&app, &c).await;
    let (maria, maria_id) = student(&app, "21104567", "Maria").await;
    let (ana, ana_id) = student(&app, "21104568", "Ana").await;

    // Slots: every 20 minutes (15 + 5 buffer), all in Manila time.
    let all = slots_after(&app, &maria, &consult, Duration::hours(3)).await;
    assert!(all.len() > 10, "{all:?}");
    let slots = contiguous(all, 17, Duration::minutes(20));
    assert!(slots[0]["start"].as_str().expect("s").ends_with("+08:00"));
    assert_eq!(
        start_of(&slots[1]) - start_of(&slots[0]),
        Duration::minutes(20)
    );
    let first = slots[0]["start"].as_str().expect("start").to_owned();

    // A patient books for themselves; the confirmation arrives in-app and by email.
    let r = app
        .post(
            "/api/appointments",
            booking(&consult, &c.doctor_id, &first, None),
            Some(&maria),
        )
        .await
        .expect(201);
    assert_eq!(r.body["status"], "scheduled");
    assert_eq!(r.body["patient_id"], maria_id.as_str());
    assert_eq!(r.body["appointment_type_name"], "Consultation");
    let maria_appt = r.body["id"].as_str().expect("id").to_owned();
    app.wait_for_mail("21104567@usc.edu.ph", "is booked for")
        .await;
    let notes = app
        .get("/api/notifications", Some(&maria))
        .await
        .expect(200);
    assert!(
        notes.body["items"]
            .to_string()
            .contains("Appointment confirmed")
    );

    // The slot is gone for everyone; booking it again is 409, never a double booking.
    let again = slots_after(&app, &ana, &consult, Duration::hours(3)).await;
    assert!(again.iter().all(|s| s["start"] != first.as_str()));
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &first, None),
        Some(&ana),
    )
    .await
    .expect_error(409, "slot_taken");
    // Inside the buffer (10 minutes after) is also taken.
    let inside =
        (DateTime::parse_from_rfc3339(&first).expect("t") + Duration::minutes(10)).to_rfc3339();
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &inside, None),
        Some(&ana),
    )
    .await
    .expect_error(409, "slot_taken");

    // Bad input: past, beyond the patient horizon, outside hours, wrong provider, force.
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &past, None),
        Some(&ana),
    )
    .await
    .expect_error(400, "invalid_input");
    let far = start_of(&slots[0]) + Duration::days(40);
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &far.to_rfc3339(), None),
        Some(&ana),
    )
    .await
    .expect_error(400, "invalid_input");
    app.post(
        "/api/appointments",
        booking(&consult, &c.dentist_id, &first, None),
        Some(&ana),
    )
    .await
    .expect_error(400, "invalid_input");
    let mut forced = booking(
        &consult,
        &c.doctor_id,
        slots[3]["start"].as_str().expect("s"),
        None,
    );
    forced["force"] = json!(true);
    app.post("/api/appointments", forced, Some(&ana))
        .await
        .expect_error(403, "forbidden");
    // Staff must name the patient; an unknown type is 404.
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &first, None),
        Some(&c.staff),
    )
    .await
    .expect_error(400, "invalid_input");
    let nobody = uuid::Uuid::now_v7().to_string();
    app.post(
        "/api/appointments",
        booking(&nobody, &c.doctor_id, &first, None),
        Some(&ana),
    )
    .await
    .expect_error(404, "not_found");

    // Closed hours: a block on the doctor's time makes it 409 outside_availability, but a
    // clinic role may force (audited) as long as nothing overlaps.
    let blocked = start_of(&slots[6]);
    app.post(
        &format!("/api/providers/{}/exceptions", c.doctor_id),
        json!({"starts_at": blocked.to_rfc3339(), "ends_at": (blocked + Duration::minutes(20)).to_rfc3339(),
               "reason": "Staff meeting"}),
        Some(&c.doctor),
    )
    .await
    .expect(201);
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &blocked.to_rfc3339(), None),
        Some(&ana),
    )
    .await
    .expect_error(409, "outside_availability");
    let mut forced = booking(&consult, &c.doctor_id, &blocked.to_rfc3339(), Some(&ana_id));
    forced["force"] = json!(true);
    let f = app
        .post("/api/appointments", forced.clone(), Some(&c.staff))
        .await
        .expect(201);
    assert_eq!(f.body["forced"], true);
    let forced_id = f.body["id"].as_str().expect("id").to_owned();
    let mut over = forced.clone();
    over["start"] = json!((blocked + Duration::minutes(5)).to_rfc3339());
    app.post("/api/appointments", over, Some(&c.staff))
        .await
        .expect_error(409, "slot_taken");

    // A patient cannot hold two overlapping appointments, even with another provider.
    let (_, doc2) = app.staff(&c.admin, "asantos@usc.edu.ph", "DOCTOR").await;
    let mut busy = booking(
        &consult,
        doc2["id"].as_str().expect("id"),
        &(blocked + Duration::minutes(5)).to_rfc3339(),
        Some(&ana_id),
    );
    busy["force"] = json!(true);
    app.post("/api/appointments", busy, Some(&c.staff))
        .await
        .expect_error(409, "patient_busy");

    // Idempotency-Key: a retried request returns the same appointment.
    let body = booking(
        &consult,
        &c.doctor_id,
        slots[9]["start"].as_str().expect("s"),
        Some(&ana_id),
    );
    let a = post_with_key(&app, &c.staff, "retry-1", &body).await;
    assert_eq!(a.status(), 201);
    assert_eq!(a.headers()["idempotent-replayed"], "false");
    let a: Value = a.json().await.expect("json");
    let b = post_with_key(&app, &c.staff, "retry-1", &body).await;
    assert_eq!(b.status(), 201);
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    let b: Value = b.json().await.expect("json");
    assert_eq!(a["id"], b["id"]);
    let mut other = body.clone();
    other["start"] = slots[12]["start"].clone();
    let reused = post_with_key(&app, &c.staff, "retry-1", &other).await;
    assert_eq!(reused.status(), 409);

    // Privacy: a patient sees only their own; another's appointment is 404.
    let mine = app.get("/api/appointments", Some(&maria)).await.expect(200);
    assert_eq!(mine.body["total"], 1);
    app.get(&format!("/api/appointments/{maria_appt}"), Some(&ana))
        .await
        .expect_error(404, "not_found");
    app.post(
        &format!("/api/appointments/{maria_appt}/cancel"),
        json!({}),
        Some(&ana),
    )
    .await
    .expect_error(404, "not_found");
    let all = app
        .get("/api/appointments?page_size=100", Some(&c.staff))
        .await
        .expect(200);
    assert_eq!(all.body["total"], 3);

    // Status changes are for clinic roles; completing before the start is refused.
    app.post(
        &format!("/api/appointments/{maria_appt}/check-in"),
        json!({}),
        Some(&maria),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        &format!("/api/appointments/{maria_appt}/complete"),
        json!({}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "too_early");

    // The patient reschedules, then cancels (before the cutoff); staff undo the cancel.
    let moved = slots[15]["start"].as_str().expect("s");
    let r = app
        .post(
            &format!("/api/appointments/{maria_appt}/reschedule"),
            json!({"start": moved}),
            Some(&maria),
        )
        .await
        .expect(200);
    assert_eq!(start_of(&r.body), start_of(&slots[15]));
    app.wait_for_mail("21104567@usc.edu.ph", "moved from").await;
    let r = app
        .post(
            &format!("/api/appointments/{maria_appt}/cancel"),
            json!({"reason": "Exam"}),
            Some(&maria),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "cancelled");
    app.post(
        &format!("/api/appointments/{maria_appt}/cancel"),
        json!({}),
        Some(&maria),
    )
    .await
    .expect_error(409, "invalid_transition");
    let r = app
        .post(
            &format!("/api/appointments/{maria_appt}/undo"),
            json!({"reason": "cancelled by mistake"}),
            Some(&c.staff),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "scheduled");
    app.post(
        &format!("/api/appointments/{maria_appt}/undo"),
        json!({}),
        Some(&c.staff),
    )
    .await
    .expect_error(409, "invalid_transition");
    // The history shows the booking, the move (old and new start) and both status
    // changes with who, when and why; it is the patient's own.
    let h = app
        .get(
            &format!("/api/appointments/{maria_appt}/history"),
            Some(&maria),
        )
        .await
        .expect(200);
    let items = h.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 4, "{items:?}");
    let kinds: Vec<&str> = items
        .iter()
        .map(|i| i["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["booked", "rescheduled", "status", "status"]);
    let instant =
        |v: &Value| DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("rfc3339");
    assert!(items[0]["new_start"].is_string() && items[0].get("old_start").is_none());
    assert_eq!(
        instant(&items[1]["old_start"]),
        instant(&items[0]["new_start"])
    );
    assert_eq!(instant(&items[1]["new_start"]), instant(&json!(moved)));
    assert_eq!(
        (&items[2]["from_status"], &items[2]["to_status"]),
        (&json!("scheduled"), &json!("cancelled"))
    );
    assert_eq!(items[2]["reason"], "Exam");
    assert_eq!(items[2]["undo"], false);
    assert_eq!(items[3]["to_status"], "scheduled");
    assert_eq!(items[3]["undo"], true);
    assert!(
        items[3].get("reason").is_none(),
        "a patient sees cancellation reasons only, and an absent reason is absent, not null: {items:?}"
    );
    assert_ne!(items[2]["by"], items[3]["by"], "the patient, then staff");
    assert!(items[3]["at"].as_str().expect("at").ends_with("+08:00"));
    let staff_view = app
        .get(
            &format!("/api/appointments/{maria_appt}/history"),
            Some(&c.staff),
        )
        .await
        .expect(200);
    assert_eq!(
        staff_view.body["items"][3]["reason"],
        "cancelled by mistake"
    );
    app.get(
        &format!("/api/appointments/{maria_appt}/history"),
        Some(&ana),
    )
    .await
    .expect_error(404, "not_found");

    // Check-in opens two hours before the start.
    app.post(
        &format!("/api/appointments/{forced_id}/check-in"),
        json!({}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "too_early");
    // Completion links the visit's record. It needs an appointment that has started,
    // which only the storage adapter can create (the API refuses past starts).
    let store = SeaOrmAppointmentStore::new(app.db.clone());
    let current = store
        .appointment(AppointmentId::from_uuid(maria_appt.parse().expect("uuid")))
        .await
        .expect("read")
        .expect("exists");
    let mut started = current.clone();
    started.id = AppointmentId::new();
    let shift = (Utc::now() - Duration::minutes(5))
        .duration_trunc(Duration::minutes(1))
        .expect("trunc")
        - started.start;
    started.start += shift;
    started.end += shift;
    started.block_end += shift;
    let mut tx = store.begin().await.expect("tx");
    tx.appointments()
        .insert_appointment(&started)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let record = |patient: &str| {
        json!({"patient_id": patient, "visit_at": (Utc::now() - Duration::minutes(3)).to_rfc3339(),
               "chief_complaint": "Cough for three days", "diagnosis": "Acute upper respiratory infection",
               "treatment": "Rest, fluids, paracetamol as needed"})
    };
    let maria_record = app
        .post("/api/medical-records", record(&maria_id), Some(&c.doctor))
        .await
        .expect(201);
    let ana_record = app
        .post("/api/medical-records", record(&ana_id), Some(&c.doctor))
        .await
        .expect(201);
    let done = format!("/api/appointments/{}/complete", started.id);
    app.post(
        &done,
        json!({"medical_record_id": ana_record.body["id"]}),
        Some(&c.doctor),
    )
    .await
    .expect_error(400, "invalid_input");
    let r = app
        .post(
            &done,
            json!({"medical_record_id": maria_record.body["id"]}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "completed");
    assert_eq!(r.body["medical_record_id"], maria_record.body["id"]);
    app.post(
        &format!("/api/appointments/{}/no-show", started.id),
        json!({}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "invalid_transition");
    let r = app
        .post(
            &format!("/api/appointments/{}/undo", started.id),
            json!({"reason": "wrong patient"}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "scheduled");
    assert!(
        r.body.get("medical_record_id").is_none(),
        "the link goes with the undo"
    );

    // Every read and change was audited with the patient.
    let audit = app
        .get(
            &format!("/api/admin/audit?patient_id={maria_id}&page_size=100"),
            Some(&c.admin),
        )
        .await
        .expect(200);
    let text = audit.body.to_string();
    for action in [
        "appointments.book",
        "appointments.reschedule",
        "appointments.cancel",
        "appointments.undo",
        "appointments.list",
        "appointments.history",
    ] {
        assert!(text.contains(action), "{action} audited");
    }
    app.stop().await;
}

#[tokio::test]
async fn two_hundred_concurrent_bookings_of_one_slot_yield_exactly_capacity() {
    let app = app().await;
    let c = clinic(&app).await;
    let single = kind(&app, &c, "Consultation", 1).await;
    let drive = kind(&app, &c, "Flu vaccination drive", 5).await;
    open_all_week(&app, &c).await;
    let patients: Vec<String> = futures::stream::iter(0..200)
        .map(|i| {
            let (app, c) = (&app, &c);
            async move { walk_in(app, c, i).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let slots = slots_after(&app, &c.staff, &single, Duration::hours(1)).await;

    for (kind_id, slot, capacity) in [(&single, &slots[0], 1usize), (&drive, &slots[3], 5)] {
        let start = slot["start"].as_str().expect("start").to_owned();
        let results = futures::future::join_all(patients.iter().map(|p| {
            let body = booking(kind_id, &c.doctor_id, &start, Some(p));
            let req = app
                .client
                .post(format!("{}/api/appointments", app.base))
                .bearer_auth(&c.staff)
                .json(&body);
            async move {
                let r = req.send().await.expect("sent");
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                (status, body)
            }
        }))
        .await;
        let ok: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == 201)
            .map(|(_, b)| b)
            .collect();
        let refused = results
            .iter()
            .filter(|(s, b)| *s == 409 && b["code"] == "slot_taken")
            .count();
        let mut outcomes: Vec<String> = results
            .iter()
            .map(|(s, b)| format!("{s} {}", b["code"].as_str().unwrap_or("")))
            .collect();
        outcomes.sort();
        outcomes.dedup();
        assert_eq!(
            ok.len(),
            capacity,
            "exactly capacity bookings succeed; outcomes: {outcomes:?}"
        );
        assert_eq!(
            refused,
            200 - capacity,
            "every other request is 409 slot_taken: {results:?}"
        );
        let mut seats: Vec<u64> = ok
            .iter()
            .map(|b| b["seat"].as_u64().expect("seat"))
            .collect();
        seats.sort();
        assert_eq!(seats, (1..=capacity as u64).collect::<Vec<_>>());
    }

    // The database refuses a double booking by itself, bypassing every use-case check.
    let store = SeaOrmAppointmentStore::new(app.db.clone());
    let list = app
        .get("/api/appointments?page_size=100", Some(&c.staff))
        .await
        .expect(200);
    let first = list.body["items"][0]["id"].as_str().expect("id");
    let existing = store
        .appointment(AppointmentId::from_uuid(first.parse().expect("uuid")))
        .await
        .expect("read")
        .expect("exists");
    let stranger: domain::PatientId = walk_in(&app, &c, 999).await.parse().expect("uuid");
    let dentist: domain::UserId = c.dentist_id.parse().expect("uuid");
    let variant =
        |minutes: i64, patient: Option<domain::PatientId>, provider: Option<domain::UserId>| {
            let mut a = existing.clone();
            a.id = AppointmentId::new();
            a.start += Duration::minutes(minutes);
            a.end += Duration::minutes(minutes);
            a.block_end += Duration::minutes(minutes);
            a.patient_id = patient.unwrap_or(a.patient_id);
            a.provider_id = provider.unwrap_or(a.provider_id);
            a
        };
    for (a, want) in [
        (variant(0, Some(stranger), None), Some("slot")), // the same seat of the session
        (variant(5, Some(stranger), None), Some("slot")), // overlapping another session
        (variant(0, None, Some(dentist)), Some("patient_busy")), // the patient elsewhere
        (variant(600, None, None), None),                 // a free time is accepted
    ] {
        let mut tx = store.begin().await.expect("tx");
        let got = tx.appointments().insert_appointment(&a).await;
        match want {
            Some(code) => assert!(
                matches!(&got, Err(StoreError::Conflict { what }) if what == code),
                "{code}: {got:?}"
            ),
            None => assert!(got.is_ok(), "{got:?}"),
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn exceptions_waitlist_reminders_feed_and_dashboard() {
    let app = app().await;
    let c = clinic(&app).await;
    let consult = kind(&app, &c, "Consultation", 1).await;
    let (maria, maria_id) = student(&app, "21104567", "Maria").await;
    let (ana, _ana_id) = student(&app, "21104568", "Ana").await;

    // No weekly hours: one extra opening of exactly one slot, 4 hours from now.
    let at = (Utc::now() + Duration::hours(4))
        .with_second(0)
        .expect("s")
        .with_nanosecond(0)
        .expect("ns");
    app.post(
        &format!("/api/providers/{}/exceptions", c.doctor_id),
        json!({"starts_at": at.to_rfc3339(), "ends_at": (at + Duration::minutes(20)).to_rfc3339(),
               "reason": "Extra clinic hour", "kind": "open"}),
        Some(&c.staff),
    )
    .await
    .expect(201);
    let slots = slots_after(&app, &maria, &consult, Duration::zero()).await;
    assert_eq!(slots.len(), 1, "{slots:?}");
    let start = slots[0]["start"].as_str().expect("s").to_owned();
    let booked = app
        .post(
            "/api/appointments",
            booking(&consult, &c.doctor_id, &start, None),
            Some(&maria),
        )
        .await
        .expect(201);
    let maria_appt = booked.body["id"].as_str().expect("id").to_owned();

    // Ana waits; nothing is free, so no offer yet.
    app.post(
        "/api/waitlist",
        json!({"appointment_type_id": consult}),
        Some(&ana),
    )
    .await
    .expect(201);
    let offers = app
        .get("/api/waitlist/offers", Some(&ana))
        .await
        .expect(200);
    assert_eq!(offers.body.as_array().map(Vec::len), Some(0));

    // Reminder: the appointment starts within 24 h, so the worker sends it exactly once.
    app.wait_for_mail("21104567@usc.edu.ph", "Reminder: your Consultation")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let reminders = app
        .count("SELECT COUNT(*) FROM notifications WHERE kind = 'appointment_reminder'")
        .await;
    assert_eq!(reminders, 1, "one reminder, however many passes ran");

    // Calendar feed: the token is the credential; revoking it ends the feed.
    let feed = app
        .post("/api/appointments/calendar-token", json!({}), Some(&maria))
        .await
        .expect(201);
    let token = feed.body["token"].as_str().expect("token").to_owned();
    assert!(
        feed.body["url"]
            .as_str()
            .expect("url")
            .contains("calendar.ics?token=")
    );
    let ics = app
        .client
        .get(format!(
            "{}/api/appointments/calendar.ics?token={token}",
            app.base
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(ics.status(), 200);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/calendar")
    );
    let text = ics.text().await.expect("text");
    assert!(text.contains("BEGIN:VCALENDAR") && text.contains("BEGIN:VEVENT"));
    assert!(
        text.contains(&format!("UID:{maria_appt}@")),
        "stable UID: {text}"
    );
    assert!(text.contains("STATUS:CONFIRMED"));

    // Dashboard: the patient sees their next appointment; staff see today's counts.
    let d = app.get("/api/dashboard", Some(&maria)).await.expect(200);
    assert_eq!(d.body["next_appointment"]["id"], maria_appt.as_str());
    let d = app.get("/api/dashboard", Some(&c.staff)).await.expect(200);
    assert!(d.body["appointments_today"].is_array());
    assert_eq!(d.body["next_free_slots"][0]["name"], "Consultation");

    // A leave over the slot: the preview lists Maria's appointment and changes nothing.
    let leave = json!({"starts_at": (at - Duration::hours(1)).to_rfc3339(),
                       "ends_at": (at + Duration::hours(1)).to_rfc3339(),
                       "reason": "Sick leave", "cancel_affected": true});
    let p = app
        .post(
            &format!("/api/providers/{}/exceptions?preview=true", c.doctor_id),
            leave.clone(),
            Some(&c.staff),
        )
        .await
        .expect(200);
    assert_eq!(p.body["preview"], true);
    assert_eq!(p.body["affected"][0]["id"], maria_appt.as_str());
    let still = app
        .get(&format!("/api/appointments/{maria_appt}"), Some(&maria))
        .await
        .expect(200);
    assert_eq!(still.body["status"], "scheduled");
    assert_eq!(
        app.get(
            &format!("/api/providers/{}/exceptions", c.doctor_id),
            Some(&maria)
        )
        .await
        .expect(200)
        .body
        .as_array()
        .map(Vec::len),
        Some(1),
        "the preview stored nothing"
    );
    let seen = app
        .get(
            &format!("/api/providers/{}/schedule", c.doctor_id),
            Some(&maria),
        )
        .await
        .expect(200);
    assert_eq!(
        seen.body["exceptions"][0]["reason"], "Unavailable",
        "reasons are for staff"
    );

    // Maria cancels instead: the freed slot is offered to Ana (the longest waiting).
    app.post(
        &format!("/api/appointments/{maria_appt}/cancel"),
        json!({}),
        Some(&maria),
    )
    .await
    .expect(200);
    let offers = app
        .get("/api/waitlist/offers", Some(&ana))
        .await
        .expect(200);
    let offer = offers.body[0].clone();
    assert_eq!(offer["status"], "open", "{offers:?}");
    assert_eq!(offer["start"], start.as_str());
    app.wait_for_mail("21104568@usc.edu.ph", "A Consultation slot opened")
        .await;
    // While it is held, nobody else can take it.
    app.post(
        "/api/appointments",
        booking(&consult, &c.doctor_id, &start, None),
        Some(&maria),
    )
    .await
    .expect_error(409, "slot_taken");
    let claimed = app
        .post(
            &format!(
                "/api/waitlist/offers/{}/claim",
                offer["id"].as_str().expect("id")
            ),
            json!({}),
            Some(&ana),
        )
        .await
        .expect(200);
    assert_eq!(claimed.body["status"], "scheduled");
    let entries = app.get("/api/waitlist", Some(&ana)).await.expect(200);
    assert_eq!(entries.body["items"][0]["status"], "booked");

    // Now the leave for real: Ana's appointment is cancelled and she is told.
    let r = app
        .post(
            &format!("/api/providers/{}/exceptions", c.doctor_id),
            leave,
            Some(&c.staff),
        )
        .await
        .expect(201);
    assert_eq!(r.body["cancelled"], 1);
    app.wait_for_mail("21104568@usc.edu.ph", "Sick leave").await;

    // Maria's feed marks her cancelled appointment CANCELLED; after revoking, 401.
    let text = app
        .client
        .get(format!(
            "{}/api/appointments/calendar.ics?token={token}",
            app.base
        ))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(text.contains("STATUS:CANCELLED"), "{text}");
    app.call(
        Method::DELETE,
        "/api/appointments/calendar-token",
        None,
        Some(&maria),
    )
    .await
    .expect(204);
    let gone = app
        .client
        .get(format!(
            "{}/api/appointments/calendar.ics?token={token}",
            app.base
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(gone.status(), 401);
    let _ = maria_id;
    app.stop().await;
}

/// Fires two changes of one appointment at the same moment and returns both statuses.
async fn pair(
    app: &TestApp,
    token: &str,
    a: (String, Value),
    b: (String, Value),
) -> [(u16, Value); 2] {
    let send = |(path, body): (String, Value)| {
        let req = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(&body);
        async move {
            let r = req.send().await.expect("sent");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (x, y) = futures::join!(send(a), send(b));
    [x, y]
}

/// The lock order holds and contention never answers 5xx: 30 concurrent
/// reschedule + undo pairs on cancelled appointments (the pair that deadlocked on
/// PostgreSQL: reschedule locked the provider then the row, undo the row then the
/// provider), then 30 concurrent cancel + reschedule pairs on scheduled ones.
#[tokio::test]
async fn concurrent_changes_of_one_appointment_never_answer_5xx() {
    let app = app().await;
    let c = clinic(&app).await;
    let consult = kind(&app, &c, "Consultation", 1).await;
    open_all_week(&app, &c).await;
    let slots = slots_after(&app, &c.staff, &consult, Duration::hours(1)).await;
    assert!(slots.len() >= 120, "{} slots", slots.len());
    let mut booked = Vec::new();
    for i in 0..60 {
        let patient = walk_in(&app, &c, i).await;
        let start = slots[2 * i]["start"].as_str().expect("start");
        let r = app
            .post(
                "/api/appointments",
                booking(&consult, &c.doctor_id, start, Some(&patient)),
                Some(&c.staff),
            )
            .await
            .expect(201);
        let target = slots[2 * i + 1]["start"]
            .as_str()
            .expect("start")
            .to_owned();
        booked.push((r.body["id"].as_str().expect("id").to_owned(), target));
    }
    let (undone, cancelled) = booked.split_at(30);
    for (id, _) in undone {
        app.post(
            &format!("/api/appointments/{id}/cancel"),
            json!({"reason": "test"}),
            Some(&c.staff),
        )
        .await
        .expect(200);
    }

    let mut outcomes = Vec::new();
    let reschedule_undo = futures::future::join_all(undone.iter().map(|(id, target)| {
        pair(
            &app,
            &c.staff,
            (
                format!("/api/appointments/{id}/reschedule"),
                json!({"start": target}),
            ),
            (
                format!("/api/appointments/{id}/undo"),
                json!({"reason": "cancelled by mistake"}),
            ),
        )
    }));
    outcomes.extend(reschedule_undo.await.into_iter().flatten());
    let cancel_reschedule = futures::future::join_all(cancelled.iter().map(|(id, target)| {
        pair(
            &app,
            &c.staff,
            (format!("/api/appointments/{id}/cancel"), json!({})),
            (
                format!("/api/appointments/{id}/reschedule"),
                json!({"start": target}),
            ),
        )
    }));
    outcomes.extend(cancel_reschedule.await.into_iter().flatten());

    assert_eq!(outcomes.len(), 120);
    let failed: Vec<&(u16, Value)> = outcomes.iter().filter(|(s, _)| *s >= 500).collect();
    assert!(failed.is_empty(), "5xx answers: {failed:?}");
    for (status, body) in &outcomes {
        assert!(
            *status == 200 || (*status == 409 && body["code"] == "invalid_transition"),
            "each change either happens or finds the other one done: {status} {body}"
        );
    }
    // Every undo of a cancellation succeeded (nothing else holds those slots).
    for (id, _) in undone {
        let r = app
            .get(&format!("/api/appointments/{id}"), Some(&c.staff))
            .await
            .expect(200);
        assert_eq!(r.body["status"], "scheduled", "undo of {id} lost");
    }
    app.stop().await;
}

/// A checked-in patient seen before the scheduled start can be completed; a no-show, and
/// completing a visit nobody checked in, still wait for the start.
#[tokio::test]
async fn a_checked_in_visit_completes_before_its_start() {
    let app = app().await;
    let c = clinic(&app).await;
    let consult = kind(&app, &c, "Consultation", 1).await;
    open_all_week(&app, &c).await;
    let (_, ana_id) = student(&app, "21104570", "Ana").await;
    let (_, bea_id) = student(&app, "21104571", "Bea").await;
    // Slots whose check-in is open (it opens two hours before the start).
    let soon: Vec<Value> = slots_after(&app, &c.staff, &consult, Duration::minutes(30))
        .await
        .into_iter()
        .filter(|s| start_of(s) < Utc::now() + Duration::minutes(110))
        .collect();
    assert!(soon.len() >= 2, "{soon:?}");
    let mut ids = vec![];
    for (slot, patient) in soon.iter().zip([&ana_id, &bea_id]) {
        let start = slot["start"].as_str().expect("start");
        let r = app
            .post(
                "/api/appointments",
                booking(&consult, &c.doctor_id, start, Some(patient)),
                Some(&c.staff),
            )
            .await
            .expect(201);
        ids.push(r.body["id"].as_str().expect("id").to_owned());
    }
    let act = |id: &str, what: &str| format!("/api/appointments/{id}/{what}");

    app.post(&act(&ids[0], "check-in"), json!({}), Some(&c.staff))
        .await
        .expect(200);
    let done = app
        .post(&act(&ids[0], "complete"), json!({}), Some(&c.doctor))
        .await
        .expect(200);
    assert_eq!(done.body["status"], "completed");

    for what in ["no-show", "complete"] {
        app.post(&act(&ids[1], what), json!({}), Some(&c.staff))
            .await
            .expect_error(409, "too_early");
    }
}
