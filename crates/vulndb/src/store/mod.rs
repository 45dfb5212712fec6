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
//! | `nvd_cpe` | (`vendor`, `product`) index | NVD's vulnerable CPE matches: cve, criteria, exact version, version bounds |
//!
//! Packages are stored normalized ([`crate::normalize_package`]), so `Jinja2` finds `jinja2`.
//!
//! Updates never write the live file: [`Store::build_beside`] writes `<final>.tmp-<pid>`, and
//! [`Builder::commit`] fsyncs it and renames it over the final path. Readers that already
//! have the old file open keep reading the old file. An aborted or dropped builder removes its
//! temporary file and leaves the old database untouched.
//!
//! Files: this one holds the schema and the plain types; `open.rs` creates and opens database
//! files, `query.rs` reads them, `build.rs` writes a new one, `path.rs` says where it lives.

mod build;
mod open;
mod path;
mod query;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

pub use build::Builder;
pub use path::{default_path, resolve_path};
pub use query::CpeMatches;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 2;

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
CREATE TABLE nvd_cpe (cve TEXT NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL,
    criteria TEXT NOT NULL, version TEXT, start_including TEXT, start_excluding TEXT,
    end_including TEXT, end_excluding TEXT);
CREATE INDEX nvd_cpe_by_product ON nvd_cpe (vendor, product);
CREATE INDEX nvd_cpe_by_cve ON nvd_cpe (cve);
";

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
    /// NVD vulnerable CPE matches.
    #[serde(default)]
    pub nvd_cpe: u64,
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
