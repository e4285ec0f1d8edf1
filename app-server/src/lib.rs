//! The `usc-pis` server: reads configuration, wires adapters to use cases, runs the HTTP
//! server and the mail worker. Thin by design: no rules live here.

pub mod config;
pub mod demo;
mod wiring;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use application::appointment::AppointmentJobs;
use application::audit::AuditChainJob;
use application::jobs::Job;
use application::mail::{Mailer, OutboxJob, OutboxService};
use http_api::{ClinicZone, HttpConfig, Services};
use poem::listener::{Acceptor, Listener, TcpListener};
use storage::Database;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

pub use config::Config;

/// Everything the server runs, wired.
pub struct App {
    /// The database.
    pub db: Database,
    /// HTTP-facing use cases.
    pub services: Services,
    /// The mail worker.
    pub outbox: Arc<OutboxService>,
    /// The configuration in force.
    pub config: Config,
}

fn mailer(cfg: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    let from = mail::parse_from(&cfg.mail_from)?;
    Ok(match cfg.smtp_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => Arc::new(mail::SmtpMailer::from_url(url, from)?),
        None => Arc::new(mail::FileMailer::new(cfg.data_dir.join("outbox"), from)?),
    })
}

impl App {
    /// Connects, migrates and wires, with the mailer the configuration names.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let mailer = mailer(&config)?;
        Self::build_with_mailer(config, mailer).await
    }

    /// Connects, migrates and wires, sending mail through `mailer` (an embedding service's
    /// own, or a collecting one in tests).
    pub async fn build_with_mailer(
        config: Config,
        mailer: Arc<dyn Mailer>,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data dir {}", config.data_dir.display()))?;
        let db = Database::connect(&config.database_url())
            .await
            .context("connecting to the database and applying migrations")?
            .with_session_cache(Duration::from_millis(config.session_cache_ms));
        let shared = wiring::Shared::new(db.clone());
        let outbox = wiring::outbox(&shared, mailer);
        let services = Services {
            identity: wiring::identity(&shared, &config)?,
            audit: wiring::audit(&shared),
            clinical: wiring::clinical(&shared, &config)?,
            appointments: wiring::appointments(&shared, &config)?,
            notifications: wiring::notifications(&shared),
            probe: Arc::new(db.clone()),
        };
        Ok(Self {
            db,
            services,
            outbox,
            config,
        })
    }

    /// The background jobs this server runs, each on its own period (the audit chainer;
    /// reminders and the waitlist; the outbox). Add a capability's jobs here.
    pub fn jobs(&self) -> Vec<Arc<dyn Job>> {
        vec![
            Arc::new(AuditChainJob::new(
                self.services.audit.clone(),
                Duration::from_millis(self.config.audit_chain_ms.max(1)),
            )),
            Arc::new(AppointmentJobs::new(
                self.services.appointments.clone(),
                Duration::from_millis(self.config.jobs_poll_ms.max(10)),
            )),
            Arc::new(OutboxJob::new(
                self.outbox.clone(),
                Duration::from_millis(self.config.outbox_poll_ms.max(10)),
            )),
        ]
    }

    /// The HTTP settings.
    pub fn http_config(&self) -> anyhow::Result<HttpConfig> {
        Ok(HttpConfig {
            body_limit: self.config.body_limit,
            cors_origins: self.config.cors_origins(),
            zone: ClinicZone(self.config.zone()?),
            trusted_proxies: self.config.trusted_proxies()?,
        })
    }
}

/// A server running in the background (used by `serve` and by the end-to-end tests).
pub struct RunningServer {
    /// The bound address (port 0 resolved).
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    workers: JoinSet<()>,
}

impl RunningServer {
    /// Stops accepting, lets in-flight requests finish (up to 10 s), then lets every
    /// background job finish its run: one shutdown path for all of them.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.http.await??;
        while let Some(done) = self.workers.join_next().await {
            done?;
        }
        Ok(())
    }

    /// Waits until the server stops by itself or Ctrl-C / SIGTERM arrives.
    pub async fn wait_for_signal(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Binds `app.config.listen` and starts the HTTP server and the mail worker.
pub async fn start(app: App) -> anyhow::Result<RunningServer> {
    let http_config = app.http_config()?;
    let acceptor = TcpListener::bind(app.config.listen.clone())
        .into_acceptor()
        .await
        .with_context(|| format!("binding {}", app.config.listen))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .context("no local address")?;
    let (tx, rx) = watch::channel(false);

    let endpoint = http_api::build_app(app.services.clone(), http_config);
    let mut http_rx = rx.clone();
    let http = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                endpoint,
                async move {
                    let _ = http_rx.wait_for(|stop| *stop).await;
                },
                Some(Duration::from_secs(10)),
            )
            .await
    });

    let mut workers = JoinSet::new();
    for job in app.jobs() {
        workers.spawn(run_job(job, rx.clone()));
    }
    tracing::info!(%addr, database = app.db.backend_name(), mail = app.outbox.transport(), "listening");
    Ok(RunningServer {
        addr,
        shutdown: tx,
        http,
        workers,
    })
}

/// Runs `job` now and then every period until `stop` turns true.
async fn run_job(job: Arc<dyn Job>, mut stop: watch::Receiver<bool>) {
    loop {
        match job.run().await {
            Ok(run) if !run.is_idle() => {
                let counts: Vec<String> = run.0.iter().map(|(k, n)| format!("{k}={n}")).collect();
                tracing::info!(job = job.name(), counts = %counts.join(" "), "job run");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(job = job.name(), error = %e, "job failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(job.period()) => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
    }
}
