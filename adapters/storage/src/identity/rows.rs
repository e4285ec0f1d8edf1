//! Rows ↔ domain values.

use super::*;

pub(crate) fn user_from_row(m: users::Model) -> Result<UserRecord, StoreError> {
    let bad = |field: &str, e: &dyn std::fmt::Display| corrupt(&format!("user.{field}"), e);
    let name = |field: &str, v: &str| PersonName::parse(v).map_err(|e| bad(field, &e));
    let opt_u8 = |v: Option<i16>| v.map(|n| n.to_string());
    let user = User {
        id: UserId::from_uuid(m.id),
        email: EmailAddress::parse(&m.email).map_err(|e| bad("email", &e))?,
        role: m.role.parse::<Role>().map_err(|e| bad("role", &e))?,
        first_name: name("first_name", &m.first_name)?,
        last_name: name("last_name", &m.last_name)?,
        middle_name: m
            .middle_name
            .as_deref()
            .map(|v| name("middle_name", v))
            .transpose()?,
        usc_id: m
            .usc_id
            .as_deref()
            .map(UscId::parse)
            .transpose()
            .map_err(|e| bad("usc_id", &e))?,
        course: opt_u8(m.course)
            .as_deref()
            .map(CourseCode::parse)
            .transpose()
            .map_err(|e| bad("course", &e))?,
        year_level: opt_u8(m.year_level)
            .as_deref()
            .map(YearLevel::parse)
            .transpose()
            .map_err(|e| bad("year_level", &e))?,
        campus: m
            .campus
            .as_deref()
            .map(Campus::parse)
            .transpose()
            .map_err(|e| bad("campus", &e))?,
        phone: m
            .phone
            .as_deref()
            .map(Phone::parse)
            .transpose()
            .map_err(|e| bad("phone", &e))?,
        department: m.department,
        license_number: m
            .license_number
            .as_deref()
            .map(LicenseNumber::parse)
            .transpose()
            .map_err(|e| bad("license_number", &e))?,
        is_active: m.is_active,
        is_verified: m.is_verified,
        created_at: m.created_at,
        updated_at: m.updated_at,
    };
    Ok(UserRecord {
        user,
        password_hash: PasswordHash::new(m.password_hash),
    })
}

pub(crate) fn user_to_active(u: &User) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(u.id.as_uuid()),
        email: Set(u.email.as_str().to_owned()),
        role: Set(u.role.as_str().to_owned()),
        first_name: Set(u.first_name.as_str().to_owned()),
        last_name: Set(u.last_name.as_str().to_owned()),
        middle_name: Set(u.middle_name.as_ref().map(|n| n.as_str().to_owned())),
        usc_id: Set(u.usc_id.as_ref().map(|n| n.as_str().to_owned())),
        course: Set(u.course.map(|c| i16::from(c.code()))),
        year_level: Set(u.year_level.map(|y| i16::from(y.level()))),
        campus: Set(u.campus.map(|c| c.as_str().to_owned())),
        phone: Set(u.phone.as_ref().map(|p| p.as_str().to_owned())),
        department: Set(u.department.clone()),
        license_number: Set(u.license_number.as_ref().map(|l| l.as_str().to_owned())),
        is_active: Set(u.is_active),
        is_verified: Set(u.is_verified),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
        ..Default::default()
    }
}

pub(crate) fn safe_from_row(m: safe_emails::Model) -> Result<SafeEmail, StoreError> {
    Ok(SafeEmail {
        id: SafeEmailId::from_uuid(m.id),
        email: EmailAddress::parse(&m.email).map_err(|e| corrupt("safe_email.email", e))?,
        role: m.role.parse().map_err(|e| corrupt("safe_email.role", e))?,
        is_active: m.is_active,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
