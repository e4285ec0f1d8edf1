//! Profile use cases: the caller's own account and its editable fields.

use domain::audit::Outcome;
use domain::identity::{
    Campus, CourseCode, LicenseNumber, PersonName, Phone, ProfileUpdate, User, YearLevel,
    profile::optional_text,
};
use domain::policy::{Action, authorize};

use super::ports::AuthContext;
use super::service::{IdentityService, ProfileChange, user_event};
use crate::AppError;
use crate::fields::Fields;
use crate::unit_of_work::commit_audited;

impl IdentityService {
    /// The caller's own account (already loaded when the token was checked).
    pub fn me(&self, auth: &AuthContext) -> Result<User, AppError> {
        authorize(&auth.actor, &Action::ReadOwnProfile).map_err(AppError::denied)?;
        Ok(auth.user.clone())
    }

    /// Changes the caller's own profile fields; role, activity and verification are not
    /// among them.
    pub async fn update_me(
        &self,
        auth: &AuthContext,
        change: ProfileChange,
    ) -> Result<User, AppError> {
        let me = auth.actor.user_id;
        let entity = Some(me.to_string());
        self.authorize(
            &auth.actor,
            Action::UpdateOwnProfile,
            "user",
            entity.clone(),
        )
        .await?;
        // Role, activity and verification are the policy's to refuse (and audit), even
        // when the caller is an ADMIN: nobody changes them on their own account.
        let attempts = [
            (change.role.is_some(), Action::ChangeUserRole(me)),
            (change.is_active.is_some(), Action::ChangeUserActive(me)),
            (change.is_verified.is_some(), Action::ChangeUserVerified(me)),
        ];
        for (attempted, action) in attempts {
            if attempted {
                self.authorize(&auth.actor, action, "user", entity.clone())
                    .await?;
            }
        }
        let mut f = Fields::default();
        if change.license_number.is_some() && !auth.actor.role.is_clinic() {
            f.add(
                "license_number",
                "only clinic staff have a licence number here",
            );
        }
        // Names may change but not be cleared; the other fields clear with "".
        let mut required = |raw: &Option<String>, field: &str| {
            raw.as_ref()
                .and_then(|r| PersonName::parse(r).map_err(|e| f.add(field, e)).ok())
        };
        let first_name = required(&change.first_name, "first_name");
        let last_name = required(&change.last_name, "last_name");
        let update = ProfileUpdate {
            first_name,
            last_name,
            middle_name: f.opt(
                "middle_name",
                change.middle_name.as_deref(),
                PersonName::parse,
            ),
            course: f.opt("course", change.course.as_deref(), CourseCode::parse),
            year_level: f.opt("year_level", change.year_level.as_deref(), YearLevel::parse),
            campus: f.opt("campus", change.campus.as_deref(), Campus::parse),
            phone: f.opt("phone", change.phone.as_deref(), Phone::parse),
            department: f.opt("department", change.department.as_deref(), |s| {
                optional_text(Some(s), 100).map(Option::unwrap_or_default)
            }),
            license_number: f.opt(
                "license_number",
                change.license_number.as_deref(),
                LicenseNumber::parse,
            ),
        };
        f.finish()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .identity()
            .user_by_id(auth.actor.user_id)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?
            .user;
        user.apply(update, now);
        tx.identity().update_user(&user).await?;
        commit_audited(
            tx,
            [user_event(
                &auth.actor,
                "profile.update",
                user.id,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(user)
    }
}
