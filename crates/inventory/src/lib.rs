//! What is inside an image: the layer walk, package analyzers, merge and provenance.
//!
//! This crate owns reading layers (gzip, zstd or plain tar, told by magic bytes) as streams,
//! buffering only the files analyzers ask for, applying whiteouts and opaque directories in
//! layer order, and turning package databases into an [`Inventory`] in which every package
//! of an image knows the layer and build step that introduced it. It also spells each
//! package's purl ([`purl`]) and reads stored CycloneDX and SPDX SBOMs back into an
//! inventory ([`sbom_input`]).
//!
//! It does not know where an image came from (that is `oci`), nor anything about
//! vulnerabilities, not even the names feeds give ecosystems (`PyPI`, `Debian:12`: that
//! mapping is `scan`'s).
//!
//! # Brief overview
//! * [`Analyzer`] is the interface of one file reader; [`analyzers::all`] is the list.
//! * [`inventory_image`] walks an [`oci::Image`]; [`inventory_rootfs`] walks a directory.
//! * [`inventory_sbom`] reads a stored CycloneDX or SPDX JSON SBOM back; [`sbom_props`]
//!   names the facts shipshape's SBOMs record beyond the formats' own fields.
//! * [`Inventory`] and [`Package`] are the result; a [`PackageId`] names one package of it.
//! * [`Inventory::dependencies`] resolves the packages' dependency names to packages once
//!   ([`Dependencies`]), for dependency paths and SBOM relationships alike.
//! * [`LayerHistory`] pairs the image's history entries with its layers ([`history`]).
#![deny(missing_docs)]

mod analyzer;
pub mod analyzers;
mod deps;
pub mod diagnostics;
mod error;
pub mod history;
mod merge;
mod model;
pub mod purl;
pub mod sbom_input;
pub mod sbom_props;
mod walk;

pub use analyzer::{Analysis, AnalyzeError, Analyzer, FileSet, HEAD_LEN};
pub use deps::Dependencies;
pub use error::Error;
pub use history::LayerHistory;
pub use merge::{inventory_image, inventory_layers, inventory_rootfs, Options, Progress};
pub use model::{
    Diagnostic, HistoryEntry, ImageInfo, Introduced, Inventory, LayerInfo, OsInfo, Package,
    PackageId, PackageType,
};
pub use oci::ImageIdentity;
pub use sbom_input::inventory_sbom;
