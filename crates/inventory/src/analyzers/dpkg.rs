//! Placeholder, being written.
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// The dpkg analyzer.
pub struct Dpkg;

impl Analyzer for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
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
