//! RustSec advisories as kept in `rustsec/advisory-db`: Markdown files whose front matter is
//! a fenced TOML block (`crates/<crate>/RUSTSEC-YYYY-NNNN.md`), or older all-TOML files.
//!
//! The TOML's `[advisory]` gives id, package, aliases, related, cvss, date, url, references,
//! withdrawn and informational; `[versions]` gives `patched` and `unaffected` as Cargo
//! version requirements; `[affected]` (functions, os, arch) goes to `ecosystem_specific`.
//! The Markdown's first `# ` heading becomes the summary and the rest the details.
//!
//! RustSec lists what is *not* affected; OSV lists what is. As RustSec's own OSV export does,
//! each requirement becomes an interval of unaffected versions, the intervals are merged, and
//! their complement is written as one `SEMVER` range: an interval starting at `v` ends an
//! affected stretch with `fixed: v` (or `last_affected: v` for `> v`), one ending before `v`
//! starts the next with `introduced: v`. Bounds ignore pre-releases (`^1.2` ends at `2.0.0`).
//! The [`Status`] is `Fixed` when `patched` is non-empty, else `NotFixedYet`.

use std::cmp::Ordering;
use std::io::Read;
use std::path::Path;

use semver::{Comparator, Op, Version, VersionReq};
use serde::Deserialize;

use super::{null_default, read_capped, ImportReport, Imported};
use crate::error::ImportError;
use crate::model::{
    Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Reference, Severity,
    SeverityKind, Status,
};
use crate::score::cvss_severity;

#[derive(Debug, Deserialize)]
struct RawFile {
    advisory: RawAdvisory,
    #[serde(default)]
    versions: RawVersions,
    #[serde(default)]
    affected: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
struct RawAdvisory {
    id: String,
    package: String,
    #[serde(default)]
    date: Option<toml::Value>,
    #[serde(default, deserialize_with = "null_default")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    related: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    references: Vec<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// A bound of an interval: a version and whether it is included.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Bound {
    v: Version,
    incl: bool,
}

/// An interval of versions; `None` is unbounded.
#[derive(Clone, Debug)]
struct Interval {
    lo: Option<Bound>,
    hi: Option<Bound>,
}

fn ver(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

fn comparator_interval(c: &Comparator) -> Result<Interval, String> {
    let (ma, mi, pa) = (c.major, c.minor, c.patch);
    let full = || {
        let mut v = ver(ma, mi.unwrap_or(0), pa.unwrap_or(0));
        v.pre = c.pre.clone();
        v
    };
    // The first version past the given prefix: 1 → 2.0.0, 1.2 → 1.3.0, 1.2.3 → 1.2.4.
    let past_prefix = || match (mi, pa) {
        (None, _) => ver(ma + 1, 0, 0),
        (Some(mi), None) => ver(ma, mi + 1, 0),
        (Some(mi), Some(pa)) => ver(ma, mi, pa + 1),
    };
    let incl = |v: Version| Some(Bound { v, incl: true });
    let excl = |v: Version| Some(Bound { v, incl: false });
    Ok(match c.op {
        Op::Exact if mi.is_some() && pa.is_some() => Interval {
            lo: incl(full()),
            hi: incl(full()),
        },
        Op::Exact | Op::Wildcard => Interval {
            lo: incl(full()),
            hi: excl(past_prefix()),
        },
        Op::Greater if mi.is_some() && pa.is_some() => Interval {
            lo: excl(full()),
            hi: None,
        },
        Op::Greater => Interval {
            lo: incl(past_prefix()),
            hi: None,
        },
        Op::GreaterEq => Interval {
            lo: incl(full()),
            hi: None,
        },
        Op::Less => Interval {
            lo: None,
            hi: excl(full()),
        },
        Op::LessEq if mi.is_some() && pa.is_some() => Interval {
            lo: None,
            hi: incl(full()),
        },
        Op::LessEq => Interval {
            lo: None,
            hi: excl(past_prefix()),
        },
        Op::Tilde => {
            let hi = match mi {
                None => ver(ma + 1, 0, 0),
                Some(mi) => ver(ma, mi + 1, 0),
            };
            Interval {
                lo: incl(full()),
                hi: excl(hi),
            }
        }
        Op::Caret => {
            let hi = match (ma, mi, pa) {
                (0, None, _) => ver(1, 0, 0),
                (0, Some(0), None) => ver(0, 1, 0),
                (0, Some(0), Some(p)) => ver(0, 0, p + 1),
                (0, Some(m), _) => ver(0, m + 1, 0),
                (m, _, _) => ver(m + 1, 0, 0),
            };
            Interval {
                lo: incl(full()),
                hi: excl(hi),
            }
        }
        _ => return Err(format!("unsupported requirement operator in {c}")),
    })
}

/// Compares lower bounds: `None` (unbounded) first; an included bound before an excluded one.
fn cmp_lo(a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(a), Some(b)) => a.v.cmp(&b.v).then(b.incl.cmp(&a.incl)),
    }
}

/// Compares upper bounds: `None` (unbounded) last; an excluded bound before an included one.
fn cmp_hi(a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(a), Some(b)) => a.v.cmp(&b.v).then(a.incl.cmp(&b.incl)),
    }
}

fn requirement_interval(req: &str) -> Result<Option<Interval>, String> {
    let parsed = VersionReq::parse(req).map_err(|e| format!("version requirement {req:?}: {e}"))?;
    let mut iv = Interval { lo: None, hi: None };
    for c in &parsed.comparators {
        let c = comparator_interval(c)?;
        if cmp_lo(&c.lo, &iv.lo) == Ordering::Greater {
            iv.lo = c.lo;
        }
        if cmp_hi(&c.hi, &iv.hi) == Ordering::Less {
            iv.hi = c.hi;
        }
    }
    let empty = match (&iv.lo, &iv.hi) {
        (Some(lo), Some(hi)) => match lo.v.cmp(&hi.v) {
            Ordering::Greater => true,
            Ordering::Equal => !(lo.incl && hi.incl),
            Ordering::Less => false,
        },
        _ => false,
    };
    Ok((!empty).then_some(iv))
}

/// The OSV events for "everything except these requirements".
fn events_outside(reqs: &[String]) -> Result<Vec<Event>, String> {
    let mut ivs = Vec::new();
    for r in reqs {
        ivs.extend(requirement_interval(r)?);
    }
    ivs.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
    // Merge overlapping or touching intervals.
    let mut merged: Vec<Interval> = Vec::new();
    for iv in ivs {
        if let Some(last) = merged.last_mut() {
            let touches = match (&last.hi, &iv.lo) {
                (None, _) | (_, None) => true,
                (Some(h), Some(l)) => match l.v.cmp(&h.v) {
                    Ordering::Less => true,
                    Ordering::Equal => h.incl || l.incl,
                    Ordering::Greater => false,
                },
            };
            if touches {
                if cmp_hi(&iv.hi, &last.hi) == Ordering::Greater {
                    last.hi = iv.hi;
                }
                continue;
            }
        }
        merged.push(iv);
    }
    let zero = ver(0, 0, 0);
    let mut events = Vec::new();
    // The start of the current affected stretch; None once unaffected to the end.
    let mut start: Option<String> = Some("0".into());
    for iv in merged {
        match (&iv.lo, start.take()) {
            (Some(lo), Some(s)) if !(lo.v == zero && lo.incl) => {
                events.push(Event::Introduced(s));
                events.push(if lo.incl {
                    Event::Fixed(lo.v.to_string())
                } else {
                    Event::LastAffected(lo.v.to_string())
                });
            }
            _ => {}
        }
        start = iv.hi.map(|h| {
            if h.incl {
                ver(h.v.major, h.v.minor, h.v.patch + 1).to_string()
            } else {
                h.v.to_string()
            }
        });
    }
    if let Some(s) = start {
        events.push(Event::Introduced(s));
    }
    Ok(events)
}

fn toml_text(v: Option<toml::Value>) -> Option<String> {
    v.map(|v| match v {
        toml::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// Splits a RustSec Markdown file into its TOML front matter and Markdown body.
fn split_front_matter(text: &str) -> Result<(&str, &str), String> {
    let text = text.trim_start_matches('\u{feff}');
    let Some(rest) = text.strip_prefix("```toml") else {
        // Older advisories are plain TOML files.
        return Ok((text, ""));
    };
    let end = rest
        .find("\n```")
        .ok_or("the ```toml front matter is not closed")?;
    Ok((&rest[..end], &rest[end + 4..]))
}

struct Parsed {
    raw: RawFile,
    body: String,
}

impl TryFrom<Parsed> for Advisory {
    type Error = String;
    fn try_from(p: Parsed) -> Result<Advisory, String> {
        let a = p.raw.advisory;
        let id = AdvisoryId::new(a.id).map_err(|e| e.to_string())?;
        if a.package.trim().is_empty() {
            return Err("empty package name".into());
        }
        let mut lines = p.body.trim().lines();
        let (title, details) = match lines.clone().next() {
            Some(first) if first.starts_with("# ") => {
                lines.next();
                (
                    Some(first[2..].trim().to_owned()),
                    lines.collect::<Vec<_>>().join("\n"),
                )
            }
            _ => (None, p.body.trim().to_owned()),
        };
        let summary = title.or(a.title);
        let details = Some(details.trim().to_owned())
            .filter(|d| !d.is_empty())
            .or(a.description);
        let mut reqs = p.raw.versions.patched.clone();
        reqs.extend(p.raw.versions.unaffected.iter().cloned());
        let events = events_outside(&reqs)?;
        let status = if p.raw.versions.patched.is_empty() {
            Status::NotFixedYet
        } else {
            Status::Fixed
        };
        let severities = a
            .cvss
            .map(|v| {
                cvss_severity(&v).unwrap_or(Severity {
                    kind: if v.starts_with("CVSS:4") {
                        SeverityKind::CvssV4
                    } else {
                        SeverityKind::CvssV3
                    },
                    vector_or_label: v,
                    score: None,
                    rating: None,
                    source: None,
                })
            })
            .into_iter()
            .collect();
        let mut references = vec![Reference {
            kind: "ADVISORY".into(),
            url: format!("https://rustsec.org/advisories/{id}.html"),
        }];
        references.extend(a.url.into_iter().chain(a.references).map(|url| Reference {
            kind: "WEB".into(),
            url,
        }));
        let database_specific = a
            .informational
            .map(|i| serde_json::json!({ "informational": i }));
        let ecosystem_specific = p
            .raw
            .affected
            .map(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
            .transpose()?;
        let ecosystem = Ecosystem::new("crates.io").map_err(|e| e.to_string())?;
        Ok(Advisory {
            id,
            aliases: a.aliases,
            related: a.related,
            summary,
            details,
            severities,
            affected: vec![Affected {
                ecosystem,
                package: a.package,
                purl: None,
                ranges: vec![Range {
                    kind: RangeKind::Semver,
                    repo: None,
                    events,
                }],
                versions: vec![],
                status,
                severities: vec![],
                vendor_severity: None,
                ecosystem_specific,
                database_specific,
            }],
            references,
            published: toml_text(a.date),
            modified: None,
            withdrawn: toml_text(a.withdrawn),
            source: String::new(),
        })
    }
}

/// Collects RustSec advisory files into one import.
#[derive(Debug)]
pub struct RustsecImporter {
    advisories: Vec<Advisory>,
    report: ImportReport,
}

impl RustsecImporter {
    /// Starts an import for the source named `feed`.
    pub fn new(feed: &str) -> Self {
        Self {
            advisories: Vec::new(),
            report: ImportReport::new(feed),
        }
    }

    /// Adds one advisory file (Markdown with TOML front matter, or plain TOML).
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        let converted = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8: {e}"))
            .and_then(split_front_matter)
            .and_then(|(front, body)| {
                let raw: RawFile =
                    toml::from_str(front).map_err(|e| format!("front matter: {e}"))?;
                Advisory::try_from(Parsed {
                    raw,
                    body: body.to_owned(),
                })
            });
        match converted {
            Ok(mut a) => {
                a.source = self.report.source.clone();
                self.report.records += 1;
                self.advisories.push(a);
            }
            Err(e) => self.report.skip(name, e),
        }
    }

    /// Ends the import.
    pub fn finish(self) -> Imported<Advisory> {
        Imported {
            items: self.advisories,
            report: self.report,
        }
    }
}

/// Imports one advisory file.
pub fn import_file(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let bytes = read_capped(reader, super::osv::MAX_RECORD_BYTES)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    let mut imp = RustsecImporter::new(feed);
    imp.add_file("input", &bytes);
    Ok(imp.finish())
}

/// Imports every `*.md` and `*.toml` advisory under `dir/crates` (or `dir` itself when it
/// has no `crates` folder). Toolchain advisories under `rust/` are not crates and are left out.
pub fn import_dir(feed: &str, dir: &Path) -> Result<Imported<Advisory>, ImportError> {
    let root = if dir.join("crates").is_dir() {
        dir.join("crates")
    } else {
        dir.to_owned()
    };
    let mut imp = RustsecImporter::new(feed);
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let what = e.path().unwrap_or(&root).display().to_string();
            ImportError::io(feed, &what, e.into())
        })?;
        let path = entry.path();
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let is_advisory = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.starts_with("RUSTSEC-") && (n.ends_with(".md") || n.ends_with(".toml"))
        });
        if !entry.file_type().is_file() || !is_advisory {
            continue;
        }
        match std::fs::File::open(path).and_then(|f| read_capped(f, super::osv::MAX_RECORD_BYTES)) {
            Ok(bytes) => imp.add_file(&name, &bytes),
            Err(e) => imp.report.skip(name, e),
        }
    }
    Ok(imp.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(reqs: &[&str]) -> Vec<Event> {
        events_outside(&reqs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }
    fn i(v: &str) -> Event {
        Event::Introduced(v.into())
    }
    fn f(v: &str) -> Event {
        Event::Fixed(v.into())
    }

    #[test]
    fn patched_only() {
        assert_eq!(ev(&[">= 0.9.1"]), [i("0"), f("0.9.1")]);
        assert_eq!(ev(&[]), [i("0")]);
    }

    #[test]
    fn caret_backports() {
        assert_eq!(
            ev(&["^1.2.3", ">= 2.1.0"]),
            [i("0"), f("1.2.3"), i("2.0.0"), f("2.1.0")]
        );
        assert_eq!(
            ev(&["^0.2.3", ">= 0.3.1"]),
            [i("0"), f("0.2.3"), i("0.3.0"), f("0.3.1")]
        );
        assert_eq!(ev(&["~1.2.3"]), [i("0"), f("1.2.3"), i("1.3.0")]);
    }

    #[test]
    fn unaffected_before_introduction() {
        assert_eq!(ev(&[">= 0.3.5", "< 0.2.0"]), [i("0.2.0"), f("0.3.5")]);
        assert_eq!(
            ev(&[">= 1.0.0, < 1.1.0", ">= 1.1.2"]),
            [i("0"), f("1.0.0"), i("1.1.0"), f("1.1.2")]
        );
    }

    #[test]
    fn exclusive_and_inclusive_bounds() {
        assert_eq!(
            ev(&["> 1.2.3"]),
            [i("0"), Event::LastAffected("1.2.3".into())]
        );
        assert_eq!(ev(&["<= 0.1.0", ">= 0.5.0"]), [i("0.1.1"), f("0.5.0")]);
    }

    #[test]
    fn front_matter_and_body() {
        let text = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0105\"\npackage = \"abi_stable\"\n\
                    aliases = [\"CVE-2020-36212\"]\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"\n\
                    date = \"2020-12-21\"\n\n[versions]\npatched = [\">= 0.9.1\"]\n```\n\n\
                    # Update unsound DrainFilter\n\nAffected versions contained bugs.\n";
        let imp = import_file("rustsec", text.as_bytes()).unwrap();
        assert_eq!(imp.report.skipped, 0, "{:?}", imp.report.errors);
        let a = &imp.items[0];
        assert_eq!(a.summary.as_deref(), Some("Update unsound DrainFilter"));
        assert_eq!(
            a.details.as_deref(),
            Some("Affected versions contained bugs.")
        );
        assert_eq!(a.severities[0].score, Some(7.5));
        assert_eq!(a.affected[0].status, Status::Fixed);
        assert_eq!(a.affected[0].ecosystem.as_str(), "crates.io");
        assert_eq!(a.published.as_deref(), Some("2020-12-21"));
    }

    #[test]
    fn unclosed_front_matter_is_skipped() {
        let imp = import_file("rustsec", &b"```toml\n[advisory]\nid = \"X\"\n"[..]).unwrap();
        assert_eq!((imp.report.records, imp.report.skipped), (0, 1));
        assert!(imp.report.errors[0].message.contains("not closed"));
    }
}
