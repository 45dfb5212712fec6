//! The Debian Security Tracker's text lists, as kept in its git repository:
//! `data/CVE/list` and the announcement lists `data/DSA/list` and `data/DLA/list`.
//!
//! `data/CVE/list` is a sequence of entries. An entry opens with an unindented header
//! `CVE-2024-6387 (description ...)` and continues with indented lines:
//!
//! ```text
//! CVE-2024-6387 (A security regression ...)
//!     {DSA-5724-1}
//!     - openssh 1:9.7p1-7 (bug #1074953)
//!     [bullseye] - openssh <not-affected> (Vulnerable code introduced later)
//!     NOTE: https://www.openwall.com/lists/oss-security/2024/07/01/1
//! ```
//!
//! (The indentation is one tab in the file.)
//!
//! `{…}` lists the announcements (DSA/DLA) that fixed it; `- pkg …` is a source package line
//! for unstable; `[codename] - pkg …` is the same for one release; `NOTE:`, `TODO:`,
//! `RESERVED`, `REJECTED` and `NOT-FOR-US:` lines carry no package state and are ignored.
//!
//! A package line's state is a version (fixed in it) or a tag, optionally followed by a
//! parenthesised note whose `;`-separated parts may hold the urgency and the Debian bug:
//!
//! | text | [`Status`] |
//! |---|---|
//! | `1:9.7p1-7` | [`Status::Fixed`], range `introduced 0`, `fixed 1:9.7p1-7` |
//! | `<not-affected>` | [`Status::NotAffected`] (no range) |
//! | `<unfixed>`, `<postponed>` | [`Status::NotFixedYet`], range `introduced 0` |
//! | `<no-dsa>`, `<ignored>` | [`Status::WillNotFix`], range `introduced 0` (no security update is planned for the release) |
//! | `<end-of-life>` | [`Status::EndOfLife`], range `introduced 0` |
//! | `<undetermined>` | [`Status::Unknown`] |
//! | `<removed>`, `<itp>` | not recorded (the package is not in that suite) |
//!
//! `unimportant`, `low`, `medium` and `high` in the note become the vendor severity.
//!
//! # Releases that have no line of their own
//!
//! The tracker's rule is that a release without a `[release]` line is fixed in the unstable
//! version if its own version is at least that. The tracker resolves this against the
//! archive's package versions, which this importer does not have. It uses the approximation
//! trivy and vuln-list use instead: a `[release]` line gives that release's status; the
//! unqualified line gives the status for unstable (`Debian:unstable`) and is the fallback for
//! every release in [`DebianTextImporter::fallback_releases`] (default:
//! [`DEFAULT_FALLBACK_RELEASES`]) that the entry does not name. Inferred entries carry
//! `"inferred_from": "unstable"` in `ecosystem_specific`.
//!
//! A DSA or DLA entry (`[17 Sep 2024] DSA-5770-1 expat - security update`, then `{CVE-…}` and
//! `[bookworm] - expat 2.5.0-1+deb12u1`) is more precise than that fallback: for each CVE it
//! lists, its release lines replace inferred entries (never an explicit `[release]` line of the
//! CVE list), and its id is added to the advisory's `related` ids. CVEs that the CVE list does
//! not have get an advisory from the announcement alone.
//!
//! Use either the text lists or the tracker JSON for a database, not both: they describe the
//! same issues, and the store would combine their affected entries under one advisory id.
//!
//! Advisories have the same shape as those from [the tracker JSON](super::debian):
//! id `DEBIAN-<CVE>`, the CVE as an alias, one affected entry per (source package, release),
//! ecosystem `Debian:<version>` (see [`release_of_codename`]).

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::json;

use super::debian::release_of_codename;
use super::{ImportReport, Imported};
use crate::error::ImportError;
use crate::model::{
    is_cve, Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Reference, Status,
};

/// The releases an unqualified (unstable) line is applied to when an entry does not name
/// them: the releases with security support or LTS in 2024–2026.
pub const DEFAULT_FALLBACK_RELEASES: &[&str] = &["buster", "bullseye", "bookworm", "trixie"];

/// The largest list accepted, in bytes (the full `data/CVE/list` is about 50 MB).
pub const MAX_LIST_BYTES: u64 = 1 << 30;

/// The state a package line gives.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Fixed(String),
    Status(Status),
    Skip,
}

/// One parsed package line.
#[derive(Clone, Debug)]
struct Line {
    state: State,
    urgency: Option<String>,
    bug: Option<u64>,
    note: Option<String>,
    tag: Option<String>,
}

#[derive(Debug, Default)]
struct Entry {
    description: Option<String>,
    related: Vec<String>,
    /// package → (unstable line, release → line)
    packages: BTreeMap<String, PackageLines>,
}

#[derive(Debug, Default)]
struct PackageLines {
    unstable: Option<Line>,
    releases: BTreeMap<String, Line>,
    /// release → (line, announcement id) from DSA/DLA lists
    announced: BTreeMap<String, (Line, String)>,
}

/// An announcement being read: id, CVEs, (release, package, line).
type Announcement = (String, Vec<String>, Vec<(String, String, Line)>);

/// Collects `data/CVE/list` and `data/DSA/list` / `data/DLA/list` text into one import.
#[derive(Debug)]
pub struct DebianTextImporter {
    entries: BTreeMap<String, Entry>,
    report: ImportReport,
    fallback_releases: Vec<String>,
}

/// Parses a package line after the optional `[release]` prefix: `- pkg rest`.
fn parse_package_line(s: &str) -> Result<(String, Line), String> {
    let s = s
        .strip_prefix('-')
        .ok_or_else(|| format!("expected `- package ...`, found {s:?}"))?
        .trim();
    let (pkg, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    if pkg.is_empty() {
        return Err("empty package name".into());
    }
    let rest = rest.trim();
    let (head, note) = match rest.find('(') {
        Some(i) => (
            rest[..i].trim(),
            Some(rest[i + 1..].trim_end().trim_end_matches(')').trim()),
        ),
        None => (rest, None),
    };
    let mut tag = None;
    let state = if let Some(t) = head.strip_prefix('<') {
        let t = t
            .split_once('>')
            .map(|(t, _)| t)
            .ok_or_else(|| format!("unterminated tag in {rest:?}"))?;
        tag = Some(t.to_owned());
        match t {
            "not-affected" => State::Status(Status::NotAffected),
            "unfixed" | "postponed" => State::Status(Status::NotFixedYet),
            "no-dsa" | "ignored" => State::Status(Status::WillNotFix),
            "end-of-life" => State::Status(Status::EndOfLife),
            "undetermined" => State::Status(Status::Unknown),
            "removed" | "itp" => State::Skip,
            other => return Err(format!("unknown tag <{other}>")),
        }
    } else {
        let version = head.split_whitespace().next().unwrap_or_default();
        if version.is_empty() {
            return Err(format!("package {pkg}: no version or <tag>"));
        }
        State::Fixed(version.to_owned())
    };
    let mut urgency = None;
    let mut bug = None;
    let mut other = Vec::new();
    for part in note.unwrap_or_default().split(';').map(str::trim) {
        match part {
            "" => {}
            "unimportant" | "low" | "medium" | "high" => urgency = Some(part.to_owned()),
            p if p.starts_with("bug #") => {
                bug = p["bug #".len()..].trim().parse().ok();
            }
            p => other.push(p),
        }
    }
    let note = (!other.is_empty()).then(|| other.join("; "));
    Ok((
        pkg.to_owned(),
        Line {
            state,
            urgency,
            bug,
            note,
            tag,
        },
    ))
}

/// Splits `[release] - pkg …` into the release and the rest; `- pkg …` has no release.
fn split_release(s: &str) -> Result<(Option<&str>, &str), String> {
    match s.strip_prefix('[') {
        Some(r) => {
            let (rel, rest) = r
                .split_once(']')
                .ok_or_else(|| format!("unterminated release in {s:?}"))?;
            Ok((Some(rel.trim()), rest.trim()))
        }
        None => Ok((None, s)),
    }
}

/// Whether `id` can head a CVE list entry: a CVE id or a tracker `TEMP-…` id.
fn is_entry_id(id: &str) -> bool {
    is_cve(id) || (id.starts_with("TEMP-") && !id.contains(char::is_whitespace))
}

impl DebianTextImporter {
    /// Starts an import for the source named `feed`, with [`DEFAULT_FALLBACK_RELEASES`].
    pub fn new(feed: &str) -> Self {
        Self {
            entries: BTreeMap::new(),
            report: ImportReport::new(feed),
            fallback_releases: DEFAULT_FALLBACK_RELEASES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// Sets the codenames the unstable line is applied to when an entry does not name them.
    pub fn fallback_releases(mut self, codenames: &[&str]) -> Self {
        self.fallback_releases = codenames.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Records and skipped counts so far.
    pub(crate) fn report_counts(&self) -> (usize, usize) {
        (self.report.records, self.report.skipped)
    }

    /// Adds a `data/CVE/list` document. Entries with a malformed line are skipped and counted.
    pub fn add_cve_list(&mut self, text: &str) {
        let mut current: Option<(String, Entry, Option<String>)> = None;
        let mut lineno = 0usize;
        for line in text.lines() {
            lineno += 1;
            if line.trim().is_empty() {
                continue;
            }
            if !line.starts_with(char::is_whitespace) {
                self.finish_entry(current.take());
                let (id, rest) = line.split_once(' ').unwrap_or((line, ""));
                let id = id.trim();
                let mut entry = Entry::default();
                let rest = rest.trim();
                let desc = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .or_else(|| rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
                    .unwrap_or(rest)
                    .trim();
                if !desc.is_empty() {
                    entry.description = Some(desc.to_owned());
                }
                let error = (!is_entry_id(id)).then(|| format!("line {lineno}: not a CVE id"));
                current = Some((id.to_owned(), entry, error));
                continue;
            }
            let Some((_, entry, error)) = current.as_mut() else {
                self.report.skip(
                    format!("line {lineno}"),
                    "indented line before the first entry",
                );
                continue;
            };
            if error.is_some() {
                continue;
            }
            let body = line.trim();
            if let Some(ids) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
                entry
                    .related
                    .extend(ids.split_whitespace().map(str::to_owned));
                continue;
            }
            if !(body.starts_with('-') || body.starts_with('[')) {
                // NOTE:, TODO:, RESERVED, REJECTED, NOT-FOR-US:, …
                continue;
            }
            let parsed = split_release(body)
                .and_then(|(rel, rest)| parse_package_line(rest).map(|(p, l)| (rel, p, l)));
            match parsed {
                Ok((rel, pkg, l)) => {
                    let lines = entry.packages.entry(pkg).or_default();
                    match rel {
                        None | Some("sid") => lines.unstable = Some(l),
                        Some(r) => {
                            lines.releases.insert(r.to_owned(), l);
                        }
                    }
                }
                Err(e) => *error = Some(format!("line {lineno}: {e}")),
            }
        }
        self.finish_entry(current.take());
    }

    fn finish_entry(&mut self, entry: Option<(String, Entry, Option<String>)>) {
        let Some((id, entry, error)) = entry else {
            return;
        };
        if let Some(e) = error {
            self.report.skip(id, e);
            return;
        }
        if entry.packages.is_empty() {
            // RESERVED, REJECTED, NOT-FOR-US: nothing in Debian.
            return;
        }
        self.report.records += 1;
        let slot = self.entries.entry(id).or_default();
        slot.description = slot.description.take().or(entry.description);
        for r in entry.related {
            if !slot.related.contains(&r) {
                slot.related.push(r);
            }
        }
        for (pkg, lines) in entry.packages {
            let dst = slot.packages.entry(pkg).or_default();
            if lines.unstable.is_some() {
                dst.unstable = lines.unstable;
            }
            dst.releases.extend(lines.releases);
        }
    }

    /// Adds a `data/DSA/list` or `data/DLA/list` document.
    pub fn add_announcement_list(&mut self, text: &str) {
        let mut current: Option<Announcement> = None;
        let mut bad: Option<String> = None;
        let mut lineno = 0usize;
        for line in text.lines() {
            lineno += 1;
            if line.trim().is_empty() {
                continue;
            }
            if !line.starts_with(char::is_whitespace) {
                self.finish_announcement(current.take(), bad.take());
                // [17 Sep 2024] DSA-5770-1 expat - security update
                let id = line
                    .split_once(']')
                    .map(|(_, rest)| rest.split_whitespace().next().unwrap_or_default())
                    .unwrap_or_default();
                if id.is_empty() || id.contains('[') {
                    self.report
                        .skip(format!("line {lineno}"), "not a `[date] ID package` line");
                    bad = Some(String::new());
                    current = Some((format!("line {lineno}"), vec![], vec![]));
                } else {
                    current = Some((id.to_owned(), vec![], vec![]));
                }
                continue;
            }
            let Some((_, cves, lines)) = current.as_mut() else {
                self.report.skip(
                    format!("line {lineno}"),
                    "indented line before the first entry",
                );
                continue;
            };
            let body = line.trim();
            if let Some(ids) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
                cves.extend(ids.split_whitespace().map(str::to_owned));
                continue;
            }
            if !body.starts_with('[') {
                continue;
            }
            let parsed = split_release(body).and_then(|(rel, rest)| {
                parse_package_line(rest).map(|(p, l)| (rel.unwrap_or("sid").to_owned(), p, l))
            });
            match parsed {
                Ok(t) => lines.push(t),
                Err(e) => bad = Some(format!("line {lineno}: {e}")),
            }
        }
        self.finish_announcement(current.take(), bad.take());
    }

    fn finish_announcement(&mut self, entry: Option<Announcement>, bad: Option<String>) {
        let Some((id, cves, lines)) = entry else {
            return;
        };
        match bad {
            Some(e) if e.is_empty() => return, // already counted
            Some(e) => {
                self.report.skip(id, e);
                return;
            }
            None => {}
        }
        self.report.records += 1;
        for cve in cves.iter().filter(|c| is_entry_id(c)) {
            let slot = self.entries.entry(cve.clone()).or_default();
            if !slot.related.contains(&id) {
                slot.related.push(id.clone());
            }
            for (rel, pkg, line) in &lines {
                slot.packages
                    .entry(pkg.clone())
                    .or_default()
                    .announced
                    .insert(rel.clone(), (line.clone(), id.clone()));
            }
        }
    }

    /// Ends the import: one advisory per CVE (or `TEMP-…`) id.
    pub fn finish(self) -> Imported<Advisory> {
        let mut report = self.report;
        let feed = report.source.clone();
        let mut items = Vec::new();
        for (id, entry) in self.entries {
            match build(&feed, &id, entry, &self.fallback_releases) {
                Ok(Some(a)) => items.push(a),
                Ok(None) => {}
                Err(e) => report.skip(id, e),
            }
        }
        Imported { items, report }
    }
}

fn build(
    feed: &str,
    id: &str,
    entry: Entry,
    fallback: &[String],
) -> Result<Option<Advisory>, String> {
    let adv_id = AdvisoryId::new(format!("DEBIAN-{id}")).map_err(|e| e.to_string())?;
    let mut affected = Vec::new();
    for (pkg, lines) in entry.packages {
        let mut per_release: BTreeMap<String, (Line, Option<&str>)> = BTreeMap::new();
        if let Some(l) = &lines.unstable {
            per_release.insert("sid".into(), (l.clone(), None));
            for rel in fallback {
                per_release.insert(rel.clone(), (l.clone(), Some("unstable")));
            }
        }
        for (rel, (l, _)) in &lines.announced {
            per_release.insert(rel.clone(), (l.clone(), None));
        }
        for (rel, l) in &lines.releases {
            per_release.insert(rel.clone(), (l.clone(), None));
        }
        for (codename, (line, inferred)) in per_release {
            let ecosystem = Ecosystem::with_release("Debian", release_of_codename(&codename))
                .map_err(|e| format!("release {codename:?}: {e}"))?;
            let (status, events) = match &line.state {
                State::Skip => continue,
                State::Fixed(v) => (
                    Status::Fixed,
                    vec![Event::Introduced("0".into()), Event::Fixed(v.clone())],
                ),
                State::Status(s @ (Status::NotAffected | Status::Unknown)) => (*s, vec![]),
                State::Status(s) => (*s, vec![Event::Introduced("0".into())]),
            };
            let mut specific = json!({ "codename": codename });
            if let Some(t) = &line.tag {
                specific["tag"] = json!(t);
            }
            if let Some(n) = &line.note {
                specific["note"] = json!(n);
            }
            if let Some(from) = inferred {
                specific["inferred_from"] = json!(from);
            }
            if let Some((_, dsa)) = lines.announced.get(&codename) {
                if !lines.releases.contains_key(&codename) {
                    specific["announcement"] = json!(dsa);
                }
            }
            affected.push(Affected {
                ecosystem,
                package: pkg.clone(),
                purl: None,
                ranges: if events.is_empty() {
                    vec![]
                } else {
                    vec![Range {
                        kind: RangeKind::Ecosystem,
                        repo: None,
                        events,
                    }]
                },
                versions: vec![],
                status,
                severities: vec![],
                vendor_severity: line.urgency.clone(),
                ecosystem_specific: Some(specific),
                database_specific: line.bug.map(|b| json!({ "debianbug": b })),
            });
        }
    }
    if affected.is_empty() {
        return Ok(None);
    }
    Ok(Some(Advisory {
        id: adv_id,
        aliases: if is_cve(id) {
            vec![id.to_owned()]
        } else {
            vec![]
        },
        related: entry.related,
        summary: None,
        details: entry.description,
        severities: vec![],
        affected,
        references: vec![Reference {
            kind: "ADVISORY".into(),
            url: format!("https://security-tracker.debian.org/tracker/{id}"),
        }],
        published: None,
        modified: None,
        withdrawn: None,
        source: feed.to_owned(),
    }))
}

fn read_text(feed: &str, reader: impl Read) -> Result<String, ImportError> {
    let bytes = super::read_capped(reader, MAX_LIST_BYTES)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    String::from_utf8(bytes)
        .map_err(|e| ImportError::parse(feed, "input", "Debian tracker list", e))
}

/// Imports one `data/CVE/list` document.
///
/// Input that is not UTF-8 fails the feed; so does input in which no line is a CVE entry
/// header (it is some other document). A malformed entry is skipped.
pub fn import_cve_list(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let text = read_text(feed, reader)?;
    let first = text.lines().find(|l| !l.trim().is_empty());
    if let Some(first) = first {
        if !is_entry_id(first.split_whitespace().next().unwrap_or_default()) {
            return Err(ImportError::parse(
                feed,
                "input",
                "Debian data/CVE/list",
                format!("the first line does not start with a CVE id: {first:.60?}"),
            ));
        }
    }
    let mut imp = DebianTextImporter::new(feed);
    imp.add_cve_list(&text);
    Ok(imp.finish())
}

/// Imports one `data/DSA/list` or `data/DLA/list` document on its own.
pub fn import_announcement_list(
    feed: &str,
    reader: impl Read,
) -> Result<Imported<Advisory>, ImportError> {
    let text = read_text(feed, reader)?;
    if let Some(first) = text.lines().find(|l| !l.trim().is_empty()) {
        if !first.starts_with('[') {
            return Err(ImportError::parse(
                feed,
                "input",
                "Debian data/DSA/list",
                format!("the first line is not `[date] ID package …`: {first:.60?}"),
            ));
        }
    }
    let mut imp = DebianTextImporter::new(feed);
    imp.add_announcement_list(&text);
    Ok(imp.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_lines() {
        let (p, l) = parse_package_line("- apt <unfixed> (unimportant; bug #642480)").unwrap();
        assert_eq!(p, "apt");
        assert_eq!(l.state, State::Status(Status::NotFixedYet));
        assert_eq!(l.urgency.as_deref(), Some("unimportant"));
        assert_eq!(l.bug, Some(642480));
        let (_, l) = parse_package_line("- openssh 1:9.7p1-7").unwrap();
        assert_eq!(l.state, State::Fixed("1:9.7p1-7".into()));
        let (_, l) = parse_package_line("- zlib <no-dsa> (Minor issue)").unwrap();
        assert_eq!(l.state, State::Status(Status::WillNotFix));
        assert_eq!(l.note.as_deref(), Some("Minor issue"));
        assert!(parse_package_line("- foo <bogus>").is_err());
        assert!(parse_package_line("- foo").is_err());
        assert!(parse_package_line("foo 1.0").is_err());
    }
}
