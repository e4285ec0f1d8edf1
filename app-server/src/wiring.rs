//! Wiring, one function per capability: which adapter serves each of its ports, and its
//! settings from the configuration's section. Add a capability here and in `Services`.

use std::sync::Arc;

use anyhow::Context;
use application::appointment::AppointmentService;
use application::audit::AuditService;
use application::clinical::ClinicalService;
use application::identity::IdentityService;
use application::mail::{Mailer, OutboxService, RetryPolicy};
use application::notification::NotificationService;
use application::{Clock, SystemClock};
use crypto::{Argon2Cost, Argon2Hasher};
use storage::{
    Database, SeaOrmAppointmentStore, SeaOrmAuditStore, SeaOrmClinicalStore, SeaOrmIdentityStore,
    SeaOrmNotificationStore, SeaOrmOutboxStore,
};

use crate::Config;

/// What every capability's wiring shares: the database (clones share the pool and the
/// session cache), the clock and the audit log.
pub(crate) struct Shared {
    db: Database,
    clock: Arc<dyn Clock>,
    audit: Arc<SeaOrmAuditStore>,
}

impl Shared {
    pub(crate) fn new(db: Database) -> Self {
        Self {
            audit: Arc::new(SeaOrmAuditStore::new(db.clone())),
            clock: Arc::new(SystemClock),
            db,
        }
    }
}

/// Identity and access: argon2id passwords with the configured cost.
pub(crate) fn identity(s: &Shared, config: &Config) -> anyhow::Result<Arc<IdentityService>> {
    let hasher = Argon2Hasher::new(Argon2Cost {
        m_kib: config.argon2_memory_kib,
        t: config.argon2_iterations,
        p: 1,
    })?;
    Ok(Arc::new(IdentityService::new(
        Arc::new(SeaOrmIdentityStore::new(s.db.clone())),
        Arc::new(hasher),
        s.clock.clone(),
        config.identity()?,
    )))
}

/// The audit log's reader and verifier.
pub(crate) fn audit(s: &Shared) -> Arc<AuditService> {
    Arc::new(AuditService::new(s.audit.clone(), s.clock.clone()))
}

/// Clinical records: documents in `<data dir>/media`, certificates laid out by Typst.
pub(crate) fn clinical(s: &Shared, config: &Config) -> anyhow::Result<Arc<ClinicalService>> {
    let media = media::ObjectMediaStore::local(config.data_dir.join("media"))
        .context("opening the media folder")?;
    Ok(Arc::new(ClinicalService::new(
        Arc::new(SeaOrmClinicalStore::new(s.db.clone())),
        s.audit.clone(),
        Arc::new(media),
        Arc::new(pdf::TypstPdfRenderer::with_logo(config.clinic_logo()?)),
        s.clock.clone(),
        config.clinical()?,
    )))
}

/// Appointments: patients through the clinical capability's `PatientDirectory`, job
/// leases in the database.
pub(crate) fn appointments(s: &Shared, config: &Config) -> anyhow::Result<Arc<AppointmentService>> {
    Ok(Arc::new(AppointmentService::new(
        Arc::new(SeaOrmAppointmentStore::new(s.db.clone())),
        Arc::new(SeaOrmClinicalStore::new(s.db.clone())),
        s.audit.clone(),
        Arc::new(s.db.clone()),
        s.clock.clone(),
        config.appointments()?,
    )))
}

/// The notification centre.
pub(crate) fn notifications(s: &Shared) -> Arc<NotificationService> {
    Arc::new(NotificationService::new(
        Arc::new(SeaOrmNotificationStore::new(s.db.clone())),
        s.clock.clone(),
    ))
}

/// The outbox worker over `mailer`.
pub(crate) fn outbox(s: &Shared, mailer: Arc<dyn Mailer>) -> Arc<OutboxService> {
    Arc::new(OutboxService::new(
        Arc::new(SeaOrmOutboxStore::new(s.db.clone())),
        mailer,
        s.clock.clone(),
        RetryPolicy::default(),
    ))
}
