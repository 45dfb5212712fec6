//! Installed npm packages: `node_modules/NAME/package.json` and
//! `node_modules/@SCOPE/NAME/package.json`, at any depth (nested `node_modules` hold the
//! second copies npm installs when versions conflict).
//!
//! Traps:
//! * a `package.json` that is not directly a package's manifest is not a package: the app's
//!   own manifest outside `node_modules`, and the `{"type": "module"}` stubs many packages
//!   ship in subdirectories (`node_modules/x/esm/package.json`);
//! * `@scope` directories hold packages, never a `package.json` of their own, and
//!   `node_modules/.bin`, `node_modules/.package-lock.json` are npm's bookkeeping;
//! * `license` is an SPDX string, or in old packages `{"type": "MIT"}`, or a `licenses`
//!   array of either;
//! * a manifest without `name` or `version` (a linked workspace, a private stub) names no
//!   registry package and is skipped without a warning; one that is not JSON is a warning;
//! * `dependencies` are names with ranges; as for dpkg, an edge is kept only when a package
//!   of that name is installed (`optionalDependencies` and `devDependencies` are not read);
//! * packages whose `package.json` an OS package owns (Alpine's `npm` and its bundled
//!   modules in `usr/lib/node_modules`) are skipped, see `owned.rs`.

use serde_json::Value;

use super::owned;
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads npm packages installed in `node_modules`.
pub struct Npm;

/// The last `/`-separated component of `path` and what comes before it.
fn split_last(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((dir, base)) => (dir, base),
        None => ("", path),
    }
}

fn is_node_modules(dir: &str) -> bool {
    split_last(dir).1 == "node_modules"
}

/// Whether `path` is the manifest of a package in `node_modules`. No allocation: this runs
/// on every entry of every layer.
fn is_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let (parent, name) = split_last(dir);
    if name.is_empty() || name.starts_with('.') || name.starts_with('@') {
        return false;
    }
    if is_node_modules(parent) {
        return true;
    }
    let (grandparent, scope) = split_last(parent);
    scope.len() > 1 && scope.starts_with('@') && is_node_modules(grandparent)
}

/// A licence value: `"MIT"` or `{"type": "MIT"}`.
fn license_of(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("type")?.as_str()?,
        _ => return None,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// An author: `"Name <mail> (url)"` or `{"name": …}`.
fn person(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("name")?.as_str()?,
        _ => return None,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Read one manifest. `Ok(None)` for manifests that name no package; `Err` is a warning.
fn read(path: &str, data: &[u8]) -> Result<Option<(Package, Vec<String>)>, String> {
    let v: Value = serde_json::from_slice(data)
        .map_err(|e| format!("/{path}: not a JSON package manifest ({e}); skipped"))?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(name), Some(version)) = (text("name"), text("version")) else {
        return Ok(None);
    };
    let mut licenses: Vec<String> = v.get("license").and_then(license_of).into_iter().collect();
    if licenses.is_empty() {
        if let Some(Value::Array(a)) = v.get("licenses") {
            licenses = a.iter().filter_map(license_of).collect();
        }
    }
    let deps = match v.get("dependencies") {
        Some(Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    Ok(Some((
        Package {
            package_type: Some(PackageType::Npm),
            name,
            version,
            licenses,
            maintainer: v.get("author").and_then(person),
            db_path: path.to_string(),
            ..Default::default()
        },
        deps,
    )))
}

impl Analyzer for Npm {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        is_manifest(path) || owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        // Manifests are small, though old npm versions embedded the README in them; the
        // OS file lists read for ownership are the larger files here.
        owned::MAX_LIST_SIZE
    }

    fn max_size_of(&self, path: &str) -> u64 {
        // An rpm database read for ownership gets the rpm analyzer's cap.
        owned::max_size_of(path)
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(owned::analyze_manifests(
            files,
            is_manifest,
            |p| p.ends_with("/package.json") && p.contains("node_modules"),
            read,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const NM: &str = "usr/src/app/node_modules";

    /// express 4.18.2's published package.json, trimmed to the fields that matter.
    const EXPRESS: &str = r#"{
  "name": "express",
  "description": "Fast, unopinionated, minimalist web framework",
  "version": "4.18.2",
  "author": "TJ Holowaychuk <tj@vision-media.ca>",
  "license": "MIT",
  "repository": "expressjs/express",
  "dependencies": {
    "accepts": "~1.3.8",
    "array-flatten": "1.1.1",
    "body-parser": "1.20.1",
    "debug": "2.6.9"
  },
  "devDependencies": {
    "ejs": "3.1.8"
  },
  "engines": {
    "node": ">= 0.10.0"
  }
}"#;

    fn set(files: &[(String, &str)]) -> FileSet {
        files
            .iter()
            .map(|(p, t)| (p.clone(), Arc::new(t.as_bytes().to_vec())))
            .collect()
    }

    /// Validates the declared paths, with near misses.
    #[test]
    fn wants() {
        for yes in [
            "usr/src/app/node_modules/express/package.json",
            "usr/src/app/node_modules/@babel/core/package.json",
            "usr/local/lib/node_modules/npm/package.json",
            "usr/local/lib/node_modules/npm/node_modules/semver/package.json",
            "node_modules/x/package.json",
            "a/node_modules/x/node_modules/@s/y/package.json",
            "var/lib/dpkg/info/nodejs.list",
        ] {
            assert!(Npm.wants(yes), "{yes}");
        }
        for no in [
            "usr/src/app/package.json",
            "usr/src/app/package-lock.json",
            "usr/src/app/node_modules/.package-lock.json",
            "usr/src/app/node_modules/@babel/package.json",
            "usr/src/app/node_modules/.bin/package.json",
            "usr/src/app/node_modules/express/lib/package.json",
            "usr/src/app/node_modules/@babel/core/esm/package.json",
            "usr/src/app/node_modules/@/core/package.json",
            "usr/src/app/node_modules/express/package.json.bak",
            "usr/src/app/my_node_modules/express/package.json",
            "usr/src/app/node_modules/package.json",
            "usr/share/nodejs/express/package.json",
        ] {
            assert!(!Npm.wants(no), "{no}");
        }
    }

    /// Validates names, scoped names, licence forms, authors and dependency edges.
    #[test]
    fn manifests() {
        let files = set(&[
            (format!("{NM}/express/package.json"), EXPRESS),
            (
                format!("{NM}/debug/package.json"),
                r#"{"name":"debug","version":"2.6.9","license":"MIT","author":{"name":"TJ Holowaychuk","email":"tj@vision-media.ca"},"dependencies":{"ms":"2.0.0"}}"#,
            ),
            (
                format!("{NM}/ms/package.json"),
                r#"{"name":"ms","version":"2.0.0","license":{"type":"MIT","url":"https://x"}}"#,
            ),
            (
                format!("{NM}/@babel/core/package.json"),
                r#"{"name":"@babel/core","version":"7.24.0","licenses":[{"type":"MIT"},"Apache-2.0"],"dependencies":{"debug":"^4.1.0"}}"#,
            ),
            (
                format!("{NM}/express/node_modules/debug/package.json"),
                r#"{"name":"debug","version":"4.3.4","license":"MIT"}"#,
            ),
            (
                format!("{NM}/linked/package.json"),
                r#"{"name":"linked","private":true}"#,
            ),
        ]);
        let r = Npm.analyze(&files).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let got: Vec<_> = r
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("@babel/core", "7.24.0"),
                ("debug", "2.6.9"),
                ("debug", "4.3.4"),
                ("express", "4.18.2"),
                ("ms", "2.0.0"),
            ]
        );
        let by = |n: &str, v: &str| {
            r.packages
                .iter()
                .find(|p| p.name == n && p.version == v)
                .unwrap()
        };
        let e = by("express", "4.18.2");
        assert_eq!(e.licenses, ["MIT"]);
        assert_eq!(
            e.depends,
            ["debug"],
            "only installed dependencies, no devDependencies"
        );
        assert_eq!(
            e.maintainer.as_deref(),
            Some("TJ Holowaychuk <tj@vision-media.ca>")
        );
        assert_eq!(e.package_type, Some(PackageType::Npm));
        assert_eq!(e.db_path, format!("{NM}/express/package.json"));
        assert_eq!(
            by("debug", "2.6.9").maintainer.as_deref(),
            Some("TJ Holowaychuk")
        );
        assert_eq!(by("ms", "2.0.0").licenses, ["MIT"]);
        let b = by("@babel/core", "7.24.0");
        assert_eq!(b.licenses, ["MIT", "Apache-2.0"]);
        assert_eq!(b.depends, ["debug"]);
    }

    /// Validates that manifests an OS package owns are skipped and broken JSON warns.
    #[test]
    fn owned_and_broken() {
        let files = set(&[
            (
                "usr/lib/node_modules/npm/package.json".into(),
                r#"{"name":"npm","version":"10.2.5"}"#,
            ),
            (
                "usr/lib/node_modules/npm/node_modules/semver/package.json".into(),
                r#"{"name":"semver","version":"7.5.4"}"#,
            ),
            (
                "usr/local/lib/node_modules/npm/package.json".into(),
                r#"{"name":"npm","version":"10.8.1"}"#,
            ),
            (format!("{NM}/broken/package.json"), "{\"name\": "),
            (
                "lib/apk/db/installed".into(),
                "P:npm\nV:10.2.5-r0\nF:usr/lib/node_modules/npm\nR:package.json\nF:usr/lib/node_modules/npm/node_modules/semver\nR:package.json\n",
            ),
        ]);
        let r = Npm.analyze(&files).unwrap();
        let got: Vec<_> = r
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("npm", "10.8.1")]);
        assert_eq!(r.warnings.len(), 1);
        assert!(
            r.warnings[0].contains("broken/package.json"),
            "{:?}",
            r.warnings
        );
    }
}
