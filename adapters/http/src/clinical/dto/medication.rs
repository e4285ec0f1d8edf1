//! Allergies and medications: part of a patient's profile and of every visit record.

use application::clinical::{AllergyInput, MedicationInput};
use chrono::{DateTime, FixedOffset};
use domain::clinical::{Allergy, AllergyEntry, Medication};
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::ClinicZone;

/// An allergy as stated in a patient's profile.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AllergyDto {
    /// What the patient reacts to.
    #[oai(validator(max_length = 100))]
    pub substance: String,
    /// What happens.
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub reaction: Option<String>,
    /// `mild` | `moderate` | `severe`.
    pub severity: String,
}

impl From<&Allergy> for AllergyDto {
    fn from(a: &Allergy) -> Self {
        Self {
            substance: a.substance.clone(),
            reaction: a.reaction.clone(),
            severity: a.severity.as_str().to_owned(),
        }
    }
}

/// A patient's allergy with its provenance.
#[derive(Debug, Clone, Object)]
pub struct AllergyEntryDto {
    /// Identity (to resolve it or mark it entered in error).
    pub id: Uuid,
    /// What the patient reacts to.
    pub substance: String,
    /// What happens.
    #[oai(skip_serializing_if_is_none)]
    pub reaction: Option<String>,
    /// `mild` | `moderate` | `severe`.
    pub severity: String,
    /// `patient_reported` | `clinician_recorded`.
    pub source: String,
    /// Who recorded it (absent for entries kept from before provenance was recorded).
    #[oai(skip_serializing_if_is_none)]
    pub recorded_by: Option<Uuid>,
    /// When it was recorded or last changed.
    pub recorded_at: DateTime<FixedOffset>,
    /// `active` | `resolved` | `entered_in_error`.
    pub status: String,
    /// Why it was closed.
    #[oai(skip_serializing_if_is_none)]
    pub closed_reason: Option<String>,
    /// Who closed it.
    #[oai(skip_serializing_if_is_none)]
    pub closed_by: Option<Uuid>,
    /// When.
    #[oai(skip_serializing_if_is_none)]
    pub closed_at: Option<DateTime<FixedOffset>>,
}

impl AllergyEntryDto {
    /// From an entry, times in the clinic's zone.
    pub fn from_entry(e: &AllergyEntry, zone: ClinicZone) -> Self {
        let a = &e.allergy;
        Self {
            id: e.id,
            substance: a.substance.clone(),
            reaction: a.reaction.clone(),
            severity: a.severity.as_str().to_owned(),
            source: e.source.as_str().to_owned(),
            recorded_by: e.recorded_by.map(|u| u.as_uuid()),
            recorded_at: zone.show(e.recorded_at),
            status: e.status().to_owned(),
            closed_reason: e.closed.as_ref().map(|c| c.reason.clone()),
            closed_by: e.closed.as_ref().map(|c| c.by.as_uuid()),
            closed_at: e.closed.as_ref().map(|c| zone.show(c.at)),
        }
    }

    /// The entries that are (`active`) or are not active, in recorded order.
    pub fn list(entries: &[AllergyEntry], active: bool, zone: ClinicZone) -> Vec<Self> {
        entries
            .iter()
            .filter(|e| e.is_active() == active)
            .map(|e| Self::from_entry(e, zone))
            .collect()
    }
}

impl From<AllergyDto> for AllergyInput {
    fn from(a: AllergyDto) -> Self {
        Self {
            substance: a.substance,
            reaction: a.reaction,
            severity: a.severity,
        }
    }
}

/// A medication taken, given or prescribed.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MedicationDto {
    /// Drug name.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Dose and frequency.
    #[oai(skip_serializing_if_is_none, validator(max_length = 100))]
    pub dose: Option<String>,
}

impl From<&Medication> for MedicationDto {
    fn from(m: &Medication) -> Self {
        Self {
            name: m.name.clone(),
            dose: m.dose.clone(),
        }
    }
}

impl From<MedicationDto> for MedicationInput {
    fn from(m: MedicationDto) -> Self {
        Self {
            name: m.name,
            dose: m.dose,
        }
    }
}

pub(super) fn meds_in(v: Option<Vec<MedicationDto>>) -> Option<Vec<MedicationInput>> {
    v.map(|l| l.into_iter().map(Into::into).collect())
}
