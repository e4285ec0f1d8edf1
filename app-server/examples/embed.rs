//! Another Rust service using the use cases directly: storage on an in-memory SQLite, a
//! mailer that collects messages, no HTTP. Registers a patient and books a visit.
//! Run: `cargo run -p app-server --example embed`.
use std::sync::{Arc, Mutex};

use application::appointment::{AppointmentConfig, AppointmentService as Appointments};
use application::appointment::{BookingInput, RangeInput, SlotQuery, TypeInput};
use application::clinical::{ClinicalConfig, ClinicalService, PatientInput};
use application::identity::{AdminUserChange, IdentityConfig, IdentityService};
use application::mail::{MailError, Mailer, OutboxService, OutgoingEmail, RetryPolicy};
use application::{Clock, SystemClock};
use domain::{OutboxId, identity::Role, policy::Actor};
use storage::{Database, SeaOrmAppointmentStore, SeaOrmAuditStore, SeaOrmClinicalStore};

#[derive(Default)]
struct Collected(Mutex<Vec<OutgoingEmail>>);
#[async_trait::async_trait]
impl Mailer for Collected {
    async fn send(&self, _: OutboxId, email: &OutgoingEmail) -> Result<(), MailError> {
        self.0.lock().map_err(|e| MailError::Transient(e.to_string()))?.push(email.clone());
        Ok(())
    }
    fn transport(&self) -> &'static str {
        "memory"
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = Database::connect("sqlite:file:embed?mode=memory&cache=shared").await?;
    let (clock, audit): (Arc<dyn Clock>, _) = (Arc::new(SystemClock), Arc::new(SeaOrmAuditStore::new(db.clone())));
    let hasher = Arc::new(crypto::Argon2Hasher::new(crypto::Argon2Cost { m_kib: 8192, t: 1, p: 1 })?);
    let ids = IdentityService::new(Arc::new(storage::SeaOrmIdentityStore::new(db.clone())), hasher, clock.clone(), IdentityConfig::default());
    let admin = ids.create_admin("admin@usc.edu.ph", "Embed-Example-2026").await?;
    let admin = Actor { user_id: admin.id, role: Role::Admin };
    let doctor = ids.create_admin("doctor@usc.edu.ph", "Embed-Example-2026").await?.id;
    ids.admin_update_user(&admin, doctor, AdminUserChange { role: Some("DOCTOR".into()), ..Default::default() }).await?;

    let clinical_store = Arc::new(SeaOrmClinicalStore::new(db.clone()));
    let media = Arc::new(media::ObjectMediaStore::memory());
    let clinical = ClinicalService::new(clinical_store.clone(), audit.clone(), media, Arc::new(pdf::TypstPdfRenderer::new()), clock.clone(), ClinicalConfig::default());
    let input = PatientInput { first_name: Some("Maria".into()), last_name: Some("Reyes".into()), date_of_birth: chrono::NaiveDate::from_ymd_opt(2004, 6, 12), sex: Some("F".into()), email: Some("21104567@usc.edu.ph".into()), ..Default::default() };
    let patient = clinical.create_patient(&admin, input).await?.patient;

    let appointments = Appointments::new(Arc::new(SeaOrmAppointmentStore::new(db.clone())), clinical_store, audit, Arc::new(db.clone()), clock.clone(), AppointmentConfig::default());
    let kind = TypeInput { name: Some("Consultation".into()), duration_minutes: Some(15), buffer_minutes: Some(5), provider_roles: Some(vec!["DOCTOR".into()]), capacity: Some(1) };
    let kind = appointments.create_type(&admin, kind).await?;
    let week = (1..=7).map(|weekday| RangeInput { weekday, start: "00:00".into(), end: "23:59".into() }).collect();
    appointments.set_schedule(&admin, doctor, week).await?;
    let query = SlotQuery { appointment_type_id: kind.id, provider_id: Some(doctor), from: None, to: None };
    let slot = appointments.slots(&admin, query).await?.into_iter().nth(6).ok_or_else(|| anyhow::anyhow!("no free slot"))?;
    let booking = BookingInput { appointment_type_id: kind.id, provider_id: doctor, start: slot.slot.start, patient_id: Some(patient.id), force: false };
    let (booked, _) = appointments.book(&admin, booking, None).await?;

    let mailer = Arc::new(Collected::default());
    let outbox = OutboxService::new(Arc::new(storage::SeaOrmOutboxStore::new(db)), mailer.clone(), clock, RetryPolicy::default());
    let sent = outbox.deliver_due().await?.sent;
    let subjects: Vec<String> = mailer.0.lock().map_err(|e| anyhow::anyhow!("{e}"))?.iter().map(|m| m.subject.clone()).collect();
    println!("booked {} at {} for patient {}; {sent} email(s) sent: {subjects:?}", booked.type_name, booked.appointment.start, patient.id);
    anyhow::ensure!(sent >= 1, "the booking confirmation was not sent");
    Ok(())
}
