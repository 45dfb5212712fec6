//! `shipshape diff` on the real test images: the debootstrap base against the app built FROM
//! it, and the dev and prod stages of the multi-stage build, each with advisories written
//! here in the Debian tracker's and OSV's formats for packages really in the images. The
//! expected packages come from the build's dpkg listings, the expected findings from the
//! advisories' rules applied to each image's own package list; nothing is hard-coded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};

use crate::support::*;

/// A package of a native SBOM: (name, arch, version, source name, source version).
struct Pkg {
    name: String,
    version: String,
    source: String,
    source_version: String,
}

fn deb_packages(sbom: &Value) -> Vec<Pkg> {
    sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let name = s("name");
            let version = s("version");
            let source = p["source_name"].as_str().unwrap_or(&name).to_string();
            let source_version = p["source_version"].as_str().unwrap_or(&version).to_string();
            Pkg {
                name,
                version,
                source,
                source_version,
            }
        })
        .collect()
}

/// One advisory of the fixture tracker: `source` is affected below `fixed` (`None`: open).
/// The fixed versions used here are either above every installed version or exactly the
/// newer of two installed versions, so "affected" is "source version differs from it".
struct Rule {
    id: &'static str,
    source: String,
    fixed: Option<String>,
    urgency: &'static str,
}

/// The findings a set of rules gives in an image: (id, binary) → installed version.
fn expected(pkgs: &[Pkg], rules: &[Rule]) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for r in rules {
        for p in pkgs.iter().filter(|p| p.source == r.source) {
            if r.fixed.as_deref() != Some(p.source_version.as_str()) {
                out.insert((r.id.to_string(), p.name.clone()), p.version.clone());
            }
        }
    }
    out
}

/// Writes the rules as a Debian tracker JSON (plus optional OSV records) and imports them.
fn database(dir: &Path, rules: &[Rule], osv: &[Value]) -> String {
    let mut tracker = serde_json::Map::new();
    for r in rules {
        let release = match &r.fixed {
            Some(v) => json!({"status": "resolved", "fixed_version": v, "urgency": r.urgency,
                "repositories": {"bookworm": v}}),
            None => json!({"status": "open", "urgency": r.urgency, "repositories": {}}),
        };
        tracker
            .entry(r.source.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap()
            .insert(
                r.id.to_string(),
                json!({"description": format!("{}: test advisory", r.source), "scope": "remote",
                    "releases": {"bookworm": release}}),
            );
    }
    let db = dir.join("test.db").display().to_string();
    let tracker_path = dir.join("tracker.json");
    std::fs::write(&tracker_path, serde_json::to_vec(&tracker).unwrap()).unwrap();
    let mut inputs = vec![(tracker_path, "debian-json")];
    for (i, rec) in osv.iter().enumerate() {
        let p = dir.join(format!("osv-{i}.json"));
        std::fs::write(&p, serde_json::to_vec(rec).unwrap()).unwrap();
        inputs.push((p, "osv"));
    }
    for (path, kind) in inputs {
        import_feed(&db, kind, path.to_str().unwrap());
    }
    db
}

fn oci(images: &Images, prefix: &str) -> String {
    format!(
        "oci-dir:{}:{}",
        images.path(&format!("{prefix}_OCI_DIR")).display(),
        images.var(&format!("{prefix}_OCI_TAG"))
    )
}

fn diff(db: &str, from: &str, to: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--db", db, "--offline", "diff", from, to];
    args.extend_from_slice(extra);
    shipshape(&args)
}

fn diff_json(db: &str, from: &str, to: &str) -> Value {
    let out = diff(db, from, to, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (name, arch, version) of the deb packages in a diff list.
fn deb_rows(list: &Value) -> BTreeSet<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (s("name"), s("arch"), s("version"))
        })
        .collect()
}

/// (name, fromVersion, toVersion) of the changed packages of a diff.
fn changed_rows(d: &Value) -> BTreeSet<(String, String, String)> {
    d["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("name"), s("fromVersion"), s("toVersion"))
        })
        .collect()
}

/// TSV rows of `dpkg-query -W` keyed by (name, arch) → version.
fn dpkg(images: &Images, key: &str) -> BTreeMap<(String, String), String> {
    dpkg_rows(images, key)
        .into_iter()
        .map(|(n, v, a)| ((n, a), v))
        .collect()
}

/// A minus B, by (name, arch), with A's version.
fn minus(
    a: &BTreeMap<(String, String), String>,
    b: &BTreeMap<(String, String), String>,
) -> BTreeSet<(String, String, String)> {
    a.iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|((n, arch), v)| (n.clone(), arch.clone(), v.clone()))
        .collect()
}

/// The findings of a diff list: (id, binary) → version.
fn finding_map(list: &Value) -> BTreeMap<(String, String), String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            ((s("id"), s("binaryName")), s("version"))
        })
        .collect()
}

/// Checks the diff's findings against the rules applied to both images.
fn assert_findings(
    d: &Value,
    from: &BTreeMap<(String, String), String>,
    to: &BTreeMap<(String, String), String>,
) {
    let v = &d["vulnerabilities"];
    let added: BTreeMap<_, _> = to
        .iter()
        .filter(|(k, _)| !from.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed: BTreeMap<_, _> = from
        .iter()
        .filter(|(k, _)| !to.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let changed: BTreeMap<_, _> = from
        .iter()
        .filter_map(|(k, a)| {
            to.get(k)
                .filter(|b| *b != a)
                .map(|b| (k.clone(), (a.clone(), b.clone())))
        })
        .collect();
    let unchanged = from.iter().filter(|(k, a)| to.get(*k) == Some(a)).count();
    assert_eq!(finding_map(&v["added"]), added, "added");
    assert_eq!(finding_map(&v["removed"]), removed, "removed");
    let got_changed: BTreeMap<_, _> = v["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            ((s("id"), s("binaryName")), (s("fromVersion"), s("version")))
        })
        .collect();
    assert_eq!(got_changed, changed, "changed");
    assert_eq!(v["unchangedCount"], unchanged, "unchanged");
    assert_eq!(d["from"]["vulnerabilityCount"], from.len());
    assert_eq!(d["to"]["vulnerabilityCount"], to.len());
}

struct BaseApp {
    dir: tempfile::TempDir,
    images: Images,
    db: String,
    base: String,
    app: String,
    rules: Vec<Rule>,
}

/// The base and app images and a database of advisories for: curl (only in the app; fixed
/// above its version, high), xz-utils (upgraded by the app; fixed in the app's version,
/// medium), pcre2 (upgraded; no fix, so still present, low), zlib (in both; no fix,
/// unimportant) and Jinja2 (pip-installed in the app; critical).
fn base_app() -> Option<BaseApp> {
    let images = Images::load()?;
    let base = oci(&images, "BASE");
    let app = oci(&images, "APP");
    let app_pkgs = deb_packages(&sbom_json(&app, &[]));
    let find = |name: &str| {
        app_pkgs
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} not in the app image"))
    };
    let curl = find("libcurl4");
    let xz = find("liblzma5");
    let rules = vec![
        Rule {
            id: "CVE-2099-0101",
            source: curl.source.clone(),
            fixed: Some(format!("{}+test1", curl.source_version)),
            urgency: "high",
        },
        Rule {
            id: "CVE-2099-0102",
            source: xz.source.clone(),
            fixed: Some(xz.source_version.clone()),
            urgency: "medium",
        },
        Rule {
            id: "CVE-2099-0103",
            source: find("libpcre2-8-0").source.clone(),
            fixed: None,
            urgency: "low",
        },
        Rule {
            id: "CVE-2099-0104",
            source: find("zlib1g").source.clone(),
            fixed: None,
            urgency: "unimportant",
        },
    ];
    let osv = json!({"id": "PYSEC-2099-101", "aliases": ["CVE-2099-0105"], "summary": "Jinja2 sandbox escape",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]});
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &rules, &[osv]);
    Some(BaseApp {
        dir,
        images,
        db,
        base,
        app,
        rules,
    })
}

/// Validates base → app: packages added are exactly the app's dpkg listing minus the base's
/// (and its pip packages), changed exactly the rows of app.upgraded.tsv, and the findings
/// added, removed and still present exactly those the advisories give each image.
#[test]
fn base_to_app_packages_and_findings() {
    let Some(s) = base_app() else { return };
    let d = diff_json(&s.db, &s.base, &s.app);
    let base = dpkg(&s.images, "BASE_DPKG_TSV");
    let app = dpkg(&s.images, "APP_DPKG_TSV");

    assert_eq!(deb_rows(&d["packages"]["added"]), minus(&app, &base));
    assert_eq!(deb_rows(&d["packages"]["removed"]), minus(&base, &app));
    let changed: BTreeSet<(String, String, String)> = d["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            assert_eq!(c["change"], "upgrade", "{c}");
            (s("name"), s("fromVersion"), s("toVersion"))
        })
        .collect();
    let upgraded: BTreeSet<(String, String, String)> = s
        .images
        .tsv("APP_UPGRADED_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert!(!upgraded.is_empty());
    assert_eq!(changed, upgraded);
    let kept = app.len() - minus(&app, &base).len() - upgraded.len();
    assert_eq!(d["packages"]["unchangedCount"], kept);
    let pip: BTreeSet<(String, String)> = d["packages"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "pypi")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let listed: BTreeSet<(String, String)> = s
        .images
        .tsv("APP_PYTHON_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(pip, listed);
    assert_eq!(d["from"]["packageCount"], base.len());
    assert_eq!(d["to"]["packageCount"], app.len() + listed.len());

    let from = expected(&deb_packages(&sbom_json(&s.base, &[])), &s.rules);
    let mut to = expected(&deb_packages(&sbom_json(&s.app, &[])), &s.rules);
    // The OSV record: every Jinja2 the app's pip installed is below 2.11.3.
    for r in s.images.tsv("APP_PYTHON_TSV") {
        if r[0].eq_ignore_ascii_case("jinja2") {
            to.insert(("CVE-2099-0105".into(), r[0].clone()), r[1].clone());
        }
    }
    // Every kind of change is exercised.
    assert!(to.keys().any(|k| !from.contains_key(k)));
    assert!(from.keys().any(|k| !to.contains_key(k)));
    assert!(from.iter().any(|(k, v)| to.get(k).is_some_and(|w| w != v)));
    assert!(from.iter().any(|(k, v)| to.get(k) == Some(v)));
    assert_findings(&d, &from, &to);
    let jinja: Vec<&Value> = d["vulnerabilities"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["packageType"] == "pypi")
        .collect();
    assert_eq!(jinja.len(), 1);
    assert_eq!(jinja[0]["id"], "CVE-2099-0105");
    assert_eq!(jinja[0]["severity"], "critical");
    assert_eq!(jinja[0]["nearestFixedInVersion"], "2.11.3");
    let curl = d["vulnerabilities"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2099-0101")
        .unwrap();
    assert_eq!(curl["severity"], "high");
    assert!(curl["nearestFixedInVersion"]
        .as_str()
        .unwrap()
        .ends_with("+test1"));
    assert_eq!(d["schemaVersion"], 1);

    // The other way round, added and removed swap.
    let r = diff_json(&s.db, &s.app, &s.base);
    assert_eq!(deb_rows(&r["packages"]["removed"]), minus(&app, &base));
    assert_eq!(
        finding_map(&r["vulnerabilities"]["added"]),
        finding_map(&d["vulnerabilities"]["removed"])
    );
}

/// Validates --fail-on-new: 1 when TO has a new finding at or above the severity, 0 when
/// the new ones are below it or there is no flag, 2 (naming the image) when a target fails.
#[test]
fn fail_on_new_exit_codes() {
    let Some(s) = base_app() else { return };
    // base → app adds a critical (Jinja2) and highs (curl).
    let out = diff(
        &s.db,
        &s.base,
        &s.app,
        &["--fail-on-new", "critical", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!d["vulnerabilities"]["added"].as_array().unwrap().is_empty());
    assert!(
        stderr(&out).contains("at or above critical"),
        "{}",
        stderr(&out)
    );
    assert_eq!(diff(&s.db, &s.base, &s.app, &[]).status.code(), Some(0));
    // app → base adds only the medium xz-utils finding the app's upgrade fixed.
    let back = |sev: &str| {
        diff(&s.db, &s.app, &s.base, &["--fail-on-new", sev, "-q"])
            .status
            .code()
    };
    assert_eq!(back("high"), Some(0));
    assert_eq!(back("critical"), Some(0));
    assert_eq!(back("medium"), Some(1));
    assert_eq!(back("low"), Some(1));
    // The same image on both sides, read from two forms: nothing new at any level.
    let archive = format!(
        "docker-archive:{}",
        s.images.path("APP_DOCKER_ARCHIVE").display()
    );
    let out = diff(&s.db, &archive, &s.app, &["--fail-on-new", "low", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    for part in ["added", "removed", "changed"] {
        assert_eq!(d["packages"][part], json!([]), "{part}");
        assert_eq!(d["vulnerabilities"][part], json!([]), "{part}");
    }
    assert_eq!(d["packages"]["unchangedCount"], d["to"]["packageCount"]);
    assert_eq!(
        d["vulnerabilities"]["unchangedCount"],
        d["to"]["vulnerabilityCount"]
    );

    let missing = format!("oci-dir:{}", s.dir.path().join("nope").display());
    let out = diff(&s.db, &s.base, &missing, &["--fail-on-new", "low"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("TO image"), "{}", stderr(&out));
    let out = diff(&s.db, &missing, &s.base, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FROM image"), "{}", stderr(&out));
}

/// Validates the text tables (section counts, a changed row, a new finding's row) and that
/// --output writes the same JSON as standard output.
#[test]
fn text_and_output_file() {
    let Some(s) = base_app() else { return };
    let out = diff(&s.db, &s.base, &s.app, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let d = diff_json(&s.db, &s.base, &s.app);
    let n = |p: &str| d.pointer(p).unwrap().as_array().unwrap().len();
    assert!(
        text.starts_with(&format!("Comparing  from  {}\n", s.base)),
        "{text}"
    );
    for (title, ptr) in [
        ("Packages added", "/packages/added"),
        ("Packages removed", "/packages/removed"),
        ("Packages changed", "/packages/changed"),
        ("Vulnerabilities added", "/vulnerabilities/added"),
        ("Vulnerabilities removed", "/vulnerabilities/removed"),
    ] {
        assert!(
            text.contains(&format!("\n{title} ({})\n", n(ptr))),
            "{title}\n{text}"
        );
    }
    let upgraded = &s.images.tsv("APP_UPGRADED_TSV")[0];
    let row = text
        .lines()
        .find(|l| {
            l.trim_start().starts_with(&format!("{} ", upgraded[0])) && l.contains(&upgraded[2])
        })
        .unwrap_or_else(|| panic!("no row for {}\n{text}", upgraded[0]));
    assert!(
        row.contains(&upgraded[1]) && row.ends_with("upgrade"),
        "{row}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("critical  CVE-2099-0105")),
        "{text}"
    );

    let file = s.dir.path().join("diff.json");
    let out = diff(
        &s.db,
        &s.base,
        &s.app,
        &["--format", "json", "--output", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, d);
}

/// Validates dev → prod of the multi-stage build: removed is exactly what prod dropped
/// (dev's dpkg listing minus prod's), nothing is added, changed are the shared packages at
/// other versions in the two listings, and the findings removed
/// are exactly those of the dropped packages' advisories; the kept package's stays.
#[test]
fn multistage_dev_to_prod() {
    let Some(images) = Images::load() else { return };
    let keys = [
        "MULTISTAGE_DEV_OCI_DIR",
        "MULTISTAGE_DEV_OCI_TAG",
        "MULTISTAGE_DEV_DPKG_TSV",
        "MULTISTAGE_PROD_OCI_DIR",
        "MULTISTAGE_PROD_OCI_TAG",
        "MULTISTAGE_PROD_DPKG_TSV",
    ];
    let manifest = std::fs::read_to_string(images.dir.join("manifest.env")).unwrap_or_default();
    if keys
        .iter()
        .any(|k| !manifest.lines().any(|l| l.starts_with(&format!("{k}="))))
    {
        missing("the multi-stage images in manifest.env (MULTISTAGE_DEV_*, MULTISTAGE_PROD_*)");
        return;
    }
    let dev = oci(&images, "MULTISTAGE_DEV");
    let prod = oci(&images, "MULTISTAGE_PROD");
    let dev_pkgs = deb_packages(&sbom_json(&dev, &[]));
    let prod_pkgs = deb_packages(&sbom_json(&prod, &[]));
    let source_of = |name: &str| {
        dev_pkgs
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} not in the dev image"))
            .source
            .clone()
    };
    let rules = vec![
        Rule {
            id: "CVE-2099-0201",
            source: source_of("git"),
            fixed: None,
            urgency: "high",
        },
        Rule {
            id: "CVE-2099-0202",
            source: source_of("make"),
            fixed: None,
            urgency: "medium",
        },
        Rule {
            id: "CVE-2099-0203",
            source: source_of("ca-certificates"),
            fixed: None,
            urgency: "low",
        },
        // perl: dropped with git (perl, libperl) and kept (perl-base), so its finding is
        // both removed and still present.
        Rule {
            id: "CVE-2099-0204",
            source: source_of("perl-base"),
            fixed: None,
            urgency: "medium",
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &rules, &[]);
    let d = diff_json(&db, &dev, &prod);

    let dev_rows = dpkg(&images, "MULTISTAGE_DEV_DPKG_TSV");
    let prod_rows = dpkg(&images, "MULTISTAGE_PROD_DPKG_TSV");
    let dropped = minus(&dev_rows, &prod_rows);
    assert!(dropped.iter().any(|(n, _, _)| n == "git"), "{dropped:?}");
    assert_eq!(deb_rows(&d["packages"]["removed"]), dropped);
    assert_eq!(
        deb_rows(&d["packages"]["added"]),
        minus(&prod_rows, &dev_rows)
    );
    // Packages in both at other versions: dev's extra installs can upgrade shared
    // dependencies (perl-base for git), which prod then has at the base's version.
    let changed: BTreeSet<(String, String, String)> = dev_rows
        .iter()
        .filter_map(|(k, v)| {
            prod_rows
                .get(k)
                .filter(|w| *w != v)
                .map(|w| (k.0.clone(), v.clone(), w.clone()))
        })
        .collect();
    assert_eq!(changed_rows(&d), changed);
    let same = dev_rows
        .iter()
        .filter(|(k, v)| prod_rows.get(*k) == Some(v))
        .count();
    assert_eq!(d["packages"]["unchangedCount"], same);

    let from = expected(&dev_pkgs, &rules);
    let to = expected(&prod_pkgs, &rules);
    assert!(!to.is_empty() && from.len() > to.len());
    assert_findings(&d, &from, &to);
    // The findings removed are exactly those in the dropped packages.
    let dropped_names: BTreeSet<&str> = dropped.iter().map(|(n, _, _)| n.as_str()).collect();
    for ((_, binary), _) in finding_map(&d["vulnerabilities"]["removed"]) {
        assert!(dropped_names.contains(binary.as_str()), "{binary}");
    }
    assert_eq!(d["vulnerabilities"]["added"], json!([]));
    let out = diff(&db, &dev, &prod, &["--fail-on-new", "low"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = diff(&db, &prod, &dev, &["--fail-on-new", "high", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// Validates that FROM may be a stored SBOM (CycloneDX and SPDX, written by `shipshape
/// sbom` from the base image): the packages and findings compare exactly as from the image.
#[test]
fn sbom_target_compares_like_the_image() {
    let Some(s) = base_app() else { return };
    let from_image = diff_json(&s.db, &s.base, &s.app);
    for format in ["cyclonedx", "spdx"] {
        let file = s.dir.path().join(format!("base.{format}.json"));
        let out = shipshape(&[
            "sbom",
            &s.base,
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let from_sbom = diff_json(&s.db, &format!("sbom:{}", file.display()), &s.app);
        assert_eq!(from_sbom["packages"], from_image["packages"], "{format}");
        assert_eq!(
            from_sbom["vulnerabilities"], from_image["vulnerabilities"],
            "{format}"
        );
    }
}
