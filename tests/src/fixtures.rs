//! Fixtures shared by the end-to-end suites: a clinic with one account of each clinic
//! role, students with a completed patient profile, and walk-in patients.

use serde_json::{Value, json};

use crate::TestApp;

/// The password of every student account the fixtures register.
pub const PW: &str = "Str0ngPass!";

/// A clinic: one account of each clinic role, as tokens, with the provider ids.
pub struct Clinic {
    /// The ADMIN's token.
    pub admin: String,
    /// The STAFF member's token.
    pub staff: String,
    /// The DOCTOR's token.
    pub doctor: String,
    /// The DOCTOR's user id (a provider).
    pub doctor_id: String,
    /// The DENTIST's token.
    pub dentist: String,
    /// The DENTIST's user id (a provider).
    pub dentist_id: String,
    /// The NURSE's token.
    pub nurse: String,
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Creates the ADMIN and, through the safe list, a STAFF member, a DOCTOR, a DENTIST and
/// a NURSE, each logged in.
pub async fn clinic(app: &TestApp) -> Clinic {
    let (admin, _) = app.admin().await;
    let (staff, _) = app.staff(&admin, "clinicstaff@usc.edu.ph", "STAFF").await;
    let (doctor, d) = app.staff(&admin, "jdelacruz@usc.edu.ph", "DOCTOR").await;
    let (dentist, de) = app.staff(&admin, "mlim@usc.edu.ph", "DENTIST").await;
    let (nurse, _) = app.staff(&admin, "rgarcia@usc.edu.ph", "NURSE").await;
    Clinic {
        admin,
        staff,
        doctor,
        doctor_id: id(&d),
        dentist,
        dentist_id: id(&de),
        nurse,
    }
}

/// A student `<number>@usc.edu.ph` (password [`PW`]) who completed their patient profile:
/// name `first` Reyes, born 2004-06-12, female, a phone, plus the fields of `extra` (an
/// object; its fields win). Checks that the USC ID and email come from the account;
/// returns (token, the profile as answered).
pub async fn student_with(
    app: &TestApp,
    number: &str,
    first: &str,
    extra: Value,
) -> (String, Value) {
    let email = format!("{number}@usc.edu.ph");
    let (token, _) = app.registered_user(&email, PW).await;
    let mut profile = json!({"first_name": first, "last_name": "Reyes",
                             "date_of_birth": "2004-06-12", "sex": "F", "phone": "09171234567"});
    if let (Some(base), Value::Object(more)) = (profile.as_object_mut(), extra) {
        base.extend(more);
    }
    let r = app
        .patch("/api/patients/me", profile, Some(&token))
        .await
        .expect(200);
    assert_eq!(
        r.body["usc_id"], number,
        "the USC ID comes from the student email"
    );
    assert_eq!(r.body["email"], email);
    (token, r.body)
}

/// A student with the minimal patient profile of [`student_with`]: (token, patient id).
pub async fn student(app: &TestApp, number: &str, first: &str) -> (String, String) {
    let (token, profile) = student_with(app, number, first, json!({})).await;
    (token, id(&profile))
}

/// A patient created by staff (no account, no email): `Walk<i>` In; returns the id.
pub async fn walk_in(app: &TestApp, c: &Clinic, i: usize) -> String {
    let r = app
        .post(
            "/api/patients",
            json!({"first_name": format!("Walk{i}"), "last_name": "In", "date_of_birth": "2003-01-15",
                   "sex": "M"}),
            Some(&c.staff),
        )
        .await
        .expect(201);
    id(&r.body)
}

/// Opens the clinic's doctor every day, all day (clinic time), so tests do not depend on
/// the hour; returns the schedule as answered.
pub async fn open_all_week(app: &TestApp, c: &Clinic) -> Value {
    let weekly: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:59"}))
        .collect();
    app.call(
        reqwest::Method::PUT,
        &format!("/api/providers/{}/schedule", c.doctor_id),
        Some(json!({"weekly": weekly})),
        Some(&c.doctor),
    )
    .await
    .expect(200)
    .body
}

/// A doctor's appointment type of `minutes` (no buffer, one patient) made by staff;
/// returns its id.
pub async fn consultation(app: &TestApp, c: &Clinic, minutes: u32) -> String {
    let r = app
        .post(
            "/api/appointment-types",
            json!({"name": "Consultation", "duration_minutes": minutes, "buffer_minutes": 0,
                   "provider_roles": ["DOCTOR"], "capacity": 1}),
            Some(&c.staff),
        )
        .await
        .expect(201);
    id(&r.body)
}
