//! Clinical records end to end: patients, medical and dental records, documents,
//! certificates. The reference's KEEP scenarios, through real HTTP and a real database.

use e2e_tests::{TestApp, clinic, spawn_app, spawn_app_with, student_with, walk_in};
use reqwest::Method;
use serde_json::{Value, json};

/// A student who completed their patient profile with the clinical fields (program,
/// campus, blood type, height and weight) and `allergies`: (token, patient id).
async fn clinical_student(
    app: &TestApp,
    number: &str,
    first: &str,
    allergies: Value,
) -> (String, String) {
    let (token, profile) = student_with(
        app,
        number,
        first,
        json!({"course": "13", "year_level": "3", "campus": "Talamban Campus",
               "blood_type": "O+", "height_cm": 158.0, "weight_kg": 52.0, "allergies": allergies}),
    )
    .await;
    assert_eq!(profile["bmi"], 20.8);
    (token, profile["id"].as_str().expect("id").to_owned())
}

fn visit(patient: &str) -> Value {
    json!({
        "patient_id": patient,
        "visit_at": "2026-03-02T09:30:00+08:00",
        "chief_complaint": "Cough and colds for 3 days",
        "diagnosis": "Acute upper respiratory tract infection",
        "treatment": "Paracetamol 500 mg q6h PRN, increased fluids, rest",
        "vital_signs": {"temperature_c": 37.8, "systolic": 110, "diastolic": 70, "pulse": 88,
                        "respiratory_rate": 18, "spo2": 98, "height_cm": 158.0, "weight_kg": 52.0},
        "physical_exam": {"general_appearance": "Awake, not in distress", "lungs": "Clear breath sounds"},
        "medications": [{"name": "Paracetamol", "dose": "500 mg q6h PRN"}]
    })
}

#[tokio::test]
async fn patients_see_only_their_own_and_clinic_roles_see_all() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, maria_id) = clinical_student(&app, "21104567", "Maria", json!([])).await;
    let (_ana, ana_id) = clinical_student(&app, "21104568", "Ana", json!([])).await;

    // IT-01: a student may not list patients.
    app.get("/api/patients", Some(&maria))
        .await
        .expect_error(403, "forbidden");
    app.post("/api/patients", json!({"first_name": "X"}), Some(&maria))
        .await
        .expect_error(403, "forbidden");
    // Own profile yes, anyone else's is 404 (not 403: its existence is not revealed).
    app.get("/api/patients/me", Some(&maria)).await.expect(200);
    app.get(&format!("/api/patients/{maria_id}"), Some(&maria))
        .await
        .expect(200);
    app.get(&format!("/api/patients/{ana_id}"), Some(&maria))
        .await
        .expect_error(404, "not_found");

    // IT-02: a nurse records visits for both.
    for id in [&maria_id, &ana_id] {
        app.post("/api/medical-records", visit(id), Some(&c.nurse))
            .await
            .expect(201);
    }
    // The student sees exactly their own record; a doctor sees both.
    let own = app
        .get("/api/medical-records", Some(&maria))
        .await
        .expect(200);
    assert_eq!(own.body["total"], 1);
    assert_eq!(own.body["items"][0]["patient_id"], maria_id.as_str());
    app.get(
        &format!("/api/medical-records?patient_id={ana_id}"),
        Some(&maria),
    )
    .await
    .expect_error(404, "not_found");
    let all = app
        .get("/api/medical-records", Some(&c.doctor))
        .await
        .expect(200);
    assert_eq!(all.body["total"], 2);
    let other = all.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["patient_id"] == ana_id.as_str()))
        .expect("Ana's record")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.get(&format!("/api/medical-records/{other}"), Some(&maria))
        .await
        .expect_error(404, "not_found");
    // STUDENT create medical record → 403; unauthenticated → 401.
    app.post("/api/medical-records", visit(&maria_id), Some(&maria))
        .await
        .expect_error(403, "forbidden");
    app.get("/api/medical-records", None).await.expect(401);
    app.get("/api/patients", Some(&c.staff)).await.expect(200);
    app.get("/api/patients", Some(&c.admin)).await.expect(200);
    app.stop().await;
}

#[tokio::test]
async fn visits_are_validated_and_every_staff_read_is_audited() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = clinical_student(&app, "21104567", "Maria", json!([])).await;
    let r = app
        .post("/api/medical-records", visit(&pid), Some(&c.nurse))
        .await
        .expect(201);
    assert_eq!(r.body["vital_signs"]["temperature_c"], 37.8);
    assert_eq!(r.body["bmi"], 20.8);
    assert_eq!(r.body["version"], 1);
    let record = r.body["id"].as_str().expect("id").to_owned();

    // IT-05 and friends: each bad field named in details.
    let cases: [(&str, Value, &str); 8] = [
        ("empty diagnosis", json!({"diagnosis": ""}), "diagnosis"),
        (
            "empty complaint",
            json!({"chief_complaint": " "}),
            "chief_complaint",
        ),
        ("short treatment", json!({"treatment": "rest"}), "treatment"),
        (
            "fever beyond 45 °C",
            json!({"vital_signs": {"temperature_c": 50.0}}),
            "vital_signs.temperature_c",
        ),
        (
            "SpO2 above 100",
            json!({"vital_signs": {"spo2": 101}}),
            "vital_signs.spo2",
        ),
        (
            "visit in the future",
            json!({"visit_at": "2099-01-01T00:00:00+08:00"}),
            "visit_at",
        ),
        ("no patient", json!({"patient_id": null}), "patient_id"),
        (
            "NUL byte in text",
            json!({"chief_complaint": "cough\u{0}x"}),
            "chief_complaint",
        ),
    ];
    for (why, patch, field) in cases {
        let mut body = visit(&pid);
        body["visit_at"] = json!("2026-03-03T09:30:00+08:00");
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let r = app
            .post("/api/medical-records", body, Some(&c.doctor))
            .await;
        let r = r.expect_error(400, "invalid_input");
        assert!(r.body["details"][field].is_string(), "{why}: {}", r.body);
    }
    // Same patient, same visit time → 409.
    app.post("/api/medical-records", visit(&pid), Some(&c.doctor))
        .await
        .expect_error(409, "duplicate_visit");
    // STAFF may read but not write medical records.
    app.post("/api/medical-records", visit(&pid), Some(&c.staff))
        .await
        .expect_error(403, "forbidden");

    // Every read by staff is audited with the patient's id.
    let reads = || async {
        let listed = app
            .get(
                &format!("/api/admin/audit?patient_id={pid}&page_size=100"),
                Some(&c.admin),
            )
            .await
            .expect(200);
        listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["action"] == "medical_records.read" && e["patient_id"] == pid.as_str())
            .count()
    };
    let before = reads().await;
    app.get(&format!("/api/medical-records/{record}"), Some(&c.staff))
        .await
        .expect(200);
    app.get(&format!("/api/medical-records/{record}"), Some(&c.doctor))
        .await
        .expect(200);
    assert_eq!(reads().await, before + 2);

    // Edits keep a revision: who, when, which fields.
    let r = app
        .patch(
            &format!("/api/medical-records/{record}"),
            json!({"diagnosis": "Acute bronchitis, mild"}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["version"], 2);
    let revs = app
        .get(
            &format!("/api/medical-records/{record}/revisions"),
            Some(&c.nurse),
        )
        .await
        .expect(200);
    assert_eq!(revs.body[0]["changed_fields"], json!(["diagnosis"]));
    assert_eq!(revs.body[0]["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn allergies_block_matching_medications_unless_overridden() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, pid) = clinical_student(
        &app,
        "21104567",
        "Maria",
        json!([{"substance": "Penicillin", "reaction": "Hives", "severity": "severe"}]),
    )
    .await;
    let mut body = visit(&pid);
    body["medications"] = json!([{"name": "Penicillin G", "dose": "1 MU IM"}]);
    let r = app
        .post("/api/medical-records", body.clone(), Some(&c.doctor))
        .await
        .expect_error(409, "allergy_conflict");
    assert_eq!(r.body["details"]["substances"], "Penicillin");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM medical_records").await,
        0,
        "nothing half-written"
    );

    body["override_reason"] = json!("Skin test negative; benefits outweigh risk");
    let r = app
        .post("/api/medical-records", body, Some(&c.doctor))
        .await
        .expect(201);
    // Every view of a record carries the patient's allergies.
    assert_eq!(r.body["allergies"][0]["substance"], "Penicillin");
    assert_eq!(app.audited("medical_records.allergy_override").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn dental_records_check_fdi_teeth_money_and_roles() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (student_token, pid) = clinical_student(&app, "21104567", "Maria", json!([])).await;
    let dental = json!({
        "patient_id": pid, "visit_at": "2026-03-05T14:00:00+08:00", "concern": "Toothache lower left",
        "procedure": "FILLING", "tooth_numbers": [46, 36], "diagnosis": "Dental caries, occlusal",
        "treatment_performed": "Composite restoration #36", "oral_hygiene": "FAIR", "gum_condition": "GINGIVITIS",
        "tooth_chart": {"36": "FILLED", "46": "CARIES"}, "pain_level": 4, "anesthesia_used": true,
        "anesthesia_type": "Lidocaine 2% with epinephrine", "next_visit_on": "2026-03-19",
        "priority": "MEDIUM", "cost": "500", "insurance_covered": false
    });
    let r = app
        .post("/api/dental-records", dental.clone(), Some(&c.dentist))
        .await
        .expect(201);
    assert_eq!(r.body["tooth_numbers"], json!([36, 46]));
    assert_eq!(r.body["affected_teeth_display"], "36, 46");
    assert_eq!(r.body["cost"], "500.00");
    assert_eq!(r.body["currency"], "PHP");
    let id = r.body["id"].as_str().expect("id").to_owned();

    for (why, patch, field) in [
        (
            "tooth 19 does not exist",
            json!({"tooth_numbers": [19]}),
            "tooth_numbers",
        ),
        (
            "tooth 40 does not exist",
            json!({"tooth_numbers": [40]}),
            "tooth_numbers",
        ),
        (
            "chart of quadrant 5",
            json!({"tooth_chart": {"55": "HEALTHY"}}),
            "tooth_chart.55",
        ),
        ("pain 11", json!({"pain_level": 11}), "pain_level"),
        ("three decimals", json!({"cost": "1.005"}), "cost"),
        (
            "unknown procedure",
            json!({"procedure": "MAGIC"}),
            "procedure",
        ),
    ] {
        let mut body = dental.clone();
        body["visit_at"] = json!("2026-03-06T14:00:00+08:00");
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let r = app
            .post("/api/dental-records", body, Some(&c.dentist))
            .await
            .expect_error(400, "invalid_input");
        assert!(r.body["details"][field].is_string(), "{why}: {}", r.body);
    }

    // IT-04: dentist PATCH → 200; staff and nurse → 403.
    let r = app
        .patch(
            &format!("/api/dental-records/{id}"),
            json!({"treatment_plan": "Restore #46 next visit"}),
            Some(&c.dentist),
        )
        .await
        .expect(200);
    assert_eq!(r.body["version"], 2);
    for token in [&c.staff, &c.nurse] {
        app.patch(
            &format!("/api/dental-records/{id}"),
            json!({"pain_level": 2}),
            Some(token),
        )
        .await
        .expect_error(403, "forbidden");
    }
    let own = app
        .get("/api/dental-records", Some(&student_token))
        .await
        .expect(200);
    assert_eq!(own.body["total"], 1);
    app.stop().await;
}

#[tokio::test]
async fn certificate_workflow_pdf_verification_and_notifications() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = clinical_student(&app, "21104567", "Maria", json!([])).await;
    let (ana, _) = clinical_student(&app, "21104568", "Ana", json!([])).await;
    let templates = app
        .get("/api/certificate-templates", Some(&c.nurse))
        .await
        .expect(200);
    assert_eq!(
        templates.body.as_array().map(Vec::len),
        Some(2),
        "seeded default and tours templates"
    );
    let template = templates.body[0]["id"].as_str().expect("id").to_owned();
    let body = json!({
        "patient_id": pid, "template_id": template,
        "purpose": "Fitness clearance for off-campus educational tour",
        "recommendations": "Cleared to join; bring inhaler",
        "valid_from": "2026-11-01", "valid_until": "2099-12-31", "fitness": "fit"
    });

    // Students cannot create; not_fit needs a reason; dates must be ordered.
    app.post("/api/medical-certificates", body.clone(), Some(&maria))
        .await
        .expect_error(403, "forbidden");
    let mut bad = body.clone();
    bad["fitness"] = json!("not_fit");
    app.post("/api/medical-certificates", bad, Some(&c.nurse))
        .await
        .expect_error(400, "invalid_input");
    let mut bad = body.clone();
    bad["valid_until"] = json!("2026-10-01");
    app.post("/api/medical-certificates", bad, Some(&c.nurse))
        .await
        .expect_error(400, "invalid_input");

    // A nurse's certificate starts as a draft; the status is not writable.
    let r = app
        .post("/api/medical-certificates", body.clone(), Some(&c.nurse))
        .await
        .expect(201);
    assert_eq!(r.body["status"], "draft");
    let id = r.body["id"].as_str().expect("id").to_owned();
    app.patch(
        &format!("/api/medical-certificates/{id}"),
        json!({"status": "approved"}),
        Some(&c.nurse),
    )
    .await
    .expect(400);
    // Approve only from pending; only a doctor approves.
    app.post(
        &format!("/api/medical-certificates/{id}/approve"),
        json!({}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "invalid_state");
    app.get(
        &format!("/api/medical-certificates/{id}/pdf"),
        Some(&c.nurse),
    )
    .await
    .expect_error(409, "certificate_not_approved");
    let r = app
        .post(
            &format!("/api/medical-certificates/{id}/submit"),
            json!({}),
            Some(&c.nurse),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "pending");
    for token in [&c.nurse, &c.admin, &c.staff, &maria] {
        app.post(
            &format!("/api/medical-certificates/{id}/approve"),
            json!({}),
            Some(token),
        )
        .await
        .expect(403);
    }
    let r = app
        .post(
            &format!("/api/medical-certificates/{id}/approve"),
            json!({}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(r.body["approved_by"], c.doctor_id.as_str());
    let code = r.body["verification_code"]
        .as_str()
        .expect("code")
        .to_owned();
    app.post(
        &format!("/api/medical-certificates/{id}/reject"),
        json!({"reason": "Too late"}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "invalid_state");
    app.patch(
        &format!("/api/medical-certificates/{id}"),
        json!({"purpose": "Changed after approval"}),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "invalid_state");

    // The PDF, for clinic roles and the owner, never for another patient.
    let pdf = app
        .get(&format!("/api/medical-certificates/{id}/pdf"), Some(&maria))
        .await
        .expect(200);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    app.get(&format!("/api/medical-certificates/{id}/pdf"), Some(&ana))
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/medical-certificates/{id}"), Some(&ana))
        .await
        .expect_error(404, "not_found");
    let own = app
        .get("/api/medical-certificates", Some(&maria))
        .await
        .expect(200);
    assert_eq!(own.body["total"], 1);
    let none = app
        .get("/api/medical-certificates", Some(&ana))
        .await
        .expect(200);
    assert_eq!(none.body["total"], 0);

    // Anyone can check the code, and learns nothing about the patient.
    let v = app
        .get(
            &format!("/api/medical-certificates/verify/{}", code.to_lowercase()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(v.body["genuine"], true);
    assert_eq!(v.body["valid"], true);
    assert!(v.body.get("patient_id").is_none() && v.body.get("purpose").is_none());
    app.get("/api/medical-certificates/verify/AAAA-BBBB-CCCC", None)
        .await
        .expect_error(404, "not_found");

    // The patient is told in the app and by email.
    let n = app
        .get("/api/notifications?unread=true", Some(&maria))
        .await
        .expect(200);
    assert_eq!(n.body["items"][0]["kind"], "certificate_approved");
    assert_eq!(n.body["items"][0]["title"], "Medical Certificate Approved");
    app.wait_for_mail("21104567@usc.edu.ph", "has been approved")
        .await;
    app.call(
        Method::POST,
        "/api/notifications/read-all",
        None,
        Some(&maria),
    )
    .await
    .expect(200);
    let n = app
        .get("/api/notifications?unread=true", Some(&maria))
        .await
        .expect(200);
    assert_eq!(n.body["total"], 0);

    // A doctor's certificate starts pending; a reject needs a reason and is recorded.
    let r = app
        .post("/api/medical-certificates", body, Some(&c.doctor))
        .await
        .expect(201);
    assert_eq!(r.body["status"], "pending");
    let second = r.body["id"].as_str().expect("id").to_owned();
    app.post(
        &format!("/api/medical-certificates/{second}/reject"),
        json!({"reason": " "}),
        Some(&c.doctor),
    )
    .await
    .expect_error(400, "invalid_input");
    let r = app
        .post(
            &format!("/api/medical-certificates/{second}/reject"),
            json!({"reason": "Incomplete requirements"}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["rejected_by"], c.doctor_id.as_str());
    app.wait_for_mail("21104567@usc.edu.ph", "has been rejected")
        .await;
    // Nothing is cascaded away: the patient with certificates cannot be deleted.
    app.call(
        Method::DELETE,
        &format!("/api/patients/{pid}"),
        None,
        Some(&c.admin),
    )
    .await
    .expect_error(409, "patient_has_records");
    app.stop().await;
}

#[tokio::test]
async fn search_filters_and_duplicates() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let mk = |first: &str, last: &str, dob: &str, sex: &str, email: &str, usc: &str| {
        json!({"first_name": first, "last_name": last, "date_of_birth": dob, "sex": sex,
               "email": email, "usc_id": usc, "phone": "0322300100", "address": "P. del Rosario St, Cebu City"})
    };
    let john = app
        .post(
            "/api/patients",
            mk(
                "John",
                "Doe",
                "1999-02-03",
                "M",
                "jdoe@usc.edu.ph",
                "19100001",
            ),
            Some(&c.admin),
        )
        .await
        .expect(201);
    app.post(
        "/api/patients",
        mk(
            "Jane",
            "Smith",
            "2005-01-01",
            "F",
            "jsmith@usc.edu.ph",
            "23100002",
        ),
        Some(&c.staff),
    )
    .await
    .expect(201);
    app.post(
        "/api/patients",
        mk(
            "Carlo",
            "Mendoza",
            "2003-07-07",
            "M",
            "cmendoza@usc.edu.ph",
            "21100003",
        ),
        Some(&c.nurse),
    )
    .await
    .expect(201);

    let found = |r: e2e_tests::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["full_name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let get = async |q: &str| {
        app.get(&format!("/api/patients?{q}"), Some(&c.doctor))
            .await
    };
    assert_eq!(found(get("search=John").await.expect(200)), ["John Doe"]);
    assert_eq!(found(get("search=doe").await.expect(200)), ["John Doe"]);
    assert_eq!(
        found(get("search=JOHN%20D").await.expect(200)),
        ["John Doe"]
    );
    assert_eq!(found(get("search=2310").await.expect(200)), ["Jane Smith"]);
    assert_eq!(
        found(get("search=cmendoza@").await.expect(200)),
        ["Carlo Mendoza"]
    );
    assert_eq!(
        found(get("sex=M").await.expect(200)),
        ["John Doe", "Carlo Mendoza"]
    );
    assert_eq!(
        found(get("sex=F&max_age=30").await.expect(200)),
        ["Jane Smith"]
    );
    assert_eq!(found(get("min_age=26").await.expect(200)), ["John Doe"]);
    get("sex=1").await.expect_error(400, "invalid_input");
    get("page_size=101").await.expect(400);
    let r = get("page_size=2").await.expect(200);
    assert_eq!(
        (
            r.body["total"].as_u64(),
            r.body["items"].as_array().map(Vec::len)
        ),
        (Some(3), Some(2))
    );
    // A search answers its total in the page's own query; past the end it still knows it.
    for (page, names) in [(1, vec!["John Doe"]), (2, vec!["Jane Smith"]), (3, vec![])] {
        let r = get(&format!("search=j&page_size=1&page={page}"))
            .await
            .expect(200);
        assert_eq!(r.body["total"].as_u64(), Some(2), "page {page}");
        assert_eq!(found(r), names, "page {page}");
    }
    let r = get("search=zzz").await.expect(200);
    assert_eq!((r.body["total"].as_u64(), found(r).len()), (Some(0), 0));

    // Duplicates and bad values.
    app.post(
        "/api/patients",
        mk(
            "Johnny",
            "Doe",
            "1999-02-03",
            "M",
            "JDOE@usc.edu.ph",
            "19100009",
        ),
        Some(&c.admin),
    )
    .await
    .expect_error(409, "email_taken");
    app.post(
        "/api/patients",
        mk(
            "Johnny",
            "Doe",
            "1999-02-03",
            "M",
            "other@usc.edu.ph",
            "19100001",
        ),
        Some(&c.admin),
    )
    .await
    .expect_error(409, "usc_id_taken");
    let mut bad = mk("A", "B", "2999-01-01", "X", "x@usc.edu.ph", "1");
    bad["blood_type"] = json!("C+");
    let r = app
        .post("/api/patients", bad, Some(&c.admin))
        .await
        .expect_error(400, "invalid_input");
    for field in ["date_of_birth", "sex", "usc_id", "blood_type"] {
        assert!(r.body["details"][field].is_string(), "{field}: {}", r.body);
    }
    app.post(
        "/api/patients",
        json!({"first_name": "A", "gender": "M"}),
        Some(&c.admin),
    )
    .await
    .expect(400);

    // Update and delete (no records: allowed).
    let id = john.body["id"].as_str().expect("id").to_owned();
    let r = app
        .patch(
            &format!("/api/patients/{id}"),
            json!({"blood_type": "AB-", "phone": ""}),
            Some(&c.nurse),
        )
        .await
        .expect(200);
    assert_eq!(r.body["blood_type"], "AB-");
    assert!(r.body.get("phone").is_none(), "an empty string clears");
    app.call(
        Method::DELETE,
        &format!("/api/patients/{id}"),
        None,
        Some(&c.staff),
    )
    .await
    .expect(204);
    app.get(&format!("/api/patients/{id}"), Some(&c.staff))
        .await
        .expect_error(404, "not_found");
    app.stop().await;
}

fn minimal_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

#[tokio::test]
async fn documents_are_validated_by_content_and_served_privately() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (maria, pid) = clinical_student(&app, "21104567", "Maria", json!([])).await;
    let (ana, _) = clinical_student(&app, "21104568", "Ana", json!([])).await;
    let path = format!("/api/patients/{pid}/documents");

    let r = app
        .upload(
            &path,
            &c.nurse,
            "cbc_2026-03-02.pdf",
            minimal_pdf(),
            &[
                ("document_type", "LAB_RESULT"),
                ("description", "CBC result"),
            ],
        )
        .await
        .expect(201);
    assert_eq!(r.body["content_type"], "application/pdf");
    let download = r.body["download_url"].as_str().expect("url").to_owned();
    assert!(download.starts_with("/api/"), "never a public URL");

    // An executable renamed .pdf, a script, a mismatched type: 415.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.resize(4096, 0);
    app.upload(&path, &c.nurse, "results.pdf", exe, &[])
        .await
        .expect_error(415, "unsupported_media_type");
    app.upload(
        &path,
        &c.nurse,
        "run.sh",
        b"#!/bin/sh\nrm -rf /\n".to_vec(),
        &[],
    )
    .await
    .expect_error(415, "unsupported_media_type");
    app.upload(&path, &c.nurse, "photo.png", minimal_pdf(), &[])
        .await
        .expect_error(415, "unsupported_media_type");
    // 60 MB: refused before the body is read.
    app.upload(
        &path,
        &c.nurse,
        "huge.pdf",
        vec![b'%'; 60 * 1024 * 1024],
        &[],
    )
    .await
    .expect_error(413, "payload_too_large");
    // Patients cannot upload.
    app.upload(&path, &maria, "mine.pdf", minimal_pdf(), &[])
        .await
        .expect_error(403, "forbidden");
    assert_eq!(app.count("SELECT COUNT(*) FROM patient_documents").await, 1);

    // Download: the owner and clinic roles; never anyone else; never without a token.
    let got = app.get(&download, Some(&maria)).await.expect(200);
    assert_eq!(got.bytes, minimal_pdf());
    assert!(
        got.headers["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment")
    );
    app.get(&download, Some(&ana))
        .await
        .expect_error(404, "not_found");
    app.get(&download, None).await.expect(401);
    let list = app.get(&path, Some(&c.staff)).await.expect(200);
    assert_eq!(list.body["total"], 1);
    app.stop().await;
}

#[tokio::test]
async fn certificate_verification_is_rate_limited_per_client_address() {
    let app = spawn_app_with(|c| c.verify_rate_limit = 3).await;
    let before = app.audited("certificates.verify").await;
    for _ in 0..3 {
        app.get("/api/medical-certificates/verify/AAAA-BBBB-CCCC", None)
            .await
            .expect_error(404, "not_found");
    }
    // The fourth look-up within the minute is refused, whatever the code.
    let r = app
        .get("/api/medical-certificates/verify/AAAA-BBBB-CCCC", None)
        .await
        .expect_error(429, "rate_limited");
    let retry = r.retry_after();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        app.audited("certificates.verify").await,
        before,
        "refused look-ups are not audited"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_answered_read_is_audited_first_and_linked_into_the_chain_soon_after() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let patient = walk_in(&app, &c, 1).await;
    let before = app.audited("patients.read").await;
    // 64 concurrent reads share group commits; each is answered only once its entry is
    // committed, so the count holds the moment the last answer arrives.
    let path = format!("/api/patients/{patient}");
    let reads = (0..64).map(|_| app.get(&path, Some(&c.doctor)));
    let answered = futures::future::join_all(reads)
        .await
        .iter()
        .filter(|r| r.status.is_success())
        .count() as i64;
    assert_eq!(answered, 64);
    assert_eq!(app.audited("patients.read").await - before, answered);

    // The chainer links them within milliseconds; the chain verifies with nothing left.
    let mut waiting = -1;
    for _ in 0..100 {
        waiting = app.count("SELECT COUNT(*) FROM audit_pending").await;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(waiting, 0, "entries still waiting after 2 s");
    let audit = application::audit::AuditService::new(
        std::sync::Arc::new(storage::SeaOrmAuditStore::new(app.db.clone())),
        std::sync::Arc::new(application::SystemClock),
    );
    let report = audit.verify().await.expect("verify");
    let linked = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!((report.error, report.unlinked), (None, 0));
    assert_eq!(report.entries as i64, linked);
    app.stop().await;
}
