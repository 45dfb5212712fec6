//! The producers' properties of one CycloneDX component: what the purl does not say (source
//! package, layer), as shipshape, syft and trivy record it.

use crate::model::{Introduced, LayerInfo, Package, PackageType};
use crate::sbom_props::cyclonedx as cdx;

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
pub(super) fn apply_properties(
    p: &mut Package,
    props: &[(&str, &str)],
    layers: &mut Vec<LayerInfo>,
) {
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
    if let Some(s) = get(cdx::PACKAGE_FOUND_BY) {
        p.found_by = Some(s.into());
    }
    if let Some(s) = get(cdx::PACKAGE_ORIGIN) {
        p.origin = Some(s.into());
    }
    if let Some(d) = get(cdx::PACKAGE_DEV) {
        p.dev = d == "true";
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
