//! `seed` and `seed-appointments`: synthetic data for demos and benchmarks.

use std::sync::Arc;
use std::time::Instant;

use application::SystemClock;
use application::audit::AuditService;

use app_server::Config;
use storage::Database;

/// Synthetic patients and visits, with a progress bar.
pub(super) async fn patients(
    config: &Config,
    patients: u64,
    records_per_patient: u32,
    seed: u64,
) -> anyhow::Result<()> {
    let db = Database::connect(&config.database_url()).await?;
    let store = storage::SeaOrmClinicalStore::new(db.clone());
    let audit = storage::SeaOrmAuditStore::new(db.clone());
    let (bar, started) = (progress_bar(patients, "patients")?, Instant::now());
    let report = application::clinical::seed::seed_patients(
        &store,
        &audit,
        patients,
        records_per_patient,
        seed,
        chrono::Utc::now(),
        &|n| bar.set_position(n),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    let (p, r) = (report.patients, report.records);
    finished(
        &db,
        started,
        format!("{p} patients and {r} medical records"),
    )
    .await
}

/// Synthetic providers, types and appointments (needs patients first).
pub(super) async fn appointments(
    config: &Config,
    providers: u64,
    appointments: u64,
    due_soon: u64,
    seed: u64,
) -> anyhow::Result<()> {
    let db = Database::connect(&config.database_url()).await?;
    let store = storage::SeaOrmAppointmentStore::new(db.clone());
    let (bar, started) = (
        progress_bar(appointments + due_soon, "appointments")?,
        Instant::now(),
    );
    let report = application::appointment::seed::seed_schedule(
        &store,
        config.zone()?,
        providers,
        appointments,
        due_soon,
        seed,
        chrono::Utc::now(),
        &|n| bar.set_position(n),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    let (p, a, d) = (report.providers, report.appointments, report.due_soon);
    let what = format!("{p} providers and {a} appointments ({d} due within 24 h)");
    finished(&db, started, what).await
}

/// Says what was seeded, then refreshes the planner's statistics (PostgreSQL:
/// `VACUUM (ANALYZE)`), timed.
async fn finished(db: &Database, started: Instant, what: String) -> anyhow::Result<()> {
    // The seed's audit entries join the chain before the command exits.
    let audit = AuditService::new(
        Arc::new(storage::SeaOrmAuditStore::new(db.clone())),
        Arc::new(SystemClock),
    );
    audit.link_waiting().await?;
    println!("seeded {what} in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    db.refresh_statistics().await?;
    println!(
        "statistics refreshed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A progress bar counting `unit`s up to `len`.
fn progress_bar(len: u64, unit: &str) -> anyhow::Result<indicatif::ProgressBar> {
    Ok(
        indicatif::ProgressBar::new(len).with_style(indicatif::ProgressStyle::with_template(
            &format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, ETA {{eta}})"),
        )?),
    )
}
