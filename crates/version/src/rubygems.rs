//! RubyGems versions, ordered as `Gem::Version#<=>` orders them.
//!
//! Traps:
//! - A version is a pre-release as soon as it contains a letter: `1.0.a`, `1.0.rc1`,
//!   `1.0.0-beta` (a `-` is read as `.pre.`, so `1.0.0-beta` is `1.0.0.pre.beta`).
//! - Segments are runs of digits or letters; `1.0.rc1` is `1, 0, rc, 1`.
//! - Trailing zeros are dropped before comparing, separately for the release part and
//!   the pre-release part: `1.0 == 1 == 1.0.0`, `1.0.a.0 == 1.a`.
//! - A letter segment sorts before a number segment (and before a missing one, which
//!   counts as `0`): `1.0.a < 1.0`, `1.a < 1.0.0.1`. `b1` and `b.1` are the same
//!   segments (`b`, `1`), so `1.0.b1 == 1.0.b.1`. Letters compare as strings.
//! - The empty string is version `0`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A RubyGems version.
///
/// ```
/// use version::GemVersion;
/// let v = |s: &str| s.parse::<GemVersion>().unwrap();
/// assert!(v("1.0.a") < v("1.0"));
/// assert_eq!(v("1.0"), v("1"));
/// assert!(v("1.0.0-rc1") < v("1.0.0"));
/// ```
#[derive(Debug, Clone)]
pub struct GemVersion {
    raw: String,
    /// All segments, as `Gem::Version#segments`.
    segments: Vec<Segment>,
    /// `Gem::Version#canonical_segments`.
    canonical: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Digits without leading zeros (empty for zero).
    Num(String),
    Str(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Num(d) if d.is_empty())
    }
}

fn cmp_segment(a: &Segment, b: &Segment) -> Ordering {
    match (a, b) {
        (Segment::Num(a), Segment::Num(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Segment::Str(a), Segment::Str(b)) => a.cmp(b),
        (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
        (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
    }
}

impl GemVersion {
    /// Whether this is a pre-release (contains a letter).
    pub fn is_prerelease(&self) -> bool {
        self.raw.chars().any(|c| c.is_ascii_alphabetic())
    }

    /// `Gem::Version#release`: the version without its pre-release segments.
    pub fn release(&self) -> GemVersion {
        if !self.is_prerelease() {
            return self.clone();
        }
        let mut segments = self.segments.clone();
        while segments.iter().any(|s| matches!(s, Segment::Str(_))) {
            segments.pop();
        }
        GemVersion::from_segments(segments)
    }

    /// `Gem::Version#bump`: drop pre-release segments and the last segment, then
    /// increment the new last one (`2.1.3` → `2.2`, `2` → `3`). The upper bound of `~>`.
    pub fn bump(&self) -> GemVersion {
        let mut segments = self.segments.clone();
        while segments.iter().any(|s| matches!(s, Segment::Str(_))) {
            segments.pop();
        }
        if segments.len() > 1 {
            segments.pop();
        }
        if let Some(Segment::Num(last)) = segments.last_mut() {
            *last = increment(last);
        }
        GemVersion::from_segments(segments)
    }

    fn from_segments(segments: Vec<Segment>) -> GemVersion {
        let raw = segments
            .iter()
            .map(|s| match s {
                Segment::Num(d) if d.is_empty() => "0".to_owned(),
                Segment::Num(d) | Segment::Str(d) => d.clone(),
            })
            .collect::<Vec<_>>()
            .join(".");
        let canonical = canonical(&segments);
        GemVersion {
            raw,
            segments,
            canonical,
        }
    }
}

/// Add one to a decimal digit string (no leading zeros; empty is zero).
fn increment(digits: &str) -> String {
    let mut bytes: Vec<u8> = if digits.is_empty() {
        vec![b'0']
    } else {
        digits.bytes().collect()
    };
    let mut i = bytes.len();
    loop {
        if i == 0 {
            bytes.insert(0, b'1');
            break;
        }
        i -= 1;
        if bytes[i] == b'9' {
            bytes[i] = b'0';
        } else {
            bytes[i] += 1;
            break;
        }
    }
    String::from_utf8(bytes).expect("ASCII digits")
}

fn canonical(segments: &[Segment]) -> Vec<Segment> {
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Str(_)))
        .unwrap_or(segments.len());
    let (numeric, strings) = segments.split_at(split);
    let trim = |part: &[Segment]| {
        let end = part.iter().rposition(|s| !s.is_zero()).map_or(0, |i| i + 1);
        part[..end].to_vec()
    };
    let mut out = trim(numeric);
    out.extend(trim(strings));
    out
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`, by hand.
fn is_correct(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return false;
    }
    match pre {
        None => true,
        Some(p) => p
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
    }
}

impl FromStr for GemVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        if !is_correct(s) {
            return Err(VersionParseError::new(
                Scheme::RubyGems,
                input,
                "malformed version number string",
            ));
        }
        let s = if s.is_empty() { "0" } else { s };
        let normalized = s.replace('-', ".pre.");
        let mut segments = Vec::new();
        let bytes = normalized.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_digit() {
                let end = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                segments.push(Segment::Num(
                    normalized[i..end].trim_start_matches('0').to_owned(),
                ));
                i = end;
            } else if c.is_ascii_alphabetic() {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                segments.push(Segment::Str(normalized[i..end].to_owned()));
                i = end;
            } else {
                i += 1;
            }
        }
        let canonical = canonical(&segments);
        Ok(GemVersion {
            raw: s.to_owned(),
            segments,
            canonical,
        })
    }
}

impl fmt::Display for GemVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (l, r) = (&self.canonical, &other.canonical);
        if l == r {
            return Ordering::Equal;
        }
        let zero = Segment::Num(String::new());
        for i in 0..l.len().max(r.len()) {
            let a = l.get(i).unwrap_or(&zero);
            let b = r.get(i).unwrap_or(&zero);
            if a == b {
                continue;
            }
            return cmp_segment(a, b);
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}
