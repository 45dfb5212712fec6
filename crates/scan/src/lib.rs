//! What the vulnerabilities of an image are: matching an inventory against the advisory
//! store, and enriching each finding into a [`Report`].
//!
//! This crate owns the step from "what is installed" to "what is wrong with it": which feed
//! a package is matched in and under which name and version ([`ecosystem`]), turning
//! advisories into findings with a status and the nearest fixed version, joining aliases
//! into one finding ([`matching`]), choosing a severity and saying where it came from
//! ([`severity`]), dependency paths from the package graph and apt's marks ([`paths`]), the
//! layer and build step that introduced each package ([`provenance`]), which Dockerfile
//! instruction that was and which layers the base image made ([`attribution`], [`base`]),
//! exploit data, the policy and OpenVEX files that hide accepted findings ([`policy`],
//! [`vex`]), the gates a CI build fails on ([`gate`]), which tags of the base image's
//! repository would be better ([`advice`]: tag parsing, candidates, ranking) and what
//! changed between two images ([`mod@diff`]). The [`Report`] it returns is plain data:
//! renderers print it and compute nothing.
//!
//! It does not know image, SBOM or feed formats (reading images and feeds is `inventory`'s
//! and `vulndb`'s job), how versions order (that is `version`), or how a report is printed
//! (text, JSON, SARIF and CycloneDX are `report`'s), nor registries (the caller lists tags
//! and pulls the candidates the advice asks for, behind [`advice::AdviceSource`]). It does no
//! I/O besides reading the store: policy and OpenVEX documents arrive as text (their formats
//! are this crate's: [`Policy::parse`], [`Vex::parse`]), the Dockerfile arrives parsed, and
//! the moment of the scan arrives as a value. It never prints.
//!
//! # Brief overview
//! * [`Scanner::scan`] with a [`ScanRequest`] (inventory, options, policy, VEX, now,
//!   Dockerfile context) → [`Report`]: the one entry point of `scan`, `diff`, `sbom:`
//!   re-checks and the advice; [`scan()`] with [`ScanOptions`] is its matching step.
//! * [`Severity`], [`SeveritySource`], [`FindingStatus`], [`Identifiers`], [`ExploitData`],
//!   [`LayerRef`], [`UpgradeStep`]: the parts of a finding.
//! * [`exceeds`] and [`FailOn`]: the gate behind the exit code.
//! * [`diagnostics`]: codes for problems that make a scan less complete.
//!
//! # Example
//! ```
//! use inventory::{Inventory, OsInfo, Package, PackageType};
//! use scan::{exceeds, scan, FailOn, FindingStatus, ScanOptions, Severity};
//! use vulndb::{import::debian, SourceMeta, Store};
//!
//! // The Debian Security Tracker says openssl is fixed in bookworm in 3.0.13-1~deb12u1.
//! let tracker = br#"{"openssl": {"CVE-2024-0727": {"description": "PKCS12 NULL dereference",
//!   "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1",
//!   "urgency": "low"}}}}}"#;
//! let dir = tempfile::tempdir().unwrap();
//! let db = dir.path().join("shipshape.db");
//! let mut builder = Store::build_beside(&db).unwrap();
//! let imported = debian::import("debian", &tracker[..]).unwrap();
//! builder.add_advisories(&SourceMeta::named("debian"), &imported).unwrap();
//! builder.commit().unwrap();
//! let store = Store::open(&db).unwrap();
//!
//! // A Debian 12 image with libssl3, built from the openssl source package.
//! let inv = Inventory {
//!     os: Some(OsInfo { id: "debian".into(), version_id: Some("12".into()), ..OsInfo::default() }),
//!     packages: vec![Package {
//!         package_type: Some(PackageType::Deb),
//!         name: "libssl3".into(),
//!         version: "3.0.11-1~deb12u2".into(),
//!         source_name: Some("openssl".into()),
//!         ..Package::default()
//!     }],
//!     ..Inventory::default()
//! };
//! let report = scan(&inv, &store, &ScanOptions::default()).unwrap();
//! let f = &report.vulnerabilities[0];
//! assert_eq!((f.id.as_str(), f.name.as_str()), ("CVE-2024-0727", "openssl/libssl3"));
//! assert_eq!(f.status, FindingStatus::Fixed);
//! assert_eq!(f.nearest_fixed_in_version.as_deref(), Some("3.0.13-1~deb12u1"));
//! assert_eq!(f.severity, Severity::Low);
//! assert!(exceeds(&report, Severity::Low, FailOn::All, false));
//! assert!(!exceeds(&report, Severity::Medium, FailOn::All, false));
//! ```
#![deny(missing_docs)]

pub mod advice;
pub mod attribution;
pub mod base;
pub mod diagnostics;
pub mod diff;
pub mod ecosystem;
mod error;
pub mod gate;
pub mod matching;
mod model;
pub mod paths;
pub mod policy;
pub mod provenance;
mod rustsec;
pub mod scanner;
pub mod severity;
pub mod symbols;
pub mod vex;

#[cfg(test)]
mod tests;

pub use diff::{diff, DiffError, ImageDiff};
pub use error::ScanError;
pub use gate::{exceeds, FailOn};
pub use matching::{scan, ScanOptions};
pub use model::{
    AdvisoryRef, BaseImageSource, DatabaseInfo, DockerInfo, ExploitData, Finding, FindingStatus,
    Identifiers, ImageSummary, LayerRef, Link, OsSummary, Report, ScanDiagnostic, Severity,
    SeverityCounts, SeveritySource, Suppressed, SuppressionRule, SuppressionSource,
    UnknownSeverity, UpgradeStep,
};
pub use policy::{apply_policy, check_database_age, IgnoreRule, Policy, PolicyError};
pub use scanner::{DockerContext, ScanRequest, Scanner};
pub use symbols::{SymbolStatus, VulnerableSymbols};
pub use vex::{Vex, VexStatus};
