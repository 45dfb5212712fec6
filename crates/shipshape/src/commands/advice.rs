//! Base image recommendations for `scan`: list the base repository's tags, pick candidates
//! ([`scan::advice::plan`]), resolve and scan each distinct image once, and rank them
//! ([`scan::advice::remediation`]).
//!
//! Never fails the scan: every problem (offline, no registry, no tag, unreachable registry)
//! becomes a `SKIPPED` remediation with a note, and a candidate that cannot be read is left
//! out with a note.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use scan::advice::{self, BaseImageRemediation, Candidate, Resolved};
use scan::SeverityCounts;

use crate::cli::{GlobalArgs, ScanArgs};
use crate::printer::Printer;

/// The whole advice (tag listing, resolving, scanning) stops starting new work after this.
pub const TIME_BUDGET: Duration = Duration::from_secs(60);

/// How many tags are resolved per image scanned, at most: tags beyond it are not looked at.
const RESOLVES_PER_SCAN: usize = 4;

/// What [`recommend`] needs besides the base image and the store.
#[derive(Clone, Debug)]
pub struct AdviceOptions {
    /// Scan at most this many distinct candidate images (0: advice is off, `SKIPPED`).
    pub limit: usize,
    /// `--offline`: no registry access, `SKIPPED`.
    pub offline: bool,
    /// Platform and insecure registries, as for the scan target.
    pub resolve: oci::ResolveOptions,
    /// Stop starting new resolves and scans after this long.
    pub budget: Duration,
    /// Where per-image counts are kept between runs, keyed by manifest digest, platform, the
    /// database's `built_at` and [`AdviceOptions::db_stamp`]; `None` for no disk cache.
    pub cache_dir: Option<PathBuf>,
    /// The database file's size and modification time, so a database rebuilt within the
    /// same second as `built_at` still misses the cache.
    pub db_stamp: String,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
}

impl AdviceOptions {
    /// The options of a `scan` run: its limit, `--offline`, `--platform`,
    /// `--insecure-registry`, and a cache beside the database `db`.
    pub fn from_scan(
        global: &GlobalArgs,
        args: &ScanArgs,
        db: &std::path::Path,
        printer: &Printer,
    ) -> AdviceOptions {
        // The target was read with the same --platform, so it parses.
        let platform = args
            .target
            .platform
            .as_deref()
            .and_then(|p| p.parse::<oci::Platform>().ok());
        AdviceOptions {
            limit: args.recommend_limit,
            offline: global.offline,
            resolve: oci::ResolveOptions {
                platform,
                insecure_registries: args.target.insecure_registry.clone(),
                ..Default::default()
            },
            budget: TIME_BUDGET,
            cache_dir: Some(vulndb::update::cache_dir_for(db).join("base-advice")),
            db_stamp: std::fs::metadata(db)
                .map(|m| {
                    let modified = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| d.as_nanos())
                        .unwrap_or_default();
                    format!("{}-{modified}", m.len())
                })
                .unwrap_or_default(),
            progress: printer.show_progress(),
        }
    }
}

/// The note for `--offline`.
pub const OFFLINE_NOTE: &str = "--offline: base image recommendations need the registry";

/// Recommend better base images than `base` (`name[:tag]` as a scan target is written,
/// e.g. `debian:11.6` or `127.0.0.1:5000/test/debian:11.6`): candidates from the repository's
/// tags, each distinct manifest scanned once against `store`, ranked against `base`'s own
/// scan. Problems become notes; this never fails.
pub fn recommend(base: &str, store: &vulndb::Store, opts: &AdviceOptions) -> BaseImageRemediation {
    if opts.limit == 0 {
        return advice::skipped("--recommend-limit 0 turns base image recommendations off");
    }
    if opts.offline {
        return advice::skipped(OFFLINE_NOTE);
    }
    let reference = match oci::Target::parse(base) {
        Ok(oci::Target::Registry(r)) => r,
        Ok(_) => {
            return advice::skipped(format!(
                "the base image {base} is not in a registry, so it has no tags to compare"
            ))
        }
        Err(e) => return advice::skipped(format!("the base image {base}: {e}")),
    };
    if base == "scratch" || reference.repository == "library/scratch" {
        return advice::skipped("the base image is scratch (empty), nothing to upgrade");
    }
    let Some(tag) = reference
        .tag
        .clone()
        .or_else(|| reference.digest.is_none().then(|| "latest".to_string()))
    else {
        return advice::skipped(format!(
            "the base image {base} is pinned by digest without a tag, so it has no version to compare"
        ));
    };
    Advisor::new(base, reference, tag, store, opts).run()
}

struct Advisor<'a> {
    base: &'a str,
    reference: oci::Reference,
    tag: String,
    store: &'a vulndb::Store,
    opts: &'a AdviceOptions,
    started: Instant,
    built_at: String,
    /// Counts by manifest digest, for this run.
    counts: HashMap<String, SeverityCounts>,
}

impl<'a> Advisor<'a> {
    fn new(
        base: &'a str,
        reference: oci::Reference,
        tag: String,
        store: &'a vulndb::Store,
        opts: &'a AdviceOptions,
    ) -> Advisor<'a> {
        let built_at = store
            .meta("built_at")
            .ok()
            .flatten()
            .unwrap_or_else(|| "unknown".into());
        Advisor {
            base,
            reference,
            tag,
            store,
            opts,
            started: Instant::now(),
            built_at,
            counts: HashMap::new(),
        }
    }

    fn out_of_time(&self) -> bool {
        self.started.elapsed() >= self.opts.budget
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

    fn at(&self, tag: &str) -> oci::Target {
        oci::Target::Registry(oci::Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.reference.clone()
        })
    }

    fn run(mut self) -> BaseImageRemediation {
        let tags = match oci::list_tags(&self.reference, &self.opts.resolve) {
            Ok(t) => t,
            Err(e) => {
                return advice::skipped(format!(
                    "cannot list the tags of {}: {e}",
                    self.display(&self.tag)
                ))
            }
        };
        let proposed = match advice::plan(&self.tag, &tags) {
            Ok(p) => p,
            Err(e) => return advice::skipped(e.to_string()),
        };
        let current_target = oci::Target::Registry(self.reference.clone());
        let current = match current_target.resolve(&self.opts.resolve) {
            Ok(i) => i,
            Err(e) => {
                return advice::skipped(format!("cannot read the base image {}: {e}", self.base))
            }
        };
        let current_digest = digest_of(&current);
        let bar = self.bar(proposed.len());
        let current_counts = match self.counts_of(&current, self.base, bar.as_ref()) {
            Ok(c) => c,
            Err(e) => {
                finish(bar);
                return advice::skipped(format!("cannot scan the base image {}: {e:#}", self.base));
            }
        };
        let mut notes = Vec::new();

        // Resolve tags in plan order (up to the resolve cap, while time lasts): the first
        // `limit` distinct images (other than the current one) are scanned; tags naming an
        // image already seen join it as aliases.
        let mut resolved: Vec<Resolved> = Vec::new();
        let mut images: HashMap<String, oci::Image> = HashMap::new();
        let mut over_limit = std::collections::HashSet::new();
        let cap = self.opts.limit.saturating_mul(RESOLVES_PER_SCAN).max(8);
        let mut looked = 0usize;
        let mut unreadable = Vec::new();
        for p in &proposed {
            if looked >= cap || self.out_of_time() {
                break;
            }
            looked += 1;
            if let Some(b) = &bar {
                b.set_message(format!("base image advice: resolving {}", p.info.tag));
            }
            match self.at(&p.info.tag).resolve(&self.opts.resolve) {
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

        let sets = advice::collapse_aliases(resolved);
        let mut scanned = Vec::new();
        let mut not_scanned = 0usize;
        for set in sets {
            if self.out_of_time() {
                not_scanned += 1;
                continue;
            }
            let Some(image) = images.get(&set.digest) else {
                continue;
            };
            let shown = self.display(&set.tags[0].tag);
            match self.counts_of(image, &shown, bar.as_ref()) {
                Ok(counts) => scanned.push(Candidate {
                    image: shown,
                    tags: set.tags.iter().map(|t| t.tag.clone()).collect(),
                    digest: Some(set.digest.clone()),
                    group: set.group,
                    counts,
                }),
                Err(e) => notes.push(format!("cannot scan {shown}: {e:#}")),
            }
        }
        finish(bar);
        if not_scanned > 0 {
            notes.push(format!(
                "{not_scanned} candidate images not scanned: the {} s time budget ran out",
                self.opts.budget.as_secs()
            ));
        }
        advice::remediation(current_counts, scanned, notes)
    }

    fn bar(&self, len: usize) -> Option<ProgressBar> {
        if !self.opts.progress {
            return None;
        }
        let bar = ProgressBar::new((len.min(self.opts.limit) + 1) as u64);
        let style = ProgressStyle::with_template("{spinner} {msg} [{pos}/{len}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message("base image advice");
        Some(bar)
    }

    /// The severity counts of one image: from this run's map, the disk cache, or a scan.
    fn counts_of(
        &mut self,
        image: &oci::Image,
        shown: &str,
        bar: Option<&ProgressBar>,
    ) -> anyhow::Result<SeverityCounts> {
        let digest = digest_of(image);
        if let Some(c) = self.counts.get(&digest) {
            return Ok(c.clone());
        }
        let cache_file = self.cache_file(image, &digest);
        if let Some(c) = cache_file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<SeverityCounts>(&b).ok())
        {
            self.counts.insert(digest, c.clone());
            return Ok(c);
        }
        if let Some(b) = bar {
            b.set_message(format!("base image advice: scanning {shown}"));
        }
        let inv = inventory::inventory_image(image, &inventory::Options::default())?;
        let opts = scan::ScanOptions {
            exploit_data: false,
            ..Default::default()
        };
        let report = scan::scan(&inv, self.store, &opts)?;
        let counts = report.severity_counts;
        if let Some(b) = bar {
            b.inc(1);
        }
        if let Some(f) = cache_file {
            // Best effort: a cache that cannot be written only costs a rescan.
            if let Some(dir) = f.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(bytes) = serde_json::to_vec(&counts) {
                let tmp = f.with_extension("tmp");
                if std::fs::write(&tmp, bytes).is_ok() {
                    let _ = std::fs::rename(&tmp, &f);
                }
            }
        }
        self.counts.insert(digest, counts.clone());
        Ok(counts)
    }

    fn cache_file(&self, image: &oci::Image, digest: &str) -> Option<PathBuf> {
        let dir = self.opts.cache_dir.as_ref()?;
        let platform = image
            .platform
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let key = format!(
            "{digest}|{platform}|{}|{}",
            self.built_at, self.opts.db_stamp
        );
        let name = oci::Digest::sha256_of(key.as_bytes()).to_string();
        let hex = name.strip_prefix("sha256:").unwrap_or(&name).to_string();
        Some(dir.join(format!("{hex}.json")))
    }
}

fn finish(bar: Option<ProgressBar>) {
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

fn digest_of(image: &oci::Image) -> String {
    image
        .manifest_digest
        .as_ref()
        .map(|d| d.to_string())
        .or_else(|| image.config_digest.as_ref().map(|d| d.to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &std::path::Path) -> vulndb::Store {
        let path = dir.join("shipshape.db");
        let b = vulndb::Store::build_beside(&path).unwrap();
        b.commit().unwrap();
        vulndb::Store::open(&path).unwrap()
    }

    fn opts() -> AdviceOptions {
        AdviceOptions {
            limit: 8,
            offline: false,
            resolve: oci::ResolveOptions::default(),
            budget: TIME_BUDGET,
            cache_dir: None,
            db_stamp: String::new(),
            progress: false,
        }
    }

    /// Offline, a zero limit, scratch, a rootfs, a digest without a tag and a registry that
    /// refuses connections: each is SKIPPED with a note naming the problem, without a scan.
    #[test]
    fn skipped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let offline = AdviceOptions {
            offline: true,
            ..opts()
        };
        let r = recommend("debian:11.6", &store, &offline);
        assert_eq!(
            (r.code.as_str(), r.notes.as_slice()),
            ("SKIPPED", [OFFLINE_NOTE.to_string()].as_slice())
        );
        let off = AdviceOptions { limit: 0, ..opts() };
        assert!(recommend("debian:11.6", &store, &off).notes[0].contains("--recommend-limit 0"));
        assert!(recommend("scratch", &store, &opts()).notes[0].contains("scratch"));
        let rootfs = format!("dir:{}", dir.path().display());
        assert!(recommend(&rootfs, &store, &opts()).notes[0].contains("not in a registry"));
        let pinned = format!("127.0.0.1:1/x/y@sha256:{}", "0".repeat(64));
        assert!(recommend(&pinned, &store, &opts()).notes[0].contains("pinned by digest"));
        let r = recommend("127.0.0.1:1/test/debian:11.6", &store, &opts());
        assert_eq!(r.code, "SKIPPED");
        assert!(
            r.notes[0].starts_with("cannot list the tags of 127.0.0.1:1/test/debian:11.6: "),
            "{:?}",
            r.notes
        );
        assert!(r.current.is_none() && r.candidates.is_empty());
    }
}
