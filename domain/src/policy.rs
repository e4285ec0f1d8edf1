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
        ListUsers | ReadUser(_) | ManageSafeEmails | ReadAudit => admin_only(actor),
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
        let table: [(Action, &[Role]); 10] = [
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
        ];
        for (action, allowed) in table {
            for role in Role::ALL {
                let actor = Actor {
                    user_id: UserId::new(),
                    role,
                };
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
            let me = Actor {
                user_id: UserId::new(),
                role,
            };
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
        }
    }
}
