//! Snapshots of every output of `scan`, `sbom` and `diff` on the shipped example, so any
//! change of what users see is a reviewed snapshot diff (`cargo insta review`).
//!
//! Only what changes from run to run is masked: the temporary directory, the database's
//! build time, document timestamps and serial numbers, and the tool version.

use std::path::{Path, PathBuf};

use crate::support::*;

/// The example database, imported offline into a temporary directory, and the example root
/// filesystem.
struct Example {
    dir: tempfile::TempDir,
    db: String,
    rootfs: PathBuf,
}

impl Example {
    fn new() -> Example {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("example.db").display().to_string();
        let mut files: Vec<String> = std::fs::read_dir(root.join("advisories"))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.ends_with(".json"))
            .collect();
        files.sort();
        let mut args = vec!["--offline", "--db", &db, "db", "import", "--replace"];
        args.extend(files.iter().map(String::as_str));
        let out = shipshape(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        Example {
            dir,
            db,
            rootfs: root.join("rootfs"),
        }
    }

    fn target(&self) -> String {
        format!("dir:{}", self.rootfs.display())
    }

    /// A copy of the example root filesystem with openssl/libssl3 at the fixed version,
    /// curl removed and a new package added.
    fn changed_rootfs(&self) -> String {
        let copy = self.dir.path().join("rootfs-new");
        copy_tree(&self.rootfs, &copy);
        let status = copy.join("var/lib/dpkg/status");
        let text = std::fs::read_to_string(&status).unwrap();
        let mut paragraphs: Vec<String> = text
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .filter(|p| !p.starts_with("Package: curl\n"))
            .map(|p| {
                if p.contains("Source: openssl") || p.starts_with("Package: openssl\n") {
                    p.replace("Version: 3.0.9-1", "Version: 3.0.11-1~deb12u2")
                } else {
                    p.to_string()
                }
            })
            .collect();
        paragraphs.push(
            "Package: tzdata\nStatus: install ok installed\nPriority: required\n\
             Section: localization\nArchitecture: all\nVersion: 2024a-0+deb12u1\n\
             Description: time zone and daylight-saving time data"
                .to_string(),
        );
        std::fs::write(&status, paragraphs.join("\n\n") + "\n").unwrap();
        format!("dir:{}", copy.display())
    }

    /// Run shipshape offline against the example database; the exit code and the masked
    /// standard output.
    fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["--offline", "--db", &self.db];
        all.extend_from_slice(args);
        let out = shipshape(&all);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{all:?}: {}",
            stderr(&out)
        );
        (out.status.code(), self.mask(&stdout(&out)))
    }

    fn mask(&self, text: &str) -> String {
        let mut s = text
            .replace(&self.dir.path().display().to_string(), "[TMP]")
            .replace(&self.rootfs.display().to_string(), "[EXAMPLE]")
            .replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
        for key in [
            "\"builtAt\": \"",
            "\"timestamp\": \"",
            "\"serialNumber\": \"",
            "\"created\": \"",
            "\"documentNamespace\": \"",
            "\"startTimeUtc\": \"",
            "\"endTimeUtc\": \"",
        ] {
            s = mask_after(&s, key);
        }
        s
    }
}

/// Replace every string value that follows `key` (up to the closing quote) with `[MASKED]`.
fn mask_after(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        let start = at + key.len();
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str("[MASKED]");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Validates every `scan` output format on the example (snapshots), and the exit code.
#[test]
fn scan_outputs() {
    let ex = Example::new();
    let target = ex.target();
    for (name, format) in [
        ("scan_text", None),
        ("scan_json", Some("json")),
        ("scan_sarif", Some("sarif")),
        ("scan_cyclonedx", Some("cyclonedx")),
    ] {
        let mut args = vec!["scan", target.as_str()];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let (code, out) = ex.run(&args);
        assert_eq!(code, Some(1), "{name}");
        insta::assert_snapshot!(name, out);
    }
}

/// Validates the scan of the example's own CycloneDX SBOM (`sbom:` input) in JSON: the same
/// findings as the root filesystem, read back from the document (snapshot).
#[test]
fn scan_sbom_input() {
    let ex = Example::new();
    let (_, bom) = ex.run(&["sbom", &ex.target(), "--format", "cyclonedx"]);
    let file = ex.dir.path().join("example.cdx.json");
    std::fs::write(&file, bom).unwrap();
    let (code, out) = ex.run(&["scan", &format!("sbom:{}", file.display()), "--json"]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!(out);
}

/// Validates every `sbom` output format on the example (snapshots).
#[test]
fn sbom_outputs() {
    let ex = Example::new();
    let target = ex.target();
    for format in ["json", "cyclonedx", "spdx"] {
        let (code, out) = ex.run(&["sbom", target.as_str(), "--format", format]);
        assert_eq!(code, Some(0), "{format}");
        insta::assert_snapshot!(format!("sbom_{format}"), out);
    }
}

/// Validates `diff` from the example to a changed copy, in text and JSON, and the
/// `--fail-on-new` gate (snapshots).
#[test]
fn diff_outputs() {
    let ex = Example::new();
    let from = ex.target();
    let to = ex.changed_rootfs();
    let (code, text) = ex.run(&["diff", &from, &to]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("diff_text", text);
    let (code, json) = ex.run(&["diff", &from, &to, "--json"]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("diff_json", json);
    // Reversed, the upgrade is a downgrade and brings the openssl findings back.
    let (code, _) = ex.run(&["diff", &to, &from, "--fail-on-new", "low"]);
    assert_eq!(code, Some(1));
}
