//! The waitlist: patients waiting for a type (optionally a provider and a date range),
//! and offers of a freed slot held for a claim window.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use thiserror::Error;

use crate::clinical::codes::code_enum;
use crate::{AppointmentTypeId, OfferId, PatientId, UserId, WaitlistId};

code_enum!(
    /// Where a waitlist entry is.
    WaitlistStatus {
        /// Waiting for a slot (also while an offer is open).
        Waiting = "waiting" / "Waiting",
        /// An offer was claimed.
        Booked = "booked" / "Booked",
        /// The patient left the list.
        Withdrawn = "withdrawn" / "Withdrawn",
    }
);

/// Why a waitlist request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WaitlistError {
    /// `until` before `from`, or a range in the past.
    #[error("the date range must not end before it starts or before today")]
    Range,
}

/// A patient waiting for a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistEntry {
    /// Identity.
    pub id: WaitlistId,
    /// Who waits.
    pub patient_id: PatientId,
    /// For what.
    pub appointment_type_id: AppointmentTypeId,
    /// With whom (any qualified provider when `None`).
    pub provider_id: Option<UserId>,
    /// First acceptable day (clinic zone).
    pub from: Option<NaiveDate>,
    /// Last acceptable day (clinic zone).
    pub until: Option<NaiveDate>,
    /// State.
    pub status: WaitlistStatus,
    /// Who added it.
    pub created_by: UserId,
    /// Since when (the longest-waiting entry gets the first offer).
    pub created_at: DateTime<Utc>,
}

impl WaitlistEntry {
    /// Checks the range against today.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        patient_id: PatientId,
        appointment_type_id: AppointmentTypeId,
        provider_id: Option<UserId>,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
        today: NaiveDate,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Self, WaitlistError> {
        if matches!((from, until), (Some(f), Some(u)) if u < f) || until.is_some_and(|u| u < today)
        {
            return Err(WaitlistError::Range);
        }
        Ok(Self {
            id: WaitlistId::new(),
            patient_id,
            appointment_type_id,
            provider_id,
            from,
            until,
            status: WaitlistStatus::Waiting,
            created_by: by,
            created_at: now,
        })
    }

    /// Whether a slot of its type with `provider` starting at `start` suits the entry.
    pub fn accepts(&self, provider: UserId, start: DateTime<Utc>, zone: Tz) -> bool {
        let day = start.with_timezone(&zone).date_naive();
        self.status == WaitlistStatus::Waiting
            && self.provider_id.is_none_or(|p| p == provider)
            && self.from.is_none_or(|f| day >= f)
            && self.until.is_none_or(|u| day <= u)
    }
}

code_enum!(
    /// Where an offer is.
    OfferStatus {
        /// Held for the patient until `expires_at`.
        Open = "open" / "Open",
        /// Booked by the patient.
        Claimed = "claimed" / "Claimed",
        /// Not claimed in time; passed on.
        Expired = "expired" / "Expired",
        /// Turned down by the patient.
        Declined = "declined" / "Declined",
    }
);

/// Why an offer cannot be claimed or declined.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OfferError {
    /// The claim window has passed.
    #[error("the offer has expired")]
    Expired,
    /// Already claimed, declined or expired.
    #[error("the offer is no longer open")]
    NotOpen,
}

/// A freed slot held for one waiting patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Identity.
    pub id: OfferId,
    /// For which entry.
    pub entry_id: WaitlistId,
    /// For whom.
    pub patient_id: PatientId,
    /// With whom.
    pub provider_id: UserId,
    /// What.
    pub appointment_type_id: AppointmentTypeId,
    /// When.
    pub start: DateTime<Utc>,
    /// End of the visit.
    pub end: DateTime<Utc>,
    /// End of the provider's held span.
    pub block_end: DateTime<Utc>,
    /// Held until.
    pub expires_at: DateTime<Utc>,
    /// State.
    pub status: OfferStatus,
    /// When offered.
    pub created_at: DateTime<Utc>,
    /// When claimed, declined or expired.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// An offer held for `window`, but never past the slot's start.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        entry: &WaitlistEntry,
        provider_id: UserId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        block_end: DateTime<Utc>,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: OfferId::new(),
            entry_id: entry.id,
            patient_id: entry.patient_id,
            provider_id,
            appointment_type_id: entry.appointment_type_id,
            start,
            end,
            block_end,
            expires_at: (now + window).min(start),
            status: OfferStatus::Open,
            created_at: now,
            decided_at: None,
        }
    }

    /// Claims it (the caller books the slot in the same transaction).
    pub fn claim(&mut self, now: DateTime<Utc>) -> Result<(), OfferError> {
        self.decide(OfferStatus::Claimed, now)
    }

    /// Turns it down.
    pub fn decline(&mut self, now: DateTime<Utc>) -> Result<(), OfferError> {
        self.decide(OfferStatus::Declined, now)
    }

    /// Lets it lapse (at or after `expires_at`).
    pub fn expire(&mut self, now: DateTime<Utc>) -> Result<(), OfferError> {
        if self.status != OfferStatus::Open {
            return Err(OfferError::NotOpen);
        }
        self.status = OfferStatus::Expired;
        self.decided_at = Some(now);
        Ok(())
    }

    fn decide(&mut self, to: OfferStatus, now: DateTime<Utc>) -> Result<(), OfferError> {
        if self.status != OfferStatus::Open {
            return Err(OfferError::NotOpen);
        }
        if now >= self.expires_at {
            return Err(OfferError::Expired);
        }
        self.status = to;
        self.decided_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Manila;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::minutes(min)
    }

    fn entry(provider: Option<UserId>) -> WaitlistEntry {
        let today = t(0).with_timezone(&Manila).date_naive();
        WaitlistEntry::new(
            PatientId::new(),
            AppointmentTypeId::new(),
            provider,
            Some(today),
            Some(today + Duration::days(2)),
            today,
            UserId::new(),
            t(0),
        )
        .expect("valid")
    }

    #[test]
    fn matching_and_ranges() {
        let p = UserId::new();
        let e = entry(Some(p));
        assert!(e.accepts(p, t(60), Manila));
        assert!(!e.accepts(UserId::new(), t(60), Manila), "another provider");
        assert!(!e.accepts(p, t(5 * 24 * 60), Manila), "after the range");
        assert!(entry(None).accepts(UserId::new(), t(60), Manila));
        let today = t(0).with_timezone(&Manila).date_naive();
        let bad = WaitlistEntry::new(
            PatientId::new(),
            AppointmentTypeId::new(),
            None,
            Some(today),
            Some(today - Duration::days(1)),
            today,
            UserId::new(),
            t(0),
        );
        assert_eq!(bad, Err(WaitlistError::Range));
    }

    #[test]
    fn offers_are_held_for_the_window_then_lapse() {
        let e = entry(None);
        let mut o = Offer::new(
            &e,
            UserId::new(),
            t(600),
            t(615),
            t(620),
            Duration::hours(2),
            t(0),
        );
        assert_eq!(o.expires_at, t(120));
        let near = Offer::new(
            &e,
            UserId::new(),
            t(30),
            t(45),
            t(50),
            Duration::hours(2),
            t(0),
        );
        assert_eq!(near.expires_at, t(30), "never held past the start");
        assert_eq!(o.clone().claim(t(120)), Err(OfferError::Expired));
        assert_eq!(o.claim(t(119)), Ok(()));
        assert_eq!(o.decline(t(119)), Err(OfferError::NotOpen));
    }
}
