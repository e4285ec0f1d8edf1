//! [`Shown`]: how a field's value reads in a revision ("old → new" per field), for clinic
//! staff. `None` is an empty value.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::codes::{
    BloodType, CivilStatus, DentalProcedure, GumCondition, OralHygiene, Priority, Sex,
    ToothCondition,
};
use super::patient::{EmergencyContact, MedicalHistory};
use super::record::PhysicalExam;
use super::values::{Medication, Money, PainLevel, ToothNumber, VitalSigns};
use crate::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};

/// A value as a revision shows it.
pub trait Shown {
    /// The text, `None` when empty.
    fn shown(&self) -> Option<String>;
}

impl<T: Shown> Shown for Option<T> {
    fn shown(&self) -> Option<String> {
        self.as_ref().and_then(Shown::shown)
    }
}

/// Joins the shown parts of a list with "; ", `None` when none shows.
fn joined(parts: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "label: value" when the value shows.
fn labelled(label: &str, v: &dyn Shown) -> Option<String> {
    v.shown().map(|s| format!("{label}: {s}"))
}

macro_rules! shown_by_display {
    ($($t:ty),+) => { $(impl Shown for $t {
        fn shown(&self) -> Option<String> { Some(self.to_string()) }
    })+ };
}
macro_rules! shown_by_as_str {
    ($($t:ty),+) => { $(impl Shown for $t {
        fn shown(&self) -> Option<String> { Some(self.as_str().to_owned()) }
    })+ };
}

shown_by_display!(
    String,
    bool,
    u16,
    f64,
    NaiveDate,
    Money,
    ToothNumber,
    Sex,
    BloodType,
    CivilStatus,
    DentalProcedure,
    GumCondition,
    OralHygiene,
    Priority,
    ToothCondition,
    EmailAddress
);
shown_by_as_str!(PersonName, Phone, UscId, Campus);

impl Shown for DateTime<Utc> {
    fn shown(&self) -> Option<String> {
        Some(self.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

impl Shown for PainLevel {
    fn shown(&self) -> Option<String> {
        Some(self.get().to_string())
    }
}

impl Shown for CourseCode {
    fn shown(&self) -> Option<String> {
        Some(self.code().to_string())
    }
}

impl Shown for YearLevel {
    fn shown(&self) -> Option<String> {
        Some(self.level().to_string())
    }
}

impl Shown for Medication {
    fn shown(&self) -> Option<String> {
        Some(match &self.dose {
            Some(d) => format!("{} {d}", self.name),
            None => self.name.clone(),
        })
    }
}

impl<T: Shown> Shown for Vec<T> {
    fn shown(&self) -> Option<String> {
        joined(self.iter().map(Shown::shown))
    }
}

impl<K: Shown, V: Shown> Shown for BTreeMap<K, V> {
    fn shown(&self) -> Option<String> {
        joined(
            self.iter()
                .map(|(k, v)| Some(format!("{}: {}", k.shown()?, v.shown()?))),
        )
    }
}

impl Shown for VitalSigns {
    fn shown(&self) -> Option<String> {
        joined([
            labelled("temperature_c", &self.temperature_c),
            labelled("systolic", &self.systolic),
            labelled("diastolic", &self.diastolic),
            labelled("pulse", &self.pulse),
            labelled("respiratory_rate", &self.respiratory_rate),
            labelled("spo2", &self.spo2),
            labelled("height_cm", &self.height_cm),
            labelled("weight_kg", &self.weight_kg),
        ])
    }
}

impl Shown for PhysicalExam {
    fn shown(&self) -> Option<String> {
        joined([
            labelled("general_appearance", &self.general_appearance),
            labelled("skin", &self.skin),
            labelled("heent", &self.heent),
            labelled("heart", &self.heart),
            labelled("lungs", &self.lungs),
            labelled("abdomen", &self.abdomen),
            labelled("extremities", &self.extremities),
            labelled("neurological", &self.neurological),
        ])
    }
}

impl Shown for EmergencyContact {
    fn shown(&self) -> Option<String> {
        joined([
            labelled("name", &self.name),
            labelled("phone", &self.phone),
            labelled("relationship", &self.relationship),
        ])
    }
}

impl Shown for MedicalHistory {
    fn shown(&self) -> Option<String> {
        joined([
            labelled("illnesses", &self.illnesses),
            labelled("childhood_diseases", &self.childhood_diseases),
            labelled("special_needs", &self.special_needs),
            labelled("existing_conditions", &self.existing_conditions),
            labelled("hospitalizations", &self.hospitalizations),
            labelled("surgeries", &self.surgeries),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_text_and_empty_is_none() {
        let vitals = VitalSigns {
            systolic: Some(120),
            diastolic: Some(80),
            ..VitalSigns::default()
        };
        assert_eq!(
            vitals.shown().as_deref(),
            Some("systolic: 120; diastolic: 80")
        );
        assert_eq!(VitalSigns::default().shown(), None);
        let meds = vec![
            Medication::new("Paracetamol", Some("500 mg")).expect("valid"),
            Medication::new("Cetirizine", None).expect("valid"),
        ];
        assert_eq!(
            meds.shown().as_deref(),
            Some("Paracetamol 500 mg; Cetirizine")
        );
        assert_eq!(None::<String>.shown(), None);
        assert_eq!(Some(Priority::High).shown().as_deref(), Some("HIGH"));
    }
}
