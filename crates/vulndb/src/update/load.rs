//! Loads feed files into a [`Builder`]: kind detection, gzip, `.tar.gz` archives and
//! directories walked entry by entry, and copying an old database's sources forward.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Seek};
use std::path::Path;

use serde_json::Value;

use super::SourceKind;
use crate::error::{ImportError, StoreError};
use crate::import::debian_text::DebianTextImporter;
use crate::import::epss::{EpssInfo, EpssScore};
use crate::import::kev::KevEntry;
use crate::import::nvd::NvdRecord;
use crate::import::osv::OsvImporter;
use crate::import::rustsec::RustsecImporter;
use crate::import::{alpine, debian, debian_text, epss, kev, nvd, osv, ImportReport, Imported};
use crate::model::Advisory;
use crate::store::{Builder, SourceMeta};

/// The largest decompressed or buffered document, in bytes.
const MAX_DOCUMENT: u64 = 4 << 30;

/// Why loading one input failed.
#[derive(Debug)]
pub(crate) enum LoadError {
    Import(ImportError),
    Store(StoreError),
}

impl From<ImportError> for LoadError {
    fn from(e: ImportError) -> Self {
        LoadError::Import(e)
    }
}
impl From<StoreError> for LoadError {
    fn from(e: StoreError) -> Self {
        LoadError::Store(e)
    }
}

/// One feed's content, converted.
enum Loaded {
    Advisories(Imported<Advisory>),
    Kev(Imported<KevEntry>),
    Epss(Imported<EpssScore>, EpssInfo),
    Nvd(Imported<NvdRecord>),
}

/// A database being built from several sources.
pub(crate) struct Session {
    pub builder: Builder,
    /// Debian text lists are combined (announcements refine the CVE list) and added at the end.
    debian_text: Option<DebianTextImporter>,
    debian_text_sources: Vec<(SourceMeta, ImportReport)>,
    /// The report of each source loaded so far.
    pub reports: BTreeMap<String, ImportReport>,
    kinds: BTreeSet<SourceKind>,
}

fn gunzip(feed: &str, what: &str, bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    crate::import::read_capped(flate2::read::GzDecoder::new(bytes), MAX_DOCUMENT)
        .map_err(|e| ImportError::io(feed, &format!("{what} (gzip)"), e))
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// Guesses a document's kind from its name and first bytes.
pub(crate) fn sniff(name: &str, head: &[u8]) -> Option<SourceKind> {
    let lower = name.to_ascii_lowercase();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") || lower.ends_with(".zip")
    {
        return Some(SourceKind::OsvZip);
    }
    if lower.ends_with(".md") {
        return Some(SourceKind::Rustsec);
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(1 << 16)]);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') && !first.starts_with("[") {
        if text.contains("\"catalogVersion\"") || text.contains("\"knownRansomwareCampaignUse\"") {
            return Some(SourceKind::Kev);
        }
        if text.contains("\"distroversion\"") {
            return Some(SourceKind::AlpineJson);
        }
        if text.contains("\"resultsPerPage\"") || text.contains("\"NVD_CVE\"") {
            return Some(SourceKind::Nvd);
        }
        if text.contains("\"affected\"") || text.contains("\"schema_version\"") {
            return Some(SourceKind::Osv);
        }
        if text.contains("\"releases\"") {
            return Some(SourceKind::DebianJson);
        }
        return Some(SourceKind::Osv);
    }
    if first.starts_with("CVE-") || first.starts_with("TEMP-") {
        return Some(SourceKind::DebianCveList);
    }
    if first.starts_with('[') && (first.contains(" DSA-") || first.contains(" DLA-")) {
        return Some(SourceKind::DebianDsaList);
    }
    if first.starts_with("#model_version") || first.starts_with("cve,epss") {
        return Some(SourceKind::Epss);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || first.contains(':') {
        if text.contains("distroversion:") {
            return Some(SourceKind::AlpineYaml);
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Some(SourceKind::Osv);
        }
    }
    if lower.ends_with(".csv") {
        return Some(SourceKind::Epss);
    }
    None
}

/// The kind of a parsed JSON or YAML value, for archive entries.
fn kind_of_value(v: &Value) -> Option<SourceKind> {
    let record = |v: &Value| v.get("id").is_some() && v.get("modified").is_some();
    match v {
        Value::Array(items) => items.first().filter(|i| record(i)).map(|_| SourceKind::Osv),
        Value::Object(m) => {
            if record(v) {
                Some(SourceKind::Osv)
            } else if m.contains_key("distroversion") && m.contains_key("packages") {
                Some(SourceKind::AlpineJson)
            } else if m.contains_key("catalogVersion") {
                Some(SourceKind::Kev)
            } else if m.contains_key("vulnerabilities") && m.contains_key("resultsPerPage") {
                Some(SourceKind::Nvd)
            } else {
                None
            }
        }
        _ => None,
    }
}

impl Session {
    pub fn new(builder: Builder) -> Session {
        Session {
            builder,
            debian_text: None,
            debian_text_sources: Vec::new(),
            reports: BTreeMap::new(),
            kinds: BTreeSet::new(),
        }
    }

    /// The kinds loaded so far.
    pub fn kinds(&self) -> BTreeSet<SourceKind> {
        self.kinds.clone()
    }

    fn note_kind(&mut self, meta: &SourceMeta, kind: SourceKind) -> Result<(), StoreError> {
        self.kinds.insert(kind);
        self.builder
            .set_meta(&format!("source.{}.kind", meta.name), kind.as_str())
    }

    /// Adds a loaded feed; `kind` is recorded in `meta` as `source.<name>.kind` when known.
    fn add(
        &mut self,
        meta: &SourceMeta,
        kind: impl Into<Option<SourceKind>>,
        loaded: Loaded,
    ) -> Result<(), StoreError> {
        if let Some(kind) = kind.into() {
            self.note_kind(meta, kind)?;
        }
        let report = match loaded {
            Loaded::Advisories(i) => {
                self.builder.add_advisories(meta, &i)?;
                i.report
            }
            Loaded::Kev(i) => {
                self.builder.add_kev(meta, &i)?;
                i.report
            }
            Loaded::Epss(i, info) => {
                self.builder.add_epss(meta, &i, &info)?;
                i.report
            }
            Loaded::Nvd(i) => {
                self.builder.add_nvd(meta, &i)?;
                i.report
            }
        };
        self.reports
            .entry(meta.name.clone())
            .or_insert_with(|| ImportReport::new(&meta.name))
            .absorb(report);
        Ok(())
    }

    fn debian_text(&mut self, meta: &SourceMeta, kind: SourceKind, text: &str) {
        self.kinds.insert(kind);
        let imp = self
            .debian_text
            .get_or_insert_with(|| DebianTextImporter::new(&meta.name));
        let before = imp.report_counts();
        if kind == SourceKind::DebianCveList {
            imp.add_cve_list(text);
        } else {
            imp.add_announcement_list(text);
        }
        let after = imp.report_counts();
        let mut report = ImportReport::new(&meta.name);
        report.records = after.0 - before.0;
        report.skipped = after.1 - before.1;
        self.reports
            .entry(meta.name.clone())
            .or_insert_with(|| ImportReport::new(&meta.name))
            .absorb(report.clone());
        match self
            .debian_text_sources
            .iter_mut()
            .find(|(m, _)| m.name == meta.name)
        {
            Some((_, r)) => r.absorb(report),
            None => self.debian_text_sources.push((meta.clone(), report)),
        }
    }

    /// Adds the combined Debian text lists and returns the builder.
    pub fn finish(mut self) -> Result<(Builder, BTreeMap<String, ImportReport>), StoreError> {
        if let Some(imp) = self.debian_text.take() {
            let all = imp.finish();
            let sources = std::mem::take(&mut self.debian_text_sources);
            for (i, (meta, report)) in sources.into_iter().enumerate() {
                self.note_kind(&meta, SourceKind::DebianCveList)?;
                let items = if i == 0 { all.items.clone() } else { vec![] };
                self.builder
                    .add_advisories(&meta, &Imported { items, report })?;
            }
        }
        Ok((self.builder, self.reports))
    }

    /// Loads one local file (or directory) as `kind`, or detects the kind.
    pub fn load_path(
        &mut self,
        meta: &SourceMeta,
        kind: Option<SourceKind>,
        path: &Path,
    ) -> Result<(), LoadError> {
        let feed = meta.name.as_str();
        let what = path.display().to_string();
        if path.is_dir() {
            return self.load_dir(meta, kind, path);
        }
        let mut file = fs::File::open(path).map_err(|e| ImportError::io(feed, &what, e))?;
        let mut head = vec![0u8; 1 << 16];
        let n = read_up_to(&mut file, &mut head).map_err(|e| ImportError::io(feed, &what, e))?;
        head.truncate(n);
        file.rewind().map_err(|e| ImportError::io(feed, &what, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if kind == Some(SourceKind::OsvZip)
            || (kind.is_none() && sniff(&name, &head) == Some(SourceKind::OsvZip))
        {
            let imported = osv::import_zip(feed, std::io::BufReader::new(file))?;
            self.add(meta, SourceKind::OsvZip, Loaded::Advisories(imported))?;
            return Ok(());
        }
        let bytes = crate::import::read_capped(file, MAX_DOCUMENT)
            .map_err(|e| ImportError::io(feed, &what, e))?;
        self.load_bytes(meta, kind, &name, bytes)
    }

    /// Loads one document held in memory; gzip and tar are unwrapped first.
    pub fn load_bytes(
        &mut self,
        meta: &SourceMeta,
        kind: Option<SourceKind>,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(), LoadError> {
        let feed = meta.name.as_str();
        let (name, bytes) = if is_gzip(&bytes) {
            let inner = gunzip(feed, name, &bytes)?;
            let stripped = name
                .strip_suffix(".gz")
                .or_else(|| name.strip_suffix(".tgz"))
                .unwrap_or(name)
                .to_owned();
            (stripped, inner)
        } else {
            (name.to_owned(), bytes)
        };
        if is_tar(&bytes) {
            return self.load_tar(meta, kind, &name, &bytes);
        }
        let kind = match kind.or_else(|| sniff(&name, &bytes)) {
            Some(k) => k,
            None => {
                return Err(ImportError::parse(
                    feed,
                    &name,
                    "feed",
                    "cannot tell which feed format this is; give it with --kind",
                )
                .into())
            }
        };
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        let loaded = match kind {
            SourceKind::OsvZip => {
                osv::import_zip(feed, std::io::Cursor::new(&bytes)).map(Loaded::Advisories)?
            }
            SourceKind::Osv if yaml => Loaded::Advisories(osv::import_yaml(feed, &bytes[..])?),
            SourceKind::Osv => Loaded::Advisories(osv::import_json(feed, &bytes[..])?),
            SourceKind::Rustsec => {
                Loaded::Advisories(crate::import::rustsec::import_file(feed, &bytes[..])?)
            }
            SourceKind::DebianJson => Loaded::Advisories(debian::import(feed, &bytes[..])?),
            SourceKind::DebianCveList | SourceKind::DebianDsaList => {
                // Validate the whole document first, so a non-list fails the source.
                let text = String::from_utf8(bytes)
                    .map_err(|e| ImportError::parse(feed, &name, "Debian tracker list", e))?;
                if kind == SourceKind::DebianCveList {
                    debian_text::import_cve_list(feed, text.as_bytes())?;
                } else {
                    debian_text::import_announcement_list(feed, text.as_bytes())?;
                }
                self.debian_text(meta, kind, &text);
                return Ok(());
            }
            SourceKind::AlpineJson if yaml => {
                Loaded::Advisories(alpine::import_yaml(feed, &bytes[..])?)
            }
            SourceKind::AlpineJson => Loaded::Advisories(alpine::import_json(feed, &bytes[..])?),
            SourceKind::AlpineYaml => Loaded::Advisories(alpine::import_yaml(feed, &bytes[..])?),
            SourceKind::Kev => Loaded::Kev(kev::import(feed, &bytes[..])?),
            SourceKind::Epss => {
                let (i, info) = epss::import(feed, &bytes[..])?;
                Loaded::Epss(i, info)
            }
            SourceKind::Nvd => Loaded::Nvd(nvd::import(feed, &bytes[..])?),
        };
        self.add(meta, kind, loaded)?;
        Ok(())
    }

    fn load_dir(
        &mut self,
        meta: &SourceMeta,
        kind: Option<SourceKind>,
        dir: &Path,
    ) -> Result<(), LoadError> {
        let feed = meta.name.as_str();
        let mut walker = Walker::new(feed);
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let what = e.path().unwrap_or(dir).display().to_string();
                ImportError::io(feed, &what, e.into())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !walker.wants(&rel, kind) {
                continue;
            }
            let bytes = fs::File::open(entry.path())
                .and_then(|f| crate::import::read_capped(f, MAX_DOCUMENT))
                .map_err(|e| ImportError::io(feed, &entry.path().display().to_string(), e))?;
            walker.entry(self, meta, kind, &rel, bytes)?;
        }
        walker.finish(self, meta)
    }

    fn load_tar(
        &mut self,
        meta: &SourceMeta,
        kind: Option<SourceKind>,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), LoadError> {
        let feed = meta.name.as_str();
        let mut walker = Walker::new(feed);
        let mut archive = tar::Archive::new(bytes);
        let entries = archive
            .entries()
            .map_err(|e| ImportError::io(feed, name, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| ImportError::io(feed, name, e))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .map_err(|e| ImportError::io(feed, name, e))?
                .to_string_lossy()
                .into_owned();
            if !walker.wants(&rel, kind) {
                continue;
            }
            let mut buf = Vec::new();
            (&mut entry)
                .take(MAX_DOCUMENT)
                .read_to_end(&mut buf)
                .map_err(|e| ImportError::io(feed, &format!("{name}: {rel}"), e))?;
            walker.entry(self, meta, kind, &rel, buf)?;
        }
        walker.finish(self, meta)
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Walks the files of a directory or archive, collecting OSV and RustSec records into one
/// importer each and loading whole documents (secdb, KEV, …) as they come.
struct Walker {
    osv: OsvImporter,
    rustsec: RustsecImporter,
    any_osv: bool,
    any_rustsec: bool,
}

impl Walker {
    fn new(feed: &str) -> Walker {
        Walker {
            osv: OsvImporter::new(feed),
            rustsec: RustsecImporter::new(feed),
            any_osv: false,
            any_rustsec: false,
        }
    }

    /// Whether an entry can hold advisory data; others (READMEs, scripts, schemas of other
    /// tools) are passed over without being counted.
    fn wants(&self, rel: &str, kind: Option<SourceKind>) -> bool {
        let file = rel.rsplit('/').next().unwrap_or(rel);
        if file.starts_with('.') || rel.split('/').any(|c| c == ".github" || c == ".git") {
            return false;
        }
        let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        match kind {
            Some(SourceKind::Rustsec) => ext == "md" || ext == "toml",
            _ => {
                matches!(ext, "json" | "yaml" | "yml" | "csv" | "gz")
                    || (ext == "md" && file.starts_with("RUSTSEC-") && !rel.contains("/rust/"))
                    || file == "list"
                    || file.ends_with("_list")
            }
        }
    }

    fn entry(
        &mut self,
        session: &mut Session,
        meta: &SourceMeta,
        kind: Option<SourceKind>,
        rel: &str,
        bytes: Vec<u8>,
    ) -> Result<(), LoadError> {
        let file = rel.rsplit('/').next().unwrap_or(rel);
        let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        if kind == Some(SourceKind::Rustsec) || ext == "md" {
            self.any_rustsec = true;
            self.rustsec.add_file(rel, &bytes);
            return Ok(());
        }
        if ext == "json" || ext == "yaml" || ext == "yml" {
            let value: Result<Value, String> = if ext == "json" {
                serde_json::from_slice(&bytes).map_err(|e| e.to_string())
            } else {
                serde_yaml_ng::from_slice(&bytes).map_err(|e| e.to_string())
            };
            let value = match value {
                Ok(v) => v,
                Err(e) => {
                    if kind == Some(SourceKind::Osv) {
                        self.any_osv = true;
                        self.osv.add_json(rel, &[]); // counts it as skipped
                        let _ = e;
                    }
                    return Ok(());
                }
            };
            match kind.or_else(|| kind_of_value(&value)) {
                Some(SourceKind::Osv) => {
                    self.any_osv = true;
                    self.osv.add_value(rel, value);
                }
                Some(k @ (SourceKind::AlpineJson | SourceKind::AlpineYaml)) => {
                    let imported = if ext == "json" {
                        alpine::import_json(&meta.name, &bytes[..])?
                    } else {
                        alpine::import_yaml(&meta.name, &bytes[..])?
                    };
                    session.add(meta, k, Loaded::Advisories(imported))?;
                }
                Some(k) => session.load_bytes(meta, Some(k), rel, bytes)?,
                None => {}
            }
            return Ok(());
        }
        // Debian lists, EPSS CSVs, gzip files: whole documents.
        match kind.or_else(|| sniff(rel, &bytes)) {
            Some(k) => session.load_bytes(meta, Some(k), rel, bytes),
            None if is_gzip(&bytes) => session.load_bytes(meta, None, rel, bytes),
            None => Ok(()),
        }
    }

    fn finish(self, session: &mut Session, meta: &SourceMeta) -> Result<(), LoadError> {
        if self.any_osv {
            session.add(meta, SourceKind::Osv, Loaded::Advisories(self.osv.finish()))?;
        }
        if self.any_rustsec {
            session.add(
                meta,
                SourceKind::Rustsec,
                Loaded::Advisories(self.rustsec.finish()),
            )?;
        }
        Ok(())
    }
}

/// The kind recorded for a source of an old database, or a guess from its name.
fn old_kind(conn: &rusqlite::Connection, name: &str) -> Option<SourceKind> {
    let recorded: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [format!("source.{name}.kind")],
            |r| r.get(0),
        )
        .ok();
    recorded.as_deref().and_then(SourceKind::parse).or_else(|| {
        if name.contains("kev") {
            Some(SourceKind::Kev)
        } else if name.contains("epss") {
            Some(SourceKind::Epss)
        } else if name.contains("nvd") {
            Some(SourceKind::Nvd)
        } else {
            None
        }
    })
}

/// Copies the sources of the database at `old` into the session, except those named in
/// `replaced`. KEV, EPSS and NVD tables are copied unless a replaced or new source has
/// that kind (`new_kinds`).
pub(crate) fn copy_old(
    session: &mut Session,
    old: &Path,
    replaced: &BTreeSet<String>,
    new_kinds: &BTreeSet<SourceKind>,
) -> Result<(), StoreError> {
    let sql = |doing: &'static str| {
        let path = old.to_owned();
        move |err| StoreError::Sqlite {
            path,
            doing: doing.into(),
            err,
        }
    };
    let corrupt = |id: String| {
        let path = old.to_owned();
        move |err| StoreError::Corrupt { path, id, err }
    };
    // Validates the file as ours first.
    drop(crate::store::Store::open(old)?);
    let conn = rusqlite::Connection::open_with_flags(
        old,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql("opening the old database"))?;
    let mut stmt = conn
        .prepare(
            "SELECT name, url, fetched_at, etag, last_modified, record_count, skipped_count \
             FROM sources ORDER BY name",
        )
        .map_err(sql("reading sources"))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                SourceMeta {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    fetched_at: r.get(2)?,
                    etag: r.get(3)?,
                    last_modified: r.get(4)?,
                },
                r.get::<_, i64>(5)? as usize,
                r.get::<_, i64>(6)? as usize,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(sql("reading sources"))?;
    for (meta, records, skipped) in rows {
        if replaced.contains(&meta.name) {
            continue;
        }
        let kind = old_kind(&conn, &meta.name);
        let mut report = ImportReport::new(&meta.name);
        report.records = records;
        report.skipped = skipped;
        let loaded = match kind {
            Some(SourceKind::Kev) if !new_kinds.contains(&SourceKind::Kev) => {
                let mut s = conn
                    .prepare("SELECT cve, json FROM kev")
                    .map_err(sql("reading KEV"))?;
                let rows = s
                    .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(sql("reading KEV"))?;
                let mut items = Vec::new();
                for (cve, json) in rows {
                    items.push(serde_json::from_str(&json).map_err(corrupt(cve))?);
                }
                Loaded::Kev(Imported { items, report })
            }
            Some(SourceKind::Nvd) if !new_kinds.contains(&SourceKind::Nvd) => {
                let mut s = conn
                    .prepare("SELECT cve, json FROM nvd")
                    .map_err(sql("reading NVD"))?;
                let rows = s
                    .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(sql("reading NVD"))?;
                let mut items = Vec::new();
                for (cve, json) in rows {
                    items.push(serde_json::from_str(&json).map_err(corrupt(cve))?);
                }
                Loaded::Nvd(Imported { items, report })
            }
            Some(SourceKind::Epss) if !new_kinds.contains(&SourceKind::Epss) => {
                let mut s = conn
                    .prepare("SELECT cve, epss, percentile FROM epss")
                    .map_err(sql("reading EPSS"))?;
                let items = s
                    .query_map([], |r| {
                        Ok(EpssScore {
                            cve: r.get(0)?,
                            epss: r.get::<_, f64>(1)? as f32,
                            percentile: r.get::<_, f64>(2)? as f32,
                        })
                    })
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(sql("reading EPSS"))?;
                let meta_value = |k: &str| -> Option<String> {
                    conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                        .ok()
                };
                let info = EpssInfo {
                    model_version: meta_value("epss.model_version"),
                    score_date: meta_value("epss.score_date"),
                };
                Loaded::Epss(Imported { items, report }, info)
            }
            Some(SourceKind::Kev | SourceKind::Nvd | SourceKind::Epss) => continue,
            _ => {
                let mut s = conn
                    .prepare("SELECT id, json FROM advisories WHERE source = ?1")
                    .map_err(sql("reading advisories"))?;
                let rows = s
                    .query_map([&meta.name], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(sql("reading advisories"))?;
                let mut items = Vec::new();
                for (id, json) in rows {
                    items.push(serde_json::from_str(&json).map_err(corrupt(id))?);
                }
                Loaded::Advisories(Imported { items, report })
            }
        };
        session.add(&meta, kind, loaded)?;
    }
    Ok(())
}
