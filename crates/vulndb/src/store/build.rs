//! Writing a new database: one transaction, advisories merged by id, sources recorded,
//! then fsync and rename into place (or removal on abort and drop).

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use super::{io_err, now, sql, SourceMeta, APPLICATION_ID, SCHEMA, SCHEMA_VERSION};
use crate::error::StoreError;
use crate::import::epss::{EpssInfo, EpssScore};
use crate::import::kev::KevEntry;
use crate::import::nvd::NvdRecord;
use crate::import::Imported;
use crate::model::Advisory;

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
    pub(super) fn new(path: PathBuf, rename_to: Option<PathBuf>) -> Result<Builder, StoreError> {
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
            let mut ranges = conn
                .prepare_cached(
                    "INSERT INTO nvd_cpe (cve, vendor, product, criteria, version, \
                     start_including, start_excluding, end_including, end_excluding) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(e())?;
            let mut forget = conn
                .prepare_cached("DELETE FROM nvd_cpe WHERE cve = ?1")
                .map_err(e())?;
            for r in &imported.items {
                // A CVE imported again (a newer NVD file) replaces its matches.
                forget.execute([r.cve.as_str()]).map_err(e())?;
                for m in &r.cpe_ranges {
                    ranges
                        .execute(params![
                            r.cve,
                            m.vendor,
                            m.product,
                            m.criteria,
                            m.version,
                            m.start_including,
                            m.start_excluding,
                            m.end_including,
                            m.end_excluding
                        ])
                        .map_err(e())?;
                }
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

    /// Finishes the database: commits, fsyncs, and (for [`Store::build_beside`](crate::Store::build_beside)) renames it
    /// over the final path. Returns the final path, ready for [`Store::open`](crate::Store::open).
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
