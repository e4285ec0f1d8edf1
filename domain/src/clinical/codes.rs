//! Closed vocabularies as real enums, each with one stable wire/storage name.

/// Why a code was refused: the field's name and the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {expected}")]
pub struct UnknownCode {
    /// The accepted values, comma separated.
    pub expected: &'static str,
}

/// Declares an enum with a stable name per variant, `ALL`, `as_str`, `parse`, `label`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* #[doc = concat!("`", $code, "`: ", $label)] $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The accepted names, comma separated.
            pub const EXPECTED: &'static str = concat!($($code, ", "),+);
            /// The wire and storage name.
            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// A human label.
            pub const fn label(&self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            /// Parses the wire name (exact, as published in the API).
            pub fn parse(raw: &str) -> Result<Self, $crate::clinical::codes::UnknownCode> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::clinical::codes::UnknownCode {
                        expected: Self::EXPECTED.trim_end_matches(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use code_enum;

code_enum!(
    /// Sex as recorded by the clinic (never the old "1"/"2" codes).
    Sex { Male = "M" / "Male", Female = "F" / "Female", Other = "O" / "Other" }
);

code_enum!(
    /// ABO blood group with Rh factor.
    BloodType {
        APos = "A+" / "A positive", ANeg = "A-" / "A negative",
        BPos = "B+" / "B positive", BNeg = "B-" / "B negative",
        AbPos = "AB+" / "AB positive", AbNeg = "AB-" / "AB negative",
        OPos = "O+" / "O positive", ONeg = "O-" / "O negative",
    }
);

code_enum!(
    /// Civil status (reference §1.23 codes 1..5).
    CivilStatus {
        Single = "SINGLE" / "Single", Married = "MARRIED" / "Married",
        Widowed = "WIDOWED" / "Widowed", Divorced = "DIVORCED" / "Divorced",
        Separated = "SEPARATED" / "Separated",
    }
);

code_enum!(
    /// How bad an allergic reaction is.
    Severity { Mild = "mild" / "Mild", Moderate = "moderate" / "Moderate", Severe = "severe" / "Severe" }
);

code_enum!(
    /// Dental procedures (reference §1.7).
    DentalProcedure {
        Consultation = "CONSULTATION" / "Dental Consultation",
        Referral = "REFERRAL" / "Referral",
        Cleaning = "CLEANING" / "Cleaning",
        Filling = "FILLING" / "Filling",
        Extraction = "EXTRACTION" / "Tooth Extraction",
        RootCanal = "ROOT_CANAL" / "Root Canal",
        Crown = "CROWN" / "Crown",
        Bridge = "BRIDGE" / "Bridge",
        Implant = "IMPLANT" / "Implant",
        Orthodontic = "ORTHODONTIC" / "Orthodontic",
        Periodontal = "PERIODONTAL" / "Periodontal",
        Prophylaxis = "PROPHYLAXIS" / "Prophylaxis",
        Fluoride = "FLUORIDE" / "Fluoride",
        Sealant = "SEALANT" / "Sealant",
        Whitening = "WHITENING" / "Whitening",
        Xray = "XRAY" / "X-ray",
        Other = "OTHER" / "Other",
    }
);

code_enum!(
    /// The condition of one tooth on the chart.
    ToothCondition {
        Healthy = "HEALTHY" / "Healthy",
        Caries = "CARIES" / "Caries/Decay",
        Filled = "FILLED" / "Filled",
        Crown = "CROWN" / "Crown",
        Missing = "MISSING" / "Missing",
        Extracted = "EXTRACTED" / "Extracted",
        Impacted = "IMPACTED" / "Impacted",
        Fractured = "FRACTURED" / "Fractured",
        Sensitive = "SENSITIVE" / "Sensitive",
        RootCanal = "ROOT_CANAL" / "Root Canal",
    }
);

code_enum!(
    /// Oral hygiene as assessed.
    OralHygiene { Excellent = "EXCELLENT" / "Excellent", Good = "GOOD" / "Good", Fair = "FAIR" / "Fair", Poor = "POOR" / "Poor" }
);

code_enum!(
    /// Gum condition as assessed.
    GumCondition {
        Healthy = "HEALTHY" / "Healthy", Gingivitis = "GINGIVITIS" / "Gingivitis",
        Periodontitis = "PERIODONTITIS" / "Periodontitis", Inflammation = "INFLAMMATION" / "Inflammation",
    }
);

code_enum!(
    /// Treatment priority.
    Priority { Low = "LOW" / "Low", Medium = "MEDIUM" / "Medium", High = "HIGH" / "High", Urgent = "URGENT" / "Urgent" }
);

code_enum!(
    /// Whether the patient is fit for the certificate's purpose.
    Fitness { Fit = "fit" / "Fit", NotFit = "not_fit" / "Not fit" }
);

code_enum!(
    /// Where a certificate stands in its approval workflow.
    CertificateStatus {
        Draft = "draft" / "Draft", Pending = "pending" / "Pending approval",
        Approved = "approved" / "Approved", Rejected = "rejected" / "Rejected",
        Revoked = "revoked" / "Revoked",
    }
);

code_enum!(
    /// Which kind of clinician signs a certificate: medical ones a DOCTOR, dental ones a DENTIST.
    CertificateKind { Medical = "medical" / "Medical", Dental = "dental" / "Dental" }
);

code_enum!(
    /// What a patient document is.
    DocumentType {
        Consultation = "CONSULTATION" / "Scanned Consultation",
        MedicalRecord = "MEDICAL_RECORD" / "Medical Record",
        DentalRecord = "DENTAL_RECORD" / "Dental Record",
        LabResult = "LAB_RESULT" / "Lab Result",
        Prescription = "PRESCRIPTION" / "Prescription",
        Xray = "XRAY" / "X-ray",
        Other = "OTHER" / "Other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknowns_name_the_choices() {
        for p in DentalProcedure::ALL {
            assert_eq!(DentalProcedure::parse(p.as_str()), Ok(*p));
        }
        assert_eq!(DentalProcedure::ALL.len(), 17);
        assert_eq!(ToothCondition::ALL.len(), 10);
        for b in BloodType::ALL {
            assert_eq!(BloodType::parse(b.as_str()), Ok(*b));
        }
        assert_eq!(
            Sex::parse("1"),
            Err(UnknownCode {
                expected: "M, F, O"
            })
        );
        assert!(BloodType::parse("C+").is_err());
        assert!(BloodType::parse("AB").is_err());
    }
}
