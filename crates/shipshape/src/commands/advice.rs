//! The registry side of base image recommendations: [`scan::advice::recommend`] decides;
//! this lists tags, resolves and inventories images with `oci` and `inventory`, keeps
//! counts in a cache beside the database, and draws the progress bar.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use scan::advice::{
    AdviceOptions, AdviceProgress, AdviceSource, BaseImageRemediation, BaseLocation, SourceError,
};
use scan::SeverityCounts;

use crate::cli::{GlobalArgs, ScanArgs};
use crate::printer::Printer;

/// Recommend better base images than `base` for a `scan` run: its `--recommend-limit`,
/// `--offline`, `--platform` and `--insecure-registry`, counts cached beside the database
/// `db`.
pub fn recommend(
    base: &str,
    scanner: scan::Scanner<'_>,
    global: &GlobalArgs,
    args: &ScanArgs,
    db: &std::path::Path,
    printer: &Printer,
) -> BaseImageRemediation {
    let opts = AdviceOptions {
        limit: args.recommend_limit,
        offline: global.offline,
        db_stamp: db_stamp(db),
        ..AdviceOptions::default()
    };
    // The target was read with the same --platform, so it parses.
    let platform = args
        .target
        .platform
        .as_deref()
        .and_then(|p| p.parse::<oci::Platform>().ok());
    let resolve = oci::ResolveOptions {
        platform,
        insecure_registries: args.target.insecure_registry.clone(),
        ..Default::default()
    };
    let (location, reference) = match oci::Target::parse(base) {
        Ok(oci::Target::Registry(r)) => (
            BaseLocation::Registry {
                repository: r.repository.clone(),
                tag: r.tag.clone(),
                digest: r.digest.as_ref().map(|d| d.to_string()),
            },
            Some(r),
        ),
        Ok(_) => (BaseLocation::NotInRegistry, None),
        Err(e) => (BaseLocation::Invalid(e.to_string()), None),
    };
    let mut source = Registry {
        reference,
        resolve,
        images: Vec::new(),
        started: Instant::now(),
        cache: cache::JsonCache::new(vulndb::update::cache_dir_for(db).join("base-advice")),
        bar: None,
        progress: printer.show_progress(),
    };
    scan::advice::recommend(base, location, scanner, &mut source, &opts)
}

/// The database file's size and modification time.
fn db_stamp(db: &std::path::Path) -> String {
    std::fs::metadata(db)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("{}-{modified}", m.len())
        })
        .unwrap_or_default()
}

/// The base image's repository in its registry.
struct Registry {
    /// The base image's reference (`None` when it is not in a registry: the advice skips
    /// before asking anything).
    reference: Option<oci::Reference>,
    resolve: oci::ResolveOptions,
    /// Images resolved so far.
    images: Vec<oci::Image>,
    started: Instant,
    cache: cache::JsonCache,
    bar: Option<ProgressBar>,
    progress: bool,
}

impl Registry {
    fn reference(&self) -> Result<&oci::Reference, SourceError> {
        self.reference
            .as_ref()
            .ok_or_else(|| "the base image is not in a registry".into())
    }
}

impl AdviceSource for Registry {
    fn list_tags(&mut self) -> Result<Vec<String>, SourceError> {
        Ok(oci::list_tags(self.reference()?, &self.resolve)?)
    }

    fn resolve(&mut self, tag: Option<&str>) -> Result<inventory::ImageIdentity, SourceError> {
        let reference = self.reference()?.clone();
        let reference = match tag {
            Some(t) => oci::Reference {
                tag: Some(t.to_string()),
                digest: None,
                ..reference
            },
            None => reference,
        };
        let image = oci::Target::Registry(reference).resolve(&self.resolve)?;
        let identity = image.identity.clone();
        self.images.push(image);
        Ok(identity)
    }

    fn inventory(
        &mut self,
        identity: &inventory::ImageIdentity,
    ) -> Result<inventory::Inventory, SourceError> {
        let image = self
            .images
            .iter()
            .find(|i| &i.identity == identity)
            .ok_or("the image was not resolved")?;
        Ok(inventory::inventory_image(
            image,
            &inventory::Options::default(),
        )?)
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn cached_counts(&mut self, key: &str) -> Option<SeverityCounts> {
        self.cache.get(key)
    }

    fn store_counts(&mut self, key: &str, counts: &SeverityCounts) {
        self.cache.put(key, counts);
    }

    fn progress(&mut self, event: AdviceProgress) {
        match event {
            AdviceProgress::Start(len) if self.progress => {
                let bar = ProgressBar::new(len);
                let style = ProgressStyle::with_template("{spinner} {msg} [{pos}/{len}]")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_message("base image advice");
                self.bar = Some(bar);
            }
            AdviceProgress::Start(_) => {}
            AdviceProgress::Doing(msg) => {
                if let Some(b) = &self.bar {
                    b.set_message(msg);
                }
            }
            AdviceProgress::Scanned => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
            }
            AdviceProgress::Finish => {
                if let Some(b) = self.bar.take() {
                    b.finish_and_clear();
                }
            }
        }
    }
}
