//! The analyzer interface: which files an analyzer wants, and what it makes of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{OsInfo, Package};

/// The files an analyzer asked for, as they are in the merged file tree at one layer.
/// Paths are relative to the image root, without a leading `/` (`var/lib/dpkg/status`).
pub type FileSet = BTreeMap<String, Arc<Vec<u8>>>;

/// What one analyzer found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Packages found.
    pub packages: Vec<Package>,
    /// The OS, for OS analyzers.
    pub os: Option<OsInfo>,
    /// Soft problems (a malformed record that was skipped), each naming the file.
    pub warnings: Vec<String>,
    /// Soft problems with their own stable code ([`crate::diagnostics`]), each naming the
    /// file: `(code, message)`. Plain `warnings` are reported as `RECORD_SKIPPED`.
    pub diagnostics: Vec<(&'static str, String)>,
}

/// How many leading bytes of a file [`Analyzer::picks`] sees.
pub const HEAD_LEN: usize = 64;

/// An analyzer failed on its input as a whole (a corrupt database).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct AnalyzeError {
    /// The file that could not be read.
    pub path: String,
    /// Why.
    pub message: String,
}

/// A reader of one kind of file in an image (a package database, os-release).
///
/// Analyzers see only the files they declared with [`Analyzer::wants`], never the host.
pub trait Analyzer: Send + Sync {
    /// A unique, stable name (`dpkg`).
    fn name(&self) -> &'static str;
    /// Bumped whenever the output for the same input changes (part of cache keys).
    fn version(&self) -> u32;
    /// Whether the file at `path` (relative, no leading `/`) is one this analyzer reads.
    fn wants(&self, path: &str) -> bool;
    /// The largest file this analyzer will buffer; bigger ones are skipped with a warning.
    fn max_file_size(&self) -> u64 {
        64 * 1024 * 1024
    }
    /// The cap for one wanted file, when an analyzer wants files of different kinds (the
    /// `java` analyzer's archives and the OS file lists it reads for ownership).
    fn max_size_of(&self, _path: &str) -> u64 {
        self.max_file_size()
    }
    /// Whether this analyzer reduces the regular file at `path` while its layer is read,
    /// told by the path, its mode bits (`mode`, e.g. `0o755`; 0 when unknown) and its first
    /// bytes (`head`, up to [`HEAD_LEN`], fewer for short files). For files whose bulk
    /// nothing needs (executables), which [`Analyzer::wants`] would keep whole.
    fn picks(&self, _path: &str, _mode: u32, _head: &[u8]) -> bool {
        false
    }
    /// The largest file [`Analyzer::picks`] may select; bigger ones are skipped with a
    /// diagnostic.
    fn max_pick_size(&self) -> u64 {
        512 * 1024 * 1024
    }
    /// What [`Analyzer::analyze`] needs of a picked file (a Go binary's build info, not its
    /// 40 MB), or `None` when it holds nothing for this analyzer. Called in the walk, one
    /// file at a time; only the result is kept, and `analyze` sees it under the file's path.
    /// Problems worth reporting are encoded in the result and reported by `analyze`.
    fn reduce(&self, _path: &str, _data: &[u8]) -> Option<Vec<u8>> {
        None
    }
    /// Read the wanted files and the reduced picked ones (the merged view at one layer; may
    /// be empty).
    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError>;
}
