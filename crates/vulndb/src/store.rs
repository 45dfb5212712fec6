//! The advisory store: one SQLite file, readable with `sqlite3`, built once and then only read.
//!
//! Schema version [`SCHEMA_VERSION`] lives in `PRAGMA user_version`, and `PRAGMA
//! application_id` marks the file as ours, so [`Store::open`] can tell "not a database",
//! "someone else's database" and "our database, other version" apart. Tables:
//!
//! | table | key | what |
//! |---|---|---|
//! | `meta` | `key` | `built_at`, `format`, EPSS model/date, … |
//! | `sources` | `name` | url, fetched_at, etag, last_modified, record/skipped counts, built_at |
//! | `advisories` | `id` | source, summary, severity, score, dates, and the full advisory as `json` |
//! | `affected` | (`ecosystem`, `package`) index | one row per affected entry: advisory_id, status, fixed |
//! | `aliases` | (`advisory_id`, `alias`), index on `alias` | |
//! | `kev`, `epss`, `nvd` | `cve` | exploit data and NVD scoring |
//!
//! Packages are stored normalized ([`crate::normalize_package`]), so `Jinja2` finds `jinja2`.
//!
//! Updates never write the live file: [`Store::build_beside`] writes `<final>.tmp-<pid>`, and
//! [`Builder::commit`] fsyncs it and renames it over the final path. Readers that already
//! have the old file open keep reading the old file. An aborted or dropped builder removes its
//! temporary file and leaves the old database untouched.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::import::epss::{EpssInfo, EpssScore};
use crate::import::kev::KevEntry;
use crate::import::nvd::NvdRecord;
use crate::import::Imported;
use crate::model::{Advisory, Ecosystem, Severity};
use crate::normalize::normalize_package;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// `PRAGMA application_id` of shipshape databases ("SHPS").
pub const APPLICATION_ID: i64 = 0x5348_5053;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, url TEXT, fetched_at TEXT, etag TEXT, last_modified TEXT,
    record_count INTEGER NOT NULL, skipped_count INTEGER NOT NULL, built_at TEXT NOT NULL);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, summary TEXT, severity TEXT, score REAL,
    published TEXT, modified TEXT, withdrawn TEXT, json TEXT NOT NULL);
CREATE TABLE affected (
    advisory_id TEXT NOT NULL, ecosystem TEXT NOT NULL, package TEXT NOT NULL,
    status TEXT NOT NULL, fixed TEXT);
CREATE INDEX affected_by_package ON affected (ecosystem, package);
CREATE INDEX affected_by_advisory ON affected (advisory_id);
CREATE TABLE aliases (advisory_id TEXT NOT NULL, alias TEXT NOT NULL,
    PRIMARY KEY (advisory_id, alias)) WITHOUT ROWID;
CREATE INDEX aliases_by_alias ON aliases (alias);
CREATE TABLE kev (cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT,
    known_ransomware INTEGER NOT NULL, vendor_project TEXT, product TEXT, json TEXT NOT NULL);
CREATE TABLE epss (cve TEXT PRIMARY KEY, epss REAL NOT NULL, percentile REAL NOT NULL);
CREATE TABLE nvd (cve TEXT PRIMARY KEY, severity TEXT, score REAL, vector TEXT,
    json TEXT NOT NULL);
";

/// The default database path: `$XDG_CACHE_HOME/shipshape/db/shipshape.db`, falling back to
/// `~/.cache/shipshape/db/shipshape.db` (a relative `XDG_CACHE_HOME` is ignored, as the XDG
/// spec says), and to the system temporary directory when there is no home either.
pub fn default_path() -> PathBuf {
    default_path_with(&|k| std::env::var_os(k))
}

/// The database path a command should use: `explicit` (`--db PATH`) if given, else
/// `$SHIPSHAPE_DB` if set and non-empty, else [`default_path`].
pub fn resolve_path(explicit: Option<&Path>) -> PathBuf {
    resolve_path_with(explicit, &|k| std::env::var_os(k))
}

type Env<'a> = &'a dyn Fn(&str) -> Option<std::ffi::OsString>;

fn default_path_with(env: Env<'_>) -> PathBuf {
    let cache = env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            env("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    cache.join("shipshape").join("db").join("shipshape.db")
}

fn resolve_path_with(explicit: Option<&Path>, env: Env<'_>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_owned();
    }
    match env("SHIPSHAPE_DB") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_path_with(env),
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Where a source came from; recorded in the `sources` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The source name (`osv-go`, `debian`, `alpine-v3.19-main`, `kev`, …).
    pub name: String,
    /// Where it was downloaded from, or the local path.
    pub url: Option<String>,
    /// When it was fetched (RFC 3339).
    pub fetched_at: Option<String>,
    /// The HTTP `ETag`, for conditional requests next time.
    pub etag: Option<String>,
    /// The HTTP `Last-Modified`, for conditional requests next time.
    pub last_modified: Option<String>,
}

impl SourceMeta {
    /// A source with only a name.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }
}

/// One row of the `sources` table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The source name.
    pub name: String,
    /// Where it came from.
    pub url: Option<String>,
    /// When it was fetched.
    pub fetched_at: Option<String>,
    /// Its HTTP `ETag`.
    pub etag: Option<String>,
    /// Its HTTP `Last-Modified`.
    pub last_modified: Option<String>,
    /// Records imported from it.
    pub record_count: u64,
    /// Malformed records skipped.
    pub skipped_count: u64,
    /// When it was imported into this database.
    pub built_at: String,
}

/// Row counts of the main tables.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Advisories.
    pub advisories: u64,
    /// Affected-package rows.
    pub affected: u64,
    /// Alias rows.
    pub aliases: u64,
    /// KEV entries.
    pub kev: u64,
    /// EPSS scores.
    pub epss: u64,
    /// NVD records.
    pub nvd: u64,
}

/// What `shipshape db status` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbStatus {
    /// The database file.
    pub path: PathBuf,
    /// `PRAGMA user_version`.
    pub schema_version: i64,
    /// When the database was built (RFC 3339).
    pub built_at: Option<String>,
    /// The sources it was built from, by name.
    pub sources: Vec<SourceInfo>,
    /// Row counts.
    pub counts: Counts,
}

/// A read-only, opened advisory database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn sql(path: &Path, doing: &str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    let doing = doing.to_owned();
    move |err| StoreError::Sqlite { path, doing, err }
}

fn io_err(path: &Path, doing: &str) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_owned();
    let doing = doing.to_owned();
    move |err| StoreError::Io { path, doing, err }
}

impl Store {
    /// Starts building a new database directly at `path`, which must not exist yet.
    /// [`Builder::commit`] finishes it; abort or drop removes the file.
    pub fn create(path: &Path) -> Result<Builder, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_owned(),
            });
        }
        Builder::new(path.to_owned(), None)
    }

    /// Starts building a new database beside `final_path`, in `<final_path>.tmp-<pid>`.
    /// [`Builder::commit`] renames it over `final_path` atomically; until then the existing
    /// database (if any) is not touched.
    pub fn build_beside(final_path: &Path) -> Result<Builder, StoreError> {
        let mut name = final_path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".tmp-{}", std::process::id()));
        let temp = final_path.with_file_name(name);
        if temp.exists() {
            fs::remove_file(&temp).map_err(io_err(&temp, "remove a stale temporary database"))?;
        }
        Builder::new(temp, Some(final_path.to_owned()))
    }

    /// Opens a database read-only, checking that it is ours and of [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let meta = fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound {
                path: path.to_owned(),
            },
            _ => StoreError::Io {
                path: path.to_owned(),
                doing: "read the database".into(),
                err: e,
            },
        })?;
        if meta.len() == 0 {
            return Err(StoreError::NotADatabase {
                path: path.to_owned(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql(path, "opening"))?;
        let app_id: i64 = match conn.query_row("PRAGMA application_id", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                return Err(StoreError::NotADatabase {
                    path: path.to_owned(),
                })
            }
            Err(e) => return Err(sql(path, "reading the application id")(e)),
        };
        if app_id != APPLICATION_ID {
            return Err(StoreError::NotOurs {
                path: path.to_owned(),
            });
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(path, "reading the schema version"))?;
        if version != SCHEMA_VERSION {
            return Err(StoreError::SchemaVersion {
                path: path.to_owned(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// The file this store reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn decode(&self, id: &str, json: &str) -> Result<Advisory, StoreError> {
        serde_json::from_str(json).map_err(|err| StoreError::Corrupt {
            path: self.path.clone(),
            id: id.to_owned(),
            err,
        })
    }

    /// Every advisory with an affected entry for `package` in `ecosystem` (with release for
    /// distributions: `("Debian:12", "openssl")`; without for language ecosystems:
    /// `("PyPI", "Jinja2")`). The package name is normalized for the ecosystem first.
    /// Sorted by id. Withdrawn advisories are included; [`Advisory::withdrawn`] says so.
    pub fn advisories_for(
        &self,
        ecosystem: &str,
        package: &str,
    ) -> Result<Vec<Advisory>, StoreError> {
        let name = ecosystem.split_once(':').map_or(ecosystem, |(n, _)| n);
        let package = normalize_package(name, package);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.json FROM advisories a WHERE a.id IN \
                 (SELECT advisory_id FROM affected WHERE ecosystem = ?1 AND package = ?2) \
                 ORDER BY a.id",
            )
            .map_err(sql(&self.path, "looking up a package"))?;
        let rows = stmt
            .query_map(params![ecosystem, package], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(sql(&self.path, "looking up a package"))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(sql(&self.path, "looking up a package"))?;
            out.push(self.decode(&id, &json)?);
        }
        Ok(out)
    }

    /// Whether any advisory has an affected entry in `ecosystem` (with release for
    /// distributions: `Debian:12`). A scan uses it to say when the database cannot have
    /// found anything for a package type, instead of reporting a silent empty result.
    pub fn has_ecosystem(&self, ecosystem: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM affected WHERE ecosystem = ?1)")
            .and_then(|mut stmt| stmt.query_row(params![ecosystem], |r| r.get::<_, bool>(0)))
            .map_err(sql(&self.path, "checking for an ecosystem"))
    }

    /// One advisory by id.
    pub fn advisory(&self, id: &str) -> Result<Option<Advisory>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM advisories WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(&self.path, "reading an advisory"))?;
        json.map(|j| self.decode(id, &j)).transpose()
    }

    /// Identifiers linked to `id` by aliases, in both directions: the aliases advisory `id`
    /// lists, and the advisories that list `id` as an alias (`CVE-2024-6387` →
    /// `DEBIAN-CVE-2024-6387`, …). Sorted, without `id` itself.
    pub fn aliases_of(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT alias FROM aliases WHERE advisory_id = ?1 \
                 UNION SELECT advisory_id FROM aliases WHERE alias = ?1 ORDER BY 1",
            )
            .map_err(sql(&self.path, "reading aliases"))?;
        let rows = stmt
            .query_map([id], |r| r.get::<_, String>(0))
            .map_err(sql(&self.path, "reading aliases"))?;
        let mut out = Vec::new();
        for r in rows {
            let r = r.map_err(sql(&self.path, "reading aliases"))?;
            if r != id {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The KEV entry for a CVE.
    pub fn kev(&self, cve: &str) -> Result<Option<KevEntry>, StoreError> {
        self.json_by_cve("SELECT json FROM kev WHERE cve = ?1", cve, "reading KEV")
    }

    /// The JSON column of the row keyed by `cve`, decoded (`query` selects it by `?1`).
    fn json_by_cve<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
        cve: &str,
        doing: &str,
    ) -> Result<Option<T>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(query, [cve], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path, doing))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|err| StoreError::Corrupt {
                path: self.path.clone(),
                id: cve.to_owned(),
                err,
            })
        })
        .transpose()
    }

    /// The EPSS score for a CVE.
    pub fn epss(&self, cve: &str) -> Result<Option<EpssScore>, StoreError> {
        self.conn
            .query_row(
                "SELECT epss, percentile FROM epss WHERE cve = ?1",
                [cve],
                |r| {
                    Ok(EpssScore {
                        cve: cve.to_owned(),
                        epss: r.get::<_, f64>(0)? as f32,
                        percentile: r.get::<_, f64>(1)? as f32,
                    })
                },
            )
            .optional()
            .map_err(sql(&self.path, "reading EPSS"))
    }

    /// NVD's record for a CVE (all its CVSS severities).
    pub fn nvd(&self, cve: &str) -> Result<Option<NvdRecord>, StoreError> {
        self.json_by_cve("SELECT json FROM nvd WHERE cve = ?1", cve, "reading NVD")
    }

    /// NVD's preferred severity for a CVE: the first primary metric, newest CVSS version first.
    pub fn nvd_severity(&self, cve: &str) -> Result<Option<Severity>, StoreError> {
        Ok(self.nvd(cve)?.and_then(|r| r.severities.into_iter().next()))
    }

    /// A metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path, "reading metadata"))
    }

    /// Schema version, build time, sources and counts.
    pub fn status(&self) -> Result<DbStatus, StoreError> {
        let e = || sql(&self.path, "reading the status");
        let count = |table: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as u64)
                .map_err(e())
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, url, fetched_at, etag, last_modified, record_count, skipped_count, \
                 built_at FROM sources ORDER BY name",
            )
            .map_err(e())?;
        let sources = stmt
            .query_map([], |r| {
                Ok(SourceInfo {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    fetched_at: r.get(2)?,
                    etag: r.get(3)?,
                    last_modified: r.get(4)?,
                    record_count: r.get::<_, i64>(5)? as u64,
                    skipped_count: r.get::<_, i64>(6)? as u64,
                    built_at: r.get(7)?,
                })
            })
            .map_err(e())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(e())?;
        Ok(DbStatus {
            path: self.path.clone(),
            schema_version: SCHEMA_VERSION,
            built_at: self.meta("built_at")?,
            sources,
            counts: Counts {
                advisories: count("advisories")?,
                affected: count("affected")?,
                aliases: count("aliases")?,
                kev: count("kev")?,
                epss: count("epss")?,
                nvd: count("nvd")?,
            },
        })
    }
}

/// Writes a new database in one transaction. Finish with [`commit`](Self::commit); dropping
/// or [`abort`](Self::abort)ing removes the file being written.
///
/// Advisories imported twice under the same id (the same CVE from two Alpine branches) are
/// merged: affected entries, aliases and references are combined.
#[derive(Debug)]
pub struct Builder {
    conn: Option<Connection>,
    path: PathBuf,
    rename_to: Option<PathBuf>,
}

impl Builder {
    fn new(path: PathBuf, rename_to: Option<PathBuf>) -> Result<Builder, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(io_err(dir, "create the database directory"))?;
        }
        let conn = Connection::open(&path).map_err(sql(&path, "creating the database"))?;
        // The file is private until commit; a crash only loses the temporary file, so the
        // rollback journal and per-statement syncs are not needed. Commit fsyncs once.
        let setup = format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION}; \
             BEGIN; {SCHEMA} \
             INSERT INTO meta (key, value) VALUES ('format', 'shipshape-vulndb');"
        );
        let builder = Builder {
            conn: Some(conn),
            path,
            rename_to,
        };
        builder
            .conn()?
            .execute_batch(&setup)
            .map_err(sql(&builder.path, "creating the schema"))?;
        Ok(builder)
    }

    fn conn(&self) -> Result<&Connection, StoreError> {
        self.conn.as_ref().ok_or_else(|| StoreError::Io {
            path: self.path.clone(),
            doing: "use a finished builder".into(),
            err: std::io::Error::other("builder already finished"),
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn record_source(
        &self,
        meta: &SourceMeta,
        records: usize,
        skipped: usize,
    ) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "INSERT INTO sources (name, url, fetched_at, etag, last_modified, record_count, \
                 skipped_count, built_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (name) DO UPDATE SET url = excluded.url, \
                 fetched_at = excluded.fetched_at, etag = excluded.etag, \
                 last_modified = excluded.last_modified, \
                 record_count = record_count + excluded.record_count, \
                 skipped_count = skipped_count + excluded.skipped_count, \
                 built_at = excluded.built_at",
                params![
                    meta.name,
                    meta.url,
                    meta.fetched_at,
                    meta.etag,
                    meta.last_modified,
                    records as i64,
                    skipped as i64,
                    now()
                ],
            )
            .map_err(sql(&self.path, "recording a source"))?;
        Ok(())
    }

    /// Sets a `meta` value.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map_err(sql(&self.path, "writing metadata"))?;
        Ok(())
    }

    /// Adds imported advisories and records the source.
    pub fn add_advisories(
        &mut self,
        meta: &SourceMeta,
        imported: &Imported<Advisory>,
    ) -> Result<(), StoreError> {
        for adv in &imported.items {
            self.add_advisory(adv)?;
        }
        self.record_source(meta, imported.report.records, imported.report.skipped)
    }

    /// Adds one advisory, merging with an existing one of the same id.
    pub fn add_advisory(&mut self, adv: &Advisory) -> Result<(), StoreError> {
        let path = self.path.clone();
        let conn = self.conn()?;
        let e = || sql(&path, "writing an advisory");
        let existing: Option<String> = conn
            .prepare_cached("SELECT json FROM advisories WHERE id = ?1")
            .and_then(|mut s| s.query_row([adv.id.as_str()], |r| r.get(0)).optional())
            .map_err(e())?;
        let merged;
        let adv = match existing {
            None => adv,
            Some(json) => {
                let mut old: Advisory =
                    serde_json::from_str(&json).map_err(|err| StoreError::Corrupt {
                        path: path.clone(),
                        id: adv.id.to_string(),
                        err,
                    })?;
                merge(&mut old, adv);
                conn.execute(
                    "DELETE FROM affected WHERE advisory_id = ?1",
                    [old.id.as_str()],
                )
                .map_err(e())?;
                conn.execute(
                    "DELETE FROM aliases WHERE advisory_id = ?1",
                    [old.id.as_str()],
                )
                .map_err(e())?;
                merged = old;
                &merged
            }
        };
        let json = serde_json::to_string(adv).map_err(|err| StoreError::Corrupt {
            path: path.clone(),
            id: adv.id.to_string(),
            err,
        })?;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO advisories (id, source, summary, severity, score, published, \
             modified, withdrawn, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut s| {
            s.execute(params![
                adv.id.as_str(),
                adv.source,
                adv.summary,
                adv.max_rating().map(|r| r.as_str()),
                adv.max_score().map(f64::from),
                adv.published,
                adv.modified,
                adv.withdrawn,
                json
            ])
        })
        .map_err(e())?;
        let mut ins = conn
            .prepare_cached(
                "INSERT INTO affected (advisory_id, ecosystem, package, status, fixed) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e())?;
        for a in &adv.affected {
            let fixed = a.fixed_versions().join(" ");
            ins.execute(params![
                adv.id.as_str(),
                a.ecosystem.as_str(),
                a.normalized_package(),
                a.status.as_str(),
                (!fixed.is_empty()).then_some(fixed)
            ])
            .map_err(e())?;
        }
        let mut ins = conn
            .prepare_cached("INSERT OR IGNORE INTO aliases (advisory_id, alias) VALUES (?1, ?2)")
            .map_err(e())?;
        for alias in &adv.aliases {
            ins.execute(params![adv.id.as_str(), alias]).map_err(e())?;
        }
        Ok(())
    }

    /// Adds NVD records and records the source.
    pub fn add_nvd(
        &mut self,
        meta: &SourceMeta,
        imported: &Imported<NvdRecord>,
    ) -> Result<(), StoreError> {
        {
            let conn = self.conn()?;
            let e = || sql(&self.path, "writing NVD");
            let mut ins = conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO nvd (cve, severity, score, vector, json) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e())?;
            for r in &imported.items {
                let first = r.severities.first();
                let json = serde_json::to_string(r).map_err(|err| StoreError::Corrupt {
                    path: self.path.clone(),
                    id: r.cve.clone(),
                    err,
                })?;
                ins.execute(params![
                    r.cve,
                    first.and_then(|s| s.rating).map(|r| r.as_str()),
                    first.and_then(|s| s.score).map(f64::from),
                    first.map(|s| s.vector_or_label.as_str()),
                    json
                ])
                .map_err(e())?;
            }
        }
        self.record_source(meta, imported.report.records, imported.report.skipped)
    }

    /// Adds KEV entries and records the source.
    pub fn add_kev(
        &mut self,
        meta: &SourceMeta,
        imported: &Imported<KevEntry>,
    ) -> Result<(), StoreError> {
        {
            let conn = self.conn()?;
            let e = || sql(&self.path, "writing KEV");
            let mut ins = conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO kev (cve, date_added, due_date, known_ransomware, \
                     vendor_project, product, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(e())?;
            for k in &imported.items {
                let json = serde_json::to_string(k).map_err(|err| StoreError::Corrupt {
                    path: self.path.clone(),
                    id: k.cve.clone(),
                    err,
                })?;
                ins.execute(params![
                    k.cve,
                    k.date_added,
                    k.due_date,
                    k.known_ransomware,
                    k.vendor_project,
                    k.product,
                    json
                ])
                .map_err(e())?;
            }
        }
        self.record_source(meta, imported.report.records, imported.report.skipped)
    }

    /// Adds EPSS scores, stores the model version and score date in `meta`
    /// (`epss.model_version`, `epss.score_date`) and records the source.
    pub fn add_epss(
        &mut self,
        meta: &SourceMeta,
        imported: &Imported<EpssScore>,
        info: &EpssInfo,
    ) -> Result<(), StoreError> {
        {
            let conn = self.conn()?;
            let e = || sql(&self.path, "writing EPSS");
            let mut ins = conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO epss (cve, epss, percentile) VALUES (?1, ?2, ?3)",
                )
                .map_err(e())?;
            for s in &imported.items {
                ins.execute(params![s.cve, f64::from(s.epss), f64::from(s.percentile)])
                    .map_err(e())?;
            }
        }
        if let Some(v) = &info.model_version {
            self.set_meta("epss.model_version", v)?;
        }
        if let Some(v) = &info.score_date {
            self.set_meta("epss.score_date", v)?;
        }
        self.record_source(meta, imported.report.records, imported.report.skipped)
    }

    /// Finishes the database: commits, fsyncs, and (for [`Store::build_beside`]) renames it
    /// over the final path. Returns the final path, ready for [`Store::open`].
    pub fn commit(mut self) -> Result<PathBuf, StoreError> {
        self.set_meta("built_at", &now())?;
        let conn = self.conn.take().ok_or_else(|| StoreError::Io {
            path: self.path.clone(),
            doing: "commit".into(),
            err: std::io::Error::other("builder already finished"),
        })?;
        let result = conn
            .execute_batch("COMMIT; PRAGMA optimize;")
            .map_err(sql(&self.path, "committing"))
            .and_then(|()| {
                conn.close().map_err(|(_, err)| StoreError::Sqlite {
                    path: self.path.clone(),
                    doing: "closing".into(),
                    err,
                })
            });
        if let Err(e) = result {
            let _ = fs::remove_file(&self.path);
            return Err(e);
        }
        let sync = |p: &Path| fs::File::open(p).and_then(|f| f.sync_all());
        sync(&self.path).map_err(io_err(&self.path, "fsync the new database"))?;
        let Some(target) = self.rename_to.take() else {
            return Ok(std::mem::take(&mut self.path));
        };
        fs::rename(&self.path, &target)
            .map_err(io_err(&target, "move the new database into place"))?;
        self.path = PathBuf::new();
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename durable. Directory fsync is not possible on every platform;
            // the rename itself has happened either way.
            let _ = sync(dir);
        }
        Ok(target)
    }

    /// Discards the database being written, removing its file. An existing database at the
    /// final path is not touched.
    pub fn abort(mut self) -> Result<(), StoreError> {
        self.discard()
    }

    fn discard(&mut self) -> Result<(), StoreError> {
        if let Some(conn) = self.conn.take() {
            let _ = conn.close();
        }
        if self.path.as_os_str().is_empty() {
            return Ok(());
        }
        let path = std::mem::take(&mut self.path);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&path, "remove the unfinished database")(e)),
        }
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        let _ = self.discard();
    }
}

/// Merges `new` into `old`: affected entries, aliases, related ids and references are added
/// (without duplicates); text fields are kept from `old` where set.
fn merge(old: &mut Advisory, new: &Advisory) {
    for a in &new.affected {
        if !old.affected.contains(a) {
            old.affected.push(a.clone());
        }
    }
    for (dst, src) in [
        (&mut old.aliases, &new.aliases),
        (&mut old.related, &new.related),
    ] {
        for x in src {
            if !dst.contains(x) {
                dst.push(x.clone());
            }
        }
    }
    for r in &new.references {
        if !old.references.contains(r) {
            old.references.push(r.clone());
        }
    }
    for s in &new.severities {
        if !old.severities.contains(s) {
            old.severities.push(s.clone());
        }
    }
    old.summary = old.summary.take().or_else(|| new.summary.clone());
    old.details = old.details.take().or_else(|| new.details.clone());
}

/// Looks up `package` in `ecosystem` after validating the ecosystem string.
impl Store {
    /// Like [`Store::advisories_for`], taking a typed [`Ecosystem`].
    pub fn advisories_for_ecosystem(
        &self,
        ecosystem: &Ecosystem,
        package: &str,
    ) -> Result<Vec<Advisory>, StoreError> {
        self.advisories_for(ecosystem.as_str(), package)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn default_path_prefers_xdg_cache_home() {
        let e = env(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]);
        assert_eq!(
            default_path_with(&e),
            PathBuf::from("/x/cache/shipshape/db/shipshape.db")
        );
    }

    #[test]
    fn default_path_falls_back_to_home_cache() {
        let e = env(&[("XDG_CACHE_HOME", "relative"), ("HOME", "/home/u")]);
        assert_eq!(
            default_path_with(&e),
            PathBuf::from("/home/u/.cache/shipshape/db/shipshape.db")
        );
    }

    #[test]
    fn resolve_path_order() {
        let e = env(&[("SHIPSHAPE_DB", "/db/x.db"), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_path_with(Some(Path::new("/flag.db")), &e),
            PathBuf::from("/flag.db")
        );
        assert_eq!(resolve_path_with(None, &e), PathBuf::from("/db/x.db"));
        let e = env(&[("SHIPSHAPE_DB", ""), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_path_with(None, &e),
            PathBuf::from("/home/u/.cache/shipshape/db/shipshape.db")
        );
    }
}
