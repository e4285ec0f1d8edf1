//! Scheduling administration end to end: the provider directory patients book from, and
//! slots that name their provider.

use e2e_tests::{clinic, spawn_app, student};
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
    let weekly: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:59"}))
        .collect();
    app.call(
        Method::PUT,
        &format!("/api/providers/{}/schedule", c.doctor_id),
        Some(json!({"weekly": weekly})),
        Some(&c.doctor),
    )
    .await
    .expect(200);
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
