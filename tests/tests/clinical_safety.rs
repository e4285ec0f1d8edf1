//! Clinical safety end to end: allergies with provenance (a patient cannot erase what a
//! clinician recorded), the drug-class allergy check with cross-reactivity (dental
//! anaesthesia included), duplicate patients, and revisions with old and new values.

use e2e_tests::{TestApp, clinic, spawn_app, student};
use serde_json::{Value, json};

fn visit(patient: &str, medication: &str) -> Value {
    json!({
        "patient_id": patient,
        "visit_at": "2026-03-02T09:30:00+08:00",
        "chief_complaint": "Sore throat for 2 days",
        "diagnosis": "Acute bacterial tonsillopharyngitis",
        "treatment": "Antibiotic for 7 days, fluids, rest",
        "medications": [{"name": medication, "dose": "500 mg q8h"}]
    })
}

/// The revisions at `path`, as a clinic role reads them.
async fn revisions(app: &TestApp, path: &str, token: &str) -> Value {
    app.get(path, Some(token)).await.expect(200).body
}

fn substances(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|a| a["substance"].as_str().expect("substance").to_owned())
        .collect()
}

#[tokio::test]
async fn a_patient_cannot_erase_the_allergies_a_nurse_recorded() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = student(&app, "21104567", "Maria").await;
    let penicillin =
        json!({"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"});

    // The nurse records it: clinician-recorded, with who and when.
    let r = app
        .patch(
            &format!("/api/patients/{pid}"),
            json!({"allergies": [penicillin]}),
            Some(&c.nurse),
        )
        .await
        .expect(200);
    let entry = &r.body["allergies"][0];
    assert_eq!(entry["source"], "clinician_recorded");
    assert_eq!(entry["status"], "active");
    assert!(entry["recorded_by"].is_string() && entry["recorded_at"].is_string());
    let allergy_id = entry["id"].as_str().expect("id").to_owned();

    // The student can neither erase it nor change it: 403 naming the entry.
    for list in [
        json!([]),
        json!([{"substance": "Penicillin", "severity": "mild"}]),
    ] {
        let r = app
            .patch("/api/patients/me", json!({"allergies": list}), Some(&maria))
            .await
            .expect_error(403, "forbidden");
        assert!(
            r.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("Penicillin")),
            "{}",
            r.body
        );
    }
    // They may repeat it and add their own report; the prescription is still stopped.
    let r = app
        .patch(
            "/api/patients/me",
            json!({"allergies": [penicillin, {"substance": "Shellfish", "severity": "mild"}]}),
            Some(&maria),
        )
        .await
        .expect(200);
    assert_eq!(
        substances(&r.body["allergies"]),
        ["Penicillin", "Shellfish"]
    );
    assert_eq!(r.body["allergies"][1]["source"], "patient_reported");
    let r = app
        .post(
            "/api/medical-records",
            visit(&pid, "Penicillin V"),
            Some(&c.doctor),
        )
        .await
        .expect_error(409, "allergy_conflict");
    assert_eq!(r.body["details"]["conflicts[0].allergy"], "Penicillin");

    // The student withdraws their own report: it leaves the list, stays in the history.
    let r = app
        .patch(
            "/api/patients/me",
            json!({"allergies": [penicillin]}),
            Some(&maria),
        )
        .await
        .expect(200);
    assert_eq!(substances(&r.body["allergies"]), ["Penicillin"]);
    assert_eq!(substances(&r.body["allergy_history"]), ["Shellfish"]);
    assert_eq!(r.body["allergy_history"][0]["status"], "entered_in_error");

    // A clinician does not drop an allergy silently either: it is closed with a reason.
    app.patch(
        &format!("/api/patients/{pid}"),
        json!({"allergies": []}),
        Some(&c.nurse),
    )
    .await
    .expect_error(400, "invalid_input");
    let close = format!("/api/patients/{pid}/allergies/{allergy_id}/close");
    app.post(
        &close,
        json!({"status": "resolved", "reason": "ok"}),
        Some(&c.doctor),
    )
    .await
    .expect_error(400, "invalid_input");
    app.post(
        &close,
        json!({"status": "resolved", "reason": "Negative oral challenge"}),
        Some(&maria),
    )
    .await
    .expect_error(403, "forbidden");
    let r = app
        .post(
            &close,
            json!({"status": "resolved", "reason": "Negative oral challenge, 2026-03-01"}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["allergies"], json!([]));
    let closed = &r.body["allergy_history"][0];
    assert_eq!(
        (closed["substance"].as_str(), closed["status"].as_str()),
        (Some("Penicillin"), Some("resolved"))
    );
    assert_eq!(
        closed["closed_reason"],
        "Negative oral challenge, 2026-03-01"
    );
    app.post(
        &close,
        json!({"status": "resolved", "reason": "again"}),
        Some(&c.doctor),
    )
    .await
    .expect_error(404, "not_found");
    // Now the prescription passes.
    app.post(
        "/api/medical-records",
        visit(&pid, "Penicillin V"),
        Some(&c.doctor),
    )
    .await
    .expect(201);

    // Every allergy change is in the patient's revisions, with old and new values.
    let revs = revisions(&app, &format!("/api/patients/{pid}/revisions"), &c.nurse).await;
    let fields: Vec<&str> = revs
        .as_array()
        .expect("list")
        .iter()
        .flat_map(|r| r["changes"].as_array().expect("changes"))
        .map(|c| c["field"].as_str().expect("field"))
        .collect();
    assert_eq!(
        fields,
        [
            "allergies.Penicillin",
            "allergies.Shellfish",
            "allergies.Shellfish",
            "allergies.Penicillin"
        ]
    );
    let last = &revs[3]["changes"][0];
    assert!(last["old"].as_str().is_some_and(|s| s.contains("active")));
    assert!(last["new"].as_str().is_some_and(|s| s.contains("resolved")));
    app.get(&format!("/api/patients/{pid}/revisions"), Some(&maria))
        .await
        .expect_error(403, "forbidden");
    app.stop().await;
}

#[tokio::test]
async fn the_allergy_check_knows_drug_classes_and_cross_reactivity() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = student(&app, "21104567", "Maria").await;
    app.patch(
        &format!("/api/patients/{pid}"),
        json!({"allergies": [
            {"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"},
            {"substance": "Articaine", "severity": "moderate"}
        ]}),
        Some(&c.nurse),
    )
    .await
    .expect(200);

    for (medication, kind, class) in [
        ("Amoxicillin", "same_class", "penicillins"),
        ("Augmentin 625", "same_class", "penicillins"),
        ("Cefalexin", "cross_reactivity", "cephalosporins"),
        ("Meropenem", "cross_reactivity", "carbapenems"),
    ] {
        let r = app
            .post(
                "/api/medical-records",
                visit(&pid, medication),
                Some(&c.doctor),
            )
            .await
            .expect_error(409, "allergy_conflict");
        let d = &r.body["details"];
        assert_eq!(
            (
                d["conflicts[0].medication"].as_str(),
                d["conflicts[0].allergy"].as_str(),
                d["conflicts[0].kind"].as_str(),
                d["conflicts[0].class"].as_str()
            ),
            (
                Some(medication),
                Some("Penicillin"),
                Some(kind),
                Some(class)
            ),
            "{medication}"
        );
        assert!(
            r.body["message"]
                .as_str()
                .is_some_and(|m| m.contains(class)),
            "{}",
            r.body
        );
    }
    app.post(
        "/api/medical-records",
        visit(&pid, "Azithromycin"),
        Some(&c.doctor),
    )
    .await
    .expect(201);

    // Dental anaesthesia is checked too: lidocaine is an amide, like articaine.
    let mut dental = json!({
        "patient_id": pid, "visit_at": "2026-03-05T14:00:00+08:00", "procedure": "EXTRACTION",
        "tooth_numbers": [38], "anesthesia_used": true,
        "anesthesia_type": "Lidocaine 2% with epinephrine"
    });
    let r = app
        .post("/api/dental-records", dental.clone(), Some(&c.dentist))
        .await
        .expect_error(409, "allergy_conflict");
    assert_eq!(
        r.body["details"]["conflicts[0].class"],
        "amide local anaesthetics"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM dental_records").await, 0);
    // A reason overrides, and the override is audited.
    dental["override_reason"] = json!("No alternative; skin test negative, monitored");
    app.post("/api/dental-records", dental, Some(&c.dentist))
        .await
        .expect(201);
    assert_eq!(app.audited("dental_records.allergy_override").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_second_patient_with_the_same_name_and_birth_needs_confirmation() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let juan = json!({"first_name": "Juan", "last_name": "Dela Cruz", "date_of_birth": "2001-01-01",
                      "sex": "M", "usc_id": "20100001"});
    let first = app
        .post("/api/patients", juan, Some(&c.staff))
        .await
        .expect(201)
        .body;
    let again = json!({"first_name": "JUAN", "last_name": "dela cruz", "date_of_birth": "2001-01-01",
                       "sex": "M"});
    let r = app
        .post("/api/patients", again.clone(), Some(&c.staff))
        .await
        .expect_error(409, "possible_duplicate");
    let d = &r.body["details"];
    assert_eq!(d["candidates[0].id"], first["id"]);
    assert_eq!(d["candidates[0].name"], "Juan Dela Cruz");
    assert_eq!(d["candidates[0].usc_id"], "20100001");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM patients").await,
        1,
        "nothing written"
    );

    // Another birthday, or another name, is no candidate.
    let mut other_day = again.clone();
    other_day["date_of_birth"] = json!("2001-01-02");
    app.post("/api/patients", other_day, Some(&c.staff))
        .await
        .expect(201);
    // Confirmed, it is created.
    let mut confirmed = again;
    confirmed["confirm_new"] = json!(true);
    app.post("/api/patients", confirmed, Some(&c.staff))
        .await
        .expect(201);
    assert_eq!(app.count("SELECT COUNT(*) FROM patients").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn revisions_show_old_and_new_values_of_records_and_patients() {
    // (Also: a phone number keeps its international form, `+` included.)
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = student(&app, "21104567", "Maria").await;
    let record = app
        .post(
            "/api/medical-records",
            visit(&pid, "Azithromycin"),
            Some(&c.doctor),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.patch(
        &format!("/api/medical-records/{record}"),
        json!({"diagnosis": "Acute viral pharyngitis", "notes": "Recheck in 3 days"}),
        Some(&c.doctor),
    )
    .await
    .expect(200);
    let revs = app
        .get(
            &format!("/api/medical-records/{record}/revisions"),
            Some(&c.nurse),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(revs[0]["changed_fields"], json!(["diagnosis", "notes"]));
    assert_eq!(
        revs[0]["changes"],
        json!([
            {"field": "diagnosis", "old": "Acute bacterial tonsillopharyngitis",
             "new": "Acute viral pharyngitis"},
            {"field": "notes", "new": "Recheck in 3 days"}
        ])
    );

    app.patch(
        &format!("/api/patients/{pid}"),
        json!({"blood_type": "O+", "phone": "+63 918 123 4567"}),
        Some(&c.nurse),
    )
    .await
    .expect(200);
    let revs = revisions(&app, &format!("/api/patients/{pid}/revisions"), &c.doctor).await;
    assert_eq!(revs[0]["version"], 1);
    assert_eq!(
        revs[0]["changes"],
        json!([
            {"field": "phone", "old": "09171234567", "new": "+639181234567"},
            {"field": "blood_type", "new": "O+"}
        ])
    );
    // A change that changes nothing keeps no revision.
    app.patch(
        &format!("/api/patients/{pid}"),
        json!({"blood_type": "O+"}),
        Some(&c.nurse),
    )
    .await
    .expect(200);
    let revs = revisions(&app, &format!("/api/patients/{pid}/revisions"), &c.doctor).await;
    assert_eq!(revs.as_array().map(Vec::len), Some(1));
    assert_eq!(app.audited("patients.revisions").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_walk_in_who_signs_up_is_linked_not_duplicated() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let walk_in = app
        .post(
            "/api/patients",
            json!({"first_name": "Maria", "last_name": "Dela Cruz", "date_of_birth": "2004-06-12",
                   "sex": "F", "allergies": [{"substance": "Penicillin", "severity": "severe"}]}),
            Some(&c.nurse),
        )
        .await
        .expect(201)
        .body;
    let (token, user) = app
        .registered_user("21104567@usc.edu.ph", e2e_tests::PW)
        .await;
    let r = app
        .patch(
            "/api/patients/me",
            json!({"first_name": "Maria", "last_name": "Dela Cruz", "date_of_birth": "2004-06-12",
                   "sex": "F"}),
            Some(&token),
        )
        .await
        .expect_error(409, "possible_duplicate");
    assert!(r.body.get("details").is_none(), "names no one: {}", r.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM patients").await, 1);

    // The clinic links the record; the student then sees it, allergy included.
    let path = format!("/api/patients/{}", walk_in["id"].as_str().expect("id"));
    app.patch(&path, json!({"user_id": user["id"]}), Some(&c.staff))
        .await
        .expect(200);
    let me = app
        .get("/api/patients/me", Some(&token))
        .await
        .expect(200)
        .body;
    assert_eq!(me["id"], walk_in["id"]);
    assert_eq!(me["allergies"][0]["substance"], "Penicillin");
    // A link is made once.
    app.patch(&path, json!({"user_id": user["id"]}), Some(&c.staff))
        .await
        .expect_error(400, "invalid_input");
    app.stop().await;
}
