//! .NET applications: `*.deps.json`, the runtime dependency manifest the .NET SDK writes
//! next to an application's assemblies (`dotnet publish`), which the host reads to resolve
//! them at startup.
//!
//! The parts read (Microsoft.Extensions.DependencyModel's format):
//! * `runtimeTarget.name`: which entry of `targets` applies (`.NETCoreApp,Version=v8.0`, or
//!   `.NETCoreApp,Version=v8.0/linux-x64` for a runtime-specific publish);
//! * `targets.{target}.{Name/Version}.dependencies`: `{Name: Version}` of what each library
//!   needs;
//! * `libraries.{Name/Version}`: `type` (`project` for the application and the projects it
//!   references, `package` for NuGet packages, `reference`, `runtimepack`, …), `sha512`,
//!   `path`.
//!
//! Decisions:
//! * Only libraries of type `package` are packages: `pkg:nuget/Name@Version`, the id as the
//!   file spells it. Projects are the application's own code, not NuGet packages: they are
//!   not reported, but they are the root of the dependency paths: a package a project
//!   depends on directly is top-level (`manual = true`, as apt marks what the user asked
//!   for), the packages only other packages need are not (`manual = false`). So a finding's
//!   path reads "direct package > … > vulnerable package".
//! * Edges come from the target `runtimeTarget` names, else from every target (a file
//!   without `runtimeTarget`); names match case-insensitively, as NuGet ids do.
//! * `db_path` is the deps.json file; `found_by` stays empty (one way of finding).
//!
//! Traps: a file that is not JSON, or has no `libraries` object, is a warning naming it;
//! keys without `Name/Version` are skipped with a warning; a deps.json an OS package owns
//! (a distribution's `dotnet-runtime` ships `Microsoft.NETCore.App.deps.json`) is the OS
//! package's, see `owned.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::owned::{self, Owned};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads .NET `*.deps.json` files.
pub struct DotNet;

/// The largest deps.json read; big applications' files are a few hundred KiB.
const MAX_DEPS_JSON_SIZE: u64 = 16 * 1024 * 1024;

/// Whether `path` is a deps.json file. No allocation: this runs on every entry of every layer.
fn is_deps_json(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.len() > ".deps.json".len() && name.ends_with(".deps.json")
}

/// `Name/Version` → (`Name`, `Version`), both non-empty.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let (n, v) = key.split_once('/')?;
    let (n, v) = (n.trim(), v.trim());
    (!n.is_empty() && !v.is_empty() && !v.contains('/')).then_some((n, v))
}

/// The `targets` entries whose edges apply: the runtime target's, else all of them.
fn target_entries(doc: &Value) -> Vec<&Map<String, Value>> {
    let Some(Value::Object(targets)) = doc.get("targets") else {
        return Vec::new();
    };
    let runtime = doc
        .get("runtimeTarget")
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str);
    if let Some(Value::Object(t)) = runtime.and_then(|r| targets.get(r)) {
        return vec![t];
    }
    targets.values().filter_map(Value::as_object).collect()
}

/// Read one deps.json: its NuGet packages, or a warning naming the file.
fn read(path: &str, data: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let doc: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            warnings.push(format!("/{path}: not a JSON .NET deps.json ({e}); skipped"));
            return Vec::new();
        }
    };
    let Some(Value::Object(libraries)) = doc.get("libraries") else {
        warnings.push(format!(
            "/{path}: no \"libraries\" object, not a .NET deps.json; skipped"
        ));
        return Vec::new();
    };
    // Lower-case name → (name as written, version) of each package; lower-case names of
    // the projects.
    let mut packages: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut projects: BTreeSet<String> = BTreeSet::new();
    for (key, lib) in libraries {
        let Some((name, version)) = split_key(key) else {
            warnings.push(format!(
                "/{path}: library {key:?} is not NAME/VERSION; skipped"
            ));
            continue;
        };
        let ty = lib.get("type").and_then(Value::as_str).unwrap_or("");
        if ty.eq_ignore_ascii_case("package") {
            packages.insert(
                name.to_ascii_lowercase(),
                (name.to_string(), version.to_string()),
            );
        } else if ty.eq_ignore_ascii_case("project") {
            projects.insert(name.to_ascii_lowercase());
        }
    }
    // Edges between packages, and which packages a project asks for directly.
    let mut depends: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut direct: BTreeSet<String> = BTreeSet::new();
    for target in target_entries(&doc) {
        for (key, entry) in target {
            let Some((name, _)) = split_key(key) else {
                continue;
            };
            let from = name.to_ascii_lowercase();
            let Some(Value::Object(deps)) = entry.get("dependencies") else {
                continue;
            };
            for dep in deps.keys() {
                let to = dep.trim().to_ascii_lowercase();
                let Some((to_name, _)) = packages.get(&to) else {
                    continue;
                };
                if projects.contains(&from) {
                    direct.insert(to.clone());
                } else if packages.contains_key(&from) && from != to {
                    depends
                        .entry(from.clone())
                        .or_default()
                        .insert(to_name.clone());
                }
            }
        }
    }
    let has_projects = !projects.is_empty();
    packages
        .into_iter()
        .map(|(lower, (name, version))| Package {
            package_type: Some(PackageType::NuGet),
            name,
            version,
            depends: depends
                .remove(&lower)
                .map(|d| d.into_iter().collect())
                .unwrap_or_default(),
            manual: has_projects.then(|| direct.contains(&lower)),
            db_path: path.to_string(),
            ..Default::default()
        })
        .collect()
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let mut manifests = files.iter().filter(|(p, _)| is_deps_json(p)).peekable();
    if manifests.peek().is_none() {
        return result;
    }
    let owned = Owned::read(files, is_deps_json);
    for (path, data) in manifests {
        if owned.contains(path) {
            continue;
        }
        let packages = read(path, data, &mut result.warnings);
        result.packages.extend(packages);
    }
    result
}

impl Analyzer for DotNet {
    fn name(&self) -> &'static str {
        "dotnet"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        is_deps_json(path) || owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        MAX_DEPS_JSON_SIZE
    }

    fn max_size_of(&self, path: &str) -> u64 {
        if is_deps_json(path) {
            MAX_DEPS_JSON_SIZE
        } else {
            owned::max_size_of(path)
        }
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

#[cfg(test)]
#[path = "dotnet_tests.rs"]
mod tests;
