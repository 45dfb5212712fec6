//! PHP packages installed by Composer: `vendor/composer/installed.json`, the list Composer
//! writes of every package it put into `vendor/`.
//!
//! Two published forms:
//! * Composer 1: a top-level array of package objects;
//! * Composer 2: `{"packages": [...], "dev": true, "dev-package-names": [...]}`.
//!
//! Each package object gives `name` (`vendor/name`), `version` (the tag or branch as written,
//! `v6.4.3`, `7.4.2`, `dev-main`), `version_normalized` (`6.4.3.0`), `require` (names to
//! constraints), `provide`/`replace`, `license`, `authors`.
//!
//! Decisions:
//! * The version is `version` as Composer writes it, not `version_normalized`: it is what
//!   `composer show` prints, what the purl spec's examples carry, and what advisories compare
//!   against (OSV's Packagist ranges use the tag: `6.4.3`; the `version` crate's Packagist
//!   scheme drops the `v`). `version_normalized` is only a fallback when `version` is absent.
//! * Names are lower case (Packagist names are; `require` keys in old packages are not always).
//! * Dev packages (Composer 2's `dev-package-names`) are reported, with [`Package::dev`] set:
//!   `composer install` without `--no-dev` put them in the image, so they are there to be
//!   exploited. Composer 1 files do not say which packages are dev ones.
//! * Dependencies are the `require` names that are installed, directly or through another
//!   package's `provide`/`replace` (`psr/http-client-implementation`); platform requirements
//!   (`php`, `ext-json`, `lib-pcre`, `composer-plugin-api`) are never packages. The file does
//!   not say what the root project requires, so top-level packages are those nothing
//!   depends on.
//! * `found_by` stays empty: installed.json is the one way this analyzer finds a package.
//!   `db_path` is the installed.json file.
//!
//! Traps: a file that is not JSON, or JSON of another shape, is a warning naming it; an
//! entry without a name or version is skipped with a warning; an installed.json an OS
//! package owns is the OS package's (see `owned.rs`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use super::owned::{self, Owned};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads Composer's `vendor/composer/installed.json`.
pub struct Composer;

/// The largest installed.json read. Big Drupal or Magento trees list a few hundred packages
/// in well under 4 MiB.
const MAX_INSTALLED_SIZE: u64 = 16 * 1024 * 1024;

/// Whether `path` is Composer's installed.json (in any vendor directory). No allocation:
/// this runs on every entry of every layer.
fn is_installed_json(path: &str) -> bool {
    path == "composer/installed.json" || path.ends_with("/composer/installed.json")
}

/// Non-empty trimmed text of `v[key]`.
fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The keys of an object-valued field, lower case.
fn keys(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Object(o)) => o.keys().map(|k| k.trim().to_ascii_lowercase()).collect(),
        _ => Vec::new(),
    }
}

/// A platform requirement: PHP itself, an extension or library, Composer's APIs.
fn is_platform(name: &str) -> bool {
    !name.contains('/')
        || name.starts_with("ext-")
        || name.starts_with("lib-")
        || name.starts_with("composer-")
}

/// One package of the file and what it requires and provides.
struct Found {
    package: Package,
    requires: Vec<String>,
    provides: Vec<String>,
}

/// Read one installed.json: its packages, or a warning naming the file.
fn read(path: &str, data: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let doc: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            warnings.push(format!(
                "/{path}: not a JSON Composer installed.json ({e}); skipped"
            ));
            return Vec::new();
        }
    };
    let (entries, dev_names): (&[Value], HashSet<String>) = match &doc {
        Value::Array(a) => (a, HashSet::new()),
        Value::Object(o) => match o.get("packages") {
            Some(Value::Array(a)) => {
                let dev = match o.get("dev-package-names") {
                    Some(Value::Array(names)) => names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|n| n.trim().to_ascii_lowercase())
                        .collect(),
                    _ => HashSet::new(),
                };
                (a, dev)
            }
            _ => {
                warnings.push(format!(
                    "/{path}: a JSON object without a \"packages\" array is not a Composer installed.json; skipped"
                ));
                return Vec::new();
            }
        },
        _ => {
            warnings.push(format!(
                "/{path}: neither an array nor an object of packages; skipped"
            ));
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let name = text(e, "name").map(str::to_ascii_lowercase);
        let version = text(e, "version").or(text(e, "version_normalized"));
        let (Some(name), Some(version)) = (name, version) else {
            warnings.push(format!(
                "/{path}: package {i} has no name or version; skipped"
            ));
            continue;
        };
        let licenses = match e.get("license") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
            _ => Vec::new(),
        };
        let maintainer = match e.get("authors") {
            Some(Value::Array(a)) => a.iter().find_map(|x| text(x, "name")).map(str::to_string),
            _ => None,
        };
        let requires = keys(e, "require")
            .into_iter()
            .filter(|r| !is_platform(r))
            .collect();
        let mut provides = keys(e, "provide");
        provides.extend(keys(e, "replace"));
        found.push(Found {
            package: Package {
                package_type: Some(PackageType::Composer),
                dev: dev_names.contains(&name),
                name,
                version: version.to_string(),
                licenses,
                maintainer,
                db_path: path.to_string(),
                ..Default::default()
            },
            requires,
            provides,
        });
    }
    link(found)
}

/// Each package's requirements as the names of installed packages of the same file: by
/// name, else through what installed packages provide or replace.
fn link(found: Vec<Found>) -> Vec<Package> {
    let installed: HashSet<&str> = found.iter().map(|f| f.package.name.as_str()).collect();
    let mut providers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in &found {
        for p in &f.provides {
            if !installed.contains(p.as_str()) {
                providers
                    .entry(p.as_str())
                    .or_default()
                    .insert(f.package.name.as_str());
            }
        }
    }
    let depends: Vec<Vec<String>> = found
        .iter()
        .map(|f| {
            let mut out = BTreeSet::new();
            for r in &f.requires {
                if installed.contains(r.as_str()) {
                    out.insert(r.clone());
                } else if let Some(ps) = providers.get(r.as_str()) {
                    out.extend(ps.iter().map(|p| p.to_string()));
                }
            }
            out.remove(&f.package.name);
            out.into_iter().collect()
        })
        .collect();
    found
        .into_iter()
        .zip(depends)
        .map(|(f, d)| Package {
            depends: d,
            ..f.package
        })
        .collect()
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let mut lists = files
        .iter()
        .filter(|(p, _)| is_installed_json(p))
        .peekable();
    if lists.peek().is_none() {
        return result;
    }
    let owned = Owned::read(files, is_installed_json);
    for (path, data) in lists {
        if owned.contains(path) {
            continue;
        }
        let packages = read(path, data, &mut result.warnings);
        result.packages.extend(packages);
    }
    result
}

impl Analyzer for Composer {
    fn name(&self) -> &'static str {
        "composer"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        is_installed_json(path) || owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        MAX_INSTALLED_SIZE
    }

    fn max_size_of(&self, path: &str) -> u64 {
        if is_installed_json(path) {
            MAX_INSTALLED_SIZE
        } else {
            owned::max_size_of(path)
        }
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

#[cfg(test)]
#[path = "composer_tests.rs"]
mod tests;
