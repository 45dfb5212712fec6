//! Benchmark: match 10,000 Debian packages (2,000 source packages, two dependency edges each)
//! against 3,000 advisories (1,000 sources × 3 CVEs, half of them fixed above the installed
//! version). Prints the median and the spread of `scan::scan` over several runs.
//!
//!     cargo run --release -p shipshape-scan --example match_bench [RUNS]
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use inventory::{ImageIdentity, ImageInfo, Inventory, OsInfo, Package, PackageType};
use vulndb::{import::debian, SourceMeta, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut tracker = serde_json::Map::new();
    for s in 0..1000 {
        let mut issues = serde_json::Map::new();
        for k in 0..3 {
            issues.insert(
                format!("CVE-2024-{:05}", s * 3 + k),
                serde_json::json!({"releases": {"bookworm": {"status": "resolved",
                    "fixed_version": format!("1.{k}-1"), "urgency": "medium"}}}),
            );
        }
        tracker.insert(format!("src{s}"), serde_json::Value::Object(issues));
    }
    let doc = serde_json::Value::Object(tracker).to_string();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let mut builder = Store::build_beside(&path)?;
    builder.add_advisories(
        &SourceMeta::named("debian"),
        &debian::import("debian", doc.as_bytes())?,
    )?;
    builder.commit()?;
    let store = Store::open(&path)?;

    let packages: Vec<Package> = (0..10_000)
        .map(|i| Package {
            package_type: Some(PackageType::Deb),
            name: format!("bin{i}"),
            version: "1.1-1".into(),
            source_name: Some(format!("src{}", i % 2000)),
            depends: vec![format!("bin{}", (i + 1) % 10_000), "bin0".into()],
            db_path: "var/lib/dpkg/status".into(),
            ..Package::default()
        })
        .collect();
    let inv = Inventory {
        image: ImageInfo {
            identity: ImageIdentity {
                name: "bench:1".into(),
                ..Default::default()
            },
            ..ImageInfo::default()
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            source_file: "etc/os-release".into(),
            ..OsInfo::default()
        }),
        packages,
        ..Inventory::default()
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let report = scan::scan(&inv, &store, &scan::ScanOptions::default())?;
        times.push(start.elapsed());
        findings = report.vulnerabilities.len();
    }
    times.sort();
    println!(
        "10000 packages, 3000 advisories, {findings} findings: median {:?}, min {:?}, max {:?} over {runs} runs",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    Ok(())
}
