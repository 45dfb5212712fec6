//! Renderers: this crate owns the output formats of shipshape. It turns an
//! [`inventory::Inventory`] into a software bill of materials (CycloneDX 1.6 JSON, SPDX 2.3
//! JSON, or shipshape's own JSON), and a [`scan::Report`] into a vulnerability report (text
//! in the shape of `docker scan`, Snyk-compatible JSON, SARIF 2.1.0, or CycloneDX 1.6 with a
//! `vulnerabilities` section), and an image diff ([`scan::ImageDiff`]) into text or JSON
//! ([`diff`]). It only maps data that is already there: it does not know
//! where packages come from (layers, analyzers and purls belong to `inventory`) or where
//! findings come from (matching, severities, paths and counts belong to `scan`), and it
//! computes nothing about them beyond the identifiers each format needs (bom-refs, SPDX IDs,
//! SARIF rule indexes) and the dependency edges between those identifiers.
//!
//! # Brief overview
//!
//! - [`render_sbom`] writes one SBOM in a [`Format`] to any [`std::io::Write`].
//! - [`Format`] names the formats and parses them from the CLI (`cyclonedx`, `spdx`, `json`).
//! - [`RenderOptions`] carries the tool version and, for reproducible output, a fixed
//!   timestamp and document UUID.
//! - [`cyclonedx`], [`spdx`] and [`json`] hold the documents as plain serde types, so callers
//!   and tests can inspect them before they are written.
//! - [`render_report`] writes a scan [`scan::Report`] in a [`ReportFormat`], with
//!   [`ReportOptions`] (colour on or off, tool version, fixed timestamp and UUID).
//! - [`text`], [`vuln_json`], [`sarif`] and [`cyclonedx::vulnerability_bom`] hold the
//!   vulnerability renderers.
//! - [`Error`] says what failed and for which format.
//!
//! # Example
//!
//! ```
//! use inventory::{Inventory, Package, PackageType};
//! use report::{render_sbom, Format, RenderOptions};
//!
//! let mut inv = Inventory::default();
//! inv.image.identity.name = "alpine:3.19".into();
//! inv.packages.push(Package {
//!     package_type: Some(PackageType::Apk),
//!     name: "musl".into(),
//!     version: "1.2.4_git20230717-r4".into(),
//!     db_path: "lib/apk/db/installed".into(),
//!     purl: "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1".into(),
//!     ..Package::default()
//! });
//!
//! let opts = RenderOptions::fixed("0.1.0", "2024-01-02T03:04:05Z", "00000000-0000-4000-8000-000000000001")?;
//! let mut out = Vec::new();
//! render_sbom(&inv, Format::CycloneDx, &mut out, &opts)?;
//! let bom: serde_json::Value = serde_json::from_slice(&out)?;
//! assert_eq!(bom["specVersion"], "1.6");
//! assert_eq!(bom["serialNumber"], "urn:uuid:00000000-0000-4000-8000-000000000001");
//! assert_eq!(bom["components"][0]["bom-ref"], inv.packages[0].purl);
//! assert_eq!(bom["components"][0]["version"], "1.2.4_git20230717-r4");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod cyclonedx;
pub mod diff;
mod error;
pub mod json;
mod licenses;
pub mod sarif;
pub mod spdx;
pub mod text;
pub mod vuln_json;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use inventory::Inventory;
use time::OffsetDateTime;
use uuid::Uuid;

pub use diff::{render_diff, DiffFormat, DiffRenderError};
pub use error::Error;

/// The name shipshape gives itself in the documents it writes.
pub const TOOL_NAME: &str = "shipshape";

/// An SBOM output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX 1.6, JSON encoding (`cyclonedx`, also `cyclonedx-json`, `cdx`).
    CycloneDx,
    /// SPDX 2.3, JSON encoding (`spdx`, also `spdx-json`).
    Spdx,
    /// shipshape's native SBOM JSON (`json`).
    Json,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 3] = [Format::CycloneDx, Format::Spdx, Format::Json];

    /// The canonical name, as accepted by [`FromStr`] and shown by [`fmt::Display`].
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cyclonedx" | "cyclonedx-json" | "cdx" => Ok(Format::CycloneDx),
            "spdx" | "spdx-json" => Ok(Format::Spdx),
            "json" => Ok(Format::Json),
            _ => Err(Error::UnknownFormat {
                given: s.to_string(),
            }),
        }
    }
}

/// Settings that are not part of the inventory but end up in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// The shipshape version written as the document's creator tool.
    pub tool_version: String,
    /// The creation time; `None` means now. Written in UTC, to the second.
    pub timestamp: Option<OffsetDateTime>,
    /// The document UUID (CycloneDX serial number, SPDX namespace); `None` means a random v4.
    pub uuid: Option<Uuid>,
}

impl Default for RenderOptions {
    /// This crate's version, the current time and a random UUID.
    fn default() -> Self {
        RenderOptions {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: None,
            uuid: None,
        }
    }
}

impl RenderOptions {
    /// Options with a fixed version, timestamp (RFC 3339) and UUID, for reproducible output.
    pub fn fixed(tool_version: &str, timestamp: &str, uuid: &str) -> Result<Self, Error> {
        let ts = OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
            .map_err(|source| Error::InvalidTimestamp {
            given: timestamp.to_string(),
            source,
        })?;
        let id = Uuid::parse_str(uuid).map_err(|source| Error::InvalidUuid {
            given: uuid.to_string(),
            source,
        })?;
        Ok(RenderOptions {
            tool_version: tool_version.to_string(),
            timestamp: Some(ts),
            uuid: Some(id),
        })
    }

    /// Resolves the defaults (now, a random UUID) once, so every part of a document agrees.
    pub(crate) fn context(&self) -> Result<Context, Error> {
        let ts = self
            .timestamp
            .unwrap_or_else(OffsetDateTime::now_utc)
            .to_offset(time::UtcOffset::UTC);
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let timestamp = ts.format(&format).map_err(Error::FormatTimestamp)?;
        Ok(Context {
            tool_version: self.tool_version.clone(),
            timestamp,
            uuid: self.uuid.unwrap_or_else(Uuid::new_v4),
        })
    }
}

/// [`RenderOptions`] with the defaults resolved.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    pub(crate) tool_version: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`, the form both CycloneDX and SPDX accept.
    pub(crate) timestamp: String,
    pub(crate) uuid: Uuid,
}

/// Writes the inventory as an SBOM in `format` to `out`, pretty-printed, ending in a newline.
pub fn render_sbom(
    inv: &Inventory,
    format: Format,
    out: &mut dyn Write,
    opts: &RenderOptions,
) -> Result<(), Error> {
    let ctx = opts.context()?;
    let bytes = match format {
        Format::CycloneDx => serde_json::to_vec_pretty(&cyclonedx::build(inv, &ctx)),
        Format::Spdx => serde_json::to_vec_pretty(&spdx::build(inv, &ctx)),
        Format::Json => serde_json::to_vec_pretty(&json::build(inv, &ctx)),
    }
    .map_err(|source| Error::Serialize { format, source })?;
    out.write_all(&bytes)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write { format, source })
}

/// A vulnerability report output format (`scan --format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// Human text in the shape of `docker scan` (`table`, also `text`).
    Table,
    /// JSON with the field names of `snyk container test --json` (`json`).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards (`sarif`).
    Sarif,
    /// CycloneDX 1.6 with a `vulnerabilities` section (`cyclonedx`, also `cyclonedx-json`,
    /// `cdx`).
    CycloneDx,
}

impl ReportFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Table,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::CycloneDx,
    ];

    /// The canonical name, as accepted by [`FromStr`] and shown by [`fmt::Display`].
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Table => "table",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::CycloneDx => "cyclonedx",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" | "text" => Ok(ReportFormat::Table),
            "json" => Ok(ReportFormat::Json),
            "sarif" => Ok(ReportFormat::Sarif),
            "cyclonedx" | "cyclonedx-json" | "cdx" => Ok(ReportFormat::CycloneDx),
            _ => Err(Error::UnknownReportFormat {
                given: s.to_string(),
            }),
        }
    }
}

/// Settings of a vulnerability report that are not part of the scan report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Colour the text output with ANSI escapes (a terminal); never used by other formats.
    pub color: bool,
    /// The shipshape version written as the tool (SARIF driver, CycloneDX tool).
    pub tool_version: String,
    /// The creation time (CycloneDX); `None` means now.
    pub timestamp: Option<OffsetDateTime>,
    /// The document UUID (CycloneDX serial number); `None` means a random v4.
    pub uuid: Option<Uuid>,
}

impl Default for ReportOptions {
    /// No colour, this crate's version, the current time and a random UUID.
    fn default() -> Self {
        let r = RenderOptions::default();
        ReportOptions {
            color: false,
            tool_version: r.tool_version,
            timestamp: r.timestamp,
            uuid: r.uuid,
        }
    }
}

impl ReportOptions {
    /// Options without colour and with a fixed version, timestamp (RFC 3339) and UUID, for
    /// reproducible output.
    pub fn fixed(tool_version: &str, timestamp: &str, uuid: &str) -> Result<Self, Error> {
        let r = RenderOptions::fixed(tool_version, timestamp, uuid)?;
        Ok(ReportOptions {
            color: false,
            tool_version: r.tool_version,
            timestamp: r.timestamp,
            uuid: r.uuid,
        })
    }

    /// The same options with colour on or off.
    pub fn with_color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    /// The SBOM options these carry (for the CycloneDX document around the findings).
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            tool_version: self.tool_version.clone(),
            timestamp: self.timestamp,
            uuid: self.uuid,
        }
    }
}

/// Writes the scan report in `format` to `out`, ending in a newline.
///
/// `inv` is the inventory the report was made from: SARIF takes each package's database path
/// from it, and CycloneDX its components. The text format ignores it.
pub fn render_report(
    report: &scan::Report,
    inv: &Inventory,
    format: ReportFormat,
    out: &mut dyn Write,
    opts: &ReportOptions,
) -> Result<(), Error> {
    let ser = |source| Error::SerializeReport { format, source };
    let bytes = match format {
        ReportFormat::Table => text::render(report, opts.color).into_bytes(),
        ReportFormat::Json => vuln_json::to_vec(report).map_err(ser)?,
        ReportFormat::Sarif => {
            serde_json::to_vec_pretty(&sarif::build(report, inv, &opts.tool_version))
                .map_err(ser)?
        }
        ReportFormat::CycloneDx => {
            let ctx = opts.render_options().context()?;
            serde_json::to_vec_pretty(&cyclonedx::build_vulnerabilities(report, inv, &ctx))
                .map_err(ser)?
        }
    };
    let newline: &[u8] = if bytes.ends_with(b"\n") { b"" } else { b"\n" };
    out.write_all(&bytes)
        .and_then(|()| out.write_all(newline))
        .and_then(|()| out.flush())
        .map_err(|source| Error::WriteReport { format, source })
}

/// The image version both SBOM formats show: the manifest digest, else the tag of the
/// reference or name (`alpine:3.19` → `3.19`), else nothing.
pub(crate) fn image_version(image: &inventory::ImageIdentity) -> Option<String> {
    if let Some(d) = &image.manifest_digest {
        return Some(d.clone());
    }
    let reference = image.reference.as_deref().unwrap_or(&image.name);
    if reference.contains('@') {
        return reference.rsplit_once('@').map(|(_, d)| d.to_string());
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.rsplit_once(':')
        .map(|(_, tag)| tag.to_string())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates that every format name round-trips through Display and FromStr.
    #[test]
    fn format_round_trips() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert_eq!("CDX".parse::<Format>().unwrap(), Format::CycloneDx);
        assert_eq!("spdx-json".parse::<Format>().unwrap(), Format::Spdx);
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("\"xml\""), "{err}");
    }

    /// Validates that every report format name round-trips, with the aliases the CLI takes.
    #[test]
    fn report_format_round_trips() {
        for f in ReportFormat::ALL {
            assert_eq!(f.to_string().parse::<ReportFormat>().unwrap(), f);
        }
        assert_eq!("text".parse::<ReportFormat>().unwrap(), ReportFormat::Table);
        assert_eq!(
            "CDX".parse::<ReportFormat>().unwrap(),
            ReportFormat::CycloneDx
        );
        let err = "spdx".parse::<ReportFormat>().unwrap_err();
        assert!(err.to_string().contains("\"spdx\""), "{err}");
    }

    /// Validates that timestamps are written in UTC to the second, whatever the offset given.
    #[test]
    fn timestamp_is_utc_seconds() {
        let opts = RenderOptions::fixed(
            "1.0.0",
            "2024-01-02T05:04:05.123+02:00",
            "00000000-0000-4000-8000-000000000001",
        )
        .unwrap();
        assert_eq!(opts.context().unwrap().timestamp, "2024-01-02T03:04:05Z");
        assert!(RenderOptions::fixed("1", "yesterday", "x").is_err());
    }

    /// Validates the image version: digest first, then tag, never a registry port.
    #[test]
    fn image_version_prefers_digest() {
        let mut image = inventory::ImageIdentity {
            name: "registry.example:5000/app".into(),
            ..Default::default()
        };
        assert_eq!(image_version(&image), None);
        image.name = "registry.example:5000/app:1.2".into();
        assert_eq!(image_version(&image).as_deref(), Some("1.2"));
        image.manifest_digest = Some("sha256:abc".into());
        assert_eq!(image_version(&image).as_deref(), Some("sha256:abc"));
    }
}
