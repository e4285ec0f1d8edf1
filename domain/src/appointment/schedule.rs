//! Provider availability: weekly hours in the clinic's wall-clock time, minus exceptions
//! (leave, holidays, closures, blocks), plus one-off openings, as UTC intervals.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use thiserror::Error;

use crate::clinical::codes::code_enum;
use crate::clinical::values::{ValueError, text};
use crate::{ExceptionId, UserId};

/// Why a schedule or an exception was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScheduleError {
    /// Weekday outside 1..=7.
    #[error("weekday must be 1 (Monday) to 7 (Sunday)")]
    Weekday,
    /// Not `HH:MM`.
    #[error("times are HH:MM (00:00 to 23:59)")]
    Time,
    /// A range that ends at or before its start.
    #[error("each range must end after it starts")]
    Order,
    /// Two ranges of one day overlap.
    #[error("ranges of the same day must not overlap")]
    Overlap,
    /// More than 42 ranges.
    #[error("at most 42 weekly ranges")]
    TooMany,
    /// An exception that ends at or before its start, or lasts over a year.
    #[error("must be after starts_at, at most 366 days later")]
    Span,
    /// Seconds in a time (schedules work in whole minutes).
    #[error("times must be whole minutes")]
    Precision,
    /// Reason text.
    #[error("reason: {0}")]
    Reason(ValueError),
}

/// One range of working hours on a weekday, in the clinic's wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeeklyRange {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: u8,
    /// Start, local.
    pub start: NaiveTime,
    /// End, local (same day).
    pub end: NaiveTime,
}

impl WeeklyRange {
    /// Parses `weekday` 1..=7 and `HH:MM` times.
    pub fn parse(weekday: i64, start: &str, end: &str) -> Result<Self, ScheduleError> {
        let weekday = u8::try_from(weekday)
            .ok()
            .filter(|d| (1..=7).contains(d))
            .ok_or(ScheduleError::Weekday)?;
        let t =
            |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| ScheduleError::Time);
        let (start, end) = (t(start)?, t(end)?);
        if end <= start {
            return Err(ScheduleError::Order);
        }
        Ok(Self {
            weekday,
            start,
            end,
        })
    }
}

/// A provider's weekly hours: sorted, no overlaps within a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeeklyHours(Vec<WeeklyRange>);

impl WeeklyHours {
    /// Checks and sorts the ranges.
    pub fn new(mut ranges: Vec<WeeklyRange>) -> Result<Self, ScheduleError> {
        if ranges.len() > 42 {
            return Err(ScheduleError::TooMany);
        }
        ranges.sort();
        for pair in ranges.windows(2) {
            if pair[0].weekday == pair[1].weekday && pair[1].start < pair[0].end {
                return Err(ScheduleError::Overlap);
            }
        }
        Ok(Self(ranges))
    }

    /// The ranges, by weekday then start.
    pub fn ranges(&self) -> &[WeeklyRange] {
        &self.0
    }
}

code_enum!(
    /// Whether an exception removes or adds time.
    ExceptionKind {
        /// Leave, holiday, closure or a one-off block.
        Closed = "closed" / "Closed",
        /// A one-off extra opening.
        Open = "open" / "Open",
    }
);

/// A change to the weekly hours for a stretch of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleException {
    /// Identity.
    pub id: ExceptionId,
    /// Whose hours; `None` for a clinic-wide closure.
    pub provider_id: Option<UserId>,
    /// Closed or open.
    pub kind: ExceptionKind,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC), exclusive.
    pub ends_at: DateTime<Utc>,
    /// Why ("Annual leave", "Rizal Day").
    pub reason: String,
    /// Who entered it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl ScheduleException {
    /// Checks the span and the reason.
    pub fn new(
        provider_id: Option<UserId>,
        kind: ExceptionKind,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: &str,
        created_by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Self, ScheduleError> {
        if ends_at <= starts_at || ends_at - starts_at > Duration::days(366) {
            return Err(ScheduleError::Span);
        }
        if !whole_minute(starts_at) || !whole_minute(ends_at) {
            return Err(ScheduleError::Precision);
        }
        Ok(Self {
            id: ExceptionId::new(),
            provider_id,
            kind,
            starts_at,
            ends_at,
            reason: text(reason, 1, 500).map_err(ScheduleError::Reason)?,
            created_by,
            created_at: now,
        })
    }

    /// As an interval.
    pub fn interval(&self) -> Interval {
        Interval {
            start: self.starts_at,
            end: self.ends_at,
        }
    }
}

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    /// Inclusive.
    pub start: DateTime<Utc>,
    /// Exclusive.
    pub end: DateTime<Utc>,
}

impl Interval {
    /// Whether the two share any instant.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
    /// Whether `other` lies wholly inside.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Whether `t` has no seconds (schedules and bookings work in whole minutes).
pub fn whole_minute(t: DateTime<Utc>) -> bool {
    t.timestamp() % 60 == 0 && t.timestamp_subsec_nanos() == 0
}

/// A local wall-clock time as an instant: the earlier one when the clock is set back,
/// the first valid time after the gap when it is set forward.
pub fn to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    for _ in 0..=(24 * 60) {
        if let Some(found) = zone.from_local_datetime(&t).earliest() {
            return found.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    // No zone has a gap of a day; fall back to reading the time as UTC.
    Utc.from_utc_datetime(&local)
}

/// Sorts and merges touching or overlapping intervals.
fn merge(mut v: Vec<Interval>) -> Vec<Interval> {
    v.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for i in v {
        match out.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => out.push(i),
        }
    }
    out
}

/// Removes `cuts` from `v` (both merged and sorted).
fn subtract(v: Vec<Interval>, cuts: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::with_capacity(v.len());
    for mut i in v {
        for c in cuts {
            if !c.overlaps(&i) {
                continue;
            }
            if c.start > i.start {
                out.push(Interval {
                    start: i.start,
                    end: c.start,
                });
            }
            i.start = i.start.max(c.end);
            if i.start >= i.end {
                break;
            }
        }
        if i.start < i.end {
            out.push(i);
        }
    }
    out
}

/// When a provider is open around `[from, to)`: their weekly hours read in `zone` on each
/// local day, plus openings, minus closures; merged and sorted. Intervals overlapping the
/// window are returned whole (callers filter slot starts to the window).
pub fn open_intervals(
    zone: Tz,
    weekly: &WeeklyHours,
    exceptions: &[ScheduleException],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Interval> {
    if to <= from {
        return Vec::new();
    }
    let first: NaiveDate = from.with_timezone(&zone).date_naive() - Duration::days(1);
    let last: NaiveDate = to.with_timezone(&zone).date_naive() + Duration::days(1);
    let mut open = Vec::new();
    let mut day = first;
    while day <= last {
        let weekday = day.weekday().number_from_monday() as u8;
        for r in weekly.ranges().iter().filter(|r| r.weekday == weekday) {
            open.push(Interval {
                start: to_utc(zone, day.and_time(r.start)),
                end: to_utc(zone, day.and_time(r.end)),
            });
        }
        day += Duration::days(1);
    }
    open.extend(
        exceptions
            .iter()
            .filter(|e| e.kind == ExceptionKind::Open)
            .map(ScheduleException::interval),
    );
    let closed = merge(
        exceptions
            .iter()
            .filter(|e| e.kind == ExceptionKind::Closed)
            .map(ScheduleException::interval)
            .collect(),
    );
    let window = Interval {
        start: from,
        end: to,
    };
    // Not clipped to the window: slots keep their grid from the start of the hours.
    subtract(merge(open), &closed)
        .into_iter()
        .filter(|i| i.overlaps(&window))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Asia::Manila};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn hours(list: &[(i64, &str, &str)]) -> WeeklyHours {
        WeeklyHours::new(
            list.iter()
                .map(|(d, s, e)| WeeklyRange::parse(*d, s, e).expect("range"))
                .collect(),
        )
        .expect("hours")
    }

    fn exc(kind: ExceptionKind, s: &str, e: &str) -> ScheduleException {
        ScheduleException::new(None, kind, utc(s), utc(e), "x", UserId::new(), utc(s))
            .expect("valid")
    }

    #[test]
    fn weekly_ranges_are_checked() {
        assert_eq!(
            WeeklyRange::parse(0, "08:00", "12:00"),
            Err(ScheduleError::Weekday)
        );
        assert_eq!(
            WeeklyRange::parse(8, "08:00", "12:00"),
            Err(ScheduleError::Weekday)
        );
        assert_eq!(
            WeeklyRange::parse(1, "8am", "12:00"),
            Err(ScheduleError::Time)
        );
        assert_eq!(
            WeeklyRange::parse(1, "12:00", "12:00"),
            Err(ScheduleError::Order)
        );
        let overlapping = vec![
            WeeklyRange::parse(1, "08:00", "12:00").expect("ok"),
            WeeklyRange::parse(1, "11:00", "13:00").expect("ok"),
        ];
        assert_eq!(WeeklyHours::new(overlapping), Err(ScheduleError::Overlap));
        let touching = vec![
            WeeklyRange::parse(1, "13:00", "17:00").expect("ok"),
            WeeklyRange::parse(1, "08:00", "12:00").expect("ok"),
            WeeklyRange::parse(2, "11:00", "13:00").expect("ok"),
        ];
        let h = WeeklyHours::new(touching).expect("valid");
        assert_eq!(
            h.ranges()[0].start,
            NaiveTime::from_hms_opt(8, 0, 0).expect("t")
        );
    }

    #[test]
    fn manila_hours_are_utc_plus_eight() {
        // 2026-11-23 is a Monday.
        let h = hours(&[(1, "08:00", "12:00"), (1, "13:00", "17:00")]);
        let open = open_intervals(
            Manila,
            &h,
            &[],
            utc("2026-11-22T00:00:00Z"),
            utc("2026-11-24T00:00:00Z"),
        );
        assert_eq!(
            open,
            vec![
                Interval {
                    start: utc("2026-11-23T00:00:00Z"),
                    end: utc("2026-11-23T04:00:00Z")
                },
                Interval {
                    start: utc("2026-11-23T05:00:00Z"),
                    end: utc("2026-11-23T09:00:00Z")
                },
            ]
        );
    }

    #[test]
    fn exceptions_cut_and_add() {
        let h = hours(&[(1, "08:00", "17:00")]);
        let closed = exc(
            ExceptionKind::Closed,
            "2026-11-23T02:00:00Z",
            "2026-11-23T03:00:00Z",
        );
        let opening = exc(
            ExceptionKind::Open,
            "2026-11-24T01:00:00Z",
            "2026-11-24T02:00:00Z",
        );
        let open = open_intervals(
            Manila,
            &h,
            &[closed, opening],
            utc("2026-11-23T00:00:00Z"),
            utc("2026-11-25T00:00:00Z"),
        );
        assert_eq!(
            open,
            vec![
                Interval {
                    start: utc("2026-11-23T00:00:00Z"),
                    end: utc("2026-11-23T02:00:00Z")
                },
                Interval {
                    start: utc("2026-11-23T03:00:00Z"),
                    end: utc("2026-11-23T09:00:00Z")
                },
                Interval {
                    start: utc("2026-11-24T01:00:00Z"),
                    end: utc("2026-11-24T02:00:00Z")
                },
            ]
        );
        let holiday = exc(
            ExceptionKind::Closed,
            "2026-11-22T16:00:00Z",
            "2026-11-23T16:00:00Z",
        );
        assert!(
            open_intervals(
                Manila,
                &h,
                &[holiday],
                utc("2026-11-23T00:00:00Z"),
                utc("2026-11-24T00:00:00Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn daylight_saving_is_read_from_the_zone() {
        // New York: 2026-03-08 clocks go forward at 02:00 (Sunday = 7); 2026-11-01 back.
        let h = hours(&[(7, "01:00", "04:00")]);
        let spring = open_intervals(
            New_York,
            &h,
            &[],
            utc("2026-03-08T00:00:00Z"),
            utc("2026-03-09T00:00:00Z"),
        );
        // 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z: two hours of wall time are 2 h long.
        assert_eq!(
            spring,
            vec![Interval {
                start: utc("2026-03-08T06:00:00Z"),
                end: utc("2026-03-08T08:00:00Z")
            }]
        );
        let autumn = open_intervals(
            New_York,
            &h,
            &[],
            utc("2026-11-01T00:00:00Z"),
            utc("2026-11-02T00:00:00Z"),
        );
        // 01:00 EDT (earlier of the two) = 05:00Z; 04:00 EST = 09:00Z.
        assert_eq!(
            autumn,
            vec![Interval {
                start: utc("2026-11-01T05:00:00Z"),
                end: utc("2026-11-01T09:00:00Z")
            }]
        );
        // A time inside the gap moves to the first valid instant after it.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .expect("date")
            .and_hms_opt(2, 30, 0)
            .expect("time");
        assert_eq!(to_utc(New_York, gap), utc("2026-03-08T07:00:00Z"));
    }
}
