//! Maven versions, ordered as Maven's `ComparableVersion` orders them.
//!
//! Traps:
//! - Case-insensitive, and both `.` and `-` separate items; a switch between letters and
//!   digits separates too (`1.0alpha1` is `1, 0, alpha, 1`).
//! - A `-` (or a letter/digit switch) opens a nested list, which sorts *below* a `.`
//!   item: `1-1 < 1.1`, and a number beats a list beats a string (`1.1 > 1-1 > 1-sp`).
//! - Trailing "null" items are dropped per list: `0`, the empty qualifier and its
//!   aliases `ga`, `final`, `release`. So `1 == 1.0 == 1.0.0 == 1-ga == 1-final`.
//! - Known qualifiers order `alpha < beta < milestone < rc == cr < snapshot < "" < sp`;
//!   `a1`, `b1`, `m1` (a single letter directly followed by a digit) mean alpha, beta,
//!   milestone. Unknown qualifiers sort after all known ones, lexically:
//!   `1-sp < 1-abc`, `1.0-rc < 1.0-xyz`.
//! - A qualifier against a missing item compares against the empty qualifier, so
//!   `1-snapshot < 1 < 1-sp`, while a number against a missing item is greater unless it
//!   is zero (`1.1 > 1`).
//! - Numbers have no size limit.
//! - A qualifier after a dot is read as if after a hyphen (Maven 3.9, MNG-7644):
//!   `1.a == 1-a == 1a`, and so `2.0.a == 2.0.0.a`. Before 3.9 these differed.
//! - This follows the `ComparableVersion` of Maven 3.9; Maven 4's "combination" items
//!   (`X-1` read as `X1`) are not reproduced.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A Maven version.
///
/// ```
/// use version::MavenVersion;
/// let v = |s: &str| s.parse::<MavenVersion>().unwrap();
/// assert!(v("1.0-alpha-1") < v("1.0-beta"));
/// assert!(v("1.0-SNAPSHOT") < v("1.0"));
/// assert_eq!(v("1.0"), v("1.0.0-ga"));
/// assert!(v("1.0") < v("1.0-sp1"));
/// ```
#[derive(Debug, Clone)]
pub struct MavenVersion {
    raw: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (empty for zero).
    Int(String),
    /// A qualifier after aliasing.
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: usize = 5;

/// A qualifier's rank: known ones by index, unknown ones after them, lexically.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank<'a> {
    Known(usize),
    Unknown(&'a str),
}

fn rank(q: &str) -> Rank<'_> {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => Rank::Known(i),
        None => Rank::Unknown(q),
    }
}

impl Item {
    fn int(digits: &str) -> Item {
        Item::Int(digits.trim_start_matches('0').to_owned())
    }

    fn string(value: &str, followed_by_digit: bool) -> Item {
        let mut value = value;
        if followed_by_digit && value.len() == 1 {
            value = match value {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                other => other,
            };
        }
        let value = match value {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Item::Str(value.to_owned())
    }

    fn parse(is_digit: bool, buf: &str) -> Item {
        if is_digit {
            Item::int(buf)
        } else {
            Item::string(buf, false)
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// `ComparableVersion.Item.compareTo`, with `None` for Java's `null`.
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(d), None) => {
                if d.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Str(s), None) => rank(s).cmp(&Rank::Known(RELEASE_INDEX)),
            (Item::List(l), None) => match l.first() {
                None => Ordering::Equal,
                Some(first) => first.compare(None),
            },
            (Item::Int(a), Some(Item::Int(b))) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(a), Some(Item::Str(b))) => rank(a).cmp(&rank(b)),
            (Item::Str(_), Some(_)) => Ordering::Less,
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => compare_lists(a, b),
        }
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let result = match (a.get(i), b.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => r.compare(None).reverse(),
            (Some(l), r) => l.compare(r),
        };
        if result != Ordering::Equal {
            return result;
        }
    }
    Ordering::Equal
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// `ComparableVersion.parseVersion`.
fn parse_items(version: &str) -> Vec<Item> {
    let version = version.to_lowercase();
    let chars: Vec<(usize, char)> = version.char_indices().collect();
    // The stack of open lists; each new list is the last item of the one below it.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    for &(i, c) in &chars {
        let list = stack.last_mut().expect("stack is never empty");
        if c == '.' || c == '-' {
            if i == start {
                list.push(Item::Int(String::new()));
            } else {
                list.push(Item::parse(is_digit, &version[start..i]));
            }
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X.
                if !list.is_empty() {
                    stack.push(Vec::new());
                }
                let list = stack.last_mut().expect("stack is never empty");
                list.push(Item::string(&version[start..i], true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                list.push(Item::parse(true, &version[start..i]));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if version.len() > start {
        // Treat .X as -X for any string qualifier X.
        if !is_digit && !stack.last().expect("stack is never empty").is_empty() {
            stack.push(Vec::new());
        }
        let list = stack.last_mut().expect("stack is never empty");
        list.push(Item::parse(is_digit, &version[start..]));
    }
    while stack.len() > 1 {
        let mut list = stack.pop().expect("checked length");
        normalize(&mut list);
        stack
            .last_mut()
            .expect("checked length")
            .push(Item::List(list));
    }
    let mut items = stack.pop().expect("checked length");
    normalize(&mut items);
    items
}

impl FromStr for MavenVersion {
    type Err = VersionParseError;

    /// Maven accepts any string; we reject only empty strings and whitespace or control
    /// characters, which no published version has.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let err = |reason: &str| VersionParseError::new(Scheme::Maven, input, reason);
        if s.is_empty() {
            return Err(err("empty version"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("whitespace or control character in version"));
        }
        Ok(MavenVersion {
            raw: s.to_owned(),
            items: parse_items(s),
        })
    }
}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}
