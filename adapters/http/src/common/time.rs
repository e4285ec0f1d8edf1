//! Times on the wire: stored in UTC, shown in the clinic's zone.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;

/// The clinic's wall-clock zone: times are stored in UTC and shown in it.
#[derive(Debug, Clone, Copy)]
pub struct ClinicZone(pub Tz);

impl ClinicZone {
    /// A UTC instant in the clinic's zone, as RFC 3339 with offset.
    pub fn show(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.0).fixed_offset()
    }
}

/// An instant given with any offset, as UTC.
pub fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}
