//! Applying layers in order and crediting each package to the layer that introduced it.
//!
//! Rules (each has a test below):
//! * whiteouts and opaque directories of layer N hide only what layers below N put there;
//! * a symlink an analyzer wants (e.g. `etc/os-release -> ../usr/lib/os-release`) is resolved
//!   inside the merged tree, never on the host, with `..` clamped at the root and at most
//!   [`MAX_SYMLINK_HOPS`] hops;
//! * an analyzer runs again only at layers that changed one of its files;
//! * a package is credited to the first layer from which its (name, version, arch) is present
//!   in its database without a gap up to the top layer, so an upgrade is credited to the
//!   upgrading layer and a reinstall after removal to the reinstalling one;
//! * a dpkg package whose file list (`var/lib/dpkg/info/NAME.list`) a later layer wrote again
//!   was reinstalled there (`apt-get install --reinstall`, same version) and is credited to
//!   the last such layer: its files in the image are that layer's.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyzer::{Analysis, Analyzer, FileSet};
use crate::analyzers;
use crate::diagnostics;
use crate::model::{
    Diagnostic, HistoryEntry, ImageInfo, Introduced, Inventory, LayerInfo, OsInfo, Package,
    PackageType,
};
use crate::walk::{self, LayerFacts};
use crate::Error;

/// Symlink hops allowed when resolving a path (as Linux's MAXSYMLINKS).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// Receives progress while layers are read (for a progress bar in the binary).
pub trait Progress: Send + Sync {
    /// Reading starts; `total_bytes` is the sum of known layer blob sizes.
    fn start(&self, layers: usize, total_bytes: Option<u64>);
    /// `n` more blob bytes were read.
    fn advance(&self, n: u64);
    /// One layer is done.
    fn layer_done(&self, index: usize);
}

/// How to take an inventory.
#[derive(Clone)]
pub struct Options {
    /// Largest decompressed size of one layer before it is refused as a bomb.
    pub max_layer_bytes: u64,
    /// Progress receiver.
    pub progress: Option<Arc<dyn Progress>>,
}

impl Default for Options {
    fn default() -> Self {
        // 64 GiB: far above real layers, far below what would fill a disk or take hours.
        Options {
            max_layer_bytes: 64 << 30,
            progress: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("max_layer_bytes", &self.max_layer_bytes)
            .finish_non_exhaustive()
    }
}

struct Counting<'a, R> {
    inner: R,
    progress: Option<&'a dyn Progress>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p.advance(n as u64);
        }
        Ok(n)
    }
}

/// The walk's selection, from the analyzers: wanted by path, or picked by content.
struct Selection<'a>(&'a [Box<dyn Analyzer>]);

impl walk::Select for Selection<'_> {
    fn wanted(&self, path: &str) -> Option<u64> {
        self.0
            .iter()
            .filter(|a| a.wants(path))
            .map(|a| a.max_size_of(path))
            .max()
    }

    fn picked(&self, path: &str, mode: u32, head: &[u8]) -> Option<u64> {
        self.0
            .iter()
            .filter(|a| a.picks(path, mode, head))
            .map(|a| a.max_pick_size())
            .max()
    }

    fn reduce(&self, path: &str, mode: u32, data: &[u8]) -> walk::Picked {
        let head = &data[..data.len().min(crate::HEAD_LEN)];
        self.0
            .iter()
            .enumerate()
            .filter(|(_, a)| a.picks(path, mode, head) && data.len() as u64 <= a.max_pick_size())
            .filter_map(|(i, a)| a.reduce(path, data).map(|kept| (i, Arc::new(kept))))
            .collect()
    }
}

/// Read one layer: walk it, then drain and verify the blob.
fn read_layer(
    image: &oci::Image,
    index: usize,
    list: &[Box<dyn Analyzer>],
    opts: &Options,
) -> Result<LayerFacts, Error> {
    let label = image.layer_label(index);
    let layer_err = |message: String, source: std::io::Error| Error::Layer {
        layer: label.clone(),
        message,
        source: Some(source),
    };
    let mut blob = image.open_layer(index)?;
    let select = Selection(list);
    let progress = opts.progress.as_deref();
    let walked = {
        let counting = Counting {
            inner: &mut blob,
            progress,
        };
        walk::walk_layer(counting, &label, &select, opts.max_layer_bytes)
    };
    let facts = match walked {
        Ok((facts, _)) => facts,
        Err(e) => {
            return Err(unwrap_oci(e).map_or_else(|e| layer_err(describe_io(&e), e), Error::Image))
        }
    };
    // Tar stops at its end marker; the rest of the blob must still hash right.
    let mut rest = Counting {
        inner: &mut blob,
        progress,
    };
    if let Err(e) = std::io::copy(&mut rest, &mut std::io::sink()) {
        return Err(unwrap_oci(e).map_or_else(|e| layer_err(describe_io(&e), e), Error::Image));
    }
    if let Some(p) = progress {
        p.layer_done(index);
    }
    Ok(facts)
}

/// Digest and size errors travel through `io::Error`; bring them back out as typed errors.
fn unwrap_oci(e: std::io::Error) -> Result<oci::Error, std::io::Error> {
    if e.get_ref().is_some_and(|inner| inner.is::<oci::Error>()) {
        match e.into_inner().map(|b| b.downcast::<oci::Error>()) {
            Some(Ok(oe)) => return Ok(*oe),
            Some(Err(other)) => return Err(std::io::Error::other(other)),
            None => return Err(std::io::Error::other("unknown error")),
        }
    }
    Err(e)
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            format!("the layer ends early, it is truncated or not a tar stream ({e})")
        }
        _ => format!("not a readable layer: {e}"),
    }
}

/// Take the inventory of an image: read every layer (in parallel), then merge.
pub fn inventory_image(image: &oci::Image, opts: &Options) -> Result<Inventory, Error> {
    inventory_image_with(image, opts, &analyzers::all())
}

fn inventory_image_with(
    image: &oci::Image,
    opts: &Options,
    list: &[Box<dyn Analyzer>],
) -> Result<Inventory, Error> {
    if let Some(p) = &opts.progress {
        let total = image.layers.iter().map(|l| l.size).sum::<Option<u64>>();
        p.start(image.layers.len(), total);
    }
    let facts: Vec<LayerFacts> = (0..image.layers.len())
        .into_par_iter()
        .map(|i| read_layer(image, i, list, opts))
        .collect::<Result<_, _>>()?;

    let Inventory {
        image: info,
        layers,
        diagnostics,
        ..
    } = inventory_layers(image);
    Ok(merge(info, layers, facts, list, diagnostics))
}

/// What an image's manifest and config alone say, without reading a layer: its identity,
/// labels, annotations and history, and its layers with the build step of each (a
/// diagnostic when the history does not pair with the layers). No OS, no packages: telling
/// a base image by its layers needs no more, and [`inventory_image`] starts from it.
pub fn inventory_layers(image: &oci::Image) -> Inventory {
    let info = ImageInfo {
        identity: image.identity.clone(),
        labels: image.config.labels.clone(),
        annotations: image.annotations.clone(),
        history: image
            .config
            .history
            .iter()
            .map(|h| HistoryEntry {
                created_by: h.created_by.clone(),
                comment: h.comment.clone(),
                empty_layer: h.empty_layer,
            })
            .collect(),
    };
    let history = info.layer_history(image.layers.len());
    let mut diagnostics = Vec::new();
    if !info.history.is_empty() && !history.is_exact() {
        diagnostics.push(Diagnostic {
            code: diagnostics::LAYER_MISMATCH.into(),
            message: format!(
                "{}: {} layers but {} history entries that made layers; build steps may be attributed wrongly",
                info.identity.name,
                image.layers.len(),
                history.made_layers()
            ),
        });
    }
    let layers: Vec<LayerInfo> = image
        .layers
        .iter()
        .enumerate()
        .map(|(index, l)| LayerInfo {
            index,
            digest: l.digest.to_string(),
            diff_id: l.diff_id.as_ref().map(|d| d.to_string()),
            size: l.size,
            created_by: history
                .entry(index)
                .and_then(|e| info.history[e].created_by.clone()),
        })
        .collect();
    Inventory {
        image: info,
        layers,
        diagnostics,
        ..Inventory::default()
    }
}

/// Take the inventory of an unpacked root filesystem. Packages carry no layer.
pub fn inventory_rootfs(path: &Path, opts: &Options) -> Result<Inventory, Error> {
    let _ = opts;
    inventory_rootfs_with(path, &analyzers::all())
}

fn inventory_rootfs_with(path: &Path, list: &[Box<dyn Analyzer>]) -> Result<Inventory, Error> {
    let facts = walk::walk_dir(path, &Selection(list)).map_err(|e| Error::Rootfs {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let info = ImageInfo {
        identity: oci::ImageIdentity {
            name: format!("dir:{}", path.display()),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(merge(info, Vec::new(), vec![facts], list, Vec::new()))
}

/// The merged file tree, restricted to what analyzers want plus every symlink.
#[derive(Default)]
struct Tree {
    files: BTreeMap<String, Arc<Vec<u8>>>,
    symlinks: BTreeMap<String, String>,
    picked: BTreeMap<String, walk::Picked>,
}

fn remove_under<V>(map: &mut BTreeMap<String, V>, dir: &str, include_self: bool) {
    if dir.is_empty() {
        map.clear();
        return;
    }
    if include_self {
        map.remove(dir);
    }
    let prefix = format!("{dir}/");
    let keys: Vec<String> = map
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        map.remove(&k);
    }
}

impl Tree {
    fn apply(&mut self, layer: &LayerFacts) {
        for d in &layer.opaque {
            remove_under(&mut self.files, d, false);
            remove_under(&mut self.symlinks, d, false);
            remove_under(&mut self.picked, d, false);
        }
        for w in &layer.whiteouts {
            remove_under(&mut self.files, w, true);
            remove_under(&mut self.symlinks, w, true);
            remove_under(&mut self.picked, w, true);
        }
        if !layer.others.is_empty() {
            self.picked
                .retain(|p, _| !layer.others.contains(&walk::path_hash(p)));
        }
        for (p, data) in &layer.files {
            self.symlinks.remove(p);
            self.picked.remove(p);
            self.files.insert(p.clone(), data.clone());
        }
        for (p, kept) in &layer.picked {
            self.symlinks.remove(p);
            self.files.remove(p);
            self.picked.insert(p.clone(), kept.clone());
        }
        for (p, t) in &layer.symlinks {
            self.files.remove(p);
            self.picked.remove(p);
            self.symlinks.insert(p.clone(), t.clone());
        }
    }

    /// Resolve `path` through symlinks inside the tree. `Err` on a loop.
    fn resolve(&self, path: &str) -> Result<String, ()> {
        let mut todo: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let mut done: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            done.push(c);
            let current = done.join("/");
            if let Some(target) = self.symlinks.get(&current) {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(());
                }
                done.pop();
                if target.starts_with('/') {
                    done.clear();
                }
                todo.extend(
                    target
                        .split('/')
                        .filter(|c| !c.is_empty())
                        .rev()
                        .map(str::to_string),
                );
            }
        }
        Ok(done.join("/"))
    }

    /// The files `a` (the analyzer at `index`) wants, symlinks resolved, and what it kept
    /// of the files it picked, as they are now.
    fn view(&self, index: usize, a: &dyn Analyzer, diags: &mut Vec<Diagnostic>) -> FileSet {
        let mut set: FileSet = self
            .files
            .iter()
            .filter(|(p, _)| a.wants(p))
            .map(|(p, d)| (p.clone(), d.clone()))
            .collect();
        for (p, kept) in &self.picked {
            if let Some((_, data)) = kept.iter().find(|(i, _)| *i == index) {
                set.insert(p.clone(), data.clone());
            }
        }
        for link in self.symlinks.keys().filter(|p| a.wants(p)) {
            match self.resolve(link) {
                Ok(target) => {
                    if let Some(d) = self.files.get(&target) {
                        set.insert(link.clone(), d.clone());
                    }
                }
                Err(()) => diags.push(Diagnostic {
                    code: diagnostics::SYMLINK_LOOP.into(),
                    message: format!(
                        "/{link}: symlink loop or more than {MAX_SYMLINK_HOPS} links deep; ignored"
                    ),
                }),
            }
        }
        set
    }
}

fn same_view(a: &FileSet, b: &FileSet) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && Arc::ptr_eq(va, vb))
}

type PackageKey = (
    Option<crate::PackageType>,
    String,
    String,
    Option<String>,
    Option<u64>,
    String,
);

/// What makes a package the same one from layer to layer. A language package is also told by
/// the file it was read from: the same module in two binaries, or the same Composer package
/// in two vendor trees, came with whichever layer wrote each file. An OS package is not (its
/// database may move, as rpm's from Berkeley DB to sqlite, and it is still the same package).
fn key(p: &Package) -> PackageKey {
    let path = match p.package_type {
        Some(t) if t.is_os() => String::new(),
        _ => p.db_path.clone(),
    };
    (
        p.package_type,
        p.name.clone(),
        p.version.clone(),
        p.arch.clone(),
        p.epoch,
        path,
    )
}

/// The highest layer above `first` that wrote the dpkg file list of `p`
/// (`var/lib/dpkg/info/NAME.list` or `NAME:ARCH.list`): dpkg writes it only when it unpacks
/// the package, so a layer that has it reinstalled the package, even at the same version.
fn last_dpkg_rewrite(facts: &[LayerFacts], p: &Package, first: usize) -> Option<usize> {
    let plain = format!("var/lib/dpkg/info/{}.list", p.name);
    let with_arch = p
        .arch
        .as_deref()
        .map(|a| format!("var/lib/dpkg/info/{}:{a}.list", p.name));
    (first + 1..facts.len()).rev().find(|&l| {
        facts[l].files.contains_key(&plain)
            || with_arch
                .as_ref()
                .is_some_and(|w| facts[l].files.contains_key(w))
    })
}

fn merge(
    image: ImageInfo,
    layers: Vec<LayerInfo>,
    facts: Vec<LayerFacts>,
    list: &[Box<dyn Analyzer>],
    mut diagnostics: Vec<Diagnostic>,
) -> Inventory {
    let mut tree = Tree::default();
    // Per analyzer: the last view it saw and, per layer, the package keys present then.
    let mut last_view: Vec<Option<FileSet>> = vec![None; list.len()];
    let mut last: Vec<Analysis> = (0..list.len()).map(|_| Analysis::default()).collect();
    let mut present: Vec<Vec<HashSet<PackageKey>>> = vec![Vec::new(); list.len()];
    let mut seen_diags = HashSet::new();
    for layer in &facts {
        for d in &layer.diagnostics {
            diagnostics.push(d.clone());
        }
        tree.apply(layer);
        for (ai, a) in list.iter().enumerate() {
            let mut link_diags = Vec::new();
            let view = tree.view(ai, a.as_ref(), &mut link_diags);
            for d in link_diags {
                if seen_diags.insert(d.message.clone()) {
                    diagnostics.push(d);
                }
            }
            let changed = match &last_view[ai] {
                Some(prev) => !same_view(prev, &view),
                None => !view.is_empty(),
            };
            if changed {
                last[ai] = match a.analyze(&view) {
                    Ok(r) => r,
                    Err(e) => {
                        let d = Diagnostic {
                            code: diagnostics::ANALYZER_FAILED.into(),
                            message: format!("{} analyzer: /{e}", a.name()),
                        };
                        if seen_diags.insert(d.message.clone()) {
                            diagnostics.push(d);
                        }
                        Analysis::default()
                    }
                };
            }
            last_view[ai] = Some(view);
            present[ai].push(last[ai].packages.iter().map(key).collect());
        }
    }

    let mut os: Option<OsInfo> = None;
    let mut packages = Vec::new();
    for (ai, a) in list.iter().enumerate() {
        let result = std::mem::take(&mut last[ai]);
        for w in result.warnings {
            diagnostics.push(Diagnostic {
                code: diagnostics::RECORD_SKIPPED.into(),
                message: format!("{} analyzer: {w}", a.name()),
            });
        }
        for (code, w) in result.diagnostics {
            diagnostics.push(Diagnostic {
                code: code.into(),
                message: format!("{} analyzer: {w}", a.name()),
            });
        }
        if os.is_none() {
            os = result.os;
        }
        for mut p in result.packages {
            if !layers.is_empty() {
                let k = key(&p);
                let mut first = present[ai].len().saturating_sub(1);
                while first > 0 && present[ai][first - 1].contains(&k) {
                    first -= 1;
                }
                if p.package_type == Some(PackageType::Deb) {
                    first = last_dpkg_rewrite(&facts, &p, first).unwrap_or(first);
                }
                if let Some(l) = layers.get(first) {
                    p.introduced = Some(Introduced {
                        layer_index: first,
                        layer_digest: l.digest.clone(),
                        diff_id: l.diff_id.clone(),
                        created_by: l.created_by.clone(),
                    });
                }
            }
            packages.push(p);
        }
    }
    if os.is_none() {
        diagnostics.push(Diagnostic {
            code: diagnostics::UNKNOWN_OS.into(),
            message: format!(
                "{}: no os-release, debian_version, alpine-release or redhat-release found",
                image.identity.name
            ),
        });
    }
    for p in &mut packages {
        p.purl = crate::purl::package(p, os.as_ref());
    }
    packages.sort_by(|a, b| {
        (a.package_type, &a.name, &a.version, &a.arch).cmp(&(
            b.package_type,
            &b.name,
            &b.version,
            &b.arch,
        ))
    });
    Inventory {
        image,
        os,
        layers,
        packages,
        diagnostics,
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
