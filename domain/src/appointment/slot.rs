//! Free slots and the no-double-booking rule.
//!
//! The rule: a provider's time is held in *sessions*, one appointment type at one start.
//! Two bookings of a provider whose held spans (duration plus buffer) overlap must be in
//! the same session, and a session holds at most the type's capacity. So a type with
//! capacity 1 never overlaps anything, and a vaccination drive with capacity 30 takes 30
//! patients at one start and nothing else meanwhile.

use chrono::{DateTime, Duration, Utc};

use super::kind::AppointmentType;
use super::schedule::Interval;
use crate::AppointmentTypeId;

/// Time a provider already gives: one booking (or an open waitlist offer) holding
/// `seats` places of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    /// The session's type.
    pub appointment_type_id: AppointmentTypeId,
    /// The session's start.
    pub start: DateTime<Utc>,
    /// End of the held span (end + buffer).
    pub block_end: DateTime<Utc>,
    /// Places taken.
    pub seats: u32,
}

/// The longest span any booking can hold: 480 minutes plus a 240-minute buffer (the
/// limits of [`AppointmentType`]).
pub fn max_block() -> Duration {
    Duration::minutes(480 + 240)
}

/// A bookable start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Start.
    pub start: DateTime<Utc>,
    /// End (without the buffer).
    pub end: DateTime<Utc>,
    /// Places left.
    pub remaining: u32,
}

/// Places left in the session of `kind` at `start` given the provider's bookings
/// (sorted by start), or `None` when the span clashes with another session or the
/// session is full.
pub fn room_for(kind: &AppointmentType, start: DateTime<Utc>, booked: &[Booked]) -> Option<u32> {
    room_within(kind, start, booked, max_block())
}

/// [`room_for`] given that no span in `booked` is longer than `longest`: only bookings
/// starting after `start - longest` can overlap, so a binary search finds the first
/// one that matters instead of a walk over the provider's whole list.
fn room_within(
    kind: &AppointmentType,
    start: DateTime<Utc>,
    booked: &[Booked],
    longest: Duration,
) -> Option<u32> {
    let span = Interval {
        start,
        end: start + kind.block(),
    };
    let earliest = span.start - longest;
    let from = booked.partition_point(|b| b.start <= earliest);
    let mut taken = 0u32;
    for b in booked[from..].iter().take_while(|b| b.start < span.end) {
        let held = Interval {
            start: b.start,
            end: b.block_end,
        };
        if !held.overlaps(&span) {
            continue;
        }
        if b.appointment_type_id != kind.id || b.start != start {
            return None;
        }
        taken = taken.saturating_add(b.seats);
    }
    u32::from(kind.capacity)
        .checked_sub(taken)
        .filter(|left| *left > 0)
}

/// Free slots of `kind` inside the open intervals, on a grid of duration + buffer from
/// each interval's start, not before `not_before`. `booked` must be sorted by start.
pub fn free_slots(
    open: &[Interval],
    kind: &AppointmentType,
    booked: &[Booked],
    not_before: DateTime<Utc>,
) -> Vec<Slot> {
    let (step, duration) = (kind.block(), kind.duration());
    // The longest span actually held here (usually minutes), not the longest any type
    // could hold (12 hours): each candidate then looks at a handful of bookings.
    let longest = booked
        .iter()
        .map(|b| b.block_end - b.start)
        .max()
        .unwrap_or_else(Duration::zero);
    let mut out = Vec::new();
    for i in open {
        let mut start = i.start;
        while start + duration <= i.end {
            if start >= not_before
                && let Some(remaining) = room_within(kind, start, booked, longest)
            {
                out.push(Slot {
                    start,
                    end: start + duration,
                    remaining,
                });
            }
            start += step;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Role;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::minutes(min)
    }

    fn kind(duration: i64, buffer: i64, capacity: i64) -> AppointmentType {
        AppointmentType::new("T", duration, buffer, vec![Role::Doctor], capacity, t(0))
            .expect("valid")
    }

    fn booked(k: &AppointmentType, start: i64, seats: u32) -> Booked {
        Booked {
            appointment_type_id: k.id,
            start: t(start),
            block_end: t(start) + k.block(),
            seats,
        }
    }

    #[test]
    fn buffer_holds_the_provider() {
        let k = kind(15, 5, 1);
        let b = [booked(&k, 0, 1)];
        assert_eq!(room_for(&k, t(0), &b), None, "taken");
        assert_eq!(room_for(&k, t(19), &b), None, "inside the buffer");
        assert_eq!(room_for(&k, t(20), &b), Some(1), "after the buffer");
        assert_eq!(
            room_for(&k, t(-20), &b),
            Some(1),
            "ends with its buffer at 0"
        );
        assert_eq!(
            room_for(&k, t(-19), &b),
            None,
            "its buffer reaches 1 minute in"
        );
    }

    #[test]
    fn group_sessions_fill_to_capacity_and_block_others() {
        let drive = kind(10, 0, 3);
        let other = kind(10, 0, 1);
        let b = [booked(&drive, 0, 2)];
        assert_eq!(room_for(&drive, t(0), &b), Some(1));
        assert_eq!(room_for(&drive, t(5), &b), None, "another start overlaps");
        assert_eq!(room_for(&other, t(0), &b), None, "another type overlaps");
        let full = [booked(&drive, 0, 3)];
        assert_eq!(room_for(&drive, t(0), &full), None);
    }

    #[test]
    fn slots_follow_the_grid_and_skip_taken_ones() {
        let k = kind(15, 5, 1);
        let open = [Interval {
            start: t(0),
            end: t(60),
        }];
        let got: Vec<_> = free_slots(&open, &k, &[booked(&k, 20, 1)], t(0))
            .into_iter()
            .map(|s| s.start)
            .collect();
        assert_eq!(
            got,
            vec![t(0), t(40)],
            "20 is taken; 60 would end past closing"
        );
        let later: Vec<_> = free_slots(&open, &k, &[], t(1))
            .into_iter()
            .map(|s| s.start)
            .collect();
        assert_eq!(later, vec![t(20), t(40)], "not in the past");
    }
}
