//! Another Rust service using the use cases directly: the storage adapter on an in-memory
//! SQLite, a mailer that collects messages, no HTTP. Registers a patient and books a visit.
use std::sync::{Arc, Mutex};

use app_server::{App, Config};
use application::appointment::{BookingInput, RangeInput, SlotQuery, TypeInput};
use application::{clinical::PatientInput, identity::AdminUserChange, mail::*};
use domain::{OutboxId, identity::Role, policy::Actor};

#[derive(Default)]
struct Collected(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl Mailer for Collected {
    async fn send(&self, _: OutboxId, mail: &OutgoingEmail) -> Result<(), MailError> {
        let mut sent = self.0.lock().map_err(|e| MailError::Transient(e.to_string()))?;
        sent.push(format!("{}: {}", mail.to.as_str(), mail.subject));
        Ok(())
    }
    fn transport(&self) -> &'static str {
        "memory"
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database_url = Some("sqlite:file:embed?mode=memory&cache=shared".into());
    let (data_dir, mailer) = (std::env::temp_dir().join("usc-pis-embed"), Arc::new(Collected::default()));
    let config = Config { database_url, data_dir, ..Config::default() };
    let app = App::build_with_mailer(config, mailer.clone()).await?;
    let (ids, clinical, booking) = (&app.services.identity, &app.services.clinical, &app.services.appointments);

    let admin = ids.create_admin("admin@usc.edu.ph", "Embed-Example-26").await?;
    let admin = Actor::new(admin.id, Role::Admin);
    let doctor = ids.create_admin("doctor@usc.edu.ph", "Embed-Example-26").await?.id;
    let role = AdminUserChange { role: Some("DOCTOR".into()), ..Default::default() };
    ids.admin_update_user(&admin, doctor, role).await?;
    let (dob, sex) = (chrono::NaiveDate::from_ymd_opt(2004, 6, 12), Some("F".into()));
    let (first_name, last_name) = (Some("Maria".into()), Some("Reyes".into()));
    let email = Some("21104567@usc.edu.ph".into());
    let maria = PatientInput { first_name, last_name, date_of_birth: dob, sex, email, ..Default::default() };
    let patient_id = Some(clinical.create_patient(&admin, maria).await?.patient.id);
    let (name, provider_roles) = (Some("Consultation".into()), Some(vec!["DOCTOR".into()]));
    let kind = TypeInput { name, duration_minutes: Some(15), provider_roles, ..Default::default() };
    let kind = booking.create_type(&admin, kind).await?.id;
    let week = (1..=7).map(|weekday| RangeInput { weekday, start: "00:00".into(), end: "23:59".into() });
    booking.set_schedule(&admin, doctor, week.collect()).await?;
    let query = SlotQuery { appointment_type_id: kind, provider_id: Some(doctor), from: None, to: None };
    let slot = booking.slots(&admin, query).await?.get(6).map(|s| s.slot.start);
    let start = slot.ok_or(anyhow::anyhow!("no free slot"))?;
    let req = BookingInput { appointment_type_id: kind, provider_id: doctor, start, patient_id, force: false };
    let (visit, _) = booking.book(&admin, req, None).await?;

    let sent = app.outbox.deliver_due().await?.sent;
    let mail = mailer.0.lock().map_err(|e| anyhow::anyhow!("{e}"))?.clone();
    println!("booked {} at {}; {sent} email(s): {mail:?}", visit.type_name, visit.appointment.start);
    anyhow::ensure!(sent == 1, "one booking confirmation");
    Ok(())
}
