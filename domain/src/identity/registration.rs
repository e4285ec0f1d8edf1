//! The registration rule: which role a new account gets, and whether it is verified.

use super::{EmailAddress, Role, UscId};

/// What registration decides for a new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationOutcome {
    /// The role the account gets.
    pub role: Role,
    /// The USC ID taken from a student-number email.
    pub usc_id: Option<UscId>,
    /// Safe-list accounts are verified at once; others must enter a code.
    pub verified: bool,
}

/// Decides role and verification, in this order (reference §2.1.5 with its defect fixed):
/// 1. an active safe-list entry gives its role and counts as verified;
/// 2. an all-digit local part is a student number: STUDENT, and it becomes the USC ID;
/// 3. anything else: FACULTY.
///
/// Clinic roles are never self-assigned: only the safe list or an ADMIN grants them.
pub fn decide_registration(
    email: &EmailAddress,
    safe_list_role: Option<Role>,
) -> RegistrationOutcome {
    let student_number = email
        .is_student_number()
        .then(|| UscId::parse(email.local_part()).ok())
        .flatten();
    match safe_list_role {
        Some(role) => RegistrationOutcome {
            role,
            usc_id: student_number.filter(|_| role == Role::Student),
            verified: true,
        },
        None if student_number.is_some() => RegistrationOutcome {
            role: Role::Student,
            usc_id: student_number,
            verified: false,
        },
        None => RegistrationOutcome {
            role: Role::Faculty,
            usc_id: None,
            verified: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> EmailAddress {
        EmailAddress::parse(s).expect("valid test email")
    }

    #[test]
    fn role_rule_table() {
        // (email, safe-list role, expected role, expected usc id, verified)
        let cases = [
            (
                "21104567@usc.edu.ph",
                None,
                Role::Student,
                Some("21104567"),
                false,
            ),
            ("pvillanueva@usc.edu.ph", None, Role::Faculty, None, false),
            (
                "dr.tan@usc.edu.ph",
                Some(Role::Doctor),
                Role::Doctor,
                None,
                true,
            ),
            (
                "21104567@usc.edu.ph",
                Some(Role::Student),
                Role::Student,
                Some("21104567"),
                true,
            ),
            (
                "21104567@usc.edu.ph",
                Some(Role::Nurse),
                Role::Nurse,
                None,
                true,
            ),
        ];
        for (addr, safe, role, usc, verified) in cases {
            let got = decide_registration(&email(addr), safe);
            assert_eq!(got.role, role, "{addr}");
            assert_eq!(got.usc_id.as_ref().map(UscId::as_str), usc, "{addr}");
            assert_eq!(got.verified, verified, "{addr}");
        }
    }

    #[test]
    fn never_a_clinic_role_without_the_safe_list() {
        for addr in [
            "a.doctor@usc.edu.ph",
            "admin@usc.edu.ph",
            "1234567@usc.edu.ph",
        ] {
            assert!(decide_registration(&email(addr), None).role.is_patient());
        }
    }
}
