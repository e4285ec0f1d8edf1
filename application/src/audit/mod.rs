//! The audit log: listing (ADMIN) and chain verification (`usc-pis audit verify`).

pub mod ports;
pub mod service;

pub use ports::{AuditFilter, AuditStore};
pub use service::{AuditChainJob, AuditService, ChainReport, LINK_BATCH};

use chrono::{DateTime, Utc};
use domain::audit::{AuditEvent, Outcome};
use domain::policy::{Action, Actor, authorize};

use crate::AppError;

/// Asks the policy; a refusal is appended to the audit log (`entity`, `id`) and becomes
/// 403. For use cases that audit through the store directly (outside a transaction).
pub(crate) async fn authorize_audited(
    audit: &dyn AuditStore,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &Action,
    entity: &str,
    id: Option<String>,
) -> Result<(), AppError> {
    if let Err(denied) = authorize(actor, action) {
        audit
            .append(
                AuditEvent::by(actor, action.name(), entity, id, Outcome::Denied),
                now,
            )
            .await?;
        return Err(AppError::denied(denied));
    }
    Ok(())
}
