//! SPDX 2.3 JSON: the image from the described (or `CONTAINER`) package, the OS from the
//! `OPERATING-SYSTEM` package, packages by their purl external reference, edges from
//! `DEPENDS_ON` and `DEPENDENCY_OF`; shipshape's `sourceInfo` and `comment` text forms.

use std::collections::HashSet;

use serde_json::Value;

use super::builder::Builder;
use super::{os_info, str_of};
use crate::model::{ImageInfo, Introduced, Inventory, LayerInfo, Package};
use crate::sbom_props::spdx as spdx_text;

/// Read an SPDX 2.3 JSON document.
pub(super) fn read(doc: &Value) -> Inventory {
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
        let cpes: Vec<String> = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| str_of(r, "referenceType") == Some("cpe23Type"))
            .filter_map(|r| str_of(r, "referenceLocator"))
            .map(str::to_string)
            .collect();
        let source_info = str_of(p, "sourceInfo").map(str::to_string);
        let comment = str_of(p, "comment").map(str::to_string);
        let mut layer = None;
        b.add(id, purl, |pkg| {
            // An unmanaged runtime is matched by its CPEs.
            if pkg.package_type == Some(crate::model::PackageType::Binary) {
                pkg.cpes = cpes;
            }
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
