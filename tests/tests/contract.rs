//! The contract tells the truth: a refused value names its field in a sentence (no
//! validator or parser internals), a string field refuses a number, and documented
//! statuses are the ones answered.

use e2e_tests::{clinic, spawn_app};
use serde_json::{Value, json};

/// The one detail of a 400 `invalid_input`: (field, sentence); the message says both.
fn refusal(body: &Value) -> (String, String) {
    let details = body["details"].as_object().expect("details");
    assert_eq!(details.len(), 1, "{body}");
    let (field, why) = details.iter().next().expect("one");
    let why = why.as_str().expect("text").to_owned();
    assert_eq!(body["message"], format!("{field}: {why}"), "{body}");
    (field.clone(), why)
}

#[tokio::test]
async fn refusals_name_the_field_in_a_sentence() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let long = "a".repeat(200);
    let cases = [
        (
            "/api/patients",
            json!({"first_name": long}),
            ("first_name", "must be at most 150 characters"),
        ),
        (
            "/api/patients",
            json!({"first_name": "Ana", "date_of_birth": "2001-13-01"}),
            ("date_of_birth", "must be a date, YYYY-MM-DD"),
        ),
        (
            "/api/patients",
            json!({"height_cm": "tall"}),
            ("height_cm", "must be a number"),
        ),
        // A string field refuses a number or a boolean instead of storing "-425".
        (
            "/api/patients",
            json!({"first_name": -425}),
            ("first_name", "must be text"),
        ),
        (
            "/api/patients",
            json!({"allergies": [{"substance": true, "severity": "mild"}]}),
            ("allergies[0].substance", "must be text"),
        ),
        (
            "/api/patients",
            json!({"nickname": "Ana"}),
            ("nickname", "is not a field of this request"),
        ),
        (
            "/api/medical-records",
            json!({"patient_id": "not-a-uuid"}),
            ("patient_id", "must be a UUID"),
        ),
        (
            "/api/medical-records",
            json!({"visit_at": "yesterday"}),
            (
                "visit_at",
                "must be a date and time with its offset, e.g. 2026-03-02T09:30:00+08:00",
            ),
        ),
        (
            "/api/medical-records",
            json!({"vital_signs": {"systolic": "high"}}),
            ("vital_signs.systolic", "must be a whole number"),
        ),
        (
            "/api/appointment-types",
            json!({"name": "Consult", "duration_minutes": 5000, "buffer_minutes": 0,
                   "provider_roles": ["DOCTOR"], "capacity": 1}),
            ("duration_minutes", "must be 5 to 480 minutes"),
        ),
    ];
    for (path, body, (field, why)) in cases {
        let r = app
            .post(path, body.clone(), Some(&c.admin))
            .await
            .expect_error(400, "invalid_input");
        assert_eq!(
            refusal(&r.body),
            (field.to_owned(), why.to_owned()),
            "{body}"
        );
    }

    for (path, (field, why)) in [
        (
            "/api/patients?page_size=500",
            ("page_size", "must be at most 100"),
        ),
        (
            "/api/patients?min_age=abc",
            ("min_age", "must be a whole number, 0 or more"),
        ),
        ("/api/patients/not-a-uuid", ("id", "must be a UUID")),
    ] {
        let r = app
            .get(path, Some(&c.admin))
            .await
            .expect_error(400, "invalid_input");
        assert_eq!(
            refusal(&r.body),
            (field.to_owned(), why.to_owned()),
            "{path}"
        );
    }

    // The field a rule is about, not another one.
    let r = app
        .patch(
            &format!("/api/medical-certificates/{}", uuid::Uuid::now_v7()),
            json!({"template_id": uuid::Uuid::now_v7()}),
            Some(&c.doctor),
        )
        .await
        .expect_error(400, "invalid_input");
    assert_eq!(
        refusal(&r.body),
        ("template_id".to_owned(), "is fixed at creation".to_owned())
    );

    // A body that is not JSON says so without parser internals.
    let r = app
        .client
        .post(format!("{}/api/patients", app.base))
        .bearer_auth(&c.admin)
        .header("content-type", "application/json")
        .body("{\"first_name\":")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.expect("envelope");
    assert_eq!(body["code"], "invalid_request");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the body is not valid JSON")),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_calendar_feed_without_a_token_is_401() {
    let app = spawn_app().await;
    app.get("/api/appointments/calendar.ics", None)
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/appointments/calendar.ics?token=nope", None)
        .await
        .expect_error(401, "unauthenticated");
    app.stop().await;
}

#[tokio::test]
async fn the_document_says_what_the_server_enforces() {
    let app = spawn_app().await;
    let c = clinic(&app).await;
    let doc = app.get("/api/openapi.json", None).await.expect(200).body;
    let s = &doc["components"]["schemas"];
    // Request objects refuse unknown fields, nested ones included.
    for name in [
        "PatientRequest",
        "MedicalRecordRequest",
        "VitalSignsDto",
        "AllergyDto",
    ] {
        assert_eq!(s[name]["additionalProperties"], false, "{name}");
    }
    // Closed vocabularies, from the domain's lists.
    assert_eq!(
        s["PatientRequest"]["properties"]["sex"]["enum"],
        json!(["M", "F", "O"])
    );
    assert_eq!(
        s["AllergyDto"]["properties"]["severity"]["enum"],
        json!(["mild", "moderate", "severe"])
    );
    assert_eq!(
        s["DentalRecordRequest"]["properties"]["procedure"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(17)
    );
    // Ranges, dates, nullable answers.
    let systolic = &s["VitalSignsDto"]["properties"]["systolic"];
    assert_eq!(
        (systolic["minimum"].as_f64(), systolic["maximum"].as_f64()),
        (Some(50.0), Some(260.0))
    );
    assert_eq!(
        s["PatientRequest"]["properties"]["date_of_birth"]["format"],
        "date"
    );
    assert_eq!(s["TransitionDto"]["properties"]["reason"]["nullable"], true);
    // The public verification answers 200, 404 or 429; never an undocumented 400.
    let verify = &doc["paths"]["/api/medical-certificates/verify/{code}"]["get"]["responses"];
    let mut statuses: Vec<&String> = verify.as_object().expect("responses").keys().collect();
    statuses.sort();
    assert_eq!(statuses, ["200", "404", "429", "500", "503"]);

    // And the server holds to it: an unknown nested field is refused, as is a word
    // outside a vocabulary and a value outside a range.
    let r = app
        .post(
            "/api/medical-records",
            json!({"vital_signs": {"systolic": 120, "bmi": 22}}),
            Some(&c.doctor),
        )
        .await
        .expect_error(400, "invalid_input");
    assert_eq!(refusal(&r.body).0, "vital_signs.bmi");
    // Whatever the spelling of the JSON media type.
    for content_type in ["Application/JSON", "application/merge-patch+json"] {
        let r = app
            .client
            .post(format!("{}/api/patients", app.base))
            .bearer_auth(&c.staff)
            .header("content-type", content_type)
            .body(r#"{"allergies":[{"substance":"Latex","severity":"mild","foo":1}]}"#)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 400, "{content_type}");
    }
    let r = app
        .post(
            "/api/patients",
            json!({"first_name": "Ana", "last_name": "Cruz", "date_of_birth": "2001-01-01",
                   "sex": "X"}),
            Some(&c.staff),
        )
        .await
        .expect_error(400, "invalid_input");
    assert!(r.body["details"]["sex"].is_string(), "{}", r.body);
    app.stop().await;
}
