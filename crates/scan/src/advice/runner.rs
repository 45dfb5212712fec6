//! Running the advice: list the base repository's tags, pick candidates ([`super::plan`]),
//! resolve and scan each distinct image once, and rank them ([`super::remediation`]).
//!
//! The registry, the clock, the progress display and the counts cache are the caller's,
//! behind [`AdviceSource`]; everything decided here (what to skip, how many tags to resolve,
//! which images to scan, what the notes say) is policy and has unit tests without a
//! registry.
//!
//! Never fails the scan: every problem (offline, no registry, no tag, unreachable registry)
//! becomes a `SKIPPED` remediation with a note, and a candidate that cannot be read is left
//! out with a note.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use inventory::{ImageIdentity, Inventory};

use super::{
    collapse_aliases, plan, remediation, skipped, BaseImageRemediation, Candidate, Resolved,
};
use crate::matching::ScanOptions;
use crate::model::SeverityCounts;
use crate::scanner::{ScanRequest, Scanner};

/// The whole advice (tag listing, resolving, scanning) stops starting new work after this.
pub const TIME_BUDGET: Duration = Duration::from_secs(60);

/// How many tags are resolved per image scanned, at most: tags beyond it are not looked at.
pub const RESOLVES_PER_SCAN: usize = 4;

/// The note for `--offline`.
pub const OFFLINE_NOTE: &str = "--offline: base image recommendations need the registry";

/// An error of the caller's registry or inventory work, shown in a note.
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// Where the base image is, as the caller read its reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseLocation {
    /// In a registry repository.
    Registry {
        /// The repository path (`library/debian`).
        repository: String,
        /// The tag, when the reference has one.
        tag: Option<String>,
        /// The digest, when the reference pins one.
        digest: Option<String>,
    },
    /// Not in a registry (an archive, a directory).
    NotInRegistry,
    /// The reference does not parse; the message says why.
    Invalid(String),
}

/// What identifies a resolved image: its manifest digest, else its config digest.
fn digest_of(image: &ImageIdentity) -> String {
    image
        .manifest_digest
        .clone()
        .or_else(|| image.config_digest.clone())
        .unwrap_or_default()
}

/// What the advice shows while it works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdviceProgress {
    /// The work starts: this many images at most will be scanned (the current base included).
    Start(u64),
    /// What is being done now (`base image advice: scanning debian:11.11`).
    Doing(String),
    /// One image was scanned.
    Scanned,
    /// The work is over.
    Finish,
}

/// The caller's side of the advice: the base image's registry, the clock, a cache of counts
/// and a progress display.
pub trait AdviceSource {
    /// The tags of the base image's repository.
    fn list_tags(&mut self) -> Result<Vec<String>, SourceError>;
    /// Resolves `tag` of the base image's repository (`None`: the base image as referenced)
    /// to its image's identity.
    fn resolve(&mut self, tag: Option<&str>) -> Result<ImageIdentity, SourceError>;
    /// The inventory of an image [`AdviceSource::resolve`] returned.
    fn inventory(&mut self, image: &ImageIdentity) -> Result<Inventory, SourceError>;
    /// Time since the advice started.
    fn elapsed(&self) -> Duration;
    /// Counts stored under `key` by an earlier run ([`AdviceSource::store_counts`]).
    fn cached_counts(&mut self, key: &str) -> Option<SeverityCounts>;
    /// Keep counts under `key` for later runs (best effort).
    fn store_counts(&mut self, key: &str, counts: &SeverityCounts);
    /// Show progress (default: nothing).
    fn progress(&mut self, event: AdviceProgress) {
        let _ = event;
    }
}

/// How the advice runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdviceOptions {
    /// Scan at most this many distinct candidate images (0: advice is off, `SKIPPED`).
    pub limit: usize,
    /// No registry access: `SKIPPED`.
    pub offline: bool,
    /// Stop starting new resolves and scans after this long.
    pub budget: Duration,
    /// Part of every cache key besides the image and the database's `built_at`: the
    /// database file's size and modification time, so a database rebuilt within the same
    /// second as `built_at` still misses the cache.
    pub db_stamp: String,
}

impl Default for AdviceOptions {
    fn default() -> Self {
        AdviceOptions {
            limit: 8,
            offline: false,
            budget: TIME_BUDGET,
            db_stamp: String::new(),
        }
    }
}

/// Recommend better base images than `base` (`name[:tag]` as the user's scan target names
/// it, e.g. `debian:11.6` or `127.0.0.1:5000/test/debian:11.6`, read by the caller into
/// `location`): candidates from the repository's tags, each distinct image scanned once
/// with `scanner`, ranked against `base`'s own scan. Problems become notes; this never
/// fails.
pub fn recommend(
    base: &str,
    location: BaseLocation,
    scanner: Scanner<'_>,
    source: &mut dyn AdviceSource,
    opts: &AdviceOptions,
) -> BaseImageRemediation {
    if opts.limit == 0 {
        return skipped("--recommend-limit 0 turns base image recommendations off");
    }
    if opts.offline {
        return skipped(OFFLINE_NOTE);
    }
    let (repository, tag, digest) = match location {
        BaseLocation::Registry {
            repository,
            tag,
            digest,
        } => (repository, tag, digest),
        BaseLocation::NotInRegistry => {
            return skipped(format!(
                "the base image {base} is not in a registry, so it has no tags to compare"
            ))
        }
        BaseLocation::Invalid(e) => return skipped(format!("the base image {base}: {e}")),
    };
    if base == "scratch" || repository == "library/scratch" {
        return skipped("the base image is scratch (empty), nothing to upgrade");
    }
    let Some(tag) = tag.or_else(|| digest.is_none().then(|| "latest".to_string())) else {
        return skipped(format!(
            "the base image {base} is pinned by digest without a tag, so it has no version to compare"
        ));
    };
    let built_at = scanner
        .store()
        .meta("built_at")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".into());
    Advisor {
        base,
        tag,
        scanner,
        source,
        opts,
        built_at,
        counts: HashMap::new(),
    }
    .run()
}

struct Advisor<'a, 'b> {
    base: &'a str,
    tag: String,
    scanner: Scanner<'a>,
    source: &'b mut dyn AdviceSource,
    opts: &'a AdviceOptions,
    built_at: String,
    /// Counts by image digest, for this run.
    counts: HashMap<String, SeverityCounts>,
}

/// An error and its causes, `a: b: c`.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

impl Advisor<'_, '_> {
    fn out_of_time(&self) -> bool {
        self.source.elapsed() >= self.opts.budget
    }

    /// `name:tag` in the user's spelling of the repository (`debian:11.11`).
    fn display(&self, tag: &str) -> String {
        let name = self.base.split('@').next().unwrap_or(self.base);
        let repo = match name.rsplit_once(':') {
            Some((left, right)) if !right.contains('/') => left,
            _ => name,
        };
        format!("{repo}:{tag}")
    }

    fn run(mut self) -> BaseImageRemediation {
        let tags = match self.source.list_tags() {
            Ok(t) => t,
            Err(e) => {
                return skipped(format!(
                    "cannot list the tags of {}: {e}",
                    self.display(&self.tag)
                ))
            }
        };
        let proposed = match plan(&self.tag, &tags) {
            Ok(p) => p,
            Err(e) => return skipped(e.to_string()),
        };
        let current = match self.source.resolve(None) {
            Ok(i) => i,
            Err(e) => return skipped(format!("cannot read the base image {}: {e}", self.base)),
        };
        self.source.progress(AdviceProgress::Start(
            (proposed.len().min(self.opts.limit) + 1) as u64,
        ));
        let current_digest = digest_of(&current);
        let current_counts = match self.counts_of(&current, self.base) {
            Ok(c) => c,
            Err(e) => {
                self.source.progress(AdviceProgress::Finish);
                return skipped(format!("cannot scan the base image {}: {e}", self.base));
            }
        };
        let mut notes = Vec::new();

        // Resolve tags in plan order (up to the resolve cap, while time lasts): the first
        // `limit` distinct images (other than the current one) are scanned; tags naming an
        // image already seen join it as aliases.
        let mut resolved: Vec<Resolved> = Vec::new();
        let mut images: HashMap<String, ImageIdentity> = HashMap::new();
        let mut over_limit = HashSet::new();
        let cap = self.opts.limit.saturating_mul(RESOLVES_PER_SCAN).max(8);
        let mut looked = 0usize;
        let mut unreadable = Vec::new();
        for p in &proposed {
            if looked >= cap || self.out_of_time() {
                break;
            }
            looked += 1;
            self.source.progress(AdviceProgress::Doing(format!(
                "base image advice: resolving {}",
                p.info.tag
            )));
            match self.source.resolve(Some(&p.info.tag)) {
                Ok(image) => {
                    let digest = digest_of(&image);
                    if digest == current_digest {
                        continue;
                    }
                    if !images.contains_key(&digest) {
                        if images.len() >= self.opts.limit {
                            over_limit.insert(digest);
                            continue;
                        }
                        images.insert(digest.clone(), image);
                    }
                    resolved.push(Resolved {
                        proposed: p.clone(),
                        digest,
                    });
                }
                Err(e) => unreadable.push(format!("{}: {e}", self.display(&p.info.tag))),
            }
        }
        if !over_limit.is_empty() {
            notes.push(format!(
                "{} more candidate images not scanned (--recommend-limit {})",
                over_limit.len(),
                self.opts.limit
            ));
        }
        if looked < proposed.len() {
            let left = proposed.len() - looked;
            notes.push(if self.out_of_time() {
                format!(
                    "{left} candidate tags not looked at: the {} s time budget ran out",
                    self.opts.budget.as_secs()
                )
            } else {
                format!(
                    "{left} candidate tags not looked at (--recommend-limit {})",
                    self.opts.limit
                )
            });
        }
        if !unreadable.is_empty() {
            notes.push(format!(
                "{} candidate tags could not be read: {}",
                unreadable.len(),
                unreadable.join("; ")
            ));
        }

        let mut scanned = Vec::new();
        let mut not_scanned = 0usize;
        for set in collapse_aliases(resolved) {
            if self.out_of_time() {
                not_scanned += 1;
                continue;
            }
            let Some(image) = images.get(&set.digest) else {
                continue;
            };
            let shown = self.display(&set.tags[0].tag);
            match self.counts_of(image, &shown) {
                Ok(counts) => scanned.push(Candidate {
                    image: shown,
                    tags: set.tags.iter().map(|t| t.tag.clone()).collect(),
                    digest: Some(set.digest.clone()),
                    group: set.group,
                    counts,
                }),
                Err(e) => notes.push(format!("cannot scan {shown}: {e}")),
            }
        }
        self.source.progress(AdviceProgress::Finish);
        if not_scanned > 0 {
            notes.push(format!(
                "{not_scanned} candidate images not scanned: the {} s time budget ran out",
                self.opts.budget.as_secs()
            ));
        }
        remediation(current_counts, scanned, notes)
    }

    /// The cache key of an image's counts: the image, its platform and the database build.
    fn cache_key(&self, image: &ImageIdentity) -> String {
        format!(
            "{}|{}|{}|{}",
            digest_of(image),
            image.platform.as_deref().unwrap_or_default(),
            self.built_at,
            self.opts.db_stamp
        )
    }

    /// The severity counts of one image: from this run's map, the caller's cache, or a scan
    /// (the error text is the whole chain of causes).
    fn counts_of(&mut self, image: &ImageIdentity, shown: &str) -> Result<SeverityCounts, String> {
        let digest = digest_of(image);
        if let Some(c) = self.counts.get(&digest) {
            return Ok(c.clone());
        }
        let key = self.cache_key(image);
        if let Some(c) = self.source.cached_counts(&key) {
            self.counts.insert(digest, c.clone());
            return Ok(c);
        }
        self.source.progress(AdviceProgress::Doing(format!(
            "base image advice: scanning {shown}"
        )));
        let inv = self
            .source
            .inventory(image)
            .map_err(|e| chain(e.as_ref()))?;
        // Counts only: no exploit data, no policy, and no "now" (no age check).
        let request = ScanRequest {
            inventory: &inv,
            options: ScanOptions {
                exploit_data: false,
                ..Default::default()
            },
            policy: None,
            vex: &[],
            now: None,
            docker: None,
        };
        let report = self.scanner.scan(&request).map_err(|e| chain(&e))?;
        let counts = report.severity_counts;
        self.source.progress(AdviceProgress::Scanned);
        self.source.store_counts(&key, &counts);
        self.counts.insert(digest, counts.clone());
        Ok(counts)
    }
}

#[cfg(test)]
mod tests;
