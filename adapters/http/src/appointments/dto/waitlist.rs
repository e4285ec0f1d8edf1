//! Wire types of the waitlist and its offers.

use application::appointment::OfferView;
use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::appointment::WaitlistEntry;
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// Joining the waitlist.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct WaitlistRequest {
    /// What.
    pub appointment_type_id: Uuid,
    /// With whom (any qualified provider when absent).
    pub provider_id: Option<Uuid>,
    /// For whom (clinic staff; patients join for themselves).
    pub patient_id: Option<Uuid>,
    /// First acceptable day.
    pub from: Option<NaiveDate>,
    /// Last acceptable day.
    pub until: Option<NaiveDate>,
}

/// A waitlist entry.
#[derive(Debug, Clone, Object)]
pub struct WaitlistEntryDto {
    /// Identity.
    pub id: Uuid,
    /// Who waits.
    pub patient_id: Uuid,
    /// For what.
    pub appointment_type_id: Uuid,
    /// With whom.
    #[oai(skip_serializing_if_is_none)]
    pub provider_id: Option<Uuid>,
    /// First acceptable day.
    #[oai(skip_serializing_if_is_none)]
    pub from: Option<NaiveDate>,
    /// Last acceptable day.
    #[oai(skip_serializing_if_is_none)]
    pub until: Option<NaiveDate>,
    /// `waiting` | `booked` | `withdrawn`.
    pub status: String,
    /// Since.
    pub created_at: DateTime<FixedOffset>,
}

impl WaitlistEntryDto {
    /// For display.
    pub fn from_entry(e: WaitlistEntry, zone: ClinicZone) -> Self {
        Self {
            id: e.id.as_uuid(),
            patient_id: e.patient_id.as_uuid(),
            appointment_type_id: e.appointment_type_id.as_uuid(),
            provider_id: e.provider_id.map(|p| p.as_uuid()),
            from: e.from,
            until: e.until,
            status: e.status.as_str().to_owned(),
            created_at: zone.show(e.created_at),
        }
    }
}

page_dto!(
    WaitlistPage,
    WaitlistEntryDto,
    "A page of waitlist entries."
);

/// A slot held for a waiting patient.
#[derive(Debug, Clone, Object)]
pub struct OfferDto {
    /// Identity.
    pub id: Uuid,
    /// The entry.
    pub waitlist_id: Uuid,
    /// For whom.
    pub patient_id: Uuid,
    /// With whom.
    pub provider_id: Uuid,
    /// What.
    pub appointment_type_id: Uuid,
    /// Its name.
    pub appointment_type_name: String,
    /// When.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// Held until.
    pub expires_at: DateTime<FixedOffset>,
    /// `open` | `claimed` | `expired` | `declined`.
    pub status: String,
}

impl OfferDto {
    /// For display.
    pub fn from_view(v: OfferView, zone: ClinicZone) -> Self {
        let o = v.offer;
        Self {
            id: o.id.as_uuid(),
            waitlist_id: o.entry_id.as_uuid(),
            patient_id: o.patient_id.as_uuid(),
            provider_id: o.provider_id.as_uuid(),
            appointment_type_id: o.appointment_type_id.as_uuid(),
            appointment_type_name: v.type_name,
            start: zone.show(o.start),
            end: zone.show(o.end),
            expires_at: zone.show(o.expires_at),
            status: o.status.as_str().to_owned(),
        }
    }
}
