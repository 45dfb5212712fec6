//! Placeholder, being written.
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// The apk analyzer.
pub struct Apk;

impl Analyzer for Apk {
    fn name(&self) -> &'static str {
        "apk"
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
