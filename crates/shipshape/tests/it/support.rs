//! Shared helpers: running the binary, finding the test images and registries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Run `shipshape` with `args` and extra environment.
pub fn shipshape_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shipshape"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run shipshape")
}

/// Run `shipshape` with `args`.
pub fn shipshape(args: &[&str]) -> Output {
    shipshape_env(args, &[])
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether missing test infrastructure is an error (CI) rather than a skip.
fn required() -> bool {
    std::env::var("SHIPSHAPE_REQUIRE_IMAGE_TESTS").is_ok_and(|v| v == "1")
}

/// Report that `what` is missing: panics in CI, prints a notice elsewhere.
pub fn missing(what: &str) {
    if required() {
        panic!("{what} is missing, and SHIPSHAPE_REQUIRE_IMAGE_TESTS=1 requires it (run .ci/run)");
    }
    eprintln!("SKIPPED: {what} is missing; run the tests through .ci/run to include them");
}

/// The images built by scripts/test-images/build.sh.
pub struct Images {
    pub dir: PathBuf,
    vars: BTreeMap<String, String>,
}

impl Images {
    /// Load `$SHIPSHAPE_TEST_IMAGES/manifest.env`, or `None` (after [`missing`]).
    pub fn load() -> Option<Images> {
        let Some(dir) = std::env::var_os("SHIPSHAPE_TEST_IMAGES").map(PathBuf::from) else {
            missing("SHIPSHAPE_TEST_IMAGES (test images from scripts/test-images/build.sh)");
            return None;
        };
        let text = match std::fs::read_to_string(dir.join("manifest.env")) {
            Ok(t) => t,
            Err(e) => {
                missing(&format!("{}/manifest.env ({e})", dir.display()));
                return None;
            }
        };
        let vars = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect();
        Some(Images { dir, vars })
    }

    /// The value of a manifest.env variable, if the images were built with it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// The value of a manifest.env variable.
    pub fn var(&self, key: &str) -> &str {
        self.vars
            .get(key)
            .unwrap_or_else(|| panic!("manifest.env has no {key}"))
    }

    /// A path named by a manifest.env variable.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(self.var(key))
    }

    /// Rows of a TSV named by a manifest.env variable.
    /// The `oci-dir:DIR:TAG` target of the image whose manifest keys start with `prefix`
    /// (`JVM` → `JVM_OCI_DIR`, `JVM_OCI_TAG`).
    pub fn oci_target(&self, prefix: &str) -> String {
        format!(
            "oci-dir:{}:{}",
            self.path(&format!("{prefix}_OCI_DIR")).display(),
            self.var(&format!("{prefix}_OCI_TAG"))
        )
    }

    pub fn tsv(&self, key: &str) -> Vec<Vec<String>> {
        read_tsv(&self.path(key))
    }
}

pub fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// `shipshape --db DB db import --kind KIND PATH`, which must succeed.
pub fn import_feed(db: &str, kind: &str, path: &str) {
    let out = shipshape(&["--db", db, "db", "import", "--kind", kind, path]);
    assert!(out.status.success(), "import {path}: {}", stderr(&out));
}

/// `shipshape --offline --db DB db import PATH` (the kind told from the file), which must
/// succeed.
pub fn import_offline(db: &str, path: &str) {
    let out = shipshape(&["--offline", "--db", db, "db", "import", path]);
    assert!(out.status.success(), "import {path}: {}", stderr(&out));
}

/// The guide's jq filter: the fixable high-severity findings with their Dockerfile step.
pub const GUIDE_JQ: &str = "[.vulnerabilities[] | select(.nearestFixedInVersion) | select(.severity == \"high\") | {packageName, dockerfileInstruction, title, severity, version, nearestFixedInVersion}]";

/// `jq FILTER` over a JSON document, or `None` (after [`missing`]) without jq.
pub fn jq(filter: &str, json: &[u8]) -> Option<Value> {
    if std::process::Command::new("jq")
        .arg("--version")
        .output()
        .is_err()
    {
        missing("jq");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, json).unwrap();
    let out = std::process::Command::new("jq")
        .arg(filter)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "jq: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A registry address from the environment, or `None` (after [`missing`]).
pub fn registry(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            missing(&format!(
                "{var} (a registry on loopback started by scripts/registry.sh)"
            ));
            None
        }
    }
}

/// Run `sbom TARGET --format json` and parse it, asserting success.
pub fn sbom_json(target: &str, env: &[(&str, &str)]) -> Value {
    let out = shipshape_env(&["sbom", target, "--format", "json"], env);
    assert!(
        out.status.success(),
        "sbom {target} failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("sbom {target}: not JSON: {e}"))
}

/// The given fields of every package of type `ty` in a native SBOM, sorted ("" for a field
/// the package does not have).
pub fn package_fields<const N: usize>(
    sbom: &Value,
    ty: &str,
    fields: [&str; N],
) -> Vec<[String; N]> {
    let mut rows: Vec<[String; N]> = sbom["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["type"] == ty)
        .map(|p| fields.map(|f| p[f].as_str().unwrap_or_default().to_string()))
        .collect();
    rows.sort();
    rows
}

/// (name, version, arch) of every dpkg package in a native SBOM (language packages, such
/// as the app image's pip-installed ones, are compared in their own tests).
pub fn package_rows(sbom: &Value) -> Vec<(String, String, String)> {
    package_fields(sbom, "deb", ["name", "version", "arch"])
        .into_iter()
        .map(|[n, v, a]| (n, v, a))
        .collect()
}

/// The rows of a `dpkg-query -W` listing (name, version, arch), sorted.
pub fn dpkg_rows(images: &Images, key: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = images
        .tsv(key)
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].clone(),
                r.get(2).cloned().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The official JSON schemas kept with the report crate's tests.
fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/tests/schemas")
}

/// Serves `$ref`s from the schema folder by file name, never from the network.
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let name = name.split('#').next().unwrap_or_default();
        let text = std::fs::read_to_string(schemas_dir().join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn check_schema(root: &Value, schema: &str, doc: &Value) {
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas)
        .should_validate_formats(true)
        .build(root)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}:\n{}", errors.join("\n"));
}

/// Validates `doc` against the official schema file `schema` (formats included).
pub fn assert_valid(schema: &str, doc: &Value) {
    let text = std::fs::read_to_string(schemas_dir().join(schema))
        .unwrap_or_else(|e| panic!("{schema}: {e}"));
    check_schema(&serde_json::from_str(&text).unwrap(), schema, doc);
}

/// [`assert_valid`] through a bare `$ref` root, for the SARIF 2.1.0 schema whose own
/// `run.language` pattern the validator's meta-schema check rejects (see the schema README).
pub fn assert_valid_by_ref(schema: &str, doc: &Value) {
    let root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": format!("https://schemas.invalid/{schema}"),
    });
    check_schema(&root, schema, doc);
}
