//! Allergies and medications: part of a patient's profile and of every visit record.

use application::clinical::{AllergyInput, MedicationInput};
use domain::clinical::{Allergy, Medication};
use poem_openapi::Object;

/// A recorded allergy.
#[derive(Debug, Clone, Object)]
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
