//! Unmanaged runtimes against NVD's CPE ranges.
//!
//! A runtime package ([`inventory::PackageType::Binary`]) is looked up by the
//! `vendor:product` of each of its CPEs ([`crate::ecosystem::query`]); every vulnerable NVD
//! CPE match whose range includes the installed version (the store's
//! [`vulndb::CpeRange::includes`], generic CPE version rule) is a hit. The ranges of one CVE
//! become one advisory (id the CVE, text and dates from the NVD record, one affected entry
//! per range: `versionEndExcluding` as its fix, `versionEndIncluding` as its last affected
//! version), so the finding is built as every other one is: severity from NVD's CVSS,
//! nearest fixed version from the ends of the matching ranges, KEV and EPSS by CVE.
//!
//! Traps: a range whose bound does not read as a version is not "unaffected": it is skipped
//! with `S003`, like an OSV range. A CVE named for both `f5:nginx` and `nginx:nginx` is
//! one finding.

use std::collections::BTreeMap;
use std::rc::Rc;

use inventory::Package;
use serde_json::json;
use vulndb::cpe::CpeRange;
use vulndb::{
    Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Reference, Status,
};

use super::{error_chain, store_err, Diagnostics, Hit, Lookups};
use crate::ecosystem::{Query, NVD_CPE};
use crate::error::ScanError;

impl Lookups<'_> {
    /// Every NVD CPE range of `vendor:product`, read once per scan.
    fn cpe_ranges(&mut self, product: &str) -> Result<Rc<Vec<CpeRange>>, ScanError> {
        if let Some(v) = self.cpe.get(product) {
            return Ok(Rc::clone(v));
        }
        let (vendor, name) = product.split_once(':').unwrap_or(("", product));
        let found = Rc::new(
            self.store
                .cpe_ranges(vendor, name)
                .map_err(store_err(format!(
                    "looking up {product} in NVD CPE matches"
                )))?,
        );
        self.cpe.insert(product.to_owned(), Rc::clone(&found));
        Ok(found)
    }
}

/// The affected entry of one matching range (`None` only if [`NVD_CPE`] were not a valid
/// ecosystem name, which it is).
fn affected(range: &CpeRange) -> Option<Affected> {
    let ecosystem = Ecosystem::new(NVD_CPE).ok()?;
    let start = range
        .start_including
        .clone()
        .or_else(|| range.start_excluding.clone())
        .unwrap_or_else(|| "0".to_owned());
    let mut events = vec![Event::Introduced(start)];
    if let Some(f) = &range.end_excluding {
        events.push(Event::Fixed(f.clone()));
    } else if let Some(l) = &range.end_including {
        events.push(Event::LastAffected(l.clone()));
    }
    let exact = range.version.is_some();
    Some(Affected {
        ecosystem,
        package: format!("{}:{}", range.vendor, range.product),
        purl: None,
        ranges: if exact {
            Vec::new()
        } else {
            vec![Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events,
            }]
        },
        versions: range
            .version
            .clone()
            .filter(|_| exact)
            .into_iter()
            .collect(),
        status: if range.end_excluding.is_some() {
            Status::Fixed
        } else {
            Status::NotFixedYet
        },
        severities: Vec::new(),
        vendor_severity: None,
        ecosystem_specific: None,
        database_specific: Some(json!({
            "cpe": range.criteria,
            "range": range.describe(),
        })),
    })
}

/// The hits of one runtime package: one per CVE with a range including its version.
pub(super) fn collect_hits(
    lookups: &mut Lookups<'_>,
    pkg: &Package,
    q: &Query,
    diags: &mut Diagnostics,
) -> Result<Vec<Hit>, ScanError> {
    // CVE → (first product, matching ranges).
    let mut by_cve: BTreeMap<String, (String, Vec<CpeRange>)> = BTreeMap::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut first_error = None;
    for product in &q.names {
        for range in lookups.cpe_ranges(product)?.iter() {
            match range.includes(&q.version) {
                Ok(true) => {
                    let entry = by_cve
                        .entry(range.cve.clone())
                        .or_insert_with(|| (product.clone(), Vec::new()));
                    entry.1.push(range.clone());
                }
                Ok(false) => {}
                Err(e) => {
                    if !skipped.contains(&range.cve) {
                        skipped.push(range.cve.clone());
                    }
                    first_error.get_or_insert_with(|| error_chain(&e));
                }
            }
        }
    }
    if let Some(err) = first_error {
        diags.not_comparable(format!(
            "{} {}: {} NVD CPE matches skipped ({}): {err}",
            pkg.name,
            pkg.version,
            skipped.len(),
            skipped.join(", ")
        ));
    }
    let mut hits = Vec::with_capacity(by_cve.len());
    for (cve, (product, ranges)) in by_cve {
        let Ok(id) = AdvisoryId::new(cve.as_str()) else {
            continue;
        };
        let nvd = lookups.nvd(&cve)?;
        let affected: Vec<Affected> = ranges.iter().filter_map(affected).collect();
        let advisory = Advisory {
            id,
            aliases: Vec::new(),
            related: Vec::new(),
            summary: None,
            details: nvd.as_ref().and_then(|r| r.description.clone()),
            severities: Vec::new(),
            affected,
            references: vec![Reference {
                kind: "ADVISORY".to_owned(),
                url: format!("https://nvd.nist.gov/vuln/detail/{cve}"),
            }],
            published: nvd.as_ref().and_then(|r| r.published.clone()),
            modified: nvd.as_ref().and_then(|r| r.last_modified.clone()),
            withdrawn: None,
            source: "nvd".to_owned(),
        };
        let index = advisory
            .affected
            .iter()
            .position(|a| a.package == product)
            .unwrap_or(0);
        hits.push(Hit {
            advisory,
            ecosystem: NVD_CPE.to_owned(),
            package: product,
            affected: index,
        });
    }
    Ok(hits)
}

/// The matched ranges of a finding's hits, as `CPE RANGE` strings.
pub(super) fn vulnerable_ranges(members: &[&Hit]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in members.iter().filter(|h| h.ecosystem == NVD_CPE) {
        for a in &h.advisory.affected {
            let d = a.database_specific.as_ref();
            let cpe = d.and_then(|d| d.get("cpe")).and_then(|v| v.as_str());
            let range = d.and_then(|d| d.get("range")).and_then(|v| v.as_str());
            if let (Some(cpe), Some(range)) = (cpe, range) {
                let s = format!("{cpe} {range}");
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "cpe_tests.rs"]
mod tests;
