//! Reading one layer (or a root filesystem) as a stream, keeping only what analyzers want.
//!
//! Traps handled here, each with a test:
//! * compression is told by magic bytes, not by media type (docker-archive layers carry none);
//! * entry paths are cleaned lexically inside the image: `./a`, `/a` (re-rooted, as Docker
//!   does) and `a/../b`; a path whose `..` would leave the root is skipped with a diagnostic;
//! * whiteouts: `.wh.NAME` deletes `NAME` from lower layers, `.wh..wh..opq` hides a
//!   directory's lower contents; other `.wh..wh.` names are aufs bookkeeping and ignored;
//! * hard links point at an earlier entry of the same layer;
//! * entry sizes in headers are not trusted for buffering: files above the analyzer's cap
//!   are skipped, and total decompressed bytes per layer are capped (decompression bombs);
//! * picked files (executables) are buffered one at a time and only what each analyzer's
//!   `reduce` keeps is held; every other regular file is remembered by a hash of its path,
//!   so that a later layer overwriting a picked file with something else removes it.

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use crate::diagnostics;
use crate::model::Diagnostic;

/// What one layer contributes to the file tree, as far as analyzers care.
#[derive(Debug, Default)]
pub(crate) struct LayerFacts {
    /// Wanted regular files (hard links resolved), by clean relative path.
    pub files: BTreeMap<String, Arc<Vec<u8>>>,
    /// Every symlink: clean relative path → raw target.
    pub symlinks: BTreeMap<String, String>,
    /// Paths deleted by whiteouts.
    pub whiteouts: Vec<String>,
    /// Directories made opaque.
    pub opaque: Vec<String>,
    /// Problems met.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of entries read.
    pub entries: u64,
    /// Picked regular files (hard links resolved), by clean relative path: what each
    /// picking analyzer's `reduce` kept, by analyzer index. Empty when none kept anything
    /// (the file still replaces a picked file of a lower layer).
    pub picked: BTreeMap<String, Picked>,
    /// Hashes ([`path_hash`]) of the paths of every other entry: regular files neither
    /// wanted nor picked, directories, devices. A picked file of a lower layer at one of
    /// these paths is gone.
    pub others: HashSet<u64>,
}

/// What the picking analyzers kept of one file: `(analyzer index, reduced bytes)`.
pub(crate) type Picked = Vec<(usize, Arc<Vec<u8>>)>;

/// The stable hash of a clean path, for [`LayerFacts::others`].
pub(crate) fn path_hash(path: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// Which files a walk keeps, and how.
pub(crate) trait Select: Sync {
    /// `Some(cap)` for a path kept whole, with its size cap.
    fn wanted(&self, path: &str) -> Option<u64>;
    /// `Some(cap)` when some analyzer picks the file, told by path, mode and first bytes.
    fn picked(&self, path: &str, mode: u32, head: &[u8]) -> Option<u64>;
    /// What each picking analyzer keeps of the whole file.
    fn reduce(&self, path: &str, mode: u32, data: &[u8]) -> Picked;
}

/// Clean a path lexically inside the image root. `Err(())` when `..` leaves the root.
/// Returns the clean path (no leading `/`, no `.`/`..`, possibly empty for the root) and
/// whether the input was absolute.
pub(crate) fn clean_path(raw: &str) -> Result<(String, bool), ()> {
    let absolute = raw.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(());
                }
            }
            c => parts.push(c),
        }
    }
    Ok((parts.join("/"), absolute))
}

/// Counts bytes flowing through and stops with an error past a limit.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(format!(
                "layer decompresses to more than {} bytes (limit; a decompression bomb?)",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

fn sniff(head: &[u8]) -> Result<Compression, String> {
    match head {
        [0x1f, 0x8b, ..] => Ok(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Ok(Compression::Zstd),
        [b'B', b'Z', b'h', ..] => Err("bzip2-compressed layers are not supported".into()),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => {
            Err("xz-compressed layers are not supported".into())
        }
        _ => Ok(Compression::None),
    }
}

/// Walk one layer blob. `label` names the layer in diagnostics. `max_bytes` caps the
/// decompressed size. The reader is left positioned wherever the tar stream ended; the
/// caller drains and verifies it.
pub(crate) fn walk_layer<R: Read>(
    reader: R,
    label: &str,
    select: &dyn Select,
    max_bytes: u64,
) -> io::Result<(LayerFacts, Compression)> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let head = buffered.fill_buf()?;
    let compression = sniff(head).map_err(|m| io::Error::new(io::ErrorKind::InvalidData, m))?;
    let facts = match compression {
        Compression::Gzip => {
            let mut d = Limited {
                inner: flate2::bufread::MultiGzDecoder::new(buffered),
                read: 0,
                limit: max_bytes,
            };
            let facts = walk_tar(&mut d, label, select)?;
            io::copy(&mut d, &mut io::sink())?;
            facts
        }
        Compression::Zstd => {
            let mut d = Limited {
                inner: zstd::stream::read::Decoder::with_buffer(buffered)?,
                read: 0,
                limit: max_bytes,
            };
            let facts = walk_tar(&mut d, label, select)?;
            io::copy(&mut d, &mut io::sink())?;
            facts
        }
        Compression::None => {
            let mut d = Limited {
                inner: buffered,
                read: 0,
                limit: max_bytes,
            };
            walk_tar(&mut d, label, select)?
        }
    };
    Ok((facts, compression))
}

/// Read up to `buf.len()` bytes; fewer only at the end of the input.
fn read_head<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn walk_tar<R: Read>(reader: R, label: &str, select: &dyn Select) -> io::Result<LayerFacts> {
    let mut facts = LayerFacts::default();
    let mut archive = tar::Archive::new(reader);
    let mut pending: Vec<Diagnostic> = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        facts.entries += 1;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = match clean_path(&raw) {
            Ok((p, absolute)) => {
                if absolute {
                    pending.push(facts_diag(
                        diagnostics::UNSAFE_PATH,
                        format!("{label}: entry {raw:?} has an absolute path; read as /{p} inside the image"),
                    ));
                }
                p
            }
            Err(()) => {
                pending.push(facts_diag(
                    diagnostics::UNSAFE_PATH,
                    format!(
                        "{label}: entry {raw:?} climbs out of the image root with '..'; skipped"
                    ),
                ));
                continue;
            }
        };
        if path.is_empty() {
            continue;
        }
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", path.as_str()),
        };
        if let Some(name) = base.strip_prefix(".wh.") {
            if name == ".wh..opq" {
                facts.opaque.push(dir.to_string());
            } else if !name.starts_with(".wh.") && !name.is_empty() {
                let target = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                facts.whiteouts.push(target);
            }
            continue;
        }
        let kind = entry.header().entry_type();
        match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                // A later entry at the same path replaces an earlier one in this layer.
                facts.symlinks.remove(&path);
                facts.files.remove(&path);
                facts.picked.remove(&path);
                let size = entry.size();
                if let Some(cap) = select.wanted(&path) {
                    if size > cap {
                        pending.push(too_large(label, &path, size, cap));
                        continue;
                    }
                    let mut data = Vec::with_capacity(size as usize);
                    entry.by_ref().take(cap).read_to_end(&mut data)?;
                    facts.files.insert(path, Arc::new(data));
                    continue;
                }
                let mode = entry.header().mode().unwrap_or(0);
                let mut head = [0u8; crate::HEAD_LEN];
                let n = read_head(&mut entry, &mut head)?;
                let Some(cap) = select.picked(&path, mode, &head[..n]) else {
                    facts.others.insert(path_hash(&path));
                    continue;
                };
                if size > cap {
                    pending.push(too_large(label, &path, size, cap));
                    facts.others.insert(path_hash(&path));
                    continue;
                }
                let mut data = Vec::with_capacity(size as usize);
                data.extend_from_slice(&head[..n]);
                entry.by_ref().take(cap - n as u64).read_to_end(&mut data)?;
                let kept = select.reduce(&path, mode, &data);
                facts.picked.insert(path, kept);
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                facts.files.remove(&path);
                facts.picked.remove(&path);
                facts.symlinks.insert(path, target);
            }
            tar::EntryType::Link => {
                facts.symlinks.remove(&path);
                facts.files.remove(&path);
                facts.picked.remove(&path);
                let raw_target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let target = clean_path(&raw_target).ok().map(|(t, _)| t);
                if select.wanted(&path).is_none() {
                    // A link to a picked file is that file again (busybox-style names).
                    match target.and_then(|t| facts.picked.get(&t).cloned()) {
                        Some(kept) => {
                            facts.picked.insert(path, kept);
                        }
                        None => {
                            facts.others.insert(path_hash(&path));
                        }
                    }
                    continue;
                }
                match target.and_then(|t| facts.files.get(&t).cloned()) {
                    Some(data) => {
                        facts.files.insert(path, data);
                    }
                    None => pending.push(facts_diag(
                        diagnostics::BROKEN_HARDLINK,
                        format!("{label}: /{path} is a hard link to {raw_target:?}, which was not read in this layer"),
                    )),
                }
            }
            _ => {
                facts.files.remove(&path);
                facts.symlinks.remove(&path);
                facts.picked.remove(&path);
                facts.others.insert(path_hash(&path));
            }
        }
    }
    facts.diagnostics = pending;
    Ok(facts)
}

/// A file over its cap; `label` names the layer (empty for a root filesystem).
fn too_large(label: &str, path: &str, size: u64, cap: u64) -> Diagnostic {
    let prefix = if label.is_empty() {
        String::new()
    } else {
        format!("{label}: ")
    };
    facts_diag(
        diagnostics::FILE_TOO_LARGE,
        format!("{prefix}/{path} is {size} bytes, over the {cap}-byte limit for it; skipped"),
    )
}

fn facts_diag(code: &str, message: String) -> Diagnostic {
    Diagnostic {
        code: code.to_string(),
        message,
    }
}

/// Walk an unpacked root filesystem as if it were a single layer. Symlinks are recorded,
/// never followed on the host.
pub(crate) fn walk_dir(root: &Path, select: &dyn Select) -> io::Result<LayerFacts> {
    let mut facts = LayerFacts::default();
    let meta = std::fs::symlink_metadata(root)?;
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a directory",
        ));
    }
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .same_file_system(true)
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                facts.diagnostics.push(facts_diag(
                    diagnostics::ANALYZER_FAILED,
                    format!("cannot read {path} in the root filesystem: {e}"),
                ));
                continue;
            }
        };
        facts.entries += 1;
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().into_owned();
        if rel.is_empty() {
            continue;
        }
        let ft = entry.file_type();
        if ft.is_symlink() {
            if let Ok(t) = std::fs::read_link(entry.path()) {
                facts.symlinks.insert(rel, t.to_string_lossy().into_owned());
            }
        } else if ft.is_file() {
            let meta = entry.metadata().ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let cant_read = |e: io::Error| {
                facts_diag(
                    diagnostics::ANALYZER_FAILED,
                    format!("cannot read /{rel} in the root filesystem: {e}"),
                )
            };
            if let Some(cap) = select.wanted(&rel) {
                if size > cap {
                    facts.diagnostics.push(too_large("", &rel, size, cap));
                    continue;
                }
                let mut data = Vec::new();
                match std::fs::File::open(entry.path())
                    .and_then(|f| f.take(cap).read_to_end(&mut data))
                {
                    Ok(_) => {
                        facts.files.insert(rel, Arc::new(data));
                    }
                    Err(e) => facts.diagnostics.push(cant_read(e)),
                }
                continue;
            }
            let mode = {
                use std::os::unix::fs::PermissionsExt;
                meta.as_ref().map_or(0, |m| m.permissions().mode() & 0o7777)
            };
            let mut file = match std::fs::File::open(entry.path()) {
                Ok(f) => f,
                Err(e) => {
                    facts.diagnostics.push(cant_read(e));
                    continue;
                }
            };
            let mut head = [0u8; crate::HEAD_LEN];
            let n = match read_head(&mut file, &mut head) {
                Ok(n) => n,
                Err(e) => {
                    facts.diagnostics.push(cant_read(e));
                    continue;
                }
            };
            let Some(cap) = select.picked(&rel, mode, &head[..n]) else {
                continue;
            };
            if size > cap {
                facts.diagnostics.push(too_large("", &rel, size, cap));
                continue;
            }
            let mut data = head[..n].to_vec();
            if let Err(e) = file.take(cap - n as u64).read_to_end(&mut data) {
                facts.diagnostics.push(cant_read(e));
                continue;
            }
            let kept = select.reduce(&rel, mode, &data);
            facts.picked.insert(rel, kept);
        }
    }
    Ok(facts)
}
