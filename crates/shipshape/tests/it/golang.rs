//! Go binaries in a real image: the golang test image (tests/images/golang) holds a program
//! built in the image build with Debian's golang-go (standard library only, stripped) and a
//! copy of a Debian package's Go binary that lists real module dependencies, while the
//! package's own copy stays the deb's. Expected data comes from the Go toolchain
//! (`go version -m`, `go tool nm`, run by the build script) and from reading the real Go
//! vulnerability database's OSV records here, with plain serde_json and semver, not through
//! shipshape's code.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

fn golang_target(images: &Images) -> String {
    images.oci_target("GOLANG")
}

fn dockerfile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/golang/Dockerfile")
}

/// (path, layer, module, version) rows of golang.modules.tsv, sorted.
fn expected_modules(images: &Images) -> Vec<(String, usize, String, String)> {
    let mut rows: Vec<_> = images
        .tsv("GOLANG_MODULES_TSV")
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].parse().unwrap(),
                r[2].clone(),
                r[3].clone(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Validates that the SBOM of the golang image lists exactly the modules `go version -m`
/// reads from the binaries under /opt (stdlib at the Go version, the main modules at
/// `(devel)`, every dep), each with its binary's path, a `pkg:golang` purl and the layer of
/// the step that put the binary there; that the Debian package's own copy of the binary
/// (/usr/sbin) is not reported as Go modules; and that each main module depends on the
/// modules of its own binary.
#[test]
fn go_modules_of_the_golang_image() {
    let Some(images) = Images::load() else { return };
    let expected = expected_modules(&images);
    assert!(expected.len() >= 12, "{expected:?}");
    let sbom = sbom_json(&golang_target(&images), &[]);
    let packages = sbom["packages"].as_array().unwrap();
    let golang: Vec<&Value> = packages.iter().filter(|p| p["type"] == "golang").collect();
    let mut got: Vec<(String, usize, String, String)> = golang
        .iter()
        .map(|p| {
            (
                p["db_path"].as_str().unwrap().to_string(),
                p["introduced"]["layer_index"].as_u64().unwrap() as usize,
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    // Each binary's modules come with the layer that wrote that binary, even where both
    // hold the same module@version (stdlib at Debian's Go version).
    let mut credited = expected.clone();
    credited.sort();
    assert_eq!(got, credited);
    for p in &golang {
        let (name, version) = (p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
        let purl = p["purl"].as_str().unwrap();
        let want = format!(
            "pkg:golang/{name}@{}",
            version.replace('(', "%28").replace(')', "%29")
        );
        assert_eq!(purl, want);
    }
    assert!(packages
        .iter()
        .any(|p| p["type"] == "deb" && p["name"] == "zabbix-web-service"));
    // Dependency edges: the main module of each binary depends on that binary's modules.
    let bom = {
        let out = shipshape(&["sbom", &golang_target(&images), "--format", "cyclonedx"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let refs: BTreeMap<&str, &str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["bom-ref"].as_str()?, c["purl"].as_str()?)))
        .collect();
    let zabbix_ref = refs
        .iter()
        .find(|(_, p)| p.starts_with("pkg:golang/zabbix.com@"))
        .map(|(r, _)| *r)
        .expect("the zabbix main module in CycloneDX");
    let deps: BTreeSet<&str> = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == zabbix_ref)
        .expect("zabbix.com's dependencies")["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| refs[r.as_str().unwrap()])
        .collect();
    let want: BTreeSet<String> = expected
        .iter()
        .filter(|r| r.0 == "opt/zabbix/zabbix_web_service" && r.2 != "zabbix.com")
        .map(|r| format!("pkg:golang/{}@{}", r.2, r.3))
        .collect();
    let got: BTreeSet<String> = deps.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want);
    // SPDX carries the purls too.
    let out = shipshape(&["sbom", &golang_target(&images), "--format", "spdx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spdx = String::from_utf8(out.stdout).unwrap();
    assert!(
        spdx.contains("pkg:golang/golang.org/x/sys@v0.0.0-"),
        "no x/sys purl in SPDX"
    );
    assert!(spdx.contains("pkg:golang/stdlib@"));
}

/// Every record of the real Go vulnerability database (`golang-vulndb-osv.tar.gz` in
/// `$SHIPSHAPE_VULNDATA`), or `None` (after [`missing`]).
fn go_vulndb() -> Option<(PathBuf, Vec<Value>)> {
    let Some(feeds) = std::env::var_os("SHIPSHAPE_VULNDATA").map(PathBuf::from) else {
        missing("SHIPSHAPE_VULNDATA (a folder holding golang-vulndb-osv.tar.gz)");
        return None;
    };
    let archive = feeds.join("golang-vulndb-osv.tar.gz");
    let file = std::fs::File::open(&archive).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut records = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if !(path.contains("/osv/GO-") && path.ends_with(".json")) {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        records.push(serde_json::from_str(&text).unwrap());
    }
    assert!(records.len() > 4000, "{}", records.len());
    Some((archive, records))
}

/// A Go module or stdlib version as SemVer (`v1.2.3+incompatible` → `1.2.3`).
fn semver(v: &str) -> semver::Version {
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split('+').next().unwrap();
    semver::Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Whether `version` is in an OSV SEMVER range's events (evaluated in order).
fn in_range(events: &[Value], version: &semver::Version) -> bool {
    let mut affected = false;
    for e in events {
        if let Some(i) = e["introduced"].as_str() {
            if i == "0" || *version >= semver(i) {
                affected = true;
            }
        } else if let Some(f) = e["fixed"].as_str() {
            if *version >= semver(f) {
                affected = false;
            }
        } else if let Some(l) = e["last_affected"].as_str() {
            if *version > semver(l) {
                affected = false;
            }
        }
    }
    affected
}

/// The affected entries of `records` that affect `module` at `version`: (record id, entry).
fn affecting<'a>(records: &'a [Value], module: &str, version: &str) -> Vec<(&'a str, &'a Value)> {
    let v = semver(version);
    let mut out = Vec::new();
    for r in records {
        if r.get("withdrawn").is_some() {
            continue;
        }
        for a in r["affected"].as_array().into_iter().flatten() {
            if a["package"]["ecosystem"] != "Go" || a["package"]["name"] != module {
                continue;
            }
            let hit = a["ranges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|rg| rg["type"] == "SEMVER")
                .any(|rg| in_range(rg["events"].as_array().unwrap(), &v));
            if hit {
                out.push((r["id"].as_str().unwrap(), a));
            }
        }
    }
    out
}

/// The function names of `go tool nm` output (text symbols), in the Go vulnerability
/// database's spelling: `.abi0` dropped, `(*T).M` as `T.M`, generic arguments dropped,
/// `%2e` as `.`.
fn nm_functions(nm: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in nm.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 || !matches!(f[f.len() - 2], "T" | "t") {
            continue;
        }
        let mut name = f[f.len() - 1].trim_end_matches(".abi0").to_string();
        while let (Some(s), Some(e)) = (name.find('['), name.rfind(']')) {
            if e < s {
                break;
            }
            name.replace_range(s..=e, "");
        }
        let name = name.replace("(*", "").replace(')', "").replace("%2e", ".");
        out.insert(name);
    }
    out
}

/// (main module, module, version, GO id) of every Go finding of a scan report.
fn go_findings(report: &Value) -> BTreeSet<(String, String, String, String)> {
    let mut out = BTreeSet::new();
    for v in report["vulnerabilities"].as_array().unwrap() {
        if v["packageManager"] != "golang" {
            continue;
        }
        let from: Vec<&str> = v["from"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let main = from[1].rsplit_once('@').unwrap().0.to_string();
        for a in v["advisories"].as_array().unwrap() {
            let id = a["id"].as_str().unwrap();
            if id.starts_with("GO-") {
                out.insert((
                    main.clone(),
                    v["name"].as_str().unwrap().to_string(),
                    v["version"].as_str().unwrap().to_string(),
                    id.to_string(),
                ));
            }
        }
    }
    out
}

/// Validates `shipshape scan` of the golang image against a database imported from the real
/// Go vulnerability database: the Go findings (module, version, GO record) are exactly those
/// a reading of the same records gives; each carries the Dockerfile line of the step that
/// put its binary in the image; the vulnerable-symbol status of each finding on the program
/// built in the image agrees with `go tool nm`'s listing of that program (some present, some
/// absent); `--go-symbols-only` drops exactly the absent ones; the text report says it.
#[test]
fn go_findings_against_the_real_go_vulndb() {
    let Some(images) = Images::load() else { return };
    let Some((archive, records)) = go_vulndb() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("go.db").display().to_string();
    import_offline(&db, archive.to_str().unwrap());
    let target = golang_target(&images);
    let df = dockerfile();
    let scan = |extra: &[&str]| -> Value {
        let mut args = vec![
            "--offline",
            "--db",
            &db,
            "scan",
            &target,
            "--json",
            "--recommend-limit",
            "0",
            "-f",
            df.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = shipshape(&args);
        // The Go vulndb gives no severities (its records carry none, and no NVD or GHSA
        // data is imported here): every finding is `unknown`, which the default gate
        // (`--severity-threshold low`) does not fail on.
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = scan(&[]);

    // The independent reading.
    let modules = expected_modules(&images);
    let main_of: BTreeMap<&str, &str> = modules
        .iter()
        .filter(|r| r.3 == "(devel)")
        .map(|r| (r.0.as_str(), r.2.as_str()))
        .collect();
    let mut want = BTreeSet::new();
    for (path, _, module, version) in &modules {
        if version == "(devel)" {
            continue;
        }
        for (id, _) in affecting(&records, module, version) {
            want.insert((
                main_of[path.as_str()].to_string(),
                module.clone(),
                version.clone(),
                id.to_string(),
            ));
        }
    }
    assert!(want.len() > 20, "{want:?}");
    assert_eq!(go_findings(&report), want);

    // Dockerfile lines: the copy of the Debian binary and the COPY of the program.
    let text = std::fs::read_to_string(&df).unwrap();
    let line_of = |prefix: &str| {
        text.lines()
            .position(|l| l.starts_with(prefix))
            .map(|i| i + 1)
            .unwrap()
    };
    let zabbix_line = line_of("RUN mkdir -p /opt/zabbix");
    let hello_line = line_of("COPY --from=build /out/hello ");
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let go: Vec<&Value> = vulns
        .iter()
        .filter(|v| v["packageManager"] == "golang")
        .collect();
    // Layer 2 is the copy of the Debian binary, 3 the program; a module@version both hold
    // is credited to the layer of the binary the finding's path runs through.
    for v in &go {
        let (name, version) = (v["name"].as_str().unwrap(), v["version"].as_str().unwrap());
        let from: Vec<&str> = v["from"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        // from: image, then the binary's main module (or the module itself when it is one).
        let main = from[1].rsplit_once('@').map_or(from[1], |(m, _)| m);
        let binary = &modules
            .iter()
            .find(|r| r.2 == main)
            .unwrap_or_else(|| panic!("{from:?}"))
            .0;
        let layer = modules
            .iter()
            .find(|r| &r.0 == binary && r.2 == name && r.3 == version)
            .map(|r| r.1)
            .unwrap_or_else(|| panic!("{from:?}"));
        let want_line = if layer == 2 { zabbix_line } else { hello_line };
        assert_eq!(v["dockerfileLine"], want_line, "{}", v["from"]);
    }

    // Symbols: the program's stdlib findings against `go tool nm`.
    let nm = nm_functions(&std::fs::read_to_string(images.path("GOLANG_HELLO_NM")).unwrap());
    assert!(nm.contains("net/http.Server.Serve"), "nm listing");
    let hello_stdlib = modules
        .iter()
        .find(|r| r.0 == "opt/hello/hello" && r.2 == "stdlib")
        .unwrap();
    let mut statuses: BTreeMap<String, &str> = BTreeMap::new();
    for (id, entry) in affecting(&records, "stdlib", &hello_stdlib.3) {
        let imports = entry["ecosystem_specific"]["imports"].as_array();
        let listed: Vec<String> = imports
            .into_iter()
            .flatten()
            .flat_map(|i| {
                let path = i["path"].as_str().unwrap().to_string();
                match i["symbols"].as_array() {
                    Some(s) => s
                        .iter()
                        .map(|s| format!("{path}.{}", s.as_str().unwrap()))
                        .collect::<Vec<_>>(),
                    None => vec![format!("{path}.")],
                }
            })
            .collect();
        let status = if listed.is_empty() {
            "unknown"
        } else if listed.iter().any(|l| {
            if l.ends_with('.') {
                nm.iter().any(|n| n.starts_with(l.as_str()))
            } else {
                nm.contains(l)
            }
        }) {
            "present"
        } else {
            "absent"
        };
        // Aliases merged into one finding: present wins over absent over unknown.
        let e = statuses.entry(id.to_string()).or_insert(status);
        if status == "present" || (status == "absent" && *e == "unknown") {
            *e = status;
        }
    }
    let mut got: BTreeMap<String, &str> = BTreeMap::new();
    for v in &go {
        if !v["from"][1]
            .as_str()
            .unwrap()
            .starts_with("example.com/hello@")
        {
            continue;
        }
        let status = v["vulnerableSymbols"]["status"].as_str().unwrap();
        for a in v["advisories"].as_array().unwrap() {
            if let Some(id) = a["id"].as_str().filter(|i| i.starts_with("GO-")) {
                got.insert(id.to_string(), status);
            }
        }
    }
    assert_eq!(got, statuses);
    let count = |s: &str| got.values().filter(|v| **v == s).count();
    assert!(count("present") > 0 && count("absent") > 0, "{got:?}");

    // --go-symbols-only drops the absent ones and keeps the rest.
    let only = scan(&["--go-symbols-only"]);
    let absent: usize = go
        .iter()
        .filter(|v| v["vulnerableSymbols"]["status"] == "absent")
        .count();
    assert!(absent > 0);
    assert_eq!(
        only["vulnerabilities"].as_array().unwrap().len(),
        vulns.len() - absent
    );
    assert!(only["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["vulnerableSymbols"]["status"] != "absent"));

    // The text report.
    let out = shipshape(&[
        "--offline",
        "--db",
        &db,
        "scan",
        &target,
        "--recommend-limit",
        "0",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("  Vulnerable symbol: present (net/http."),
        "{text}"
    );
    assert!(text.contains("  Vulnerable symbol: absent (none of "));
}

/// Validates the `sbom:` re-check: the CycloneDX SBOM of the golang image, scanned as
/// `sbom:FILE`, gives the same Go findings (the functions are not in an SBOM, so their
/// symbols are unknown); and `diff` from the base image adds the Go modules.
#[test]
fn go_packages_through_sbom_and_diff() {
    let Some(images) = Images::load() else { return };
    let Some((archive, _)) = go_vulndb() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("go.db").display().to_string();
    import_offline(&db, archive.to_str().unwrap());
    let target = golang_target(&images);
    let bom = dir.path().join("golang.cdx.json");
    let out = shipshape(&[
        "sbom",
        &target,
        "--format",
        "cyclonedx",
        "--output",
        bom.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |t: &str| -> Value {
        let out = shipshape(&[
            "--offline",
            "--db",
            &db,
            "scan",
            t,
            "--json",
            "--recommend-limit",
            "0",
        ]);
        // The Go vulndb gives no severities (its records carry none, and no NVD or GHSA
        // data is imported here): every finding is `unknown`, which the default gate
        // (`--severity-threshold low`) does not fail on.
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let direct = run(&target);
    let again = run(&format!("sbom:{}", bom.display()));
    assert_eq!(go_findings(&again), go_findings(&direct));
    assert!(again["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["packageManager"] == "golang")
        .all(|v| v["vulnerableSymbols"]["status"] == "unknown"
            || v["vulnerableSymbols"]["listed"].as_array().is_none()));

    let base = images.oci_target("BASE");
    let out = shipshape(&["--offline", "--db", &db, "diff", &base, &target, "--json"]);
    let diff: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let added = diff.to_string();
    assert!(added.contains("golang.org/x/sys"), "{added:.2000}");
    assert!(added.contains("example.com/hello"));
}
