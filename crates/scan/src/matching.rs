//! Matching: installed packages against the advisory store, into findings.
//!
//! Traps, each a false positive, a false negative or a duplicate when got wrong:
//! * **Only the distribution's own feed, for that release** (see [`crate::ecosystem`]):
//!   Debian by source package and source version, Alpine by origin and binary version.
//! * **"Not affected" never becomes a finding.** The Debian tracker's `fixed_version "0"`
//!   (the release never had the code) is stored as not affected and
//!   [`vulndb::matches`] skips it. A `resolved` release whose fixed version is at or below
//!   the installed one is out of the range, so not a finding either.
//! * **Status comes from the fix, then the vendor.** A finding is `fixed` when a fixed
//!   version above the installed one exists; otherwise `will-not-fix` (Debian `<no-dsa>`,
//!   `<ignored>`), `end-of-life`, or `not-fixed`.
//! * **The nearest fixed version** is the smallest fixed version greater than the installed
//!   one across every range of every matching affected entry: with ranges
//!   `[0, 1.19.6)` and `[1.20.0, 1.20.1)`, `1.20.0` is fixed in `1.20.1`, not `1.19.6`.
//! * **One vulnerability, one finding per package.** The same vulnerability reaches a
//!   package through several records (`CVE-…`, `DEBIAN-CVE-…`, `GHSA-…`, `PYSEC-…`); records
//!   are joined through their aliases (and the store's reverse aliases) into one finding whose
//!   id is the CVE when there is one. A record naming *several* CVEs (a DSA or USN covering
//!   many) would join unrelated findings, so it joins nothing and stands alone.
//! * **One finding per installed package**, not per source package: `libssl3` and
//!   `openssl` from the same source are two findings of the same vulnerability (as Snyk
//!   reports them); [`crate::Report::unique_count`] counts vulnerabilities once.
//! * **A version that does not parse is not "unaffected".** The advisory is skipped for that
//!   package with a diagnostic (`S003`), never silently.
//! * **Withdrawn advisories** produce no findings.

mod cpe;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use inventory::{Inventory, Package, PackageId, PackageType};
use vulndb::import::epss::EpssScore;
use vulndb::import::kev::KevEntry;
use vulndb::import::nvd::NvdRecord;
use vulndb::{Advisory, AdvisoryId, SeverityKind, Status, Store};

use crate::diagnostics::{self, Code};
use crate::ecosystem::{self, Query, Unqueryable};
use crate::error::ScanError;
use crate::model::{
    AdvisoryRef, DatabaseInfo, DockerInfo, ExploitData, Finding, FindingStatus, Identifiers,
    ImageSummary, LayerRef, Link, OsSummary, Report, ScanDiagnostic, SeverityCounts, UpgradeStep,
};
use crate::paths::{Graph, PathSet};
use crate::provenance::dockerfile_instruction;
use crate::severity::{rate, VendorLabel};

/// How a scan runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// How many full dependency paths each finding shows (Snyk shows 3).
    pub shown_paths: usize,
    /// At most this many partial paths are expanded per package; beyond it the path count
    /// is a lower bound.
    pub path_cap: usize,
    /// Look up KEV and EPSS data for each finding's CVEs.
    pub exploit_data: bool,
    /// At most this many `S003` diagnostics are kept; later ones are counted.
    pub max_diagnostics: usize,
    /// Drop Go findings whose vulnerable symbols are `absent` from the binary
    /// ([`crate::symbols`]); `unknown` ones stay.
    pub go_symbols_only: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            shown_paths: 3,
            path_cap: 10_000,
            exploit_data: true,
            max_diagnostics: 20,
            go_symbols_only: false,
        }
    }
}

/// Store reads, each done once per scan.
struct Lookups<'s> {
    store: &'s Store,
    advisories: HashMap<(String, String), Rc<Vec<Advisory>>>,
    aliases: HashMap<String, Rc<Vec<String>>>,
    nvd: HashMap<String, Option<Rc<NvdRecord>>>,
    kev: HashMap<String, Option<Rc<KevEntry>>>,
    epss: HashMap<String, Option<EpssScore>>,
    cpe: HashMap<String, Rc<Vec<vulndb::cpe::CpeRange>>>,
}

fn store_err(doing: String) -> impl FnOnce(vulndb::StoreError) -> ScanError {
    move |err| ScanError::Store {
        doing,
        err: Box::new(err),
    }
}

impl<'s> Lookups<'s> {
    fn new(store: &'s Store) -> Self {
        Lookups {
            store,
            advisories: HashMap::new(),
            aliases: HashMap::new(),
            nvd: HashMap::new(),
            kev: HashMap::new(),
            epss: HashMap::new(),
            cpe: HashMap::new(),
        }
    }

    fn advisories(&mut self, eco: &str, name: &str) -> Result<Rc<Vec<Advisory>>, ScanError> {
        let key = (eco.to_owned(), name.to_owned());
        if let Some(v) = self.advisories.get(&key) {
            return Ok(Rc::clone(v));
        }
        let found = self
            .store
            .advisories_for(eco, name)
            .map_err(store_err(format!("looking up {name} in {eco}")))?;
        let found = Rc::new(found);
        self.advisories.insert(key, Rc::clone(&found));
        Ok(found)
    }

    fn aliases(&mut self, id: &str) -> Result<Rc<Vec<String>>, ScanError> {
        if let Some(v) = self.aliases.get(id) {
            return Ok(Rc::clone(v));
        }
        let found = Rc::new(
            self.store
                .aliases_of(id)
                .map_err(store_err(format!("reading the aliases of {id}")))?,
        );
        self.aliases.insert(id.to_owned(), Rc::clone(&found));
        Ok(found)
    }

    fn nvd(&mut self, cve: &str) -> Result<Option<Rc<NvdRecord>>, ScanError> {
        if let Some(v) = self.nvd.get(cve) {
            return Ok(v.clone());
        }
        let found = self
            .store
            .nvd(cve)
            .map_err(store_err(format!("reading NVD data for {cve}")))?
            .map(Rc::new);
        self.nvd.insert(cve.to_owned(), found.clone());
        Ok(found)
    }

    fn kev(&mut self, cve: &str) -> Result<Option<Rc<KevEntry>>, ScanError> {
        if let Some(v) = self.kev.get(cve) {
            return Ok(v.clone());
        }
        let found = self
            .store
            .kev(cve)
            .map_err(store_err(format!("reading KEV data for {cve}")))?
            .map(Rc::new);
        self.kev.insert(cve.to_owned(), found.clone());
        Ok(found)
    }

    fn epss(&mut self, cve: &str) -> Result<Option<EpssScore>, ScanError> {
        if let Some(v) = self.epss.get(cve) {
            return Ok(v.clone());
        }
        let found = self
            .store
            .epss(cve)
            .map_err(store_err(format!("reading EPSS data for {cve}")))?;
        self.epss.insert(cve.to_owned(), found.clone());
        Ok(found)
    }
}

/// One advisory that affects one package: the record, where it matched, and which of its
/// affected entries said so.
struct Hit {
    advisory: Advisory,
    ecosystem: String,
    package: String,
    affected: usize,
}

impl Hit {
    fn matched(&self) -> Option<&vulndb::Affected> {
        self.advisory.affected.get(self.affected)
    }

    /// The entries of this advisory for the same ecosystem and package that are not
    /// "not affected": their fixed versions all count toward the nearest fix.
    fn entries(&self) -> impl Iterator<Item = &vulndb::Affected> {
        let eco = vulndb::Ecosystem::new(self.ecosystem.as_str()).ok();
        let wanted = eco.as_ref().map(|e| e.normalize_package(&self.package));
        self.advisory.affected.iter().filter(move |a| {
            a.ecosystem.as_str() == self.ecosystem
                && Some(a.normalized_package()) == wanted
                && a.status != Status::NotAffected
        })
    }
}

fn is_cve(id: &str) -> bool {
    AdvisoryId::new(id).is_ok_and(|i| i.is_cve())
}

/// A small union-find over identifier strings.
#[derive(Default)]
struct Joined {
    parent: HashMap<String, String>,
}

impl Joined {
    fn find(&mut self, id: &str) -> String {
        let mut cur = id.to_owned();
        let mut seen = Vec::new();
        while let Some(p) = self.parent.get(&cur) {
            if *p == cur {
                break;
            }
            seen.push(cur.clone());
            cur = p.clone();
        }
        for s in seen {
            self.parent.insert(s, cur.clone());
        }
        self.parent
            .entry(cur.clone())
            .or_insert_with(|| cur.clone());
        cur
    }

    fn union(&mut self, a: &str, b: &str) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so the result does not depend on the order of unions.
            let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent.insert(other, keep);
        }
    }
}

/// Every identifier a hit is known by: its id, its aliases and the store's reverse aliases.
fn ids_of(hit: &Hit, lookups: &mut Lookups<'_>) -> Result<BTreeSet<String>, ScanError> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    ids.insert(hit.advisory.id.to_string());
    ids.extend(hit.advisory.aliases.iter().cloned());
    ids.extend(lookups.aliases(hit.advisory.id.as_str())?.iter().cloned());
    Ok(ids)
}

/// Hits that are the same vulnerability.
struct Group {
    /// Indexes into the hits, ascending.
    members: Vec<usize>,
    /// Every id the members are known by.
    ids: BTreeSet<String>,
    /// A lone advisory naming several CVEs, which joined nothing.
    many_cves: bool,
}

/// Groups hits that are the same vulnerability, and drops a many-CVE advisory whose CVEs
/// all have findings of their own.
fn group(hits: &[Hit], lookups: &mut Lookups<'_>) -> Result<Vec<Group>, ScanError> {
    let mut joined = Joined::default();
    let mut hit_ids = Vec::with_capacity(hits.len());
    let mut many = Vec::with_capacity(hits.len());
    for hit in hits {
        let id = hit.advisory.id.as_str();
        let ids = ids_of(hit, lookups)?;
        let cves = ids.iter().filter(|i| is_cve(i)).count();
        joined.find(id);
        if cves <= 1 {
            for other in &ids {
                joined.union(id, other);
            }
        }
        many.push(cves > 1);
        hit_ids.push(ids);
    }
    let mut groups: Vec<(String, Group)> = Vec::new();
    for (k, hit) in hits.iter().enumerate() {
        let root = joined.find(hit.advisory.id.as_str());
        let ids = &hit_ids[k];
        match groups.iter_mut().find(|(r, _)| *r == root) {
            Some((_, g)) => {
                g.members.push(k);
                g.ids.extend(ids.iter().cloned());
                g.many_cves = false;
            }
            None => groups.push((
                root,
                Group {
                    members: vec![k],
                    ids: ids.clone(),
                    many_cves: many[k],
                },
            )),
        }
    }
    let groups: Vec<Group> = groups.into_iter().map(|(_, g)| g).collect();
    let covered = |g: &Group| {
        g.ids
            .iter()
            .filter(|i| is_cve(i))
            .all(|cve| groups.iter().any(|o| !o.many_cves && o.ids.contains(cve)))
    };
    let keep: Vec<bool> = groups
        .iter()
        .map(|g| !(g.many_cves && covered(g)))
        .collect();
    Ok(groups
        .into_iter()
        .zip(keep)
        .filter_map(|(g, k)| k.then_some(g))
        .collect())
}

struct Diagnostics {
    list: Vec<ScanDiagnostic>,
    not_comparable: usize,
    max: usize,
    /// RustSec informational advisories that matched but are not findings
    /// (`crate version: ID (kind)`), see [`crate::rustsec`].
    informational: Vec<String>,
}

impl Diagnostics {
    fn push(&mut self, code: Code, message: String) {
        self.list.push(ScanDiagnostic {
            code: code.code.to_owned(),
            message,
        });
    }

    fn not_comparable(&mut self, message: String) {
        self.not_comparable += 1;
        if self.not_comparable <= self.max {
            self.push(diagnostics::NOT_COMPARABLE, message);
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut s = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        s.push_str(": ");
        s.push_str(&e.to_string());
        source = e.source();
    }
    s
}

fn collect_hits(
    lookups: &mut Lookups<'_>,
    pkg: &Package,
    q: &Query,
    image_os: Option<&str>,
    diags: &mut Diagnostics,
) -> Result<Vec<Hit>, ScanError> {
    let mut hits: Vec<Hit> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut first_error = None;
    for eco in &q.ecosystems {
        for name in &q.names {
            let advisories = lookups.advisories(eco, name)?;
            for adv in advisories.iter() {
                if hits.iter().any(|h| h.advisory.id == adv.id) {
                    continue;
                }
                match vulndb::matches(adv, eco, name, &q.version) {
                    Ok(Some(aff)) => {
                        match crate::rustsec::skip(aff, image_os) {
                            Some(crate::rustsec::Skip::Informational(kind)) => {
                                diags.informational.push(format!(
                                    "{} {}: {} ({kind})",
                                    pkg.name, pkg.version, adv.id
                                ));
                                continue;
                            }
                            Some(crate::rustsec::Skip::OtherPlatform) => continue,
                            None => {}
                        }
                        let affected = adv
                            .affected
                            .iter()
                            .position(|a| std::ptr::eq(a, aff))
                            .unwrap_or(0);
                        hits.push(Hit {
                            advisory: adv.clone(),
                            ecosystem: eco.clone(),
                            package: name.clone(),
                            affected,
                        });
                    }
                    Ok(None) => {}
                    Err(e) => {
                        skipped.push(adv.id.to_string());
                        first_error.get_or_insert_with(|| error_chain(&e));
                    }
                }
            }
        }
    }
    if let Some(err) = first_error {
        diags.not_comparable(format!(
            "{} {}: {} advisories skipped ({}): {err}",
            pkg.name,
            pkg.version,
            skipped.len(),
            skipped.join(", ")
        ));
    }
    Ok(hits)
}

fn source_name(pkg: &Package) -> &str {
    pkg.source_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&pkg.name)
}

/// Snyk's display name: `source/binary` for OS packages whose source differs.
fn display_name(pkg: &Package) -> String {
    let is_os = pkg.package_type.is_some_and(|t| t.is_os());
    let source = source_name(pkg);
    if is_os && source != pkg.name {
        format!("{source}/{}", pkg.name)
    } else {
        pkg.name.clone()
    }
}

fn label(pkg: &Package) -> String {
    format!("{}@{}", display_name(pkg), pkg.version)
}

/// `(projectName, root of from)` for a target as given: `debian:12` →
/// (`docker-image|debian`, `docker-image|debian@12`).
fn image_root(target: &str) -> (String, String) {
    const TRANSPORTS: [&str; 5] = [
        "docker-archive:",
        "oci-archive:",
        "oci-dir:",
        "dir:",
        "sbom:",
    ];
    if let Some(rest) = TRANSPORTS.iter().find_map(|t| target.strip_prefix(t)) {
        let path = rest.trim_end_matches('/');
        let base = path.rsplit('/').next().unwrap_or(path);
        let name = format!("docker-image|{base}");
        return (name.clone(), name);
    }
    let (repo, version) = match target.split_once('@') {
        Some((repo, digest)) => (repo, Some(digest)),
        None => {
            let slash = target.rfind('/').map_or(0, |i| i + 1);
            match target[slash..].rfind(':') {
                Some(c) => (&target[..slash + c], Some(&target[slash + c + 1..])),
                None => (target, None),
            }
        }
    };
    let project = format!("docker-image|{repo}");
    let root = match version {
        Some(v) if !v.is_empty() => format!("{project}@{v}"),
        _ => project.clone(),
    };
    (project, root)
}

fn sort_versions(scheme: version::Scheme, versions: &mut Vec<String>) {
    versions.sort_by(|a, b| version::compare(scheme, a, b).unwrap_or_else(|_| a.cmp(b)));
    versions.dedup();
}

struct Context<'a> {
    inv: &'a Inventory,
    opts: &'a ScanOptions,
    root: &'a str,
}

/// The installed package a finding is about.
struct Installed<'a> {
    id: PackageId,
    pkg: &'a Package,
    package_type: PackageType,
}

fn build_finding(
    ctx: &Context<'_>,
    lookups: &mut Lookups<'_>,
    installed: &Installed<'_>,
    q: &Query,
    members: &[&Hit],
    many_cves: bool,
    paths: &PathSet,
) -> Result<Finding, ScanError> {
    let pkg = installed.pkg;
    // Identifiers.
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for h in members {
        ids.extend(ids_of(h, lookups)?);
    }
    let cves: Vec<String> = ids.iter().filter(|i| is_cve(i)).cloned().collect();
    for cve in &cves {
        ids.extend(lookups.aliases(cve)?.iter().cloned());
    }
    // A lone advisory naming several CVEs is none of them: it keeps its own id.
    let primary = (!many_cves)
        .then(|| cves.first())
        .flatten()
        .or_else(|| ids.iter().find(|i| i.starts_with("GHSA-")))
        .cloned()
        .unwrap_or_else(|| members[0].advisory.id.to_string());
    let mut cwe: BTreeSet<String> = BTreeSet::new();
    for h in members {
        for a in h.entries() {
            let list = a
                .database_specific
                .as_ref()
                .and_then(|d| d.get("cwe_ids"))
                .and_then(|c| c.as_array());
            for c in list.into_iter().flatten().filter_map(|c| c.as_str()) {
                cwe.insert(c.to_owned());
            }
        }
    }
    let identifiers = Identifiers {
        cve: cves.clone(),
        cwe: cwe.into_iter().collect(),
        alias: ids
            .iter()
            .filter(|i| !is_cve(i) && **i != primary)
            .cloned()
            .collect(),
    };

    // Fix state.
    let mut fixed_in: Vec<String> = members
        .iter()
        .flat_map(|h| h.entries().flat_map(|a| a.fixed_versions()))
        .map(str::to_owned)
        .collect();
    sort_versions(q.scheme, &mut fixed_in);
    let nearest = fixed_in
        .iter()
        .find(|f| {
            version::compare(q.scheme, f, &q.version)
                .is_ok_and(|o| o == std::cmp::Ordering::Greater)
        })
        .cloned();
    let statuses: Vec<Status> = members
        .iter()
        .filter_map(|h| h.matched().map(|a| a.status))
        .collect();
    let status = if nearest.is_some() {
        FindingStatus::Fixed
    } else if statuses.contains(&Status::WillNotFix) {
        FindingStatus::WillNotFix
    } else if statuses.contains(&Status::EndOfLife) {
        FindingStatus::EndOfLife
    } else {
        FindingStatus::NotFixed
    };

    // Severity.
    let mut vendor = Vec::new();
    let mut cvss: Vec<&vulndb::Severity> = Vec::new();
    for h in members {
        if let Some(a) = h.matched() {
            if let Some(label) = &a.vendor_severity {
                vendor.push(VendorLabel {
                    vendor: a.ecosystem.name().to_ascii_lowercase(),
                    label: label.clone(),
                });
            }
        }
        let own = h.advisory.severities.iter();
        let per_package = h.matched().into_iter().flat_map(|a| a.severities.iter());
        for s in own.chain(per_package) {
            match &s.kind {
                SeverityKind::Vendor(name) => vendor.push(VendorLabel {
                    vendor: name.clone(),
                    label: s.vector_or_label.clone(),
                }),
                _ => cvss.push(s),
            }
        }
    }
    let mut nvd_record = None;
    for cve in &cves {
        if let Some(r) = lookups.nvd(cve)? {
            if !r.severities.is_empty() || nvd_record.is_none() {
                let has = !r.severities.is_empty();
                nvd_record = Some(r);
                if has {
                    break;
                }
            }
        }
    }
    let nvd_sev: &[vulndb::Severity] = nvd_record.as_ref().map_or(&[], |r| &r.severities);
    let rated = rate(&vendor, &cvss, nvd_sev);

    // Text and links.
    let title = members
        .iter()
        .find_map(|h| h.advisory.summary.clone())
        .or_else(|| {
            members
                .iter()
                .find_map(|h| h.advisory.details.as_deref())
                .or_else(|| nvd_record.as_ref().and_then(|r| r.description.as_deref()))
                .and_then(short_title)
        })
        .unwrap_or_else(|| primary.clone());
    let description = members
        .iter()
        .find_map(|h| h.advisory.details.clone())
        .or_else(|| nvd_record.as_ref().and_then(|r| r.description.clone()));
    let mut references: Vec<Link> = Vec::new();
    for h in members {
        for r in &h.advisory.references {
            if !references.iter().any(|l| l.url == r.url) {
                references.push(Link {
                    title: r.kind.clone(),
                    url: r.url.clone(),
                });
            }
        }
    }
    let url = members
        .iter()
        .flat_map(|h| h.advisory.references.iter())
        .find(|r| r.kind == "ADVISORY")
        .map(|r| r.url.clone())
        .unwrap_or_else(|| format!("https://osv.dev/vulnerability/{}", members[0].advisory.id));

    // Exploit data.
    let mut exploit = ExploitData::default();
    if ctx.opts.exploit_data {
        for cve in &cves {
            if let (false, Some(k)) = (exploit.kev, lookups.kev(cve)?) {
                exploit.kev = true;
                exploit.kev_date_added = Some(k.date_added.clone());
                exploit.kev_due_date = Some(k.due_date.clone()).filter(|d| !d.is_empty());
                exploit.known_ransomware = k.known_ransomware;
            }
            if let Some(e) = lookups.epss(cve)? {
                if exploit.epss.is_none_or(|old| e.epss > old) {
                    exploit.epss = Some(e.epss);
                    exploit.epss_percentile = Some(e.percentile);
                }
            }
        }
    }

    // Times.
    let publication_time = members
        .iter()
        .filter_map(|h| h.advisory.published.clone())
        .min();
    let modification_time = members
        .iter()
        .filter_map(|h| h.advisory.modified.clone())
        .max();
    let disclosure_time = nvd_record
        .as_ref()
        .and_then(|r| r.published.clone())
        .or_else(|| publication_time.clone());

    // Paths.
    let labels = |ids: &[PackageId]| -> Vec<String> {
        ids.iter()
            .filter_map(|&i| ctx.inv.package(i))
            .map(label)
            .collect()
    };
    let shown: Vec<Vec<String>> = paths.shown.iter().map(|p| labels(p)).collect();
    let mut from = vec![ctx.root.to_owned()];
    from.extend(shown.first().cloned().unwrap_or_else(|| vec![label(pkg)]));
    let name = display_name(pkg);
    let upgrade_path = match &nearest {
        Some(v) => {
            let mut steps = vec![UpgradeStep::Keep(false); from.len()];
            if let Some(last) = steps.last_mut() {
                *last = UpgradeStep::To(format!("{name}@{v}"));
            }
            steps
        }
        None => Vec::new(),
    };

    let vulnerable_symbols = (installed.package_type == PackageType::Golang).then(|| {
        let listed = crate::symbols::listed(
            members
                .iter()
                .flat_map(|h| h.entries())
                .filter_map(|a| a.ecosystem_specific.as_ref()),
        );
        crate::symbols::check(pkg, &listed)
    });

    let is_os = installed.package_type.is_os();
    Ok(Finding {
        id: primary,
        title,
        description,
        severity: rated.severity,
        severity_source: rated.source,
        vendor_severity: rated.vendor_label,
        cvss_score: rated.cvss_score,
        cvss_vector: rated.cvss_vector,
        cvss_v3: rated.cvss_v3,
        identifiers,
        advisories: members
            .iter()
            .map(|h| AdvisoryRef {
                id: h.advisory.id.to_string(),
                source: h.advisory.source.clone(),
                ecosystem: h.ecosystem.clone(),
            })
            .collect(),
        url,
        references,
        package: Some(installed.id),
        package_name: if is_os {
            source_name(pkg).to_owned()
        } else {
            pkg.name.clone()
        },
        name,
        binary_name: pkg.name.clone(),
        version: pkg.version.clone(),
        package_type: installed.package_type,
        package_manager: q.label.clone(),
        ecosystem: members[0].ecosystem.clone(),
        purl: pkg.purl.clone(),
        status,
        is_upgradable: nearest.is_some(),
        nearest_fixed_in_version: nearest,
        vulnerable_ranges: cpe::vulnerable_ranges(members),
        fixed_in,
        upgrade_path,
        from,
        introduced_through: labels(&paths.introduced_through),
        paths: shown,
        more_paths: paths.more,
        paths_truncated: paths.truncated,
        layer: pkg.introduced.as_ref().map(|i| LayerRef {
            index: i.layer_index,
            digest: i.layer_digest.clone(),
            diff_id: i.diff_id.clone(),
            created_by: i.created_by.clone(),
        }),
        dockerfile_instruction: pkg
            .introduced
            .as_ref()
            .and_then(|i| i.created_by.as_deref())
            .and_then(dockerfile_instruction),
        dockerfile_line: None,
        docker_base_image: None,
        vulnerable_symbols,
        exploit_data: exploit,
        publication_time,
        disclosure_time,
        modification_time,
    })
}

/// Longest title made from an advisory's details when it has no summary.
const TITLE_MAX: usize = 120;

/// A title from free text: its first non-empty line, cut after the first sentence, and at a
/// word boundary (with `…`) when still longer than [`TITLE_MAX`] characters. PyPA and GHSA
/// details are often one long paragraph; Snyk shows a short title.
fn short_title(details: &str) -> Option<String> {
    let line = details.lines().map(str::trim).find(|l| !l.is_empty())?;
    let sentence = match line.find(". ") {
        Some(i) => &line[..i + 1],
        None => line,
    };
    if sentence.chars().count() <= TITLE_MAX {
        return Some(sentence.to_owned());
    }
    let cut: String = sentence.chars().take(TITLE_MAX).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > TITLE_MAX / 2 => &cut[..i],
        _ => &cut[..],
    };
    Some(format!("{}…", cut.trim_end_matches([',', ';', ':', ' '])))
}

/// Matches every package of `inv` against `store` and returns the report.
///
/// Per-package problems (no feed for the OS, a version that does not parse) are
/// diagnostics in the report; only failures to read the store are errors.
///
/// # Errors
/// [`ScanError::Store`] when the store cannot be read, naming the lookup.
pub fn scan(inv: &Inventory, store: &Store, opts: &ScanOptions) -> Result<Report, ScanError> {
    let feed = inv.os.as_ref().and_then(ecosystem::os_feed);
    let graph = Graph::new(inv);
    let (project_name, root) = image_root(&inv.image.identity.name);
    let ctx = Context {
        inv,
        opts,
        root: &root,
    };
    let mut lookups = Lookups::new(store);
    let mut diags = Diagnostics {
        list: Vec::new(),
        not_comparable: 0,
        max: opts.max_diagnostics,
        informational: Vec::new(),
    };
    // The image's OS as its platform says (`linux` of `linux/amd64`), for advisories limited
    // to some operating systems; unknown for `dir:` and `sbom:` targets.
    let image_os = inv
        .image
        .identity
        .platform
        .as_deref()
        .and_then(|p| p.split('/').next())
        .filter(|os| !os.is_empty());
    let mut findings: Vec<Finding> = Vec::new();
    let (mut tested, mut no_feed, mut unqueryable) = (0usize, 0usize, 0usize);
    let mut not_registry = 0usize;
    // Per candidate-ecosystem list: how many packages were looked up in it.
    let mut needed: BTreeMap<Vec<String>, usize> = BTreeMap::new();

    for (id, pkg) in inv.packages_with_ids() {
        let q = match ecosystem::query(pkg, feed.as_ref()) {
            Ok(q) => q,
            Err(Unqueryable::NoOsFeed) => {
                no_feed += 1;
                continue;
            }
            Err(Unqueryable::NotFromRegistry) => {
                not_registry += 1;
                continue;
            }
            Err(Unqueryable::NoEcosystem | Unqueryable::NoVersion) => {
                unqueryable += 1;
                continue;
            }
        };
        // `query` answers only for packages of a known type (else `NoEcosystem`).
        let Some(package_type) = pkg.package_type else {
            unqueryable += 1;
            continue;
        };
        tested += 1;
        *needed.entry(q.ecosystems.clone()).or_default() += 1;
        let hits = if package_type == PackageType::Binary {
            cpe::collect_hits(&mut lookups, pkg, &q, &mut diags)?
        } else {
            collect_hits(&mut lookups, pkg, &q, image_os, &mut diags)?
        };
        if hits.is_empty() {
            continue;
        }
        let paths = graph.paths(id, opts.shown_paths, opts.path_cap);
        let installed = Installed {
            id,
            pkg,
            package_type,
        };
        for group in group(&hits, &mut lookups)? {
            let members: Vec<&Hit> = group.members.iter().filter_map(|&k| hits.get(k)).collect();
            if members.is_empty() {
                continue;
            }
            findings.push(build_finding(
                &ctx,
                &mut lookups,
                &installed,
                &q,
                &members,
                group.many_cves,
                &paths,
            )?);
        }
    }

    if no_feed > 0 {
        let os = inv.os.as_ref().map_or_else(
            || "an unrecognised OS".to_owned(),
            |o| {
                format!(
                    "{} {}",
                    o.id,
                    o.version_id.as_deref().unwrap_or("(no version)")
                )
            },
        );
        diags.push(
            diagnostics::NO_OS_FEED,
            format!("{no_feed} OS packages not checked: no advisory feed for {os}"),
        );
    }
    for (ecosystems, count) in &needed {
        let mut covered = false;
        for e in ecosystems {
            if e == ecosystem::NVD_CPE {
                covered |= store.has_cpe_ranges().map_err(|err| ScanError::Store {
                    doing: "checking the database for NVD CPE matches".to_owned(),
                    err: Box::new(err),
                })?;
                continue;
            }
            covered |= store.has_ecosystem(e).map_err(|err| ScanError::Store {
                doing: format!("checking the database for {e}"),
                err: Box::new(err),
            })?;
        }
        if !covered {
            diags.push(
                diagnostics::EMPTY_FEED,
                format!(
                    "the database has no advisories for {}: {count} {} checked against nothing \
                     (run `shipshape db update`, or `db import` that feed)",
                    ecosystems.join(" or "),
                    if *count == 1 {
                        "package was"
                    } else {
                        "packages were"
                    }
                ),
            );
        }
    }
    if unqueryable > 0 {
        diags.push(
            diagnostics::NOT_QUERYABLE,
            format!("{unqueryable} packages not checked: no known ecosystem or no version"),
        );
    }
    if not_registry > 0 {
        diags.push(
            diagnostics::NOT_QUERYABLE,
            format!(
                "{not_registry} packages not checked: not from their ecosystem's registry \
                 (a Rust binary's own crate, git or path dependencies)"
            ),
        );
    }
    if !diags.informational.is_empty() {
        let list = std::mem::take(&mut diags.informational);
        diags.push(
            diagnostics::RUSTSEC_INFORMATIONAL,
            format!(
                "{} informational RustSec advisories are not findings: {}",
                list.len(),
                list.join(", ")
            ),
        );
    }
    if diags.not_comparable > diags.max {
        let more = diags.not_comparable - diags.max;
        diags.push(
            diagnostics::NOT_COMPARABLE,
            format!(
                "{more} more packages had advisories skipped because versions were not comparable"
            ),
        );
    }

    if opts.go_symbols_only {
        findings.retain(|f| {
            f.vulnerable_symbols
                .as_ref()
                .is_none_or(|v| v.status != crate::symbols::SymbolStatus::Absent)
        });
    }
    findings.sort_by(Finding::report_order);
    let unique: BTreeSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    let unique_count = unique.len();
    let path_total: usize = findings
        .iter()
        .map(|f| (f.paths.len() + f.more_paths).max(1))
        .sum();
    let package_manager = inv
        .packages
        .iter()
        .filter_map(|p| p.package_type)
        .find(|t| t.is_os())
        .or_else(|| inv.packages.iter().find_map(|p| p.package_type))
        .map(|t| t.as_str().to_owned());
    let built_at = store
        .meta("built_at")
        .map_err(store_err("reading the database build time".to_owned()))?;

    Ok(Report {
        ok: findings.is_empty(),
        severity_counts: SeverityCounts::of(&findings),
        summary: if findings.is_empty() {
            "No known vulnerabilities".to_owned()
        } else {
            format!("{path_total} vulnerable dependency paths")
        },
        vulnerabilities: findings,
        dependency_count: tested,
        unique_count,
        package_manager,
        target_file: None,
        project_name,
        os: inv.os.as_ref().map(|o| OsSummary {
            id: o.id.clone(),
            version_id: o.version_id.clone(),
            pretty_name: o.pretty_name.clone(),
            ecosystems: feed
                .as_ref()
                .map(|f| f.ecosystems.clone())
                .unwrap_or_default(),
        }),
        image: ImageSummary {
            identity: inv.image.identity.clone(),
            layer_count: inv.layers.len(),
        },
        docker: DockerInfo::default(),
        database: DatabaseInfo {
            path: store.path().display().to_string(),
            built_at,
            stale: false,
        },
        diagnostics: diags.list,
        suppressed: Vec::new(),
        suppressed_count: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates the Snyk-style project name and root of `from` for each target form.
    #[test]
    fn image_roots() {
        let cases = [
            ("debian:12", "docker-image|debian", "docker-image|debian@12"),
            ("debian", "docker-image|debian", "docker-image|debian"),
            (
                "localhost:5000/app:v1",
                "docker-image|localhost:5000/app",
                "docker-image|localhost:5000/app@v1",
            ),
            (
                "localhost:5000/app",
                "docker-image|localhost:5000/app",
                "docker-image|localhost:5000/app",
            ),
            (
                "alpine@sha256:abc",
                "docker-image|alpine",
                "docker-image|alpine@sha256:abc",
            ),
            (
                "docker-archive:/tmp/x/img.tar",
                "docker-image|img.tar",
                "docker-image|img.tar",
            ),
        ];
        for (target, project, root) in cases {
            assert_eq!(
                image_root(target),
                (project.into(), root.into()),
                "{target}"
            );
        }
    }

    /// Validates that joining ids does not depend on the order of unions.
    #[test]
    fn joined_is_order_independent() {
        let mut a = Joined::default();
        a.union("GHSA-1", "CVE-1");
        a.union("PYSEC-1", "CVE-1");
        let mut b = Joined::default();
        b.union("PYSEC-1", "CVE-1");
        b.union("GHSA-1", "CVE-1");
        for id in ["GHSA-1", "PYSEC-1", "CVE-1"] {
            assert_eq!(a.find(id), b.find(id));
        }
        assert_ne!(a.find("GHSA-2"), a.find("CVE-1"));
    }
}

#[cfg(test)]
mod title_tests {
    use super::short_title;

    /// Validates titles made from details: first sentence, word-boundary cut, short text kept.
    #[test]
    fn titles_from_details() {
        assert_eq!(
            short_title("\n  Out-of-bounds write in X.  \nMore."),
            Some("Out-of-bounds write in X.".into())
        );
        assert_eq!(
            short_title("urllib3 is a user-friendly HTTP client library for Python. urllib3 doesn't treat the Cookie header special."),
            Some("urllib3 is a user-friendly HTTP client library for Python.".into())
        );
        let long = "A vulnerability was identified in the kjd/idna library, specifically within the `idna.encode()` function, affecting version 3.6 and all earlier releases of the package";
        let t = short_title(long).unwrap();
        assert!(t.ends_with('…') && t.chars().count() <= 121, "{t}");
        assert!(long.starts_with(t.trim_end_matches('…')), "{t}");
        assert_eq!(short_title("  \n "), None);
        assert_eq!(
            short_title("version 1.2.3 is affected"),
            Some("version 1.2.3 is affected".into())
        );
    }
}
