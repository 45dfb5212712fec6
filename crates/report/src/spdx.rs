//! SPDX 2.3 JSON.
//!
//! Shape: the document `DESCRIBES` the image (a package with purpose `CONTAINER`); the image
//! `CONTAINS` the OS (`OPERATING-SYSTEM`) and every package (`LIBRARY`); packages are linked
//! by `DEPENDS_ON`, as [`Inventory::dependencies`] resolves them. Each package carries its purl as a `PACKAGE-MANAGER` external reference
//! and where it came from (layer, database file, source package) in `comment` and
//! `sourceInfo`, in the text forms of [`inventory::sbom_props::spdx`] (the `sbom:` reader
//! parses them back).
//!
//! Traps:
//! - an `SPDXID` may only hold letters, digits, `.` and `-`, and must be unique; names and
//!   versions hold `+`, `:` and `~`, and the same name can be installed for two
//!   architectures, so IDs include the architecture, are sanitised, and get a `-N` suffix
//!   when two still collide;
//! - `licenseDeclared` must be a valid SPDX expression or `NOASSERTION`. Licences that are
//!   not (Debian's `GPL-2+`) become `LicenseRef-…` identifiers, each defined once in
//!   `hasExtractedLicensingInfos` with the declared text; expressions that mention a
//!   `LicenseRef-` of their own are treated the same way, since the document cannot define
//!   someone else's reference.

use std::collections::{BTreeMap, HashSet};

use inventory::sbom_props::spdx as text;
use inventory::{Inventory, Package};
use serde::{Deserialize, Serialize};

use crate::{licenses, Context, Error, RenderOptions, TOOL_NAME};

/// The SPDX version written.
pub const SPDX_VERSION: &str = "SPDX-2.3";
/// The placeholder for "the author of this document makes no assertion".
pub const NOASSERTION: &str = "NOASSERTION";
/// The document's own SPDX ID.
pub const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
/// The image package's SPDX ID.
pub const IMAGE_ID: &str = "SPDXRef-Image";
/// The OS package's SPDX ID.
pub const OS_ID: &str = "SPDXRef-OperatingSystem";

/// An SPDX document (the subset shipshape writes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Always [`SPDX_VERSION`].
    pub spdx_version: String,
    /// Always `CC0-1.0`, as SPDX requires.
    pub data_license: String,
    /// Always [`DOCUMENT_ID`].
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// The image name.
    pub name: String,
    /// `https://shipshape.dev/spdxdocs/<name>-<uuid>`.
    pub document_namespace: String,
    /// When and by what.
    pub creation_info: CreationInfo,
    /// The image, the OS and the packages.
    pub packages: Vec<SpdxPackage>,
    /// Licences that are not on the SPDX list, by the `LicenseRef-` the packages use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicensingInfo>,
    /// DESCRIBES, CONTAINS and DEPENDS_ON.
    pub relationships: Vec<Relationship>,
}

/// Who made the document and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreationInfo {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
    /// `Tool: shipshape-<version>`.
    pub creators: Vec<String>,
}

/// An SPDX package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    /// `SPDXRef-…`, unique in the document.
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// Name.
    pub name: String,
    /// Version (with the rpm epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    /// `Organization: …` or [`NOASSERTION`].
    pub supplier: String,
    /// Always [`NOASSERTION`]: shipshape sees installed packages, not downloads.
    pub download_location: String,
    /// Always false: files are not listed.
    pub files_analyzed: bool,
    /// Always [`NOASSERTION`].
    pub license_concluded: String,
    /// A valid SPDX expression or [`NOASSERTION`].
    pub license_declared: String,
    /// Always [`NOASSERTION`].
    pub copyright_text: String,
    /// Where the facts were read from, and the source package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    /// The layer that introduced the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The purl (`PACKAGE-MANAGER`), then the CPEs (`SECURITY`, `cpe23Type`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    /// `CONTAINER`, `OPERATING-SYSTEM` or `LIBRARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<String>,
}

/// An external reference of a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    /// `PACKAGE-MANAGER`.
    pub reference_category: String,
    /// `purl`.
    pub reference_type: String,
    /// The purl itself.
    pub reference_locator: String,
}

/// A licence defined by this document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicensingInfo {
    /// `LicenseRef-…`.
    pub license_id: String,
    /// The licence as the package manager declared it.
    pub extracted_text: String,
    /// The same, as a name.
    pub name: String,
    /// Why it is here.
    pub comment: String,
}

/// A relationship between two SPDX elements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// The subject.
    pub spdx_element_id: String,
    /// `DESCRIBES`, `CONTAINS` or `DEPENDS_ON`.
    pub relationship_type: String,
    /// The object.
    pub related_spdx_element: String,
}

/// Builds the SPDX document for an inventory.
pub fn document(inv: &Inventory, opts: &RenderOptions) -> Result<Document, Error> {
    Ok(build(inv, &opts.context()?))
}

pub(crate) fn build(inv: &Inventory, ctx: &Context) -> Document {
    let mut used: HashSet<String> = [DOCUMENT_ID, IMAGE_ID, OS_ID]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let ids: Vec<String> = inv
        .packages
        .iter()
        .map(|p| unique_id(package_id(p), &mut used))
        .collect();
    let mut extracted = LicenseRefs::default();

    let mut packages = Vec::with_capacity(inv.packages.len() + 2);
    packages.push(SpdxPackage {
        spdx_id: IMAGE_ID.into(),
        name: inv.image.identity.name.clone(),
        version_info: crate::image_version(&inv.image.identity),
        supplier: NOASSERTION.into(),
        download_location: NOASSERTION.into(),
        files_analyzed: false,
        license_concluded: NOASSERTION.into(),
        license_declared: NOASSERTION.into(),
        copyright_text: NOASSERTION.into(),
        source_info: None,
        comment: image_comment(inv),
        external_refs: Vec::new(),
        primary_package_purpose: Some("CONTAINER".into()),
    });
    let mut relationships = vec![rel(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)];
    if let Some(os) = &inv.os {
        packages.push(SpdxPackage {
            spdx_id: OS_ID.into(),
            name: os.id.clone(),
            version_info: os.version_id.clone(),
            supplier: NOASSERTION.into(),
            download_location: NOASSERTION.into(),
            files_analyzed: false,
            license_concluded: NOASSERTION.into(),
            license_declared: NOASSERTION.into(),
            copyright_text: NOASSERTION.into(),
            source_info: Some(format!("read from {}", os.source_file)),
            comment: os.pretty_name.clone(),
            external_refs: Vec::new(),
            primary_package_purpose: Some("OPERATING-SYSTEM".into()),
        });
        relationships.push(rel(IMAGE_ID, "CONTAINS", OS_ID));
    }
    for (p, id) in inv.packages.iter().zip(&ids) {
        packages.push(package(p, id, &mut extracted));
        relationships.push(rel(IMAGE_ID, "CONTAINS", id));
    }
    for (from, targets) in inv.dependencies().iter() {
        for t in targets {
            relationships.push(rel(&ids[from.index()], "DEPENDS_ON", &ids[t.index()]));
        }
    }

    Document {
        spdx_version: SPDX_VERSION.into(),
        data_license: "CC0-1.0".into(),
        spdx_id: DOCUMENT_ID.into(),
        name: inv.image.identity.name.clone(),
        document_namespace: format!(
            "https://shipshape.dev/spdxdocs/{}-{}",
            uri_segment(&inv.image.identity.name),
            ctx.uuid
        ),
        creation_info: CreationInfo {
            created: ctx.timestamp.clone(),
            creators: vec![format!("Tool: {TOOL_NAME}-{}", ctx.tool_version)],
        },
        packages,
        has_extracted_licensing_infos: extracted.infos,
        relationships,
    }
}

fn package(p: &Package, id: &str, extracted: &mut LicenseRefs) -> SpdxPackage {
    let mut source_info = format!("{}{}", text::SOURCE_INFO_DB, p.db_path);
    if let Some(src) = &p.source_name {
        source_info.push_str(&format!(
            "{}{}{src}",
            text::SOURCE_INFO_SEPARATOR,
            text::SOURCE_PACKAGE
        ));
        if let Some(v) = &p.source_version {
            source_info.push_str(&format!(" {v}"));
        }
    }
    if let Some(rpm) = &p.source_rpm {
        source_info.push_str(&format!(
            "{}{}{rpm}",
            text::SOURCE_INFO_SEPARATOR,
            text::SOURCE_RPM
        ));
    }
    SpdxPackage {
        spdx_id: id.to_string(),
        name: p.name.clone(),
        version_info: Some(p.full_version()).filter(|v| !v.is_empty()),
        supplier: supplier(p.maintainer.as_deref()),
        download_location: NOASSERTION.into(),
        files_analyzed: false,
        license_concluded: NOASSERTION.into(),
        license_declared: extracted.declared(&p.licenses),
        copyright_text: NOASSERTION.into(),
        source_info: Some(source_info),
        comment: p.introduced.as_ref().map(|i| {
            let mut c = format!(
                "{}{} ({})",
                text::COMMENT_LAYER,
                i.layer_index,
                i.layer_digest
            );
            if let Some(d) = &i.diff_id {
                c.push_str(&format!("{}{d}", text::COMMENT_DIFF_ID));
            }
            if let Some(cmd) = &i.created_by {
                c.push_str(&format!("{}{cmd}", text::COMMENT_CREATED_BY));
            }
            c
        }),
        external_refs: (!p.purl.is_empty())
            .then(|| ExternalRef {
                reference_category: "PACKAGE-MANAGER".into(),
                reference_type: "purl".into(),
                reference_locator: p.purl.clone(),
            })
            .into_iter()
            .chain(p.cpes.iter().map(|c| ExternalRef {
                reference_category: "SECURITY".into(),
                reference_type: "cpe23Type".into(),
                reference_locator: c.clone(),
            }))
            .collect(),
        primary_package_purpose: Some("LIBRARY".into()),
    }
}

fn image_comment(inv: &Inventory) -> Option<String> {
    let image = &inv.image.identity;
    let parts: Vec<String> = [
        ("reference", image.reference.as_deref()),
        ("manifest digest", image.manifest_digest.as_deref()),
        ("config digest", image.config_digest.as_deref()),
        ("platform", image.platform.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `Organization: Name (email)` from `Name <email>`, or [`NOASSERTION`].
fn supplier(maintainer: Option<&str>) -> String {
    let Some(m) = maintainer.map(str::trim).filter(|m| !m.is_empty()) else {
        return NOASSERTION.into();
    };
    match m.strip_suffix('>').and_then(|m| m.rsplit_once('<')) {
        Some((name, email)) if !name.trim().is_empty() => {
            format!("Organization: {} ({})", name.trim(), email.trim())
        }
        _ => format!("Organization: {m}"),
    }
}

/// The `LicenseRef-`s defined so far, by declared text.
#[derive(Default)]
struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    ids: HashSet<String>,
    infos: Vec<ExtractedLicensingInfo>,
}

impl LicenseRefs {
    /// The `licenseDeclared` value for a package's declared licences.
    fn declared(&mut self, declared: &[String]) -> String {
        let parts: Vec<String> = declared
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(|l| {
                if licenses::is_spdx_expression(l) && !l.contains("LicenseRef-") {
                    l.to_string()
                } else {
                    self.reference(l)
                }
            })
            .collect();
        licenses::and_all(&parts).unwrap_or_else(|| NOASSERTION.into())
    }

    fn reference(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let id = unique_id(format!("LicenseRef-{}", sanitise(text)), &mut self.ids);
        self.by_text.insert(text.to_string(), id.clone());
        self.infos.push(ExtractedLicensingInfo {
            license_id: id.clone(),
            extracted_text: text.to_string(),
            name: text.to_string(),
            comment: "licence as declared by the package manager; not an SPDX expression".into(),
        });
        id
    }
}

/// `SPDXRef-Package-<type>-<name>-<version>[-<arch>]`, sanitised.
fn package_id(p: &Package) -> String {
    let mut raw = format!(
        "Package-{}-{}-{}",
        p.package_type.map_or("unknown", |t| t.as_str()),
        p.name,
        p.full_version()
    );
    if let Some(arch) = &p.arch {
        raw.push('-');
        raw.push_str(arch);
    }
    format!("SPDXRef-{}", sanitise(&raw))
}

/// Keeps letters, digits, `.` and `-`; everything else becomes `-`.
pub fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Keeps letters, digits, `.`, `_` and `-`; everything else becomes `-`.
fn uri_segment(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "image".into()
    } else {
        out
    }
}

/// `base`, or `base-N` when it is taken.
fn unique_id(base: String, used: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 1;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    used.insert(candidate.clone());
    candidate
}

fn rel(from: &str, kind: &str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_string(),
        relationship_type: kind.to_string(),
        related_spdx_element: to.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates that SPDX IDs keep only allowed characters and never collide.
    #[test]
    fn ids_are_sanitised_and_unique() {
        let p = Package {
            package_type: Some(inventory::PackageType::Deb),
            name: "libstdc++6".into(),
            version: "12.2.0-14+deb12u1".into(),
            arch: Some("amd64".into()),
            ..Package::default()
        };
        assert_eq!(
            package_id(&p),
            "SPDXRef-Package-deb-libstdc--6-12.2.0-14-deb12u1-amd64"
        );
        let mut used = HashSet::new();
        assert_eq!(unique_id("SPDXRef-a".into(), &mut used), "SPDXRef-a");
        assert_eq!(unique_id("SPDXRef-a".into(), &mut used), "SPDXRef-a-2");
    }

    /// Validates supplier formatting from a maintainer field.
    #[test]
    fn supplier_from_maintainer() {
        assert_eq!(supplier(None), NOASSERTION);
        assert_eq!(
            supplier(Some("GNU Libc Maintainers <debian-glibc@lists.debian.org>")),
            "Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)"
        );
        assert_eq!(
            supplier(Some("Natanael Copa")),
            "Organization: Natanael Copa"
        );
    }

    /// Validates that non-SPDX licences become one LicenseRef each, reused across packages.
    #[test]
    fn licence_refs() {
        let mut refs = LicenseRefs::default();
        let d = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            refs.declared(&d(&["GPL-2+", "MIT OR Apache-2.0"])),
            "LicenseRef-GPL-2- AND (MIT OR Apache-2.0)"
        );
        assert_eq!(refs.declared(&d(&["GPL-2+"])), "LicenseRef-GPL-2-");
        assert_eq!(refs.declared(&d(&["GPL-2-"])), "LicenseRef-GPL-2--2");
        assert_eq!(refs.declared(&[]), NOASSERTION);
        assert_eq!(refs.infos.len(), 2);
        assert!(licenses::is_spdx_expression(
            &refs.declared(&d(&["GPL-2+", "public domain"]))
        ));
    }
}
