//! The `usc-pis` binary itself: help, migrate, create-admin, audit verify.

use std::process::Command;

fn usc_pis(data_dir: &std::path::Path, db_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_usc-pis"));
    c.env("USCPIS_DATA_DIR", data_dir)
        .env("USCPIS_DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .env_remove("USCPIS_ADMIN_PASSWORD");
    c
}

#[test]
fn help_lists_the_subcommands() {
    let out = Command::new(env!("CARGO_BIN_EXE_usc-pis"))
        .arg("--help")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "create-admin", "audit"] {
        assert!(text.contains(sub), "{sub} missing from --help:\n{text}");
    }
}

#[tokio::test]
async fn logs_written_to_a_pipe_are_not_coloured() {
    let dir = std::env::temp_dir().join(format!("uscpis-cli-{}", uuid::Uuid::now_v7().simple()));
    let url = storage::testing::fresh_database_url().await.expect("db");
    let out = usc_pis(&dir, &url)
        .arg("migrate")
        .env("RUST_LOG", "info")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let logs = String::from_utf8_lossy(&out.stdout);
    assert!(logs.contains("INFO"), "no log lines to check:\n{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "ANSI escapes in piped logs:\n{logs}"
    );
}

#[tokio::test]
async fn create_admin_then_verify_the_audit_chain_and_detect_tampering() {
    let dir = std::env::temp_dir().join(format!("uscpis-cli-{}", uuid::Uuid::now_v7().simple()));
    let url = storage::testing::fresh_database_url().await.expect("db");

    let out = usc_pis(&dir, &url).arg("migrate").output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A weak password is refused; no default password exists.
    let out = usc_pis(&dir, &url)
        .args(["create-admin", "--email", "head@usc.edu.ph"])
        .env("USCPIS_ADMIN_PASSWORD", "weak")
        .output()
        .expect("runs");
    assert!(!out.status.success());

    let out = usc_pis(&dir, &url)
        .args(["create-admin", "--email", "head@usc.edu.ph"])
        .env("USCPIS_ADMIN_PASSWORD", "Adm1nistrator")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ADMIN created"));

    let out = usc_pis(&dir, &url)
        .args(["audit", "verify"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 1 entries"));

    let db = storage::Database::connect(&url).await.expect("db");
    db.execute_unprepared("UPDATE audit_log SET action = 'users.forged'")
        .await
        .expect("tamper");
    let out = usc_pis(&dir, &url)
        .args(["audit", "verify"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BROKEN"));
}

#[tokio::test]
async fn environment_configuration_is_parsed_and_bad_values_are_named() {
    let dir = std::env::temp_dir().join(format!("uscpis-cli-{}", uuid::Uuid::now_v7().simple()));
    let url = storage::testing::fresh_database_url().await.expect("db");
    let out = usc_pis(&dir, &url)
        .arg("migrate")
        .env("USCPIS_TOKEN_TTL", "3600")
        .env("USCPIS_BODY_LIMIT", "2048")
        .env("USCPIS_CORS_ORIGINS", "https://a.example,https://b.example")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for (key, value, named) in [
        ("USCPIS_TIMEZONE", "Mars/Olympus", "USCPIS_TIMEZONE"),
        ("USCPIS_TOKEN_TTL", "soon", "USCPIS_TOKEN_TTL"),
        ("USCPIS_DATABASE_URL", "mysql://x", "USCPIS_DATABASE_URL"),
        (
            "USCPIS_TRUSTED_PROXIES",
            "10.0.0.0/8,proxy",
            "USCPIS_TRUSTED_PROXIES",
        ),
        (
            "USCPIS_LOGIN_ADDRESS_LIMIT",
            "0",
            "USCPIS_LOGIN_ADDRESS_LIMIT",
        ),
        // Not there, and there but not an image.
        (
            "USCPIS_CLINIC_LOGO",
            "/nonexistent/logo.png",
            "USCPIS_CLINIC_LOGO",
        ),
        ("USCPIS_CLINIC_LOGO", "/etc/hostname", "USCPIS_CLINIC_LOGO"),
    ] {
        let out = usc_pis(&dir, &url)
            .arg("migrate")
            .env(key, value)
            .output()
            .expect("runs");
        assert!(!out.status.success(), "{key}={value} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{key}: {err}");
    }
}

/// The published contract: `usc-pis openapi` prints exactly `docs/openapi.json`. A change
/// to the API must update that file in the same commit, so every change of the contract
/// is a visible diff (clients are written against it).
#[tokio::test]
async fn the_openapi_document_is_the_published_one() {
    let dir = std::env::temp_dir().join(format!("uscpis-oa-{}", uuid::Uuid::now_v7().simple()));
    let url = storage::testing::fresh_database_url().await.expect("db");
    let out = usc_pis(&dir, &url).arg("openapi").output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let published = include_str!("../../docs/openapi.json");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.trim_end() == published.trim_end(),
        "the OpenAPI document changed: regenerate docs/openapi.json with `usc-pis openapi` if intended"
    );
}
