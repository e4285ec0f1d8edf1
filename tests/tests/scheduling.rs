//! Scheduling administration end to end: the provider directory patients book from, and
//! slots that name their provider.

use e2e_tests::{clinic, consultation, open_all_week, spawn_app, student};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn patients_find_providers_and_slots_name_them() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, _) = student(&app, "21104567", "Maria").await;
    let mut types = Vec::new();
    for (name, role) in [("Consultation", "DOCTOR"), ("Dental cleaning", "DENTIST")] {
        let r = app
            .post(
                "/api/appointment-types",
                json!({"name": name, "duration_minutes": 30, "buffer_minutes": 0,
                       "provider_roles": [role], "capacity": 1}),
                Some(&c.staff),
            )
            .await
            .expect(201);
        types.push(r.body["id"].as_str().expect("id").to_owned());
    }

    // Any signed-in user; the nurse gives no type, so is not listed.
    let r = app.get("/api/providers", Some(&maria)).await.expect(200);
    let listed: Vec<(String, String, Vec<String>)> = r
        .body
        .as_array()
        .expect("list")
        .iter()
        .map(|p| {
            let types = p["appointment_types"]
                .as_array()
                .expect("types")
                .iter()
                .map(|t| t["name"].as_str().expect("name").to_owned())
                .collect();
            (
                p["name"].as_str().expect("name").to_owned(),
                p["role"].as_str().expect("role").to_owned(),
                types,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "Clinic DENTIST".to_owned(),
                "DENTIST".to_owned(),
                vec!["Dental cleaning".to_owned()]
            ),
            (
                "Clinic DOCTOR".to_owned(),
                "DOCTOR".to_owned(),
                vec!["Consultation".to_owned()]
            ),
        ]
    );
    assert_eq!(r.body[1]["user_id"], c.doctor_id.as_str());
    assert_eq!(r.body[1]["appointment_types"][0]["id"], types[0].as_str());
    app.get("/api/providers", None)
        .await
        .expect_error(401, "unauthenticated");

    // Slots carry the provider's name.
    open_all_week(&app, &c).await;
    let r = app
        .get(
            &format!("/api/appointments/slots?appointment_type_id={}", types[0]),
            Some(&maria),
        )
        .await
        .expect(200);
    let first = &r.body["items"][0];
    assert_eq!(first["provider_id"], c.doctor_id.as_str());
    assert_eq!(first["provider_name"], "Clinic DOCTOR");
    app.stop().await;
}

#[tokio::test]
async fn appointment_types_are_edited_and_retired_and_bookings_stay() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = student(&app, "21104567", "Maria").await;
    open_all_week(&app, &c).await;
    let t = consultation(&app, &c, 15).await;
    let slots_path = format!("/api/appointments/slots?appointment_type_id={t}");
    let slots = app.get(&slots_path, Some(&maria)).await.expect(200).body;
    let booked = app
        .post(
            "/api/appointments",
            json!({"appointment_type_id": t, "provider_id": c.doctor_id,
                   "start": slots["items"][3]["start"], "patient_id": pid}),
            Some(&c.staff),
        )
        .await
        .expect(201)
        .body;

    // Only ADMIN/STAFF edit; the same limits as creation.
    let path = format!("/api/appointment-types/{t}");
    app.patch(&path, json!({"duration_minutes": 30}), Some(&c.doctor))
        .await
        .expect_error(403, "forbidden");
    let r = app
        .patch(&path, json!({"duration_minutes": 1000}), Some(&c.staff))
        .await
        .expect_error(400, "invalid_input");
    assert_eq!(
        r.body["details"]["duration_minutes"],
        "must be 5 to 480 minutes"
    );
    let r = app
        .patch(
            &path,
            json!({"name": "General consultation", "duration_minutes": 30}),
            Some(&c.staff),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.body["name"].as_str(), r.body["duration_minutes"].as_i64()),
        (Some("General consultation"), Some(30))
    );

    // Retired: no slots, no new booking; the booked appointment keeps its times.
    app.patch(&path, json!({"active": false}), Some(&c.staff))
        .await
        .expect(200);
    let slots = app.get(&slots_path, Some(&maria)).await.expect(200).body;
    assert_eq!(slots["items"], json!([]));
    app.post(
        "/api/appointments",
        json!({"appointment_type_id": t, "provider_id": c.doctor_id,
               "start": booked["start"], "patient_id": pid, "force": true}),
        Some(&c.staff),
    )
    .await
    .expect_error(400, "invalid_input");
    let kept = app
        .get(
            &format!("/api/appointments/{}", booked["id"].as_str().expect("id")),
            Some(&maria),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        (&kept["start"], &kept["end"]),
        (&booked["start"], &booked["end"])
    );
    assert_eq!(kept["status"], "scheduled");
    assert_eq!(app.audited("appointment_types.update").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn certificate_templates_are_edited_and_retired_by_an_admin() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = student(&app, "21104567", "Maria").await;
    let templates = app
        .get("/api/certificate-templates", Some(&c.doctor))
        .await
        .expect(200)
        .body;
    let id = templates[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(templates[0]["active"], true);
    let path = format!("/api/certificate-templates/{id}");
    app.patch(&path, json!({"form_code": "X"}), Some(&c.staff))
        .await
        .expect_error(403, "forbidden");
    app.patch(&path, json!({"body": "Hello {{nickname}}"}), Some(&c.admin))
        .await
        .expect_error(400, "invalid_input");
    let r = app
        .patch(
            &path,
            json!({"body": "This is to certify that {{patient_name}} is {{fitness_status}}.",
                   "form_code": "ACA-HSD-04F"}),
            Some(&c.admin),
        )
        .await
        .expect(200);
    assert_eq!(r.body["form_code"], "ACA-HSD-04F");
    app.patch(&path, json!({"active": false}), Some(&c.admin))
        .await
        .expect(200);
    let r = app
        .post(
            "/api/medical-certificates",
            json!({"patient_id": pid, "template_id": id, "purpose": "Tour",
                   "valid_from": "2026-11-01", "valid_until": "2026-11-30", "fitness": "fit"}),
            Some(&c.doctor),
        )
        .await
        .expect_error(400, "invalid_input");
    assert!(
        r.body["details"]["template_id"]
            .as_str()
            .is_some_and(|m| m.contains("retired"))
    );
    app.stop().await;
}

#[tokio::test]
async fn clinic_roles_delete_a_document_and_its_file() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = student(&app, "21104567", "Maria").await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let doc = app
        .upload(
            &format!("/api/patients/{pid}/documents"),
            &c.nurse,
            "lab.pdf",
            pdf,
            &[],
        )
        .await
        .expect(201)
        .body;
    let doc_id = doc["id"].as_str().expect("id").to_owned();
    let file = app
        .data_dir
        .join("media/patient-documents")
        .join(&pid)
        .join(&doc_id);
    assert!(file.exists(), "{}", file.display());

    let path = format!("/api/patients/{pid}/documents/{doc_id}");
    app.call(Method::DELETE, &path, None, Some(&maria))
        .await
        .expect_error(403, "forbidden");
    app.call(Method::DELETE, &path, None, Some(&c.nurse))
        .await
        .expect(204);
    assert!(!file.exists(), "the object is removed from the media store");
    app.get(&format!("{path}/download"), Some(&c.nurse))
        .await
        .expect_error(404, "not_found");
    app.call(Method::DELETE, &path, None, Some(&c.nurse))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.audited("documents.delete").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn leaves_and_closures_are_listed_changed_and_removed() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = student(&app, "21104567", "Maria").await;
    open_all_week(&app, &c).await;
    let t = consultation(&app, &c, 30).await;
    let slots = app
        .get(
            &format!("/api/appointments/slots?appointment_type_id={t}"),
            Some(&maria),
        )
        .await
        .expect(200)
        .body;
    let slot = &slots["items"][10];
    let booked = app
        .post(
            "/api/appointments",
            json!({"appointment_type_id": t, "provider_id": c.doctor_id,
                   "start": slot["start"], "patient_id": pid}),
            Some(&c.staff),
        )
        .await
        .expect(201)
        .body;
    let appointment = booked["id"].as_str().expect("id").to_owned();

    // A leave over the booking, without cancelling it: the answer names the booking,
    // and the staff dashboard shows it outside availability.
    let leaves = format!("/api/providers/{}/exceptions", c.doctor_id);
    let r = app
        .post(
            &leaves,
            json!({"starts_at": slot["start"], "ends_at": slot["end"], "reason": "Seminar"}),
            Some(&c.doctor),
        )
        .await
        .expect(201);
    assert_eq!(r.body["affected"][0]["id"], appointment.as_str());
    let leave = r.body["exception"]["id"].as_str().expect("id").to_owned();
    let outside = |body: &Value| -> Vec<String> {
        body["outside_availability"]
            .as_array()
            .expect("list")
            .iter()
            .map(|o| o["appointment_id"].as_str().expect("id").to_owned())
            .collect()
    };
    let dash = app
        .get("/api/dashboard", Some(&c.staff))
        .await
        .expect(200)
        .body;
    assert_eq!(outside(&dash), std::slice::from_ref(&appointment));
    assert_eq!(
        dash["outside_availability"][0]["provider_name"],
        "Clinic DOCTOR"
    );

    let one = format!("{leaves}/{leave}");
    let r = app.get(&one, Some(&c.staff)).await.expect(200);
    assert_eq!(r.body["reason"], "Seminar");
    app.patch(&one, json!({"reason": "Mine now"}), Some(&maria))
        .await
        .expect_error(403, "forbidden");

    // Moved a day later, nothing conflicts any more.
    let later = |v: &Value| {
        let t = chrono::DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("time");
        (t + chrono::Duration::days(1)).to_rfc3339()
    };
    let r = app
        .patch(
            &one,
            json!({"starts_at": later(&slot["start"]), "ends_at": later(&slot["end"])}),
            Some(&c.staff),
        )
        .await
        .expect(200);
    assert_eq!(r.body["affected"], json!([]));
    assert_eq!(r.body["exception"]["reason"], "Seminar");
    let dash = app
        .get("/api/dashboard", Some(&c.staff))
        .await
        .expect(200)
        .body;
    assert!(outside(&dash).is_empty());

    // Removed: the leave's time is bookable again; the removal is audited.
    app.call(Method::DELETE, &one, None, Some(&c.doctor))
        .await
        .expect(204);
    app.get(&one, Some(&c.staff))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.audited("schedules.exception_delete").await, 1);

    // Clinic closures the same way, ADMIN/STAFF only.
    let r = app
        .post(
            "/api/clinic/closures",
            json!({"starts_at": slot["start"], "ends_at": slot["end"], "reason": "Holiday",
                   "cancel_affected": false}),
            Some(&c.staff),
        )
        .await
        .expect(201);
    let closure = format!(
        "/api/clinic/closures/{}",
        r.body["exception"]["id"].as_str().expect("id")
    );
    app.call(Method::DELETE, &closure, None, Some(&c.doctor))
        .await
        .expect_error(403, "forbidden");
    // Changed with cancel_affected: the booking is cancelled and no longer outside.
    let r = app
        .patch(&closure, json!({"cancel_affected": true}), Some(&c.staff))
        .await
        .expect(200);
    assert_eq!(r.body["cancelled"], 1);
    let a = app
        .get(&format!("/api/appointments/{appointment}"), Some(&c.staff))
        .await
        .expect(200);
    assert_eq!(a.body["status"], "cancelled");
    app.call(Method::DELETE, &closure, None, Some(&c.staff))
        .await
        .expect(204);
    app.stop().await;
}

#[tokio::test]
async fn an_opening_with_bookings_is_not_removed_under_them() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = student(&app, "21104567", "Maria").await;
    let t = consultation(&app, &c, 30).await;
    // No weekly hours: only an extra opening tomorrow makes the doctor bookable.
    let start = (chrono::Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(1, 0, 0)
        .expect("time")
        .and_utc();
    let leaves = format!("/api/providers/{}/exceptions", c.doctor_id);
    let opening = app
        .post(
            &leaves,
            json!({"starts_at": start.to_rfc3339(), "ends_at": (start + chrono::Duration::hours(3)).to_rfc3339(),
                   "reason": "Saturday clinic", "kind": "open"}),
            Some(&c.staff),
        )
        .await
        .expect(201)
        .body["exception"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let booked = app
        .post(
            "/api/appointments",
            json!({"appointment_type_id": t, "provider_id": c.doctor_id,
                   "start": start.to_rfc3339(), "patient_id": pid}),
            Some(&c.staff),
        )
        .await
        .expect(201)
        .body;
    let one = format!("{leaves}/{opening}");
    let r = app
        .call(Method::DELETE, &one, None, Some(&c.staff))
        .await
        .expect_error(409, "invalid_state");
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("1 appointment"))
    );
    app.post(
        &format!(
            "/api/appointments/{}/cancel",
            booked["id"].as_str().expect("id")
        ),
        json!({"reason": "Moved to Monday"}),
        Some(&c.staff),
    )
    .await
    .expect(200);
    app.call(Method::DELETE, &one, None, Some(&c.staff))
        .await
        .expect(204);
    app.stop().await;
}
