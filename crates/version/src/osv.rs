//! OSV range events (`introduced`, `fixed`, `last_affected`, `limit`) and their evaluation.
//!
//! The algorithm is the one in the OSV schema's "Evaluation" section: sort the events by
//! version (`introduced: "0"` first, `limit: "*"` last), walk them, and let each event at
//! or below the version set the state: `introduced` → affected, `fixed` (exclusive) →
//! not affected, `last_affected` (inclusive: only when the version is above it) → not
//! affected. A version at or above every `limit` is not affected.
//!
//! Ties (two events at one version) are not ordered by the spec. We put `fixed` and
//! `last_affected` before `introduced`, so that back-to-back ranges written as
//! `introduced 1, fixed 2, introduced 2, fixed 3` include `2`. The degenerate range
//! `introduced 2, fixed 2` then includes `2` as well.

use std::cmp::Ordering;

use crate::parsed::Parsed;
use crate::{Scheme, VersionParseError};

/// One OSV range event. Versions are strings in the range's scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    /// The first affected version (inclusive); `"0"` means "from the beginning".
    Introduced(String),
    /// The first fixed version (exclusive upper bound).
    Fixed(String),
    /// The last affected version (inclusive upper bound).
    LastAffected(String),
    /// Versions at or above this are never affected; `"*"` means no limit.
    Limit(String),
}

impl Event {
    /// The event's version string.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// Tie-break rank at equal versions (see the module docs).
    fn rank(&self) -> u8 {
        match self {
            Event::Fixed(_) => 0,
            Event::LastAffected(_) => 1,
            Event::Introduced(_) => 2,
            Event::Limit(_) => 3,
        }
    }
}

/// An OSV range: its events, in any order.
///
/// ```
/// use version::{Event, Range, Scheme};
/// let range = Range::new(vec![
///     Event::Introduced("0".into()),
///     Event::Fixed("2.36-9+deb12u7".into()),
/// ]);
/// assert!(range.affected(Scheme::Dpkg, "2.36-9+deb12u4").unwrap());
/// assert!(!range.affected(Scheme::Dpkg, "2.36-9+deb12u7").unwrap());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Range {
    events: Vec<Event>,
}

impl Range {
    /// A range from its events.
    pub fn new(events: Vec<Event>) -> Self {
        Range { events }
    }

    /// The events as given.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Whether `version` is inside this range; see [`affected`].
    ///
    /// # Errors
    ///
    /// When the version or an event's version is invalid in `scheme`.
    pub fn affected(&self, scheme: Scheme, version: &str) -> Result<bool, VersionParseError> {
        affected(scheme, version, &self.events)
    }
}

/// A version as placed among events: `"0"` below all, `"*"` above all.
enum Point {
    Zero,
    At(Parsed),
    Infinity,
}

impl Point {
    fn cmp(&self, other: &Point) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) | (Point::Infinity, Point::Infinity) => Ordering::Equal,
            (Point::Zero, _) | (_, Point::Infinity) => Ordering::Less,
            (_, Point::Zero) | (Point::Infinity, _) => Ordering::Greater,
            (Point::At(a), Point::At(b)) => a.cmp_same(b),
        }
    }
}

/// Whether `version` is affected by one OSV range's `events`, per the OSV evaluation
/// algorithm (see the module docs for ties).
///
/// ```
/// use version::{affected, Event, Scheme};
/// let events = [
///     Event::Introduced("1.0.0".into()),
///     Event::Fixed("1.2.0".into()),
///     Event::Introduced("2.0.0".into()),
///     Event::LastAffected("2.1.0".into()),
/// ];
/// assert!(affected(Scheme::Semver, "1.1.9", &events).unwrap());
/// assert!(!affected(Scheme::Semver, "1.5.0", &events).unwrap());
/// assert!(affected(Scheme::Semver, "2.1.0", &events).unwrap());
/// assert!(!affected(Scheme::Semver, "2.1.1", &events).unwrap());
/// ```
///
/// # Errors
///
/// When the version or an event's version is invalid in `scheme`.
pub fn affected(
    scheme: Scheme,
    version: &str,
    events: &[Event],
) -> Result<bool, VersionParseError> {
    let v = Point::At(Parsed::parse(scheme, version)?);
    let mut placed = Vec::with_capacity(events.len());
    for event in events {
        let point = match (event, event.version().trim()) {
            (Event::Introduced(_), "0") => Point::Zero,
            (Event::Limit(_), "*") => Point::Infinity,
            (_, s) => Point::At(Parsed::parse(scheme, s)?),
        };
        placed.push((point, event));
    }

    let limits: Vec<&Point> = placed
        .iter()
        .filter(|(_, e)| matches!(e, Event::Limit(_)))
        .map(|(p, _)| p)
        .collect();
    if !limits.is_empty() && !limits.iter().any(|limit| v.cmp(limit) == Ordering::Less) {
        return Ok(false);
    }

    placed.sort_by(|(a, ea), (b, eb)| a.cmp(b).then(ea.rank().cmp(&eb.rank())));
    let mut is_affected = false;
    for (point, event) in &placed {
        let order = v.cmp(point);
        match event {
            Event::Introduced(_) if order != Ordering::Less => is_affected = true,
            Event::Fixed(_) if order != Ordering::Less => is_affected = false,
            Event::LastAffected(_) if order == Ordering::Greater => is_affected = false,
            _ => {}
        }
    }
    Ok(is_affected)
}
