//! Collects the packages of one SBOM by purl and document reference, then links them.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::distro;
use crate::model::{Diagnostic, ImageInfo, Inventory, LayerInfo, OsInfo, Package};
use crate::purl::Purl;

/// Collects packages keyed by document reference, and what was skipped.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) packages: Vec<Package>,
    /// Document reference (bom-ref, SPDXID) → index in `packages`.
    pub(super) refs: HashMap<String, usize>,
    /// (purl, database path) → index, to fold a repeated purl.
    pub(super) purls: HashMap<(String, String), usize>,
    /// Edges between document references, dependent first.
    pub(super) edges: Vec<(String, String)>,
    pub(super) os: Option<OsInfo>,
    pub(super) distro: Option<OsInfo>,
    pub(super) skipped_no_purl: usize,
    pub(super) skipped_type: BTreeMap<String, usize>,
    /// Layer diff_ids in image order, when the document gives them.
    pub(super) layer_order: Vec<String>,
    pub(super) layers: BTreeMap<usize, LayerInfo>,
}

impl Builder {
    /// Add the package of a purl, with `f` filling in what the document says besides;
    /// a purl seen before at the same database path (shipshape's `db_path` property; none
    /// for other producers) is folded into the first package of that purl. The same
    /// package installed twice (two Composer trees holding `psr/log@1.1.3`) stays two.
    pub(super) fn add(
        &mut self,
        reference: Option<&str>,
        purl: Option<&str>,
        f: impl FnOnce(&mut Package),
    ) {
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
        let k = (raw.to_string(), p.db_path.clone());
        let i = match self.purls.get(&k) {
            Some(&i) => i,
            None => {
                self.packages.push(p);
                self.purls.insert(k, self.packages.len() - 1);
                self.packages.len() - 1
            }
        };
        if let Some(r) = reference {
            self.refs.insert(r.to_string(), i);
        }
    }

    pub(super) fn finish(mut self, image: ImageInfo) -> Inventory {
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
