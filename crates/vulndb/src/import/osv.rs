//! OSV records: single JSON documents, directories of records, the per-ecosystem `all.zip`
//! exports, and OSV written as YAML (the PyPA advisory database).
//!
//! A record's `ranges` keep OSV's event semantics (see [`crate::Event`]). An affected entry
//! without a `package` (git-only) is dropped, since nothing can look it up by package. A
//! severity whose CVSS vector does not parse is kept without a score rather than dropping the
//! advisory: losing the advisory would hide a vulnerability. The [`Status`] of an OSV affected
//! entry is `Fixed` when any range has a `fixed` event, else `NotFixedYet`.

use std::fs;
use std::io::{Read, Seek};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{non_empty, null_default, read_capped, ImportReport, Imported};
use crate::error::ImportError;
use crate::model::{
    Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Reference, Severity,
    SeverityKind, Status,
};
use crate::score::cvss_severity;

/// The largest OSV record file or zip entry read (16 MiB); larger ones are skipped.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// An OSV record as published (schema 1.x).
#[derive(Debug, Deserialize)]
pub struct RawOsv {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    related: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_default")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "null_default")]
    references: Vec<RawReference>,
}

#[derive(Debug, Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default, deserialize_with = "null_default")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_default")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "null_default")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repo: Option<String>,
    events: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

impl TryFrom<RawEvent> for Event {
    type Error = String;
    fn try_from(e: RawEvent) -> Result<Event, String> {
        match (e.introduced, e.fixed, e.last_affected, e.limit) {
            (Some(v), None, None, None) => Ok(Event::Introduced(v)),
            (None, Some(v), None, None) => Ok(Event::Fixed(v)),
            (None, None, Some(v), None) => Ok(Event::LastAffected(v)),
            (None, None, None, Some(v)) => Ok(Event::Limit(v)),
            _ => Err(
                "a range event must have exactly one of introduced, fixed, last_affected, limit"
                    .into(),
            ),
        }
    }
}

impl TryFrom<RawRange> for Range {
    type Error = String;
    fn try_from(r: RawRange) -> Result<Range, String> {
        let kind = match r.kind.as_str() {
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "SEMVER" => RangeKind::Semver,
            "GIT" => RangeKind::Git,
            other => return Err(format!("unknown range type {other:?}")),
        };
        if kind == RangeKind::Git && r.repo.is_none() {
            return Err("a GIT range needs a repo".into());
        }
        if r.events.is_empty() {
            return Err("a range needs at least one event".into());
        }
        let events = r
            .events
            .into_iter()
            .map(Event::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        if events.iter().any(|e| match e {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
                v.trim().is_empty()
            }
        }) {
            return Err("a range event has an empty version".into());
        }
        Ok(Range {
            kind,
            repo: r.repo,
            events,
        })
    }
}

fn severity(raw: RawSeverity) -> Severity {
    let kind = match raw.kind.as_str() {
        "CVSS_V2" => SeverityKind::CvssV2,
        "CVSS_V3" => SeverityKind::CvssV3,
        "CVSS_V4" => SeverityKind::CvssV4,
        other => SeverityKind::Vendor(other.to_ascii_lowercase()),
    };
    match kind {
        SeverityKind::Vendor(_) => Severity {
            rating: crate::model::Rating::from_label(&raw.score),
            kind,
            vector_or_label: raw.score,
            score: None,
            source: None,
        },
        _ => cvss_severity(&raw.score).unwrap_or(Severity {
            kind,
            vector_or_label: raw.score,
            score: None,
            rating: None,
            source: None,
        }),
    }
}

impl TryFrom<RawAffected> for Option<Affected> {
    type Error = String;
    fn try_from(a: RawAffected) -> Result<Option<Affected>, String> {
        let Some(pkg) = a.package else {
            return Ok(None);
        };
        let ecosystem = Ecosystem::new(pkg.ecosystem).map_err(|e| e.to_string())?;
        if pkg.name.trim().is_empty() {
            return Err("affected package has an empty name".into());
        }
        let ranges = a
            .ranges
            .into_iter()
            .map(Range::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let status = if ranges
            .iter()
            .flat_map(|r| &r.events)
            .any(|e| matches!(e, Event::Fixed(_)))
        {
            Status::Fixed
        } else {
            Status::NotFixedYet
        };
        Ok(Some(Affected {
            ecosystem,
            package: pkg.name,
            purl: pkg.purl,
            ranges,
            versions: a.versions,
            status,
            severities: a.severity.into_iter().map(severity).collect(),
            vendor_severity: None,
            ecosystem_specific: a.ecosystem_specific,
            database_specific: a.database_specific,
        }))
    }
}

impl TryFrom<RawOsv> for Advisory {
    type Error = String;
    /// Converts and validates one record. `source` is left empty for the caller to set.
    fn try_from(r: RawOsv) -> Result<Advisory, String> {
        let id = AdvisoryId::new(r.id).map_err(|e| e.to_string())?;
        let mut affected = Vec::with_capacity(r.affected.len());
        for a in r.affected {
            if let Some(a) = Option::<Affected>::try_from(a)? {
                affected.push(a);
            }
        }
        Ok(Advisory {
            id,
            aliases: r.aliases,
            related: r.related,
            summary: non_empty(r.summary),
            details: non_empty(r.details),
            severities: r.severity.into_iter().map(severity).collect(),
            affected,
            references: r
                .references
                .into_iter()
                .map(|r| Reference {
                    kind: r.kind,
                    url: r.url,
                })
                .collect(),
            published: r.published,
            modified: r.modified,
            withdrawn: r.withdrawn,
            source: String::new(),
        })
    }
}

/// Collects OSV records from any container (files, zip or tar entries) into one import.
///
/// Each `add_*` call is one file or entry; problems with it are recorded, never returned.
#[derive(Debug)]
pub struct OsvImporter {
    advisories: Vec<Advisory>,
    report: ImportReport,
}

impl OsvImporter {
    /// Starts an import for the source named `feed`.
    pub fn new(feed: &str) -> Self {
        Self {
            advisories: Vec::new(),
            report: ImportReport::new(feed),
        }
    }

    /// Adds one parsed document: a record object or an array of records.
    pub fn add_value(&mut self, name: &str, value: Value) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    self.add_record(&format!("{name}[{i}]"), item);
                }
            }
            other => self.add_record(name, other),
        }
    }

    /// Adds one JSON file or entry; a syntax error skips it.
    pub fn add_json(&mut self, name: &str, bytes: &[u8]) {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => self.add_value(name, v),
            Err(e) => self.report.skip(name, format!("not valid JSON: {e}")),
        }
    }

    /// Adds one YAML file or entry; a syntax error skips it.
    pub fn add_yaml(&mut self, name: &str, bytes: &[u8]) {
        match serde_yaml_ng::from_slice::<Value>(bytes) {
            Ok(v) => self.add_value(name, v),
            Err(e) => self.report.skip(name, format!("not valid YAML: {e}")),
        }
    }

    fn add_record(&mut self, name: &str, value: Value) {
        let label = match value.get("id").and_then(Value::as_str) {
            Some(id) => format!("{name} ({id})"),
            None => name.to_owned(),
        };
        let converted = serde_json::from_value::<RawOsv>(value)
            .map_err(|e| e.to_string())
            .and_then(Advisory::try_from);
        match converted {
            Ok(mut a) => {
                a.source = self.report.source.clone();
                self.report.records += 1;
                self.advisories.push(a);
            }
            Err(e) => self.report.skip(label, e),
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

fn read_all(feed: &str, what: &str, reader: impl Read) -> Result<Vec<u8>, ImportError> {
    read_capped(reader, MAX_RECORD_BYTES).map_err(|e| ImportError::io(feed, what, e))
}

/// Imports one OSV JSON document (a record or an array of records).
///
/// A document that is not JSON fails the whole feed; a record with the wrong shape is skipped.
pub fn import_json(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let bytes = read_all(feed, "input", reader)?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "OSV JSON", e))?;
    let mut imp = OsvImporter::new(feed);
    imp.add_value("input", value);
    Ok(imp.finish())
}

/// Imports one OSV record written in YAML (as the PyPA advisory database does).
pub fn import_yaml(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let bytes = read_all(feed, "input", reader)?;
    let value: Value = serde_yaml_ng::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "OSV YAML", e))?;
    let mut imp = OsvImporter::new(feed);
    imp.add_value("input", value);
    Ok(imp.finish())
}

/// Imports every `*.json`, `*.yaml` and `*.yml` file under `dir`, recursively, in path order.
///
/// A file that does not parse is one skipped record; an unreadable directory fails the feed.
pub fn import_dir(feed: &str, dir: &Path) -> Result<Imported<Advisory>, ImportError> {
    let mut imp = OsvImporter::new(feed);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let what = e.path().unwrap_or(dir).display().to_string();
            ImportError::io(feed, &what, e.into())
        })?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    for path in files {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(ext, "json" | "yaml" | "yml") {
            continue;
        }
        let bytes = match fs::File::open(&path).and_then(|f| read_capped(f, MAX_RECORD_BYTES)) {
            Ok(b) => b,
            Err(e) => {
                imp.report.skip(name, e);
                continue;
            }
        };
        if ext == "json" {
            imp.add_json(&name, &bytes);
        } else {
            imp.add_yaml(&name, &bytes);
        }
    }
    Ok(imp.finish())
}

/// Imports an OSV `all.zip` export: one JSON record per entry, read one entry at a time.
///
/// Entries larger than [`MAX_RECORD_BYTES`] (declared or actual) and corrupt entries are
/// skipped; an archive whose directory cannot be read (truncated, not a zip) fails the feed.
pub fn import_zip(feed: &str, reader: impl Read + Seek) -> Result<Imported<Advisory>, ImportError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|err| ImportError::Zip {
        feed: feed.to_owned(),
        what: "archive".to_owned(),
        err,
    })?;
    let mut imp = OsvImporter::new(feed);
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                imp.report.skip(format!("entry #{i}"), e);
                continue;
            }
        };
        let name = entry.name().to_owned();
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        if entry.size() > MAX_RECORD_BYTES {
            imp.report.skip(
                name,
                format!("entry of {} bytes is over the limit", entry.size()),
            );
            continue;
        }
        match read_capped(&mut entry, MAX_RECORD_BYTES) {
            Ok(bytes) => imp.add_json(&name, &bytes),
            Err(e) => imp.report.skip(name, e),
        }
    }
    Ok(imp.finish())
}
