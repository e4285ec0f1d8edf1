//! Identity and access end to end: the real server, real HTTP, a real database.

use e2e_tests::{PW, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn register_verify_login_me_logout() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/auth/register",
            json!({"email": "21104567@usc.edu.ph", "password": PW, "first_name": "Maria", "last_name": "Reyes"}),
            None,
        )
        .await
        .expect(201);
    assert_eq!(r.body["user"]["role"], "STUDENT");
    assert_eq!(r.body["user"]["usc_id"], "21104567");
    assert_eq!(r.body["user"]["is_verified"], false);
    // Times are shown in the clinic's zone (Asia/Manila, +08:00).
    assert!(
        r.body["user"]["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+08:00"))
    );

    // Unverified: no login yet.
    app.post(
        "/api/auth/login",
        json!({"email": "21104567@usc.edu.ph", "password": PW}),
        None,
    )
    .await
    .expect_error(403, "email_not_verified");

    let code = app.verification_code("21104567@usc.edu.ph").await;
    assert_eq!(code.len(), 6);
    let r = app
        .post(
            "/api/auth/verify-email",
            json!({"email": "21104567@usc.edu.ph", "code": code}),
            None,
        )
        .await
        .expect(200);
    assert_eq!(r.body["user"]["is_verified"], true);
    app.wait_for_mail("21104567@usc.edu.ph", "Welcome to USC-PIS")
        .await;

    let (token, user) = app.login("21104567@usc.edu.ph", PW).await;
    assert_eq!(user["email"], "21104567@usc.edu.ph");
    let me = app.get("/api/auth/me", Some(&token)).await.expect(200);
    assert_eq!(me.body["id"], user["id"]);
    assert!(me.headers.contains_key("x-request-id"));

    app.call(Method::POST, "/api/auth/logout", None, Some(&token))
        .await
        .expect(204);
    app.get("/api/auth/me", Some(&token))
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/auth/me", None)
        .await
        .expect_error(401, "unauthenticated");
    app.stop().await;
}

#[tokio::test]
async fn registration_bad_input_table() {
    let app = spawn_app().await;
    // (body, status, code, field that details must name, why)
    let cases = [
        (
            json!({"email": "maria@usc.edu", "password": PW, "first_name": "M", "last_name": "R"}),
            400,
            "invalid_input",
            "suggestion",
            "typo domain",
        ),
        (
            json!({"email": "maria@gmail.com", "password": PW, "first_name": "M", "last_name": "R"}),
            400,
            "invalid_input",
            "email",
            "other domain",
        ),
        (
            json!({"email": "maria@usc.edu.ph", "password": "weakpass", "first_name": "M", "last_name": "R"}),
            400,
            "invalid_input",
            "password",
            "no upper/digit",
        ),
        (
            json!({"email": "maria@usc.edu.ph", "password": "Maaa1234", "first_name": "M", "last_name": "R"}),
            400,
            "invalid_input",
            "password",
            "triple repeat",
        ),
        (
            json!({"email": "maria@usc.edu.ph", "password": PW, "first_name": " ", "last_name": "R"}),
            400,
            "invalid_input",
            "first_name",
            "blank name",
        ),
        (
            json!({"email": "maria@usc.edu.ph", "password": PW, "first_name": "M", "last_name": "R", "role": "DOCTOR"}),
            400,
            "invalid_input",
            "role",
            "self-assigned role is not a field",
        ),
        (
            json!({"email": "maria@usc.edu.ph", "password": "Ab1", "first_name": "M", "last_name": "R"}),
            400,
            "invalid_input",
            "password",
            "too short for the documented schema",
        ),
    ];
    for (body, status, code, field, why) in cases {
        let r = app.post("/api/auth/register", body, None).await;
        assert_eq!(r.status.as_u16(), status, "{why}: {}", r.body);
        assert_eq!(r.code(), code, "{why}: {}", r.body);
        assert!(
            r.body["details"][field].is_string(),
            "{why}: details must name {field}: {}",
            r.body
        );
    }
    // A missing field: poem-openapi names the object, not the field (see docs/API-NOTES.md).
    app.post(
        "/api/auth/register",
        json!({"email": "maria@usc.edu.ph", "password": PW, "first_name": "M"}),
        None,
    )
    .await
    .expect_error(400, "invalid_request");
    let r = app
        .post(
            "/api/auth/register",
            json!({"email": "maria@usc.edu", "password": PW, "first_name": "M", "last_name": "R"}),
            None,
        )
        .await;
    assert_eq!(r.body["details"]["suggestion"], "maria@usc.edu.ph");
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean maria@usc.edu.ph"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        0,
        "nothing written"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        0,
        "nothing written"
    );
    app.stop().await;
}

#[tokio::test]
async fn reused_email_is_409_and_nothing_half_written() {
    let app = spawn_app().await;
    let body = json!({"email": "pvillanueva@usc.edu.ph", "password": PW, "first_name": "Paolo", "last_name": "Villanueva"});
    let r = app
        .post("/api/auth/register", body.clone(), None)
        .await
        .expect(201);
    assert_eq!(r.body["user"]["role"], "FACULTY");
    let r = app
        .post("/api/auth/register", body, None)
        .await
        .expect_error(409, "email_taken");
    assert!(r.body["message"].is_string());
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM email_verifications").await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn five_wrong_codes_burn_the_code_and_expired_codes_fail() {
    let app = spawn_app().await;
    let email = "21100002@usc.edu.ph";
    app.post(
        "/api/auth/register",
        json!({"email": email, "password": PW, "first_name": "A", "last_name": "B"}),
        None,
    )
    .await
    .expect(201);
    let code = app.verification_code(email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for remaining in (1..=4).rev() {
        let r = app
            .post(
                "/api/auth/verify-email",
                json!({"email": email, "code": wrong}),
                None,
            )
            .await
            .expect_error(400, "invalid_code");
        assert_eq!(
            r.body["details"]["remaining_attempts"],
            remaining.to_string()
        );
    }
    app.post(
        "/api/auth/verify-email",
        json!({"email": email, "code": wrong}),
        None,
    )
    .await
    .expect_error(400, "code_attempts_exhausted");
    // Burned: even the right code fails now.
    app.post(
        "/api/auth/verify-email",
        json!({"email": email, "code": code}),
        None,
    )
    .await
    .expect_error(400, "code_attempts_exhausted");

    // A new code right away is refused (one a minute, five an hour), silently: 202.
    let mails = app.mail_count(email);
    app.post("/api/auth/resend-code", json!({"email": email}), None)
        .await
        .expect(202);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail_count(email), mails, "no new code within a minute");

    // A minute later a new code comes; aged past its 15 minutes it is refused as expired.
    app.db
        .execute_unprepared("UPDATE email_verifications SET issued_at = '2000-01-01T00:00:00Z'")
        .await
        .expect("age the code");
    app.post("/api/auth/resend-code", json!({"email": email}), None)
        .await
        .expect(202);
    for _ in 0..200 {
        if app.mail_count(email) > mails {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.mail_count(email),
        mails + 1,
        "a new code after a minute"
    );
    let fresh = app.verification_code(email).await;
    app.db
        .execute_unprepared("UPDATE email_verifications SET expires_at = '2000-01-01T00:00:00Z'")
        .await
        .expect("age the code");
    app.post(
        "/api/auth/verify-email",
        json!({"email": email, "code": fresh}),
        None,
    )
    .await
    .expect_error(400, "code_expired");
    app.post(
        "/api/auth/login",
        json!({"email": email, "password": PW}),
        None,
    )
    .await
    .expect_error(403, "email_not_verified");
    // Unknown accounts answer like a wrong code; resend answers 202 either way.
    app.post(
        "/api/auth/verify-email",
        json!({"email": "nobody@usc.edu.ph", "code": "123456"}),
        None,
    )
    .await
    .expect_error(400, "invalid_code");
    app.post(
        "/api/auth/resend-code",
        json!({"email": "nobody@usc.edu.ph"}),
        None,
    )
    .await
    .expect(202);
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_six_times_is_429_with_retry_after() {
    let app = spawn_app().await;
    app.registered_user("jdoe@usc.edu.ph", PW).await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/auth/login",
                json!({"email": "jdoe@usc.edu.ph", "password": "Wrong1234"}),
                None,
            )
            .await
            .expect_error(401, "invalid_credentials");
        assert_eq!(r.body["message"], "invalid email or password");
    }
    let r = app
        .post(
            "/api/auth/login",
            json!({"email": "jdoe@usc.edu.ph", "password": "Wrong1234"}),
            None,
        )
        .await
        .expect_error(429, "rate_limited");
    let retry = r.retry_after();
    assert!((1..=900).contains(&retry));
    // The right password is refused too while locked.
    app.post(
        "/api/auth/login",
        json!({"email": "jdoe@usc.edu.ph", "password": PW}),
        None,
    )
    .await
    .expect_error(429, "rate_limited");
    // Unknown accounts fail exactly like wrong passwords (no enumeration). The address
    // is not locked by one person's failures: its own limit is much higher.
    app.post(
        "/api/auth/login",
        json!({"email": "ghost@usc.edu.ph", "password": "Wrong1234"}),
        None,
    )
    .await
    .expect_error(401, "invalid_credentials");
    // Someone else behind the same address logs in while the first account is locked.
    app.registered_user("mreyes@usc.edu.ph", PW).await;
    app.login("mreyes@usc.edu.ph", PW).await;
    app.stop().await;
}

/// A login from `forwarded` (sent as `X-Forwarded-For`): its status and error code.
async fn login_via(app: &TestApp, email: &str, password: &str, forwarded: &str) -> (u16, String) {
    let r = app
        .client
        .post(format!("{}/api/auth/login", app.base))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sent");
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_address_limit_is_its_own_and_proxies_are_trusted_only_when_named() {
    // Not trusted (the default): X-Forwarded-For is ignored, every attempt is 127.0.0.1.
    let app = spawn_app_with(|c| c.login_address_limit = 3).await;
    for (i, hop) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let r = login_via(&app, &format!("nobody{i}@usc.edu.ph"), "Wrong1234", hop).await;
        assert_eq!(r, (401, "invalid_credentials".into()));
    }
    let r = login_via(&app, "other@usc.edu.ph", "Wrong1234", "203.0.113.50").await;
    assert_eq!(r, (429, "rate_limited".into()));
    app.stop().await;

    // Trusted: the right-most untrusted hop is the client, so addresses count apart.
    let app = spawn_app_with(|c| {
        c.login_address_limit = 3;
        c.trusted_proxies = "127.0.0.1/32, 10.0.0.0/8".into();
    })
    .await;
    app.registered_user("jdoe@usc.edu.ph", PW).await;
    for i in 0..3 {
        // A forged left-most hop does not move the count off the real client.
        let hops = format!("6.6.6.{i}, 198.51.100.1, 10.0.0.7");
        let r = login_via(&app, &format!("nobody{i}@usc.edu.ph"), "Wrong1234", &hops).await;
        assert_eq!(r, (401, "invalid_credentials".into()));
    }
    let r = login_via(&app, "jdoe@usc.edu.ph", PW, "198.51.100.1").await;
    assert_eq!(r, (429, "rate_limited".into()));
    let r = login_via(&app, "jdoe@usc.edu.ph", PW, "198.51.100.2").await;
    assert_eq!(r.0, 200, "another client behind the proxy logs in");
    app.stop().await;
}

#[tokio::test]
async fn sixteen_desks_log_into_one_account_at_once() {
    let app = spawn_app().await;
    app.registered_user("desk@usc.edu.ph", PW).await;
    let logins = (0..16).map(|_| {
        app.post(
            "/api/auth/login",
            json!({"email": "desk@usc.edu.ph", "password": PW}),
            None,
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(logins)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses,
        vec![200; 16],
        "a correct password is never refused"
    );
    app.stop().await;
}

#[tokio::test]
async fn nobody_promotes_themselves() {
    let app = spawn_app().await;
    let (token, user) = app.registered_user("21100003@usc.edu.ph", PW).await;
    let id = user["id"].as_str().expect("id").to_owned();
    app.patch("/api/auth/me", json!({"role": "ADMIN"}), Some(&token))
        .await
        .expect_error(403, "forbidden");
    app.patch("/api/auth/me", json!({"is_verified": true}), Some(&token))
        .await
        .expect_error(403, "forbidden");
    app.patch(
        &format!("/api/admin/users/{id}"),
        json!({"role": "DOCTOR"}),
        Some(&token),
    )
    .await
    .expect_error(403, "forbidden");
    app.get("/api/admin/users", Some(&token))
        .await
        .expect_error(403, "forbidden");
    let me = app.get("/api/auth/me", Some(&token)).await.expect(200);
    assert_eq!(me.body["role"], "STUDENT", "unchanged");

    // An ADMIN may not change their own role or deactivate themselves either.
    let (admin_token, admin) = app.admin().await;
    let admin_id = admin["id"].as_str().expect("id");
    let r = app
        .patch(
            &format!("/api/admin/users/{admin_id}"),
            json!({"role": "STUDENT"}),
            Some(&admin_token),
        )
        .await
        .expect_error(403, "forbidden");
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("own"))
    );

    // Denials are audited.
    let audit = app
        .get("/api/admin/audit?page_size=100", Some(&admin_token))
        .await
        .expect(200);
    let denied = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["outcome"] == "denied")
        .count();
    assert!(denied >= 5, "{}", audit.body);

    // Own profile fields are fine.
    let r = app
        .patch(
            "/api/auth/me",
            json!({"phone": "(0917) 123-4567", "campus": "Talamban Campus", "course": "13"}),
            Some(&token),
        )
        .await
        .expect(200);
    assert_eq!(r.body["phone"], "09171234567");
    app.patch("/api/auth/me", json!({"course": "99"}), Some(&token))
        .await
        .expect_error(400, "invalid_input");
    app.stop().await;
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_401() {
    // The test ages the session behind the server's back, so no session cache here.
    let app = e2e_tests::spawn_app_with(|c| c.session_cache_ms = 0).await;
    let (token, _) = app.registered_user("ana@usc.edu.ph", PW).await;
    app.db
        .execute_unprepared("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z'")
        .await
        .expect("age the session");
    app.get("/api/auth/me", Some(&token))
        .await
        .expect_error(401, "token_expired");
    app.get("/api/auth/me", Some("not-a-token"))
        .await
        .expect_error(401, "unauthenticated");
    app.stop().await;
}

#[tokio::test]
async fn change_password_revokes_other_sessions_and_reset_works_once() {
    let app = spawn_app().await;
    let (first, _) = app.registered_user("bea@usc.edu.ph", PW).await;
    let (second, _) = app.login("bea@usc.edu.ph", PW).await;
    app.post(
        "/api/auth/change-password",
        json!({"current_password": "nope", "new_password": "N3wPassword"}),
        Some(&second),
    )
    .await
    .expect_error(400, "invalid_input");
    app.post(
        "/api/auth/change-password",
        json!({"current_password": PW, "new_password": "weak"}),
        Some(&second),
    )
    .await
    .expect_error(400, "invalid_input");
    app.call(
        Method::POST,
        "/api/auth/change-password",
        Some(json!({"current_password": PW, "new_password": "N3wPassword"})),
        Some(&second),
    )
    .await
    .expect(204);
    app.get("/api/auth/me", Some(&first))
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/auth/me", Some(&second)).await.expect(200);

    // Reset: always 202; the emailed token works once and revokes every session.
    app.post(
        "/api/auth/password-reset/request",
        json!({"email": "nobody@usc.edu.ph"}),
        None,
    )
    .await
    .expect(202);
    app.post(
        "/api/auth/password-reset/request",
        json!({"email": "bea@usc.edu.ph"}),
        None,
    )
    .await
    .expect(202);
    let token = app.reset_token("bea@usc.edu.ph").await;
    app.post(
        "/api/auth/password-reset/confirm",
        json!({"token": token, "new_password": "bea"}),
        None,
    )
    .await
    .expect_error(400, "invalid_input");
    app.call(
        Method::POST,
        "/api/auth/password-reset/confirm",
        Some(json!({"token": token, "new_password": "Reset3dPass"})),
        None,
    )
    .await
    .expect(204);
    app.post(
        "/api/auth/password-reset/confirm",
        json!({"token": token, "new_password": "Again3dPass"}),
        None,
    )
    .await
    .expect_error(400, "invalid_token");
    app.get("/api/auth/me", Some(&second))
        .await
        .expect_error(401, "unauthenticated");
    app.login("bea@usc.edu.ph", "Reset3dPass").await;
    app.stop().await;
}

#[tokio::test]
async fn admin_manages_users_safe_list_and_reads_the_audit_log() {
    let app = spawn_app().await;
    let (admin, admin_user) = app.admin().await;
    let (student_token, student) = app.registered_user("21100004@usc.edu.ph", PW).await;
    let student_id = student["id"].as_str().expect("id");

    // Search, filter, paginate.
    let r = app
        .get("/api/admin/users?search=2110&role=STUDENT", Some(&admin))
        .await
        .expect(200);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], student["id"]);
    let r = app
        .get("/api/admin/users?verified=true&active=true", Some(&admin))
        .await
        .expect(200);
    assert_eq!(r.body["total"], 2, "the admin and the verified student");
    app.get("/api/admin/users?page_size=101", Some(&admin))
        .await
        .expect_error(400, "invalid_input");
    app.get("/api/admin/users?role=WIZARD", Some(&admin))
        .await
        .expect(400);
    app.get(&format!("/api/admin/users/{student_id}"), Some(&admin))
        .await
        .expect(200);
    app.get(
        "/api/admin/users/00000000-0000-7000-8000-000000000000",
        Some(&admin),
    )
    .await
    .expect_error(404, "not_found");

    // Promote, then deactivate (revokes sessions).
    let r = app
        .patch(
            &format!("/api/admin/users/{student_id}"),
            json!({"role": "NURSE"}),
            Some(&admin),
        )
        .await
        .expect(200);
    assert_eq!(r.body["role"], "NURSE");
    app.patch(
        &format!("/api/admin/users/{student_id}"),
        json!({}),
        Some(&admin),
    )
    .await
    .expect_error(400, "invalid_input");
    app.patch(
        &format!("/api/admin/users/{student_id}"),
        json!({"is_active": false}),
        Some(&admin),
    )
    .await
    .expect(200);
    let r = app.get("/api/auth/me", Some(&student_token)).await;
    assert_eq!(r.status.as_u16(), 401, "sessions revoked: {}", r.body);
    app.post(
        "/api/auth/login",
        json!({"email": "21100004@usc.edu.ph", "password": PW}),
        None,
    )
    .await
    .expect_error(403, "account_disabled");

    // Safe list: a pre-approved email registers verified with its role.
    let r = app
        .post(
            "/api/admin/safe-emails",
            json!({"email": "dr.tan@usc.edu.ph", "role": "DOCTOR"}),
            Some(&admin),
        )
        .await
        .expect(201);
    let safe_id = r.body["id"].as_str().expect("id").to_owned();
    app.post(
        "/api/admin/safe-emails",
        json!({"email": "dr.tan@gmail.com", "role": "DOCTOR"}),
        Some(&admin),
    )
    .await
    .expect_error(400, "invalid_input");
    app.post(
        "/api/admin/safe-emails",
        json!({"email": "dr.tan@usc.edu.ph", "role": "DENTIST"}),
        Some(&admin),
    )
    .await
    .expect(200);
    let list = app
        .get("/api/admin/safe-emails", Some(&admin))
        .await
        .expect(200);
    assert_eq!(list.body["total"], 1);
    let r = app
        .post("/api/auth/register", json!({"email": "dr.tan@usc.edu.ph", "password": PW, "first_name": "Tan", "last_name": "Lee"}), None)
        .await
        .expect(201);
    assert_eq!(r.body["user"]["role"], "DENTIST");
    assert_eq!(r.body["user"]["is_verified"], true);
    app.wait_for_mail("dr.tan@usc.edu.ph", "Welcome to USC-PIS")
        .await;
    app.login("dr.tan@usc.edu.ph", PW).await;
    app.call(
        Method::DELETE,
        &format!("/api/admin/safe-emails/{safe_id}"),
        None,
        Some(&admin),
    )
    .await
    .expect(204);
    app.call(
        Method::DELETE,
        &format!("/api/admin/safe-emails/{safe_id}"),
        None,
        Some(&admin),
    )
    .await
    .expect_error(404, "not_found");

    // The audit log holds reads and changes, about whom, by whom.
    let r = app
        .get(
            &format!("/api/admin/audit?subject_id={student_id}&page_size=100"),
            Some(&admin),
        )
        .await
        .expect(200);
    let actions: Vec<&str> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for expected in [
        "auth.register",
        "auth.verify_email",
        "users.read",
        "users.update",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let r = app
        .get(
            &format!(
                "/api/admin/audit?actor_id={}",
                admin_user["id"].as_str().expect("id")
            ),
            Some(&admin),
        )
        .await
        .expect(200);
    assert!(r.body["total"].as_u64().is_some_and(|n| n > 5));
    app.get("/api/admin/audit?from=not-a-time", Some(&admin))
        .await
        .expect(400);
    app.stop().await;
}

#[tokio::test]
async fn every_error_is_an_envelope() {
    let app = spawn_app_small_body().await;
    let url = |p: &str| format!("{}{p}", app.base);
    // Unknown route, wrong method.
    app.get("/api/does-not-exist", None)
        .await
        .expect_error(404, "not_found");
    app.get("/nothing/here", None)
        .await
        .expect_error(404, "not_found");
    app.call(Method::DELETE, "/api/auth/login", None, None)
        .await
        .expect_error(405, "method_not_allowed");
    let r = app
        .call(
            Method::DELETE,
            "/api/admin/users/00000000-0000-7000-8000-000000000000",
            None,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 405);
    assert_eq!(
        r.headers["allow"], "GET, PATCH",
        "RFC 9110: a 405 says what is allowed"
    );
    // Malformed JSON, wrong content type, oversized body.
    let r = app
        .client
        .post(url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["code"], "invalid_request");
    let r = app
        .client
        .post(url("/api/auth/login"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 415);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["code"], "unsupported_media_type");
    let big = "x".repeat(8 * 1024);
    let r = app
        .client
        .post(url("/api/auth/register"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\":\"{big}\"}}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 413);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["code"], "payload_too_large");
    // Security headers on every answer.
    let r = app.get("/api/health", None).await.expect(200);
    for h in [
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(r.headers.contains_key(h), "missing {h}");
    }
    assert!(
        !r.headers.contains_key("strict-transport-security"),
        "HSTS only behind TLS"
    );
    let r = app
        .client
        .get(url("/api/health"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("sent");
    assert!(r.headers().contains_key("strict-transport-security"));
    // No CORS unless configured.
    let r = app
        .client
        .get(url("/api/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    app.stop().await;
}

async fn spawn_app_small_body() -> TestApp {
    e2e_tests::spawn_app_with(|c| c.body_limit = 4096).await
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let app =
        e2e_tests::spawn_app_with(|c| c.cors_origins = "https://clinic.usc.edu.ph".into()).await;
    let url = format!("{}/api/health", app.base);
    let r = app
        .client
        .get(&url)
        .header("origin", "https://clinic.usc.edu.ph")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://clinic.usc.edu.ph"
    );
    let r = app
        .client
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(!r.headers().contains_key("access-control-allow-origin") || r.status().as_u16() >= 400);
    app.stop().await;
}

#[tokio::test]
async fn health_ready_and_documented_api() {
    let app = spawn_app().await;
    let r = app.get("/api/health", None).await.expect(200);
    assert_eq!(r.body["status"], "ok");
    let r = app.get("/api/ready", None).await.expect(200);
    assert_eq!(r.body["status"], "ready");
    let spec = app.get("/api/openapi.json", None).await.expect(200).body;
    let paths = spec["paths"].as_object().expect("paths");
    for p in [
        "/api/health",
        "/api/ready",
        "/api/auth/register",
        "/api/auth/verify-email",
        "/api/auth/resend-code",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/auth/change-password",
        "/api/auth/password-reset/request",
        "/api/auth/password-reset/confirm",
        "/api/admin/users",
        "/api/admin/users/{id}",
        "/api/admin/safe-emails",
        "/api/admin/safe-emails/{id}",
        "/api/admin/audit",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    // Every operation documents its errors, and every authenticated one its 401.
    for (path, ops) in paths {
        for (method, op) in ops.as_object().expect("ops") {
            let codes: Vec<&String> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .collect();
            assert!(
                codes.iter().any(|c| c.starts_with('2')),
                "{method} {path}: no success status"
            );
            if op.get("security").is_some() {
                assert!(
                    codes.iter().any(|c| *c == "401"),
                    "{method} {path}: 401 undocumented"
                );
            }
            if path != "/api/health" && path != "/api/ready" {
                assert!(
                    codes.iter().any(|c| *c == "500"),
                    "{method} {path}: 500 undocumented"
                );
            }
        }
    }
    let login = &paths["/api/auth/login"]["post"]["responses"];
    for code in ["200", "400", "401", "403", "429"] {
        assert!(login.get(code).is_some(), "login {code} undocumented");
    }
    let r = app
        .client
        .get(format!("{}/api/docs", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.expect("html");
    assert!(page.contains("swagger"));
    // Swagger UI shows the amended document, the one /api/openapi.json serves.
    assert!(page.contains(r#""additionalProperties":false"#));
    app.stop().await;
}

/// The audit entries with `action`, newest first, as the ADMIN's list shows them.
async fn audit_entries(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    let r = app
        .get("/api/admin/audit?page_size=100", Some(admin))
        .await
        .expect(200);
    let mut found: Vec<Value> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect();
    found.sort_by_key(|e| std::cmp::Reverse(e["seq"].as_i64()));
    found
}

#[tokio::test]
async fn the_audit_log_records_the_client_address() {
    // Behind a trusted proxy: the forwarded client, for signed-in and anonymous requests.
    let app = spawn_app_with(|c| c.trusted_proxies = "127.0.0.1/32".into()).await;
    let (admin, _) = app.admin().await;
    let r = login_via(&app, "nobody@usc.edu.ph", "Wrong1234", "198.51.100.4").await;
    assert_eq!(r.0, 401);
    let r = app
        .client
        .get(format!("{}/api/admin/audit?page_size=1", app.base))
        .bearer_auth(&admin)
        .header("x-forwarded-for", "203.0.113.9, 127.0.0.1")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    let reads = audit_entries(&app, &admin, "audit.read").await;
    assert_eq!(reads[1]["client_addr"], "203.0.113.9", "{reads:?}");
    // No forwarded header: the peer itself.
    assert_eq!(reads[0]["client_addr"], "127.0.0.1", "{reads:?}");
    let logins = audit_entries(&app, &admin, "auth.login").await;
    let failed = logins
        .iter()
        .find(|e| e["outcome"] == "failed")
        .expect("the failed login");
    assert_eq!(failed["client_addr"], "198.51.100.4");
    // A throttled attempt records the address too.
    for _ in 0..5 {
        login_via(&app, "nobody@usc.edu.ph", "Wrong1234", "198.51.100.4").await;
    }
    let r = login_via(&app, "nobody@usc.edu.ph", "Wrong1234", "198.51.100.4").await;
    assert_eq!(r.0, 429);
    let throttled = audit_entries(&app, &admin, "auth.throttled").await;
    assert_eq!(throttled[0]["client_addr"], "198.51.100.4", "{throttled:?}");
    // And a registration.
    let r = app
        .client
        .post(format!("{}/api/auth/register", app.base))
        .header("x-forwarded-for", "198.51.100.7")
        .json(
            &json!({"email": "21100001@usc.edu.ph", "password": "Str0ngPass!",
                      "first_name": "Ana", "last_name": "Cruz"}),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 201);
    let registered = audit_entries(&app, &admin, "auth.register").await;
    assert_eq!(
        registered[0]["client_addr"], "198.51.100.7",
        "{registered:?}"
    );
    app.stop().await;

    // Not trusted: the header is ignored and the peer address is recorded.
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let r = login_via(&app, "nobody@usc.edu.ph", "Wrong1234", "198.51.100.4").await;
    assert_eq!(r.0, 401);
    let logins = audit_entries(&app, &admin, "auth.login").await;
    assert!(
        logins.iter().all(|e| e["client_addr"] == "127.0.0.1"),
        "{logins:?}"
    );
    app.stop().await;
}
