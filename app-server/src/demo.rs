//! `serve --demo`: a realistic clinic week on a new database, entered through the same use
//! cases as the API (so every rule and audit entry applies): appointment types, the
//! doctor's, dentist's and nurse's weekly hours, patients with allergies (reported and
//! recorded), past visits, an approved certificate, and bookings for the coming days.

use std::fmt;

use anyhow::Context;
use application::appointment::{BookingInput, RangeInput, SlotQuery, TypeInput};
use application::clinical::{
    AllergyInput, CertificateInput, DentalRecordInput, MedicalRecordInput, MedicationInput,
    PatientInput,
};
use application::identity::DemoAccounts;
use chrono::{Duration, NaiveDate, Utc};
use domain::clinical::{DentalRecord, MedicalRecord};
use domain::identity::Role;
use domain::policy::Actor;
use http_api::Services;

/// What the demo week holds, printed under the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// Patients created.
    pub patients: usize,
    /// Visits recorded.
    pub visits: usize,
    /// Appointments booked.
    pub bookings: usize,
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Demo week: {} patients (with allergies), {} past visits, one approved certificate, \
             {} bookings in the coming days; weekly hours for the doctor, dentist and nurse.",
            self.patients, self.visits, self.bookings
        )
    }
}

fn allergy(substance: &str, reaction: &str, severity: &str) -> AllergyInput {
    AllergyInput {
        substance: substance.into(),
        reaction: Some(reaction.into()),
        severity: severity.into(),
    }
}

fn hours(days: &[i64], ranges: &[(&str, &str)]) -> Vec<RangeInput> {
    days.iter()
        .flat_map(|d| {
            ranges.iter().map(move |(start, end)| RangeInput {
                weekday: *d,
                start: (*start).into(),
                end: (*end).into(),
            })
        })
        .collect()
}

/// Enters the demo week as the demo accounts would.
pub async fn prefill_week(s: &Services, d: &DemoAccounts) -> anyhow::Result<Week> {
    let who = |role: Role| {
        d.accounts
            .iter()
            .find(|(_, r, _)| *r == role)
            .map(|(_, _, id)| Actor::new(*id, role))
            .with_context(|| format!("no demo {role}"))
    };
    let (staff, doctor, dentist, nurse, student) = (
        who(Role::Staff)?,
        who(Role::Doctor)?,
        who(Role::Dentist)?,
        who(Role::Nurse)?,
        who(Role::Student)?,
    );
    let err = |e: application::AppError| anyhow::anyhow!("demo data: {e}");

    // What can be booked, and when.
    let mut types = Vec::new();
    for (name, minutes, buffer, role, capacity) in [
        ("Consultation", 20, 10, "DOCTOR", 1),
        ("Dental check-up", 30, 10, "DENTIST", 1),
        ("Flu vaccination", 10, 0, "NURSE", 5),
    ] {
        let t = s
            .appointments
            .create_type(
                &staff,
                TypeInput {
                    name: Some(name.into()),
                    duration_minutes: Some(minutes),
                    buffer_minutes: Some(buffer),
                    provider_roles: Some(vec![role.into()]),
                    capacity: Some(capacity),
                },
            )
            .await
            .map_err(err)?;
        types.push((t.id, role));
    }
    let weekdays = [1, 2, 3, 4, 5];
    for (actor, ranges) in [
        (
            &doctor,
            hours(&weekdays, &[("08:00", "12:00"), ("13:00", "17:00")]),
        ),
        (&dentist, hours(&[1, 3, 5], &[("08:00", "12:00")])),
        (&nurse, hours(&weekdays, &[("09:00", "16:00")])),
    ] {
        s.appointments
            .set_schedule(actor, actor.user_id, ranges)
            .await
            .map_err(err)?;
    }

    // Patients: Maria completes her own profile (a reported allergy); staff register
    // walk-ins; the nurse records a severe penicillin allergy.
    let maria = s
        .clinical
        .update_my_patient(
            &student,
            PatientInput {
                first_name: Some("Maria".into()),
                middle_name: Some("Santos".into()),
                last_name: Some("Reyes".into()),
                date_of_birth: NaiveDate::from_ymd_opt(2004, 6, 12),
                sex: Some("F".into()),
                phone: Some("+63 917 123 4567".into()),
                course: Some("13".into()),
                year_level: Some("3".into()),
                campus: Some("Talamban Campus".into()),
                blood_type: Some("O+".into()),
                height_cm: Some(158.0),
                weight_kg: Some(52.0),
                allergies: Some(vec![allergy("Shellfish", "Hives", "moderate")]),
                medications: Some(vec![MedicationInput {
                    name: "Salbutamol inhaler".into(),
                    dose: Some("2 puffs PRN".into()),
                }]),
                ..PatientInput::default()
            },
        )
        .await
        .map_err(err)?
        .patient;
    let mut patients = vec![maria.clone()];
    for (first, last, born, sex) in [
        ("Jose", "Santos", (2003, 2, 14), "M"),
        ("Ana", "Cruz", (2002, 11, 3), "F"),
        ("Miguel", "Torres", (1988, 7, 21), "M"),
        ("Liza", "Ramos", (2005, 1, 30), "F"),
    ] {
        let p = s
            .clinical
            .create_patient(
                &staff,
                PatientInput {
                    first_name: Some(first.into()),
                    last_name: Some(last.into()),
                    date_of_birth: NaiveDate::from_ymd_opt(born.0, born.1, born.2),
                    sex: Some(sex.into()),
                    ..PatientInput::default()
                },
            )
            .await
            .map_err(err)?
            .patient;
        patients.push(p);
    }
    for (p, allergies) in [
        (
            &patients[1],
            vec![allergy("Penicillin", "Anaphylaxis", "severe")],
        ),
        (
            &patients[3],
            vec![allergy("Mefenamic acid", "Facial swelling", "moderate")],
        ),
    ] {
        s.clinical
            .update_patient(
                &nurse,
                p.id,
                PatientInput {
                    allergies: Some(allergies),
                    ..PatientInput::default()
                },
            )
            .await
            .map_err(err)?;
    }

    // Past visits: colds, a headache, a check-up and a filling.
    let now = Utc::now();
    let mut visits = 0;
    for (p, days_ago, complaint, diagnosis, treatment, medication) in [
        (
            &patients[0],
            6,
            "Cough and colds for 3 days",
            "Acute upper respiratory tract infection",
            "Paracetamol, increased fluids, rest",
            "Paracetamol",
        ),
        (
            &patients[1],
            4,
            "Headache since morning",
            "Tension headache",
            "Rest, paracetamol as needed",
            "Paracetamol",
        ),
        (
            &patients[2],
            2,
            "Loose stools, 4 episodes",
            "Acute gastroenteritis",
            "Oral rehydration salts, light diet",
            "Oral rehydration salts",
        ),
    ] {
        s.clinical
            .create_record::<MedicalRecord>(
                &doctor,
                MedicalRecordInput {
                    patient_id: Some(p.id),
                    visit_at: Some(now - Duration::days(days_ago)),
                    chief_complaint: Some(complaint.into()),
                    diagnosis: Some(diagnosis.into()),
                    treatment: Some(treatment.into()),
                    medications: Some(vec![MedicationInput {
                        name: medication.into(),
                        dose: Some("500 mg every 6 hours as needed".into()),
                    }]),
                    ..MedicalRecordInput::default()
                },
            )
            .await
            .map_err(err)?;
        visits += 1;
    }
    s.clinical
        .create_record::<DentalRecord>(
            &dentist,
            DentalRecordInput {
                patient_id: Some(patients[0].id),
                visit_at: Some(now - Duration::days(3)),
                procedure: Some("FILLING".into()),
                tooth_numbers: Some(vec![36]),
                concern: Some("Toothache, lower left".into()),
                diagnosis: Some("Dental caries, occlusal".into()),
                treatment_performed: Some("Composite restoration #36".into()),
                anesthesia_used: Some(true),
                anesthesia_type: Some("Lidocaine 2% with epinephrine".into()),
                pain_level: Some(4),
                ..DentalRecordInput::default()
            },
        )
        .await
        .map_err(err)?;
    visits += 1;

    // Maria's certificate for an educational tour, approved by the doctor.
    let template = s
        .clinical
        .list_templates(&doctor)
        .await
        .map_err(err)?
        .into_iter()
        .next()
        .context("no certificate template")?;
    let today = now.date_naive();
    let c = s
        .clinical
        .create_certificate(
            &doctor,
            CertificateInput {
                patient_id: Some(maria.id),
                template_id: Some(template.id),
                purpose: Some("Fitness clearance for an off-campus educational tour".into()),
                recommendations: Some("Bring her inhaler".into()),
                valid_from: Some(today),
                valid_until: Some(today + Duration::days(30)),
                fitness: Some("fit".into()),
                ..CertificateInput::default()
            },
        )
        .await
        .map_err(err)?;
    s.clinical
        .approve_certificate(&doctor, c.id)
        .await
        .map_err(err)?;

    // Bookings in the coming days: the first free slots of each type.
    let mut bookings = 0;
    for (i, (kind, _)) in types.iter().enumerate() {
        let slots = s
            .appointments
            .slots(
                &staff,
                SlotQuery {
                    appointment_type_id: *kind,
                    provider_id: None,
                    from: Some(now + Duration::hours(12)),
                    to: None,
                },
            )
            .await
            .map_err(err)?;
        for (slot, p) in slots.iter().step_by(3).zip(patients.iter().skip(i).take(2)) {
            s.appointments
                .book(
                    &staff,
                    BookingInput {
                        appointment_type_id: *kind,
                        provider_id: slot.provider_id,
                        start: slot.slot.start,
                        patient_id: Some(p.id),
                        force: false,
                    },
                    None,
                )
                .await
                .map_err(err)?;
            bookings += 1;
        }
    }
    Ok(Week {
        patients: patients.len(),
        visits,
        bookings,
    })
}
