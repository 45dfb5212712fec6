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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::model::{
    Diagnostic, ImageInfo, Introduced, Inventory, LayerInfo, OsInfo, Package, PackageType,
};
use crate::sbom_props::{cyclonedx as cdx, spdx as spdx_text};
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
        cyclonedx(&doc)
    } else if doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-"))
    {
        spdx(&doc)
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

/// Collects packages keyed by document reference, and what was skipped.
#[derive(Default)]
struct Builder {
    packages: Vec<Package>,
    /// Document reference (bom-ref, SPDXID) → index in `packages`.
    refs: HashMap<String, usize>,
    /// purl → index, to fold duplicates.
    purls: HashMap<String, usize>,
    /// Edges between document references, dependent first.
    edges: Vec<(String, String)>,
    os: Option<OsInfo>,
    distro: Option<OsInfo>,
    skipped_no_purl: usize,
    skipped_type: BTreeMap<String, usize>,
    /// Layer diff_ids in image order, when the document gives them.
    layer_order: Vec<String>,
    layers: BTreeMap<usize, LayerInfo>,
}

impl Builder {
    /// Add the package of a purl, with `f` filling in what the document says besides;
    /// a purl seen before is folded into the first package of that purl.
    fn add(&mut self, reference: Option<&str>, purl: Option<&str>, f: impl FnOnce(&mut Package)) {
        let Some(raw) = purl.filter(|p| !p.trim().is_empty()) else {
            self.skipped_no_purl += 1;
            return;
        };
        let parsed = Purl::parse(raw);
        let Some(mut p) = parsed.as_ref().and_then(Purl::to_package) else {
            let t = parsed.map_or_else(|| "unparsable".to_string(), |p| p.purl_type);
            *self.skipped_type.entry(t).or_default() += 1;
            return;
        };
        if self.distro.is_none() {
            self.distro = parsed.as_ref().and_then(distro);
        }
        p.purl = raw.to_string();
        f(&mut p);
        let i = match self.purls.get(raw) {
            Some(&i) => i,
            None => {
                self.packages.push(p);
                self.purls.insert(raw.to_string(), self.packages.len() - 1);
                self.packages.len() - 1
            }
        };
        if let Some(r) = reference {
            self.refs.insert(r.to_string(), i);
        }
    }

    fn finish(mut self, image: ImageInfo) -> Inventory {
        let mut deps: Vec<HashSet<String>> = vec![HashSet::new(); self.packages.len()];
        for (from, to) in &self.edges {
            if let (Some(&f), Some(&t)) = (self.refs.get(from), self.refs.get(to)) {
                if f != t {
                    deps[f].insert(self.packages[t].name.clone());
                }
            }
        }
        for (p, d) in self.packages.iter_mut().zip(deps) {
            let mut d: Vec<String> = d.into_iter().collect();
            d.sort();
            p.depends = d;
        }
        // Layers known only by diff_id (trivy, syft): index them by the image's order.
        if !self.layer_order.is_empty() {
            for (i, d) in self.layer_order.iter().enumerate() {
                self.layers.entry(i).or_insert_with(|| LayerInfo {
                    index: i,
                    digest: d.clone(),
                    diff_id: Some(d.clone()),
                    size: None,
                    created_by: None,
                });
            }
            for p in &mut self.packages {
                if let Some(intro) = &mut p.introduced {
                    if let Some(d) = &intro.diff_id {
                        if let Some(i) = self.layer_order.iter().position(|x| x == d) {
                            intro.layer_index = i;
                        }
                    }
                }
            }
        } else {
            // Without an order (syft), a diff_id alone cannot say which layer it is.
            for p in &mut self.packages {
                if p.introduced
                    .as_ref()
                    .is_some_and(|i| i.layer_index == usize::MAX)
                {
                    p.introduced = None;
                }
            }
        }
        let mut diagnostics = Vec::new();
        let skipped: usize = self.skipped_type.values().sum();
        if self.skipped_no_purl + skipped > 0 {
            let types: Vec<String> = self
                .skipped_type
                .iter()
                .map(|(t, n)| format!("{n} of type {t}"))
                .collect();
            let mut message = format!(
                "{} SBOM components skipped: {} without a purl",
                self.skipped_no_purl + skipped,
                self.skipped_no_purl
            );
            if !types.is_empty() {
                message.push_str(&format!(", {}", types.join(", ")));
            }
            diagnostics.push(Diagnostic {
                // A skipped component is a skipped record; diagnostics.rs has no SBOM code yet.
                code: crate::diagnostics::RECORD_SKIPPED.into(),
                message,
            });
        }
        let os = match (self.os, self.distro) {
            (Some(mut os), distro) => {
                if os.version_id.is_none() {
                    os.version_id = distro.and_then(|d| d.version_id);
                }
                Some(os)
            }
            (None, distro) => distro,
        };
        Inventory {
            image,
            os,
            layers: self.layers.into_values().collect(),
            packages: self.packages,
            diagnostics,
        }
    }
}

fn properties(v: &Value) -> Vec<(&str, &str)> {
    v.get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// An Introduced whose index is not yet known.
fn by_diff_id(d: &str) -> Introduced {
    Introduced {
        layer_index: usize::MAX,
        layer_digest: d.to_string(),
        diff_id: Some(d.to_string()),
        created_by: None,
    }
}

/// Apply the producer properties of one CycloneDX component.
fn apply_properties(p: &mut Package, props: &[(&str, &str)], layers: &mut Vec<LayerInfo>) {
    let get = |k: &str| props.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    // shipshape
    if let Some(a) = get(cdx::PACKAGE_ARCH) {
        p.arch.get_or_insert_with(|| a.into());
    }
    if let Some(s) = get(cdx::PACKAGE_SOURCE_NAME) {
        p.source_name = Some(s.into());
        p.source_version = get(cdx::PACKAGE_SOURCE_VERSION).map(Into::into);
    }
    if let Some(s) = get(cdx::PACKAGE_SOURCE_RPM) {
        p.source_rpm = Some(s.into());
    }
    if let Some(s) = get(cdx::PACKAGE_DB_PATH) {
        p.db_path = s.into();
    }
    if let Some(m) = get(cdx::PACKAGE_MANUAL) {
        p.manual = m.parse().ok();
    }
    if let (Some(i), Some(d)) = (
        get(cdx::LAYER_INDEX).and_then(|i| i.parse::<usize>().ok()),
        get(cdx::LAYER_DIGEST),
    ) {
        let intro = Introduced {
            layer_index: i,
            layer_digest: d.into(),
            diff_id: get(cdx::LAYER_DIFF_ID).map(Into::into),
            created_by: get(cdx::LAYER_CREATED_BY).map(Into::into),
        };
        layers.push(LayerInfo {
            index: i,
            digest: intro.layer_digest.clone(),
            diff_id: intro.diff_id.clone(),
            size: None,
            created_by: intro.created_by.clone(),
        });
        p.introduced = Some(intro);
    }
    // syft
    if let Some(s) = get("syft:metadata:source") {
        p.source_name = Some(s.into());
        if let Some(v) = get("syft:metadata:sourceVersion") {
            p.source_version = Some(v.into());
        }
    }
    if p.introduced.is_none() {
        if let Some(d) = get("syft:location:0:layerID") {
            p.introduced = Some(by_diff_id(d));
        }
    }
    // trivy
    if let Some(s) = get("aquasecurity:trivy:SrcName") {
        p.source_name = Some(s.into());
        if let Some(v) = get("aquasecurity:trivy:SrcVersion") {
            let mut v = v.to_string();
            if let Some(r) = get("aquasecurity:trivy:SrcRelease") {
                v = format!("{v}-{r}");
            }
            match get("aquasecurity:trivy:SrcEpoch") {
                Some(e) if e != "0" && p.package_type != Some(PackageType::Rpm) => {
                    v = format!("{e}:{v}");
                }
                _ => {}
            }
            p.source_version = Some(v);
        }
    }
    if p.introduced.is_none() {
        if let Some(d) = get("aquasecurity:trivy:LayerDiffID") {
            let mut intro = by_diff_id(d);
            if let Some(dg) = get("aquasecurity:trivy:LayerDigest") {
                intro.layer_digest = dg.into();
            }
            p.introduced = Some(intro);
        }
    }
}

fn cyclonedx(doc: &Value) -> Inventory {
    let mut b = Builder::default();
    let mut image = ImageInfo::default();
    if let Some(c) = doc.pointer("/metadata/component") {
        image.identity.name = str_of(c, "name").unwrap_or_default().to_string();
        for (k, v) in properties(c) {
            match k {
                cdx::IMAGE_REFERENCE | "aquasecurity:trivy:Reference" => {
                    image.identity.reference = Some(v.into())
                }
                cdx::IMAGE_MANIFEST_DIGEST => image.identity.manifest_digest = Some(v.into()),
                cdx::IMAGE_CONFIG_DIGEST | "aquasecurity:trivy:ImageID" => {
                    image.identity.config_digest = Some(v.into())
                }
                cdx::IMAGE_PLATFORM => image.identity.platform = Some(v.into()),
                "aquasecurity:trivy:DiffID" => b.layer_order.push(v.into()),
                _ => {
                    if let Some(l) = k
                        .strip_prefix(cdx::IMAGE_LABEL_PREFIX)
                        .or_else(|| k.strip_prefix("aquasecurity:trivy:Labels:"))
                        .or_else(|| k.strip_prefix("syft:image:labels:"))
                    {
                        image.labels.insert(l.into(), v.into());
                    }
                }
            }
        }
    }
    if let Some(cs) = doc.get("components").and_then(Value::as_array) {
        for c in cs {
            component(c, &mut b);
        }
    }
    for d in doc
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(from) = str_of(d, "ref") else {
            continue;
        };
        for to in d
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            b.edges.push((from.into(), to.into()));
        }
    }
    b.finish(image)
}

fn component(c: &Value, b: &mut Builder) {
    let kind = str_of(c, "type").unwrap_or("library");
    if kind == "operating-system" {
        let name = str_of(c, "name").unwrap_or_default();
        let props = properties(c);
        let get = |k: &str| {
            props
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let mut os = os_info(
            get("syft:distro:id").as_deref().unwrap_or(name),
            get("syft:distro:versionID")
                .as_deref()
                .or(str_of(c, "version")),
        );
        os.codename = get(cdx::OS_CODENAME).or(get("syft:distro:versionCodename"));
        os.pretty_name = str_of(c, "description")
            .map(Into::into)
            .or(get("syft:distro:prettyName"));
        os.id_like = get(cdx::OS_ID_LIKE)
            .or(get("syft:distro:idLike"))
            .map(|s| s.split_whitespace().map(Into::into).collect())
            .unwrap_or_default();
        if b.os.is_none() && !os.id.is_empty() {
            b.os = Some(os);
        }
    } else if !matches!(
        kind,
        "container" | "file" | "data" | "machine-learning-model"
    ) {
        let props = properties(c);
        let mut layers = Vec::new();
        b.add(str_of(c, "bom-ref"), str_of(c, "purl"), |p| {
            apply_properties(p, &props, &mut layers);
        });
        for l in layers {
            b.layers.entry(l.index).or_insert(l);
        }
    } else {
        b.skipped_no_purl += usize::from(str_of(c, "purl").is_none());
    }
    for sub in c
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        component(sub, b);
    }
}

fn spdx(doc: &Value) -> Inventory {
    let mut b = Builder::default();
    let mut image = ImageInfo::default();
    let pkgs: Vec<&Value> = doc
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let described: HashSet<&str> = doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| str_of(r, "relationshipType") == Some("DESCRIBES"))
        .filter_map(|r| str_of(r, "relatedSpdxElement"))
        .collect();
    for p in pkgs {
        let id = str_of(p, "SPDXID");
        let purpose = str_of(p, "primaryPackagePurpose");
        let purl = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| str_of(r, "referenceType") == Some("purl"))
            .and_then(|r| str_of(r, "referenceLocator"));
        if purpose == Some("OPERATING-SYSTEM") {
            let mut os = os_info(
                str_of(p, "name").unwrap_or_default(),
                str_of(p, "versionInfo"),
            );
            os.pretty_name = str_of(p, "comment").map(Into::into);
            if b.os.is_none() && !os.id.is_empty() {
                b.os = Some(os);
            }
            continue;
        }
        if purpose == Some("CONTAINER")
            || id.is_some_and(|i| described.contains(i)) && purl.is_none()
        {
            if image.identity.name.is_empty() {
                image.identity.name = str_of(p, "name").unwrap_or_default().to_string();
            }
            continue;
        }
        let source_info = str_of(p, "sourceInfo").map(str::to_string);
        let comment = str_of(p, "comment").map(str::to_string);
        let mut layer = None;
        b.add(id, purl, |pkg| {
            if let Some(si) = &source_info {
                shipshape_source_info(pkg, si);
            }
            if let Some(c) = &comment {
                pkg.introduced = shipshape_comment(c);
                layer = pkg.introduced.clone();
            }
        });
        if let Some(i) = layer {
            b.layers.entry(i.layer_index).or_insert_with(|| LayerInfo {
                index: i.layer_index,
                digest: i.layer_digest.clone(),
                diff_id: i.diff_id.clone(),
                size: None,
                created_by: i.created_by.clone(),
            });
        }
    }
    if image.identity.name.is_empty() {
        image.identity.name = str_of(doc, "name").unwrap_or_default().to_string();
    }
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(a), Some(z)) = (str_of(r, "spdxElementId"), str_of(r, "relatedSpdxElement"))
        else {
            continue;
        };
        match str_of(r, "relationshipType") {
            Some("DEPENDS_ON") => b.edges.push((a.into(), z.into())),
            Some("DEPENDENCY_OF") => b.edges.push((z.into(), a.into())),
            _ => {}
        }
    }
    b.finish(image)
}

/// shipshape's SPDX `sourceInfo`: `acquired package info from DB; source package NAME [VER]`.
fn shipshape_source_info(p: &mut Package, si: &str) {
    let mut parts = si.split(spdx_text::SOURCE_INFO_SEPARATOR);
    if let Some(db) = parts
        .next()
        .and_then(|s| s.strip_prefix(spdx_text::SOURCE_INFO_DB))
    {
        // syft writes `DPKG DB: /a, /b`; only shipshape's is a single relative path.
        if !db.contains(' ') {
            p.db_path = db.into();
        }
    }
    for part in parts {
        if let Some(s) = part.strip_prefix(spdx_text::SOURCE_PACKAGE) {
            let mut w = s.split(' ');
            p.source_name = w.next().map(Into::into);
            p.source_version = w.next().map(Into::into);
        } else if let Some(s) = part.strip_prefix(spdx_text::SOURCE_RPM) {
            p.source_rpm = Some(s.into());
        }
    }
}

/// shipshape's SPDX `comment`: `introduced in layer N (DIGEST)[, diff_id D][, created by: C]`.
fn shipshape_comment(c: &str) -> Option<Introduced> {
    let rest = c.strip_prefix(spdx_text::COMMENT_LAYER)?;
    let (index, rest) = rest.split_once(" (")?;
    let (digest, rest) = rest.split_once(')')?;
    let mut intro = Introduced {
        layer_index: index.parse().ok()?,
        layer_digest: digest.into(),
        diff_id: None,
        created_by: None,
    };
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix(spdx_text::COMMENT_DIFF_ID) {
        let end = r.find(spdx_text::COMMENT_CREATED_BY).unwrap_or(r.len());
        intro.diff_id = Some(r[..end].into());
        rest = &r[end..];
    }
    if let Some(cmd) = rest.strip_prefix(spdx_text::COMMENT_CREATED_BY) {
        intro.created_by = Some(cmd.into());
    }
    Some(intro)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sbom")
            .join(name)
    }

    /// (name, version, arch) of every package of the base image, from dpkg-query.
    fn expected() -> Vec<(String, String, String)> {
        std::fs::read_to_string(fixture("debian-bookworm.dpkg.tsv"))
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].into(), f[1].into(), f[2].into())
            })
            .collect()
    }

    fn check(name: &str) -> Inventory {
        let inv = inventory_sbom(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut got: Vec<(String, String, String)> = inv
            .packages
            .iter()
            .map(|p| {
                assert_eq!(p.package_type, Some(PackageType::Deb), "{name}: {}", p.name);
                assert!(p.purl.starts_with("pkg:deb/debian/"), "{}", p.purl);
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone().unwrap_or_default(),
                )
            })
            .collect();
        got.sort();
        let mut want = expected();
        want.sort();
        assert_eq!(want.len(), 88);
        assert_eq!(got, want, "{name}");
        assert!(inv.diagnostics.is_empty(), "{name}: {:?}", inv.diagnostics);
        let os = inv.os.as_ref().expect("os");
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("debian", Some("12")),
            "{name}"
        );
        inv
    }

    fn pkg<'a>(inv: &'a Inventory, name: &str) -> &'a Package {
        inv.packages.iter().find(|p| p.name == name).unwrap()
    }

    /// Validates shipshape's own CycloneDX: packages, sources, layers, depends, image.
    #[test]
    fn shipshape_cyclonedx() {
        let inv = check("shipshape.cdx.json");
        assert_eq!(
            inv.image.identity.name,
            "docker-archive:debian-bookworm.docker.tar"
        );
        let z = pkg(&inv, "zlib1g");
        assert_eq!(z.source_name.as_deref(), Some("zlib"));
        assert_eq!(z.db_path, "var/lib/dpkg/status");
        let intro = z.introduced.as_ref().unwrap();
        assert_eq!(intro.layer_index, 0);
        assert!(intro.created_by.as_deref().unwrap().contains("debootstrap"));
        assert_eq!(inv.layers.len(), 1);
        let bash = pkg(&inv, "bash");
        assert_eq!(bash.source_version.as_deref(), Some("5.2.15-2"));
        assert!(pkg(&inv, "adduser").depends.contains(&"passwd".to_string()));
        assert_eq!(
            inv.os.as_ref().unwrap().codename.as_deref(),
            Some("bookworm")
        );
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    }

    /// Validates shipshape's own SPDX: sources and layers from sourceInfo and comment.
    #[test]
    fn shipshape_spdx() {
        let inv = check("shipshape.spdx.json");
        assert_eq!(
            inv.image.identity.name,
            "docker-archive:debian-bookworm.docker.tar"
        );
        let z = pkg(&inv, "zlib1g");
        assert_eq!(z.source_name.as_deref(), Some("zlib"));
        assert_eq!(z.source_version.as_deref(), Some("1:1.2.13.dfsg-1"));
        assert_eq!(z.introduced.as_ref().unwrap().layer_index, 0);
        assert!(pkg(&inv, "adduser").depends.contains(&"passwd".to_string()));
    }

    /// Validates syft's CycloneDX: `syft:metadata:source`, layer ids without an order.
    #[test]
    fn syft_cyclonedx() {
        let inv = check("syft.cdx.json");
        assert_eq!(pkg(&inv, "libc6").source_name.as_deref(), Some("glibc"));
        assert_eq!(pkg(&inv, "zlib1g").source_name.as_deref(), Some("zlib"));
        assert!(!pkg(&inv, "adduser").depends.is_empty());
    }

    /// Validates syft's SPDX: the purl `upstream` qualifier, DEPENDENCY_OF edges.
    #[test]
    fn syft_spdx() {
        let inv = check("syft.spdx.json");
        assert_eq!(pkg(&inv, "zlib1g").source_name.as_deref(), Some("zlib"));
        assert!(pkg(&inv, "coreutils")
            .depends
            .contains(&"libattr1".to_string()));
    }

    /// Validates trivy's CycloneDX: epoch qualifier, Src* properties, DiffID layer order.
    #[test]
    fn trivy_cyclonedx() {
        let inv = check("trivy.cdx.json");
        let z = pkg(&inv, "zlib1g");
        assert_eq!(z.version, "1:1.2.13.dfsg-1");
        assert_eq!(z.source_name.as_deref(), Some("zlib"));
        assert_eq!(z.source_version.as_deref(), Some("1:1.2.13.dfsg-1"));
        assert_eq!(z.introduced.as_ref().unwrap().layer_index, 0);
        assert_eq!(inv.layers.len(), 1);
        assert_eq!(
            inv.image.identity.reference.as_deref(),
            Some("localhost/test/debian:bookworm")
        );
    }

    /// Validates the purl → package mapping on every type, encoding and qualifier.
    #[test]
    fn purls() {
        let p = Purl::parse(
            "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2",
        )
        .unwrap();
        let pk = p.to_package().unwrap();
        assert_eq!(pk.version, "5.2.15-2+b13");
        assert_eq!(pk.source_name.as_deref(), Some("bash"));
        assert_eq!(pk.source_version.as_deref(), Some("5.2.15-2"));
        assert_eq!(distro(&p).unwrap().version_id.as_deref(), Some("12"));
        let rpm = Purl::parse("pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1")
            .unwrap()
            .to_package()
            .unwrap();
        assert_eq!((rpm.epoch, rpm.version.as_str()), (Some(1), "3.0.7-24.el9"));
        let cases = [
            (
                "pkg:npm/%40babel/core@7.24.0",
                PackageType::Npm,
                "@babel/core",
            ),
            (
                "pkg:golang/github.com/Azure/x@v1.0.0",
                PackageType::Golang,
                "github.com/Azure/x",
            ),
            (
                "pkg:maven/org.apache.commons/commons-text@1.9",
                PackageType::Maven,
                "org.apache.commons:commons-text",
            ),
            ("pkg:pypi/jinja2@2.11.2", PackageType::Python, "jinja2"),
            ("pkg:gem/rails@7.0.0", PackageType::Gem, "rails"),
            ("pkg:cargo/serde@1.0.0", PackageType::Cargo, "serde"),
            (
                "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
                PackageType::Apk,
                "musl",
            ),
        ];
        for (s, t, n) in cases {
            let p = Purl::parse(s).unwrap().to_package().unwrap();
            assert_eq!((p.package_type, p.name.as_str()), (Some(t), n), "{s}");
        }
        assert!(Purl::parse("pkg:generic/foo@1")
            .unwrap()
            .to_package()
            .is_none());
        assert!(Purl::parse("not a purl").is_none());
    }

    /// Validates the skip diagnostic, nested components and the error for non-SBOM JSON.
    #[test]
    fn skips_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bom.json");
        std::fs::write(
            &f,
            r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
              {"type":"library","name":"a","purl":"pkg:pypi/a@1","components":[
                {"type":"library","name":"b","purl":"pkg:npm/b@2"}]},
              {"type":"file","name":"x"},
              {"type":"library","name":"g","purl":"pkg:generic/g@1"},
              {"type":"library","name":"n"}]}"#,
        )
        .unwrap();
        let inv = inventory_sbom(&f).unwrap();
        let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(inv.diagnostics.len(), 1);
        assert_eq!(inv.diagnostics[0].code, "I005");
        assert_eq!(
            inv.diagnostics[0].message,
            "3 SBOM components skipped: 2 without a purl, 1 of type generic"
        );
        std::fs::write(&f, r#"{"hello":1}"#).unwrap();
        let e = inventory_sbom(&f).unwrap_err().to_string();
        assert!(e.contains("bom.json") && e.contains("neither"), "{e}");
        std::fs::write(&f, "{").unwrap();
        let e = inventory_sbom(&f).unwrap_err().to_string();
        assert!(e.contains("bom.json") && e.contains("not JSON"), "{e}");
        let e = inventory_sbom(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.json"), "{e}");
    }
}
