//! Drug classes and the allergy check that uses them.
//!
//! [`DRUG_CLASSES`] is data: each class lists the names that mean the class itself and its
//! members by generic name and by brand names common in the Philippines. Sources:
//! - classes and members: WHO Collaborating Centre for Drug Statistics Methodology, ATC
//!   index (penicillins J01C; cephalosporins J01DB-J01DE; carbapenems J01DH;
//!   sulfonamides J01E; NSAIDs M01A, with acetylsalicylic acid N02BA01; macrolides J01FA;
//!   fluoroquinolones J01MA; tetracyclines J01AA; opioids N02A; amide local anaesthetics
//!   N01BB; ester local anaesthetics N01BA; iodinated contrast media V08A);
//! - brand names: Philippine National Formulary (DOH, 8th ed.) and the FDA Philippines
//!   register of drug products;
//! - cross-reactivity: the drug allergy practice parameter of the AAAAI/ACAAI joint task
//!   force (Khan et al., J Allergy Clin Immunol 2022), which keeps penicillin allergy a
//!   warning for cephalosporins and carbapenems.
//!
//! Matching is by whole words, case-insensitive: "Amoxicillin 500 mg capsule" is a
//! penicillin; "co-amoxiclav" is one word group of its own and listed as such. Latex is
//! here for supplies (gloves, catheters) checked when stock is dispensed.
//! A name the table does not know still conflicts with an allergy of the same name
//! ([`ConflictKind::SameSubstance`]), as before.

use super::values::{Allergy, Medication};

/// A group of drugs (or materials) one can be allergic to as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrugClass {
    /// Stable name (`penicillins`), used in answers.
    pub name: &'static str,
    /// The ATC group, or "-" where there is none (latex).
    pub atc: &'static str,
    /// Names of the class itself ("penicillin", "sulfa drugs").
    pub aliases: &'static [&'static str],
    /// Generic and brand names of its members.
    pub members: &'static [&'static str],
}

/// The curated classes (see the [module](self) for sources).
pub static DRUG_CLASSES: &[DrugClass] = &[
    DrugClass {
        name: "penicillins",
        atc: "J01C",
        aliases: &["penicillins", "penicillin class", "penicillin antibiotics"],
        members: &[
            "penicillin",
            "benzylpenicillin",
            "phenoxymethylpenicillin",
            "penicillin g",
            "penicillin v",
            "benzathine penicillin",
            "amoxicillin",
            "amoxycillin",
            "ampicillin",
            "co-amoxiclav",
            "amoxicillin clavulanate",
            "cloxacillin",
            "dicloxacillin",
            "flucloxacillin",
            "oxacillin",
            "nafcillin",
            "piperacillin",
            "piperacillin tazobactam",
            "sultamicillin",
            "ampicillin sulbactam",
            "amoxil",
            "himox",
            "augmentin",
            "curam",
            "natravox",
            "unasyn",
            "tazocin",
            "penbritin",
        ],
    },
    DrugClass {
        name: "cephalosporins",
        atc: "J01DB-J01DE",
        aliases: &["cephalosporins", "cephalosporin"],
        members: &[
            "cefalexin",
            "cephalexin",
            "cefadroxil",
            "cefazolin",
            "cefuroxime",
            "cefaclor",
            "cefprozil",
            "cefixime",
            "cefpodoxime",
            "cefdinir",
            "ceftriaxone",
            "cefotaxime",
            "ceftazidime",
            "cefoperazone",
            "cefepime",
            "ceftaroline",
            "cefoxitin",
            "keflex",
            "zinnat",
            "zinacef",
            "ceclor",
            "rocephin",
            "claforan",
            "fortum",
            "maxipime",
        ],
    },
    DrugClass {
        name: "carbapenems",
        atc: "J01DH",
        aliases: &["carbapenems", "carbapenem"],
        members: &[
            "meropenem",
            "imipenem",
            "imipenem cilastatin",
            "ertapenem",
            "doripenem",
            "meronem",
            "tienam",
            "invanz",
        ],
    },
    DrugClass {
        name: "sulfonamides",
        atc: "J01E",
        aliases: &[
            "sulfonamides",
            "sulfonamide",
            "sulfa",
            "sulfa drugs",
            "sulpha",
            "sulpha drugs",
        ],
        members: &[
            "sulfamethoxazole",
            "co-trimoxazole",
            "cotrimoxazole",
            "trimethoprim sulfamethoxazole",
            "sulfadiazine",
            "silver sulfadiazine",
            "sulfasalazine",
            "sulfacetamide",
            "bactrim",
            "septrin",
            "globaxol",
        ],
    },
    DrugClass {
        name: "nsaids",
        atc: "M01A, N02BA",
        aliases: &[
            "nsaid",
            "nsaids",
            "non-steroidal anti-inflammatory drugs",
            "nonsteroidal anti-inflammatory drugs",
            "anti-inflammatory drugs",
        ],
        members: &[
            "ibuprofen",
            "mefenamic acid",
            "aspirin",
            "acetylsalicylic acid",
            "naproxen",
            "diclofenac",
            "ketorolac",
            "celecoxib",
            "etoricoxib",
            "meloxicam",
            "piroxicam",
            "indomethacin",
            "ketoprofen",
            "parecoxib",
            "advil",
            "medicol",
            "alaxan",
            "dolfenal",
            "ponstan",
            "gardan",
            "flanax",
            "voltaren",
            "cataflam",
            "celebrex",
            "arcoxia",
            "mobic",
            "toradol",
            "bayer aspirin",
            "aspilets",
            "cortal",
        ],
    },
    DrugClass {
        name: "macrolides",
        atc: "J01FA",
        aliases: &["macrolides", "macrolide"],
        members: &[
            "azithromycin",
            "clarithromycin",
            "erythromycin",
            "roxithromycin",
            "zithromax",
            "klaricid",
            "erythrocin",
        ],
    },
    DrugClass {
        name: "fluoroquinolones",
        atc: "J01MA",
        aliases: &[
            "fluoroquinolones",
            "fluoroquinolone",
            "quinolones",
            "quinolone",
        ],
        members: &[
            "ciprofloxacin",
            "levofloxacin",
            "ofloxacin",
            "moxifloxacin",
            "norfloxacin",
            "ciprobay",
            "cravit",
            "levox",
            "avelox",
        ],
    },
    DrugClass {
        name: "tetracyclines",
        atc: "J01AA",
        aliases: &["tetracyclines", "tetracycline class"],
        members: &[
            "tetracycline",
            "doxycycline",
            "minocycline",
            "oxytetracycline",
            "vibramycin",
            "minocin",
        ],
    },
    DrugClass {
        name: "opioids",
        atc: "N02A",
        aliases: &["opioids", "opioid", "opiates", "narcotics"],
        members: &[
            "morphine",
            "codeine",
            "tramadol",
            "oxycodone",
            "hydrocodone",
            "fentanyl",
            "nalbuphine",
            "pethidine",
            "meperidine",
            "buprenorphine",
            "methadone",
            "hydromorphone",
            "dolcet",
            "tramal",
        ],
    },
    DrugClass {
        name: "amide local anaesthetics",
        atc: "N01BB",
        aliases: &[
            "amide local anaesthetics",
            "amide local anesthetics",
            "amide anaesthetics",
            "amide anesthetics",
            "amide local anaesthetic",
            "amide local anesthetic",
            "local anaesthetic",
            "local anesthetic",
            "local anaesthetics",
            "local anesthetics",
        ],
        members: &[
            "lidocaine",
            "lignocaine",
            "mepivacaine",
            "articaine",
            "bupivacaine",
            "prilocaine",
            "ropivacaine",
            "levobupivacaine",
            "xylocaine",
            "scandonest",
            "septocaine",
            "septanest",
            "ubistesin",
            "marcaine",
            "citanest",
        ],
    },
    DrugClass {
        name: "ester local anaesthetics",
        atc: "N01BA",
        aliases: &[
            "ester local anaesthetics",
            "ester local anesthetics",
            "ester anaesthetics",
            "ester anesthetics",
            "ester local anaesthetic",
            "ester local anesthetic",
            "local anaesthetic",
            "local anesthetic",
            "local anaesthetics",
            "local anesthetics",
        ],
        members: &[
            "benzocaine",
            "procaine",
            "tetracaine",
            "amethocaine",
            "chloroprocaine",
            "orajel",
            "novocain",
        ],
    },
    DrugClass {
        name: "iodinated contrast",
        atc: "V08A",
        aliases: &[
            "iodinated contrast",
            "iodinated contrast media",
            "contrast media",
            "contrast dye",
            "iodine contrast",
            "radiocontrast",
        ],
        members: &[
            "iohexol",
            "iopamidol",
            "iodixanol",
            "ioversol",
            "iopromide",
            "diatrizoate",
            "omnipaque",
            "visipaque",
            "isovue",
            "ultravist",
            "optiray",
        ],
    },
    DrugClass {
        name: "latex",
        atc: "-",
        aliases: &["latex", "natural rubber latex", "rubber latex"],
        members: &["latex"],
    },
];

/// Pairs of classes where an allergy to the first warns for the second.
pub static CROSS_REACTIVE: &[(&str, &str)] = &[
    ("penicillins", "cephalosporins"),
    ("penicillins", "carbapenems"),
];

super::codes::code_enum!(
    /// How a medication conflicts with an allergy: the names match ("Penicillin G" for
    /// penicillin), both are in one class (amoxicillin for penicillin), or the
    /// medication's class is known to cross-react with the allergy's.
    ConflictKind {
        SameSubstance = "same_substance" / "Same substance",
        SameClass = "same_class" / "Same class",
        CrossReactivity = "cross_reactivity" / "Cross-reactivity",
    }
);

/// One medication that conflicts with one allergy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllergyConflict {
    /// The medication as entered.
    pub medication: String,
    /// The allergy's substance as recorded.
    pub allergy: String,
    /// The class that links them, for class and cross-reactivity conflicts (the
    /// medication's class).
    pub class: Option<&'static str>,
    /// How.
    pub kind: ConflictKind,
}

impl std::fmt::Display for AllergyConflict {
    /// The conflict as a clinician reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (m, a) = (&self.medication, &self.allergy);
        match (self.kind, self.class) {
            (ConflictKind::SameClass, Some(class)) => write!(
                f,
                "{m} is in the class {class}, and the patient is allergic to {a}"
            ),
            (ConflictKind::CrossReactivity, Some(class)) => write!(
                f,
                "{m} ({class}) may cross-react with the patient's allergy to {a}"
            ),
            _ => write!(f, "the patient is allergic to {a} ({m})"),
        }
    }
}

/// Lowercase words of a name; any punctuation, `-` included, separates words
/// ("Amoxicillin-Clavulanate" is "amoxicillin clavulanate", "co-amoxiclav" is "co
/// amoxiclav", on both sides of a comparison).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `phrase` (already split into words) occurs in `name` as whole words.
fn contains_words(name: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && name.windows(phrase.len()).any(|w| w == phrase)
}

fn names_any(name: &[String], list: &[&str]) -> bool {
    list.iter().any(|m| contains_words(name, &words(m)))
}

/// The classes a substance or medication name belongs to (by member or class name).
pub fn classes_of(name: &str) -> Vec<&'static DrugClass> {
    let w = words(name);
    DRUG_CLASSES
        .iter()
        .filter(|c| names_any(&w, c.members) || names_any(&w, c.aliases))
        .collect()
}

/// Whether the names match as substances: one contains the other's words, or they share
/// a word of 4+ letters that is not a dosage word, or (as before classes) one's letters
/// contain the other's whole name.
fn same_substance(medication: &[String], substance: &[String]) -> bool {
    let joined = |w: &[String]| w.join(" ");
    let (m, a) = (joined(medication), joined(substance));
    if !a.is_empty() && a.len() >= 4 && (m.contains(&a) || (m.len() >= 4 && a.contains(&m))) {
        return true;
    }
    const NOISE: &[&str] = &[
        "acid",
        "sodium",
        "potassium",
        "hydrochloride",
        "tablet",
        "tablets",
        "capsule",
        "capsules",
        "syrup",
        "drug",
        "drugs",
        "with",
        "oral",
        "cream",
        "injection",
        "solution",
        "suspension",
        "ointment",
        "drops",
        "allergy",
    ];
    contains_words(medication, substance)
        || contains_words(substance, medication)
        || medication
            .iter()
            .any(|w| w.len() >= 4 && !NOISE.contains(&w.as_str()) && substance.contains(w))
}

/// Every conflict between the allergies and the medications (each pair once, strongest
/// kind first: same substance, same class, cross-reactivity).
pub fn allergy_conflicts<'a>(
    allergies: impl IntoIterator<Item = &'a Allergy>,
    medications: &[Medication],
) -> Vec<AllergyConflict> {
    let mut out = Vec::new();
    for allergy in allergies {
        let substance = words(&allergy.substance);
        let allergy_classes = classes_of(&allergy.substance);
        for m in medications {
            let name = words(&m.name);
            let med_classes = classes_of(&m.name);
            let found = if same_substance(&name, &substance) {
                Some((
                    ConflictKind::SameSubstance,
                    med_classes.first().map(|c| c.name),
                ))
            } else if let Some(c) = med_classes
                .iter()
                .find(|c| allergy_classes.iter().any(|a| a.name == c.name))
            {
                Some((ConflictKind::SameClass, Some(c.name)))
            } else {
                med_classes
                    .iter()
                    .find(|c| {
                        allergy_classes
                            .iter()
                            .any(|a| CROSS_REACTIVE.contains(&(a.name, c.name)))
                    })
                    .map(|c| (ConflictKind::CrossReactivity, Some(c.name)))
            };
            if let Some((kind, class)) = found {
                out.push(AllergyConflict {
                    medication: m.name.clone(),
                    allergy: allergy.substance.clone(),
                    class,
                    kind,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::Severity;

    fn allergy(s: &str) -> Allergy {
        Allergy::new(s, None, Severity::Severe).expect("valid")
    }
    fn med(s: &str) -> Medication {
        Medication::new(s, None).expect("valid")
    }
    fn kinds(a: &str, m: &str) -> Vec<(ConflictKind, Option<&'static str>)> {
        allergy_conflicts([&allergy(a)], &[med(m)])
            .into_iter()
            .map(|c| (c.kind, c.class))
            .collect()
    }

    #[test]
    fn a_class_allergy_covers_every_member_and_brand() {
        use ConflictKind::*;
        assert_eq!(
            kinds("Penicillin", "Amoxicillin 500 mg"),
            [(SameClass, Some("penicillins"))]
        );
        assert_eq!(
            kinds("Penicillin", "Augmentin 625"),
            [(SameClass, Some("penicillins"))]
        );
        assert_eq!(
            kinds("Amoxicillin", "Cloxacillin"),
            [(SameClass, Some("penicillins"))]
        );
        assert_eq!(
            kinds("Sulfa drugs", "Co-trimoxazole"),
            [(SameClass, Some("sulfonamides"))]
        );
        assert_eq!(
            kinds("NSAIDs", "Mefenamic acid"),
            [(SameClass, Some("nsaids"))]
        );
        assert_eq!(
            kinds("Ibuprofen", "Aspirin 80 mg"),
            [(SameClass, Some("nsaids"))]
        );
        assert_eq!(
            kinds("Ibuprofen", "Dolfenal"),
            [(SameClass, Some("nsaids"))]
        );
        assert_eq!(
            kinds("Lidocaine", "Articaine 4% with epinephrine"),
            [(SameClass, Some("amide local anaesthetics"))]
        );
        assert_eq!(kinds("Lidocaine", "Benzocaine gel"), []);
        assert_eq!(
            kinds("Iodinated contrast", "Omnipaque"),
            [(SameClass, Some("iodinated contrast"))]
        );
        assert_eq!(
            kinds("Latex", "Latex examination gloves"),
            [(SameSubstance, Some("latex"))]
        );
        assert_eq!(kinds("Codeine", "Tramadol"), [(SameClass, Some("opioids"))]);
    }

    #[test]
    fn hyphenated_and_generic_names_are_caught() {
        use ConflictKind::*;
        let hit = |a: &str, m: &str| !kinds(a, m).is_empty();
        assert!(hit("Amoxicillin", "Amoxicillin-Clavulanate 625 mg"));
        assert!(hit("Penicillin", "Penicillin-G"));
        assert!(hit("Penicillin", "Piperacillin-Tazobactam"));
        assert!(hit("Penicillin", "Ampicillin-Sulbactam"));
        assert!(hit("Sulfa", "Trimethoprim-Sulfamethoxazole"));
        assert!(hit("Penicillin", "Co-amoxiclav"));
        // An allergy to "local anaesthetics" covers both classes; the singular counts.
        assert_eq!(
            kinds("Local anaesthetic", "Lidocaine 2%"),
            [(SameClass, Some("amide local anaesthetics"))]
        );
        assert_eq!(
            kinds("Amide local anesthetic", "Mepivacaine"),
            [(SameClass, Some("amide local anaesthetics"))]
        );
        assert!(hit("Local anesthetics", "Benzocaine gel"));
    }

    #[test]
    fn penicillin_allergy_warns_for_cephalosporins_and_carbapenems() {
        use ConflictKind::*;
        assert_eq!(
            kinds("Penicillin", "Cefalexin"),
            [(CrossReactivity, Some("cephalosporins"))]
        );
        assert_eq!(
            kinds("Penicillin", "Meropenem"),
            [(CrossReactivity, Some("carbapenems"))]
        );
        // Not the other way round: the table lists the direction that is documented.
        assert_eq!(kinds("Cefalexin", "Amoxicillin"), []);
    }

    #[test]
    fn names_match_as_before_and_unrelated_drugs_pass() {
        use ConflictKind::*;
        assert_eq!(
            kinds("Penicillin", "PENICILLIN G"),
            [(SameSubstance, Some("penicillins"))]
        );
        assert_eq!(kinds("Shellfish", "Paracetamol"), []);
        assert_eq!(kinds("Penicillin", "Paracetamol"), []);
        assert_eq!(kinds("Mefenamic acid", "Tranexamic acid"), []);
        assert_eq!(kinds("Sulfa drugs", "Antifungal drugs"), []);
        assert_eq!(
            kinds("Chlorhexidine", "Chlorhexidine mouthwash"),
            [(SameSubstance, None)]
        );
        // Whole words: "ampicillin" is not "penicillin" by spelling, but by class.
        assert_eq!(
            kinds("Penicillin", "Ampicillin"),
            [(SameClass, Some("penicillins"))]
        );
    }

    #[test]
    fn every_class_is_well_formed() {
        for c in DRUG_CLASSES {
            assert!(!c.members.is_empty() && !c.aliases.is_empty(), "{}", c.name);
            for m in c.members.iter().chain(c.aliases) {
                assert_eq!(
                    *m,
                    m.to_lowercase(),
                    "{} lists {m} not in lowercase",
                    c.name
                );
            }
        }
        for (a, b) in CROSS_REACTIVE {
            assert!(DRUG_CLASSES.iter().any(|c| c.name == *a));
            assert!(DRUG_CLASSES.iter().any(|c| c.name == *b));
        }
    }
}
