//! CycloneDX JSON (1.4–1.6): the image from `metadata.component`, the OS and packages from
//! `components` (nested ones too), edges from `dependencies`.

use serde_json::Value;

use super::builder::Builder;
use super::props::apply_properties;
use super::{os_info, str_of};
use crate::model::{ImageInfo, Inventory};
use crate::sbom_props::cyclonedx as cdx;

fn properties(v: &Value) -> Vec<(&str, &str)> {
    v.get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
        .collect()
}

/// Read a CycloneDX JSON document.
pub(super) fn read(doc: &Value) -> Inventory {
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
            // An unmanaged runtime is matched by its CPEs: the component's `cpe`, then
            // shipshape's and syft's further ones.
            if p.package_type == Some(crate::model::PackageType::Binary) {
                let more = props.iter().filter(|(n, _)| {
                    *n == crate::sbom_props::cyclonedx::PACKAGE_CPE || *n == "syft:cpe23"
                });
                for cpe in str_of(c, "cpe").into_iter().chain(more.map(|(_, v)| *v)) {
                    if !cpe.is_empty() && !p.cpes.iter().any(|x| x == cpe) {
                        p.cpes.push(cpe.to_string());
                    }
                }
            }
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
