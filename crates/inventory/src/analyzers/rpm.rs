//! Placeholder, being written.
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// The rpm analyzer.
pub struct Rpm;

impl Analyzer for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
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
