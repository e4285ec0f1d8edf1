//! Synthetic clinic data for demos and benchmarks: realistic Filipino names, USC IDs,
//! and visits spread over four years. Deterministic for a given seed.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::audit::{AuditEvent, Outcome};
use domain::clinical::{
    BloodType, MedicalRecord, Medication, Patient, PhysicalExam, Sex, VitalSigns,
};
use domain::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};
use domain::{MedicalRecordId, PatientId};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::audit::AuditStore;
use crate::{AppError, StoreError};

/// Writes generated data in bulk (one transaction per batch).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClinicalBulkLoader: Send + Sync {
    /// How many patients exist (new USC IDs continue after them).
    async fn patient_count(&self) -> Result<u64, StoreError>;
    /// Inserts a batch of patients and their records.
    async fn load(
        &self,
        patients: Vec<Patient>,
        records: Vec<MedicalRecord>,
    ) -> Result<(), StoreError>;
}

const FIRST_F: &[&str] = &[
    "Maria", "Ana", "Kristine", "Angelica", "Jasmine", "Princess", "Mary Joy", "Camille", "Nicole",
    "Patricia", "Bea", "Andrea", "Katrina", "Sofia", "Althea", "Czarina", "Rowena", "Liezl",
    "Marites", "Divina", "Erlinda", "Lourdes", "Cristina", "Hazel",
];
const FIRST_M: &[&str] = &[
    "Jose",
    "Juan",
    "Mark",
    "John Paul",
    "Carlo",
    "Paolo",
    "Miguel",
    "Rafael",
    "Christian",
    "Jerome",
    "Angelo",
    "Kenneth",
    "Joshua",
    "Renato",
    "Rodel",
    "Ramon",
    "Emmanuel",
    "Jericho",
    "Vincent",
    "Ariel",
    "Dominic",
    "Francis",
    "Gabriel",
    "Nathaniel",
];
const LAST: &[&str] = &[
    "Dela Cruz",
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Ocampo",
    "Garcia",
    "Mendoza",
    "Torres",
    "Tomas",
    "Andrada",
    "Castillo",
    "Flores",
    "Villanueva",
    "Ramos",
    "Castro",
    "Rivera",
    "Aquino",
    "Navarro",
    "Salazar",
    "Mercado",
    "Aguilar",
    "Gonzales",
    "Lopez",
    "Hernandez",
    "Perez",
    "Fernandez",
    "Domingo",
    "Manalo",
    "Pascual",
    "Soriano",
    "Gutierrez",
    "Santiago",
    "Valdez",
    "Marquez",
    "Lim",
    "Tan",
    "Go",
    "Sy",
    "Chua",
    "Uy",
    "Ong",
    "Yap",
    "Alcantara",
    "Cabrera",
    "Del Rosario",
    "Dizon",
    "Esguerra",
    "Fajardo",
    "Ilagan",
    "Jimenez",
    "Lacson",
    "Macaraeg",
    "Natividad",
    "Padilla",
    "Quiambao",
    "Roxas",
    "Sarmiento",
    "Tolentino",
    "Umali",
    "Velasco",
    "Yulo",
    "Zamora",
    "Abellana",
    "Cabahug",
    "Dumaguete",
    "Escario",
    "Gabuya",
    "Lapu",
    "Osmeña",
];
const VISITS: &[(&str, &str, &str)] = &[
    (
        "Cough and colds for 3 days",
        "Acute upper respiratory tract infection",
        "Paracetamol 500 mg q6h PRN, increased fluids, rest",
    ),
    (
        "Headache since morning",
        "Tension headache",
        "Paracetamol 500 mg, rest, hydration",
    ),
    (
        "Abdominal cramps",
        "Dysmenorrhea",
        "Mefenamic acid 500 mg q8h PRN, warm compress",
    ),
    (
        "Loose stools, 4 episodes",
        "Acute gastroenteritis",
        "Oral rehydration salts, bland diet",
    ),
    (
        "Sneezing and itchy eyes",
        "Allergic rhinitis",
        "Cetirizine 10 mg once daily",
    ),
    (
        "Fell while running",
        "Minor abrasion, left knee",
        "Wound cleaning, sterile dressing",
    ),
    (
        "Fever and body aches",
        "Viral syndrome",
        "Paracetamol, fluids, follow up in 3 days",
    ),
    (
        "Annual physical examination",
        "Healthy; fit for enrolment",
        "Health counselling",
    ),
];
const CONDITIONS: &[&str] = &[
    "None",
    "Mild asthma",
    "Hypertension",
    "Migraine",
    "None",
    "None",
];

/// What [`seed_patients`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Patients inserted.
    pub patients: u64,
    /// Medical records inserted.
    pub records: u64,
}

fn pick<'a>(rng: &mut SmallRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn ascii_key(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ñ' | 'Ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// One synthetic patient number `n` (unique per `n`) with about `records_per_patient`
/// visits over the four years before `now`.
pub fn synthetic_patient(
    rng: &mut SmallRng,
    n: u64,
    records_per_patient: u32,
    now: DateTime<Utc>,
) -> Result<(Patient, Vec<MedicalRecord>), AppError> {
    let bad = |e: &dyn std::fmt::Display| AppError::Unexpected(anyhow::anyhow!("seed: {e}"));
    let female = rng.random_bool(0.55);
    let first = if female {
        pick(rng, FIRST_F)
    } else {
        pick(rng, FIRST_M)
    };
    let last = pick(rng, LAST);
    // Entry year 18..=25, then a 6-digit serial: unique for up to 8 million patients.
    let usc = format!("{}{:06}", 18 + n % 8, n / 8);
    let email = format!(
        "{}.{}.{}@usc.edu.ph",
        ascii_key(first),
        ascii_key(last),
        usc
    );
    let born = NaiveDate::from_ymd_opt(
        1998 + rng.random_range(0..10),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .ok_or_else(|| bad(&"date"))?;
    let height = f64::from(rng.random_range(148..185u32));
    let weight = f64::from(rng.random_range(42..90u32));
    let id = PatientId::new();
    let created = now - Duration::days(rng.random_range(0..1460));
    let mut patient = Patient::new(
        id,
        PersonName::parse(first).map_err(|e| bad(&e))?,
        PersonName::parse(last).map_err(|e| bad(&e))?,
        born,
        if female { Sex::Female } else { Sex::Male },
        None,
        created,
    );
    patient.middle_name = Some(PersonName::parse(pick(rng, LAST)).map_err(|e| bad(&e))?);
    patient.email = Some(EmailAddress::parse(&email).map_err(|e| bad(&e))?);
    patient.usc_id = Some(UscId::parse(&usc).map_err(|e| bad(&e))?);
    patient.phone = Some(
        Phone::parse(&format!("09{:09}", rng.random_range(0..1_000_000_000u64)))
            .map_err(|e| bad(&e))?,
    );
    patient.address = Some("Nasipit, Talamban, Cebu City".into());
    patient.nationality = Some("Filipino".into());
    patient.course =
        Some(CourseCode::parse(&rng.random_range(1..=68u8).to_string()).map_err(|e| bad(&e))?);
    patient.year_level =
        Some(YearLevel::parse(&rng.random_range(1..=4u8).to_string()).map_err(|e| bad(&e))?);
    patient.campus = Some(if rng.random_bool(0.7) {
        Campus::Talamban
    } else {
        Campus::Downtown
    });
    patient.blood_type = Some(BloodType::ALL[rng.random_range(0..BloodType::ALL.len())]);
    patient.height_cm = Some(height);
    patient.weight_kg = Some(weight);
    patient.history.existing_conditions = Some(pick(rng, CONDITIONS).to_owned());
    let count = rng.random_range(0..=records_per_patient.saturating_mul(2));
    let mut records = Vec::with_capacity(count as usize);
    for i in 0..count {
        let (complaint, diagnosis, treatment) = VISITS[rng.random_range(0..VISITS.len())];
        // Distinct times per patient: random day in 4 years plus the visit's index in hours.
        let at = now - Duration::days(rng.random_range(1..1460)) + Duration::hours(i64::from(i));
        records.push(MedicalRecord {
            id: MedicalRecordId::new(),
            patient_id: id,
            visit_at: at,
            chief_complaint: complaint.into(),
            diagnosis: diagnosis.into(),
            treatment: treatment.into(),
            notes: None,
            vital_signs: VitalSigns {
                temperature_c: Some(f64::from(rng.random_range(360..385u32)) / 10.0),
                systolic: Some(rng.random_range(100..135)),
                diastolic: Some(rng.random_range(60..85)),
                pulse: Some(rng.random_range(60..100)),
                respiratory_rate: Some(rng.random_range(14..20)),
                spo2: Some(rng.random_range(95..=100)),
                height_cm: Some(height),
                weight_kg: Some(weight),
            },
            physical_exam: PhysicalExam {
                general_appearance: Some("Awake, not in distress".into()),
                ..PhysicalExam::default()
            },
            medications: vec![
                Medication::new("Paracetamol", Some("500 mg PRN")).map_err(|e| bad(&e))?,
            ],
            override_reason: None,
            created_by: None,
            created_at: at,
            updated_at: at,
            version: 1,
        });
    }
    Ok((patient, records))
}

/// Generates and loads `patients` synthetic patients in batches of 1,000, calling
/// `progress` with the running count; one audit entry records the run.
pub async fn seed_patients(
    loader: &dyn ClinicalBulkLoader,
    audit: &dyn AuditStore,
    patients: u64,
    records_per_patient: u32,
    seed: u64,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SeedReport, AppError> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let offset = loader.patient_count().await?;
    let mut report = SeedReport {
        patients: 0,
        records: 0,
    };
    while report.patients < patients {
        let n = (patients - report.patients).min(1000);
        let mut batch = Vec::with_capacity(n as usize);
        let mut records = Vec::with_capacity(n as usize * records_per_patient as usize);
        for i in 0..n {
            let (p, r) = synthetic_patient(
                &mut rng,
                offset + report.patients + i,
                records_per_patient,
                now,
            )?;
            batch.push(p);
            records.extend(r);
        }
        report.records += records.len() as u64;
        loader.load(batch, records).await?;
        report.patients += n;
        progress(report.patients);
    }
    audit
        .append(
            AuditEvent::new(
                None,
                "seed.patients",
                "patient",
                Some(format!("{}+{}", report.patients, report.records)),
                Outcome::Success,
            ),
            now,
        )
        .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_patients_are_valid_unique_and_their_visits_are_in_the_past() {
        let now = Utc::now();
        let mut rng = SmallRng::seed_from_u64(7);
        let mut ids = std::collections::BTreeSet::new();
        for n in 0..2000 {
            let (p, records) = synthetic_patient(&mut rng, n, 5, now).expect("valid");
            assert!(
                ids.insert(p.usc_id.clone().map(|u| u.as_str().to_owned())),
                "unique USC ID"
            );
            for r in &records {
                assert!(
                    r.visit_at < now + Duration::hours(11)
                        && r.visit_at > now - Duration::days(1461)
                );
            }
        }
    }
}
