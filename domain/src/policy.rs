//! Authorization: one policy decides whether an actor may perform an action on a resource.
//!
//! Every use case asks [`authorize`] before acting; the HTTP layer never decides alone.

use thiserror::Error;

use crate::UserId;
use crate::identity::Role;

/// The authenticated user performing an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user_id: UserId,
    /// With which role.
    pub role: Role,
    /// From which client address, when known (recorded in the audit log).
    pub client: Option<std::net::IpAddr>,
}

impl Actor {
    /// `user_id` acting as `role`, from an unknown address.
    pub fn new(user_id: UserId, role: Role) -> Self {
        Self {
            user_id,
            role,
            client: None,
        }
    }
}

/// Everything a user can ask the system to do so far, with the resource it targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read one's own account.
    ReadOwnProfile,
    /// Change one's own profile fields (never role or verification).
    UpdateOwnProfile,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Search the user directory.
    ListUsers,
    /// Read another user's account.
    ReadUser(UserId),
    /// Change a user's role.
    ChangeUserRole(UserId),
    /// Activate or deactivate a user.
    ChangeUserActive(UserId),
    /// Mark a user verified or unverified.
    ChangeUserVerified(UserId),
    /// Read, add or remove safe-list entries.
    ManageSafeEmails,
    /// Read the audit log.
    ReadAudit,
    /// List and search patients.
    ListPatients,
    /// Read one patient's profile, records, documents or certificates; `owner` is the
    /// patient's account, if any.
    ReadPatientData {
        /// The patient's user account.
        owner: Option<UserId>,
    },
    /// Create, change or delete patient profiles.
    WritePatients,
    /// Complete or change one's own patient profile.
    UpdateOwnPatientProfile,
    /// Create, change or delete medical records.
    WriteMedicalRecords,
    /// Create, change or delete dental records.
    WriteDentalRecords,
    /// Read the revision history of records.
    ReadRevisions,
    /// Upload patient documents.
    UploadDocuments,
    /// Create, edit or submit certificates (the domain decides the state).
    WriteCertificates,
    /// Approve or reject certificates (the domain decides which kind each role signs).
    DecideCertificates,
    /// Revoke approved certificates (the domain checks it is the approver or an ADMIN).
    RevokeCertificates,
    /// Read certificate templates.
    ReadTemplates,
    /// Create certificate templates.
    ManageTemplates,
    /// Create or change appointment types.
    ManageAppointmentTypes,
    /// Set a provider's weekly hours and exceptions (clinic managers, or the provider).
    ManageSchedule {
        /// Whose schedule.
        provider: crate::UserId,
    },
    /// Enter clinic-wide closures (holidays).
    ManageClinicClosures,
    /// Book appointments for any patient, see every appointment, and change any
    /// appointment's status (check in, complete, no-show, undo).
    ManageAppointments,
    /// Book for oneself, see and change one's own appointments, use the waitlist.
    BookOwnAppointments,
}

impl Action {
    /// A stable name for audit entries and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Action::ReadOwnProfile => "profile.read",
            Action::UpdateOwnProfile => "profile.update",
            Action::ChangeOwnPassword => "password.change",
            Action::ListUsers => "users.list",
            Action::ReadUser(_) => "users.read",
            Action::ChangeUserRole(_) => "users.change_role",
            Action::ChangeUserActive(_) => "users.change_active",
            Action::ChangeUserVerified(_) => "users.change_verified",
            Action::ManageSafeEmails => "safe_emails.manage",
            Action::ReadAudit => "audit.read",
            Action::ListPatients => "patients.list",
            Action::ReadPatientData { .. } => "patients.read",
            Action::WritePatients => "patients.write",
            Action::UpdateOwnPatientProfile => "patients.update_own",
            Action::WriteMedicalRecords => "medical_records.write",
            Action::WriteDentalRecords => "dental_records.write",
            Action::ReadRevisions => "records.revisions",
            Action::UploadDocuments => "documents.upload",
            Action::WriteCertificates => "certificates.write",
            Action::DecideCertificates => "certificates.decide",
            Action::RevokeCertificates => "certificates.revoke",
            Action::ReadTemplates => "certificate_templates.read",
            Action::ManageTemplates => "certificate_templates.manage",
            Action::ManageAppointmentTypes => "appointment_types.manage",
            Action::ManageSchedule { .. } => "schedules.manage",
            Action::ManageClinicClosures => "closures.manage",
            Action::ManageAppointments => "appointments.manage",
            Action::BookOwnAppointments => "appointments.book_own",
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Denied {
    /// The actor's role may not do this.
    #[error("your role may not perform this action")]
    Role,
    /// Nobody may do this to their own account (it would lock the clinic out of itself).
    #[error("you cannot change your own role, activity or verification")]
    OwnAccount,
}

/// The one policy.
pub fn authorize(actor: &Actor, action: &Action) -> Result<(), Denied> {
    use Action::*;
    match action {
        ReadOwnProfile | UpdateOwnProfile | ChangeOwnPassword => Ok(()),
        ChangeUserRole(target) | ChangeUserActive(target) | ChangeUserVerified(target) => {
            admin_only(actor)?;
            if *target == actor.user_id {
                return Err(Denied::OwnAccount);
            }
            Ok(())
        }
        ReadUser(target) if *target == actor.user_id => Ok(()),
        ListUsers | ReadUser(_) | ManageSafeEmails | ReadAudit | ManageTemplates => {
            admin_only(actor)
        }
        ReadPatientData { owner } if owner.is_some() && *owner == Some(actor.user_id) => Ok(()),
        ListPatients
        | ReadPatientData { .. }
        | WritePatients
        | ReadRevisions
        | UploadDocuments
        | WriteCertificates
        | ReadTemplates => clinic_only(actor),
        UpdateOwnPatientProfile => {
            if actor.role.is_patient() {
                Ok(())
            } else {
                Err(Denied::Role)
            }
        }
        WriteMedicalRecords => one_of(actor, &[Role::Admin, Role::Doctor, Role::Nurse]),
        WriteDentalRecords => one_of(actor, &[Role::Admin, Role::Dentist, Role::Doctor]),
        DecideCertificates => one_of(actor, &[Role::Doctor, Role::Dentist]),
        RevokeCertificates => one_of(actor, &[Role::Admin, Role::Doctor, Role::Dentist]),
        ManageAppointmentTypes | ManageClinicClosures => one_of(actor, &[Role::Admin, Role::Staff]),
        ManageSchedule { provider } if *provider == actor.user_id && actor.role.is_clinic() => {
            Ok(())
        }
        ManageSchedule { .. } => one_of(actor, &[Role::Admin, Role::Staff]),
        ManageAppointments => clinic_only(actor),
        BookOwnAppointments => {
            if actor.role.is_patient() {
                Ok(())
            } else {
                Err(Denied::Role)
            }
        }
    }
}

fn clinic_only(actor: &Actor) -> Result<(), Denied> {
    if actor.role.is_clinic() {
        Ok(())
    } else {
        Err(Denied::Role)
    }
}

fn one_of(actor: &Actor, roles: &[Role]) -> Result<(), Denied> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(Denied::Role)
    }
}

fn admin_only(actor: &Actor) -> Result<(), Denied> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(Denied::Role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every role against every action, for another user's resource and one's own.
    #[test]
    fn role_by_action_matrix() {
        let other = UserId::new();
        // (action for a target of `other`, roles allowed)
        let admin = &[Role::Admin][..];
        let everyone = &Role::ALL[..];
        let clinic = &[
            Role::Admin,
            Role::Staff,
            Role::Doctor,
            Role::Dentist,
            Role::Nurse,
        ][..];
        let patients = &[Role::Student, Role::Faculty][..];
        let managers = &[Role::Admin, Role::Staff][..];
        let table: [(Action, &[Role]); 29] = [
            (Action::ReadOwnProfile, everyone),
            (Action::UpdateOwnProfile, everyone),
            (Action::ChangeOwnPassword, everyone),
            (Action::ListUsers, admin),
            (Action::ReadUser(other), admin),
            (Action::ChangeUserRole(other), admin),
            (Action::ChangeUserActive(other), admin),
            (Action::ChangeUserVerified(other), admin),
            (Action::ManageSafeEmails, admin),
            (Action::ReadAudit, admin),
            (Action::ListPatients, clinic),
            (Action::ReadPatientData { owner: Some(other) }, clinic),
            (Action::ReadPatientData { owner: None }, clinic),
            (Action::WritePatients, clinic),
            (Action::UpdateOwnPatientProfile, patients),
            (
                Action::WriteMedicalRecords,
                &[Role::Admin, Role::Doctor, Role::Nurse],
            ),
            (
                Action::WriteDentalRecords,
                &[Role::Admin, Role::Dentist, Role::Doctor],
            ),
            (Action::ReadRevisions, clinic),
            (Action::UploadDocuments, clinic),
            (Action::WriteCertificates, clinic),
            (Action::DecideCertificates, &[Role::Doctor, Role::Dentist]),
            (
                Action::RevokeCertificates,
                &[Role::Admin, Role::Doctor, Role::Dentist],
            ),
            (Action::ReadTemplates, clinic),
            (Action::ManageTemplates, admin),
            (Action::ManageAppointmentTypes, managers),
            (Action::ManageSchedule { provider: other }, managers),
            (Action::ManageClinicClosures, managers),
            (Action::ManageAppointments, clinic),
            (Action::BookOwnAppointments, patients),
        ];
        for (action, allowed) in table {
            for role in Role::ALL {
                let actor = Actor::new(UserId::new(), role);
                let got = authorize(&actor, &action);
                if allowed.contains(&role) {
                    assert_eq!(got, Ok(()), "{role} {action:?}");
                } else {
                    assert_eq!(got, Err(Denied::Role), "{role} {action:?}");
                }
            }
        }
    }

    #[test]
    fn nobody_changes_their_own_role_activity_or_verification() {
        for role in Role::ALL {
            let me = Actor::new(UserId::new(), role);
            for action in [
                Action::ChangeUserRole(me.user_id),
                Action::ChangeUserActive(me.user_id),
                Action::ChangeUserVerified(me.user_id),
            ] {
                let expected = if role == Role::Admin {
                    Denied::OwnAccount
                } else {
                    Denied::Role
                };
                assert_eq!(authorize(&me, &action), Err(expected), "{role} {action:?}");
            }
            assert_eq!(authorize(&me, &Action::ReadUser(me.user_id)), Ok(()));
            let own_schedule = authorize(
                &me,
                &Action::ManageSchedule {
                    provider: me.user_id,
                },
            );
            assert_eq!(
                own_schedule.is_ok(),
                role.is_clinic(),
                "{role} own schedule"
            );
            let own = Action::ReadPatientData {
                owner: Some(me.user_id),
            };
            assert_eq!(
                authorize(&me, &own),
                Ok(()),
                "{role} reads own patient data"
            );
        }
    }
}
