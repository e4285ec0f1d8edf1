//! `usc-pis`: the USC-PIS server and its administration commands.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use app_server::{App, Config, start};
use application::SystemClock;
use application::audit::AuditService;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

// mimalloc returns freed memory to the OS promptly; with glibc's allocator each argon2
// hash (19 MiB) stayed resident in a per-thread arena (see docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// USC-PIS: patient information system of the USC clinic.
#[derive(Parser)]
#[command(name = "usc-pis", version, about)]
struct Cli {
    /// Configuration file (default: ./usc-pis.toml when it exists). USCPIS_* variables win.
    #[arg(long, global = true, env = "USCPIS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server and the mail worker (applies migrations first).
    Serve {
        /// On an empty database, create a demo ADMIN and sample users of each role; their
        /// shared random password is printed once.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create a verified ADMIN. Password from USCPIS_ADMIN_PASSWORD or a prompt.
    CreateAdmin {
        /// The administrator's email.
        #[arg(long)]
        email: String,
    },
    /// Audit log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load synthetic providers, appointment types and appointments (benchmarks); needs
    /// patients first (`seed`).
    SeedAppointments {
        /// Providers to create (60% doctors, 20% dentists, 20% nurses).
        #[arg(long, default_value_t = 50)]
        providers: u64,
        /// Appointments over past years and the coming 30 days.
        #[arg(long, default_value_t = 100_000)]
        appointments: u64,
        /// Extra appointments within the next 24 hours (reminders due), in group sessions.
        #[arg(long, default_value_t = 0)]
        due_soon: u64,
        /// Random seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Load synthetic patients and visits (demos and benchmarks), with a progress bar.
    Seed {
        /// How many patients.
        #[arg(long, default_value_t = 1000)]
        patients: u64,
        /// Average medical records per patient (each gets 0 to twice this many).
        #[arg(long, default_value_t = 5)]
        records_per_patient: u32,
        /// Random seed (the same seed makes the same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain; exits 1 when it is broken.
    Verify,
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("USCPIS_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { demo } => {
            tracing::info!(config = ?config, "starting");
            let app = App::build(config).await?;
            if demo {
                match app
                    .services
                    .identity
                    .seed_demo()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                {
                    Some(d) => {
                        // Printed to the terminal once, never logged.
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "\nDemo accounts (password for all: {})", d.password)?;
                        for (email, role) in &d.accounts {
                            writeln!(out, "  {:<8} {email}", role.as_str())?;
                        }
                        writeln!(out)?;
                    }
                    None => tracing::info!("demo: the database already has users; nothing created"),
                }
            }
            let running = start(app).await?;
            println!(
                "USC-PIS listening on http://{} (docs: http://{}/api/docs)",
                running.addr, running.addr
            );
            running.wait_for_signal().await
        }
        Command::Migrate => {
            let db = storage::Database::connect(&config.database_url())
                .await
                .context("migrating")?;
            println!("migrations applied ({})", db.backend_name());
            Ok(())
        }
        Command::CreateAdmin { email } => {
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
                .create_admin(&email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("ADMIN created: {} ({})", user.email, user.id);
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = storage::Database::connect(&config.database_url()).await?;
            let svc = AuditService::new(
                std::sync::Arc::new(storage::SeaOrmAuditStore::new(db)),
                std::sync::Arc::new(SystemClock),
            );
            let report = svc.verify().await?;
            match report.error {
                None => {
                    println!("audit chain intact: {} entries", report.entries);
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
        Command::Seed {
            patients,
            records_per_patient,
            seed,
        } => {
            let db = storage::Database::connect(&config.database_url()).await?;
            let store = storage::SeaOrmClinicalStore::new(db.clone());
            let audit = storage::SeaOrmAuditStore::new(db.clone());
            let bar = progress_bar(patients, "patients")?;
            let started = std::time::Instant::now();
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
            println!(
                "seeded {} patients and {} medical records in {:.1} s",
                report.patients,
                report.records,
                started.elapsed().as_secs_f64()
            );
            refresh_statistics(&db).await
        }
        Command::SeedAppointments {
            providers,
            appointments,
            due_soon,
            seed,
        } => {
            let db = storage::Database::connect(&config.database_url()).await?;
            let store = storage::SeaOrmAppointmentStore::new(db.clone());
            let bar = progress_bar(appointments + due_soon, "appointments")?;
            let started = std::time::Instant::now();
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
            println!(
                "seeded {} providers and {} appointments ({} due within 24 h) in {:.1} s",
                report.providers,
                report.appointments,
                report.due_soon,
                started.elapsed().as_secs_f64()
            );
            refresh_statistics(&db).await
        }
        Command::Openapi => {
            let app = App::build(config).await?;
            let zone = http_api::ClinicZone(app.config.zone()?);
            println!("{}", http_api::openapi_json(&app.services, zone));
            Ok(())
        }
    }
}

/// Planner statistics after a seed (PostgreSQL: `VACUUM (ANALYZE)`), timed.
async fn refresh_statistics(db: &storage::Database) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
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
