//! The analyzers shipshape runs, in one explicit list.

mod apk;
mod composer;
mod dotnet;
mod dpkg;
pub mod executable;
mod gem;
mod java;
mod npm;
mod os_release;
mod owned;
mod python;
mod rpm;
mod runtimes;
mod rustbinary;

pub use apk::Apk;
pub use composer::Composer;
pub use dotnet::DotNet;
pub use dpkg::Dpkg;
pub use gem::Gem;
pub use java::Java;
pub use npm::Npm;
pub use os_release::OsRelease;
pub use python::Python;
pub use rpm::Rpm;
pub use runtimes::Runtimes;
pub use rustbinary::RustBinary;

use crate::Analyzer;

/// Every analyzer, in the order their results are merged.
pub fn all() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(OsRelease),
        Box::new(Dpkg),
        Box::new(Apk),
        Box::new(Rpm),
        Box::new(Python),
        Box::new(Npm),
        Box::new(Gem),
        Box::new(Java),
        Box::new(RustBinary),
        Box::new(DotNet),
        Box::new(Composer),
        Box::new(Runtimes),
    ]
}

#[cfg(test)]
mod tests {
    /// Validates that analyzer names are unique, since they key caches and results.
    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = super::all().iter().map(|a| a.name()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
