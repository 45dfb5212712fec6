//! An index of a tar file's entries (name → byte range), so members can be streamed by
//! seeking a fresh file handle instead of extracting or buffering them.
//!
//! Traps: names may start with `./`; `docker save` writes duplicate layers as symlinks
//! (`<id>/layer.tar -> ../<other>/layer.tar`) or hard links; a compressed outer archive
//! cannot be seeked and is rejected with a hint.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

/// Where a member's bytes live in the outer tar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub offset: u64,
    pub size: u64,
}

/// The regular files of a tar archive, by normalized name.
#[derive(Debug)]
pub(crate) struct TarIndex {
    path: PathBuf,
    files: HashMap<String, Span>,
}

/// Normalize a member name: no leading `./` or `/`, no `.` components, `..` resolved.
pub(crate) fn normalize(name: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

impl TarIndex {
    /// Read the headers of the tar at `path` (`format` names the expected image format for
    /// errors). Member data is skipped by seeking, never read.
    pub(crate) fn open(path: &Path, format: &str) -> Result<TarIndex, Error> {
        let io_err = |source| {
            Error::new(ErrorKind::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let not_image = |why: String| {
            Error::new(ErrorKind::NotAnImage {
                path: path.to_path_buf(),
                format: format.to_string(),
                why,
            })
        };
        let mut file = File::open(path).map_err(io_err)?;
        if file.metadata().map_err(io_err)?.is_dir() {
            return Err(not_image("it is a directory, not a tar file".into()));
        }
        let mut magic = [0u8; 4];
        let n = read_up_to(&mut file, &mut magic).map_err(io_err)?;
        if n >= 2 && magic[..2] == [0x1f, 0x8b] {
            return Err(not_image(
                "it is gzip-compressed; decompress it first (gunzip)".into(),
            ));
        }
        if n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            return Err(not_image(
                "it is zstd-compressed; decompress it first (zstd -d)".into(),
            ));
        }
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        let mut archive = tar::Archive::new(file);
        let entries = archive
            .entries_with_seek()
            .map_err(|e| not_image(format!("not a tar archive ({e})")))?;
        let mut files = HashMap::new();
        let mut links: Vec<(String, String)> = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| not_image(format!("not a readable tar archive ({e})")))?;
            let name = match entry.path() {
                Ok(p) => normalize(&p.to_string_lossy()),
                Err(e) => return Err(not_image(format!("bad member name ({e})"))),
            };
            let kind = entry.header().entry_type();
            if kind.is_file() || kind == tar::EntryType::Continuous {
                files.insert(
                    name,
                    Span {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            } else if kind.is_symlink() || kind.is_hard_link() {
                let Ok(Some(target)) = entry.link_name() else {
                    continue;
                };
                let target = target.to_string_lossy().to_string();
                // Symlinks are relative to the link's directory; hard links to the root.
                let target = if kind.is_symlink() && !target.starts_with('/') {
                    let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    normalize(&format!("{dir}/{target}"))
                } else {
                    normalize(&target)
                };
                links.push((name, target));
            }
        }
        // Resolve links (chains included) to the files they name.
        for _ in 0..8 {
            let mut progressed = false;
            links.retain(|(name, target)| match files.get(target).copied() {
                Some(span) => {
                    files.insert(name.clone(), span);
                    progressed = true;
                    false
                }
                None => true,
            });
            if !progressed || links.is_empty() {
                break;
            }
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            files,
        })
    }

    /// The archive's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// A member's byte range.
    pub(crate) fn get(&self, name: &str) -> Option<Span> {
        self.files.get(&normalize(name)).copied()
    }

    /// Whether the archive has no regular files at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Stream a member through a fresh file handle.
    pub(crate) fn open_span(&self, span: Span) -> Result<io::Take<File>, Error> {
        let io_err = |source| {
            Error::new(ErrorKind::Io {
                path: self.path.clone(),
                source,
            })
        };
        let mut f = File::open(&self.path).map_err(io_err)?;
        f.seek(SeekFrom::Start(span.offset)).map_err(io_err)?;
        Ok(f.take(span.size))
    }

    /// Read a small member (JSON) into memory, refusing members over `cap` bytes.
    pub(crate) fn read_small(&self, name: &str, cap: u64, what: &str) -> Result<Vec<u8>, Error> {
        let span = self.get(name).ok_or_else(|| {
            Error::new(ErrorKind::NotAnImage {
                path: self.path.clone(),
                format: what.to_string(),
                why: format!("{name} is missing"),
            })
        })?;
        read_capped(self.open_span(span)?, cap, &self.path, name)
    }

    /// The first bytes of a member (for sniffing compression).
    pub(crate) fn peek(&self, span: Span, buf: &mut [u8]) -> Result<usize, Error> {
        let mut r = self.open_span(span)?;
        read_up_to(&mut r, buf).map_err(|source| {
            Error::new(ErrorKind::Io {
                path: self.path.clone(),
                source,
            })
        })
    }
}

/// Read until `buf` is full or the stream ends.
pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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

/// Read `r` fully unless it is longer than `cap` bytes; `path`/`name` name it for errors.
pub(crate) fn read_capped(
    r: impl Read,
    cap: u64,
    path: &Path,
    name: &str,
) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    r.take(cap + 1).read_to_end(&mut buf).map_err(|source| {
        Error::new(ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        })
    })?;
    if buf.len() as u64 > cap {
        return Err(Error::new(ErrorKind::NotAnImage {
            path: path.to_path_buf(),
            format: "image".into(),
            why: format!("{name} is larger than {cap} bytes"),
        }));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    /// Validates member name normalization.
    #[test]
    fn normalizes() {
        assert_eq!(normalize("./a/b.tar"), "a/b.tar");
        assert_eq!(normalize("/x/../y"), "y");
        assert_eq!(normalize("a/./b/../c"), "a/c");
    }
}
