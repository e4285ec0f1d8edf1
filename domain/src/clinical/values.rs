//! Clinical value objects: teeth, pain, money, vital signs, allergies and medications.

use std::fmt;

use rust_decimal::Decimal;
use thiserror::Error;

use super::codes::Severity;

/// Why a clinical value was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ValueError {
    /// Not an FDI permanent-tooth number.
    #[error(
        "`{0}` is not an FDI tooth number (quadrant 1-4 followed by tooth 1-8, e.g. 11-18, 21-28, 31-38, 41-48)"
    )]
    Tooth(String),
    /// Outside 1..=10.
    #[error("pain level must be 1 to 10")]
    Pain,
    /// Not a non-negative amount with at most 2 decimal places below 100,000,000.
    #[error("amount must be 0.00 to 99999999.99 with at most 2 decimal places")]
    Money,
    /// A measurement outside its plausible range.
    #[error("must be between {min} and {max} {unit}")]
    Range {
        /// Lowest accepted.
        min: f64,
        /// Highest accepted.
        max: f64,
        /// Unit.
        unit: &'static str,
    },
    /// Diastolic pressure not below systolic.
    #[error("diastolic pressure must be below systolic")]
    Pressure,
    /// Text with control characters (other than line breaks and tabs).
    #[error("must not contain control characters")]
    Control,
    /// Text missing or too short/long.
    #[error("must be {min} to {max} characters")]
    Length {
        /// Minimum.
        min: usize,
        /// Maximum.
        max: usize,
    },
    /// A list with more entries than allowed.
    #[error("at most {max} entries")]
    TooMany {
        /// Most entries accepted.
        max: usize,
    },
}

/// Trimmed text of `min..=max` characters.
pub fn text(raw: &str, min: usize, max: usize) -> Result<String, ValueError> {
    let s = raw.trim();
    if has_control(s) {
        return Err(ValueError::Control);
    }
    let n = s.chars().count();
    if n < min || n > max {
        return Err(ValueError::Length { min, max });
    }
    Ok(s.to_owned())
}

/// Whether `s` has a control character other than line breaks and tabs (NUL included:
/// PostgreSQL refuses it in text).
pub fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Optional trimmed text up to `max` characters; blank becomes `None`.
pub fn opt_text(raw: Option<&str>, max: usize) -> Result<Option<String>, ValueError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => text(s, 1, max).map(Some),
    }
}

/// A permanent tooth in FDI two-digit notation: quadrant 1-4, tooth 1-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ToothNumber(u8);

impl ToothNumber {
    /// Checks the number.
    pub fn new(n: i64) -> Result<Self, ValueError> {
        let (q, t) = (n / 10, n % 10);
        if (1..=4).contains(&q) && (1..=8).contains(&t) {
            Ok(Self(n as u8))
        } else {
            Err(ValueError::Tooth(n.to_string()))
        }
    }
    /// Parses "36" (surrounding spaces allowed).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.len() != 2 {
            return Err(ValueError::Tooth(s.to_owned()));
        }
        s.parse::<i64>()
            .map_err(|_| ValueError::Tooth(s.to_owned()))
            .and_then(Self::new)
    }
    /// The number.
    pub fn get(&self) -> u8 {
        self.0
    }
    /// Quadrant 1 (upper right) to 4 (lower right).
    pub fn quadrant(&self) -> u8 {
        self.0 / 10
    }
}

impl fmt::Display for ToothNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Pain on a 1-10 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PainLevel(u8);

impl PainLevel {
    /// Checks 1..=10.
    pub fn new(n: i64) -> Result<Self, ValueError> {
        if (1..=10).contains(&n) {
            Ok(Self(n as u8))
        } else {
            Err(ValueError::Pain)
        }
    }
    /// The level.
    pub fn get(&self) -> u8 {
        self.0
    }
}

/// An amount of Philippine pesos: non-negative, exactly 2 decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(Decimal);

impl Money {
    /// The clinic's currency.
    pub const CURRENCY: &'static str = "PHP";

    /// Checks the amount (more than 2 decimal places is refused, never rounded away).
    pub fn new(amount: Decimal) -> Result<Self, ValueError> {
        let max = Decimal::new(9_999_999_999, 2);
        if amount.is_sign_negative() && !amount.is_zero() || amount > max {
            return Err(ValueError::Money);
        }
        let normalized = amount.normalize();
        if normalized.scale() > 2 {
            return Err(ValueError::Money);
        }
        let mut d = normalized;
        d.rescale(2);
        Ok(Self(d))
    }
    /// Parses a decimal string such as "500.00".
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        raw.trim()
            .parse::<Decimal>()
            .map_err(|_| ValueError::Money)
            .and_then(Self::new)
    }
    /// The amount, scale 2.
    pub fn amount(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn in_range(v: f64, min: f64, max: f64, unit: &'static str) -> Result<f64, ValueError> {
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ValueError::Range { min, max, unit })
    }
}

/// Height in centimetres, 30-272.
pub fn height_cm(v: f64) -> Result<f64, ValueError> {
    in_range(v, 30.0, 272.0, "cm")
}

/// Weight in kilograms, 1-500.
pub fn weight_kg(v: f64) -> Result<f64, ValueError> {
    in_range(v, 1.0, 500.0, "kg")
}

/// Body-mass index (kg/m²) rounded to one decimal.
pub fn bmi(height_cm: f64, weight_kg: f64) -> f64 {
    let m = height_cm / 100.0;
    (weight_kg / (m * m) * 10.0).round() / 10.0
}

/// Vital signs as entered at a visit; every value optional, every present value in range.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VitalSigns {
    /// Body temperature, °C (30-45).
    pub temperature_c: Option<f64>,
    /// Systolic pressure, mmHg (50-260).
    pub systolic: Option<u16>,
    /// Diastolic pressure, mmHg (30-160), below systolic.
    pub diastolic: Option<u16>,
    /// Pulse, beats/min (20-250).
    pub pulse: Option<u16>,
    /// Respiratory rate, breaths/min (4-80).
    pub respiratory_rate: Option<u16>,
    /// Oxygen saturation, % (50-100).
    pub spo2: Option<u16>,
    /// Height, cm.
    pub height_cm: Option<f64>,
    /// Weight, kg.
    pub weight_kg: Option<f64>,
}

/// Raw vital signs as numbers from a request, before checks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawVitals {
    /// °C.
    pub temperature_c: Option<f64>,
    /// mmHg.
    pub systolic: Option<i64>,
    /// mmHg.
    pub diastolic: Option<i64>,
    /// Beats/min.
    pub pulse: Option<i64>,
    /// Breaths/min.
    pub respiratory_rate: Option<i64>,
    /// %.
    pub spo2: Option<i64>,
    /// cm.
    pub height_cm: Option<f64>,
    /// kg.
    pub weight_kg: Option<f64>,
}

impl VitalSigns {
    /// Checks every present value; errors name the field.
    pub fn new(raw: RawVitals) -> Result<Self, Vec<(&'static str, ValueError)>> {
        let mut errors = Vec::new();
        let mut int = |field: &'static str, v: Option<i64>, min: u16, max: u16, unit| {
            v.and_then(|v| {
                if (i64::from(min)..=i64::from(max)).contains(&v) {
                    Some(v as u16)
                } else {
                    errors.push((
                        field,
                        ValueError::Range {
                            min: f64::from(min),
                            max: f64::from(max),
                            unit,
                        },
                    ));
                    None
                }
            })
        };
        let systolic = int("systolic", raw.systolic, 50, 260, "mmHg");
        let diastolic = int("diastolic", raw.diastolic, 30, 160, "mmHg");
        let pulse = int("pulse", raw.pulse, 20, 250, "beats/min");
        let respiratory_rate = int(
            "respiratory_rate",
            raw.respiratory_rate,
            4,
            80,
            "breaths/min",
        );
        let spo2 = int("spo2", raw.spo2, 50, 100, "%");
        let mut float =
            |field: &'static str, v: Option<f64>, check: fn(f64) -> Result<f64, ValueError>| {
                v.and_then(|v| check(v).map_err(|e| errors.push((field, e))).ok())
            };
        let temperature_c = float("temperature_c", raw.temperature_c, |v| {
            in_range(v, 30.0, 45.0, "°C")
        });
        let height_cm = float("height_cm", raw.height_cm, height_cm);
        let weight_kg = float("weight_kg", raw.weight_kg, weight_kg);
        if let (Some(s), Some(d)) = (systolic, diastolic)
            && d >= s
        {
            errors.push(("diastolic", ValueError::Pressure));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            temperature_c,
            systolic,
            diastolic,
            pulse,
            respiratory_rate,
            spo2,
            height_cm,
            weight_kg,
        })
    }

    /// BMI when both height and weight were measured.
    pub fn bmi(&self) -> Option<f64> {
        Some(bmi(self.height_cm?, self.weight_kg?))
    }
}

/// A recorded allergy.
#[derive(Clone, PartialEq, Eq)]
pub struct Allergy {
    /// What the patient reacts to ("Penicillin", "Shellfish").
    pub substance: String,
    /// What happens ("Hives").
    pub reaction: Option<String>,
    /// How bad.
    pub severity: Severity,
}

impl fmt::Debug for Allergy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Allergy(<redacted>)")
    }
}

impl Allergy {
    /// Checks the parts: substance 2-100 characters, reaction up to 200.
    pub fn new(
        substance: &str,
        reaction: Option<&str>,
        severity: Severity,
    ) -> Result<Self, ValueError> {
        Ok(Self {
            substance: text(substance, 2, 100)?,
            reaction: opt_text(reaction, 200)?,
            severity,
        })
    }
}

/// A medication taken, given or prescribed.
#[derive(Clone, PartialEq, Eq)]
pub struct Medication {
    /// Drug name ("Amoxicillin").
    pub name: String,
    /// Dose and frequency ("500 mg q8h").
    pub dose: Option<String>,
}

impl fmt::Debug for Medication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Medication(<redacted>)")
    }
}

impl Medication {
    /// Most medications one list (a patient's, a visit's) may hold.
    pub const MAX_LIST: usize = 50;

    /// Checks the parts: name 2-100 characters, dose up to 100.
    pub fn new(name: &str, dose: Option<&str>) -> Result<Self, ValueError> {
        Ok(Self {
            name: text(name, 2, 100)?,
            dose: opt_text(dose, 100)?,
        })
    }

    /// Checks a list: at most [`Medication::MAX_LIST`] entries, each valid. The errors
    /// say where: `None` for the list as a whole, `Some(i)` for entry `i`.
    pub fn list(raw: &[RawMedication]) -> Result<Vec<Self>, Vec<(Option<usize>, ValueError)>> {
        if raw.len() > Self::MAX_LIST {
            return Err(vec![(
                None,
                ValueError::TooMany {
                    max: Self::MAX_LIST,
                },
            )]);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut errors = Vec::new();
        for (i, m) in raw.iter().enumerate() {
            match Self::new(&m.name, m.dose.as_deref()) {
                Ok(v) => out.push(v),
                Err(e) => errors.push((Some(i), e)),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// A medication as entered, before [`Medication::new`] checks it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawMedication {
    /// Name.
    pub name: String,
    /// Dose.
    pub dose: Option<String>,
}

impl fmt::Debug for RawMedication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawMedication(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tooth_numbers_follow_fdi() {
        for ok in ["11", "18", "21", "28", "31", "38", "41", "48", " 36 "] {
            assert!(ToothNumber::parse(ok).is_ok(), "{ok}");
        }
        // reasons: tooth 9/0 does not exist; quadrant 0/5+ is not permanent dentition
        for bad in [
            "19", "20", "29", "30", "39", "40", "49", "10", "50", "55", "09", "1", "111", "-11",
            "ab", "",
        ] {
            assert!(ToothNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn tooth_parse_accepts_exactly_quadrant_and_tooth(n in -100i64..200) {
            let valid = (1..=4).contains(&(n / 10)) && (1..=8).contains(&(n % 10)) && n > 0;
            prop_assert_eq!(ToothNumber::new(n).is_ok(), valid);
            prop_assert_eq!(ToothNumber::parse(&n.to_string()).is_ok(), valid);
        }

        #[test]
        fn vitals_accept_exactly_their_ranges(t in 20.0f64..50.0, s in 0i64..300, d in 0i64..200, p in 0i64..300, o in 0i64..120) {
            let r = VitalSigns::new(RawVitals { temperature_c: Some(t), systolic: Some(s), diastolic: Some(d), pulse: Some(p), spo2: Some(o), ..Default::default() });
            let ok = (30.0..=45.0).contains(&t) && (50..=260).contains(&s) && (30..=160).contains(&d)
                && d < s && (20..=250).contains(&p) && (50..=100).contains(&o);
            prop_assert_eq!(r.is_ok(), ok);
        }

        #[test]
        fn money_keeps_cents_exactly(cents in 0i64..9_999_999_999) {
            let m = Money::new(Decimal::new(cents, 2)).map(|m| m.amount());
            prop_assert_eq!(m, Ok(Decimal::new(cents, 2)));
        }
    }

    #[test]
    fn vitals_name_every_bad_field_and_nan_is_refused() {
        let e = VitalSigns::new(RawVitals {
            temperature_c: Some(f64::NAN),
            systolic: Some(120),
            diastolic: Some(130),
            spo2: Some(101),
            ..Default::default()
        })
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["spo2", "temperature_c", "diastolic"]);
    }

    #[test]
    fn money_and_pain() {
        assert_eq!(
            Money::parse("500").map(|m| m.to_string()),
            Ok("500.00".into())
        );
        assert_eq!(Money::parse("1.005"), Err(ValueError::Money));
        assert_eq!(Money::parse("-1"), Err(ValueError::Money));
        assert_eq!(Money::parse("100000000.00"), Err(ValueError::Money));
        assert!(PainLevel::new(0).is_err() && PainLevel::new(11).is_err());
        assert_eq!(PainLevel::new(10).map(|p| p.get()), Ok(10));
        assert_eq!(text("cough\0x", 1, 10), Err(ValueError::Control));
        assert_eq!(text("line\nbreak", 1, 20).map(|s| s.len()), Ok(10));
        assert_eq!(bmi(158.0, 52.0), 20.8);
    }

    #[test]
    fn allergies_and_medications_keep_patient_data_out_of_debug() {
        let a = Allergy::new("Penicillin", None, Severity::Severe).expect("valid");
        assert_eq!(format!("{a:?}"), "Allergy(<redacted>)");
    }
}
