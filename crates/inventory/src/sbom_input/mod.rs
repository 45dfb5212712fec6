//! Reading a stored SBOM back into an [`Inventory`], so that it can be re-checked against a
//! newer vulnerability database without the image.
//!
//! Accepted: CycloneDX JSON (1.4–1.6) and SPDX 2.3 JSON, as written by shipshape, syft or
//! trivy. Packages are taken from their purls; what the purl does not say (source package,
//! layer) is taken from the producer's properties where it records them:
//! * shipshape: `shipshape:package:*` and `shipshape:layer:*` properties (CycloneDX), the
//!   `sourceInfo` and `comment` of a package (SPDX);
//! * syft: `syft:metadata:source`, `syft:metadata:sourceVersion`,
//!   `syft:location:0:layerID`;
//! * trivy: `aquasecurity:trivy:SrcName`, `SrcVersion`, `SrcRelease`, `SrcEpoch`,
//!   `LayerDiffID`, `LayerDigest`, and the image's `DiffID` list (the layer order).
//!
//! Traps:
//! * trivy writes a deb epoch as an `epoch` qualifier and leaves it out of the purl version
//!   (`zlib1g@1.2.13.dfsg-1?epoch=1`); dpkg versions carry it in front (`1:1.2.13.dfsg-1`);
//! * trivy names the OS version by `debian_version` (`12.15`); Debian's `VERSION_ID` is the
//!   major release (`12`), which is what advisories are keyed by;
//! * syft's SPDX links packages with `DEPENDENCY_OF` (the reverse of `DEPENDS_ON`).
//!
//! Files: this one tells the formats apart and finishes the inventory; `cyclonedx.rs` and
//! `spdx.rs` read one format each (with shipshape's SPDX text forms); `props.rs` reads the
//! producers' CycloneDX component properties; `builder.rs` collects packages by purl and
//! document reference and turns edges and layers into the [`Inventory`].

mod builder;
mod cyclonedx;
mod props;
mod spdx;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::Value;

use crate::model::{Inventory, OsInfo};
use crate::Error;

/// The package URL type, parsed from SBOMs here (it lives in [`crate::purl`]).
pub use crate::purl::Purl;

/// The largest SBOM read.
pub const MAX_SBOM_BYTES: u64 = 256 << 20;

/// The OS named by a purl's `distro` qualifier (`debian-12`, `alpine-3.19.1`).
fn distro(purl: &Purl) -> Option<OsInfo> {
    let d = purl.qualifiers.get("distro")?;
    let (id, version) = match d.split_once('-') {
        Some((id, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => {
            (id.to_string(), Some(v.to_string()))
        }
        _ => (d.clone(), None),
    };
    Some(os_info(&id, version.as_deref()))
}

fn os_info(id: &str, version: Option<&str>) -> OsInfo {
    let id = id.to_lowercase();
    let id = match id.as_str() {
        "redhat" => "rhel".to_string(),
        _ => id,
    };
    // Debian's VERSION_ID is the major release; trivy writes debian_version (12.15).
    let version_id = version
        .filter(|v| !v.is_empty())
        .map(|v| match id.as_str() {
            "debian" => v.split('.').next().unwrap_or(v).to_string(),
            _ => v.to_string(),
        });
    OsInfo {
        id,
        version_id,
        ..Default::default()
    }
}

fn sbom_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Sbom {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Read a CycloneDX or SPDX JSON SBOM into an inventory.
pub fn inventory_sbom(path: &Path) -> Result<Inventory, Error> {
    let meta = std::fs::metadata(path).map_err(|e| sbom_error(path, e.to_string()))?;
    if meta.len() > MAX_SBOM_BYTES {
        return Err(sbom_error(
            path,
            format!(
                "{} bytes is more than the {MAX_SBOM_BYTES} bytes an SBOM may have",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| sbom_error(path, e.to_string()))?;
    let doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| sbom_error(path, format!("not JSON: {e}")))?;
    let mut inv = if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx::read(&doc)
    } else if doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-"))
    {
        spdx::read(&doc)
    } else {
        return Err(sbom_error(
            path,
            "neither a CycloneDX JSON SBOM (bomFormat) nor an SPDX JSON document (spdxVersion)",
        ));
    };
    if let Some(os) = &mut inv.os {
        os.source_file = path.display().to_string();
    }
    if inv.image.identity.name.is_empty() {
        inv.image.identity.name = format!("sbom:{}", path.display());
    }
    inv.packages.sort_by(|a, b| {
        (a.package_type, &a.name, &a.version, &a.arch).cmp(&(
            b.package_type,
            &b.name,
            &b.version,
            &b.arch,
        ))
    });
    Ok(inv)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}
