//! `migrate`, `create-admin`, `audit verify`.

use std::sync::Arc;

use anyhow::Context;
use app_server::{App, Config};
use application::SystemClock;
use application::audit::AuditService;

/// Applies pending migrations.
pub(super) async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = storage::Database::connect(&config.database_url())
        .await
        .context("migrating")?;
    println!("migrations applied ({})", db.backend_name());
    Ok(())
}

/// Creates a verified ADMIN; the password comes from `USCPIS_ADMIN_PASSWORD` or a prompt.
pub(super) async fn create_admin(config: Config, email: &str) -> anyhow::Result<()> {
    let password = match config.admin_password.clone().filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => {
            let p = rpassword::prompt_password("New ADMIN password: ")?;
            let again = rpassword::prompt_password("Repeat: ")?;
            anyhow::ensure!(p == again, "the passwords differ");
            p
        }
    };
    let app = App::build(config).await?;
    let user = app
        .services
        .identity
        .create_admin(email, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.services.audit.link_waiting().await?;
    println!("ADMIN created: {} ({})", user.email, user.id);
    Ok(())
}

/// Checks the audit chain; exits 1 when it is broken.
pub(super) async fn verify_audit(config: &Config) -> anyhow::Result<()> {
    let db = storage::Database::connect(&config.database_url()).await?;
    let svc = AuditService::new(
        Arc::new(storage::SeaOrmAuditStore::new(db)),
        Arc::new(SystemClock),
    );
    let report = svc.verify().await?;
    match report.error {
        None => {
            println!(
                "audit chain intact: {} entries, {} not yet linked",
                report.entries, report.unlinked
            );
            Ok(())
        }
        Some(e) => {
            eprintln!(
                "audit chain BROKEN after {} good entries: {e}",
                report.entries
            );
            std::process::exit(1);
        }
    }
}
