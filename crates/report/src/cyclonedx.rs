//! CycloneDX 1.6 JSON.
//!
//! The document types are written by hand rather than taken from the `cyclonedx-bom` crate:
//! its latest release (0.8) models spec versions up to 1.5 only, and we need a small, fixed
//! subset of 1.6 (metadata, components with licences, purls and properties, dependencies).
//!
//! Shape: `metadata.component` is the image (a `container`); `components` holds the OS (an
//! `operating-system`) and one `library` per package; `dependencies` links the image to the
//! OS and the top-level packages, and each package to what it depends on (both as
//! [`Inventory::dependencies`] resolves them). Where a package came from is kept in
//! `properties` named `shipshape:layer:*` and `shipshape:package:*`
//! ([`inventory::sbom_props::cyclonedx`], which the `sbom:` reader reads back).
//!
//! [`vulnerability_bom`] adds a `vulnerabilities` section for a scan [`Report`] to the same
//! BOM: one entry per finding (a vulnerability in one installed package), whose `affects`
//! names the package's component by its bom-ref, with `ratings` (the severity with where it
//! came from, and the CVSS score and vector), `cwes`, `recommendation` ("Upgrade X to Y"),
//! `advisories`, dates, and for a vendor's "will not fix" an `analysis` with that response.
//! The SBOM part is built exactly as [`bom`] builds it.
//!
//! Traps:
//! - `licenses` is *either* a list of named licences *or* exactly one expression, never both:
//!   when every declared licence is an SPDX expression they are joined into one with `AND`,
//!   otherwise each is listed by name;
//! - a bom-ref must be unique in the document, but two packages may share a purl (the same
//!   package recorded twice): later ones get a `package-id` qualifier.

use std::collections::HashSet;

use inventory::sbom_props::cyclonedx as cdx;
use inventory::{Inventory, Package};
use scan::{Finding, FindingStatus, Report, Severity};
use serde::{Deserialize, Serialize};

use crate::{licenses, Context, Error, RenderOptions, TOOL_NAME};

/// The CycloneDX spec version written.
pub const SPEC_VERSION: &str = "1.6";

/// A CycloneDX BOM (the subset shipshape writes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    /// Always `CycloneDX`.
    pub bom_format: String,
    /// Always [`SPEC_VERSION`].
    pub spec_version: String,
    /// `urn:uuid:…`, one per document.
    pub serial_number: String,
    /// The BOM's revision, always 1.
    pub version: u32,
    /// When, by what, and about what.
    pub metadata: Metadata,
    /// The OS and the packages.
    pub components: Vec<Component>,
    /// Dependency edges between bom-refs.
    pub dependencies: Vec<Dependency>,
}

/// BOM metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Creation time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// The tools that made the BOM.
    pub tools: Tools,
    /// The image the BOM describes.
    pub component: Component,
}

/// The tools that made the BOM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tools {
    /// shipshape itself, as an `application`.
    pub components: Vec<Component>,
}

/// A CycloneDX component type (the ones shipshape uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentType {
    /// A program: shipshape in `metadata.tools`.
    Application,
    /// The scanned image.
    Container,
    /// The image's OS.
    OperatingSystem,
    /// An installed package.
    Library,
}

/// A component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// What kind of component.
    #[serde(rename = "type")]
    pub component_type: ComponentType,
    /// The reference used in `dependencies`.
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// The package's maintainer or packager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<OrganizationalEntity>,
    /// Name.
    pub name: String,
    /// Version (packages: with the rpm epoch; image: manifest digest or tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Free text (the OS's pretty name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Declared licences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The package's first CPE 2.3 name (unmanaged runtimes); further ones are properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Name-value facts, `shipshape:…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// An organisation or person that supplies a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationalEntity {
    /// The name as declared (`Debian OpenSSL Team <pkg-openssl-devel@…>`).
    pub name: String,
}

/// One entry of a `licenses` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    /// A licence by name (not necessarily SPDX).
    License {
        /// The licence.
        license: License,
    },
    /// A valid SPDX expression; alone in its list.
    Expression {
        /// The expression.
        expression: String,
    },
}

/// A named licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct License {
    /// The licence as declared (`GPL-2+`).
    pub name: String,
}

/// A name-value pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// `shipshape:…`.
    pub name: String,
    /// The value.
    pub value: String,
}

/// The dependencies of one bom-ref.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The dependent.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What it depends on (empty: known to depend on nothing in the BOM).
    #[serde(rename = "dependsOn")]
    pub depends_on: Vec<String>,
}

/// Builds the CycloneDX BOM for an inventory.
pub fn bom(inv: &Inventory, opts: &RenderOptions) -> Result<Bom, Error> {
    Ok(build(inv, &opts.context()?))
}

pub(crate) fn build(inv: &Inventory, ctx: &Context) -> Bom {
    build_with_refs(inv, ctx).0
}

/// The BOM and, aligned with `inv.packages`, each package's bom-ref.
fn build_with_refs(inv: &Inventory, ctx: &Context) -> (Bom, Vec<String>) {
    let image_ref = format!("image:{}", inv.image.identity.name);
    let os_ref = inv.os.as_ref().map(|os| {
        format!(
            "os:{}@{}",
            os.id,
            os.version_id.as_deref().unwrap_or("unknown")
        )
    });
    let mut used: HashSet<String> = HashSet::new();
    used.insert(image_ref.clone());
    used.extend(os_ref.clone());
    let refs: Vec<String> = inv
        .packages
        .iter()
        .map(|p| unique_ref(package_ref(p), &mut used))
        .collect();

    let mut components = Vec::with_capacity(inv.packages.len() + 1);
    if let (Some(os), Some(os_ref)) = (&inv.os, &os_ref) {
        let mut properties = Vec::new();
        push(&mut properties, cdx::OS_CODENAME, os.codename.as_deref());
        if !os.id_like.is_empty() {
            push(
                &mut properties,
                cdx::OS_ID_LIKE,
                Some(&os.id_like.join(" ")),
            );
        }
        components.push(Component {
            component_type: ComponentType::OperatingSystem,
            bom_ref: Some(os_ref.clone()),
            supplier: None,
            name: os.id.clone(),
            version: os.version_id.clone(),
            description: os.pretty_name.clone(),
            licenses: Vec::new(),
            purl: None,
            cpe: None,
            properties,
        });
    }
    components.extend(
        inv.packages
            .iter()
            .zip(&refs)
            .map(|(p, r)| package_component(p, r)),
    );

    let deps = inv.dependencies();
    let mut image_deps: Vec<String> = os_ref.iter().cloned().collect();
    image_deps.extend(deps.roots().into_iter().map(|i| refs[i.index()].clone()));
    let mut dependencies = vec![Dependency {
        reference: image_ref.clone(),
        depends_on: image_deps,
    }];
    if let Some(os_ref) = &os_ref {
        dependencies.push(Dependency {
            reference: os_ref.clone(),
            depends_on: Vec::new(),
        });
    }
    dependencies.extend(
        refs.iter()
            .zip(deps.iter())
            .map(|(r, (_, targets))| Dependency {
                reference: r.clone(),
                depends_on: targets.iter().map(|t| refs[t.index()].clone()).collect(),
            }),
    );

    let bom = Bom {
        bom_format: "CycloneDX".into(),
        spec_version: SPEC_VERSION.into(),
        serial_number: format!("urn:uuid:{}", ctx.uuid),
        version: 1,
        metadata: Metadata {
            timestamp: ctx.timestamp.clone(),
            tools: Tools {
                components: vec![Component {
                    component_type: ComponentType::Application,
                    bom_ref: None,
                    supplier: None,
                    name: TOOL_NAME.into(),
                    version: Some(ctx.tool_version.clone()),
                    description: None,
                    licenses: Vec::new(),
                    purl: None,
                    cpe: None,
                    properties: Vec::new(),
                }],
            },
            component: image_component(inv, image_ref),
        },
        components,
        dependencies,
    };
    (bom, refs)
}

/// A CycloneDX BOM with a `vulnerabilities` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityBom {
    /// The SBOM, as [`bom`] makes it.
    #[serde(flatten)]
    pub bom: Bom,
    /// One entry per finding, in report order.
    pub vulnerabilities: Vec<Vulnerability>,
}

/// A vulnerability in one component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// `vuln:<id>:<component bom-ref>`, unique in the BOM.
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    /// The vulnerability id (`CVE-2024-0011`).
    pub id: String,
    /// The feed the advisory came from and its page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<VulnerabilitySource>,
    /// Other ids of the same vulnerability (GHSA, DSA, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<VulnerabilityReference>,
    /// The severity, and the CVSS score when there is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    /// CWE numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<u32>,
    /// The title.
    pub description: String,
    /// The advisory's longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// "Upgrade X to Y", when a fix exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Links about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<Advisory>,
    /// First published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The vendor's response, for "will not fix" and end-of-life findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
    /// The affected component and version.
    pub affects: Vec<Affects>,
    /// `shipshape:finding:*` facts (status, severity source, provenance).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// Where a vulnerability or rating came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerabilitySource {
    /// The name (`debian`, `nvd`).
    pub name: String,
    /// A page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Another id of the same vulnerability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerabilityReference {
    /// The id.
    pub id: String,
    /// Its source; CycloneDX requires one, so the finding's own source.
    pub source: VulnerabilitySource,
}

/// One rating.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Who rated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<VulnerabilitySource>,
    /// The CVSS base score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// `critical`, `high`, `medium`, `low` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// `CVSSv4`, `CVSSv31`, `CVSSv3`, `CVSSv2` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The CVSS vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The vendor's own label (`unimportant`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// A link about the vulnerability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// The feed's reference type (`ADVISORY`, `WEB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The URL.
    pub url: String,
}

/// The vendor's analysis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// `will_not_fix`, `can_not_fix`.
    pub response: Vec<String>,
    /// Why.
    pub detail: String,
}

/// The component a vulnerability affects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affects {
    /// The component's bom-ref.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The installed version, `affected`.
    pub versions: Vec<AffectedVersion>,
}

/// An affected version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedVersion {
    /// The installed version.
    pub version: String,
    /// `affected`.
    pub status: String,
}

/// Builds the CycloneDX BOM of `inv` with a `vulnerabilities` section for `report`.
pub fn vulnerability_bom(
    report: &Report,
    inv: &Inventory,
    opts: &RenderOptions,
) -> Result<VulnerabilityBom, Error> {
    Ok(build_vulnerabilities(report, inv, &opts.context()?))
}

pub(crate) fn build_vulnerabilities(
    report: &Report,
    inv: &Inventory,
    ctx: &Context,
) -> VulnerabilityBom {
    let (bom, refs) = build_with_refs(inv, ctx);
    let vulnerabilities = report
        .vulnerabilities
        .iter()
        .map(|f| vulnerability(f, component_ref(f, &refs)))
        .collect();
    VulnerabilityBom {
        bom,
        vulnerabilities,
    }
}

/// The bom-ref of the finding's package ([`Finding::package`]); for a finding not linked to
/// a package of `inv` (read back from JSON), its purl, else `type:name@version`.
fn component_ref(f: &Finding, refs: &[String]) -> String {
    f.package
        .and_then(|id| refs.get(id.index()))
        .cloned()
        .unwrap_or_else(|| {
            if f.purl.is_empty() {
                format!(
                    "{}:{}@{}",
                    f.package_type.as_str(),
                    f.binary_name,
                    f.version
                )
            } else {
                f.purl.clone()
            }
        })
}

fn cdx_severity(s: Severity) -> &'static str {
    // CycloneDX's names are the same as ours.
    s.as_str()
}

/// The CycloneDX scoring method of a CVSS vector, by its prefix; v2 vectors have none.
fn cvss_method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4.") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3.") {
        "CVSSv3"
    } else if vector.starts_with("AV:") || vector.starts_with("(AV:") {
        "CVSSv2"
    } else {
        "other"
    }
}

/// An RFC 3339 timestamp as it is, or nothing (the schema checks `date-time`).
fn date_time(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .filter(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_ok()
        })
        .cloned()
}

fn vulnerability(f: &Finding, component: String) -> Vulnerability {
    let source_name = f
        .advisories
        .first()
        .map(|a| a.source.clone())
        .unwrap_or_else(|| String::from(f.severity_source.clone()));
    let source = Some(VulnerabilitySource {
        name: source_name,
        url: Some(f.url.clone()).filter(|u| !u.is_empty()),
    });
    let severity_source = String::from(f.severity_source.clone());
    let mut ratings = Vec::new();
    match &f.severity_source {
        scan::SeveritySource::Vendor(vendor) => ratings.push(Rating {
            source: Some(VulnerabilitySource {
                name: vendor.clone(),
                url: None,
            }),
            score: None,
            severity: Some(cdx_severity(f.severity).into()),
            method: Some("other".into()),
            vector: None,
            justification: f.vendor_severity.clone(),
        }),
        scan::SeveritySource::None => ratings.push(Rating {
            source: None,
            score: None,
            severity: Some(cdx_severity(f.severity).into()),
            method: None,
            vector: None,
            justification: None,
        }),
        scan::SeveritySource::Cvss | scan::SeveritySource::Nvd => {}
    }
    if f.cvss_score.is_some() || f.cvss_vector.is_some() {
        // The CVSS rating carries the finding's severity only when that severity came from
        // it; otherwise the report has no qualitative CVSS rating to give.
        let from_cvss = matches!(
            f.severity_source,
            scan::SeveritySource::Cvss | scan::SeveritySource::Nvd
        );
        ratings.push(Rating {
            source: from_cvss.then(|| VulnerabilitySource {
                name: severity_source.clone(),
                url: None,
            }),
            // Through the shortest decimal text, so 9.8f32 is written 9.8, not 9.800000190….
            score: f.cvss_score.and_then(|s| s.to_string().parse::<f64>().ok()),
            severity: from_cvss.then(|| cdx_severity(f.severity).into()),
            method: Some(f.cvss_vector.as_deref().map_or("other", cvss_method).into()),
            vector: f.cvss_vector.clone(),
            justification: None,
        });
    }
    let cwes = f
        .identifiers
        .cwe
        .iter()
        .filter_map(|c| c.strip_prefix("CWE-").and_then(|n| n.parse().ok()))
        .collect();
    let references = f
        .identifiers
        .cve
        .iter()
        .chain(&f.identifiers.alias)
        .filter(|id| **id != f.id)
        .map(|id| VulnerabilityReference {
            id: id.clone(),
            source: VulnerabilitySource {
                name: source.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
                url: None,
            },
        })
        .collect();
    let mut advisories: Vec<Advisory> = Vec::new();
    if !f.url.is_empty() && !f.references.iter().any(|r| r.url == f.url) {
        advisories.push(Advisory {
            title: None,
            url: f.url.clone(),
        });
    }
    advisories.extend(f.references.iter().map(|r| Advisory {
        title: Some(r.title.clone()).filter(|t| !t.is_empty()),
        url: r.url.clone(),
    }));
    let recommendation = match (f.status, &f.nearest_fixed_in_version) {
        (FindingStatus::Fixed, Some(v)) => Some(format!("Upgrade {} to {v}", f.binary_name)),
        _ => None,
    };
    let analysis = match f.status {
        FindingStatus::WillNotFix => Some(Analysis {
            response: vec!["will_not_fix".into()],
            detail: "The vendor will not fix this in the installed release.".into(),
        }),
        FindingStatus::EndOfLife => Some(Analysis {
            response: vec!["can_not_fix".into()],
            detail: "The installed release is end of life and gets no more fixes.".into(),
        }),
        FindingStatus::Fixed | FindingStatus::NotFixed => None,
    };
    let mut properties = Vec::new();
    push(
        &mut properties,
        "shipshape:finding:status",
        Some(f.status.as_str()),
    );
    push(
        &mut properties,
        "shipshape:finding:severity_source",
        Some(&severity_source),
    );
    push(
        &mut properties,
        "shipshape:finding:ecosystem",
        Some(&f.ecosystem),
    );
    push(
        &mut properties,
        "shipshape:finding:dockerfile_instruction",
        f.dockerfile_instruction.as_deref(),
    );
    let line = f.dockerfile_line.map(|l| l.to_string());
    push(
        &mut properties,
        "shipshape:finding:dockerfile_line",
        line.as_deref(),
    );
    push(
        &mut properties,
        "shipshape:finding:base_image",
        f.docker_base_image.as_deref(),
    );
    Vulnerability {
        bom_ref: format!("vuln:{}:{component}", f.id),
        id: f.id.clone(),
        source,
        references,
        ratings,
        cwes,
        description: f.title.clone(),
        detail: f
            .description
            .clone()
            .filter(|d| !d.trim().is_empty() && *d != f.title),
        recommendation,
        advisories,
        published: date_time(&f.publication_time),
        updated: date_time(&f.modification_time),
        analysis,
        affects: vec![Affects {
            reference: component,
            versions: vec![AffectedVersion {
                version: f.version.clone(),
                status: "affected".into(),
            }],
        }],
        properties,
    }
}

fn image_component(inv: &Inventory, bom_ref: String) -> Component {
    let image = &inv.image;
    let id = &image.identity;
    let mut properties = Vec::new();
    push(
        &mut properties,
        cdx::IMAGE_REFERENCE,
        id.reference.as_deref(),
    );
    push(
        &mut properties,
        cdx::IMAGE_MANIFEST_DIGEST,
        id.manifest_digest.as_deref(),
    );
    push(
        &mut properties,
        cdx::IMAGE_CONFIG_DIGEST,
        id.config_digest.as_deref(),
    );
    push(&mut properties, cdx::IMAGE_PLATFORM, id.platform.as_deref());
    for (k, v) in &image.labels {
        properties.push(Property {
            name: format!("{}{k}", cdx::IMAGE_LABEL_PREFIX),
            value: v.clone(),
        });
    }
    Component {
        component_type: ComponentType::Container,
        bom_ref: Some(bom_ref),
        supplier: None,
        name: id.name.clone(),
        version: crate::image_version(id),
        description: None,
        licenses: Vec::new(),
        purl: None,
        cpe: None,
        properties,
    }
}

fn package_component(p: &Package, bom_ref: &str) -> Component {
    let mut properties = Vec::new();
    push(
        &mut properties,
        cdx::PACKAGE_TYPE,
        p.package_type.map(|t| t.as_str()),
    );
    push(&mut properties, cdx::PACKAGE_ARCH, p.arch.as_deref());
    push(
        &mut properties,
        cdx::PACKAGE_SOURCE_NAME,
        p.source_name.as_deref(),
    );
    push(
        &mut properties,
        cdx::PACKAGE_SOURCE_VERSION,
        p.source_version.as_deref(),
    );
    push(
        &mut properties,
        cdx::PACKAGE_SOURCE_RPM,
        p.source_rpm.as_deref(),
    );
    push(
        &mut properties,
        cdx::PACKAGE_DB_PATH,
        Some(p.db_path.as_str()),
    );
    push(
        &mut properties,
        cdx::PACKAGE_FOUND_BY,
        p.found_by.as_deref(),
    );
    push(&mut properties, cdx::PACKAGE_ORIGIN, p.origin.as_deref());
    push(&mut properties, cdx::PACKAGE_DEV, p.dev.then_some("true"));
    for extra in p.cpes.iter().skip(1) {
        push(&mut properties, cdx::PACKAGE_CPE, Some(extra.as_str()));
    }
    push(
        &mut properties,
        cdx::PACKAGE_MANUAL,
        p.manual.map(|m| if m { "true" } else { "false" }),
    );
    if let Some(intro) = &p.introduced {
        push(
            &mut properties,
            cdx::LAYER_INDEX,
            Some(&intro.layer_index.to_string()),
        );
        push(
            &mut properties,
            cdx::LAYER_DIGEST,
            Some(&intro.layer_digest),
        );
        push(
            &mut properties,
            cdx::LAYER_DIFF_ID,
            intro.diff_id.as_deref(),
        );
        push(
            &mut properties,
            cdx::LAYER_CREATED_BY,
            intro.created_by.as_deref(),
        );
    }
    Component {
        component_type: ComponentType::Library,
        bom_ref: Some(bom_ref.to_string()),
        supplier: p
            .maintainer
            .as_ref()
            .filter(|m| !m.trim().is_empty())
            .map(|m| OrganizationalEntity {
                name: m.trim().to_string(),
            }),
        name: p.name.clone(),
        version: Some(p.full_version()).filter(|v| !v.is_empty()),
        description: None,
        licenses: license_choices(&p.licenses),
        purl: Some(p.purl.clone()).filter(|u| !u.is_empty()),
        cpe: p.cpes.first().cloned(),
        properties,
    }
}

/// One expression when every licence is SPDX, else every licence by name.
fn license_choices(declared: &[String]) -> Vec<LicenseChoice> {
    let declared: Vec<&str> = declared
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if declared.iter().all(|l| licenses::is_spdx_expression(l)) {
        return licenses::and_all(&declared)
            .map(|expression| LicenseChoice::Expression { expression })
            .into_iter()
            .collect();
    }
    declared
        .into_iter()
        .map(|l| LicenseChoice::License {
            license: License {
                name: l.to_string(),
            },
        })
        .collect()
}

/// The purl, or `type:name@version` for a package without one.
fn package_ref(p: &Package) -> String {
    if p.purl.is_empty() {
        let kind = p.package_type.map_or("package", |t| t.as_str());
        format!("{kind}:{}@{}", p.name, p.full_version())
    } else {
        p.purl.clone()
    }
}

/// `base`, or `base` with a `package-id=N` qualifier when it is taken.
fn unique_ref(base: String, used: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut n = 1;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{base}{sep}package-id={n}");
    }
    used.insert(candidate.clone());
    candidate
}

fn push(props: &mut Vec<Property>, name: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        props.push(Property {
            name: name.to_string(),
            value: v.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates that a purl seen twice gets a distinct bom-ref.
    #[test]
    fn bom_refs_are_unique() {
        let mut used = HashSet::new();
        let a = unique_ref("pkg:deb/debian/a@1?arch=amd64".into(), &mut used);
        let b = unique_ref("pkg:deb/debian/a@1?arch=amd64".into(), &mut used);
        let c = unique_ref("pkg:apk/alpine/b@1".into(), &mut used);
        let d = unique_ref("pkg:apk/alpine/b@1".into(), &mut used);
        assert_eq!(a, "pkg:deb/debian/a@1?arch=amd64");
        assert_eq!(b, "pkg:deb/debian/a@1?arch=amd64&package-id=2");
        assert_eq!(c, "pkg:apk/alpine/b@1");
        assert_eq!(d, "pkg:apk/alpine/b@1?package-id=2");
    }

    /// Validates that licences are one expression or a list of names, never a mix.
    #[test]
    fn licences_never_mix() {
        let l = |v: &[&str]| license_choices(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            l(&["MIT OR Apache-2.0", "Zlib"]),
            vec![LicenseChoice::Expression {
                expression: "(MIT OR Apache-2.0) AND Zlib".into()
            }]
        );
        assert_eq!(l(&["GPL-2+", "MIT"]).len(), 2);
        assert!(l(&["GPL-2+", "MIT"])
            .iter()
            .all(|c| matches!(c, LicenseChoice::License { .. })));
        assert!(l(&[" "]).is_empty());
    }
}
