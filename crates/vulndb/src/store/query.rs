//! Reading an opened store: advisories by package and id, aliases, KEV, EPSS, NVD, metadata
//! and status.

use rusqlite::{params, OptionalExtension};

use super::{sql, Counts, DbStatus, SourceInfo, Store, SCHEMA_VERSION};
use crate::cpe::CpeRange;
use crate::error::{MatchError, StoreError};
use crate::import::epss::EpssScore;
use crate::import::kev::KevEntry;
use crate::import::nvd::NvdRecord;
use crate::model::{Advisory, Ecosystem, Severity};
use crate::normalize::normalize_package;

impl Store {
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

    /// Every vulnerable NVD CPE match for (`vendor`, `product`), as NVD names them
    /// (`("nodejs", "node.js")`, case-insensitive), sorted by CVE and criteria.
    pub fn cpe_ranges(&self, vendor: &str, product: &str) -> Result<Vec<CpeRange>, StoreError> {
        let doing = "looking up NVD CPE matches";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT cve, criteria, vendor, product, version, start_including, \
                 start_excluding, end_including, end_excluding FROM nvd_cpe \
                 WHERE vendor = ?1 AND product = ?2 ORDER BY cve, criteria, rowid",
            )
            .map_err(sql(&self.path, doing))?;
        let rows = stmt
            .query_map(
                params![vendor.to_ascii_lowercase(), product.to_ascii_lowercase()],
                |r| {
                    Ok(CpeRange {
                        cve: r.get(0)?,
                        criteria: r.get(1)?,
                        vendor: r.get(2)?,
                        product: r.get(3)?,
                        version: r.get(4)?,
                        start_including: r.get(5)?,
                        start_excluding: r.get(6)?,
                        end_including: r.get(7)?,
                        end_excluding: r.get(8)?,
                    })
                },
            )
            .map_err(sql(&self.path, doing))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql(&self.path, doing))
    }

    /// The NVD CPE matches of (`vendor`, `product`) whose range includes `version` (by the
    /// generic CPE rule, [`version::Scheme::Cpe`]), with the matches that could not be
    /// evaluated because a version did not parse.
    pub fn cpe_matches(
        &self,
        vendor: &str,
        product: &str,
        version: &str,
    ) -> Result<CpeMatches, StoreError> {
        let mut out = CpeMatches::default();
        for r in self.cpe_ranges(vendor, product)? {
            match r.includes(version) {
                Ok(true) => out.matched.push(r),
                Ok(false) => {}
                Err(e) => out.not_comparable.push((r, e)),
            }
        }
        Ok(out)
    }

    /// Whether the database holds any NVD CPE match (an NVD feed with configurations was
    /// imported).
    pub fn has_cpe_ranges(&self) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM nvd_cpe)", [], |r| r.get(0))
            .map_err(sql(&self.path, "checking for NVD CPE matches"))
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
                nvd_cpe: count("nvd_cpe")?,
            },
        })
    }
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

/// What [`Store::cpe_matches`] found for one installed version.
#[derive(Debug, Default)]
pub struct CpeMatches {
    /// The ranges that include the version, sorted by CVE.
    pub matched: Vec<CpeRange>,
    /// The ranges that could not be evaluated, with why.
    pub not_comparable: Vec<(CpeRange, MatchError)>,
}
