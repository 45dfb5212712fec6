//! Keeping the database current: download the configured feeds ([`update`]), import local
//! files, directories, archives or URLs ([`import`]), and make sure a database exists before
//! a scan ([`ensure_database`]).
//!
//! Both build a new file beside the live one ([`Store::build_beside`]) and rename it into
//! place only when every source succeeded; a failed or interrupted run leaves the previous
//! database as it was and still answering.
//!
//! # Downloads and the cache
//! Sources and their defaults are described in [`sources`]. A remote source is downloaded
//! into a per-source cache file, `<database dir>/cache/<source>`, next to a
//! `<source>.json` sidecar holding its URL, `ETag`, `Last-Modified` and fetch time. The next
//! update sends `If-None-Match` / `If-Modified-Since` from the sidecar (when the URL is the
//! same); on `304 Not Modified` the cached file is imported again, so every database is always
//! built from complete feeds. New downloads go to `<source>.new` and replace the cache file
//! only after the new database has been committed, so a failed update never leaves the cache
//! out of step. The cost is disk space: the cache holds one copy of every feed.
//!
//! Local sources (a path or `file://` URL in the config) are read directly and work offline.
//!
//! # Importing
//! [`import`] takes paths or URLs. The kind of each is given or detected from the content
//! and name: zip (OSV export), JSON or YAML by shape (OSV, Alpine secdb, KEV, NVD, Debian
//! tracker JSON), `data/CVE/list` and DSA/DLA list text, EPSS CSV, RustSec Markdown; gzip
//! is unwrapped, and `.tar.gz` archives and directories are walked entry by entry. Debian
//! CVE and DSA/DLA lists given together are combined (see [`crate::import::debian_text`]).
//! By default the new database keeps the existing database's other sources; a source with
//! the same name is replaced.

mod fetch;
mod load;
pub mod sources;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use fetch::FetchError;
pub use sources::{
    default_config_path, default_sources, ConfigError, Source, SourceKind, UpdateConfig,
    DEFAULT_ALPINE_BRANCHES,
};

use crate::error::{ImportError, StoreError};
use crate::import::ImportReport;
use crate::store::{SourceMeta, Store};
use load::{LoadError, Session};

/// Progress callbacks for a terminal bar; every method has an empty default.
pub trait Progress {
    /// A source is being fetched or read.
    fn source_started(&self, _name: &str, _url: &str) {}
    /// A download began; `total` is the `Content-Length` when known.
    fn download_started(&self, _total: Option<u64>) {}
    /// `n` more bytes were downloaded.
    fn downloaded(&self, _n: u64) {}
    /// A source was imported.
    fn source_finished(&self, _outcome: &SourceOutcome) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// How a source's data was obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "how")]
pub enum Fetch {
    /// Downloaded anew (`200`).
    Downloaded {
        /// Bytes received.
        bytes: u64,
    },
    /// `304 Not Modified`: the cached copy was used.
    NotModified,
    /// Read from a local file or directory.
    Local,
}

/// What happened to one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOutcome {
    /// The source name.
    pub name: String,
    /// Its URL or path.
    pub url: String,
    /// How it was obtained.
    pub fetch: Fetch,
    /// Records imported and skipped.
    pub report: ImportReport,
}

/// The result of [`update`] or [`import`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSummary {
    /// The database that was written.
    pub path: PathBuf,
    /// One entry per source, in order.
    pub sources: Vec<SourceOutcome>,
}

/// An update or import failed; the previous database is untouched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// Network access is needed but `--offline` was given.
    #[error("source {name} ({url}) needs the network, and --offline is set")]
    Offline {
        /// The source name.
        name: String,
        /// Its URL.
        url: String,
    },
    /// Downloading a source failed.
    #[error("source {name}: cannot download {url}")]
    Fetch {
        /// The source name.
        name: String,
        /// Its URL.
        url: String,
        /// Why.
        #[source]
        err: FetchError,
    },
    /// A source's data could not be read as its feed format.
    #[error("source {name} ({url}) could not be imported")]
    Import {
        /// The source name.
        name: String,
        /// Its URL or path.
        url: String,
        /// Why.
        #[source]
        err: Box<ImportError>,
    },
    /// Writing the new database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The cache directory could not be written.
    #[error("cannot {doing} {path}")]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        doing: &'static str,
        /// The I/O error.
        #[source]
        err: std::io::Error,
    },
    /// No sources are enabled or no inputs were given.
    #[error("nothing to import: no sources are enabled")]
    NoSources,
    /// There is no database and `--offline` forbids downloading one.
    #[error(
        "no vulnerability database at {path}, and --offline forbids downloading one; \
         run `shipshape db update` or `shipshape db import` first"
    )]
    Missing {
        /// The database path.
        path: PathBuf,
    },
}

impl UpdateError {
    /// Whether this is a refusal to use the network because of `--offline`.
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            UpdateError::Offline { .. } | UpdateError::Missing { .. }
        )
    }
}

/// How to run an update or import.
pub struct UpdateOptions<'a> {
    /// Refuse every network access.
    pub offline: bool,
    /// The download cache (default: [`cache_dir_for`] the database).
    pub cache_dir: Option<PathBuf>,
    /// Progress callbacks.
    pub progress: &'a dyn Progress,
}

impl Default for UpdateOptions<'_> {
    fn default() -> Self {
        UpdateOptions {
            offline: false,
            cache_dir: None,
            progress: &NoProgress,
        }
    }
}

/// The download cache of the database at `db`: `cache/` in the same directory.
pub fn cache_dir_for(db: &Path) -> PathBuf {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("cache")
}

/// The sidecar of a cached download.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct CacheMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: Option<String>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn local_path(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("file://").unwrap_or(url))
}

fn load_error(source: &str, url: &str, e: LoadError) -> UpdateError {
    match e {
        LoadError::Import(err) => UpdateError::Import {
            name: source.to_owned(),
            url: url.to_owned(),
            err: Box::new(err),
        },
        LoadError::Store(e) => UpdateError::Store(e),
    }
}

/// A download waiting for the commit to become the cached copy.
struct Pending {
    new_file: PathBuf,
    file: PathBuf,
    sidecar: PathBuf,
    meta: CacheMeta,
}

/// Removes downloads that were not committed.
struct PendingGuard(Vec<Pending>);
impl Drop for PendingGuard {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = fs::remove_file(&p.new_file);
        }
    }
}

/// Downloads (or reads) every source in `config` and replaces the database at `db` with one
/// built from them. Fails, leaving `db` untouched, if any source fails.
pub fn update(
    db: &Path,
    config: &UpdateConfig,
    opts: &UpdateOptions<'_>,
) -> Result<UpdateSummary, UpdateError> {
    if config.sources.is_empty() {
        return Err(UpdateError::NoSources);
    }
    if opts.offline {
        if let Some(s) = config.sources.iter().find(|s| s.is_remote()) {
            return Err(UpdateError::Offline {
                name: s.name.clone(),
                url: s.url.clone(),
            });
        }
    }
    let cache = opts.cache_dir.clone().unwrap_or_else(|| cache_dir_for(db));
    let agent = fetch::agent(config);
    let mut session = Session::new(Store::build_beside(db)?);
    let mut pending = PendingGuard(Vec::new());
    let mut outcomes = Vec::new();
    for source in &config.sources {
        opts.progress.source_started(&source.name, &source.url);
        let mut meta = SourceMeta {
            name: source.name.clone(),
            url: Some(source.url.clone()),
            ..SourceMeta::default()
        };
        let (fetch, path) = if source.is_remote() {
            fs::create_dir_all(&cache).map_err(|err| UpdateError::Cache {
                path: cache.clone(),
                doing: "create the download cache",
                err,
            })?;
            let file = cache.join(&source.name);
            let sidecar = cache.join(format!("{}.json", source.name));
            let new_file = cache.join(format!("{}.new", source.name));
            let previous: Option<CacheMeta> = fs::read(&sidecar)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .filter(|m: &CacheMeta| m.url == source.url && file.is_file());
            let cond = previous.as_ref().map(|p| fetch::Conditions {
                etag: p.etag.clone(),
                last_modified: p.last_modified.clone(),
            });
            let fetched = fetch::fetch(
                &agent,
                config,
                &source.url,
                cond.as_ref(),
                &new_file,
                opts.progress,
            )
            .map_err(|err| {
                let _ = fs::remove_file(&new_file);
                UpdateError::Fetch {
                    name: source.name.clone(),
                    url: source.url.clone(),
                    err,
                }
            })?;
            match (fetched, previous) {
                (
                    fetch::Fetched::New {
                        etag,
                        last_modified,
                        bytes,
                    },
                    _,
                ) => {
                    let cm = CacheMeta {
                        url: source.url.clone(),
                        etag,
                        last_modified,
                        fetched_at: Some(now()),
                    };
                    meta.etag = cm.etag.clone();
                    meta.last_modified = cm.last_modified.clone();
                    meta.fetched_at = cm.fetched_at.clone();
                    pending.0.push(Pending {
                        new_file: new_file.clone(),
                        file,
                        sidecar,
                        meta: cm,
                    });
                    (Fetch::Downloaded { bytes }, new_file)
                }
                (fetch::Fetched::NotModified, Some(prev)) => {
                    meta.etag = prev.etag;
                    meta.last_modified = prev.last_modified;
                    meta.fetched_at = prev.fetched_at;
                    (Fetch::NotModified, file)
                }
                (fetch::Fetched::NotModified, None) => {
                    return Err(UpdateError::Fetch {
                        name: source.name.clone(),
                        url: source.url.clone(),
                        err: FetchError::Status {
                            status: 304,
                            attempts: 1,
                        },
                    })
                }
            }
        } else {
            meta.fetched_at = Some(now());
            (Fetch::Local, local_path(&source.url))
        };
        session
            .load_path(&meta, Some(source.kind), &path)
            .map_err(|e| load_error(&source.name, &source.url, e))?;
        session
            .builder
            .set_meta(&format!("source.{}.checked_at", source.name), &now())?;
        let report = session
            .reports
            .get(&source.name)
            .cloned()
            .unwrap_or_else(|| ImportReport::new(&source.name));
        let outcome = SourceOutcome {
            name: source.name.clone(),
            url: source.url.clone(),
            fetch,
            report,
        };
        opts.progress.source_finished(&outcome);
        outcomes.push(outcome);
    }
    let (builder, reports) = session.finish()?;
    let path = builder.commit()?;
    for p in std::mem::take(&mut pending.0) {
        // Best effort: without a sidecar the next update downloads unconditionally.
        let _ = fs::remove_file(&p.sidecar);
        if fs::rename(&p.new_file, &p.file).is_ok() {
            if let Ok(json) = serde_json::to_vec_pretty(&p.meta) {
                let _ = fs::write(&p.sidecar, json);
            }
        }
    }
    for o in &mut outcomes {
        if let Some(r) = reports.get(&o.name) {
            o.report = r.clone();
        }
    }
    Ok(UpdateSummary {
        path,
        sources: outcomes,
    })
}

/// How [`import`] runs.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The kind of every input; detected per input when `None`.
    pub kind: Option<SourceKind>,
    /// Start from an empty database instead of keeping the existing database's sources.
    pub replace: bool,
}

/// The source name for an input: its file name without the feed extensions.
pub fn source_name_for(input: &str) -> String {
    let trimmed = input.trim_end_matches(['/', '\\']);
    let last = trimmed
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(trimmed)
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let mut name = last.to_owned();
    for ext in [
        ".gz", ".tgz", ".tar", ".zip", ".json", ".yaml", ".yml", ".csv", ".txt",
    ] {
        if let Some(s) = name.strip_suffix(ext) {
            name = s.to_owned();
        }
    }
    if name.is_empty() || name.starts_with('.') {
        "import".to_owned()
    } else {
        name
    }
}

/// Imports local paths or URLs into the database at `db`, keeping the existing database's
/// other sources unless `options.replace` is set, and swaps the result in atomically.
pub fn import(
    db: &Path,
    inputs: &[String],
    options: &ImportOptions,
    config: &UpdateConfig,
    opts: &UpdateOptions<'_>,
) -> Result<UpdateSummary, UpdateError> {
    if inputs.is_empty() {
        return Err(UpdateError::NoSources);
    }
    if opts.offline {
        if let Some(u) = inputs.iter().find(|u| sources::is_remote(u)) {
            return Err(UpdateError::Offline {
                name: source_name_for(u),
                url: u.clone(),
            });
        }
    }
    let cache = opts.cache_dir.clone().unwrap_or_else(|| cache_dir_for(db));
    let agent = fetch::agent(config);
    let mut session = Session::new(Store::build_beside(db)?);
    let mut temp = PendingGuard(Vec::new());
    let mut outcomes = Vec::new();
    let mut names = BTreeSet::new();
    for input in inputs {
        let mut name = source_name_for(input);
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{}-{n}", source_name_for(input));
            n += 1;
        }
        names.insert(name.clone());
        opts.progress.source_started(&name, input);
        let mut meta = SourceMeta {
            name: name.clone(),
            url: Some(input.clone()),
            fetched_at: Some(now()),
            ..SourceMeta::default()
        };
        let (fetch, path) =
            if sources::is_remote(input) {
                fs::create_dir_all(&cache).map_err(|err| UpdateError::Cache {
                    path: cache.clone(),
                    doing: "create the download cache",
                    err,
                })?;
                let last = input
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .split(['?', '#'])
                    .next()
                    .unwrap_or_default();
                let file = cache.join(format!("import-{}-{last}", std::process::id()));
                temp.0.push(Pending {
                    new_file: file.clone(),
                    file: PathBuf::new(),
                    sidecar: PathBuf::new(),
                    meta: CacheMeta::default(),
                });
                let fetched = fetch::fetch(&agent, config, input, None, &file, opts.progress)
                    .map_err(|err| UpdateError::Fetch {
                        name: name.clone(),
                        url: input.clone(),
                        err,
                    })?;
                let bytes = match fetched {
                    fetch::Fetched::New {
                        etag,
                        last_modified,
                        bytes,
                    } => {
                        meta.etag = etag;
                        meta.last_modified = last_modified;
                        bytes
                    }
                    fetch::Fetched::NotModified => 0,
                };
                (Fetch::Downloaded { bytes }, file)
            } else {
                (Fetch::Local, local_path(input))
            };
        if !path.exists() {
            return Err(UpdateError::Import {
                name: name.clone(),
                url: input.clone(),
                err: Box::new(ImportError::io(
                    &name,
                    &path.display().to_string(),
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
                )),
            });
        }
        session
            .load_path(&meta, options.kind, &path)
            .map_err(|e| load_error(&name, input, e))?;
        let report = session
            .reports
            .get(&name)
            .cloned()
            .unwrap_or_else(|| ImportReport::new(&name));
        let outcome = SourceOutcome {
            name: name.clone(),
            url: input.clone(),
            fetch,
            report,
        };
        opts.progress.source_finished(&outcome);
        outcomes.push(outcome);
    }
    if !options.replace && db.exists() {
        let kinds = session.kinds();
        load::copy_old(&mut session, db, &names, &kinds)?;
    }
    let (builder, reports) = session.finish()?;
    let path = builder.commit()?;
    for o in &mut outcomes {
        if let Some(r) = reports.get(&o.name) {
            o.report = r.clone();
        }
    }
    Ok(UpdateSummary {
        path,
        sources: outcomes,
    })
}

/// A database older than this is stale: `db status` warns.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// How long ago an RFC 3339 time (a `built_at` or `fetched_at`) was; `None` if it does not
/// parse. Times in the future count as zero.
pub fn age_of(rfc3339: &str) -> Option<std::time::Duration> {
    age_at(rfc3339, time::OffsetDateTime::now_utc())
}

/// How old a database built at `rfc3339` is at `now` (zero when it claims to be from the
/// future); `None` when the time does not parse.
pub fn age_at(rfc3339: &str, now: time::OffsetDateTime) -> Option<std::time::Duration> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    let d = now - t;
    Some(d.try_into().unwrap_or_default())
}

/// What [`ensure_database`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ensured {
    /// A database was already there.
    Existing(PathBuf),
    /// There was none; it was built by [`update`].
    Updated(UpdateSummary),
}

/// Makes sure a database exists at `db` before a scan: opens it if present, otherwise runs
/// [`update`] — unless `opts.offline`, which is then an [`UpdateError::Missing`] error.
/// An existing database of another schema version is an error, not silently replaced.
pub fn ensure_database(
    db: &Path,
    config: &UpdateConfig,
    opts: &UpdateOptions<'_>,
) -> Result<Ensured, UpdateError> {
    match Store::open(db) {
        Ok(_) => Ok(Ensured::Existing(db.to_owned())),
        Err(StoreError::NotFound { .. }) if opts.offline => Err(UpdateError::Missing {
            path: db.to_owned(),
        }),
        Err(StoreError::NotFound { .. }) => update(db, config, opts).map(Ensured::Updated),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names() {
        assert_eq!(
            source_name_for("/x/pypa-advisory-database.tar.gz"),
            "pypa-advisory-database"
        );
        assert_eq!(
            source_name_for("https://h/feeds/known_exploited_vulnerabilities.json?x=1"),
            "known_exploited_vulnerabilities"
        );
        assert_eq!(source_name_for("dir/"), "dir");
        assert_eq!(source_name_for("/"), "import");
    }
}
