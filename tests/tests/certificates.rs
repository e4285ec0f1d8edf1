//! Certificates a registrar can trust: the verification link opens a readable page (JSON
//! for API clients) with only the verdict, the validity, the holder's initials and the
//! physician; an approved certificate can be revoked, and verification then says so.

use e2e_tests::{TestApp, clinic, spawn_app, student_with};
use serde_json::{Value, json};

/// An approved certificate of Maria Santos Reyes, signed by the clinic's doctor:
/// (its id, its verification code, the student's token).
async fn approved(app: &TestApp, doctor: &str) -> (String, String, String) {
    let (maria, profile) =
        student_with(app, "21104567", "Maria", json!({"middle_name": "Santos"})).await;
    let templates = app
        .get("/api/certificate-templates", Some(doctor))
        .await
        .expect(200);
    let r = app
        .post(
            "/api/medical-certificates",
            json!({"patient_id": profile["id"], "template_id": templates.body[0]["id"],
                   "purpose": "Fitness clearance for off-campus educational tour",
                   "valid_from": "2026-11-01", "valid_until": "2099-12-31", "fitness": "fit"}),
            Some(doctor),
        )
        .await
        .expect(201);
    let id = r.body["id"].as_str().expect("id").to_owned();
    let r = app
        .post(
            &format!("/api/medical-certificates/{id}/approve"),
            json!({}),
            Some(doctor),
        )
        .await
        .expect(200);
    let code = r.body["verification_code"]
        .as_str()
        .expect("code")
        .to_owned();
    (id, code, maria)
}

async fn verify(app: &TestApp, code: &str) -> Value {
    app.get(&format!("/api/medical-certificates/verify/{code}"), None)
        .await
        .expect(200)
        .body
}

#[tokio::test]
async fn verification_shows_the_verdict_initials_and_physician_and_nothing_more() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (_, code, _) = approved(&app, &c.doctor).await;

    let v = verify(&app, &code).await;
    assert_eq!(
        (v["genuine"].as_bool(), v["verdict"].as_str()),
        (Some(true), Some("valid"))
    );
    assert_eq!(v["holder_initials"], "M. S. R.");
    assert_eq!(v["physician"], "Clinic DOCTOR");
    // Nothing more than the verdict, the validity, the initials and the physician.
    let mut keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "genuine",
            "holder_initials",
            "physician",
            "valid",
            "valid_from",
            "valid_until",
            "verdict"
        ]
    );

    // A browser gets a page with the same facts, escaped, without script.
    let r = app
        .client
        .get(format!(
            "{}/api/medical-certificates/verify/{code}",
            app.base
        ))
        .header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let page = r.text().await.expect("page");
    for shown in [
        "Genuine and valid",
        "M. S. R.",
        "Clinic DOCTOR",
        "2099-12-31",
    ] {
        assert!(page.contains(shown), "{shown} missing:\n{page}");
    }
    assert!(
        !page.contains("<script") && !page.contains("Reyes"),
        "{page}"
    );

    // Malformed, over-long or unknown codes are all 404, never 400.
    for bad in ["AAAA-BBBB-CCCC", "not a code", &"X".repeat(300), "%00"] {
        app.get(&format!("/api/medical-certificates/verify/{bad}"), None)
            .await
            .expect_error(404, "not_found");
    }
    app.stop().await;
}

#[tokio::test]
async fn clinicians_record_their_licence_number_for_their_signature() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let r = app
        .patch(
            "/api/auth/me",
            json!({"license_number": " 0123456 "}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["license_number"], "0123456");
    app.patch(
        "/api/auth/me",
        json!({"license_number": "12"}),
        Some(&c.doctor),
    )
    .await
    .expect_error(400, "invalid_input");
    let (student, _) = e2e_tests::student(&app, "21104599", "Ana").await;
    app.patch(
        "/api/auth/me",
        json!({"license_number": "0123456"}),
        Some(&student),
    )
    .await
    .expect_error(400, "invalid_input");
    // The approved certificate's PDF is laid out with it (its text is checked by the
    // application and PDF adapter tests).
    let (id, _, _) = approved(&app, &c.doctor).await;
    let pdf = app
        .get(
            &format!("/api/medical-certificates/{id}/pdf"),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    app.stop().await;
}

#[tokio::test]
async fn an_approved_certificate_can_be_revoked_by_its_approver_or_an_admin() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let (id, code, maria) = approved(&app, &c.doctor).await;
    let revoke = format!("/api/medical-certificates/{id}/revoke");

    // Not the patient, not the nurse; another clinician who did not approve it neither.
    for token in [&maria, &c.nurse, &c.staff] {
        app.post(&revoke, json!({"reason": "Issued in error"}), Some(token))
            .await
            .expect_error(403, "forbidden");
    }
    app.post(
        &revoke,
        json!({"reason": "Issued in error"}),
        Some(&c.dentist),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(&revoke, json!({"reason": "no"}), Some(&c.doctor))
        .await
        .expect_error(400, "invalid_input");
    let r = app
        .post(
            &revoke,
            json!({"reason": "The patient was not examined"}),
            Some(&c.doctor),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "revoked");
    assert_eq!(r.body["revocation_reason"], "The patient was not examined");
    assert_eq!(
        r.body["approved_by"],
        c.doctor_id.as_str(),
        "the approval stays on record"
    );
    app.post(
        &revoke,
        json!({"reason": "Again, by the admin"}),
        Some(&c.admin),
    )
    .await
    .expect_error(409, "invalid_state");

    let v = verify(&app, &code).await;
    assert_eq!(
        (v["verdict"].as_str(), v["valid"].as_bool()),
        (Some("revoked"), Some(false))
    );
    app.get(
        &format!("/api/medical-certificates/{id}/pdf"),
        Some(&c.doctor),
    )
    .await
    .expect_error(409, "certificate_not_approved");
    let listed = app
        .get("/api/medical-certificates?status=revoked", Some(&c.admin))
        .await
        .expect(200);
    assert_eq!(listed.body["total"], 1);
    let listed = app
        .get("/api/medical-certificates?status=approved", Some(&c.admin))
        .await
        .expect(200);
    assert_eq!(listed.body["total"], 0);

    // The patient is told, in the app and by email; the revocation is audited.
    let n = app
        .get("/api/notifications?unread=true", Some(&maria))
        .await
        .expect(200);
    assert_eq!(n.body["items"][0]["kind"], "certificate_revoked");
    app.wait_for_mail("21104567@usc.edu.ph", "has been revoked")
        .await;
    // One revocation; the four refused attempts are audited as denials.
    assert_eq!(app.audited("certificates.revoke").await, 5);
    let succeeded = app
        .count(
            "SELECT (SELECT COUNT(*) FROM audit_log WHERE action = 'certificates.revoke' \
             AND outcome = 'success') + (SELECT COUNT(*) FROM audit_pending \
             WHERE action = 'certificates.revoke' AND outcome = 'success')",
        )
        .await;
    assert_eq!(succeeded, 1);
    app.stop().await;
}
