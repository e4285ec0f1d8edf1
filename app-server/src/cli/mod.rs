//! The command line: one module per command group.

mod admin;
mod seed;
mod serve;

use std::path::PathBuf;

use app_server::{App, Config};
use clap::{Parser, Subcommand};

/// USC-PIS: patient information system of the USC clinic.
#[derive(Parser)]
#[command(name = "usc-pis", version, about)]
pub(crate) struct Cli {
    /// Configuration file (default: ./usc-pis.toml when it exists). USCPIS_* variables win.
    #[arg(long, global = true, env = "USCPIS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum AuditCommand {
    /// Check the audit log's hash chain; exits 1 when it is broken.
    Verify,
}

/// Runs the command the line names.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { demo } => serve::serve(config, demo).await,
        Command::Migrate => admin::migrate(&config).await,
        Command::CreateAdmin { email } => admin::create_admin(config, &email).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => admin::verify_audit(&config).await,
        Command::Seed {
            patients,
            records_per_patient,
            seed,
        } => seed::patients(&config, patients, records_per_patient, seed).await,
        Command::SeedAppointments {
            providers,
            appointments,
            due_soon,
            seed,
        } => seed::appointments(&config, providers, appointments, due_soon, seed).await,
        Command::Openapi => {
            let app = App::build(config).await?;
            let zone = http_api::ClinicZone(app.config.zone()?);
            println!("{}", http_api::openapi_json(&app.services, zone));
            Ok(())
        }
    }
}
