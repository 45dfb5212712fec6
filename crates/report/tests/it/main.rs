//! Integration tests of the SBOM renderers: schema validation against the official
//! CycloneDX 1.6 and SPDX 2.3 JSON schemas, field mapping, and golden files; and of the
//! vulnerability renderers (text, JSON, SARIF 2.1.0, CycloneDX with vulnerabilities) on a
//! report made by the real scan pipeline.

mod common;
mod cyclonedx;
mod cyclonedx_vulns;
mod json;
mod sarif;
mod scan_fixture;
mod spdx;
mod text;
mod text_base;
mod vuln_json;
