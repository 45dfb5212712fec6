//! Placeholder, being written.
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// The os_release analyzer.
pub struct OsRelease;

impl Analyzer for OsRelease {
    fn name(&self) -> &'static str {
        "os_release"
    }
    fn version(&self) -> u32 {
        1
    }
    fn wants(&self, _path: &str) -> bool {
        false
    }
    fn analyze(&self, _files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(Analysis::default())
    }
}
